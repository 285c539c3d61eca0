// statistics.h: the one C++ implementation of every statistic ftbench reports, as free functions
// over samples (google/benchmark's statistics.cc style). docs/statistics.md defines each one; the
// Python side (plots/ftbplots/stats.py) implements the same definitions, and
// tests/statistics/cross_check_test.py checks the two agree on the same samples.
//
// Used by the harness (every cell's aggregates, the noise figure, the machine calibration) and by
// the primitive benchmarks (micro/: percentiles of lock and switch latencies, Jain's index). It
// depends on the standard library only.
//
// Every timing ftbench reports is a median over repetitions with its spread; comparisons between
// variants are ratios of medians with bootstrap confidence intervals.
#pragma once

#include <cstdint>
#include <vector>

namespace ftb::stats {

// Functions taking samples throw std::invalid_argument for an empty input unless they say
// otherwise.
double Mean(const std::vector<double>& samples);
// The middle value; the mean of the two middle values for an even count (= Percentile(x, 50)).
double Median(std::vector<double> samples);
double Min(const std::vector<double>& samples);
double Max(const std::vector<double>& samples);
// Sample standard deviation (divides by n - 1); 0 for fewer than two samples.
double StandardDeviation(const std::vector<double>& samples);
// The sample coefficient of variation: StandardDeviation / Mean; 0 when the mean is 0. This is
// Google Benchmark's `cv` aggregate and the harness's "variation above 5%" warning (an outlier
// repetition should raise it). Not what ftbench calls "the CV" of a cell: that is RobustCV.
double CoefficientOfVariation(const std::vector<double>& samples);
// The robust coefficient of variation, ftbench's "CV" of a cell: 1.4826 * median absolute
// deviation / median (the CV a normal sample would have, from statistics one outlier cannot
// move). The noise figure and compare's noise bound use it (plots/ftbplots/stats.py robust_cv).
// 0 when the median is 0.
double RobustCV(const std::vector<double>& samples);
// The p-th percentile (0 <= p <= 100) by linear interpolation between the closest ranks: with the
// samples sorted x_0 <= ... <= x_{n-1}, rank r = p / 100 * (n - 1), result x_floor(r) +
// (x_ceil(r) - x_floor(r)) * (r - floor(r)). numpy's default (method "linear", Hyndman and Fan's
// type 7), so Percentile(x, 50) == Median(x). Linear time (selection, not a full sort).
double Percentile(std::vector<double> samples, double p);
// Several percentiles of one sample, in the order of `ps` (one sort for all of them).
std::vector<double> Percentiles(std::vector<double> samples, const std::vector<double>& ps);
// Jain's fairness index: (sum x)^2 / (n * sum x^2); 1 when all shares are equal, 1/n when one
// thread did everything (Jain, Chiu and Hawe, DEC-TR-301, 1984). 1 for an empty or all-zero input.
double JainIndex(const std::vector<double>& shares);

struct Interval {
  double low;
  double high;
};

// Percentile bootstrap: resample with replacement `resamples` times (each index uniform over the
// samples, from std::mt19937_64 seeded with `seed`), take the statistic of each resample, return
// Percentile((1 - confidence) / 2 * 100) and Percentile((1 + confidence) / 2 * 100) of those.
// Deterministic for a given seed (and standard library).
Interval BootstrapMedianCI(const std::vector<double>& samples, std::uint64_t seed, int resamples = 2000,
                           double confidence = 0.95);
// The same for median(numerator) / median(denominator), the two resampled independently.
Interval BootstrapRatioCI(const std::vector<double>& numerator, const std::vector<double>& denominator,
                          std::uint64_t seed, int resamples = 2000, double confidence = 0.95);

}  // namespace ftb::stats
