// builtins.cc: the builtins dict (built-in functions, the built-in types, the exception classes),
// calling a built-in type, the methods of list, dict and str, bound methods, and InitInterpreter.
//
// Every built-in function and method is a native FunctionObject made once per process and
// immortal, so loading one on any thread writes nothing. Methods take the object first.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "object_support.h"

FTB_NAMESPACE_BEGIN
namespace interp {

using Args = std::span<Object* const>;

// ---- bound methods ----

namespace {
void MethodDealloc(Object* op) noexcept {
  auto* m = static_cast<MethodObject*>(op);
  Decref(m->function);
  Decref(m->self);
  FreeObject(op);
}

Ref MethodCall(Object* callable, Args args) {
  auto* m = static_cast<MethodObject*>(callable);
  constexpr std::size_t kInline = 8;
  if (args.size() < kInline) {
    Object* call_args[kInline];
    call_args[0] = m->self;
    std::copy(args.begin(), args.end(), call_args + 1);
    return Call(m->function, Args(call_args, args.size() + 1));
  }
  std::vector<Object*> call_args{m->self};
  call_args.insert(call_args.end(), args.begin(), args.end());
  return Call(m->function, call_args);
}
}  // namespace

constinit TypeObject g_method_type{StaticHeader(&g_type_type), "method", Kind::kMethod, MethodDealloc, nullptr,
                                   MethodCall, sizeof(MethodObject)};

Ref NewMethod(Object* function, Object* self) {
  auto* m = NewObject<MethodObject>(&g_method_type);
  Incref(function);
  Incref(self);
  m->function = function;
  m->self = self;
  return Ref::Steal(m);
}

namespace {

// ---- conversions ----

std::string_view StripSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

Ref IntFromStr(Object* str, int base) {
  std::string_view s = StripSpace(StrView(str));
  bool negative = false;
  std::string digits;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  bool ok = i < s.size();
  bool last_underscore = true;  // no leading underscore
  for (; ok && i < s.size(); ++i) {
    if (s[i] == '_') {
      if (last_underscore) ok = false;
      last_underscore = true;
      continue;
    }
    digits += s[i];
    last_underscore = false;
  }
  if (last_underscore) ok = false;
  std::int64_t value = 0;
  if (ok) {
    std::uint64_t magnitude = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (r.ec == std::errc::result_out_of_range) return RaiseIntOverflow();
    ok = r.ec == std::errc() && r.ptr == digits.data() + digits.size();
    if (ok) {
      if (magnitude > (negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1)) return RaiseIntOverflow();
      value = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    }
  }
  if (!ok) {
    std::string message = "invalid literal for int() with base " + std::to_string(base) + ": ";
    AppendRepr(message, str);
    return Raise(ExcType::kValueError, std::move(message));
  }
  return Int(value);
}

Ref IntFromFloat(double d) {
  if (std::isnan(d)) return Raise(ExcType::kValueError, "cannot convert float NaN to integer");
  if (std::isinf(d)) return Raise(ExcType::kOverflowError, "cannot convert float infinity to integer");
  double t = std::trunc(d);
  if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) return RaiseIntOverflow();
  return Int(static_cast<std::int64_t>(t));
}

Ref FloatFromStr(Object* str) {
  std::string_view s = StripSpace(StrView(str));
  std::string lower;
  for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  std::string_view body = lower;
  double sign = 1.0;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    sign = body.front() == '-' ? -1.0 : 1.0;
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") return Float(sign * HUGE_VAL);
  if (body == "nan") return Float(std::copysign(std::nan(""), sign));
  std::string cleaned;  // underscores between digits are allowed, as in Python
  bool ok = !body.empty() && body.front() != '_' && body.back() != '_' && body.front() != '+' && body.front() != '-';
  for (std::size_t i = 0; ok && i < body.size(); ++i) {
    if (body[i] == '_') {
      ok = i > 0 && std::isdigit(static_cast<unsigned char>(body[i - 1])) &&
           i + 1 < body.size() && std::isdigit(static_cast<unsigned char>(body[i + 1]));
      continue;
    }
    cleaned += body[i];
  }
  double value = 0;
  if (ok) {
    auto r = std::from_chars(cleaned.data(), cleaned.data() + cleaned.size(), value);
    ok = (r.ec == std::errc() || r.ec == std::errc::result_out_of_range) && r.ptr == cleaned.data() + cleaned.size();
    if (r.ec == std::errc::result_out_of_range) value = std::strtod(cleaned.c_str(), nullptr);  // inf or 0, as Python
  }
  if (!ok) {
    std::string message = "could not convert string to float: ";
    AppendRepr(message, str);
    return Raise(ExcType::kValueError, std::move(message));
  }
  return Float(sign * value);
}

Ref ToInt(Args args) {
  if (!CheckArgs("int", args.size(), 0, 2)) return {};
  if (args.empty()) return Int(0);
  Object* v = args[0];
  if (args.size() == 2) {
    if (v->type != &g_str_type) return Raise(ExcType::kTypeError, "int() can't convert non-string with explicit base");
    if (!IsIntLike(args[1])) return Raise(ExcType::kTypeError, QuotedTypeName(args[1]) + " object cannot be interpreted as an integer");
    std::int64_t base = IntOf(args[1]);
    if (base < 2 || base > 36) return Raise(ExcType::kValueError, "int() base must be >= 2 and <= 36, or 0");
    return IntFromStr(v, static_cast<int>(base));
  }
  if (v->type == &g_int_type) return Ref::New(v);
  if (v->type == &g_bool_type) return Int(IntOf(v));
  if (v->type == &g_float_type) return IntFromFloat(FloatOf(v));
  if (v->type == &g_str_type) return IntFromStr(v, 10);
  return Raise(ExcType::kTypeError,
               "int() argument must be a string, a bytes-like object or a real number, not '" + TypeNameOf(v) + "'");
}

Ref ToFloat(Args args) {
  if (!CheckArgsExpected("float", args.size(), 0, 1)) return {};
  if (args.empty()) return Float(0.0);
  Object* v = args[0];
  if (v->type == &g_float_type) return Ref::New(v);
  if (IsIntLike(v)) return Float(static_cast<double>(IntOf(v)));
  if (v->type == &g_str_type) return FloatFromStr(v);
  return Raise(ExcType::kTypeError, "float() argument must be a string or a real number, not '" + TypeNameOf(v) + "'");
}

Ref ToDict(Args args) {
  if (!CheckArgsExpected("dict", args.size(), 0, 1)) return {};
  Ref out = Dict();
  if (args.empty()) return out;
  Object* v = args[0];
  if (v->type == &g_dict_type) {
    DictUpdate(out.get(), v);
    return out;
  }
  Ref it = GetIter(v);
  if (!it) return {};
  std::size_t index = 0;
  while (Ref item = IterNext(it.get())) {
    StackRef pair[2];
    if (item->type != &g_tuple_type && item->type != &g_list_type)
      return Raise(ExcType::kTypeError, "cannot convert dictionary update sequence element #" + std::to_string(index) +
                                            " to a sequence");
    if (UnpackSequence(item.get(), 2, pair) < 0) {
      (void)FetchError();
      return Raise(ExcType::kValueError, "dictionary update sequence element #" + std::to_string(index) +
                                             " has length " + std::to_string(LengthOf(item.get())) + "; 2 is required");
    }
    Ref key = pair[0].ToRef(), value = pair[1].ToRef();
    if (CheckHashable(key.get()) < 0) return {};
    DictSetNew(out.get(), key.get(), value.get());
    ++index;
  }
  if (ErrorPending()) return {};
  return out;
}

Ref ToRange(Args args) {
  if (args.empty()) return Raise(ExcType::kTypeError, "range expected at least 1 argument, got 0");
  if (args.size() > 3) return Raise(ExcType::kTypeError, "range expected at most 3 arguments, got " + std::to_string(args.size()));
  std::int64_t v[3] = {0, 0, 1};
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!IsIntLike(args[i]))
      return Raise(ExcType::kTypeError, QuotedTypeName(args[i]) + " object cannot be interpreted as an integer");
    v[i] = IntOf(args[i]);
  }
  if (args.size() == 1) {
    v[1] = v[0];
    v[0] = 0;
  }
  if (v[2] == 0) return Raise(ExcType::kValueError, "range() arg 3 must not be zero");
  // Its length must be an int too (CPython raises OverflowError only for len() of such a range).
  __int128 lo = v[0], hi = v[1], step = v[2];
  __int128 length = step > 0 ? (lo < hi ? 1 + (hi - 1 - lo) / step : 0) : (lo > hi ? 1 + (lo - 1 - hi) / -step : 0);
  if (length > INT64_MAX) return RaiseIntOverflow();
  return NewRange(v[0], v[1], v[2]);
}

// ---- built-in functions ----

Ref BuiltinLen(Args args) {
  if (!CheckArgs("len", args.size(), 1, 1)) return {};
  std::int64_t n = LengthOf(args[0]);
  if (n < 0) return {};
  return Int(n);
}

Ref MinMax(Args args, bool max) {
  const char* name = max ? "max" : "min";
  if (args.empty()) return Raise(ExcType::kTypeError, std::string(name) + " expected at least 1 argument, got 0");
  Ref best;
  auto consider = [&](Object* item) -> bool {
    if (!best) {
      best = Ref::New(item);
      return true;
    }
    int better = max ? LessThan(best.get(), item) : LessThan(item, best.get());  // the first extreme wins
    if (better < 0) return false;
    if (better == 1) best = Ref::New(item);
    return true;
  };
  if (args.size() == 1) {
    Ref it = GetIter(args[0]);
    if (!it) return {};
    while (Ref item = IterNext(it.get()))
      if (!consider(item.get())) return {};
    if (ErrorPending()) return {};
    if (!best) return Raise(ExcType::kValueError, std::string(name) + "() arg is an empty sequence");
    return best;
  }
  for (Object* item : args)
    if (!consider(item)) return {};
  return best;
}
Ref BuiltinMin(Args args) { return MinMax(args, false); }
Ref BuiltinMax(Args args) { return MinMax(args, true); }

Ref BuiltinSum(Args args) {
  if (args.empty()) return Raise(ExcType::kTypeError, "sum() takes at least 1 positional argument (0 given)");
  if (!CheckArgs("sum", args.size(), 1, 2)) return {};
  Ref total = args.size() == 2 ? Ref::New(args[1]) : Int(0);
  if (total->type == &g_str_type) return Raise(ExcType::kTypeError, "sum() can't sum strings [use ''.join(seq) instead]");
  Ref it = GetIter(args[0]);
  if (!it) return {};
  while (Ref item = IterNext(it.get())) {
    total = BinaryOp(bc::BinaryOp::kAdd, total.get(), item.get());
    if (!total) return {};
  }
  if (ErrorPending()) return {};
  return total;
}

Ref BuiltinAbs(Args args) {
  if (!CheckArgs("abs", args.size(), 1, 1)) return {};
  Object* v = args[0];
  if (IsIntLike(v)) {
    std::int64_t x = IntOf(v);
    if (x == INT64_MIN) return RaiseIntOverflow();
    return Int(x < 0 ? -x : x);
  }
  if (v->type == &g_float_type) return Float(std::fabs(FloatOf(v)));
  return Raise(ExcType::kTypeError, "bad operand type for abs(): '" + TypeNameOf(v) + "'");
}

// isinstance's test for one class: the static types by identity (bool is an int), classes by
// their base chain.
bool InstanceOf(Object* obj, Object* cls) {
  if (cls == &g_int_type) return obj->type == &g_int_type || obj->type == &g_bool_type;
  return IsSubclass(obj->type, static_cast<TypeObject*>(cls));
}

Ref BuiltinIsinstance(Args args) {
  if (!CheckArgsExpected("isinstance", args.size(), 2, 2)) return {};
  Object* cls = args[1];
  if (cls->type == &g_type_type) return Bool(InstanceOf(args[0], cls));
  if (cls->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(cls);
    for (std::size_t i = 0; i < t->size; ++i) {
      if (t->items()[i]->type != &g_type_type) break;
      if (InstanceOf(args[0], t->items()[i])) return Bool(true);
      if (i + 1 == t->size) return Bool(false);
    }
    if (t->size == 0) return Bool(false);
  }
  return Raise(ExcType::kTypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union");
}

Ref BuiltinEnumerate(Args args) {
  if (args.empty()) return Raise(ExcType::kTypeError, "enumerate() missing required argument 'iterable'");
  if (args.size() > 2) return Raise(ExcType::kTypeError, "enumerate() takes at most 2 arguments (" + std::to_string(args.size()) + " given)");
  std::int64_t start = 0;
  if (args.size() == 2) {
    if (!IsIntLike(args[1]))
      return Raise(ExcType::kTypeError, QuotedTypeName(args[1]) + " object cannot be interpreted as an integer");
    start = IntOf(args[1]);
  }
  return NewEnumerate(args[0], start);
}

Ref BuiltinZip(Args args) { return NewZip(args); }

// The items of `iterable` sorted (stable, by `<` only, as list.sort), borrowed from `holder`, a
// new list that keeps them alive. False with the exception pending when a comparison failed; after
// an error every comparison says "not less", which keeps the sort well defined until it returns.
bool SortedItems(Object* iterable, Ref& holder, std::vector<Object*>& items) {
  holder = ListFromIterable(iterable);
  if (!holder) return false;
  std::size_t n = ListSize(holder.get());
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) items.push_back(ListGet(holder.get(), static_cast<std::int64_t>(i)).get());
  bool failed = false;
  std::stable_sort(items.begin(), items.end(), [&failed](Object* a, Object* b) {
    if (failed) return false;
    int lt = LessThan(a, b);
    if (lt < 0) failed = true;
    return lt == 1;
  });
  return !failed;
}

Ref BuiltinSorted(Args args) {
  if (!CheckArgsExpected("sorted", args.size(), 1, 1)) return {};
  Ref holder;
  std::vector<Object*> items;
  if (!SortedItems(args[0], holder, items)) return {};
  Ref out = List();
  for (Object* item : items) ListAppendNew(out.get(), item);
  return out;
}

// list.sort(): the sorted items written back in place under one critical section, as CPython sorts
// (stable; a comparison error leaves the list as it was, where CPython may leave it partly sorted).
Ref ListSortMethod(Args args) {
  if (!CheckArgsExpected("sort", args.size() - 1, 0, 0)) return {};
  Ref holder;
  std::vector<Object*> items;
  if (!SortedItems(args[0], holder, items)) return {};
  ListSetItems(args[0], items);
  return None();
}

Ref BuiltinPrint(Args args) {
  std::string line;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) line += ' ';
    Ref s = StrOf(args[i]);
    if (!s) return {};
    line += StrView(s.get());
  }
  line += '\n';
  {
    AllowThreads allow;  // a write may block: let other threads run, as CPython does
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return None();
}

// ---- methods of list ----

Ref ListAppendMethod(Args args) {
  if (!CheckArgs("list.append", args.size() - 1, 1, 1)) return {};
  ListAppend(args[0], args[1]);
  return None();
}

Ref ListPopMethod(Args args) {
  if (!CheckArgsExpected("pop", args.size() - 1, 0, 1)) return {};
  std::int64_t index = -1;
  if (args.size() == 2) {
    if (!IsIntLike(args[1]))
      return Raise(ExcType::kTypeError, QuotedTypeName(args[1]) + " object cannot be interpreted as an integer");
    index = IntOf(args[1]);
  }
  Ref item = ListPop(args[0], index);
  if (!item) {
    if (ListSize(args[0]) == 0) return Raise(ExcType::kIndexError, "pop from empty list");
    return Raise(ExcType::kIndexError, "pop index out of range");
  }
  return item;
}

Ref ListExtendMethod(Args args) {
  if (!CheckArgs("list.extend", args.size() - 1, 1, 1)) return {};
  if (args[1]->type == &g_list_type) {
    ListExtend(args[0], args[1]);
    return None();
  }
  Ref items = ListFromIterable(args[1]);  // first, so that l.extend(l-like iterator) terminates
  if (!items) return {};
  ListExtend(args[0], items.get());
  return None();
}

Ref ListInsertMethod(Args args) {
  if (!CheckArgsExpected("insert", args.size() - 1, 2, 2)) return {};
  if (!IsIntLike(args[1]))
    return Raise(ExcType::kTypeError, QuotedTypeName(args[1]) + " object cannot be interpreted as an integer");
  ListInsert(args[0], IntOf(args[1]), args[2]);  // one critical section, as CPython's ins1
  return None();
}

Ref ListIndexMethod(Args args) {
  if (!CheckArgsExpected("index", args.size() - 1, 1, 1)) return {};
  for (std::int64_t i = 0;; ++i) {
    Ref item = ListGet(args[0], i);
    if (!item) break;
    int eq = item.get() == args[1] ? 1 : EqualObjects(item.get(), args[1]);
    if (eq < 0) return {};
    if (eq == 1) return Int(i);
  }
  std::string message;
  if (!AppendRepr(message, args[1])) return {};
  return Raise(ExcType::kValueError, message + " is not in list");
}

// ---- methods of dict ----

Ref DictGetMethod(Args args) {
  if (args.size() < 2) return Raise(ExcType::kTypeError, "get expected at least 1 argument, got 0");
  if (args.size() > 3) return Raise(ExcType::kTypeError, "get expected at most 2 arguments, got " + std::to_string(args.size() - 1));
  if (CheckHashable(args[1]) < 0) return {};
  if (Ref value = DictGet(args[0], args[1])) return value;
  return args.size() == 3 ? Ref::New(args[2]) : None();
}

Ref DictSetdefaultMethod(Args args) {
  if (args.size() < 2) return Raise(ExcType::kTypeError, "setdefault expected at least 1 argument, got 0");
  if (args.size() > 3) return Raise(ExcType::kTypeError, "setdefault expected at most 2 arguments, got " + std::to_string(args.size() - 1));
  if (CheckHashable(args[1]) < 0) return {};
  CriticalSection cs(args[0]);  // get-or-insert is one step, as in CPython
  if (Ref value = DictGet(args[0], args[1])) return value;
  Object* value = args.size() == 3 ? args[2] : &g_none;
  DictSet(args[0], args[1], value);
  return Ref::New(value);
}

Ref DictPopMethod(Args args) {
  if (args.size() < 2) return Raise(ExcType::kTypeError, "pop expected at least 1 argument, got 0");
  if (args.size() > 3) return Raise(ExcType::kTypeError, "pop expected at most 2 arguments, got " + std::to_string(args.size() - 1));
  if (CheckHashable(args[1]) < 0) return {};
  CriticalSection cs(args[0]);
  if (Ref value = DictGet(args[0], args[1])) {
    DictDel(args[0], args[1]);
    return value;
  }
  if (args.size() == 3) return Ref::New(args[2]);
  return RaiseKeyError(args[1]);
}

Ref DictKeysMethod(Args args) {
  if (!CheckArgs("dict.keys", args.size() - 1, 0, 0)) return {};
  return NewDictView(args[0], DictViewKind::kKeys);
}
Ref DictValuesMethod(Args args) {
  if (!CheckArgs("dict.values", args.size() - 1, 0, 0)) return {};
  return NewDictView(args[0], DictViewKind::kValues);
}
Ref DictItemsMethod(Args args) {
  if (!CheckArgs("dict.items", args.size() - 1, 0, 0)) return {};
  return NewDictView(args[0], DictViewKind::kItems);
}

// ---- methods of str ----

Ref StrJoinMethod(Args args) {
  if (!CheckArgs("str.join", args.size() - 1, 1, 1)) return {};
  std::string_view sep = StrView(args[0]);
  Ref items = ListFromIterable(args[1]);
  if (!items) return {};
  std::string out;
  for (std::size_t i = 0, n = ListSize(items.get()); i < n; ++i) {
    Ref item = ListGet(items.get(), static_cast<std::int64_t>(i));
    if (item->type != &g_str_type)
      return Raise(ExcType::kTypeError, "sequence item " + std::to_string(i) + ": expected str instance, " +
                                            TypeNameOf(item.get()) + " found");
    if (i > 0) out += sep;
    out += StrView(item.get());
  }
  return Str(out);
}

Ref StrSplitMethod(Args args) {
  if (!CheckArgs("split", args.size() - 1, 0, 2)) return {};
  std::string_view s = StrView(args[0]);
  std::int64_t maxsplit = -1;
  if (args.size() == 3) {
    if (!IsIntLike(args[2]))
      return Raise(ExcType::kTypeError, QuotedTypeName(args[2]) + " object cannot be interpreted as an integer");
    maxsplit = IntOf(args[2]);
  }
  Ref out = List();
  auto append = [&out](std::string_view part) {
    Ref piece = Str(part);
    ListAppendNew(out.get(), piece.get());
  };
  if (args.size() == 1 || args[1] == &g_none) {
    // Runs of whitespace separate; leading and trailing whitespace yields no empty strings.
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    std::size_t i = 0;
    std::int64_t splits = 0;
    while (true) {
      while (i < s.size() && space(s[i])) ++i;
      if (i >= s.size()) break;
      if (maxsplit >= 0 && splits >= maxsplit) {
        std::string_view rest = s.substr(i);
        while (!rest.empty() && space(rest.back())) rest.remove_suffix(1);
        append(rest);
        break;
      }
      std::size_t j = i;
      while (j < s.size() && !space(s[j])) ++j;
      append(s.substr(i, j - i));
      ++splits;
      i = j;
    }
    return out;
  }
  if (args[1]->type != &g_str_type)
    return Raise(ExcType::kTypeError, "must be str or None, not " + TypeNameOf(args[1]));
  std::string_view sep = StrView(args[1]);
  if (sep.empty()) return Raise(ExcType::kValueError, "empty separator");
  std::size_t start = 0;
  std::int64_t splits = 0;
  while (maxsplit < 0 || splits < maxsplit) {
    std::size_t at = s.find(sep, start);
    if (at == std::string_view::npos) break;
    append(s.substr(start, at - start));
    start = at + sep.size();
    ++splits;
  }
  append(s.substr(start));
  return out;
}

Ref AffixMethod(Args args, bool prefix) {
  const char* name = prefix ? "startswith" : "endswith";
  if (!CheckArgs(name, args.size() - 1, 1, 3)) return {};
  std::string_view s = StrView(args[0]);
  if (args.size() > 2) {  // s.startswith(prefix, start[, end]): tested against s[start:end]
    Ref sliced = GetSlice(args[0], args[2], args.size() > 3 ? args[3] : &g_none);
    if (!sliced) return {};
    std::vector<Object*> rest{sliced.get(), args[1]};
    return AffixMethod(rest, prefix);
  }
  auto test = [&](Object* affix) -> int {
    if (affix->type != &g_str_type) return -1;
    std::string_view a = StrView(affix);
    return (prefix ? s.starts_with(a) : s.ends_with(a)) ? 1 : 0;
  };
  Object* arg = args[1];
  if (arg->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(arg);
    for (std::size_t i = 0; i < t->size; ++i) {
      int r = test(t->items()[i]);
      if (r < 0)
        return Raise(ExcType::kTypeError, "tuple for " + std::string(name) + " must only contain str, not " +
                                              TypeNameOf(t->items()[i]));
      if (r == 1) return Bool(true);
    }
    return Bool(false);
  }
  int r = test(arg);
  if (r < 0)
    return Raise(ExcType::kTypeError, std::string(name) + " first arg must be str or a tuple of str, not " + TypeNameOf(arg));
  return Bool(r == 1);
}
Ref StrStartswithMethod(Args args) { return AffixMethod(args, true); }
Ref StrEndswithMethod(Args args) { return AffixMethod(args, false); }

Ref StrUpperMethod(Args args) {
  if (!CheckArgs("str.upper", args.size() - 1, 0, 0)) return {};
  std::string out(StrView(args[0]));
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return Str(out);
}

// str.encode() and str.decode(): the identity (ftbench has no bytes type; see modules.cc).
Ref StrIdentityMethod(Args args) {
  if (!CheckArgs("str.encode", args.size() - 1, 0, 1)) return {};
  return Ref::New(args[0]);
}

// ---- the tables ----

constinit Object* g_builtins = nullptr;
constinit Object* g_list_methods = nullptr;
constinit Object* g_dict_methods = nullptr;
constinit Object* g_str_methods = nullptr;

Object* ImmortalDict() {
  Object* d = Dict().release();
  MakeImmortal(d);
  return d;
}

void AddFunction(Object* dict, const char* name, NativeFunction fn) {
  DictSet(dict, InternStr(name).get(), ImmortalFunction(name, fn));
}

// A method of a built-in type: checks that it was called with an object of that type first.
template <Ref (*Method)(Args), TypeObject* Type>
Ref CheckedMethod(Args args) {
  if (args.empty() || args[0]->type != Type)
    return Raise(ExcType::kTypeError, std::string("descriptor needs a '") + Type->name + "' object");
  return Method(args);
}
#define FTB_ADD_METHOD(table, type, name, fn) AddFunction(table, name, CheckedMethod<fn, type>)

Ref CallStaticType(Object* type, Args args) {
  if (IsClass(type)) return CallClass(type, args);
  return CallBuiltinType(type, args);
}

std::once_flag g_init_once;

}  // namespace

void InitBuiltinObjects() {
  Object* b = ImmortalDict();
  AddFunction(b, "len", BuiltinLen);
  AddFunction(b, "min", BuiltinMin);
  AddFunction(b, "max", BuiltinMax);
  AddFunction(b, "sum", BuiltinSum);
  AddFunction(b, "abs", BuiltinAbs);
  AddFunction(b, "isinstance", BuiltinIsinstance);
  AddFunction(b, "enumerate", BuiltinEnumerate);
  AddFunction(b, "zip", BuiltinZip);
  AddFunction(b, "sorted", BuiltinSorted);
  AddFunction(b, "print", BuiltinPrint);
  const std::pair<const char*, TypeObject*> types[] = {
      {"int", &g_int_type},   {"float", &g_float_type}, {"str", &g_str_type},     {"bool", &g_bool_type},
      {"list", &g_list_type}, {"dict", &g_dict_type},   {"tuple", &g_tuple_type}, {"range", &g_range_type},
  };
  for (const auto& [name, type] : types) DictSet(b, InternStr(name).get(), type);
  for (int i = 0; i < static_cast<int>(ExcType::kCount); ++i) {
    auto* cls = static_cast<TypeObject*>(ExceptionClass(static_cast<ExcType>(i)));
    DictSet(b, InternStr(cls->name).get(), cls);
  }
  // The runtime's Call() reaches a static type object (int, str, ...) through its type's call
  // slot: calling `int` from anywhere is CallBuiltinType.
  if (g_type_type.call == nullptr) g_type_type.call = CallStaticType;

  g_list_methods = ImmortalDict();
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "append", ListAppendMethod);
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "pop", ListPopMethod);
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "extend", ListExtendMethod);
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "insert", ListInsertMethod);
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "index", ListIndexMethod);
  FTB_ADD_METHOD(g_list_methods, &g_list_type, "sort", ListSortMethod);

  g_dict_methods = ImmortalDict();
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "get", DictGetMethod);
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "setdefault", DictSetdefaultMethod);
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "pop", DictPopMethod);
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "keys", DictKeysMethod);
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "values", DictValuesMethod);
  FTB_ADD_METHOD(g_dict_methods, &g_dict_type, "items", DictItemsMethod);

  g_str_methods = ImmortalDict();
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "join", StrJoinMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "split", StrSplitMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "startswith", StrStartswithMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "endswith", StrEndswithMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "upper", StrUpperMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "encode", StrIdentityMethod);
  FTB_ADD_METHOD(g_str_methods, &g_str_type, "decode", StrIdentityMethod);
  g_builtins = b;  // last: BuiltinsDict() and LookupBuiltinMethod() test it
}

void InitInterpreter() {
  std::call_once(g_init_once, [] {
    InitExceptionClasses();
    InitBuiltinObjects();
    InitModules();
  });
}

Object* BuiltinsDict() noexcept {
  if (g_builtins == nullptr) [[unlikely]]
    InitInterpreter();
  return g_builtins;
}

Ref LookupBuiltinMethod(Object* obj, Object* name) {
  if (name->type != &g_str_type) return {};
  if (g_builtins == nullptr) [[unlikely]]
    InitInterpreter();
  Object* table = obj->type == &g_list_type   ? g_list_methods
                  : obj->type == &g_dict_type ? g_dict_methods
                  : obj->type == &g_str_type  ? g_str_methods
                                              : nullptr;
  if (table == nullptr) return {};
  return DictGet(table, name);
}

Ref CallClass(Object* cls, Args args) {
  static Object* const init_name = InternStr("__init__").release();
  Ref self = AllocInstance(cls);
  if (IsExceptionClass(cls)) {
    // BaseException.__new__ keeps the call's arguments in `args`, whatever __init__ then does.
    static Object* const args_name = InternStr("args").release();
    Ref tuple = Tuple(args);
    SetAttr(self.get(), args_name, tuple.get());
  }
  Ref init = LookupInClass(static_cast<TypeObject*>(cls), init_name);
  if (!init) {
    if (!args.empty())
      return Raise(ExcType::kTypeError, std::string(static_cast<TypeObject*>(cls)->name) + "() takes no arguments");
    return self;
  }
  std::vector<Object*> call_args{self.get()};
  call_args.insert(call_args.end(), args.begin(), args.end());
  Ref result = Call(init.get(), call_args);
  if (!result || ErrorPending()) return {};
  if (result.get() != &g_none)
    return Raise(ExcType::kTypeError, "__init__() should return None, not '" + TypeNameOf(result.get()) + "'");
  return self;
}

Ref CallBuiltinType(Object* type, Args args) {
  if (type == &g_int_type) return ToInt(args);
  if (type == &g_float_type) return ToFloat(args);
  if (type == &g_str_type) {
    if (!CheckArgs("str", args.size(), 0, 1)) return {};
    return args.empty() ? Str("") : StrOf(args[0]);
  }
  if (type == &g_bool_type) {
    if (!CheckArgsExpected("bool", args.size(), 0, 1)) return {};
    if (args.empty()) return Bool(false);
    int t = IsTrueObject(args[0]);
    if (t < 0) return {};
    return Bool(t == 1);
  }
  if (type == &g_list_type) {
    if (!CheckArgsExpected("list", args.size(), 0, 1)) return {};
    return args.empty() ? List() : ListFromIterable(args[0]);
  }
  if (type == &g_tuple_type) {
    if (!CheckArgsExpected("tuple", args.size(), 0, 1)) return {};
    if (args.empty()) return Tuple(Args());
    if (args[0]->type == &g_tuple_type) return Ref::New(args[0]);
    Ref list = ListFromIterable(args[0]);
    if (!list) return {};
    std::vector<Ref> items;
    for (std::size_t i = 0, n = ListSize(list.get()); i < n; ++i) items.push_back(ListGet(list.get(), static_cast<std::int64_t>(i)));
    std::vector<Object*> raw;
    for (const Ref& r : items) raw.push_back(r.get());
    return Tuple(raw);
  }
  if (type == &g_dict_type) return ToDict(args);
  if (type == &g_range_type) return ToRange(args);
  return Raise(ExcType::kTypeError, "cannot create '" + std::string(static_cast<TypeObject*>(type)->name) + "' instances");
}

}  // namespace interp
FTB_NAMESPACE_END
