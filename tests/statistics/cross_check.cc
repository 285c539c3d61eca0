// The C++ side of the C++/Python agreement test (cross_check_test.py): reads cases of samples as
// JSON on stdin, prints every statistic both languages compute, as JSON on stdout.
//
// stdin:  {"seed": S, "resamples": R, "percentiles": [p, ...], "cases": [{"x": [...], "y": [...]}]}
// stdout: [{"median", "percentiles", "sample_cv", "robust_cv", "ratio", "ratio_ci": [low, high]}]
//         per case; ratio = median(y) / median(x), its bootstrap interval from BootstrapRatioCI.
#include <iostream>

#include <nlohmann/json.hpp>

#include "statistics.h"

int main() {
  using nlohmann::json;
  namespace stats = ftb::stats;
  const json in = json::parse(std::cin);
  const auto seed = in.at("seed").get<std::uint64_t>();
  const int resamples = in.at("resamples").get<int>();
  const auto ps = in.at("percentiles").get<std::vector<double>>();
  json out = json::array();
  for (const json& c : in.at("cases")) {
    const auto x = c.at("x").get<std::vector<double>>();
    const auto y = c.at("y").get<std::vector<double>>();
    const stats::Interval ci = stats::BootstrapRatioCI(y, x, seed, resamples);
    out.push_back({{"median", stats::Median(x)},
                   {"percentiles", stats::Percentiles(x, ps)},
                   {"sample_cv", stats::CoefficientOfVariation(x)},
                   {"robust_cv", stats::RobustCV(x)},
                   {"ratio", stats::Median(y) / stats::Median(x)},
                   {"ratio_ci", {ci.low, ci.high}}});
  }
  std::cout << out.dump(1) << '\n';
  return 0;
}
