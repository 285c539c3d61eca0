// The plan of a paired sweep (ftbench run --baseline-binary): every cell by both builds in every
// round, the two runs of a cell back to back, in both orders; the calibration cell by this build
// only; and the baseline settings round-trip through the recorded context.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "baseline.h"
#include "calibration.h"
#include "sweep.h"

namespace ftb::bench {
namespace {

SweepSettings Paired() {
  SweepSettings s;
  s.variants = {"gil", "brc"};
  s.workloads = {"a", "b", "c"};
  s.threads = {1, 2};
  s.repetitions = 4;
  s.seed = 5;
  s.calibration = true;
  s.baseline.binary = "/opt/old/ftbench";
  s.baseline.version = "ftbench 0.1.0\ncommit 0a9bd83";
  s.baseline.work_scale = 0.2;
  return s;
}

TEST(BaselinePlan, EveryCellByBothBuildsInEveryRoundBackToBack) {
  const SweepSettings s = Paired();
  std::vector<PlannedRun> plan = PlanSweep(s);
  const std::size_t cells = 2 * 3 * 2;
  ASSERT_EQ(plan.size(), (2 * cells + 2) * 4);  // both builds' cells and this build's calibration
  std::set<std::tuple<std::string, std::string, int, int, std::string>> seen;
  int base_first = 0, new_first = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const RunKey& k = plan[i].key;
    EXPECT_TRUE(seen.emplace(k.workload, k.variant, k.threads, k.repetition, k.build).second);
    if (IsCalibration(k.workload, k.variant)) {
      EXPECT_EQ(k.build, "");
      continue;
    }
    ASSERT_LT(i + 1, plan.size()) << "the plan ends inside a pair";
    const RunKey& next = plan[i + 1].key;
    if (next.workload == k.workload && next.variant == k.variant &&
        next.threads == k.threads && next.build != k.build) {
      EXPECT_EQ(next.repetition, k.repetition);
      (k.build.empty() ? new_first : base_first)++;
      ++i;
    } else {
      ADD_FAILURE() << "run " << i << " (" << k.workload << "/" << k.variant << "/" << k.threads
                    << ") is not followed by the other build's run of its cell";
    }
  }
  EXPECT_EQ(base_first + new_first, static_cast<int>(cells * 4));
  EXPECT_GT(base_first, 0);
  EXPECT_GT(new_first, 0);
  // Rounds stay rounds: every run of round r before every run of round r + 1.
  for (std::size_t i = 1; i < plan.size(); ++i) EXPECT_LE(plan[i - 1].key.repetition, plan[i].key.repetition);
}

TEST(BaselinePlan, WithoutABaselineThePlanIsUnchanged) {
  SweepSettings s = Paired();
  s.baseline = {};
  for (const PlannedRun& p : PlanSweep(s)) EXPECT_EQ(p.key.build, "");
  EXPECT_EQ(PlanSweep(s).size(), (2u * 3 * 2 + 2) * 4);
}

TEST(BaselineSettings, RoundTripThroughTheRecordedContext) {
  const SweepSettings s = Paired();
  nlohmann::json ft;
  s.WriteTo(ft);
  EXPECT_EQ(ft["baseline"]["file"], "baseline.json");
  SweepSettings back = SweepSettings::ReadFrom(ft);
  EXPECT_EQ(back.baseline.binary, s.baseline.binary);
  EXPECT_EQ(back.baseline.version, s.baseline.version);
  EXPECT_EQ(back.baseline.work_scale, 0.2);
  ft["baseline"].erase("binary");
  EXPECT_THROW(SweepSettings::ReadFrom(ft), std::runtime_error);
  ft.erase("baseline");
  EXPECT_FALSE(SweepSettings::ReadFrom(ft).baseline.enabled());
}

TEST(BaselineSettings, TheBaseContextNamesTheBaseBuild) {
  nlohmann::json context = {{"executable", "/new/ftbench"},
                            {"ftbench", {{"work_scale", 0.1}, {"git_commit", "d1e2907"}, {"calibration", true},
                                         {"baseline", {{"binary", "/opt/old/ftbench"}}}}}};
  nlohmann::json base = BaselineContext(context, Paired().baseline);
  EXPECT_EQ(base["executable"], "/opt/old/ftbench");
  EXPECT_EQ(base["ftbench"]["build"], "base");
  EXPECT_EQ(base["ftbench"]["work_scale"], 0.2);
  EXPECT_EQ(base["ftbench"]["git_commit"], "0a9bd83");
  EXPECT_EQ(base["ftbench"]["calibration"], false);
  EXPECT_FALSE(base["ftbench"].contains("baseline"));
}

}  // namespace
}  // namespace ftb::bench
