// stats.h: statistics over samples, as free functions (google/benchmark's src/statistics.cc style).
// Variant-independent; used by the lock and global-lock benchmarks to turn raw samples into
// Google Benchmark counters.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace ftb::micro {

// Jain's fairness index over per-thread allocations x_i (here: lock acquisitions):
//   J = (sum x_i)^2 / (n * sum x_i^2)
// 1.0 when every thread got the same share, 1/n when one thread got everything (Jain, Chiu and
// Hawe, "A Quantitative Measure of Fairness and Discrimination", DEC-TR-301, 1984).
inline double JainIndex(std::span<const std::uint64_t> x) {
  if (x.empty()) return 1.0;
  double sum = 0, sum_sq = 0;
  for (std::uint64_t v : x) {
    double d = static_cast<double>(v);
    sum += d;
    sum_sq += d * d;
  }
  if (sum_sq == 0) return 1.0;
  return sum * sum / (static_cast<double>(x.size()) * sum_sq);
}

// The q-quantile (0 <= q <= 1) by the nearest-rank method; reorders `samples`. 0 when empty.
template <class T>
double Quantile(std::vector<T>& samples, double q) {
  if (samples.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  rank = std::min(rank, samples.size() - 1);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank), samples.end());
  return static_cast<double>(samples[rank]);
}

template <class T>
double Mean(std::span<const T> samples) {
  if (samples.empty()) return 0;
  double sum = 0;
  for (T v : samples) sum += static_cast<double>(v);
  return sum / static_cast<double>(samples.size());
}

}  // namespace ftb::micro
