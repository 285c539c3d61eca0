// The machine calibration: its place in the sweep plan, its kernel's work split, and the
// sweep-level block and per-cell fields computed from its rows.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "calibration.h"
#include "sweep.h"

namespace ftb::bench {
namespace {
using nlohmann::json;

SweepSettings Settings(bool calibration) {
  SweepSettings s;
  s.variants = {"gil", "brc"};
  s.workloads = {"a", "b"};
  s.threads = {1, 2, 4};
  s.repetitions = 3;
  s.seed = 11;
  s.calibration = calibration;
  return s;
}

TEST(CalibrationPlan, OncePerThreadCountPerRoundInterleavedWithTheCells) {
  const SweepSettings s = Settings(true);
  std::vector<PlannedRun> plan = PlanSweep(s);
  const std::size_t per_round = 2 * 2 * 3 + 3;  // cells, then one calibration per thread count
  ASSERT_EQ(plan.size(), per_round * 3);
  bool somewhere_inside = false;
  for (int rep = 0; rep < 3; ++rep) {
    std::multiset<int> calibrated;
    std::set<std::string> cells;
    for (std::size_t i = rep * per_round; i < (rep + 1) * per_round; ++i) {
      const RunKey& k = plan[i].key;
      EXPECT_EQ(k.repetition, rep);
      if (IsCalibration(k.workload, k.variant)) {
        calibrated.insert(k.threads);
        // Shuffled among the cells, not appended after them.
        somewhere_inside |= i % per_round < per_round - 3;
      } else {
        cells.insert(k.workload + k.variant + std::to_string(k.threads));
      }
    }
    EXPECT_EQ(calibrated, (std::multiset<int>{1, 2, 4})) << "round " << rep;
    EXPECT_EQ(cells.size(), 12u);
  }
  EXPECT_TRUE(somewhere_inside);
}

TEST(CalibrationPlan, OffLeavesThePlanAsItWas) {
  for (const PlannedRun& p : PlanSweep(Settings(false)))
    EXPECT_FALSE(IsCalibration(p.key.workload, p.key.variant));
  EXPECT_EQ(PlanSweep(Settings(false)).size(), 2u * 2 * 3 * 3);
}

TEST(CalibrationPlan, SettingRoundTripsAndOldFilesHaveNone) {
  json ft;
  Settings(true).WriteTo(ft);
  EXPECT_EQ(ft["calibration"], true);
  EXPECT_TRUE(SweepSettings::ReadFrom(ft).calibration);
  ft.erase("calibration");  // a results file from before the calibration
  EXPECT_FALSE(SweepSettings::ReadFrom(ft).calibration);
}

TEST(CalibrationKernel, WorkSplitAndDeterminism) {
  std::uint64_t total = 0;
  for (int i = 0; i < 3; ++i) total += CalibrationIterations(10, 3, i, Scaling::kStrong);
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(CalibrationIterations(10, 3, 0, Scaling::kStrong), 4u);
  EXPECT_EQ(CalibrationIterations(10, 3, 2, Scaling::kWeak), 10u);
  EXPECT_EQ(CalibrationKernel(7, 1000), CalibrationKernel(7, 1000));
  EXPECT_NE(CalibrationKernel(7, 1000), CalibrationKernel(7, 1001));
  // One step of xorshift64 (13, 7, 17) from 1, by hand.
  std::uint64_t x = 1;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  EXPECT_EQ(CalibrationKernel(1, 1), x);

  CellRecord strong = RunCalibration(2, 1001, Scaling::kStrong);
  EXPECT_EQ(strong.workload, kCalibrationWorkload);
  EXPECT_EQ(strong.variant, kCalibrationVariant);
  ASSERT_EQ(strong.threads.size(), 2u);
  EXPECT_EQ(strong.threads[0].work_units + strong.threads[1].work_units, 1001u);
  EXPECT_GT(strong.wall_seconds, 0);
  EXPECT_EQ(strong.checksum, RunCalibration(2, 1001, Scaling::kStrong).checksum);
  CellRecord weak = RunCalibration(2, 1001, Scaling::kWeak);
  EXPECT_EQ(weak.threads[1].work_units, 1001u);
}

json Row(const std::string& workload, const std::string& variant, int threads, int rep, double seconds,
         double units) {
  return {{"workload", workload}, {"variant", variant}, {"threads", threads}, {"repetition_index", rep},
          {"wall_seconds", seconds}, {"units", units}, {"size", 100}, {"scaling", "strong"},
          {"placement", "compact"}, {"run_type", "iteration"}};
}

TEST(CalibrationBlock, SpeedupPerRoundFlaggedRoundsAndMedians) {
  std::vector<json> rows = {Row("fib", "gil", 1, 0, 1.0, 10)};  // not a calibration row
  // Three rounds at 1 and 2 threads: speedups 2.0, 1.5, 1.9 (strong: same units).
  const double two[] = {0.5, 2.0 / 3.0, 1.0 / 1.9};
  for (int rep = 0; rep < 3; ++rep) {
    rows.push_back(Row(kCalibrationWorkload, kCalibrationVariant, 1, rep, 1.0, 100));
    rows.push_back(Row(kCalibrationWorkload, kCalibrationVariant, 2, rep, two[rep], 100));
  }
  json block = CalibrationBlock(rows, 1, 0.9);
  ASSERT_FALSE(block.is_null());
  ASSERT_EQ(block["rounds"].size(), 3u);
  EXPECT_NEAR(block["rounds"][0]["speedup"]["2"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(block["rounds"][1]["efficiency"]["2"].get<double>(), 0.75, 1e-12);
  EXPECT_TRUE(block["rounds"][1]["flagged"].get<bool>());
  EXPECT_FALSE(block["rounds"][2]["flagged"].get<bool>());  // 0.95
  EXPECT_EQ(block["flagged_rounds"], json::array({1}));
  EXPECT_NEAR(block["threads"]["2"]["speedup"]["value"].get<double>(), 1.9, 1e-12);
  EXPECT_EQ(block["scaling"], "strong");
  EXPECT_NE(CalibrationSummary(block).find("rounds below 0.90 machine efficiency: 1 of 3"), std::string::npos)
      << CalibrationSummary(block);

  // Weak scaling: twice the units at 2 threads in the same time is a speedup of 2.
  std::vector<json> weak = {Row(kCalibrationWorkload, kCalibrationVariant, 1, 0, 1.0, 100),
                            Row(kCalibrationWorkload, kCalibrationVariant, 2, 0, 1.0, 200)};
  EXPECT_NEAR(CalibrationBlock(weak, 1)["rounds"][0]["speedup"]["2"].get<double>(), 2.0, 1e-12);

  EXPECT_TRUE(CalibrationBlock({Row("fib", "gil", 1, 0, 1.0, 10)}, 1).is_null());
}

TEST(CalibrationBlock, AnnotatesTheOtherCellsOnly) {
  std::vector<json> rows;
  for (int rep = 0; rep < 2; ++rep) {
    rows.push_back(Row(kCalibrationWorkload, kCalibrationVariant, 1, rep, 1.0, 100));
    rows.push_back(Row(kCalibrationWorkload, kCalibrationVariant, 2, rep, 0.5, 100));
  }
  json block = CalibrationBlock(rows, 1);
  json benchmarks = json::array(
      {Row("fib", "brc", 2, 1, 1.0, 10),
       {{"workload", "fib"}, {"variant", "brc"}, {"threads", 2}, {"run_type", "aggregate"},
        {"aggregate_name", "median"}, {"speedup", {{"value", 1.5}, {"ci_low", 1.4}, {"ci_high", 1.6}}}},
       {{"workload", kCalibrationWorkload}, {"variant", kCalibrationVariant}, {"threads", 2},
        {"run_type", "aggregate"}, {"aggregate_name", "median"}, {"speedup", nullptr}}});
  AnnotateWithCalibration(benchmarks, block);
  EXPECT_NEAR(benchmarks[0]["machine_speedup"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(benchmarks[1]["machine_speedup"]["value"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(benchmarks[1]["efficiency_vs_machine"]["value"].get<double>(), 0.75, 1e-12);
  EXPECT_NEAR(benchmarks[1]["efficiency_vs_machine"]["ci_low"].get<double>(), 0.7, 1e-12);
  EXPECT_FALSE(benchmarks[2].contains("efficiency_vs_machine"));
}

}  // namespace
}  // namespace ftb::bench
