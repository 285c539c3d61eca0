// The mechanisms of ftb/mechanisms.h as the interpreter applies them (all on by default): in brc,
// functions, code objects, the globals dict and classes are held on the value stack without a
// count (tagged), code constants are immortal; in gil and atomic, nothing changes. The collector
// never frees what a frame still holds, and a frame holds its code as CPython's f_executable.
#include "eval_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

constexpr bool kBrc = Policy::kHasOwnerThread;

Object* Global(Module& m, const char* name) {
  Ref value = DictGet(m.globals(), InternStr(name).get());
  EXPECT_TRUE(value) << name;
  return value.get();  // the globals keep it
}

TEST_F(EvalTest, SharedObjectsAreDeferredInBrc) {
  auto m = LoadSource(R"(
class Point:
    def __init__(self, x):
        self.x = x

def f():
    return Point(1)
)");
  Object* f = Global(*m, "f");
  Object* cls = Global(*m, "Point");
  Object* code = static_cast<PyFunctionObject*>(f)->code;
  for (Object* op : {f, cls, code, m->globals()}) {
    EXPECT_EQ(IsDeferredOrImmortal(op), kBrc) << TypeName(op);
    // What LOAD_GLOBAL pushes: a tagged slot in brc, an owned reference elsewhere.
  }
  StackRef loaded = DictGetStackRef(m->globals(), InternStr("f").get());
  EXPECT_EQ(loaded.owns_reference(), !kBrc);
  loaded.Close();
  StackRef method = LookupClassAttr(static_cast<TypeObject*>(cls), InternStr("__init__").get());
  EXPECT_EQ(method.owns_reference(), !kBrc) << "a method loaded through its class";
  method.Close();
  Ref p = m->Call("f", {});
  EXPECT_EQ(p->type, static_cast<TypeObject*>(cls));
}

TEST_F(EvalTest, CodeConstantsAreImmortalInBrc) {
  auto m = LoadSource(R"(
def consts():
    return [123456789, 2.5, "text", 7]

def same():
    return 123456789
)");
  Ref list = m->Call("consts", {});
  Ref big = ListGet(list.get(), 0), real = ListGet(list.get(), 1), text = ListGet(list.get(), 2), small = ListGet(list.get(), 3);
  EXPECT_EQ(IsImmortal(big.get()), kBrc);
  EXPECT_EQ(IsImmortal(real.get()), kBrc);
  EXPECT_TRUE(IsImmortal(text.get())) << "str constants are interned";
  EXPECT_TRUE(IsImmortal(small.get())) << "small ints are static";
  Ref again = m->Call("same", {});
  if (kBrc) {
    EXPECT_EQ(again.get(), big.get()) << "one immortal object per constant value";
  }
  // Another module with the same constant shares it (brc), and the value outlives its module.
  Object* first = big.get();
  list.reset();
  again.reset();
  m.reset();
  auto m2 = LoadSource("def same():\n    return 123456789\n");
  Ref other = m2->Call("same", {});
  EXPECT_EQ(AsInt(other.get()), 123456789);
  if (kBrc) {
    EXPECT_EQ(other.get(), first);
  }
  EXPECT_EQ(AsInt(big.get()), 123456789);
}

// collect(): runs the deferred collector and returns how many objects it freed.
Ref CollectNow(std::span<Object* const>) { return Int(CollectDeferred()); }

TEST_F(EvalTest, CollectorKeepsWhatFramesHold) {
  // `victim` rebinds its own global while it runs: its function object is then referenced only by
  // the caller's value stack (a tagged slot in brc, no count). A collection at that moment must
  // see it there and keep it, and with it the code object the running frame executes.
  auto m = LoadSource(R"(
def victim(n):
    global victim
    victim = None
    freed = collect()
    total = 0
    for i in range(n):
        total += i
    return total + 1000 * freed

def run():
    return victim(10) + 1

class Once:
    def __init__(self):
        Once.__init__ = None
        self.freed = collect()

def make_once():
    return Once().freed
)");
  Ref collect = Function("collect", CollectNow);
  DictSet(m->globals(), InternStr("collect").get(), collect.get());
  collect.reset();
  CollectDeferred();  // what loading left (the class body's function): collect() below then sees 0
  EXPECT_EQ(CallInt(*m, "run"), 46) << "the collector freed something a frame held (46 + 1000 per object)";
  EXPECT_EQ(Global(*m, "victim"), &g_none);
  // The same for an __init__ that replaces itself on its class while it runs.
  CollectDeferred();  // the old victim
  EXPECT_EQ(CallInt(*m, "make_once"), 0) << "the collector freed the running __init__";
}

// A running frame holds its code as CPython's f_executable: a counted reference in gil and atomic
// (3.12/3.13's Py_NewRef), a tagged one in brc, where the code is deferred (3.14's stack
// reference: no count written).
Object* g_probed_code = nullptr;
Ref CodeCountNow(std::span<Object* const>) { return Int(Refcount(g_probed_code)); }

TEST_F(EvalTest, AFrameHoldsItsCodeAsFExecutable) {
  auto m = LoadSource("def g():\n    return code_count()\n");
  Ref probe = Function("code_count", CodeCountNow);
  DictSet(m->globals(), InternStr("code_count").get(), probe.get());
  g_probed_code = static_cast<PyFunctionObject*>(Global(*m, "g"))->code;
  const std::int64_t outside = Refcount(g_probed_code);
  EXPECT_EQ(CallInt(*m, "g") - outside, kBrc ? 0 : 1) << "the running frame's reference to its code";
  EXPECT_EQ(Refcount(g_probed_code), outside) << "released when the frame was popped";
  g_probed_code = nullptr;
}

// LOAD_FAST_BORROW (CPython 3.14, both builds): a local's object loaded for one instruction takes
// no reference, in every variant; a value stored into a local, or returned, does.
Ref CountOf(std::span<Object* const> args) { return Int(Refcount(args[0])); }

TEST_F(EvalTest, ABorrowedLoadTakesNoReference) {
  auto m = LoadSource(R"(
def borrowed(a):
    return count_of(a)

def stored(a):
    b = a
    return count_of(b)

def ident(x):
    return x

def outlives():
    a = [7]
    b = ident(a)
    a = None
    return b
)");
  Ref count_of = Function("count_of", CountOf);
  DictSet(m->globals(), InternStr("count_of").get(), count_of.get());
  Ref list = List();
  ListAppend(list.get(), Int(7).get());
  Object* args[] = {list.get()};
  const std::int64_t outside = Refcount(list.get());
  // The callee's local holds one reference (the caller's argument, taken by Call).
  EXPECT_EQ(AsInt(m->Call("borrowed", args).get()) - outside, 1) << "the load for count_of() took a reference";
  EXPECT_EQ(AsInt(m->Call("stored", args).get()) - outside, 2) << "b = a must own its reference";
  EXPECT_EQ(Refcount(list.get()), outside);
  // ident returns what it borrowed from its argument with a reference of its own: the list
  // outlives the caller's local `a`, its only other owner (without it, a use after free).
  Ref kept = m->Call("outlives", {});
  ASSERT_EQ(kept->type, &g_list_type);
  EXPECT_EQ(Refcount(kept.get()), 1);
  EXPECT_EQ(AsInt(ListGet(kept.get(), 0).get()), 7);
}

// With the borrowed-loads mechanism off (brc:3.13, brc:none) brc's interpreter loads every local
// with a reference, as CPython 3.13's LOAD_FAST did; gil and atomic always borrow (the switch is
// brc's, as every mechanism). The switch is read when the code object is made.
int CountOpcode(const CodeObject* code, bc::Opcode op) {
  int n = 0;
  for (std::uint32_t i = 0; i < code->ninstrs; ++i) n += code->instrs[i].op() == op;
  return n;
}

TEST_F(EvalTest, WithoutBorrowedLoadsBrcCountsEveryLoad) {
  struct Restore {
    Mechanisms saved = CurrentMechanisms();
    ~Restore() { SetMechanisms(saved); }
  } restore;
  Mechanisms off = restore.saved;
  off.borrowed_loads = false;
  SetMechanisms(off);
  EXPECT_EQ(BorrowedLoads(), !kBrc);
  auto m = LoadSource("def borrowed(a):\n    return count_of(a)\n");
  SetMechanisms(restore.saved);
  auto code = static_cast<const CodeObject*>(static_cast<PyFunctionObject*>(Global(*m, "borrowed"))->code);
  EXPECT_EQ(CountOpcode(code, bc::Opcode::LOAD_FAST_BORROW), kBrc ? 0 : 1);
  EXPECT_EQ(CountOpcode(code, bc::Opcode::LOAD_FAST), kBrc ? 1 : 0);
  Ref count_of = Function("count_of", CountOf);
  DictSet(m->globals(), InternStr("count_of").get(), count_of.get());
  Ref list = List();
  Object* args[] = {list.get()};
  const std::int64_t outside = Refcount(list.get());
  EXPECT_EQ(AsInt(m->Call("borrowed", args).get()) - outside, kBrc ? 2 : 1)
      << "the argument's reference, and in brc without borrowed loads the load's";
  EXPECT_EQ(Refcount(list.get()), outside);
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
