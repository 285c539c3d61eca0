// The statistics against values computed by hand (and by numpy for the percentiles); the same
// values plots/tests/test_stats.py checks in Python.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "statistics.h"

namespace ftb::stats {
namespace {

TEST(Statistics, CentralValuesAndSpread) {
  std::vector<double> x = {4, 1, 3, 2, 10};
  EXPECT_DOUBLE_EQ(Mean(x), 4.0);
  EXPECT_DOUBLE_EQ(Median(x), 3.0);
  EXPECT_DOUBLE_EQ(Median({1, 2, 3, 4}), 2.5);
  EXPECT_DOUBLE_EQ(Min(x), 1.0);
  EXPECT_DOUBLE_EQ(Max(x), 10.0);
  // sample variance: ((0)^2+(3)^2+(1)^2+(2)^2+(6)^2)/4 = 50/4
  EXPECT_DOUBLE_EQ(StandardDeviation(x), std::sqrt(12.5));
  EXPECT_DOUBLE_EQ(CoefficientOfVariation(x), std::sqrt(12.5) / 4.0);
  EXPECT_DOUBLE_EQ(StandardDeviation({7}), 0.0);
  EXPECT_THROW(Mean({}), std::invalid_argument);
}

TEST(Statistics, PercentilesInterpolateLikeNumpy) {
  std::vector<double> x = {10, 20, 30, 40};
  EXPECT_DOUBLE_EQ(Percentile(x, 0), 10.0);
  EXPECT_DOUBLE_EQ(Percentile(x, 100), 40.0);
  EXPECT_DOUBLE_EQ(Percentile(x, 50), 25.0);
  EXPECT_DOUBLE_EQ(Percentile(x, 90), 37.0);  // numpy.percentile([10,20,30,40], 90) == 37.0
  EXPECT_DOUBLE_EQ(Percentile(x, 25), 17.5);
  EXPECT_THROW(Percentile(x, 101), std::invalid_argument);
  EXPECT_THROW(Percentile(x, std::nan("")), std::invalid_argument);
  EXPECT_THROW(Percentile({}, 50), std::invalid_argument);
}

// Percentile selects instead of sorting, Percentiles sorts once: both give the textbook formula's
// value on the sorted sample, digit for digit.
TEST(Statistics, PercentileBySelectionEqualsTheSortedFormula) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    std::vector<double> x(1 + rng() % 40);
    for (double& v : x) v = static_cast<double>(rng() % 50);  // ties too
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> ps = {0, 1, 25, 50, 62.5, 90, 99, 99.9, 100};
    std::vector<double> many = Percentiles(x, ps);
    for (std::size_t i = 0; i < ps.size(); ++i) {
      double rank = ps[i] / 100.0 * static_cast<double>(x.size() - 1);
      auto lo = static_cast<std::size_t>(std::floor(rank)), hi = static_cast<std::size_t>(std::ceil(rank));
      double want = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
      EXPECT_EQ(Percentile(x, ps[i]), want);
      EXPECT_EQ(many[i], want);
    }
  }
}

TEST(Statistics, RobustCvIsScaledMadOverMedian) {
  // median 10; absolute deviations 2 1 0 1 40 -> MAD 1; one wild value does not move it.
  EXPECT_NEAR(stats::RobustCV({8, 9, 10, 11, 50}), 1.4826 * 1 / 10, 1e-12);
  EXPECT_DOUBLE_EQ(stats::RobustCV({5, 5, 5}), 0.0);
  EXPECT_DOUBLE_EQ(stats::RobustCV({0, 0, 0}), 0.0);
}

TEST(Statistics, JainIndex) {
  EXPECT_DOUBLE_EQ(JainIndex({5, 5, 5, 5}), 1.0);
  EXPECT_DOUBLE_EQ(JainIndex({1, 0, 0, 0}), 0.25);  // one thread did everything: 1/n
  EXPECT_DOUBLE_EQ(JainIndex({1, 3}), 16.0 / (2 * 10));
  EXPECT_DOUBLE_EQ(JainIndex({}), 1.0);
}

TEST(Statistics, BootstrapIntervalsContainTheEstimateAndNarrowWithLessNoise) {
  std::vector<double> tight = {100, 101, 99, 100, 100.5, 99.5, 100, 100.2, 99.8};
  std::vector<double> loose = {100, 130, 70, 110, 90, 125, 75, 100, 105};
  Interval t = BootstrapMedianCI(tight, 1);
  Interval l = BootstrapMedianCI(loose, 1);
  EXPECT_LE(t.low, Median(tight));
  EXPECT_GE(t.high, Median(tight));
  EXPECT_LT(t.high - t.low, l.high - l.low);
  // Deterministic for a seed.
  Interval again = BootstrapMedianCI(tight, 1);
  EXPECT_EQ(t.low, again.low);
  EXPECT_EQ(t.high, again.high);
  // All-equal samples: a degenerate interval at the value.
  Interval flat = BootstrapMedianCI({3, 3, 3}, 9);
  EXPECT_DOUBLE_EQ(flat.low, 3.0);
  EXPECT_DOUBLE_EQ(flat.high, 3.0);
}

TEST(Statistics, BootstrapRatioOfMedians) {
  std::vector<double> slow = {200, 202, 198, 201, 199};
  std::vector<double> fast = {100, 101, 99, 100.5, 99.5};
  Interval r = BootstrapRatioCI(slow, fast, 42);
  EXPECT_LE(r.low, 2.0);
  EXPECT_GE(r.high, 2.0);
  EXPECT_GT(r.low, 1.9);
  EXPECT_LT(r.high, 2.1);
  Interval exact = BootstrapRatioCI({6, 6}, {3, 3}, 1);
  EXPECT_DOUBLE_EQ(exact.low, 2.0);
  EXPECT_DOUBLE_EQ(exact.high, 2.0);
}

}  // namespace
}  // namespace ftb::stats
