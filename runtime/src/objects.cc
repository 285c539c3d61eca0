// Object allocation and deallocation, the scalar types, str, tuple, functions, classes and
// instances. Lists and dicts are in list.cc and dict.cc.
#include "alloc.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ftb/environment.h"
#include "ftb/mechanisms.h"
#include "ftb/stackref.h"
#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace {
[[noreturn]] void TypeError(const char* what, const Object* a, const Object* b = nullptr) {
  std::string message = std::string(what) + ": " + TypeName(a);
  if (b != nullptr) message += std::string(" and ") + TypeName(b);
  ::ftb::FatalError(__FILE__, __LINE__, message.c_str());
}

void ImmortalDealloc(Object* op) noexcept {
  ::ftb::FatalError(__FILE__, __LINE__, (std::string("dealloc of an immortal ") + TypeName(op)).c_str());
}
void PlainDealloc(Object* op) noexcept { FreeObject(op); }
void TupleDealloc(Object* op) noexcept;
void FunctionDealloc(Object* op) noexcept { FreeObject(op); }
void ClassDealloc(Object* op) noexcept;
void InstanceDealloc(Object* op) noexcept;

constexpr Object MakeStaticHeader(TypeObject* type) { return Object{Policy::ImmortalHeader(), type}; }
}  // namespace

void ListDeallocImpl(Object* op) noexcept;  // list.cc
void DictDeallocImpl(Object* op) noexcept;  // dict.cc

// ---- built-in type objects and singletons (immortal, constant-initialised) ----
#define FTB_STATIC_TYPE(var, pyname, kind, dealloc) \
  constinit TypeObject var{MakeStaticHeader(&g_type_type), pyname, kind, dealloc, nullptr}
FTB_STATIC_TYPE(g_type_type, "type", Kind::kType, ClassDealloc);
FTB_STATIC_TYPE(g_none_type, "NoneType", Kind::kNone, ImmortalDealloc);
FTB_STATIC_TYPE(g_bool_type, "bool", Kind::kBool, ImmortalDealloc);
FTB_STATIC_TYPE(g_int_type, "int", Kind::kInt, PlainDealloc);
FTB_STATIC_TYPE(g_float_type, "float", Kind::kFloat, PlainDealloc);
FTB_STATIC_TYPE(g_str_type, "str", Kind::kStr, PlainDealloc);
FTB_STATIC_TYPE(g_tuple_type, "tuple", Kind::kTuple, TupleDealloc);
FTB_STATIC_TYPE(g_list_type, "list", Kind::kList, ListDeallocImpl);
FTB_STATIC_TYPE(g_dict_type, "dict", Kind::kDict, DictDeallocImpl);
FTB_STATIC_TYPE(g_function_type, "function", Kind::kFunction, FunctionDealloc);
#undef FTB_STATIC_TYPE

constinit Object g_none = MakeStaticHeader(&g_none_type);
constinit BoolObject g_true{MakeStaticHeader(&g_bool_type), true};
constinit BoolObject g_false{MakeStaticHeader(&g_bool_type), false};

namespace {
constexpr std::size_t kSmallIntCount = kSmallIntMax - kSmallIntMin + 1;
constexpr std::array<IntObject, kSmallIntCount> MakeSmallInts() {
  std::array<IntObject, kSmallIntCount> ints{};
  for (std::size_t i = 0; i < kSmallIntCount; ++i)
    ints[i] = IntObject{MakeStaticHeader(&g_int_type), kSmallIntMin + static_cast<std::int64_t>(i)};
  return ints;
}
}  // namespace

constinit std::array<IntObject, kSmallIntCount> g_small_ints = MakeSmallInts();

const char* KindName(Kind kind) noexcept {
  static constexpr const char* kNames[] = {"None", "bool",     "int",  "float",    "str",    "tuple",
                                           "list", "dict", "function", "type", "instance", "code",
                                           "pyfunction", "module", "range", "iterator", "method"};
  static_assert(std::size(kNames) == kKindCount);
  return kNames[static_cast<int>(kind)];
}

const char* TypeName(const Object* op) noexcept { return op->type->name; }

// ---- the mechanisms' switches ----

namespace {
constinit Mechanisms g_mechanisms{};
std::once_flag g_mechanisms_from_environment;
// FTBENCH_MECHANISMS, applied once, before the first read or write (ftbench validates it at
// startup, so a bad value never reaches this noexcept path).
void ApplyEnvironment() noexcept {
  std::call_once(g_mechanisms_from_environment, [] {
    MechanismSwitches env = MechanismsFromEnvironment();
    g_mechanisms = Mechanisms{env.deferred_refcount, env.per_thread_type_refcount, env.immortal_constants,
                              env.immortalize_on_thread, env.borrowed_loads};
  });
}
}  // namespace
void SetMechanisms(const Mechanisms& mechanisms) noexcept {
  ApplyEnvironment();
  g_mechanisms = mechanisms;
}
const Mechanisms& CurrentMechanisms() noexcept {
  ApplyEnvironment();
  return g_mechanisms;
}
bool BorrowedLoads() noexcept {
  if constexpr (Policy::kHasOwnerThread) return CurrentMechanisms().borrowed_loads;
  return true;
}

// ---- allocation ----

namespace internal {
void OutOfMemory() noexcept { ::ftb::FatalError(__FILE__, __LINE__, "out of memory"); }
}  // namespace internal

void Dealloc(Object* op) noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "object freed without an attached thread state");
  internal::CountFree(ts, op->type->kind, ObjectBytes(op));
  op->type->dealloc(op);
}

std::size_t ObjectBytes(const Object* op) noexcept {
  switch (KindOf(op)) {
    case Kind::kNone: return sizeof(Object);
    case Kind::kBool: return sizeof(BoolObject);
    case Kind::kInt: return sizeof(IntObject);
    case Kind::kFloat: return sizeof(FloatObject);
    case Kind::kStr: return sizeof(StrObject) + static_cast<const StrObject*>(op)->length + 1;
    case Kind::kTuple: return sizeof(TupleObject) + static_cast<const TupleObject*>(op)->size * sizeof(Object*);
    case Kind::kList: return sizeof(ListObject);
    case Kind::kDict: return sizeof(DictObject);
    case Kind::kFunction: return sizeof(FunctionObject);
    case Kind::kType: return sizeof(TypeObject);
    case Kind::kInstance: return sizeof(InstanceObject);
    case Kind::kCode:
    case Kind::kPyFunction:
    case Kind::kModule:
    case Kind::kRange:
    case Kind::kIterator:
    case Kind::kMethod: return op->type->basicsize;
    case Kind::kCount: break;
  }
  ::ftb::FatalError(__FILE__, __LINE__, "ObjectBytes: object of an unknown kind");
}

void* AllocObjectMemory(std::size_t bytes) noexcept { return internal::AllocObjectMemory(bytes); }

void InitObjectHeader(Object* op, TypeObject* type) noexcept {
  FTB_CHECK(type->basicsize != 0, "InitObjectHeader: a type outside the runtime needs its basicsize");
  internal::InitObject(op, type, type->basicsize);
}

void FreeObject(Object* op) noexcept {
  if constexpr (Policy::kLockFreeReads) {
    if ((Policy::LoadGcBits(op->hdr) & kGcDeferredFree) != 0) {
      internal::QsbrRetire(tls_thread_state, op);
      return;
    }
  }
  internal_alloc::Free(op);
}

// ---- scalars ----

// Int and Float are inlined into the arithmetic in every variant (and called from other files).
namespace {
FTB_ALWAYS_INLINE Ref MakeInt(std::int64_t value) {
  if (value >= kSmallIntMin && value <= kSmallIntMax) return Ref::Steal(&g_small_ints[value - kSmallIntMin]);
  auto* op = internal::AllocObject<IntObject>(&g_int_type);
  op->value = value;
  return Ref::Steal(op);
}

FTB_ALWAYS_INLINE Ref MakeFloat(double value) {
  auto* op = internal::AllocObject<FloatObject>(&g_float_type);
  op->value = value;
  return Ref::Steal(op);
}
}  // namespace

Ref Int(std::int64_t value) { return MakeInt(value); }
Ref Float(double value) { return MakeFloat(value); }

std::int64_t AsInt(Object* op) {
  if (op->type == &g_int_type) return static_cast<IntObject*>(op)->value;
  if (op->type == &g_bool_type) return static_cast<BoolObject*>(op)->value ? 1 : 0;
  TypeError("an int is required, got", op);
}

double AsFloat(Object* op) {
  if (op->type == &g_float_type) return static_cast<FloatObject*>(op)->value;
  return static_cast<double>(AsInt(op));
}

bool IsTrue(Object* op) {
  switch (KindOf(op)) {
    case Kind::kNone: return false;
    case Kind::kBool: return static_cast<BoolObject*>(op)->value;
    case Kind::kInt: return static_cast<IntObject*>(op)->value != 0;
    case Kind::kFloat: return static_cast<FloatObject*>(op)->value != 0.0;
    case Kind::kStr: return static_cast<StrObject*>(op)->length != 0;
    case Kind::kTuple: return static_cast<TupleObject*>(op)->size != 0;
    case Kind::kList: return ListSize(op) != 0;
    case Kind::kDict: return DictSize(op) != 0;
    default: return true;
  }
}

// ---- arithmetic ----
namespace {
bool IsIntLike(const Object* op) { return op->type == &g_int_type || op->type == &g_bool_type; }
bool IsNumber(const Object* op) { return IsIntLike(op) || op->type == &g_float_type; }

std::int64_t CheckedInt(bool overflow, std::int64_t value, const char* op) {
  if (overflow) [[unlikely]]
    ::ftb::FatalError(__FILE__, __LINE__,
                         (std::string("int overflow in ") + op + " (ftbench ints are 64-bit)").c_str());
  return value;
}

template <class IntOp, class FloatOp>
Ref Arithmetic(Object* a, Object* b, const char* name, IntOp int_op, FloatOp float_op) {
  if (IsIntLike(a) && IsIntLike(b)) return MakeInt(int_op(AsInt(a), AsInt(b)));
  if (IsNumber(a) && IsNumber(b)) return MakeFloat(float_op(AsFloat(a), AsFloat(b)));
  TypeError((std::string("unsupported operand types for ") + name).c_str(), a, b);
}
}  // namespace

Ref Add(Object* a, Object* b) {
  if (a->type == &g_str_type && b->type == &g_str_type) return Concat(a, b);
  return Arithmetic(
      a, b, "+",
      [](std::int64_t x, std::int64_t y) {
        std::int64_t r;
        bool overflow = __builtin_add_overflow(x, y, &r);
        return CheckedInt(overflow, r, "+");
      },
      [](double x, double y) { return x + y; });
}

Ref Sub(Object* a, Object* b) {
  return Arithmetic(
      a, b, "-",
      [](std::int64_t x, std::int64_t y) {
        std::int64_t r;
        bool overflow = __builtin_sub_overflow(x, y, &r);
        return CheckedInt(overflow, r, "-");
      },
      [](double x, double y) { return x - y; });
}

Ref Mul(Object* a, Object* b) {
  if (a->type == &g_str_type && IsIntLike(b)) {
    std::string_view s = AsStr(a);
    std::string out;
    for (std::int64_t i = 0, n = AsInt(b); i < n; ++i) out += s;
    return Str(out);
  }
  return Arithmetic(
      a, b, "*",
      [](std::int64_t x, std::int64_t y) {
        std::int64_t r;
        bool overflow = __builtin_mul_overflow(x, y, &r);
        return CheckedInt(overflow, r, "*");
      },
      [](double x, double y) { return x * y; });
}

Ref FloorDiv(Object* a, Object* b) {
  return Arithmetic(
      a, b, "//",
      [](std::int64_t x, std::int64_t y) {
        FTB_CHECK(y != 0, "integer division by zero");
        std::int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;  // floor, as Python
        return q;
      },
      [](double x, double y) { return std::floor(x / y); });
}

Ref Mod(Object* a, Object* b) {
  return Arithmetic(
      a, b, "%",
      [](std::int64_t x, std::int64_t y) {
        FTB_CHECK(y != 0, "integer modulo by zero");
        std::int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;  // the sign of the divisor, as Python
        return r;
      },
      [](double x, double y) {
        double r = std::fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
      });
}

Ref TrueDiv(Object* a, Object* b) {
  if (!IsNumber(a) || !IsNumber(b)) TypeError("unsupported operand types for /", a, b);
  return MakeFloat(AsFloat(a) / AsFloat(b));
}

bool Eq(Object* a, Object* b) {
  if (a == b) return true;
  if (IsNumber(a) && IsNumber(b)) {
    if (IsIntLike(a) && IsIntLike(b)) return AsInt(a) == AsInt(b);
    return AsFloat(a) == AsFloat(b);
  }
  if (a->type != b->type) return false;
  if (a->type == &g_str_type) return AsStr(a) == AsStr(b);
  if (a->type == &g_tuple_type) {
    auto* ta = static_cast<TupleObject*>(a);
    auto* tb = static_cast<TupleObject*>(b);
    if (ta->size != tb->size) return false;
    for (std::size_t i = 0; i < ta->size; ++i)
      if (!Eq(ta->items()[i], tb->items()[i])) return false;
    return true;
  }
  return false;
}

int Compare(Object* a, Object* b) {
  if (IsNumber(a) && IsNumber(b)) {
    if (IsIntLike(a) && IsIntLike(b)) {
      std::int64_t x = AsInt(a), y = AsInt(b);
      return (x > y) - (x < y);
    }
    double x = AsFloat(a), y = AsFloat(b);
    return (x > y) - (x < y);
  }
  if (a->type == &g_str_type && b->type == &g_str_type) {
    int c = AsStr(a).compare(AsStr(b));
    return (c > 0) - (c < 0);
  }
  if (a->type == &g_tuple_type && b->type == &g_tuple_type) {
    auto* ta = static_cast<TupleObject*>(a);
    auto* tb = static_cast<TupleObject*>(b);
    for (std::size_t i = 0; i < ta->size && i < tb->size; ++i)
      if (int c = Compare(ta->items()[i], tb->items()[i]); c != 0) return c;
    return (ta->size > tb->size) - (ta->size < tb->size);
  }
  TypeError("'<' not supported between", a, b);
}

namespace {
std::uint64_t HashBytes(std::string_view s) {
  // FNV-1a, 64-bit: deterministic, so dict order and checksums match across runs and variants.
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

std::uint64_t Hash(Object* op) {
  switch (KindOf(op)) {
    case Kind::kNone: return 0xfca86420u;
    case Kind::kBool:
    case Kind::kInt: return static_cast<std::uint64_t>(AsInt(op));
    case Kind::kFloat: {
      double v = static_cast<FloatObject*>(op)->value;
      double integral;
      if (std::modf(v, &integral) == 0.0 && std::fabs(v) < 9.2e18)
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));  // hash(1.0) == hash(1)
      std::uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      return bits * 0x9e3779b97f4a7c15ull;
    }
    case Kind::kStr: return static_cast<StrObject*>(op)->hash;
    case Kind::kTuple: {
      // CPython's tuple hash (xxHash-style) over the items' hashes.
      auto* t = static_cast<TupleObject*>(op);
      std::uint64_t acc = 2870177450012600261ull;
      for (std::size_t i = 0; i < t->size; ++i) {
        acc += Hash(t->items()[i]) * 14029467366897019727ull;
        acc = (acc << 31) | (acc >> 33);
        acc *= 11400714785074694791ull;
      }
      return acc + (t->size ^ (2870177450012600261ull ^ 3527539ull));
    }
    default: TypeError("unhashable type", op);
  }
}

// ---- str ----
namespace {
FTB_ALWAYS_INLINE StrObject* AllocStr(std::size_t length) {
  auto* op = internal::AllocObject<StrObject>(&g_str_type, length + 1);
  op->length = length;
  op->data()[length] = '\0';
  return op;
}
Ref FinishStr(StrObject* op) {
  op->hash = HashBytes({op->data(), op->length});
  return Ref::Steal(op);
}
}  // namespace

Ref Str(std::string_view text) {
  StrObject* op = AllocStr(text.size());
  std::memcpy(op->data(), text.data(), text.size());
  return FinishStr(op);
}

Ref InternStr(std::string_view text) {
  // Interned strings are immortal and never freed; the table is process-wide per variant.
  static std::mutex mu;
  static std::unordered_map<std::string, StrObject*>* table = new std::unordered_map<std::string, StrObject*>();
  std::lock_guard lock(mu);
  auto it = table->find(std::string(text));
  if (it != table->end()) return Ref::Steal(it->second);
  auto* op = static_cast<StrObject*>(internal::AllocObjectMemory(sizeof(StrObject) + text.size() + 1));
  new (op) StrObject{};
  op->hdr = Policy::ImmortalHeader();
  op->type = &g_str_type;
  op->length = text.size();
  std::memcpy(op->data(), text.data(), text.size());
  op->data()[text.size()] = '\0';
  op->hash = HashBytes(text);
  table->emplace(std::string(text), op);
  return Ref::Steal(op);
}

std::string_view AsStr(Object* op) {
  if (op->type != &g_str_type) TypeError("a str is required, got", op);
  auto* s = static_cast<StrObject*>(op);
  return {s->data(), s->length};
}

Ref Concat(Object* a, Object* b) {
  std::string_view x = AsStr(a), y = AsStr(b);
  StrObject* op = AllocStr(x.size() + y.size());
  std::memcpy(op->data(), x.data(), x.size());
  std::memcpy(op->data() + x.size(), y.data(), y.size());
  return FinishStr(op);
}

namespace {
void AppendStr(std::string& out, Object* op);

void AppendSequence(std::string& out, Object* seq, char open, char close) {
  out += open;
  if (seq->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(seq);
    for (std::size_t i = 0; i < t->size; ++i) {
      if (i > 0) out += ", ";
      AppendStr(out, t->items()[i]);
    }
    if (t->size == 1) out += ',';
  } else {
    for (std::int64_t i = 0, n = static_cast<std::int64_t>(ListSize(seq)); i < n; ++i) {
      if (i > 0) out += ", ";
      if (Ref item = ListGet(seq, i)) AppendStr(out, item.get());
    }
  }
  out += close;
}

void AppendStr(std::string& out, Object* op) {
  char buf[64];
  switch (KindOf(op)) {
    case Kind::kNone: out += "None"; return;
    case Kind::kBool: out += static_cast<BoolObject*>(op)->value ? "True" : "False"; return;
    case Kind::kInt: {
      auto r = std::to_chars(buf, buf + sizeof buf, static_cast<IntObject*>(op)->value);
      out.append(buf, r.ptr);
      return;
    }
    case Kind::kFloat: {
      double v = static_cast<FloatObject*>(op)->value;
      auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip, as Python's repr
      std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
      out += text;
      if (std::isfinite(v) && text.find_first_of(".e") == std::string_view::npos) out += ".0";
      return;
    }
    case Kind::kStr: out += AsStr(op); return;
    case Kind::kTuple: AppendSequence(out, op, '(', ')'); return;
    case Kind::kList: AppendSequence(out, op, '[', ']'); return;
    default:
      out += '<';
      out += TypeName(op);
      out += " object>";
  }
}
}  // namespace

Ref ToStr(Object* op) {
  if (op->type == &g_str_type) return Ref::New(op);
  std::string out;
  AppendStr(out, op);
  return Str(out);
}

Ref Join(Object* sep, Object* items) {
  std::string_view separator = AsStr(sep);
  std::string out;
  if (items->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(items);
    for (std::size_t i = 0; i < t->size; ++i) {
      if (i > 0) out += separator;
      out += AsStr(t->items()[i]);
    }
  } else {
    for (std::int64_t i = 0, n = static_cast<std::int64_t>(ListSize(items)); i < n; ++i) {
      Ref item = ListGet(items, i);
      if (!item) break;
      if (i > 0) out += separator;
      out += AsStr(item.get());
    }
  }
  return Str(out);
}

Ref Format(std::string_view format, std::span<Object* const> args) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '{' && i + 1 < format.size() && format[i + 1] == '}') {
      FTB_CHECK(next < args.size(), "Format: more {} placeholders than arguments");
      AppendStr(out, args[next++]);
      ++i;
    } else {
      out += format[i];
    }
  }
  FTB_CHECK(next == args.size(), "Format: more arguments than {} placeholders");
  return Str(out);
}

// ---- tuple ----

Ref Tuple(std::span<Object* const> items) {
  auto* op = internal::AllocObject<TupleObject>(&g_tuple_type, items.size() * sizeof(Object*));
  op->size = items.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    Incref(items[i]);
    op->items()[i] = items[i];
  }
  return Ref::Steal(op);
}

std::size_t TupleSize(Object* tuple) {
  if (tuple->type != &g_tuple_type) TypeError("a tuple is required, got", tuple);
  return static_cast<TupleObject*>(tuple)->size;
}

Ref TupleGet(Object* tuple, std::size_t index) {
  if (index >= TupleSize(tuple)) return {};
  return Ref::New(static_cast<TupleObject*>(tuple)->items()[index]);
}

namespace {
void TupleDealloc(Object* op) noexcept {
  auto* t = static_cast<TupleObject*>(op);
  for (std::size_t i = 0; i < t->size; ++i) Decref(t->items()[i]);
  FreeObject(op);
}
}  // namespace

// ---- functions, classes, instances ----

Ref Function(const char* name, NativeFunction fn) {
  auto* op = internal::AllocObject<FunctionObject>(&g_function_type);
  op->name = name;
  op->fn = fn;
  return Ref::Steal(op);
}

Ref Call(Object* callable, std::span<Object* const> args) {
  if (callable->type == &g_function_type) return static_cast<FunctionObject*>(callable)->fn(args);
  if (callable->type == &g_type_type && static_cast<TypeObject*>(callable)->dict != nullptr)
    return NewInstance(callable, args);
  if (callable->type->call != nullptr) return callable->type->call(callable, args);
  TypeError("object is not callable", callable);
}

Ref Class(std::string_view name, std::initializer_list<std::pair<std::string_view, Object*>> attrs) {
  Ref dict = Dict();
  Ref name_str = Str(name);
  DictSet(dict.get(), InternStr("__name__").get(), name_str.get());
  for (const auto& [attr, value] : attrs) DictSet(dict.get(), InternStr(attr).get(), value);
  auto* cls = internal::AllocObject<TypeObject>(&g_type_type);
  cls->name = static_cast<StrObject*>(name_str.get())->data();  // kept alive by the dict
  cls->kind = Kind::kInstance;
  cls->dealloc = InstanceDealloc;
  cls->dict = static_cast<DictObject*>(dict.release());
  // CPython 3.14: a heap type gets a unique id (its instances count it per thread) and deferred
  // counting, and so do the functions defined at the top level of a class body (its methods).
  AssignTypeUniqueId(cls);
  SetDeferredRefcount(cls);
  for (const auto& [attr, value] : attrs)
    if (value->type == &g_function_type) SetDeferredRefcount(value);
  return Ref::Steal(cls);
}

Ref AllocInstance(Object* cls) {
  FTB_CHECK(cls->type == &g_type_type && static_cast<TypeObject*>(cls)->dict != nullptr,
            "AllocInstance needs a class made by Class()");
  Ref dict = Dict();
  auto* op = internal::AllocObject<InstanceObject>(static_cast<TypeObject*>(cls));
  op->dict = static_cast<DictObject*>(dict.release());
  return Ref::Steal(op);
}

Ref NewInstance(Object* cls, std::span<Object* const> args) {
  Ref self = AllocInstance(cls);
  static Object* const init_name = InternStr("__init__").release();
  // As the interpreter's stack holds it: no count written for a deferred __init__.
  if (ScopedStackRef init{DictGetStackRef(static_cast<TypeObject*>(cls)->dict, init_name)}; !init.is_null()) {
    std::vector<Object*> call_args;
    call_args.reserve(args.size() + 1);
    call_args.push_back(self.get());
    call_args.insert(call_args.end(), args.begin(), args.end());
    Call(init.get(), call_args);
  }
  return self;
}

Ref GetAttr(Object* obj, Object* name) {
  if (KindOf(obj) == Kind::kInstance) {
    if (Ref value = DictGet(static_cast<InstanceObject*>(obj)->dict, name)) return value;
    return DictGet(obj->type->dict, name);
  }
  if (obj->type == &g_type_type && static_cast<TypeObject*>(obj)->dict != nullptr)
    return DictGet(static_cast<TypeObject*>(obj)->dict, name);
  return {};
}

void SetAttr(Object* obj, Object* name, Object* value) {
  if (KindOf(obj) == Kind::kInstance) {
    DictSet(static_cast<InstanceObject*>(obj)->dict, name, value);
  } else if (obj->type == &g_type_type && static_cast<TypeObject*>(obj)->dict != nullptr) {
    DictSet(static_cast<TypeObject*>(obj)->dict, name, value);
  } else {
    TypeError("cannot set attributes of", obj);
  }
}

Ref CallMethod(Object* obj, Object* name, std::span<Object* const> args) {
  FTB_CHECK(obj->type->dict != nullptr, "CallMethod needs an instance of a class made by Class()");
  // LOAD_ATTR with the method flag: a stack reference to the function, through the type (tagged,
  // no count written, when the method is deferred).
  ScopedStackRef method{DictGetStackRef(obj->type->dict, name)};
  if (method.is_null())
    ::ftb::FatalError(__FILE__, __LINE__, (std::string("no method named ") + std::string(AsStr(name))).c_str());
  constexpr std::size_t kInline = 8;
  if (args.size() < kInline) {
    Object* call_args[kInline];
    call_args[0] = obj;
    std::copy(args.begin(), args.end(), call_args + 1);
    return Call(method.get(), std::span<Object* const>(call_args, args.size() + 1));
  }
  std::vector<Object*> call_args{obj};
  call_args.insert(call_args.end(), args.begin(), args.end());
  return Call(method.get(), call_args);
}

namespace {
void ClassDealloc(Object* op) noexcept {
  auto* cls = static_cast<TypeObject*>(op);
  FTB_CHECK(cls->dict != nullptr, "dealloc of a static type");
  ReleaseTypeUniqueId(cls);
  Decref(cls->dict);
  FreeObject(op);
}

void InstanceDealloc(Object* op) noexcept {
  TypeObject* cls = op->type;
  Decref(static_cast<InstanceObject*>(op)->dict);
  FreeObject(op);
  internal::DecrefType(tls_thread_state, cls);  // the instance's reference to its class
}
}  // namespace

FTB_NAMESPACE_END
