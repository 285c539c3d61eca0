#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ftb::stats {
namespace {

void RequireSamples(const std::vector<double>& samples, const char* what) {
  if (samples.empty()) throw std::invalid_argument(std::string(what) + " of no samples");
}

std::vector<double> Resample(const std::vector<double>& samples, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, samples.size() - 1);
  std::vector<double> out(samples.size());
  for (double& x : out) x = samples[pick(rng)];
  return out;
}

Interval QuantileInterval(std::vector<double> estimates, double confidence) {
  double tail = (1.0 - confidence) / 2.0 * 100.0;
  std::vector<double> ends = Percentiles(std::move(estimates), {tail, 100.0 - tail});
  return {ends[0], ends[1]};
}

}  // namespace

double Mean(const std::vector<double>& samples) {
  RequireSamples(samples, "mean");
  return std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
}

double Median(std::vector<double> samples) { return Percentile(std::move(samples), 50.0); }

double Min(const std::vector<double>& samples) {
  RequireSamples(samples, "min");
  return *std::min_element(samples.begin(), samples.end());
}

double Max(const std::vector<double>& samples) {
  RequireSamples(samples, "max");
  return *std::max_element(samples.begin(), samples.end());
}

double StandardDeviation(const std::vector<double>& samples) {
  if (samples.size() < 2) return 0.0;
  double mean = Mean(samples);
  double sum = 0.0;
  for (double x : samples) sum += (x - mean) * (x - mean);
  return std::sqrt(sum / static_cast<double>(samples.size() - 1));
}

double CoefficientOfVariation(const std::vector<double>& samples) {
  double mean = Mean(samples);
  return mean == 0.0 ? 0.0 : StandardDeviation(samples) / mean;
}

double RobustCV(const std::vector<double>& samples) {
  double median = Median(samples);
  if (median == 0.0) return 0.0;
  std::vector<double> deviations;
  deviations.reserve(samples.size());
  for (double x : samples) deviations.push_back(std::fabs(x - median));
  return 1.4826 * Median(std::move(deviations)) / median;
}

double Percentile(std::vector<double> samples, double p) {
  RequireSamples(samples, "percentile");
  if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile outside [0, 100]");
  const double rank = p / 100.0 * static_cast<double>(samples.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const double frac = rank - static_cast<double>(lo);
  // The lo-th smallest by selection; the next one up is the smallest of what lies above it.
  auto lo_it = samples.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(samples.begin(), lo_it, samples.end());
  const double low = *lo_it;
  if (frac == 0.0) return low;
  const double high = *std::min_element(lo_it + 1, samples.end());
  return low + (high - low) * frac;
}

std::vector<double> Percentiles(std::vector<double> samples, const std::vector<double>& ps) {
  RequireSamples(samples, "percentile");
  std::sort(samples.begin(), samples.end());
  std::vector<double> out;
  out.reserve(ps.size());
  for (double p : ps) {
    if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile outside [0, 100]");
    const double rank = p / 100.0 * static_cast<double>(samples.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = static_cast<std::size_t>(std::ceil(rank));
    out.push_back(samples[lo] + (samples[hi] - samples[lo]) * (rank - static_cast<double>(lo)));
  }
  return out;
}

double JainIndex(const std::vector<double>& shares) {
  double sum = 0.0, sum_sq = 0.0;
  for (double x : shares) {
    sum += x;
    sum_sq += x * x;
  }
  if (shares.empty() || sum_sq == 0.0) return 1.0;
  return sum * sum / (static_cast<double>(shares.size()) * sum_sq);
}

Interval BootstrapMedianCI(const std::vector<double>& samples, std::uint64_t seed, int resamples, double confidence) {
  RequireSamples(samples, "bootstrap");
  std::mt19937_64 rng(seed);
  std::vector<double> medians(static_cast<std::size_t>(resamples));
  for (double& m : medians) m = Median(Resample(samples, rng));
  return QuantileInterval(std::move(medians), confidence);
}

Interval BootstrapRatioCI(const std::vector<double>& numerator, const std::vector<double>& denominator,
                          std::uint64_t seed, int resamples, double confidence) {
  RequireSamples(numerator, "bootstrap");
  RequireSamples(denominator, "bootstrap");
  std::mt19937_64 rng(seed);
  std::vector<double> ratios(static_cast<std::size_t>(resamples));
  for (double& r : ratios) r = Median(Resample(numerator, rng)) / Median(Resample(denominator, rng));
  return QuantileInterval(std::move(ratios), confidence);
}

}  // namespace ftb::stats
