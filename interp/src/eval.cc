// The eval loop (CPython's Python/ceval.c and bytecodes.c): frames on a per-thread data stack,
// one function that runs a frame's instructions, calls, and exception unwinding through the
// code's exception table.
//
// Values on the value stack and in fast locals are StackRefs (ftb/stackref.h): a deferred or
// immortal object is held without touching its count. Containers and operators go through the
// runtime and the object library (objects.h); ints and floats have inline fast paths with the
// same semantics (an int result that does not fit in 64 bits falls back to the library, which
// raises OverflowError).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "frame.h"

// ---- dispatch -----------------------------------------------------------------------------------
// The only place that knows how instructions are dispatched: computed goto with g++ (one indirect
// jump per instruction, each from its own site, which the branch predictor learns per opcode), a
// switch elsewhere or with FTB_INTERP_SWITCH_DISPATCH defined. Clang rejects a computed goto that
// leaves the scope of a local with a destructor (the handlers' Refs, moved from by then), so clang
// builds (the thread-safety preset; sweeps use g++) take the switch.
// The label table is generated from the opcode list, so an opcode without a TARGET fails to
// compile.
#if defined(__GNUC__) && !defined(__clang__) && !defined(FTB_INTERP_SWITCH_DISPATCH)
#define FTB_COMPUTED_GOTO 1
#define FTB_LABEL_ADDRESS(name, pops, pushes, flags) &&op_##name,
#define DISPATCH_TABLE() static const void* const kDispatchTable[] = {FTB_OPCODES(FTB_LABEL_ADDRESS)}
#define TARGET(name) op_##name:
#define DISPATCH()                            \
  do {                                        \
    word = ip->word;                          \
    ++ip;                                     \
    arg = word >> 8;                          \
    goto* kDispatchTable[word & 0xff];        \
  } while (0)
#define DISPATCH_BEGIN() DISPATCH();
#define DISPATCH_END()
#else
#define FTB_COMPUTED_GOTO 0
#define DISPATCH_TABLE()
#define TARGET(name) case bc::Opcode::name:
#define DISPATCH() goto dispatch
#define DISPATCH_BEGIN()    \
  dispatch:                 \
  word = ip->word;          \
  ++ip;                     \
  arg = word >> 8;          \
  switch (static_cast<bc::Opcode>(word & 0xff)) {
#define DISPATCH_END() \
  case bc::Opcode::kCount: break; \
  }                    \
  ::ftb::FatalError(__FILE__, __LINE__, "eval loop: unknown opcode");
#endif

FTB_NAMESPACE_BEGIN
namespace interp {

// ---- the per-thread data stack (CPython's _PyThreadState_PushFrame) --------------------------------
namespace {
struct Chunk {
  Chunk* previous;
  std::size_t size;
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
};
static_assert(sizeof(Chunk) % alignof(StackRef) == 0);

struct DataStack {
  char* top;
  char* limit;
  Chunk* chunk;
  Chunk* spare;  // the last chunk left, kept so that calls at a chunk's edge do not allocate
};
FTB_TLS_MODEL constinit thread_local DataStack t_data_stack{};

struct DataStackReleaser {
  bool armed = false;
  ~DataStackReleaser() {
    DataStack& ds = t_data_stack;
    for (Chunk* c = ds.chunk; c != nullptr;) {
      Chunk* previous = c->previous;
      std::free(c);
      c = previous;
    }
    std::free(ds.spare);
    ds = DataStack{};
  }
};
thread_local DataStackReleaser t_data_stack_releaser;

constexpr std::size_t kChunkBytes = 256 * 1024;

[[gnu::noinline]] void NewChunk(DataStack& ds, std::size_t bytes) {
  t_data_stack_releaser.armed = true;
  Chunk* c = ds.spare;
  ds.spare = nullptr;
  if (c == nullptr || c->size < bytes) {
    std::free(c);
    std::size_t size = std::max(kChunkBytes, bytes);
    c = static_cast<Chunk*>(std::malloc(sizeof(Chunk) + size));
    if (c == nullptr) ::ftb::FatalError(__FILE__, __LINE__, "out of memory for interpreter frames");
    c->size = size;
  }
  c->previous = ds.chunk;
  ds.chunk = c;
  ds.top = c->data();
  ds.limit = c->data() + c->size;
}

// The calling thread's InterpThread, without a call per frame.
FTB_TLS_MODEL constinit thread_local InterpThread* t_interp_thread = nullptr;
FTB_ALWAYS_INLINE InterpThread& ThisInterpThread() noexcept {
  InterpThread* it = t_interp_thread;
  if (it == nullptr) [[unlikely]] it = t_interp_thread = &CurrentInterpThread();
  return *it;
}

FTB_ALWAYS_INLINE void PopFrame(ThreadState* ts, InterpThread& it, Frame* frame) noexcept {
  frame->executable.Close();
  ts->stack_roots = frame->roots.previous;
  it.frame = frame->previous;
  --it.depth;
  DataStack& ds = t_data_stack;
  if (ds.chunk != frame->saved_chunk) [[unlikely]] {
    if (frame->saved_chunk == nullptr) {  // the thread's first frame: keep its chunk
      ds.top = ds.chunk->data();
      return;
    }
    Chunk* left = ds.chunk;
    ds.chunk = left->previous;
    std::free(ds.spare);
    ds.spare = left;
    ds.limit = ds.chunk->data() + ds.chunk->size;
  }
  ds.top = frame->saved_data_top;
}

Object* TracebackName() {
  static Object* const name = InternStr("__traceback__").release();
  return name;
}
Object* InitName() {
  static Object* const name = InternStr("__init__").release();
  return name;
}

// Prepends (filename, line, function) to the exception's __traceback__ (outermost first).
void AddTraceback(Object* exc, CodeObject* code, std::uint32_t index) {
  if (KindOf(exc) != Kind::kInstance) return;
  const bc::CodeUnit& unit = *code->unit;
  std::int64_t line = index < unit.locations.size() ? unit.locations[index].line : unit.first_line;
  Ref line_obj = Int(line);
  Ref entry = Tuple({code->filename, line_obj.get(), code->name});
  Object* dict = static_cast<InstanceObject*>(exc)->dict;
  Ref old = DictGet(dict, TracebackName());
  Ref tb = List();
  ListAppend(tb.get(), entry.get());
  if (old && old->type == &g_list_type) ListExtend(tb.get(), old.get());
  DictSet(dict, TracebackName(), tb.get());
}

// `exc` matches `type` (a class or a tuple of classes): 1, 0, or -1 with TypeError.
int ExceptionMatches(Object* exc, Object* type) {
  if (type->type == &g_tuple_type) {
    std::size_t n = TupleSize(type);
    for (std::size_t i = 0; i < n; ++i) {
      int r = ExceptionMatches(exc, static_cast<TupleObject*>(type)->items()[i]);
      if (r != 0) return r;
    }
    return 0;
  }
  if (!IsExceptionClass(type)) {
    Raise(ExcType::kTypeError, "catching classes that do not inherit from BaseException is not allowed");
    return -1;
  }
  return IsSubclass(exc->type, static_cast<TypeObject*>(type)) ? 1 : 0;
}

std::string Plural(std::size_t n, const char* one, const char* many) { return n == 1 ? one : many; }

// CPython's too_many_positional / missing_arguments messages.
void RaiseArity(PyFunctionObject* fn, std::size_t given) {
  CodeObject* code = fn->code;
  std::size_t argcount = code->argcount;
  std::size_t ndefaults = fn->defaults != nullptr ? TupleSize(fn->defaults) : 0;
  std::string qualname(AsStr(code->qualname));
  if (given > argcount) {
    std::string sig = ndefaults != 0 ? "from " + std::to_string(argcount - ndefaults) + " to " + std::to_string(argcount)
                                     : std::to_string(argcount);
    bool plural = ndefaults != 0 || argcount != 1;
    Raise(ExcType::kTypeError, qualname + "() takes " + sig + " positional argument" + (plural ? "s" : "") + " but " +
                                   std::to_string(given) + " " + (given == 1 ? "was" : "were") + " given");
    return;
  }
  std::vector<std::string> missing;
  for (std::size_t i = given; i < argcount - ndefaults; ++i) {
    std::string quoted(1, '\'');
    quoted.append(AsStr(code->varnames[i]));
    quoted.push_back('\'');
    missing.push_back(std::move(quoted));
  }
  std::string names;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    if (i > 0) names += missing.size() == 2 ? " and " : (i + 1 == missing.size() ? ", and " : ", ");
    names += missing[i];
  }
  Raise(ExcType::kTypeError, qualname + "() missing " + std::to_string(missing.size()) + " required positional argument" +
                                 Plural(missing.size(), "", "s") + ": " + names);
}

FTB_ALWAYS_INLINE bool ArityOk(PyFunctionObject* fn, std::size_t n) noexcept {
  std::size_t argcount = fn->code->argcount;
  if (n == argcount) [[likely]] return true;
  if (n > argcount || fn->defaults == nullptr) return false;
  return n + static_cast<TupleObject*>(fn->defaults)->size >= argcount;
}

FTB_ALWAYS_INLINE void FillDefaults(PyFunctionObject* fn, StackRef* locals, std::size_t n) noexcept {
  std::size_t argcount = fn->code->argcount;
  if (n == argcount) return;
  auto* defaults = static_cast<TupleObject*>(fn->defaults);
  std::size_t first = argcount - defaults->size;
  for (std::size_t i = n; i < argcount; ++i) locals[i] = StackRef::New(defaults->items()[i - first]);
}

// A frame for a Python function called with `n` arguments taken over from `args` (the caller's
// stack slots, moved). On failure they are closed and null is returned with the error pending.
Frame* PushFunctionFrame(ThreadState* ts, PyFunctionObject* fn, StackRef* args, std::size_t n) {
  if (!ArityOk(fn, n)) [[unlikely]] {
    RaiseArity(fn, n);
    for (std::size_t i = 0; i < n; ++i) args[i].Close();
    return nullptr;
  }
  Frame* frame = PushFrame(ts, fn->code, fn->globals, nullptr);
  if (frame == nullptr) [[unlikely]] {
    for (std::size_t i = 0; i < n; ++i) args[i].Close();
    return nullptr;
  }
  StackRef* locals = frame->localsplus();
  for (std::size_t i = 0; i < n; ++i) locals[i] = args[i];
  FillDefaults(fn, locals, n);
  return frame;
}

// An instance of a class made by a class statement (or a built-in exception class): allocated,
// then __init__ (looked up through the bases) called with it first.
StackRef InstantiateClass(Object* cls, std::span<Object* const> args) {
  Ref self = AllocInstance(cls);
  // Linked into the thread's stack roots while __init__ runs: it may be held only here, tagged.
  ScopedStackRef init(LookupClassAttr(static_cast<TypeObject*>(cls), InitName()));
  if (init.is_null()) {
    if (!args.empty()) {
      Raise(ExcType::kTypeError, std::string(static_cast<TypeObject*>(cls)->name) + "() takes no arguments");
      return StackRef();
    }
    return StackRef::Steal(std::move(self));
  }
  constexpr std::size_t kInline = 8;
  Object* inline_args[kInline];
  std::vector<Object*> heap_args;
  Object** argv = inline_args;
  if (args.size() + 1 > kInline) {
    heap_args.resize(args.size() + 1);
    argv = heap_args.data();
  }
  argv[0] = self.get();
  std::copy(args.begin(), args.end(), argv + 1);
  StackRef result = CallObject(init.get(), std::span<Object* const>(argv, args.size() + 1));
  if (result.is_null()) return StackRef();
  if (result.get() != &g_none) {
    Raise(ExcType::kTypeError, std::string("__init__() should return None, not '") + TypeName(result.get()) + "'");
    result.Close();
    return StackRef();
  }
  return StackRef::Steal(std::move(self));
}

// CALL of anything but a Python function: the arguments as borrowed pointers.
[[gnu::noinline]] StackRef CallStackArgs(Object* callable, StackRef* args, std::size_t n) {
  constexpr std::size_t kInline = 8;
  Object* inline_args[kInline];
  std::vector<Object*> heap_args;
  Object** argv = inline_args;
  if (n > kInline) {
    heap_args.resize(n);
    argv = heap_args.data();
  }
  for (std::size_t i = 0; i < n; ++i) argv[i] = args[i].get();
  return CallObject(callable, std::span<Object* const>(argv, n));
}

// The iterators of GET_ITER's fast paths (never seen outside the frame that made them).
struct RangeIterObject : Object {
  std::int64_t next, stop, step;
};
struct ListIterObject : Object {
  Object* list;  // owned
  std::int64_t index;
};
void ListIterDealloc(Object* op) noexcept {
  Decref(static_cast<ListIterObject*>(op)->list);
  FreeObject(op);
}
void RangeIterDealloc(Object* op) noexcept { FreeObject(op); }
constexpr Object StaticHeader() { return Object{Policy::ImmortalHeader(), &g_type_type}; }
constinit TypeObject g_range_iter_type{StaticHeader(), "range_iterator", Kind::kIterator, RangeIterDealloc,
                                       nullptr, nullptr, sizeof(RangeIterObject)};
constinit TypeObject g_list_iter_type{StaticHeader(), "list_iterator", Kind::kIterator, ListIterDealloc,
                                      nullptr, nullptr, sizeof(ListIterObject)};

Ref GetIterFast(Object* iterable) {
  if (iterable->type == &g_range_type) {
    auto* range = static_cast<RangeObject*>(iterable);
    auto* it = NewObject<RangeIterObject>(&g_range_iter_type);
    it->next = range->start;
    it->stop = range->stop;
    it->step = range->step;
    return Ref::Steal(it);
  }
  if (iterable->type == &g_list_type) {
    auto* it = NewObject<ListIterObject>(&g_list_iter_type);
    Incref(iterable);
    it->list = iterable;
    it->index = 0;
    return Ref::Steal(it);
  }
  return GetIter(iterable);
}

// The int and float fast paths of BINARY_OP: the result, or null to take the library's path.
FTB_ALWAYS_INLINE Object* FastBinaryOp(std::uint32_t op, Object* a, Object* b) noexcept {
  if (op >= static_cast<std::uint32_t>(bc::kInplace)) op -= bc::kInplace;  // the same for ints and floats
  if (a->type == &g_int_type && b->type == &g_int_type) {
    std::int64_t x = static_cast<IntObject*>(a)->value, y = static_cast<IntObject*>(b)->value, r;
    switch (static_cast<bc::BinaryOp>(op)) {
      case bc::BinaryOp::kAdd:
        if (__builtin_add_overflow(x, y, &r)) return nullptr;
        return Int(r).release();
      case bc::BinaryOp::kSubtract:
        if (__builtin_sub_overflow(x, y, &r)) return nullptr;
        return Int(r).release();
      case bc::BinaryOp::kMultiply:
        if (__builtin_mul_overflow(x, y, &r)) return nullptr;
        return Int(r).release();
      case bc::BinaryOp::kFloorDivide:
        if (y <= 0) return nullptr;
        r = x / y;
        if ((x % y) < 0) --r;
        return Int(r).release();
      case bc::BinaryOp::kRemainder:
        if (y <= 0) return nullptr;
        r = x % y;
        if (r < 0) r += y;
        return Int(r).release();
      case bc::BinaryOp::kAnd: return Int(x & y).release();
      case bc::BinaryOp::kOr: return Int(x | y).release();
      case bc::BinaryOp::kXor: return Int(x ^ y).release();
      default: return nullptr;
    }
  }
  if (a->type == &g_float_type && b->type == &g_float_type) {
    double x = static_cast<FloatObject*>(a)->value, y = static_cast<FloatObject*>(b)->value;
    switch (static_cast<bc::BinaryOp>(op)) {
      case bc::BinaryOp::kAdd: return Float(x + y).release();
      case bc::BinaryOp::kSubtract: return Float(x - y).release();
      case bc::BinaryOp::kMultiply: return Float(x * y).release();
      case bc::BinaryOp::kTrueDivide:
        if (y == 0.0) return nullptr;
        return Float(x / y).release();
      default: return nullptr;
    }
  }
  return nullptr;
}

// COMPARE_OP's fast paths: 1 or 0, or -1 to take the library's path.
FTB_ALWAYS_INLINE int FastCompare(std::uint32_t op, Object* a, Object* b) noexcept {
  auto compare = [op](auto x, auto y) -> int {
    switch (static_cast<bc::CompareOp>(op)) {
      case bc::CompareOp::kLt: return x < y;
      case bc::CompareOp::kLe: return x <= y;
      case bc::CompareOp::kEq: return x == y;
      case bc::CompareOp::kNe: return x != y;
      case bc::CompareOp::kGt: return x > y;
      case bc::CompareOp::kGe: return x >= y;
    }
    return -1;
  };
  if (a->type == &g_int_type && b->type == &g_int_type)
    return compare(static_cast<IntObject*>(a)->value, static_cast<IntObject*>(b)->value);
  if (a->type == &g_float_type && b->type == &g_float_type)
    return compare(static_cast<FloatObject*>(a)->value, static_cast<FloatObject*>(b)->value);
  return -1;
}

FTB_ALWAYS_INLINE StackRef BoolRef(bool v) noexcept { return StackRef::New(v ? &g_true : &g_false); }

// Truth of a value for the conditional jumps: bools inline. 1, 0, or -1 with an exception.
FTB_ALWAYS_INLINE int Truth(Object* v) noexcept {
  if (v == &g_true) return 1;
  if (v == &g_false || v == &g_none) return 0;
  return IsTrueObject(v);
}

// LOAD_FAST and LOAD_FAST_BORROW of a local that holds nothing.
[[gnu::cold]] void RaiseUnboundLocal(const CodeObject* code, std::uint32_t index) {
  Raise(ExcType::kUnboundLocalError, "cannot access local variable '" + std::string(AsStr(code->varnames[index])) +
                                         "' where it is not associated with a value");
}
}  // namespace

Frame* PushFrame(ThreadState* ts, CodeObject* code, Object* globals, Object* locals) {
  InterpThread& it = ThisInterpThread();
  if (it.depth >= kMaxDepth) [[unlikely]] {
    Raise(ExcType::kRecursionError, "maximum recursion depth exceeded");
    return nullptr;
  }
  std::size_t bytes = sizeof(Frame) + (std::size_t{code->nlocals} + code->stacksize) * sizeof(StackRef);
  DataStack& ds = t_data_stack;
  char* saved_top = ds.top;
  Chunk* saved_chunk = ds.chunk;
  if (static_cast<std::size_t>(ds.limit - ds.top) < bytes) [[unlikely]] NewChunk(ds, bytes);
  auto* frame = reinterpret_cast<Frame*>(ds.top);
  ds.top += bytes;
  frame->saved_data_top = saved_top;
  frame->saved_chunk = saved_chunk;
  frame->code = code;
  frame->executable = StackRef::New(code);
  frame->globals = globals;
  frame->locals = locals;
  StackRef* localsplus = frame->localsplus();
  std::memset(static_cast<void*>(localsplus), 0, code->nlocals * sizeof(StackRef));
  frame->stack_top = localsplus + code->nlocals;
  frame->roots.previous = ts->stack_roots;
  frame->roots.base = localsplus;
  frame->roots.top = &frame->stack_top;
  ts->stack_roots = &frame->roots;
  frame->previous = it.frame;
  it.frame = frame;
  ++it.depth;
  return frame;
}

StackRef CallObject(Object* callable, std::span<Object* const> args) {
  TypeObject* type = callable->type;
  if (type == &g_pyfunction_type) {
    auto* fn = static_cast<PyFunctionObject*>(callable);
    if (!ArityOk(fn, args.size())) {
      RaiseArity(fn, args.size());
      return StackRef();
    }
    ThreadState* ts = CurrentThreadState();
    Frame* frame = PushFrame(ts, fn->code, fn->globals, nullptr);
    if (frame == nullptr) return StackRef();
    StackRef* locals = frame->localsplus();
    for (std::size_t i = 0; i < args.size(); ++i) locals[i] = StackRef::New(args[i]);
    FillDefaults(fn, locals, args.size());
    return EvalFrame(ts, frame);
  }
  if (type == &g_function_type) {
    Ref result = static_cast<FunctionObject*>(callable)->fn(args);
    if (!result && !ErrorPending()) Raise(ExcType::kRuntimeError, "a native function failed without an exception");
    return StackRef::Steal(std::move(result));
  }
  if (type == &g_method_type) {
    auto* method = static_cast<MethodObject*>(callable);
    constexpr std::size_t kInline = 8;
    Object* inline_args[kInline];
    std::vector<Object*> heap_args;
    Object** argv = inline_args;
    if (args.size() + 1 > kInline) {
      heap_args.resize(args.size() + 1);
      argv = heap_args.data();
    }
    argv[0] = method->self;
    std::copy(args.begin(), args.end(), argv + 1);
    return CallObject(method->function, std::span<Object* const>(argv, args.size() + 1));
  }
  if (IsClass(callable)) return InstantiateClass(callable, args);
  if (type == &g_type_type) return StackRef::Steal(CallBuiltinType(callable, args));
  if (type->call != nullptr) {
    Ref result = type->call(callable, args);
    return StackRef::Steal(std::move(result));
  }
  Raise(ExcType::kTypeError, std::string("'") + TypeName(callable) + "' object is not callable");
  return StackRef();
}

StackRef EvalFrame(ThreadState* ts, Frame* frame) {
  DISPATCH_TABLE();
  CodeObject* const code = frame->code;
  const bc::Instr* const instrs = code->instrs;
  StackRef* const locals = frame->localsplus();
  StackRef* const stack_base = locals + code->nlocals;
  Object* const* const consts = code->consts.data();
  Object* const* const names = code->names.data();
  Object* const builtins = BuiltinsDict();
  const bc::Instr* ip = instrs;
  StackRef* sp = frame->stack_top;
  std::uint32_t word = 0;
  std::uint32_t arg = 0;
  StackRef result;

  DISPATCH_BEGIN()

  TARGET(NOP) { DISPATCH(); }

  TARGET(POP_TOP) {
    (--sp)->Close();
    DISPATCH();
  }

  TARGET(PUSH_NULL) {
    *sp++ = StackRef();
    DISPATCH();
  }

  TARGET(COPY) {
    *sp = sp[-static_cast<std::ptrdiff_t>(arg)].Dup();
    ++sp;
    DISPATCH();
  }

  TARGET(SWAP) {
    std::swap(sp[-1], sp[-static_cast<std::ptrdiff_t>(arg)]);
    DISPATCH();
  }

  TARGET(LOAD_CONST) {
    *sp++ = StackRef::New(consts[arg]);
    DISPATCH();
  }

  TARGET(LOAD_FAST) {
    if (!LoadFast(locals, arg, sp)) [[unlikely]] {
      RaiseUnboundLocal(code, arg);
      goto error;
    }
    DISPATCH();
  }

  TARGET(LOAD_FAST_BORROW) {
    if (!LoadFastBorrow(locals, arg, sp)) [[unlikely]] {
      RaiseUnboundLocal(code, arg);
      goto error;
    }
    DISPATCH();
  }

  TARGET(STORE_FAST) {
    StoreFast(locals, arg, sp);
    DISPATCH();
  }

  TARGET(LOAD_GLOBAL) {
    StackRef value = DictGetStackRef(frame->globals, names[arg]);
    if (value.is_null()) [[unlikely]] {
      value = DictGetStackRef(builtins, names[arg]);
      if (value.is_null()) {
        Raise(ExcType::kNameError, "name '" + std::string(AsStr(names[arg])) + "' is not defined");
        goto error;
      }
    }
    *sp++ = value;
    DISPATCH();
  }

  TARGET(STORE_GLOBAL) {
    StackRef value = *--sp;
    DictSet(frame->globals, names[arg], value.get());
    value.Close();
    DISPATCH();
  }

  TARGET(LOAD_NAME) {
    StackRef value;
    if (frame->locals != nullptr) value = DictGetStackRef(frame->locals, names[arg]);
    if (value.is_null()) value = DictGetStackRef(frame->globals, names[arg]);
    if (value.is_null()) value = DictGetStackRef(builtins, names[arg]);
    if (value.is_null()) {
      Raise(ExcType::kNameError, "name '" + std::string(AsStr(names[arg])) + "' is not defined");
      goto error;
    }
    *sp++ = value;
    DISPATCH();
  }

  TARGET(STORE_NAME) {
    StackRef value = *--sp;
    DictSet(frame->locals != nullptr ? frame->locals : frame->globals, names[arg], value.get());
    value.Close();
    DISPATCH();
  }

  TARGET(LOAD_ATTR) {
    StackRef obj = *--sp;
    StackRef value = LoadAttr(obj.get(), names[arg]);
    obj.Close();
    if (value.is_null()) goto error;
    *sp++ = value;
    DISPATCH();
  }

  TARGET(LOAD_METHOD) {
    StackRef obj = *--sp;
    if (!LoadMethod(obj, names[arg], sp)) goto error;
    sp += 2;
    DISPATCH();
  }

  TARGET(STORE_ATTR) {
    StackRef obj = *--sp;
    StackRef value = *--sp;
    int r = StoreAttr(obj.get(), names[arg], value.get());
    obj.Close();
    value.Close();
    if (r < 0) goto error;
    DISPATCH();
  }

  TARGET(BINARY_OP) {
    Object* a = sp[-2].get();
    Object* b = sp[-1].get();
    Object* r = FastBinaryOp(arg, a, b);
    if (r == nullptr) {
      r = BinaryOp(static_cast<bc::BinaryOp>(arg), a, b).release();
    }
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    if (r == nullptr) goto error;
    *sp++ = StackRef::StealObject(r);
    DISPATCH();
  }

  TARGET(UNARY_NEGATIVE) {
    Ref r = UnaryNegative(sp[-1].get());
    (--sp)->Close();
    if (!r) goto error;
    *sp++ = StackRef::Steal(std::move(r));
    DISPATCH();
  }

  TARGET(UNARY_INVERT) {
    Ref r = UnaryInvert(sp[-1].get());
    (--sp)->Close();
    if (!r) goto error;
    *sp++ = StackRef::Steal(std::move(r));
    DISPATCH();
  }

  TARGET(UNARY_NOT) {
    int t = Truth(sp[-1].get());
    (--sp)->Close();
    if (t < 0) goto error;
    *sp++ = BoolRef(t == 0);
    DISPATCH();
  }

  TARGET(COMPARE_OP) {
    Object* a = sp[-2].get();
    Object* b = sp[-1].get();
    int fast = FastCompare(arg, a, b);
    if (fast >= 0) {
      sp[-1].Close();
      sp[-2].Close();
      sp -= 2;
      *sp++ = BoolRef(fast != 0);
      DISPATCH();
    }
    Ref r = RichCompare(static_cast<bc::CompareOp>(arg), a, b);
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    if (!r) goto error;
    *sp++ = StackRef::Steal(std::move(r));
    DISPATCH();
  }

  TARGET(IS_OP) {
    bool same = sp[-2].get() == sp[-1].get();
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    *sp++ = BoolRef(same != (arg != 0));
    DISPATCH();
  }

  TARGET(CONTAINS_OP) {
    int r = Contains(sp[-1].get(), sp[-2].get());
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    if (r < 0) goto error;
    *sp++ = BoolRef((r != 0) != (arg != 0));
    DISPATCH();
  }

  TARGET(BINARY_SUBSCR) {
    Object* container = sp[-2].get();
    Object* key = sp[-1].get();
    Ref r;
    if (container->type == &g_list_type && key->type == &g_int_type) r = ListGet(container, static_cast<IntObject*>(key)->value);
    if (!r) r = GetItem(container, key);
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    if (!r) goto error;
    *sp++ = StackRef::Steal(std::move(r));
    DISPATCH();
  }

  TARGET(STORE_SUBSCR) {
    Object* container = sp[-2].get();
    Object* key = sp[-1].get();
    Object* value = sp[-3].get();
    int r = 0;
    if (!(container->type == &g_list_type && key->type == &g_int_type &&
          ListSet(container, static_cast<IntObject*>(key)->value, value)))
      r = SetItem(container, key, value);
    sp[-1].Close();
    sp[-2].Close();
    sp[-3].Close();
    sp -= 3;
    if (r < 0) goto error;
    DISPATCH();
  }

  TARGET(DELETE_SUBSCR) {
    int r = DelItem(sp[-2].get(), sp[-1].get());
    sp[-1].Close();
    sp[-2].Close();
    sp -= 2;
    if (r < 0) goto error;
    DISPATCH();
  }

  TARGET(BINARY_SLICE) {
    Ref r = GetSlice(sp[-3].get(), sp[-2].get(), sp[-1].get());
    sp[-1].Close();
    sp[-2].Close();
    sp[-3].Close();
    sp -= 3;
    if (!r) goto error;
    *sp++ = StackRef::Steal(std::move(r));
    DISPATCH();
  }

  TARGET(BUILD_LIST) {
    Ref list = List();
    StackRef* items = sp - arg;
    for (std::uint32_t i = 0; i < arg; ++i) {
      ListAppendNew(list.get(), items[i].get());
      items[i].Close();
    }
    sp = items;
    *sp++ = StackRef::Steal(std::move(list));
    DISPATCH();
  }

  TARGET(BUILD_TUPLE) {
    StackRef* items = sp - arg;
    Ref tuple;
    {
      constexpr std::uint32_t kInline = 16;
      Object* inline_items[kInline];
      std::vector<Object*> heap_items;
      Object** argv = inline_items;
      if (arg > kInline) {
        heap_items.resize(arg);
        argv = heap_items.data();
      }
      for (std::uint32_t i = 0; i < arg; ++i) argv[i] = items[i].get();
      tuple = Tuple(std::span<Object* const>(argv, arg));
    }
    for (std::uint32_t i = 0; i < arg; ++i) items[i].Close();
    sp = items;
    *sp++ = StackRef::Steal(std::move(tuple));
    DISPATCH();
  }

  TARGET(BUILD_MAP) {
    StackRef* items = sp - 2 * arg;
    Ref dict = Dict();
    bool failed = false;
    for (std::uint32_t i = 0; i < 2 * arg; i += 2) {
      if (!failed && CheckHashable(items[i].get()) < 0) failed = true;
      if (!failed) DictSetNew(dict.get(), items[i].get(), items[i + 1].get());
      items[i].Close();
      items[i + 1].Close();
    }
    sp = items;
    if (failed) goto error;
    *sp++ = StackRef::Steal(std::move(dict));
    DISPATCH();
  }

  TARGET(LIST_APPEND) {
    StackRef value = *--sp;
    // The comprehension's list, reachable only from this frame's stack: no critical section
    // (CPython's LIST_APPEND, _PyList_AppendTakeRef).
    ListAppendNew(sp[-static_cast<std::ptrdiff_t>(arg)].get(), value.get());
    value.Close();
    DISPATCH();
  }

  TARGET(UNPACK_SEQUENCE) {
    StackRef seq = *--sp;
    Object* s = seq.get();
    if (s->type == &g_tuple_type && static_cast<TupleObject*>(s)->size == arg) {
      Object** items = static_cast<TupleObject*>(s)->items();
      for (std::uint32_t i = 0; i < arg; ++i) sp[arg - 1 - i] = StackRef::New(items[i]);
    } else {
      if (UnpackSequence(s, arg, sp) < 0) {
        seq.Close();
        goto error;
      }
      std::reverse(sp, sp + arg);
    }
    sp += arg;
    seq.Close();
    DISPATCH();
  }

  TARGET(GET_ITER) {
    Ref it = GetIterFast(sp[-1].get());
    (--sp)->Close();
    if (!it) goto error;
    *sp++ = StackRef::Steal(std::move(it));
    DISPATCH();
  }

  TARGET(FOR_ITER) {
    Object* iterator = sp[-1].get();
    if (iterator->type == &g_range_iter_type) {
      auto* it = static_cast<RangeIterObject*>(iterator);
      if (it->step > 0 ? it->next < it->stop : it->next > it->stop) {
        std::int64_t value = it->next;
        if (__builtin_add_overflow(value, it->step, &it->next)) it->next = it->stop;
        *sp++ = StackRef::Steal(Int(value));
        DISPATCH();
      }
    } else if (iterator->type == &g_list_iter_type) {
      auto* it = static_cast<ListIterObject*>(iterator);
      if (Ref item = ListGet(it->list, it->index)) {
        ++it->index;
        *sp++ = StackRef::Steal(std::move(item));
        DISPATCH();
      }
      it->index = INT64_MAX / 2;  // exhausted for good, as CPython's list iterator
    } else {
      Ref item = IterNext(iterator);
      if (item) {
        *sp++ = StackRef::Steal(std::move(item));
        DISPATCH();
      }
      if (ErrorPending()) goto error;
    }
    (--sp)->Close();
    ip = instrs + arg;
    DISPATCH();
  }

  TARGET(JUMP_FORWARD) {
    ip = instrs + arg;
    DISPATCH();
  }

  TARGET(JUMP_BACKWARD) {
    ip = instrs + arg;
    frame->stack_top = sp;
    EvalBreakerCheck();
    DISPATCH();
  }

  TARGET(POP_JUMP_IF_FALSE) {
    int t = Truth(sp[-1].get());
    (--sp)->Close();
    if (t < 0) goto error;
    if (t == 0) ip = instrs + arg;
    DISPATCH();
  }

  TARGET(POP_JUMP_IF_TRUE) {
    int t = Truth(sp[-1].get());
    (--sp)->Close();
    if (t < 0) goto error;
    if (t != 0) ip = instrs + arg;
    DISPATCH();
  }

  TARGET(CALL) {
    std::size_t nargs = arg;
    StackRef* callable_slot = sp - nargs - 2;
    StackRef* args = callable_slot + 2;
    Object* callable = callable_slot[0].get();
    if (!callable_slot[1].is_null()) {
      --args;
      ++nargs;
    } else if (callable->type == &g_method_type) {
      // A bound method: call its function with self first, in place (CPython does the same).
      auto* method = static_cast<MethodObject*>(callable);
      callable_slot[1] = StackRef::New(method->self);
      StackRef function = StackRef::New(method->function);
      callable_slot[0].Close();
      callable_slot[0] = function;
      callable = function.get();
      --args;
      ++nargs;
    }
    frame->stack_top = sp;
    EvalBreakerCheck();
    if (callable->type == &g_pyfunction_type) {
      // The arguments move into the new frame; the callable stays on this stack for the call.
      sp = callable_slot + 1;
      frame->stack_top = sp;
      Frame* callee = PushFunctionFrame(ts, static_cast<PyFunctionObject*>(callable), args, nargs);
      StackRef r = callee != nullptr ? EvalFrame(ts, callee) : StackRef();
      callable_slot[0].Close();
      sp = callable_slot;
      if (r.is_null()) goto error;
      *sp++ = r;
      DISPATCH();
    }
    StackRef r = CallStackArgs(callable, args, nargs);
    while (sp > callable_slot) (--sp)->Close();
    if (r.is_null()) goto error;
    *sp++ = r;
    DISPATCH();
  }

  TARGET(RETURN_VALUE) {
    result = *--sp;
    result.MakeHeapSafe();  // a borrowed result would outlive the local that keeps it alive
    goto exit_frame;
  }

  TARGET(MAKE_FUNCTION) {
    StackRef code_ref = *--sp;
    StackRef defaults;
    if (arg & 1) defaults = *--sp;
    Ref fn = NewFunction(static_cast<CodeObject*>(code_ref.get()), frame->globals, defaults.get(),
                         code->kind == bc::CodeUnit::Kind::kFunction);
    code_ref.Close();
    defaults.Close();
    *sp++ = StackRef::Steal(std::move(fn));
    DISPATCH();
  }

  TARGET(BUILD_CLASS) {
    // The inputs stay on the (scanned) stack while the body runs: the body function may be held
    // only there, without a count (deferred).
    StackRef* inputs = sp - 2 - arg;
    Object* base = arg == 1 ? inputs[2].get() : nullptr;
    frame->stack_top = sp;
    Ref cls;
    {
      Ref ns = Dict();
      auto* fn = static_cast<PyFunctionObject*>(inputs[0].get());
      Frame* body_frame = PushFrame(ts, fn->code, fn->globals, ns.get());
      StackRef r = body_frame != nullptr ? EvalFrame(ts, body_frame) : StackRef();
      if (!r.is_null()) {
        r.Close();
        cls = MakeClass(inputs[1].get(), ns.get(), base);
      }
    }
    while (sp > inputs) (--sp)->Close();
    if (!cls) goto error;
    *sp++ = StackRef::Steal(std::move(cls));
    DISPATCH();
  }

  TARGET(IMPORT_NAME) {
    Ref module = ImportBuiltinModule(names[arg]);
    if (!module) goto error;
    *sp++ = StackRef::Steal(std::move(module));
    DISPATCH();
  }

  TARGET(IMPORT_FROM) {
    Object* module = sp[-1].get();
    StackRef value;
    if (module->type == &g_module_type) value = DictGetStackRef(static_cast<ModuleObject*>(module)->dict, names[arg]);
    if (value.is_null()) {
      std::string from = module->type == &g_module_type ? static_cast<ModuleObject*>(module)->name : TypeName(module);
      Raise(ExcType::kImportError, "cannot import name '" + std::string(AsStr(names[arg])) + "' from '" + from + "'");
      goto error;
    }
    *sp++ = value;
    DISPATCH();
  }

  TARGET(RAISE_VARARGS) {
    if (arg == 0) {
      InterpThread& it = ThisInterpThread();
      if (!it.handled) {
        Raise(ExcType::kRuntimeError, "No active exception to reraise");
        goto error;
      }
      it.pending = it.handled;
      goto exception_unwind;  // the traceback already has this frame
    }
    StackRef exc = *--sp;
    RaiseObject(exc.get());
    exc.Close();
    goto error;
  }

  TARGET(PUSH_EXC_INFO) {
    InterpThread& it = ThisInterpThread();
    StackRef exc = sp[-1];
    Ref previous = std::move(it.handled);
    it.handled = Ref::New(exc.get());
    sp[-1] = previous ? StackRef::Steal(std::move(previous)) : StackRef::New(&g_none);
    *sp++ = exc;
    DISPATCH();
  }

  TARGET(CHECK_EXC_MATCH) {
    int match = ExceptionMatches(sp[-2].get(), sp[-1].get());
    (--sp)->Close();
    if (match < 0) goto error;
    *sp++ = BoolRef(match != 0);
    DISPATCH();
  }

  TARGET(POP_EXCEPT) {
    StackRef previous = *--sp;
    InterpThread& it = ThisInterpThread();
    if (previous.get() == &g_none) {
      previous.Close();
      it.handled.reset();
    } else {
      it.handled = previous.ToRef();
    }
    DISPATCH();
  }

  TARGET(RERAISE) {
    StackRef exc = *--sp;
    ThisInterpThread().pending = exc.ToRef();
    goto exception_unwind;
  }

  DISPATCH_END()

error:
  // An instruction raised: this frame's line goes into the traceback, then unwinding.
  {
    InterpThread& it = ThisInterpThread();
    if (!it.pending) Raise(ExcType::kRuntimeError, "error return without exception set");
    AddTraceback(it.pending.get(), code, static_cast<std::uint32_t>(ip - 1 - instrs));
  }
exception_unwind:
  // The innermost handler covering the instruction: cut the stack to its depth, push the
  // exception, go on there. None: the frame ends with the exception pending.
  {
    auto index = static_cast<std::uint32_t>(ip - 1 - instrs);
    for (const bc::ExceptionEntry& entry : code->unit->exception_table) {
      if (index < entry.start || index >= entry.end) continue;
      StackRef* depth = stack_base + entry.depth;
      while (sp > depth) (--sp)->Close();
      *sp++ = StackRef::Steal(FetchError());
      ip = instrs + entry.handler;
      DISPATCH();
    }
    while (sp > stack_base) (--sp)->Close();
    result = StackRef();
  }
exit_frame:
  while (sp > stack_base) (--sp)->Close();
  for (StackRef* local = locals; local < stack_base; ++local) local->Close();
  PopFrame(ts, ThisInterpThread(), frame);
  return result;
}

}  // namespace interp
FTB_NAMESPACE_END
