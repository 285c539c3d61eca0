// Placement plans on hwloc synthetic topologies: the shapes of multi-socket SMT servers, not only
// the machine the tests run on.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "topology.h"

namespace ftb::bench {
namespace {

TEST(Placement, SyntheticTopologyShape) {
  Topology t = Topology::Load("pack:2 core:8 pu:2");
  EXPECT_EQ(t.Packages(), 2);
  EXPECT_EQ(t.Cores(), 16);
  EXPECT_EQ(t.Pus(), 32);
}

TEST(Placement, SyntheticTopologyTooLargeIsRefusedBeforeLoading) {
  // 2,000,000 PUs: hwloc would take minutes and gigabytes; refused at once, naming the bound.
  try {
    Topology::Load("pack:1000 core:1000 pu:2");
    FAIL() << "loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has 2000000 PUs; at most 4096"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Topology::Load("pack:99999999999 core:99999999999 pu:2"), std::runtime_error);
  EXPECT_EQ(Topology::Load("pack:2 numa:2(memory=1GB) core:8 pu:2").Pus(), 64);  // attributes are skipped
}

TEST(Placement, CompactFillsCoresBeforeSmtSiblings) {
  Topology t = Topology::Load("pack:2 core:8 pu:2");
  // Synthetic PUs are numbered in order: core c holds PUs 2c and 2c + 1.
  std::vector<int> four = t.Plan(4, Placement::kCompact);
  EXPECT_EQ(four, (std::vector<int>{0, 2, 4, 6}));
  std::vector<int> all = t.Plan(32, Placement::kCompact);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(all[i] % 2, 0) << "thread " << i << " should be a core's first PU";
  for (int i = 16; i < 32; ++i) EXPECT_EQ(all[i] % 2, 1) << "thread " << i << " should be an SMT sibling";
  EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), 32u);
  // Oversubscription wraps around.
  std::vector<int> more = t.Plan(34, Placement::kCompact);
  EXPECT_EQ(more[32], 0);
  EXPECT_EQ(more[33], 2);
}

TEST(Placement, ScatterSpreadsAcrossPackagesAndCaches) {
  Topology t = Topology::Load("pack:2 l3:1 core:8 pu:2");
  std::vector<int> two = t.Plan(2, Placement::kScatter);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_LT(two[0], 16);
  EXPECT_GE(two[1], 16);  // one thread per package
  std::vector<int> four = t.Plan(4, Placement::kScatter);
  int first_package = 0;
  for (int pu : four) first_package += pu < 16 ? 1 : 0;
  EXPECT_EQ(first_package, 2);
  std::vector<int> sixteen = t.Plan(16, Placement::kScatter);
  EXPECT_EQ(std::set<int>(sixteen.begin(), sixteen.end()).size(), 16u);
  for (int pu : sixteen) EXPECT_EQ(pu % 2, 0) << "scatter should use one PU per core first";
}

TEST(Placement, FourSocketsAndNoSmt) {
  Topology t = Topology::Load("pack:4 core:16 pu:1");
  EXPECT_EQ(t.Pus(), 64);
  std::vector<int> compact = t.Plan(20, Placement::kCompact);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(compact[i], i);
  std::vector<int> scatter = t.Plan(4, Placement::kScatter);
  std::set<int> packages;
  for (int pu : scatter) packages.insert(pu / 16);
  EXPECT_EQ(packages.size(), 4u);
}

TEST(Placement, NoneBindsNothingAndBadSyntheticIsAnError) {
  Topology t = Topology::Load("pack:1 core:2 pu:1");
  EXPECT_TRUE(t.Plan(8, Placement::kNone).empty());
  EXPECT_THROW(Topology::Load("pack:banana"), std::runtime_error);
}

TEST(Placement, BindingOnThisMachineIsRecorded) {
  Topology t = Topology::Load();
  std::string error;
  ASSERT_TRUE(t.BindCurrentThread(t.Plan(1, Placement::kCompact)[0], &error)) << error;
  EXPECT_EQ(t.CurrentPu(), t.Plan(1, Placement::kCompact)[0]);
  EXPECT_FALSE(t.BindCurrentThread(100000, &error));
  EXPECT_NE(error.find("cannot bind"), std::string::npos) << error;
}

}  // namespace
}  // namespace ftb::bench
