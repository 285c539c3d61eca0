// Bad use fails loudly in builds with FTB_DEBUG_CHECKS (debug and sanitizer presets).
#include <thread>

#include "test_support.h"

namespace ftb {
namespace {

// A type whose dealloc keeps the memory, so a second decref reads a real (dead) header rather
// than freed memory.
void KeepMemory(Object*) noexcept {}
TypeObject g_probe_type{{Policy::ImmortalHeader(), &g_type_type}, "probe", Kind::kFloat, KeepMemory, nullptr};

class DeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(DeathTest, DecrefBelowZeroAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach attach;
        Object probe{};
        Policy::InitHeader(probe.hdr);
        probe.type = &g_probe_type;
        Decref(&probe);  // to zero: "freed"
        Decref(&probe);  // below zero
      },
      "decref below zero");
}

TEST_F(DeathTest, TouchingAnObjectWhileDetachedAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach attach;
        Ref f = Float(1.0);
        AllowThreads allow;
        Incref(f.get());
      },
      "object touched without an attached thread state");
}

TEST_F(DeathTest, TouchingAnObjectFromAThreadWithNoStateAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach attach;
        Ref f = Float(1.0);
        Object* raw = f.get();
        AllowThreads allow;
        std::thread([raw] { Incref(raw); }).join();
      },
      "object touched without an attached thread state");
}

TEST_F(DeathTest, AppendingWithoutTheLockToAReachableListAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach attach;
        Ref list = List();
        Ref other = list;  // a second reference: another thread could reach the list
        ListAppendNew(list.get(), Int(1).get());
      },
      "ListAppendNew on a list that another reference can reach");
}

TEST_F(DeathTest, SettingWithoutTheLockInAReachableDictAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach attach;
        Ref dict = Dict();
        Ref other = dict;
        DictSetNew(dict.get(), Int(1).get(), Int(2).get());
      },
      "DictSetNew on a dict that another reference can reach");
}

TEST_F(DeathTest, SecondThreadAttachOnOneThreadAborts) {
  EXPECT_DEATH(
      {
        ThreadAttach first;
        ThreadAttach second;
      },
      "already has a thread state");
}

}  // namespace
}  // namespace ftb
