// The operators with Python's semantics: arithmetic (floor division and modulo, powers, 64-bit
// overflow, division by zero), comparisons, containment, subscripts and slices, truth, repr/str.
// Expected strings are what CPython 3.11 prints.
#include <cmath>
#include <limits>

#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Ops = ObjectsTest;
using B = bc::BinaryOp;
using C = bc::CompareOp;

// repr(a OP b), or "Type: message" if it raised.
std::string Bin(B op, Object* a, Object* b) {
  Ref r = BinaryOp(op, a, b);
  if (!r) return ObjectsTest::TakeError();
  EXPECT_FALSE(ErrorPending());
  return ObjectsTest::ReprString(r.get());
}
std::string Cmp(C op, Object* a, Object* b) {
  Ref r = RichCompare(op, a, b);
  if (!r) return ObjectsTest::TakeError();
  return ObjectsTest::ReprString(r.get());
}

TEST_F(Ops, IntArithmetic) {
  Ref a = I(7), b = I(-2), z = I(0), t = Ref::New(&g_true), f = Ref::New(&g_false);
  EXPECT_EQ(Bin(B::kAdd, a.get(), b.get()), "5");
  EXPECT_EQ(Bin(B::kSubtract, a.get(), b.get()), "9");
  EXPECT_EQ(Bin(B::kMultiply, a.get(), b.get()), "-14");
  EXPECT_EQ(Bin(B::kTrueDivide, a.get(), b.get()), "-3.5");
  EXPECT_EQ(Bin(B::kTrueDivide, b.get(), b.get()), "1.0");  // true division is always float
  EXPECT_EQ(Bin(B::kAdd, t.get(), t.get()), "2");           // bool is an int
  EXPECT_EQ(Bin(B::kAnd, t.get(), f.get()), "False");       // bool & bool stays bool
  EXPECT_EQ(Bin(B::kOr, t.get(), f.get()), "True");
  EXPECT_EQ(Bin(B::kXor, a.get(), b.get()), "-7");
  EXPECT_EQ(Bin(B::kAnd, a.get(), I(12).get()), "4");
  EXPECT_EQ(Bin(B::kLshift, a.get(), I(3).get()), "56");
  EXPECT_EQ(Bin(B::kRshift, b.get(), I(1).get()), "-1");
  EXPECT_EQ(Bin(B::kRshift, a.get(), I(100).get()), "0");
  EXPECT_EQ(Bin(B::kLshift, a.get(), I(-1).get()), "ValueError: negative shift count");
  EXPECT_EQ(Bin(B::kInplaceAdd, a.get(), a.get()), "14");
  EXPECT_EQ(Bin(B::kInplaceMultiply, a.get(), a.get()), "49");
  (void)z;
}

TEST_F(Ops, FloorDivisionAndModuloFollowPython) {
  struct Case {
    std::int64_t x, y;
    const char* floordiv;
    const char* mod;
  };
  // Python: 7//2=3 7%2=1; -7//2=-4 -7%2=1; 7//-2=-4 7%-2=-1; -7//-2=3 -7%-2=-1
  const Case cases[] = {{7, 2, "3", "1"}, {-7, 2, "-4", "1"}, {7, -2, "-4", "-1"}, {-7, -2, "3", "-1"},
                        {6, 3, "2", "0"}, {-6, 3, "-2", "0"}, {0, -5, "0", "0"},    {1, -1, "-1", "0"}};
  for (const Case& c : cases) {
    Ref x = I(c.x), y = I(c.y);
    EXPECT_EQ(Bin(B::kFloorDivide, x.get(), y.get()), c.floordiv) << c.x << " // " << c.y;
    EXPECT_EQ(Bin(B::kRemainder, x.get(), y.get()), c.mod) << c.x << " % " << c.y;
  }
  struct FCase {
    double x, y;
    const char* floordiv;
    const char* mod;
  };
  // Python: 7.5//2=3.0 7.5%2=1.5; -7.5//2=-4.0 -7.5%2=0.5; 7.5//-2=-4.0 7.5%-2=-0.5; -7.5//-2=3.0
  // -7.5%-2=-1.5; 6.0%3=0.0; -6.0%3=0.0; 6.0%-3=-0.0; 0.0//-1=-0.0; 0.0%-1=-0.0
  const FCase fcases[] = {{7.5, 2, "3.0", "1.5"},    {-7.5, 2, "-4.0", "0.5"}, {7.5, -2, "-4.0", "-0.5"},
                          {-7.5, -2, "3.0", "-1.5"}, {6.0, 3, "2.0", "0.0"},   {-6.0, 3, "-2.0", "0.0"},
                          {6.0, -3, "-2.0", "-0.0"}, {0.0, -1, "-0.0", "-0.0"}};
  for (const FCase& c : fcases) {
    Ref x = F(c.x), y = F(c.y);
    EXPECT_EQ(Bin(B::kFloorDivide, x.get(), y.get()), c.floordiv) << c.x << " // " << c.y;
    EXPECT_EQ(Bin(B::kRemainder, x.get(), y.get()), c.mod) << c.x << " % " << c.y;
  }
  Ref seven = I(7), two_f = F(2.0);
  EXPECT_EQ(Bin(B::kFloorDivide, seven.get(), two_f.get()), "3.0");  // mixed: float
  EXPECT_EQ(Bin(B::kRemainder, seven.get(), two_f.get()), "1.0");
}

TEST_F(Ops, DivisionByZeroMessagesAsCPython) {
  Ref one = I(1), zero = I(0), onef = F(1.0), zerof = F(0.0);
  EXPECT_EQ(Bin(B::kTrueDivide, one.get(), zero.get()), "ZeroDivisionError: division by zero");
  EXPECT_EQ(Bin(B::kFloorDivide, one.get(), zero.get()), "ZeroDivisionError: integer division or modulo by zero");
  EXPECT_EQ(Bin(B::kRemainder, one.get(), zero.get()), "ZeroDivisionError: integer modulo by zero");
  EXPECT_EQ(Bin(B::kTrueDivide, onef.get(), zero.get()), "ZeroDivisionError: float division by zero");
  EXPECT_EQ(Bin(B::kFloorDivide, onef.get(), zerof.get()), "ZeroDivisionError: float floor division by zero");
  EXPECT_EQ(Bin(B::kRemainder, onef.get(), zerof.get()), "ZeroDivisionError: float modulo");
  EXPECT_EQ(Bin(B::kPower, zero.get(), I(-1).get()), "ZeroDivisionError: 0.0 cannot be raised to a negative power");
  EXPECT_EQ(Bin(B::kPower, zerof.get(), I(-1).get()), "ZeroDivisionError: 0.0 cannot be raised to a negative power");
  EXPECT_EQ(Bin(B::kInplaceTrueDivide, one.get(), zero.get()), "ZeroDivisionError: division by zero");
}

TEST_F(Ops, Powers) {
  Ref two = I(2), ten = I(10), m3 = I(-3), half = F(0.5), twof = F(2.0);
  EXPECT_EQ(Bin(B::kPower, two.get(), ten.get()), "1024");
  EXPECT_EQ(Bin(B::kPower, m3.get(), I(3).get()), "-27");
  EXPECT_EQ(Bin(B::kPower, two.get(), I(0).get()), "1");
  EXPECT_EQ(Bin(B::kPower, two.get(), I(-2).get()), "0.25");  // negative exponent: float
  EXPECT_EQ(Bin(B::kPower, two.get(), I(62).get()), "4611686018427387904");
  EXPECT_EQ(Bin(B::kPower, two.get(), I(63).get()), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(Bin(B::kPower, m3.get(), I(40).get()), "OverflowError: int too large for ftbench's 64-bit ints");
  EXPECT_EQ(Bin(B::kPower, I(-2).get(), I(63).get()), "-9223372036854775808");
  EXPECT_EQ(Bin(B::kPower, twof.get(), half.get()), "1.4142135623730951");
  EXPECT_EQ(Bin(B::kPower, two.get(), half.get()), "1.4142135623730951");
  EXPECT_EQ(Bin(B::kPower, twof.get(), I(10).get()), "1024.0");
  EXPECT_EQ(Bin(B::kPower, F(10.0).get(), F(400.0).get()), "OverflowError: (34, 'Numerical result out of range')");
  // (-8) ** 0.5 is complex in Python; ftbench has no complex numbers.
  EXPECT_EQ(Bin(B::kPower, I(-8).get(), half.get()),
            "ValueError: negative number cannot be raised to a fractional power");
}

TEST_F(Ops, SixtyFourBitOverflowRaises) {
  const char* kOverflow = "OverflowError: int too large for ftbench's 64-bit ints";
  Ref max = I(std::numeric_limits<std::int64_t>::max()), min = I(std::numeric_limits<std::int64_t>::min());
  Ref one = I(1), m1 = I(-1), two = I(2);
  EXPECT_EQ(Bin(B::kAdd, max.get(), one.get()), kOverflow);
  EXPECT_EQ(Bin(B::kSubtract, min.get(), one.get()), kOverflow);
  EXPECT_EQ(Bin(B::kMultiply, max.get(), two.get()), kOverflow);
  EXPECT_EQ(Bin(B::kFloorDivide, min.get(), m1.get()), kOverflow);
  EXPECT_EQ(Bin(B::kRemainder, min.get(), m1.get()), "0");
  EXPECT_EQ(Bin(B::kLshift, one.get(), I(63).get()), kOverflow);
  EXPECT_EQ(Bin(B::kLshift, one.get(), I(62).get()), "4611686018427387904");
  EXPECT_EQ(Bin(B::kInplaceAdd, max.get(), one.get()), kOverflow);
  Ref neg = UnaryNegative(min.get());
  EXPECT_FALSE(neg);
  EXPECT_EQ(TakeError(), kOverflow);
  EXPECT_EQ(Bin(B::kAdd, max.get(), I(0).get()), "9223372036854775807");
}

TEST_F(Ops, FloatArithmeticAndMixing) {
  Ref a = F(0.1), b = F(0.2), three = I(3);
  EXPECT_EQ(Bin(B::kAdd, a.get(), b.get()), "0.30000000000000004");
  EXPECT_EQ(Bin(B::kMultiply, three.get(), a.get()), "0.30000000000000004");
  EXPECT_EQ(Bin(B::kSubtract, three.get(), F(0.5).get()), "2.5");
  EXPECT_EQ(Bin(B::kTrueDivide, F(1.0).get(), three.get()), "0.3333333333333333");
  EXPECT_EQ(Bin(B::kMultiply, F(1e308).get(), F(10.0).get()), "inf");
  Ref neg = UnaryNegative(a.get());
  EXPECT_EQ(ReprString(neg.get()), "-0.1");
  Ref inv = UnaryInvert(three.get());
  EXPECT_EQ(ReprString(inv.get()), "-4");
  Ref t = Ref::New(&g_true);
  Ref negt = UnaryNegative(t.get());
  EXPECT_EQ(ReprString(negt.get()), "-1");
  EXPECT_EQ(ErrorOf(UnaryInvert(a.get())), "TypeError: bad operand type for unary ~: 'float'");
}

TEST_F(Ops, SequenceArithmetic) {
  Ref s = S("ab"), n = I(3), l = L({I(1).get(), I(2).get()}), t = T({I(1).get()});
  EXPECT_EQ(Bin(B::kAdd, s.get(), S("cd").get()), "'abcd'");
  EXPECT_EQ(Bin(B::kMultiply, s.get(), n.get()), "'ababab'");
  EXPECT_EQ(Bin(B::kMultiply, n.get(), s.get()), "'ababab'");
  EXPECT_EQ(Bin(B::kMultiply, s.get(), I(-1).get()), "''");
  EXPECT_EQ(Bin(B::kAdd, l.get(), l.get()), "[1, 2, 1, 2]");
  EXPECT_EQ(Bin(B::kMultiply, l.get(), I(2).get()), "[1, 2, 1, 2]");
  EXPECT_EQ(Bin(B::kMultiply, I(0).get(), l.get()), "[]");
  EXPECT_EQ(Bin(B::kAdd, t.get(), T({I(2).get()}).get()), "(1, 2)");
  EXPECT_EQ(Bin(B::kMultiply, t.get(), I(3).get()), "(1, 1, 1)");
  EXPECT_EQ(ReprString(l.get()), "[1, 2]");  // + and * made new lists
  // += extends the list in place (and returns it); *= repeats in place.
  Ref same = BinaryOp(B::kInplaceAdd, l.get(), T({I(3).get()}).get());
  EXPECT_EQ(same.get(), l.get());
  EXPECT_EQ(ReprString(l.get()), "[1, 2, 3]");
  Ref self_extend = BinaryOp(B::kInplaceAdd, l.get(), l.get());
  EXPECT_EQ(ReprString(l.get()), "[1, 2, 3, 1, 2, 3]");
  Ref rep = BinaryOp(B::kInplaceMultiply, l.get(), I(0).get());
  EXPECT_EQ(rep.get(), l.get());
  EXPECT_EQ(ReprString(l.get()), "[]");
  // Errors, worded as CPython's.
  EXPECT_EQ(Bin(B::kAdd, s.get(), n.get()), "TypeError: can only concatenate str (not \"int\") to str");
  EXPECT_EQ(Bin(B::kAdd, n.get(), s.get()), "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
  EXPECT_EQ(Bin(B::kAdd, l.get(), t.get()), "TypeError: can only concatenate list (not \"tuple\") to list");
  EXPECT_EQ(Bin(B::kMultiply, s.get(), F(1.5).get()), "TypeError: can't multiply sequence by non-int of type 'float'");
  EXPECT_EQ(Bin(B::kSubtract, s.get(), s.get()), "TypeError: unsupported operand type(s) for -: 'str' and 'str'");
  EXPECT_EQ(Bin(B::kInplaceSubtract, &g_none, n.get()),
            "TypeError: unsupported operand type(s) for -=: 'NoneType' and 'int'");
  EXPECT_EQ(Bin(B::kInplaceAdd, l.get(), n.get()), "TypeError: 'int' object is not iterable");
  EXPECT_EQ(ErrorOf(UnaryNegative(s.get())), "TypeError: bad operand type for unary -: 'str'");
}

TEST_F(Ops, Comparisons) {
  Ref one = I(1), onef = F(1.0), two = I(2), half = F(1.5), nan = F(NAN);
  EXPECT_EQ(Cmp(C::kEq, one.get(), onef.get()), "True");
  EXPECT_EQ(Cmp(C::kLt, one.get(), half.get()), "True");
  EXPECT_EQ(Cmp(C::kGe, two.get(), half.get()), "True");
  EXPECT_EQ(Cmp(C::kLe, half.get(), one.get()), "False");
  EXPECT_EQ(Cmp(C::kEq, nan.get(), nan.get()), "False");  // even the same object
  EXPECT_EQ(Cmp(C::kNe, nan.get(), nan.get()), "True");
  EXPECT_EQ(Cmp(C::kLt, nan.get(), one.get()), "False");
  EXPECT_EQ(Cmp(C::kEq, &g_true, one.get()), "True");
  // int vs float exactly: 2**53 + 1 != float(2**53).
  Ref big = I((std::int64_t{1} << 53) + 1), bigf = F(9007199254740992.0);
  EXPECT_EQ(Cmp(C::kEq, big.get(), bigf.get()), "False");
  EXPECT_EQ(Cmp(C::kGt, big.get(), bigf.get()), "True");
  EXPECT_EQ(Cmp(C::kLt, I(std::numeric_limits<std::int64_t>::max()).get(), F(1e19).get()), "True");
  Ref a = S("abc"), b = S("abd");
  EXPECT_EQ(Cmp(C::kLt, a.get(), b.get()), "True");
  EXPECT_EQ(Cmp(C::kEq, a.get(), S("abc").get()), "True");
  EXPECT_EQ(Cmp(C::kGt, S("b").get(), S("abc").get()), "True");
  EXPECT_EQ(Cmp(C::kEq, a.get(), one.get()), "False");  // == across types is False, not an error
  EXPECT_EQ(Cmp(C::kNe, &g_none, one.get()), "True");
  EXPECT_EQ(Cmp(C::kEq, &g_none, &g_none), "True");
  // Tuples and lists: lexicographic, deep.
  Ref t1 = T({I(1).get(), S("x").get()}), t2 = T({I(1).get(), S("y").get()}), t3 = T({I(1).get()});
  EXPECT_EQ(Cmp(C::kLt, t1.get(), t2.get()), "True");
  EXPECT_EQ(Cmp(C::kLt, t3.get(), t1.get()), "True");
  EXPECT_EQ(Cmp(C::kEq, t1.get(), T({F(1.0).get(), S("x").get()}).get()), "True");
  Ref l1 = L({I(1).get(), L({I(2).get()}).get()}), l2 = L({I(1).get(), L({I(3).get()}).get()});
  EXPECT_EQ(Cmp(C::kLt, l1.get(), l2.get()), "True");
  EXPECT_EQ(Cmp(C::kEq, l1.get(), L({I(1).get(), L({I(2).get()}).get()}).get()), "True");
  EXPECT_EQ(Cmp(C::kEq, l1.get(), t1.get()), "False");
  // dicts: equal when the same keys map to equal values, whatever the order.
  Ref d1 = Dict(), d2 = Dict();
  DictSet(d1.get(), S("a").get(), l1.get());
  DictSet(d1.get(), S("b").get(), one.get());
  DictSet(d2.get(), S("b").get(), onef.get());
  DictSet(d2.get(), S("a").get(), L({I(1).get(), L({I(2).get()}).get()}).get());
  EXPECT_EQ(Cmp(C::kEq, d1.get(), d2.get()), "True");
  DictSet(d2.get(), S("c").get(), one.get());
  EXPECT_EQ(Cmp(C::kNe, d1.get(), d2.get()), "True");
  // A list holding a NaN equals itself (identity first), as in Python.
  Ref ln = L({nan.get()});
  EXPECT_EQ(Cmp(C::kEq, ln.get(), ln.get()), "True");
  // Instances compare by identity.
  Ref cls = Class("P", {});
  Ref p = AllocInstance(cls.get()), q = AllocInstance(cls.get());
  EXPECT_EQ(Cmp(C::kEq, p.get(), p.get()), "True");
  EXPECT_EQ(Cmp(C::kEq, p.get(), q.get()), "False");
  // Ordering errors.
  EXPECT_EQ(Cmp(C::kLt, S("a").get(), one.get()), "TypeError: '<' not supported between instances of 'str' and 'int'");
  EXPECT_EQ(Cmp(C::kGe, l1.get(), t1.get()),
            "TypeError: '>=' not supported between instances of 'list' and 'tuple'");
  EXPECT_EQ(Cmp(C::kLt, &g_none, &g_none),
            "TypeError: '<' not supported between instances of 'NoneType' and 'NoneType'");
  EXPECT_EQ(Cmp(C::kLt, p.get(), q.get()), "TypeError: '<' not supported between instances of 'P' and 'P'");
  EXPECT_EQ(Cmp(C::kLt, T({one.get(), S("a").get()}).get(), T({one.get(), two.get()}).get()),
            "TypeError: '<' not supported between instances of 'str' and 'int'");
}

TEST_F(Ops, SelfContainingListsDoNotRecurseForever) {
  Ref l = List();
  ListAppend(l.get(), l.get());
  EXPECT_EQ(ReprString(l.get()), "[[...]]");
  Ref m = List();
  ListAppend(m.get(), m.get());
  EXPECT_EQ(Cmp(C::kEq, l.get(), m.get()), "RecursionError: maximum recursion depth exceeded in comparison");
  // Break the cycles so that both lists are freed.
  (void)ListPop(l.get());
  (void)ListPop(m.get());
}

TEST_F(Ops, Containment) {
  Ref l = L({I(1).get(), S("a").get(), F(2.5).get()});
  EXPECT_EQ(Contains(l.get(), I(1).get()), 1);
  EXPECT_EQ(Contains(l.get(), F(1.0).get()), 1);
  EXPECT_EQ(Contains(l.get(), S("a").get()), 1);
  EXPECT_EQ(Contains(l.get(), S("b").get()), 0);
  Ref t = T({I(3).get(), &g_none});
  EXPECT_EQ(Contains(t.get(), &g_none), 1);
  EXPECT_EQ(Contains(t.get(), I(4).get()), 0);
  Ref d = Dict();
  DictSet(d.get(), S("k").get(), I(1).get());
  EXPECT_EQ(Contains(d.get(), S("k").get()), 1);  // keys
  EXPECT_EQ(Contains(d.get(), I(1).get()), 0);
  EXPECT_EQ(ErrorOf(Contains(d.get(), l.get())), "TypeError: unhashable type: 'list'");
  Ref s = S("hello world");
  EXPECT_EQ(Contains(s.get(), S("o w").get()), 1);
  EXPECT_EQ(Contains(s.get(), S("").get()), 1);
  EXPECT_EQ(Contains(s.get(), S("xyz").get()), 0);
  EXPECT_EQ(ErrorOf(Contains(s.get(), I(1).get())), "TypeError: 'in <string>' requires string as left operand, not int");
  Ref r = NewRange(0, 10, 3);  // 0 3 6 9
  EXPECT_EQ(Contains(r.get(), I(6).get()), 1);
  EXPECT_EQ(Contains(r.get(), I(7).get()), 0);
  EXPECT_EQ(Contains(r.get(), I(12).get()), 0);
  EXPECT_EQ(Contains(r.get(), F(3.0).get()), 1);
  EXPECT_EQ(Contains(r.get(), F(1.5).get()), 0);
  Ref down = NewRange(10, 0, -2);  // 10 8 6 4 2
  EXPECT_EQ(Contains(down.get(), I(4).get()), 1);
  EXPECT_EQ(Contains(down.get(), I(0).get()), 0);
  EXPECT_EQ(Contains(down.get(), I(5).get()), 0);
  EXPECT_EQ(ErrorOf(Contains(I(1).get(), I(1).get())), "TypeError: argument of type 'int' is not iterable");
}

TEST_F(Ops, Subscripts) {
  Ref l = L({I(10).get(), I(20).get(), I(30).get()});
  EXPECT_EQ(ReprString(GetItem(l.get(), I(0).get()).get()), "10");
  EXPECT_EQ(ReprString(GetItem(l.get(), I(-1).get()).get()), "30");
  EXPECT_EQ(ReprString(GetItem(l.get(), &g_true).get()), "20");
  EXPECT_EQ(ErrorOf(GetItem(l.get(), I(3).get())), "IndexError: list index out of range");
  EXPECT_EQ(ErrorOf(GetItem(l.get(), I(-4).get())), "IndexError: list index out of range");
  EXPECT_EQ(ErrorOf(GetItem(l.get(), S("x").get())), "TypeError: list indices must be integers or slices, not str");
  Ref t = T({I(1).get(), I(2).get()});
  EXPECT_EQ(ReprString(GetItem(t.get(), I(-2).get()).get()), "1");
  EXPECT_EQ(ErrorOf(GetItem(t.get(), I(2).get())), "IndexError: tuple index out of range");
  EXPECT_EQ(ErrorOf(GetItem(t.get(), F(0.0).get())), "TypeError: tuple indices must be integers or slices, not float");
  Ref s = S("abc");
  EXPECT_EQ(ReprString(GetItem(s.get(), I(-1).get()).get()), "'c'");
  EXPECT_EQ(ErrorOf(GetItem(s.get(), I(5).get())), "IndexError: string index out of range");
  EXPECT_EQ(ErrorOf(GetItem(s.get(), S("x").get())), "TypeError: string indices must be integers, not 'str'");
  Ref d = Dict();
  DictSet(d.get(), S("a").get(), I(1).get());
  DictSet(d.get(), T({I(1).get(), I(2).get()}).get(), I(2).get());
  EXPECT_EQ(ReprString(GetItem(d.get(), S("a").get()).get()), "1");
  EXPECT_EQ(ReprString(GetItem(d.get(), T({I(1).get(), I(2).get()}).get()).get()), "2");
  EXPECT_EQ(ErrorOf(GetItem(d.get(), S("zz").get())), "KeyError: 'zz'");
  EXPECT_EQ(ErrorOf(GetItem(d.get(), I(7).get())), "KeyError: 7");
  EXPECT_EQ(ErrorOf(GetItem(d.get(), l.get())), "TypeError: unhashable type: 'list'");
  EXPECT_EQ(ErrorOf(GetItem(d.get(), T({l.get()}).get())), "TypeError: unhashable type: 'list'");
  Ref r = NewRange(5, 0, -1);
  EXPECT_EQ(ReprString(GetItem(r.get(), I(1).get()).get()), "4");
  EXPECT_EQ(ReprString(GetItem(r.get(), I(-1).get()).get()), "1");
  EXPECT_EQ(ErrorOf(GetItem(r.get(), I(5).get())), "IndexError: range object index out of range");
  EXPECT_EQ(ErrorOf(GetItem(I(1).get(), I(0).get())), "TypeError: 'int' object is not subscriptable");
  EXPECT_EQ(ErrorOf(GetItem(&g_none, I(0).get())), "TypeError: 'NoneType' object is not subscriptable");
}

TEST_F(Ops, ItemAssignmentAndDeletion) {
  Ref l = L({I(1).get(), I(2).get(), I(3).get()});
  EXPECT_EQ(SetItem(l.get(), I(-1).get(), S("z").get()), 0);
  EXPECT_EQ(ReprString(l.get()), "[1, 2, 'z']");
  EXPECT_EQ(ErrorOf(SetItem(l.get(), I(3).get(), I(0).get())), "IndexError: list assignment index out of range");
  EXPECT_EQ(DelItem(l.get(), I(0).get()), 0);
  EXPECT_EQ(ReprString(l.get()), "[2, 'z']");
  EXPECT_EQ(ErrorOf(DelItem(l.get(), I(2).get())), "IndexError: list assignment index out of range");
  Ref d = Dict();
  EXPECT_EQ(SetItem(d.get(), S("a").get(), I(1).get()), 0);
  EXPECT_EQ(SetItem(d.get(), I(2).get(), I(2).get()), 0);
  EXPECT_EQ(ReprString(d.get()), "{'a': 1, 2: 2}");
  EXPECT_EQ(ErrorOf(SetItem(d.get(), l.get(), I(0).get())), "TypeError: unhashable type: 'list'");
  EXPECT_EQ(DelItem(d.get(), S("a").get()), 0);
  EXPECT_EQ(ErrorOf(DelItem(d.get(), S("a").get())), "KeyError: 'a'");
  EXPECT_EQ(ReprString(d.get()), "{2: 2}");
  Ref t = T({I(1).get()});
  EXPECT_EQ(ErrorOf(SetItem(t.get(), I(0).get(), I(1).get())), "TypeError: 'tuple' object does not support item assignment");
  EXPECT_EQ(ErrorOf(SetItem(S("a").get(), I(0).get(), I(1).get())), "TypeError: 'str' object does not support item assignment");
  EXPECT_EQ(ErrorOf(DelItem(t.get(), I(0).get())), "TypeError: 'tuple' object doesn't support item deletion");
}

TEST_F(Ops, Slices) {
  auto slice = [](Object* c, Object* lo, Object* hi) {
    Ref r = GetSlice(c, lo, hi);
    if (!r) return ObjectsTest::TakeError();
    return ObjectsTest::ReprString(r.get());
  };
  Ref l = L({I(0).get(), I(1).get(), I(2).get(), I(3).get(), I(4).get()});
  Object* none = &g_none;
  EXPECT_EQ(slice(l.get(), I(1).get(), I(3).get()), "[1, 2]");
  EXPECT_EQ(slice(l.get(), none, I(-2).get()), "[0, 1, 2]");
  EXPECT_EQ(slice(l.get(), I(-2).get(), none), "[3, 4]");
  EXPECT_EQ(slice(l.get(), none, none), "[0, 1, 2, 3, 4]");
  EXPECT_EQ(slice(l.get(), I(4).get(), I(1).get()), "[]");
  EXPECT_EQ(slice(l.get(), I(-100).get(), I(100).get()), "[0, 1, 2, 3, 4]");
  Ref copy = GetSlice(l.get(), none, none);
  EXPECT_NE(copy.get(), l.get());  // l[:] is a new list
  Ref t = T({I(1).get(), I(2).get(), I(3).get()});
  EXPECT_EQ(slice(t.get(), I(1).get(), none), "(2, 3)");
  EXPECT_EQ(slice(t.get(), I(2).get(), I(2).get()), "()");
  Ref s = S("hello");
  EXPECT_EQ(slice(s.get(), I(1).get(), I(-1).get()), "'ell'");
  EXPECT_EQ(slice(s.get(), none, I(2).get()), "'he'");
  EXPECT_EQ(slice(s.get(), I(10).get(), none), "''");
  Ref r = NewRange(0, 10, 2);
  EXPECT_EQ(slice(r.get(), I(1).get(), I(3).get()), "range(2, 6, 2)");
  EXPECT_EQ(slice(l.get(), I(1).get(), S("a").get()),
            "TypeError: slice indices must be integers or None or have an __index__ method");
  EXPECT_EQ(slice(I(3).get(), none, none), "TypeError: 'int' object is not subscriptable");
}

TEST_F(Ops, Truthiness) {
  Ref d = Dict();
  Object* falsy[] = {&g_none, &g_false, I(0).get(), F(0.0).get(), S("").get(), L({}).get(), T({}).get(), d.get(),
                     NewRange(3, 3, 1).get()};
  (void)falsy;  // the temporaries above die at the end of the statement: test with owned refs
  Ref zero = I(0), zf = F(0.0), es = S(""), el = L({}), et = T({}), er = NewRange(3, 3, 1);
  for (Object* v : {&g_none, static_cast<Object*>(&g_false), zero.get(), zf.get(), es.get(), el.get(), et.get(),
                    d.get(), er.get()})
    EXPECT_EQ(IsTrueObject(v), 0) << ReprString(v);
  Ref one = I(-1), f = F(0.1), s = S(" "), l = L({&g_none}), t = T({&g_none}), r = NewRange(0, 1, 1);
  DictSet(d.get(), I(1).get(), I(1).get());
  Ref cls = Class("P", {});
  Ref inst = AllocInstance(cls.get());
  for (Object* v : {static_cast<Object*>(&g_true), one.get(), f.get(), s.get(), l.get(), t.get(), d.get(), r.get(),
                    inst.get(), static_cast<Object*>(&g_int_type)})
    EXPECT_EQ(IsTrueObject(v), 1) << ReprString(v);
}

TEST_F(Ops, ReprAndStr) {
  Ref d = Dict();
  DictSet(d.get(), S("a").get(), L({I(1).get(), F(2.0).get()}).get());
  DictSet(d.get(), I(3).get(), T({&g_none, &g_true}).get());
  EXPECT_EQ(ReprString(d.get()), "{'a': [1, 2.0], 3: (None, True)}");
  EXPECT_EQ(StrString(d.get()), "{'a': [1, 2.0], 3: (None, True)}");
  EXPECT_EQ(ReprString(Dict().get()), "{}");
  EXPECT_EQ(ReprString(T({I(1).get()}).get()), "(1,)");
  EXPECT_EQ(ReprString(T({}).get()), "()");
  EXPECT_EQ(ReprString(L({S("x").get()}).get()), "['x']");
  EXPECT_EQ(StrString(S("plain").get()), "plain");
  EXPECT_EQ(StrString(F(0.1).get()), "0.1");
  EXPECT_EQ(StrString(F(1e16).get()), "1e+16");
  EXPECT_EQ(StrString(I(-42).get()), "-42");
  EXPECT_EQ(StrString(&g_false), "False");
  EXPECT_EQ(StrString(&g_none), "None");
  // str reprs: quotes and escapes as CPython picks them.
  EXPECT_EQ(ReprString(S("it's").get()), "\"it's\"");
  EXPECT_EQ(ReprString(S("say \"hi\"").get()), "'say \"hi\"'");
  EXPECT_EQ(ReprString(S("both ' \"").get()), "'both \\' \"'");
  EXPECT_EQ(ReprString(S("a\nb\tc\\").get()), "'a\\nb\\tc\\\\'");
  EXPECT_EQ(ReprString(S(std::string_view("\x01\x7f", 2)).get()), "'\\x01\\x7f'");
  EXPECT_EQ(ReprString(NewRange(0, 5, 1).get()), "range(0, 5)");
  EXPECT_EQ(ReprString(NewRange(0, 5, -2).get()), "range(0, 5, -2)");
  EXPECT_EQ(ReprString(&g_int_type), "<class 'int'>");
  EXPECT_EQ(ReprString(Builtin("len").get()), "<built-in function len>");
  Ref cls = Class("Point", {});
  Ref p = AllocInstance(cls.get());
  EXPECT_EQ(ReprString(p.get()).rfind("<Point object at 0x", 0), 0u);
}

TEST_F(Ops, UserReprAndStrAreCalled) {
  Ref repr_fn = Function("__repr__", [](std::span<Object* const>) { return Str("P()"); });
  Ref cls = Class("P", {{"__repr__", repr_fn.get()}});
  Ref p = AllocInstance(cls.get());
  EXPECT_EQ(ReprString(p.get()), "P()");
  EXPECT_EQ(StrString(p.get()), "P()");  // str falls back to __repr__
  Ref bad = Function("__str__", [](std::span<Object* const>) { return Int(1); });
  Ref cls2 = Class("Q", {{"__str__", bad.get()}});
  Ref q = AllocInstance(cls2.get());
  EXPECT_EQ(ErrorOf(StrOf(q.get())), "TypeError: __str__ returned non-string (type int)");
}

TEST_F(Ops, FloatReprMatchesCPython) {
  // /usr/bin/python3 (3.11): print(repr(x)) for each.
  const std::pair<double, const char*> table[] = {
      {0.1, "0.1"},
      {1e16, "1e+16"},
      {1.5e-05, "1.5e-05"},
      {INFINITY, "inf"},
      {-INFINITY, "-inf"},
      {NAN, "nan"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1.0, "1.0"},
      {1e15, "1000000000000000.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {0.0001, "0.0001"},
      {1e-05, "1e-05"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {3.14159, "3.14159"},
      {1e22, "1e+22"},
      {1e-7, "1e-07"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {100.0, "100.0"},
      {-2.5, "-2.5"},
      {123.456, "123.456"},
      {1e100, "1e+100"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1234567890123456.0, "1234567890123456.0"},
      {12345678901234567.0, "1.2345678901234568e+16"},
      {9007199254740993.0, "9007199254740992.0"},
      {0x1p-20, "9.5367431640625e-07"},
      {1e-4 * 3, "0.00030000000000000003"},
  };
  for (const auto& [value, expected] : table) {
    EXPECT_EQ(FloatRepr(value), expected);
    Ref f = F(value);
    EXPECT_EQ(ReprString(f.get()), expected);
  }
}

TEST_F(Ops, CheckHashable) {
  Ref t = T({I(1).get(), S("a").get(), T({F(1.5).get(), &g_none}).get()});
  EXPECT_EQ(CheckHashable(t.get()), 0);
  EXPECT_EQ(CheckHashable(&g_true), 0);
  EXPECT_EQ(ErrorOf(CheckHashable(Dict().get())), "TypeError: unhashable type: 'dict'");
  EXPECT_EQ(ErrorOf(CheckHashable(T({L({}).get()}).get())), "TypeError: unhashable type: 'list'");
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
