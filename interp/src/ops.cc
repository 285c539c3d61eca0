// ops.cc: the operators with Python's semantics (arithmetic, comparison, containment,
// subscripts, slices, truth, repr and str) on the runtime's objects.
//
// Ints are 64-bit: a result outside int64 raises OverflowError ("int too large for ftbench's
// 64-bit ints"), ftbench's one documented deviation from Python. Strs are byte strings: indexes,
// slices and len() count bytes (the same as Python for ASCII text).
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "object_support.h"

FTB_NAMESPACE_BEGIN
namespace interp {

using BOp = bc::BinaryOp;
using bc::CompareOp;

Ref RaiseIntOverflow() { return Raise(ExcType::kOverflowError, kIntOverflowMessage); }

namespace {

constexpr const char* kOpSymbols[] = {"+", "&", "//", "<<", "*", "%", "|", "**", ">>", "-", "/", "^"};
constexpr const char* kCompareSymbols[] = {"<", "<=", "==", "!=", ">", ">="};

Ref UnsupportedOperands(BOp op, bool inplace, Object* a, Object* b) {
  std::string symbol = kOpSymbols[static_cast<int>(op)];
  if (inplace) symbol += '=';
  return Raise(ExcType::kTypeError, "unsupported operand type(s) for " + symbol + ": '" + TypeNameOf(a) + "' and '" +
                                        TypeNameOf(b) + "'");
}

// ---- ints ----

Ref IntPow(std::int64_t base, std::int64_t exp) {
  if (exp < 0) {
    if (base == 0) return Raise(ExcType::kZeroDivisionError, "0.0 cannot be raised to a negative power");
    return Float(std::pow(static_cast<double>(base), static_cast<double>(exp)));
  }
  std::int64_t result = 1;
  while (exp > 0) {
    if ((exp & 1) != 0 && __builtin_mul_overflow(result, base, &result)) return RaiseIntOverflow();
    exp >>= 1;
    if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return RaiseIntOverflow();
  }
  return Int(result);
}

Ref IntBinary(BOp op, Object* a, Object* b) {
  const std::int64_t x = IntOf(a), y = IntOf(b);
  std::int64_t r = 0;
  switch (op) {
    case BOp::kAdd:
      if (__builtin_add_overflow(x, y, &r)) return RaiseIntOverflow();
      return Int(r);
    case BOp::kSubtract:
      if (__builtin_sub_overflow(x, y, &r)) return RaiseIntOverflow();
      return Int(r);
    case BOp::kMultiply:
      if (__builtin_mul_overflow(x, y, &r)) return RaiseIntOverflow();
      return Int(r);
    case BOp::kFloorDivide: {
      if (y == 0) return Raise(ExcType::kZeroDivisionError, "integer division or modulo by zero");
      if (y == -1) {
        if (__builtin_sub_overflow(std::int64_t{0}, x, &r)) return RaiseIntOverflow();
        return Int(r);
      }
      std::int64_t q = x / y;
      if ((x % y != 0) && ((x < 0) != (y < 0))) --q;  // floor, as Python
      return Int(q);
    }
    case BOp::kRemainder: {
      if (y == 0) return Raise(ExcType::kZeroDivisionError, "integer modulo by zero");
      if (y == -1) return Int(0);
      std::int64_t m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) m += y;  // the sign of the divisor, as Python
      return Int(m);
    }
    case BOp::kTrueDivide:
      if (y == 0) return Raise(ExcType::kZeroDivisionError, "division by zero");
      return Float(static_cast<double>(x) / static_cast<double>(y));
    case BOp::kPower: return IntPow(x, y);
    case BOp::kAnd:
    case BOp::kOr:
    case BOp::kXor: {
      std::int64_t v = op == BOp::kAnd ? (x & y) : op == BOp::kOr ? (x | y) : (x ^ y);
      if (a->type == &g_bool_type && b->type == &g_bool_type) return Bool(v != 0);
      return Int(v);
    }
    case BOp::kLshift: {
      if (y < 0) return Raise(ExcType::kValueError, "negative shift count");
      if (x == 0) return Int(0);
      if (y >= 63) return RaiseIntOverflow();
      std::int64_t v = static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << y);
      if ((v >> y) != x) return RaiseIntOverflow();
      return Int(v);
    }
    case BOp::kRshift:
      if (y < 0) return Raise(ExcType::kValueError, "negative shift count");
      if (y >= 64) return Int(x < 0 ? -1 : 0);
      return Int(x >> y);
    default: break;
  }
  return {};
}

// ---- floats (CPython's Objects/floatobject.c) ----

Ref FloatBinary(BOp op, bool inplace, Object* a, Object* b) {
  const double x = FloatOf(a), y = FloatOf(b);
  switch (op) {
    case BOp::kAdd: return Float(x + y);
    case BOp::kSubtract: return Float(x - y);
    case BOp::kMultiply: return Float(x * y);
    case BOp::kTrueDivide:
      if (y == 0.0) return Raise(ExcType::kZeroDivisionError, "float division by zero");
      return Float(x / y);
    case BOp::kRemainder: {
      if (y == 0.0) return Raise(ExcType::kZeroDivisionError, "float modulo");
      double mod = std::fmod(x, y);
      if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) mod += y;
      } else {
        mod = std::copysign(0.0, y);
      }
      return Float(mod);
    }
    case BOp::kFloorDivide: {
      if (y == 0.0) return Raise(ExcType::kZeroDivisionError, "float floor division by zero");
      double mod = std::fmod(x, y);
      double div = (x - mod) / y;
      if (mod != 0.0 && ((y < 0) != (mod < 0))) div -= 1.0;
      double floordiv;
      if (div != 0.0) {
        floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
      } else {
        floordiv = std::copysign(0.0, x / y);
      }
      return Float(floordiv);
    }
    case BOp::kPower: {
      if (y == 0.0) return Float(1.0);
      if (std::isnan(x)) return Float(x);
      if (std::isnan(y)) return Float(x == 1.0 ? 1.0 : y);
      if (x == 0.0 && y < 0.0) return Raise(ExcType::kZeroDivisionError, "0.0 cannot be raised to a negative power");
      if (x < 0.0 && std::isfinite(y) && std::floor(y) != y)
        // Python returns a complex number here; ftbench has none.
        return Raise(ExcType::kValueError, "negative number cannot be raised to a fractional power");
      double r = std::pow(x, y);
      if (std::isinf(r) && std::isfinite(x) && std::isfinite(y))
        return Raise(ExcType::kOverflowError, "(34, 'Numerical result out of range')");
      return Float(r);
    }
    default: break;
  }
  return UnsupportedOperands(op, inplace, a, b);
}

// ---- sequences ----

Ref StrRepeat(Object* s, std::int64_t n) {
  std::string_view text = StrView(s);
  if (n <= 0 || text.empty()) return Str("");
  if (static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 34) / text.size())
    return Raise(ExcType::kOverflowError, "repeated string is too long");
  std::string out;
  out.reserve(text.size() * static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) out += text;
  return Str(out);
}

Ref TupleRepeat(Object* t, std::int64_t n) {
  auto* tuple = static_cast<TupleObject*>(t);
  if (n <= 0 || tuple->size == 0) return Tuple(std::span<Object* const>());
  if (static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 30) / tuple->size)
    return Raise(ExcType::kOverflowError, "repeated tuple is too long");
  std::vector<Object*> raw;
  raw.reserve(tuple->size * static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) raw.insert(raw.end(), tuple->items(), tuple->items() + tuple->size);
  return Tuple(raw);
}

Ref TupleConcat(Object* a, Object* b) {
  auto* x = static_cast<TupleObject*>(a);
  auto* y = static_cast<TupleObject*>(b);
  std::vector<Object*> raw(x->items(), x->items() + x->size);
  raw.insert(raw.end(), y->items(), y->items() + y->size);
  return Tuple(raw);
}

Ref ListRepeat(Object* list, std::int64_t n) {
  Ref snapshot = ListCopy(list);
  Ref out = List();
  std::size_t size = ListSize(snapshot.get());
  if (n > 0 && size > 0 && static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 30) / size)
    return Raise(ExcType::kOverflowError, "repeated list is too long");
  for (std::int64_t i = 0; i < n; ++i) ListExtend(out.get(), snapshot.get());
  return out;
}

// list += iterable, in place.
int ListExtendIterable(Object* list, Object* iterable) {
  if (iterable->type == &g_list_type) {
    ListExtend(list, iterable);  // locks both; `l += l` included
    return 0;
  }
  Ref it = GetIter(iterable);
  if (!it) return -1;
  while (Ref item = IterNext(it.get())) ListAppend(list, item.get());
  return ErrorPending() ? -1 : 0;
}

Ref ListInplaceRepeat(Object* list, std::int64_t n) {
  if (n <= 0) {
    CriticalSection cs(list);
    while (ListSize(list) > 0) (void)ListPop(list, -1);
  } else {
    Ref snapshot = ListCopy(list);
    std::size_t size = ListSize(snapshot.get());
    if (size > 0 && static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 30) / size)
      return Raise(ExcType::kOverflowError, "repeated list is too long");
    for (std::int64_t i = 1; i < n; ++i) ListExtend(list, snapshot.get());
  }
  return Ref::New(list);
}

bool IsSequence(const Object* op) {
  return op->type == &g_str_type || op->type == &g_list_type || op->type == &g_tuple_type;
}

Ref SequenceRepeat(Object* seq, Object* count, bool inplace) {
  if (!IsIntLike(count))
    return Raise(ExcType::kTypeError, "can't multiply sequence by non-int of type '" + TypeNameOf(count) + "'");
  std::int64_t n = IntOf(count);
  if (seq->type == &g_str_type) return StrRepeat(seq, n);
  if (seq->type == &g_tuple_type) return TupleRepeat(seq, n);
  return inplace ? ListInplaceRepeat(seq, n) : ListRepeat(seq, n);
}

// ---- comparison ----

// int vs float, exactly (as CPython's float_richcompare): -1, 0, 1; `d` is not NaN.
int CompareIntDouble(std::int64_t i, double d) {
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<std::int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

// Numbers: -1, 0, 1, or 2 when unordered (NaN).
int CompareNumbers(Object* a, Object* b) {
  bool fa = a->type == &g_float_type, fb = b->type == &g_float_type;
  if (!fa && !fb) {
    std::int64_t x = IntOf(a), y = IntOf(b);
    return (x > y) - (x < y);
  }
  if (fa && fb) {
    double x = FloatOf(a), y = FloatOf(b);
    if (std::isnan(x) || std::isnan(y)) return 2;
    return (x > y) - (x < y);
  }
  if (fa) {
    double d = FloatOf(a);
    if (std::isnan(d)) return 2;
    return -CompareIntDouble(IntOf(b), d);
  }
  double d = FloatOf(b);
  if (std::isnan(d)) return 2;
  return CompareIntDouble(IntOf(a), d);
}

bool ApplyCompare(CompareOp op, int c) {  // c: -1, 0, 1, or 2 (unordered)
  if (c == 2) return op == CompareOp::kNe;
  switch (op) {
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

thread_local int t_compare_depth = 0;
struct DepthGuard {
  bool ok;
  DepthGuard() : ok(++t_compare_depth <= kMaxDepth) {
    if (!ok) Raise(ExcType::kRecursionError, "maximum recursion depth exceeded in comparison");
  }
  ~DepthGuard() { --t_compare_depth; }
};

// The item of a list or tuple (a new reference), or empty past the end.
Ref SeqItem(Object* seq, std::size_t i) {
  if (seq->type == &g_tuple_type) return TupleGet(seq, i);
  return ListGet(seq, static_cast<std::int64_t>(i));
}
std::size_t SeqSize(Object* seq) { return seq->type == &g_tuple_type ? TupleSize(seq) : ListSize(seq); }

int EqualItems(Object* a, Object* b) {
  if (a == b) return 1;  // identity implies equality in containers (CPython's PyObject_RichCompare use)
  return EqualObjects(a, b);
}

int OrderSequences(CompareOp op, Object* a, Object* b);

int Order(CompareOp op, Object* a, Object* b) {
  if (IsNumber(a) && IsNumber(b)) return ApplyCompare(op, CompareNumbers(a, b)) ? 1 : 0;
  if (a->type == &g_str_type && b->type == &g_str_type) {
    int c = StrView(a).compare(StrView(b));
    return ApplyCompare(op, (c > 0) - (c < 0)) ? 1 : 0;
  }
  if ((a->type == &g_tuple_type && b->type == &g_tuple_type) || (a->type == &g_list_type && b->type == &g_list_type))
    return OrderSequences(op, a, b);
  Raise(ExcType::kTypeError, std::string("'") + kCompareSymbols[static_cast<int>(op)] +
                                 "' not supported between instances of '" + TypeNameOf(a) + "' and '" +
                                 TypeNameOf(b) + "'");
  return -1;
}

int OrderSequences(CompareOp op, Object* a, Object* b) {
  DepthGuard guard;
  if (!guard.ok) return -1;
  for (std::size_t i = 0;; ++i) {
    Ref x = SeqItem(a, i), y = SeqItem(b, i);
    if (!x || !y) {
      std::size_t na = x ? i + 1 : i, nb = y ? i + 1 : i;  // which one ended
      int c = (na > nb) - (na < nb);
      return ApplyCompare(op, c) ? 1 : 0;
    }
    int eq = EqualItems(x.get(), y.get());
    if (eq < 0) return -1;
    if (eq == 0) return Order(op, x.get(), y.get());
  }
}

int EqualDicts(Object* a, Object* b) {
  if (DictSize(a) != DictSize(b)) return 0;
  std::size_t pos = 0;
  Ref key, value;
  while (DictNext(a, pos, key, value)) {
    Ref other = DictGet(b, key.get());
    if (!other) return 0;
    int eq = EqualItems(value.get(), other.get());
    if (eq <= 0) return eq;
  }
  return 1;
}

}  // namespace

int EqualObjects(Object* a, Object* b) {
  if (IsNumber(a) && IsNumber(b)) return CompareNumbers(a, b) == 0 ? 1 : 0;
  if (a == b) return 1;
  if (a->type != b->type) return 0;
  if (a->type == &g_str_type) return StrView(a) == StrView(b) ? 1 : 0;
  if (a->type == &g_tuple_type || a->type == &g_list_type) {
    DepthGuard guard;
    if (!guard.ok) return -1;
    if (SeqSize(a) != SeqSize(b)) return 0;
    for (std::size_t i = 0;; ++i) {
      Ref x = SeqItem(a, i), y = SeqItem(b, i);
      if (!x || !y) return !x && !y ? 1 : 0;
      int eq = EqualItems(x.get(), y.get());
      if (eq <= 0) return eq;
    }
  }
  if (a->type == &g_dict_type) {
    DepthGuard guard;
    if (!guard.ok) return -1;
    return EqualDicts(a, b);
  }
  if (a->type == &g_range_type) {
    auto* x = static_cast<RangeObject*>(a);
    auto* y = static_cast<RangeObject*>(b);
    std::int64_t n = RangeLength(x->start, x->stop, x->step);
    if (n != RangeLength(y->start, y->stop, y->step)) return 0;
    if (n == 0) return 1;
    if (x->start != y->start) return 0;
    return n == 1 || x->step == y->step ? 1 : 0;
  }
  return 0;  // everything else (instances, functions, classes) by identity
}

int LessThan(Object* a, Object* b) { return Order(CompareOp::kLt, a, b); }

Ref RichCompare(CompareOp op, Object* a, Object* b) {
  if (IsNumber(a) && IsNumber(b)) return Bool(ApplyCompare(op, CompareNumbers(a, b)));
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    int eq = EqualObjects(a, b);
    if (eq < 0) return {};
    return Bool((eq == 1) == (op == CompareOp::kEq));
  }
  int r = Order(op, a, b);
  if (r < 0) return {};
  return Bool(r == 1);
}

// ---- arithmetic ----

Ref BinaryOp(bc::BinaryOp op_in, Object* a, Object* b) {
  const bool inplace = static_cast<int>(op_in) >= bc::kInplace;
  const BOp op = inplace ? static_cast<BOp>(static_cast<int>(op_in) - bc::kInplace) : op_in;
  if (IsIntLike(a) && IsIntLike(b)) return IntBinary(op, a, b);
  if (IsNumber(a) && IsNumber(b)) return FloatBinary(op, inplace, a, b);
  switch (op) {
    case BOp::kAdd:
      if (a->type == &g_str_type) {
        if (b->type != &g_str_type)
          return Raise(ExcType::kTypeError, "can only concatenate str (not \"" + TypeNameOf(b) + "\") to str");
        return Concat(a, b);
      }
      if (a->type == &g_list_type) {
        if (inplace) {
          if (ListExtendIterable(a, b) < 0) return {};
          return Ref::New(a);
        }
        if (b->type != &g_list_type)
          return Raise(ExcType::kTypeError, "can only concatenate list (not \"" + TypeNameOf(b) + "\") to list");
        Ref out = ListCopy(a);
        ListExtend(out.get(), b);
        return out;
      }
      if (a->type == &g_tuple_type) {
        if (b->type != &g_tuple_type)
          return Raise(ExcType::kTypeError, "can only concatenate tuple (not \"" + TypeNameOf(b) + "\") to tuple");
        return TupleConcat(a, b);
      }
      break;
    case BOp::kMultiply:
      if (IsSequence(a)) return SequenceRepeat(a, b, inplace);
      if (IsSequence(b) && IsIntLike(a)) return SequenceRepeat(b, a, false);
      if (IsSequence(b) && a->type == &g_float_type)
        return Raise(ExcType::kTypeError, "can't multiply sequence by non-int of type 'float'");
      break;
    default: break;
  }
  return UnsupportedOperands(op, inplace, a, b);
}

Ref UnaryNegative(Object* v) {
  if (IsIntLike(v)) {
    std::int64_t r;
    if (__builtin_sub_overflow(std::int64_t{0}, IntOf(v), &r)) return RaiseIntOverflow();
    return Int(r);
  }
  if (v->type == &g_float_type) return Float(-FloatOf(v));
  return Raise(ExcType::kTypeError, "bad operand type for unary -: '" + TypeNameOf(v) + "'");
}

Ref UnaryInvert(Object* v) {
  if (IsIntLike(v)) return Int(~IntOf(v));
  return Raise(ExcType::kTypeError, "bad operand type for unary ~: '" + TypeNameOf(v) + "'");
}

int IsTrueObject(Object* v) {
  switch (KindOf(v)) {
    case Kind::kNone:
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
    case Kind::kStr:
    case Kind::kTuple:
    case Kind::kList:
    case Kind::kDict: return IsTrue(v) ? 1 : 0;
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(v);
      return RangeLength(r->start, r->stop, r->step) != 0 ? 1 : 0;
    }
    default:
      if (IsDictView(v)) return LengthOf(v) != 0 ? 1 : 0;
      return 1;
  }
}

std::int64_t LengthOf(Object* v) {
  switch (KindOf(v)) {
    case Kind::kStr: return static_cast<std::int64_t>(static_cast<StrObject*>(v)->length);
    case Kind::kTuple: return static_cast<std::int64_t>(TupleSize(v));
    case Kind::kList: return static_cast<std::int64_t>(ListSize(v));
    case Kind::kDict: return static_cast<std::int64_t>(DictSize(v));
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(v);
      return RangeLength(r->start, r->stop, r->step);
    }
    default:
      if (IsDictView(v)) {
        DictViewKind kind;
        return static_cast<std::int64_t>(DictSize(DictViewDict(v, &kind)));
      }
      Raise(ExcType::kTypeError, "object of type '" + TypeNameOf(v) + "' has no len()");
      return -1;
  }
}

// ---- containment ----

int CheckHashable(Object* key) {
  switch (KindOf(key)) {
    case Kind::kNone:
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
    case Kind::kStr: return 0;
    case Kind::kTuple: {
      auto* t = static_cast<TupleObject*>(key);
      for (std::size_t i = 0; i < t->size; ++i)
        if (CheckHashable(t->items()[i]) < 0) return -1;
      return 0;
    }
    default:
      // The runtime's dict hashes values only: instances, functions and classes cannot be keys
      // (a deviation: Python hashes them by identity).
      Raise(ExcType::kTypeError, "unhashable type: '" + TypeNameOf(key) + "'");
      return -1;
  }
}

namespace {
int SequenceContains(Object* seq, Object* item) {
  for (std::size_t i = 0;; ++i) {
    Ref x = SeqItem(seq, i);
    if (!x) return 0;
    int eq = EqualItems(x.get(), item);
    if (eq != 0) return eq;
  }
}

int RangeContains(RangeObject* r, Object* item) {
  std::int64_t v;
  if (IsIntLike(item)) {
    v = IntOf(item);
  } else if (item->type == &g_float_type) {
    double d = FloatOf(item);
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) >= 9.2e18) return 0;
    v = static_cast<std::int64_t>(d);
  } else {
    return 0;
  }
  if (r->step > 0 ? (v < r->start || v >= r->stop) : (v > r->start || v <= r->stop)) return 0;
  __int128 offset = static_cast<__int128>(v) - r->start;
  return offset % r->step == 0 ? 1 : 0;
}

int DictItemsContain(Object* dict, Object* item) {
  if (item->type != &g_tuple_type || TupleSize(item) != 2) return 0;
  Object* key = static_cast<TupleObject*>(item)->items()[0];
  if (CheckHashable(key) < 0) return -1;
  Ref value = DictGet(dict, key);
  if (!value) return 0;
  return EqualItems(value.get(), static_cast<TupleObject*>(item)->items()[1]);
}
}  // namespace

int Contains(Object* container, Object* item) {
  switch (KindOf(container)) {
    case Kind::kList:
    case Kind::kTuple: return SequenceContains(container, item);
    case Kind::kDict:
      if (CheckHashable(item) < 0) return -1;
      return DictGet(container, item) ? 1 : 0;
    case Kind::kStr:
      if (item->type != &g_str_type) {
        Raise(ExcType::kTypeError, "'in <string>' requires string as left operand, not " + TypeNameOf(item));
        return -1;
      }
      return StrView(container).find(StrView(item)) != std::string_view::npos ? 1 : 0;
    case Kind::kRange: return RangeContains(static_cast<RangeObject*>(container), item);
    default: break;
  }
  if (IsDictView(container)) {
    DictViewKind kind;
    Object* dict = DictViewDict(container, &kind);
    if (kind == DictViewKind::kKeys) return Contains(dict, item);
    if (kind == DictViewKind::kItems) return DictItemsContain(dict, item);
  }
  if (KindOf(container) == Kind::kIterator || IsDictView(container)) {
    // An iterator (or dict.values()): consume it until the item is found, as Python does.
    Ref it = GetIter(container);
    if (!it) return -1;
    while (Ref x = IterNext(it.get())) {
      int eq = EqualItems(x.get(), item);
      if (eq != 0) return eq;
    }
    return ErrorPending() ? -1 : 0;
  }
  Raise(ExcType::kTypeError, "argument of type '" + TypeNameOf(container) + "' is not iterable");
  return -1;
}

// ---- subscripts ----

namespace {
bool NormalizeIndex(std::int64_t& index, std::int64_t size) {
  if (index < 0) index += size;
  return index >= 0 && index < size;
}

Ref IndexTypeError(Object* container, Object* key) {
  const std::string name = TypeNameOf(container);
  if (container->type == &g_str_type)
    return Raise(ExcType::kTypeError, "string indices must be integers, not '" + TypeNameOf(key) + "'");
  return Raise(ExcType::kTypeError, name + " indices must be integers or slices, not " + TypeNameOf(key));
}
}  // namespace

Ref GetItem(Object* container, Object* key) {
  switch (KindOf(container)) {
    case Kind::kList: {
      if (!IsIntLike(key)) return IndexTypeError(container, key);
      Ref item = ListGet(container, IntOf(key));
      if (!item) return Raise(ExcType::kIndexError, "list index out of range");
      return item;
    }
    case Kind::kTuple: {
      if (!IsIntLike(key)) return IndexTypeError(container, key);
      std::int64_t i = IntOf(key);
      if (!NormalizeIndex(i, static_cast<std::int64_t>(TupleSize(container))))
        return Raise(ExcType::kIndexError, "tuple index out of range");
      return TupleGet(container, static_cast<std::size_t>(i));
    }
    case Kind::kStr: {
      if (!IsIntLike(key)) return IndexTypeError(container, key);
      std::int64_t i = IntOf(key);
      std::string_view s = StrView(container);
      if (!NormalizeIndex(i, static_cast<std::int64_t>(s.size())))
        return Raise(ExcType::kIndexError, "string index out of range");
      return Str(s.substr(static_cast<std::size_t>(i), 1));
    }
    case Kind::kDict: {
      if (CheckHashable(key) < 0) return {};
      Ref value = DictGet(container, key);
      if (!value) return RaiseKeyError(key);
      return value;
    }
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(container);
      if (!IsIntLike(key))
        return Raise(ExcType::kTypeError, "range indices must be integers or slices, not " + TypeNameOf(key));
      std::int64_t i = IntOf(key);
      if (!NormalizeIndex(i, RangeLength(r->start, r->stop, r->step)))
        return Raise(ExcType::kIndexError, "range object index out of range");
      return Int(r->start + i * r->step);
    }
    default: break;
  }
  return Raise(ExcType::kTypeError, QuotedTypeName(container) + " object is not subscriptable");
}

int SetItem(Object* container, Object* key, Object* value) {
  if (container->type == &g_list_type) {
    if (!IsIntLike(key)) return IndexTypeError(container, key), -1;
    if (!ListSet(container, IntOf(key), value)) return Raise(ExcType::kIndexError, "list assignment index out of range"), -1;
    return 0;
  }
  if (container->type == &g_dict_type) {
    if (CheckHashable(key) < 0) return -1;
    DictSet(container, key, value);
    return 0;
  }
  Raise(ExcType::kTypeError, QuotedTypeName(container) + " object does not support item assignment");
  return -1;
}

int DelItem(Object* container, Object* key) {
  if (container->type == &g_list_type) {
    if (!IsIntLike(key)) return IndexTypeError(container, key), -1;
    if (!ListPop(container, IntOf(key))) return Raise(ExcType::kIndexError, "list assignment index out of range"), -1;
    return 0;
  }
  if (container->type == &g_dict_type) {
    if (CheckHashable(key) < 0) return -1;
    if (!DictDel(container, key)) return RaiseKeyError(key), -1;
    return 0;
  }
  Raise(ExcType::kTypeError, QuotedTypeName(container) + " object doesn't support item deletion");
  return -1;
}

namespace {
// Python's slice bounds for a sequence of `length` (step 1).
bool SliceBounds(Object* start, Object* stop, std::int64_t length, std::int64_t& lo, std::int64_t& hi) {
  auto bound = [length](Object* v, std::int64_t fallback, std::int64_t& out) {
    if (v == nullptr || v == &g_none) {
      out = fallback;
      return true;
    }
    if (!IsIntLike(v)) return false;
    std::int64_t x = IntOf(v);
    if (x < 0) {
      x += length;
      if (x < 0) x = 0;
    } else if (x > length) {
      x = length;
    }
    out = x;
    return true;
  };
  if (!bound(start, 0, lo) || !bound(stop, length, hi)) {
    Raise(ExcType::kTypeError, "slice indices must be integers or None or have an __index__ method");
    return false;
  }
  if (hi < lo) hi = lo;
  return true;
}
}  // namespace

Ref GetSlice(Object* container, Object* start, Object* stop) {
  std::int64_t lo = 0, hi = 0;
  switch (KindOf(container)) {
    case Kind::kStr: {
      std::string_view s = StrView(container);
      if (!SliceBounds(start, stop, static_cast<std::int64_t>(s.size()), lo, hi)) return {};
      return Str(s.substr(static_cast<std::size_t>(lo), static_cast<std::size_t>(hi - lo)));
    }
    case Kind::kTuple: {
      auto* t = static_cast<TupleObject*>(container);
      if (!SliceBounds(start, stop, static_cast<std::int64_t>(t->size), lo, hi)) return {};
      if (lo == 0 && hi == static_cast<std::int64_t>(t->size)) return Ref::New(container);
      return Tuple(std::span<Object* const>(t->items() + lo, static_cast<std::size_t>(hi - lo)));
    }
    case Kind::kList: {
      Ref out = List();
      CriticalSection cs(container);  // a consistent snapshot (the runtime's sections nest)
      if (!SliceBounds(start, stop, static_cast<std::int64_t>(ListSize(container)), lo, hi)) return {};
      for (std::int64_t i = lo; i < hi; ++i)
        if (Ref item = ListGet(container, i)) ListAppendNew(out.get(), item.get());
      return out;
    }
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(container);
      if (!SliceBounds(start, stop, RangeLength(r->start, r->stop, r->step), lo, hi)) return {};
      return NewRange(r->start + lo * r->step, r->start + hi * r->step, r->step);
    }
    default: break;
  }
  return Raise(ExcType::kTypeError, QuotedTypeName(container) + " object is not subscriptable");
}

// ---- repr and str ----

std::string FloatRepr(double v) {
  // CPython's float_repr: the shortest digits that round-trip ('r' mode), printed positionally
  // when the decimal point falls within [-4, 16) and in exponent form otherwise.
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  std::size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e))
    if (c != '.') digits += c;
  int exponent = std::stoi(std::string(text.substr(e + 1)));
  int decpt = exponent + 1;  // value = 0.DIGITS * 10^decpt
  const int ndigits = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (ndigits > 1) {
      out += '.';
      out += digits.substr(1);
    }
    int x = decpt - 1;
    out += x < 0 ? "e-" : "e+";
    std::string xs = std::to_string(x < 0 ? -x : x);
    if (xs.size() < 2) out += '0';
    out += xs;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out += digits.substr(0, static_cast<std::size_t>(decpt));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(decpt));
  }
  return out;
}

namespace {

void AppendStrRepr(std::string& out, std::string_view s) {
  char quote = '\'';
  if (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) quote = '"';
  out += quote;
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through, as Python prints printable text
        }
    }
  }
  out += quote;
}

// Containers being printed by this thread (CPython's Py_ReprEnter): a list that contains itself
// prints as [...].
thread_local std::vector<Object*> t_repr_stack;
struct ReprEnter {
  bool recursive = false;
  explicit ReprEnter(Object* op) {
    for (Object* o : t_repr_stack)
      if (o == op) recursive = true;
    if (!recursive) t_repr_stack.push_back(op);
  }
  ~ReprEnter() {
    if (!recursive) t_repr_stack.pop_back();
  }
};

Object* InternedName(const char* name) { return InternStr(name).release(); }

// Calls a user class's __repr__ / __str__; 1 done, 0 none defined, -1 raised.
int CallUserFormat(std::string& out, Object* v, Object* name) {
  if (KindOf(v) != Kind::kInstance) return 0;
  Ref method = LookupInClass(v->type, name);
  if (!method) return 0;
  Object* self = v;
  Ref result = Call(method.get(), std::span<Object* const>(&self, 1));
  if (!result || ErrorPending()) return -1;
  if (result->type != &g_str_type) {
    Raise(ExcType::kTypeError, std::string(StrView(name)) + " returned non-string (type " + TypeNameOf(result.get()) + ")");
    return -1;
  }
  out += StrView(result.get());
  return 1;
}

std::string Address(const Object* v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, reinterpret_cast<std::uintptr_t>(v), 16);
  return "0x" + std::string(buf, r.ptr);
}

}  // namespace

bool AppendRepr(std::string& out, Object* v) {
  char buf[32];
  switch (KindOf(v)) {
    case Kind::kNone: out += "None"; return true;
    case Kind::kBool: out += static_cast<BoolObject*>(v)->value ? "True" : "False"; return true;
    case Kind::kInt: {
      auto r = std::to_chars(buf, buf + sizeof buf, static_cast<IntObject*>(v)->value);
      out.append(buf, r.ptr);
      return true;
    }
    case Kind::kFloat: out += FloatRepr(static_cast<FloatObject*>(v)->value); return true;
    case Kind::kStr: AppendStrRepr(out, StrView(v)); return true;
    case Kind::kTuple:
    case Kind::kList: {
      const bool list = v->type == &g_list_type;
      ReprEnter enter(v);
      if (enter.recursive) {
        out += list ? "[...]" : "(...)";
        return true;
      }
      out += list ? '[' : '(';
      std::size_t i = 0;
      for (;; ++i) {
        Ref item = SeqItem(v, i);
        if (!item) break;
        if (i > 0) out += ", ";
        if (!AppendRepr(out, item.get())) return false;
      }
      if (!list && i == 1) out += ',';
      out += list ? ']' : ')';
      return true;
    }
    case Kind::kDict: {
      ReprEnter enter(v);
      if (enter.recursive) {
        out += "{...}";
        return true;
      }
      out += '{';
      std::size_t pos = 0;
      Ref key, value;
      bool first = true;
      while (DictNext(v, pos, key, value)) {
        if (!first) out += ", ";
        first = false;
        if (!AppendRepr(out, key.get())) return false;
        out += ": ";
        if (!AppendRepr(out, value.get())) return false;
      }
      out += '}';
      return true;
    }
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(v);
      out += "range(" + std::to_string(r->start) + ", " + std::to_string(r->stop);
      if (r->step != 1) out += ", " + std::to_string(r->step);
      out += ')';
      return true;
    }
    case Kind::kFunction: out += std::string("<built-in function ") + static_cast<FunctionObject*>(v)->name + ">"; return true;
    case Kind::kModule: out += std::string("<module '") + static_cast<ModuleObject*>(v)->name + "' (built-in)>"; return true;
    case Kind::kType: out += std::string("<class '") + static_cast<TypeObject*>(v)->name + "'>"; return true;
    case Kind::kInstance: {
      static Object* const repr_name = InternedName("__repr__");
      int done = CallUserFormat(out, v, repr_name);
      if (done != 0) return done > 0;
      if (IsExceptionInstance(v)) {
        out += TypeName(v);
        Ref args = ExceptionArgs(v);
        if (args && TupleSize(args.get()) == 1) {
          out += '(';
          if (!AppendRepr(out, static_cast<TupleObject*>(args.get())->items()[0])) return false;
          out += ')';
        } else if (args) {
          if (!AppendRepr(out, args.get())) return false;
        } else {
          out += "()";
        }
        return true;
      }
      out += std::string("<") + TypeName(v) + " object at " + Address(v) + ">";
      return true;
    }
    default: break;
  }
  if (IsDictView(v)) {
    DictViewKind kind;
    Object* dict = DictViewDict(v, &kind);
    out += TypeName(v);
    out += '(';
    Ref items = ListFromIterable(v);
    if (!items) return false;
    (void)dict;
    if (!AppendRepr(out, items.get())) return false;
    out += ')';
    return true;
  }
  out += std::string("<") + TypeName(v) + " object at " + Address(v) + ">";
  return true;
}

Ref Repr(Object* v) {
  std::string out;
  if (!AppendRepr(out, v)) return {};
  return Str(out);
}

Ref StrOf(Object* v) {
  if (v->type == &g_str_type) return Ref::New(v);
  if (v->type == &g_float_type) return Str(FloatRepr(FloatOf(v)));
  if (KindOf(v) == Kind::kInstance) {
    static Object* const str_name = InternedName("__str__");
    std::string out;
    int done = CallUserFormat(out, v, str_name);
    if (done < 0) return {};
    if (done > 0) return Str(out);
    if (IsExceptionInstance(v)) return Str(ExceptionMessage(v));
  }
  return Repr(v);
}

}  // namespace interp
FTB_NAMESPACE_END
