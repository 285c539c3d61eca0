// Iteration: range, list, tuple, str, dict (keys, values, items; views), enumerate, zip, and
// sequence unpacking.
#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Iterators = ObjectsTest;

// The items an iterable yields, as the repr of a list; "Type: message" if iterating raised.
std::string Drain(Object* iterable) {
  Ref it = GetIter(iterable);
  if (!it) return ObjectsTest::TakeError();
  Ref out = List();
  while (Ref item = IterNext(it.get())) ListAppend(out.get(), item.get());
  if (ErrorPending()) return ObjectsTest::TakeError();
  // Exhausted iterators stay exhausted.
  EXPECT_FALSE(IterNext(it.get()));
  EXPECT_FALSE(ErrorPending());
  return ObjectsTest::ReprString(out.get());
}

TEST_F(Iterators, Ranges) {
  EXPECT_EQ(Drain(NewRange(0, 5, 1).get()), "[0, 1, 2, 3, 4]");
  EXPECT_EQ(Drain(NewRange(5, 0, -2).get()), "[5, 3, 1]");
  EXPECT_EQ(Drain(NewRange(3, 3, 1).get()), "[]");
  EXPECT_EQ(Drain(NewRange(0, -3, 1).get()), "[]");
  EXPECT_EQ(RangeLength(0, 10, 3), 4);
  EXPECT_EQ(RangeLength(10, 0, -3), 4);
  EXPECT_EQ(RangeLength(INT64_MIN, INT64_MAX, 4), std::int64_t{1} << 62);
  // The last value of a range that ends at the top of int64 is reached without overflow.
  EXPECT_EQ(Drain(NewRange(INT64_MAX - 2, INT64_MAX, 1).get()), "[9223372036854775805, 9223372036854775806]");
  EXPECT_EQ(Drain(NewRange(INT64_MIN, INT64_MIN + 4, 3).get()), "[-9223372036854775808, -9223372036854775805]");
}

TEST_F(Iterators, Sequences) {
  Ref l = L({I(1).get(), S("a").get()});
  EXPECT_EQ(Drain(l.get()), "[1, 'a']");
  EXPECT_EQ(Drain(T({I(1).get(), I(2).get()}).get()), "[1, 2]");
  EXPECT_EQ(Drain(S("abc").get()), "['a', 'b', 'c']");
  EXPECT_EQ(Drain(S("").get()), "[]");
  EXPECT_EQ(Drain(I(3).get()), "TypeError: 'int' object is not iterable");
  EXPECT_EQ(Drain(&g_none), "TypeError: 'NoneType' object is not iterable");
  // A list that grows while it is iterated yields the new items (as Python's does).
  Ref it = GetIter(l.get());
  Ref first = IterNext(it.get());
  ListAppend(l.get(), I(3).get());
  Ref second = IterNext(it.get()), third = IterNext(it.get());
  ASSERT_TRUE(third);
  EXPECT_EQ(ReprString(third.get()), "3");
  EXPECT_FALSE(IterNext(it.get()));
  // An iterator is its own iterator.
  Ref again = GetIter(it.get());
  EXPECT_EQ(again.get(), it.get());
  EXPECT_EQ(ErrorOf(IterNext(l.get())), "TypeError: 'list' object is not an iterator");
}

TEST_F(Iterators, DictsAndViews) {
  Ref d = Dict();
  DictSet(d.get(), S("a").get(), I(1).get());
  DictSet(d.get(), S("b").get(), I(2).get());
  DictSet(d.get(), I(3).get(), &g_none);
  EXPECT_EQ(Drain(d.get()), "['a', 'b', 3]");
  Ref keys = NewDictView(d.get(), DictViewKind::kKeys);
  Ref values = NewDictView(d.get(), DictViewKind::kValues);
  Ref items = NewDictView(d.get(), DictViewKind::kItems);
  EXPECT_EQ(Drain(keys.get()), "['a', 'b', 3]");
  EXPECT_EQ(Drain(values.get()), "[1, 2, None]");
  EXPECT_EQ(Drain(items.get()), "[('a', 1), ('b', 2), (3, None)]");
  EXPECT_EQ(ReprString(keys.get()), "dict_keys(['a', 'b', 3])");
  EXPECT_EQ(ReprString(items.get()), "dict_items([('a', 1), ('b', 2), (3, None)])");
  EXPECT_EQ(LengthOf(values.get()), 3);
  EXPECT_EQ(Contains(keys.get(), S("b").get()), 1);
  EXPECT_EQ(Contains(values.get(), I(2).get()), 1);
  EXPECT_EQ(Contains(values.get(), I(5).get()), 0);
  EXPECT_EQ(Contains(items.get(), T({S("a").get(), I(1).get()}).get()), 1);
  EXPECT_EQ(Contains(items.get(), T({S("a").get(), I(2).get()}).get()), 0);
  EXPECT_EQ(IsTrueObject(keys.get()), 1);
  // Views are live: they see later changes.
  DictDel(d.get(), S("a").get());
  EXPECT_EQ(Drain(keys.get()), "['b', 3]");
  // Deleted entries are skipped.
  EXPECT_EQ(Drain(items.get()), "[('b', 2), (3, None)]");
}

TEST_F(Iterators, DictChangedSizeDuringIteration) {
  Ref d = Dict();
  DictSet(d.get(), I(1).get(), I(1).get());
  DictSet(d.get(), I(2).get(), I(2).get());
  Ref it = GetIter(d.get());
  Ref first = IterNext(it.get());
  ASSERT_TRUE(first);
  DictSet(d.get(), I(3).get(), I(3).get());
  EXPECT_EQ(ErrorOf(IterNext(it.get())), "RuntimeError: dictionary changed size during iteration");
  // It stays broken, as CPython's does, even once the size is back.
  DictDel(d.get(), I(3).get());
  EXPECT_EQ(ErrorOf(IterNext(it.get())), "RuntimeError: dictionary changed size during iteration");
  // Replacing a value does not change the size: allowed.
  Ref it2 = GetIter(d.get());
  Ref k = IterNext(it2.get());
  DictSet(d.get(), I(1).get(), S("x").get());
  Ref k2 = IterNext(it2.get());
  ASSERT_TRUE(k2);
  EXPECT_FALSE(IterNext(it2.get()));
  EXPECT_FALSE(ErrorPending());
}

TEST_F(Iterators, EnumerateAndZip) {
  Ref l = L({S("a").get(), S("b").get()});
  Ref e = NewEnumerate(l.get(), 0);
  EXPECT_EQ(Drain(e.get()), "[(0, 'a'), (1, 'b')]");
  Ref e5 = NewEnumerate(S("xy").get(), 5);
  EXPECT_EQ(Drain(e5.get()), "[(5, 'x'), (6, 'y')]");
  EXPECT_FALSE(NewEnumerate(I(1).get(), 0));
  EXPECT_EQ(TakeError(), "TypeError: 'int' object is not iterable");
  Object* two[] = {l.get(), NewRange(10, 20, 1).release()};
  Ref r(Ref::Steal(two[1]));
  Ref z = NewZip(two);
  EXPECT_EQ(Drain(z.get()), "[('a', 10), ('b', 11)]");  // the shortest ends it
  Ref t = T({I(1).get(), I(2).get(), I(3).get()});
  Object* three[] = {l.get(), t.get(), S("pqr").release()};
  Ref s = Ref::Steal(three[2]);
  Ref z3 = NewZip(three);
  EXPECT_EQ(Drain(z3.get()), "[('a', 1, 'p'), ('b', 2, 'q')]");
  Ref z0 = NewZip({});
  EXPECT_EQ(Drain(z0.get()), "[]");
  Object* bad[] = {l.get(), &g_none};
  EXPECT_FALSE(NewZip(bad));
  EXPECT_EQ(TakeError(), "TypeError: 'NoneType' object is not iterable");
}

std::string Unpack(Object* seq, std::size_t n) {
  StackRef out[4];
  if (UnpackSequence(seq, n, out) < 0) return ObjectsTest::TakeError();
  Ref list = List();
  for (std::size_t i = 0; i < n; ++i) {
    Ref item = out[i].ToRef();
    ListAppend(list.get(), item.get());
  }
  return ObjectsTest::ReprString(list.get());
}

TEST_F(Iterators, UnpackSequence) {
  EXPECT_EQ(Unpack(T({I(1).get(), I(2).get()}).get(), 2), "[1, 2]");
  EXPECT_EQ(Unpack(L({I(1).get(), S("a").get(), &g_none}).get(), 3), "[1, 'a', None]");
  EXPECT_EQ(Unpack(S("ab").get(), 2), "['a', 'b']");
  EXPECT_EQ(Unpack(NewRange(0, 3, 1).get(), 3), "[0, 1, 2]");
  Ref d = Dict();
  DictSet(d.get(), S("k").get(), I(1).get());
  Ref items = NewDictView(d.get(), DictViewKind::kItems);
  Ref it = GetIter(items.get());
  Ref pair = IterNext(it.get());
  EXPECT_EQ(Unpack(pair.get(), 2), "['k', 1]");
  EXPECT_EQ(Unpack(T({I(1).get()}).get(), 2), "ValueError: not enough values to unpack (expected 2, got 1)");
  EXPECT_EQ(Unpack(L({I(1).get(), I(2).get(), I(3).get()}).get(), 2), "ValueError: too many values to unpack (expected 2)");
  EXPECT_EQ(Unpack(S("abc").get(), 2), "ValueError: too many values to unpack (expected 2)");
  EXPECT_EQ(Unpack(NewRange(0, 1, 1).get(), 3), "ValueError: not enough values to unpack (expected 3, got 1)");
  EXPECT_EQ(Unpack(I(1).get(), 2), "TypeError: cannot unpack non-iterable int object");
  EXPECT_EQ(Unpack(&g_none, 2), "TypeError: cannot unpack non-iterable NoneType object");
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
