// statistics.h: free functions over samples (google/benchmark's statistics.cc style).
//
// Every timing ftbench reports is a median over repetitions with its spread; comparisons between
// variants are ratios of medians with bootstrap confidence intervals.
#pragma once

#include <cstdint>
#include <vector>

namespace ftb::stats {

double Mean(const std::vector<double>& samples);
double Median(std::vector<double> samples);
double Min(const std::vector<double>& samples);
double Max(const std::vector<double>& samples);
// Sample standard deviation (n - 1); 0 for fewer than two samples.
double StandardDeviation(const std::vector<double>& samples);
// Standard deviation / mean; 0 when the mean is 0.
double CoefficientOfVariation(const std::vector<double>& samples);
// Robust coefficient of variation: 1.4826 * median absolute deviation / median (the CV a normal
// sample would have, from statistics one outlier cannot move); compare's noise bound uses the same
// (plots/ftbplots/stats.py robust_cv). 0 when the median is 0.
double RobustCV(const std::vector<double>& samples);
// The p-th percentile (0 <= p <= 100), linear interpolation between closest ranks (numpy's
// default), so Percentile(x, 50) == Median(x).
double Percentile(std::vector<double> samples, double p);
// Jain's fairness index: (sum x)^2 / (n * sum x^2); 1 when all shares are equal, 1/n when one
// thread did everything. 1 for an empty or all-zero input.
double JainIndex(const std::vector<double>& shares);

struct Interval {
  double low;
  double high;
};

// Percentile bootstrap: resample with replacement `resamples` times, take the statistic, return
// the (1 - confidence) / 2 and (1 + confidence) / 2 quantiles. Deterministic for a given seed.
Interval BootstrapMedianCI(const std::vector<double>& samples, std::uint64_t seed, int resamples = 2000,
                           double confidence = 0.95);
// The same for median(numerator) / median(denominator), the two resampled independently.
Interval BootstrapRatioCI(const std::vector<double>& numerator, const std::vector<double>& denominator,
                          std::uint64_t seed, int resamples = 2000, double confidence = 0.95);

}  // namespace ftb::stats
