// Object memory tallies (ftb/object.h ObjectMemory): bytes per object by kind are the variant's
// header plus the payload, and live bytes return to where they were once everything is freed.
#include <thread>
#include <vector>

#include "test_support.h"

namespace ftb {
namespace {

using testing::RuntimeTest;
using MemoryTest = RuntimeTest;

// The header each variant documents (object.h), including the type pointer: written out here,
// not taken from sizeof(Object), so a header that grows is caught.
std::int64_t HeaderBytes() {
  std::string_view name = testing::VariantName();
  if (name == "gil") return 16;
  if (name == "atomic") return 24;
  return 32;  // brc
}

ObjectMemory Of(Kind kind) { return ReadObjectMemory()[static_cast<int>(kind)]; }

// Allocates `count` objects with make(i), holds them, and checks the kind's tallies grew by
// `count` objects of `bytes` each; then frees them and checks the live figures are back.
template <class Make>
void ExpectBytesPerObject(Kind kind, std::int64_t bytes, Make make, int count = 10) {
  ObjectMemory before = Of(kind);
  {
    std::vector<Ref> held;
    for (int i = 0; i < count; ++i) held.push_back(make(i));
    for (const Ref& r : held) EXPECT_EQ(static_cast<std::int64_t>(ObjectBytes(r.get())), bytes) << KindName(kind);
    ObjectMemory during = Of(kind);
    EXPECT_EQ(during.allocated_objects - before.allocated_objects, count) << KindName(kind);
    EXPECT_EQ(during.allocated_bytes - before.allocated_bytes, count * bytes) << KindName(kind);
    EXPECT_EQ(during.live_objects - before.live_objects, count) << KindName(kind);
    EXPECT_EQ(during.live_bytes - before.live_bytes, count * bytes) << KindName(kind);
  }
  EvalBreakerCheck();
  ObjectMemory after = Of(kind);
  EXPECT_EQ(after.live_objects, before.live_objects) << KindName(kind);
  EXPECT_EQ(after.live_bytes, before.live_bytes) << KindName(kind);
  EXPECT_EQ(after.allocated_bytes - before.allocated_bytes, count * bytes) << "allocations only grow";
}

TEST_F(MemoryTest, BytesPerObjectAreTheHeaderPlusThePayload) {
  const std::int64_t h = HeaderBytes();
  ExpectBytesPerObject(Kind::kInt, h + 8, [](int i) { return Int(1000 + i); });
  ExpectBytesPerObject(Kind::kFloat, h + 8, [](int i) { return Float(i + 0.5); });
  // str: hash and length, then the characters (6 here) and a NUL.
  ExpectBytesPerObject(Kind::kStr, h + 16 + 6 + 1, [](int i) { return Str("hello" + std::to_string(i % 10)); });
  // tuple: its size, then one pointer per item.
  ExpectBytesPerObject(Kind::kTuple, h + 8 + 3 * 8, [](int) { return Tuple({None().get(), None().get(), None().get()}); });
  // list and dict: the object alone (size and array pointer; table pointer and count).
  ExpectBytesPerObject(Kind::kList, h + 16, [](int) { return List(); });
  ExpectBytesPerObject(Kind::kDict, h + 16, [](int) { return Dict(); });
  ExpectBytesPerObject(Kind::kFunction, h + 16, [](int) { return Function("f", [](std::span<Object* const>) { return None(); }); });
  Ref cls = Class("Point", {});
  ExpectBytesPerObject(Kind::kInstance, h + 8, [&](int) { return NewInstance(cls.get()); });
}

TEST_F(MemoryTest, LiveBytesReturnToTheStartAfterFreeing) {
  std::int64_t before = LiveBytesTotal();
  std::int64_t objects_before = LiveObjectsTotal();
  {
    Ref list = List();
    for (int i = 0; i < 200; ++i) {
      Ref s = Str(std::string(static_cast<std::size_t>(i), 'x'));
      Ref t = Tuple({Int(5000 + i).get(), s.get()});
      ListAppend(list.get(), t.get());
    }
    Ref d = Dict();
    for (int i = 0; i < 100; ++i) DictSet(d.get(), Str("k" + std::to_string(i)).get(), Float(i).get());
    EXPECT_GT(LiveBytesTotal(), before);
    // Released by another thread than the one that allocated them (brc: queued and merged).
    std::thread other([&] {
      ThreadAttach attach;
      Ref taken = std::move(list);
      Ref taken_dict = std::move(d);
    });
    AllowThreads allow;  // gil: let the other thread run
    other.join();
  }
  EvalBreakerCheck();
  EXPECT_EQ(LiveObjectsTotal(), objects_before);
  EXPECT_EQ(LiveBytesTotal(), before);
}

}  // namespace
}  // namespace ftb
