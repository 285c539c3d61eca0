// The built-in functions, calling the built-in types, the methods of list, dict and str, bound
// methods and class instantiation.
#include <array>
#include <cmath>
#include <cstdio>

#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Builtins = ObjectsTest;

// repr of the result, or "Type: message".
std::string R(const Ref& r) {
  if (!r) return ObjectsTest::TakeError();
  EXPECT_FALSE(ErrorPending());
  return ObjectsTest::ReprString(r.get());
}
std::string B(std::string_view name, std::initializer_list<Object*> args) { return R(ObjectsTest::CallBuiltin(name, args)); }
std::string M(Object* obj, std::string_view name, std::initializer_list<Object*> args) {
  return R(ObjectsTest::CallMethodOf(obj, name, args));
}
std::string TypeCall(TypeObject* type, std::initializer_list<Object*> args) {
  return R(CallBuiltinType(type, std::span<Object* const>(args.begin(), args.size())));
}

TEST_F(Builtins, DictHoldsEveryNameOnce) {
  for (const char* name : {"len", "range", "min", "max", "sum", "abs", "int", "float", "str", "list", "dict", "tuple",
                           "bool", "isinstance", "enumerate", "zip", "sorted", "print", "Exception", "ValueError",
                           "KeyError", "StopIteration", "OSError"}) {
    Ref v = Builtin(name);
    ASSERT_TRUE(v) << name;
    EXPECT_TRUE(IsImmortal(v.get())) << name;
  }
  EXPECT_EQ(Builtin("int").get(), &g_int_type);
  EXPECT_EQ(Builtin("range").get(), &g_range_type);
  EXPECT_FALSE(Builtin("open"));
}

TEST_F(Builtins, Len) {
  Ref d = Dict();
  DictSet(d.get(), I(1).get(), I(1).get());
  EXPECT_EQ(B("len", {S("abcd").get()}), "4");
  EXPECT_EQ(B("len", {L({I(1).get(), I(2).get()}).get()}), "2");
  EXPECT_EQ(B("len", {T({}).get()}), "0");
  EXPECT_EQ(B("len", {d.get()}), "1");
  EXPECT_EQ(B("len", {NewRange(0, 10, 3).get()}), "4");
  EXPECT_EQ(B("len", {I(1).get()}), "TypeError: object of type 'int' has no len()");
  EXPECT_EQ(B("len", {}), "TypeError: len() takes exactly one argument (0 given)");
  EXPECT_EQ(B("len", {S("a").get(), S("b").get()}), "TypeError: len() takes exactly one argument (2 given)");
}

TEST_F(Builtins, Range) {
  EXPECT_EQ(TypeCall(&g_range_type, {I(5).get()}), "range(0, 5)");
  EXPECT_EQ(TypeCall(&g_range_type, {I(2).get(), I(5).get()}), "range(2, 5)");
  EXPECT_EQ(TypeCall(&g_range_type, {I(5).get(), I(0).get(), I(-1).get()}), "range(5, 0, -1)");
  EXPECT_EQ(TypeCall(&g_range_type, {I(1).get(), I(2).get(), I(0).get()}), "ValueError: range() arg 3 must not be zero");
  EXPECT_EQ(TypeCall(&g_range_type, {F(1.5).get()}), "TypeError: 'float' object cannot be interpreted as an integer");
  EXPECT_EQ(TypeCall(&g_range_type, {}), "TypeError: range expected at least 1 argument, got 0");
  EXPECT_EQ(TypeCall(&g_range_type, {I(INT64_MIN).get(), I(INT64_MAX).get()}),
            "OverflowError: int too large for ftbench's 64-bit ints");
  // The runtime's Call reaches the built-in types too (through the type type's call slot).
  Ref five = I(5);
  Ref r = Call(&g_range_type, {five.get()});
  EXPECT_EQ(R(r), "range(0, 5)");
}

TEST_F(Builtins, MinMax) {
  Ref l = L({I(3).get(), F(1.5).get(), I(7).get()});
  EXPECT_EQ(B("min", {l.get()}), "1.5");
  EXPECT_EQ(B("max", {l.get()}), "7");
  EXPECT_EQ(B("max", {I(1).get(), I(9).get(), I(4).get()}), "9");
  EXPECT_EQ(B("min", {S("b").get(), S("a").get()}), "'a'");
  EXPECT_EQ(B("max", {NewRange(0, 4, 1).get()}), "3");
  // The first of equal extremes wins: max(1, 1.0) is 1, max(1.0, 1) is 1.0.
  EXPECT_EQ(B("max", {I(1).get(), F(1.0).get()}), "1");
  EXPECT_EQ(B("min", {F(1.0).get(), I(1).get()}), "1.0");
  EXPECT_EQ(B("min", {L({}).get()}), "ValueError: min() arg is an empty sequence");
  EXPECT_EQ(B("max", {}), "TypeError: max expected at least 1 argument, got 0");
  EXPECT_EQ(B("max", {I(1).get()}), "TypeError: 'int' object is not iterable");
  EXPECT_EQ(B("max", {I(1).get(), S("a").get()}), "TypeError: '<' not supported between instances of 'int' and 'str'");
}

TEST_F(Builtins, SumAndAbs) {
  EXPECT_EQ(B("sum", {L({I(1).get(), I(2).get(), I(3).get()}).get()}), "6");
  EXPECT_EQ(B("sum", {L({I(1).get(), F(0.5).get()}).get()}), "1.5");
  EXPECT_EQ(B("sum", {NewRange(0, 101, 1).get(), I(10).get()}), "5060");
  EXPECT_EQ(B("sum", {L({}).get()}), "0");
  EXPECT_EQ(B("sum", {L({L({I(1).get()}).get()}).get(), L({}).get()}), "[1]");
  EXPECT_EQ(B("sum", {L({S("a").get()}).get()}), "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
  EXPECT_EQ(B("sum", {L({}).get(), S("").get()}), "TypeError: sum() can't sum strings [use ''.join(seq) instead]");
  EXPECT_EQ(B("sum", {L({I(INT64_MAX).get(), I(1).get()}).get()}), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(B("abs", {I(-5).get()}), "5");
  EXPECT_EQ(B("abs", {F(-0.0).get()}), "0.0");
  EXPECT_EQ(B("abs", {&g_true}), "1");
  EXPECT_EQ(B("abs", {I(INT64_MIN).get()}), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(B("abs", {S("a").get()}), "TypeError: bad operand type for abs(): 'str'");
}

TEST_F(Builtins, IntConversions) {
  EXPECT_EQ(TypeCall(&g_int_type, {}), "0");
  EXPECT_EQ(TypeCall(&g_int_type, {F(3.9).get()}), "3");
  EXPECT_EQ(TypeCall(&g_int_type, {F(-3.9).get()}), "-3");
  EXPECT_EQ(TypeCall(&g_int_type, {&g_true}), "1");
  EXPECT_EQ(TypeCall(&g_int_type, {S(" -42\n").get()}), "-42");
  EXPECT_EQ(TypeCall(&g_int_type, {S("+1_000").get()}), "1000");
  EXPECT_EQ(TypeCall(&g_int_type, {S("ff").get(), I(16).get()}), "255");
  EXPECT_EQ(TypeCall(&g_int_type, {S("x").get()}), "ValueError: invalid literal for int() with base 10: 'x'");
  EXPECT_EQ(TypeCall(&g_int_type, {S("1.5").get()}), "ValueError: invalid literal for int() with base 10: '1.5'");
  EXPECT_EQ(TypeCall(&g_int_type, {S("").get()}), "ValueError: invalid literal for int() with base 10: ''");
  EXPECT_EQ(TypeCall(&g_int_type, {S("1__0").get()}), "ValueError: invalid literal for int() with base 10: '1__0'");
  EXPECT_EQ(TypeCall(&g_int_type, {S("99999999999999999999").get()}), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(TypeCall(&g_int_type, {S("-9223372036854775808").get()}), "-9223372036854775808");
  EXPECT_EQ(TypeCall(&g_int_type, {F(NAN).get()}), "ValueError: cannot convert float NaN to integer");
  EXPECT_EQ(TypeCall(&g_int_type, {F(INFINITY).get()}), "OverflowError: cannot convert float infinity to integer");
  EXPECT_EQ(TypeCall(&g_int_type, {F(1e19).get()}), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(TypeCall(&g_int_type, {&g_none}),
            "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
}

TEST_F(Builtins, FloatStrBoolConversions) {
  EXPECT_EQ(TypeCall(&g_float_type, {}), "0.0");
  EXPECT_EQ(TypeCall(&g_float_type, {I(3).get()}), "3.0");
  EXPECT_EQ(TypeCall(&g_float_type, {S(" 1.5e3 ").get()}), "1500.0");
  EXPECT_EQ(TypeCall(&g_float_type, {S("inf").get()}), "inf");
  EXPECT_EQ(TypeCall(&g_float_type, {S("-Infinity").get()}), "-inf");
  EXPECT_EQ(TypeCall(&g_float_type, {S("nan").get()}), "nan");
  EXPECT_EQ(TypeCall(&g_float_type, {S("1e999").get()}), "inf");
  EXPECT_EQ(TypeCall(&g_float_type, {S("x").get()}), "ValueError: could not convert string to float: 'x'");
  EXPECT_EQ(TypeCall(&g_float_type, {S("--5").get()}), "ValueError: could not convert string to float: '--5'");
  EXPECT_EQ(TypeCall(&g_float_type, {S("-1_0.5").get()}), "-10.5");
  EXPECT_EQ(TypeCall(&g_float_type, {S(".5").get()}), "0.5");
  EXPECT_EQ(TypeCall(&g_float_type, {L({}).get()}), "TypeError: float() argument must be a string or a real number, not 'list'");
  EXPECT_EQ(TypeCall(&g_str_type, {}), "''");
  EXPECT_EQ(TypeCall(&g_str_type, {F(0.5).get()}), "'0.5'");
  EXPECT_EQ(TypeCall(&g_str_type, {L({S("a").get()}).get()}), "\"['a']\"");
  EXPECT_EQ(TypeCall(&g_bool_type, {}), "False");
  EXPECT_EQ(TypeCall(&g_bool_type, {S("x").get()}), "True");
  EXPECT_EQ(TypeCall(&g_bool_type, {L({}).get()}), "False");
}

TEST_F(Builtins, ContainerConstructors) {
  Ref src = L({I(1).get(), I(2).get()});
  Ref copy = CallBuiltinType(&g_list_type, std::span<Object* const>(std::array<Object*, 1>{src.get()}));
  EXPECT_NE(copy.get(), src.get());
  EXPECT_EQ(R(copy), "[1, 2]");
  EXPECT_EQ(TypeCall(&g_list_type, {}), "[]");
  EXPECT_EQ(TypeCall(&g_list_type, {S("ab").get()}), "['a', 'b']");
  EXPECT_EQ(TypeCall(&g_list_type, {NewRange(0, 3, 1).get()}), "[0, 1, 2]");
  EXPECT_EQ(TypeCall(&g_tuple_type, {src.get()}), "(1, 2)");
  EXPECT_EQ(TypeCall(&g_tuple_type, {}), "()");
  EXPECT_EQ(TypeCall(&g_list_type, {I(1).get()}), "TypeError: 'int' object is not iterable");
  Ref d = Dict();
  DictSet(d.get(), S("a").get(), I(1).get());
  Ref dcopy = CallBuiltinType(&g_dict_type, std::span<Object* const>(std::array<Object*, 1>{d.get()}));
  EXPECT_NE(dcopy.get(), d.get());
  EXPECT_EQ(R(dcopy), "{'a': 1}");
  EXPECT_EQ(TypeCall(&g_dict_type, {}), "{}");
  EXPECT_EQ(TypeCall(&g_dict_type, {L({T({S("k").get(), I(2).get()}).get()}).get()}), "{'k': 2}");
  EXPECT_EQ(TypeCall(&g_dict_type, {L({T({I(1).get()}).get()}).get()}),
            "ValueError: dictionary update sequence element #0 has length 1; 2 is required");
  EXPECT_EQ(TypeCall(&g_dict_type, {I(1).get()}), "TypeError: 'int' object is not iterable");
  EXPECT_EQ(TypeCall(&g_function_type, {}), "TypeError: cannot create 'function' instances");
}

TEST_F(Builtins, Isinstance) {
  Ref one = I(1), f = F(1.0), s = S("s");
  EXPECT_EQ(B("isinstance", {one.get(), &g_int_type}), "True");
  EXPECT_EQ(B("isinstance", {&g_true, &g_int_type}), "True");  // bool is an int
  EXPECT_EQ(B("isinstance", {one.get(), &g_bool_type}), "False");
  EXPECT_EQ(B("isinstance", {one.get(), &g_float_type}), "False");
  EXPECT_EQ(B("isinstance", {f.get(), T({&g_int_type, &g_float_type}).get()}), "True");
  EXPECT_EQ(B("isinstance", {s.get(), T({&g_int_type, &g_float_type}).get()}), "False");
  EXPECT_EQ(B("isinstance", {NewRange(0, 1, 1).get(), &g_range_type}), "True");
  Ref base = Class("Base", {});
  Ref derived = Class("Derived", {});
  static_cast<TypeObject*>(derived.get())->base = static_cast<TypeObject*>(base.get());
  Ref d = AllocInstance(derived.get()), b = AllocInstance(base.get());
  EXPECT_EQ(B("isinstance", {d.get(), base.get()}), "True");
  EXPECT_EQ(B("isinstance", {b.get(), derived.get()}), "False");
  Ref exc = Ref::New(ExceptionClass(ExcType::kKeyError));
  Ref e = Call(exc.get(), {s.get()});
  EXPECT_EQ(B("isinstance", {e.get(), ExceptionClass(ExcType::kLookupError)}), "True");
  EXPECT_EQ(B("isinstance", {one.get(), one.get()}),
            "TypeError: isinstance() arg 2 must be a type, a tuple of types, or a union");
}

TEST_F(Builtins, EnumerateZipSorted) {
  Ref l = L({S("x").get(), S("y").get()});
  Ref e = CallBuiltin("enumerate", {l.get(), I(1).get()});
  Ref as_list = CallBuiltinType(&g_list_type, std::span<Object* const>(std::array<Object*, 1>{e.get()}));
  EXPECT_EQ(R(as_list), "[(1, 'x'), (2, 'y')]");
  Ref z = CallBuiltin("zip", {l.get(), S("ab").get()});
  Ref zl = CallBuiltinType(&g_list_type, std::span<Object* const>(std::array<Object*, 1>{z.get()}));
  EXPECT_EQ(R(zl), "[('x', 'a'), ('y', 'b')]");
  EXPECT_EQ(B("sorted", {L({I(3).get(), F(1.5).get(), I(2).get()}).get()}), "[1.5, 2, 3]");
  EXPECT_EQ(B("sorted", {S("cab").get()}), "['a', 'b', 'c']");
  EXPECT_EQ(B("sorted", {T({T({I(2).get(), S("a").get()}).get(), T({I(1).get(), S("b").get()}).get()}).get()}),
            "[(1, 'b'), (2, 'a')]");
  // Stable: 1 and 1.0 keep their order.
  EXPECT_EQ(B("sorted", {L({F(1.0).get(), I(0).get(), I(1).get()}).get()}), "[0, 1.0, 1]");
  Ref src = L({I(2).get(), I(1).get()});
  Ref sorted = CallBuiltin("sorted", {src.get()});
  EXPECT_EQ(ReprString(src.get()), "[2, 1]");  // a new list
  EXPECT_EQ(B("sorted", {L({I(1).get(), S("a").get()}).get()}),
            "TypeError: '<' not supported between instances of 'str' and 'int'");
  EXPECT_EQ(B("enumerate", {}), "TypeError: enumerate() missing required argument 'iterable'");
  EXPECT_EQ(B("sorted", {}), "TypeError: sorted expected 1 argument, got 0");
  EXPECT_EQ(B("isinstance", {I(1).get()}), "TypeError: isinstance expected 2 arguments, got 1");
  EXPECT_EQ(B("sum", {}), "TypeError: sum() takes at least 1 positional argument (0 given)");
  EXPECT_EQ(B("abs", {}), "TypeError: abs() takes exactly one argument (0 given)");
  EXPECT_EQ(TypeCall(&g_float_type, {I(1).get(), I(2).get()}), "TypeError: float expected at most 1 argument, got 2");
  EXPECT_EQ(TypeCall(&g_int_type, {I(1).get(), I(2).get(), I(3).get()}), "TypeError: int() takes at most 2 arguments (3 given)");
}

TEST_F(Builtins, PrintWritesOneLine) {
  ::testing::internal::CaptureStdout();
  Ref r = CallBuiltin("print", {S("a").get(), I(1).get(), F(0.5).get(), L({S("q").get()}).get(), &g_none});
  Ref r2 = CallBuiltin("print", {});
  std::fflush(stdout);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out, "a 1 0.5 ['q'] None\n\n");
  EXPECT_EQ(r.get(), &g_none);
}

TEST_F(Builtins, ListMethods) {
  Ref l = L({I(1).get()});
  EXPECT_EQ(M(l.get(), "append", {I(2).get()}), "None");
  EXPECT_EQ(M(l.get(), "extend", {T({I(3).get(), I(4).get()}).get()}), "None");
  EXPECT_EQ(M(l.get(), "extend", {l.get()}), "None");  // l.extend(l) doubles it
  EXPECT_EQ(ReprString(l.get()), "[1, 2, 3, 4, 1, 2, 3, 4]");
  EXPECT_EQ(M(l.get(), "pop", {}), "4");
  EXPECT_EQ(M(l.get(), "pop", {I(0).get()}), "1");
  EXPECT_EQ(M(l.get(), "pop", {I(-2).get()}), "2");
  EXPECT_EQ(ReprString(l.get()), "[2, 3, 4, 1, 3]");
  EXPECT_EQ(M(l.get(), "insert", {I(0).get(), S("a").get()}), "None");
  EXPECT_EQ(M(l.get(), "insert", {I(-1).get(), S("b").get()}), "None");
  EXPECT_EQ(M(l.get(), "insert", {I(100).get(), S("c").get()}), "None");
  EXPECT_EQ(M(l.get(), "insert", {I(-100).get(), S("d").get()}), "None");
  EXPECT_EQ(ReprString(l.get()), "['d', 'a', 2, 3, 4, 1, 'b', 3, 'c']");
  EXPECT_EQ(M(l.get(), "index", {I(3).get()}), "3");
  EXPECT_EQ(M(l.get(), "index", {F(1.0).get()}), "5");
  EXPECT_EQ(M(l.get(), "index", {S("z").get()}), "ValueError: 'z' is not in list");
  EXPECT_EQ(M(l.get(), "pop", {I(50).get()}), "IndexError: pop index out of range");
  Ref empty = List();
  EXPECT_EQ(M(empty.get(), "pop", {}), "IndexError: pop from empty list");
  EXPECT_EQ(M(empty.get(), "insert", {I(0).get(), I(9).get()}), "None");
  EXPECT_EQ(ReprString(empty.get()), "[9]");
  EXPECT_EQ(M(l.get(), "append", {}), "TypeError: list.append() takes exactly one argument (0 given)");
  EXPECT_EQ(M(l.get(), "append", {I(1).get(), I(2).get()}), "TypeError: list.append() takes exactly one argument (2 given)");
  EXPECT_EQ(M(l.get(), "extend", {I(1).get()}), "TypeError: 'int' object is not iterable");
  EXPECT_EQ(M(l.get(), "pop", {I(1).get(), I(2).get()}), "TypeError: pop expected at most 1 argument, got 2");
  EXPECT_EQ(M(l.get(), "insert", {I(1).get()}), "TypeError: insert expected 2 arguments, got 1");
  EXPECT_EQ(M(l.get(), "insert", {S("a").get(), I(1).get()}), "TypeError: 'str' object cannot be interpreted as an integer");
}

TEST_F(Builtins, DictMethods) {
  Ref d = Dict();
  DictSet(d.get(), S("a").get(), I(1).get());
  EXPECT_EQ(M(d.get(), "get", {S("a").get()}), "1");
  EXPECT_EQ(M(d.get(), "get", {S("b").get()}), "None");
  EXPECT_EQ(M(d.get(), "get", {S("b").get(), I(0).get()}), "0");
  EXPECT_EQ(M(d.get(), "setdefault", {S("a").get(), I(5).get()}), "1");
  EXPECT_EQ(M(d.get(), "setdefault", {S("l").get(), L({}).get()}), "[]");
  EXPECT_EQ(M(d.get(), "setdefault", {S("n").get()}), "None");
  EXPECT_EQ(ReprString(d.get()), "{'a': 1, 'l': [], 'n': None}");
  EXPECT_EQ(M(d.get(), "pop", {S("n").get()}), "None");
  EXPECT_EQ(M(d.get(), "pop", {S("n").get(), I(7).get()}), "7");
  EXPECT_EQ(M(d.get(), "pop", {S("n").get()}), "KeyError: 'n'");
  EXPECT_EQ(M(d.get(), "keys", {}), "dict_keys(['a', 'l'])");
  EXPECT_EQ(M(d.get(), "values", {}), "dict_values([1, []])");
  EXPECT_EQ(M(d.get(), "items", {}), "dict_items([('a', 1), ('l', [])])");
  EXPECT_EQ(M(d.get(), "get", {}), "TypeError: get expected at least 1 argument, got 0");
  EXPECT_EQ(M(d.get(), "get", {L({}).get()}), "TypeError: unhashable type: 'list'");
  EXPECT_EQ(M(d.get(), "keys", {I(1).get()}), "TypeError: dict.keys() takes no arguments (1 given)");
}

TEST_F(Builtins, StrMethods) {
  Ref sep = S(", ");
  EXPECT_EQ(M(sep.get(), "join", {L({S("a").get(), S("b").get(), S("c").get()}).get()}), "'a, b, c'");
  EXPECT_EQ(M(sep.get(), "join", {T({}).get()}), "''");
  EXPECT_EQ(M(S("").get(), "join", {S("xyz").get()}), "'xyz'");
  EXPECT_EQ(M(sep.get(), "join", {L({S("a").get(), I(1).get()}).get()}),
            "TypeError: sequence item 1: expected str instance, int found");
  Ref text = S("  a b\t c\n");
  EXPECT_EQ(M(text.get(), "split", {}), "['a', 'b', 'c']");
  EXPECT_EQ(M(S("").get(), "split", {}), "[]");
  EXPECT_EQ(M(S("a,b,,c").get(), "split", {S(",").get()}), "['a', 'b', '', 'c']");
  EXPECT_EQ(M(S("a--b--c").get(), "split", {S("--").get(), I(1).get()}), "['a', 'b--c']");
  EXPECT_EQ(M(S("").get(), "split", {S(",").get()}), "['']");
  EXPECT_EQ(M(S("a b c").get(), "split", {&g_none, I(1).get()}), "['a', 'b c']");
  EXPECT_EQ(M(S("a").get(), "split", {S("").get()}), "ValueError: empty separator");
  Ref word = S("hello");
  EXPECT_EQ(M(word.get(), "startswith", {S("he").get()}), "True");
  EXPECT_EQ(M(word.get(), "startswith", {S("lo").get()}), "False");
  EXPECT_EQ(M(word.get(), "endswith", {S("lo").get()}), "True");
  EXPECT_EQ(M(word.get(), "endswith", {T({S("x").get(), S("o").get()}).get()}), "True");
  EXPECT_EQ(M(word.get(), "startswith", {}), "TypeError: startswith() takes at least 1 argument (0 given)");
  EXPECT_EQ(M(word.get(), "startswith", {I(1).get()}),
            "TypeError: startswith first arg must be str or a tuple of str, not int");
  EXPECT_EQ(M(word.get(), "startswith", {S("l").get(), I(2).get()}), "True");
  EXPECT_EQ(M(word.get(), "endswith", {S("l").get(), I(0).get(), I(3).get()}), "True");
  EXPECT_EQ(M(word.get(), "upper", {}), "'HELLO'");
  EXPECT_EQ(M(S("a1-b").get(), "upper", {}), "'A1-B'");
  EXPECT_EQ(M(word.get(), "upper", {I(1).get()}), "TypeError: str.upper() takes no arguments (1 given)");
  EXPECT_EQ(M(word.get(), "encode", {}), "'hello'");
}

TEST_F(Builtins, MethodLookup) {
  Ref l = List();
  EXPECT_FALSE(LookupBuiltinMethod(l.get(), InternStr("nosuch").get()));
  EXPECT_FALSE(ErrorPending());
  Ref one = I(1);
  EXPECT_FALSE(LookupBuiltinMethod(one.get(), InternStr("append").get()));
  Ref m1 = LookupBuiltinMethod(l.get(), InternStr("append").get());
  Ref m2 = LookupBuiltinMethod(l.get(), InternStr("append").get());
  EXPECT_EQ(m1.get(), m2.get());  // made once
  EXPECT_TRUE(IsImmortal(m1.get()));
  // A method of one type called with another object first is a TypeError, not a crash.
  Ref d = Dict();
  EXPECT_EQ(R(Call(m1.get(), {d.get(), one.get()})), "TypeError: descriptor needs a 'list' object");
  // A bound method prepends its object.
  Ref bound = NewMethod(m1.get(), l.get());
  EXPECT_EQ(R(Call(bound.get(), {one.get()})), "None");
  EXPECT_EQ(ReprString(l.get()), "[1]");
}

TEST_F(Builtins, CallClassRunsInitThroughBases) {
  Ref init = Function("__init__", [](std::span<Object* const> args) {
    SetAttr(args[0], InternStr("x").get(), args.size() > 1 ? args[1] : &g_none);
    return None();
  });
  Ref base = Class("Base", {{"__init__", init.get()}});
  Ref derived = Class("Derived", {});
  static_cast<TypeObject*>(derived.get())->base = static_cast<TypeObject*>(base.get());
  Ref seven = I(7);
  Object* args[] = {seven.get()};
  Ref obj = CallClass(derived.get(), args);
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->type, static_cast<TypeObject*>(derived.get()));
  Ref x = GetAttr(obj.get(), InternStr("x").get());
  EXPECT_EQ(x.get(), seven.get());
  Ref plain = Class("Plain", {});
  EXPECT_EQ(R(CallClass(plain.get(), args)), "TypeError: Plain() takes no arguments");
  Ref bad_init = Function("__init__", [](std::span<Object* const>) { return Int(1); });
  Ref bad = Class("Bad", {{"__init__", bad_init.get()}});
  EXPECT_EQ(R(CallClass(bad.get(), {})), "TypeError: __init__() should return None, not 'int'");
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
