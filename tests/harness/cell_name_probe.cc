// cell_name_probe: the harness's cell and run names for the cases on standard input, for
// cell_name_test.py to compare with plots/ftbplots' functions.
//
// Input: a JSON list of [workload, variant, threads, scaling, placement]. Output: a JSON list of
// [CellName, RunName], one per case, in order.
#include <iostream>

#include <nlohmann/json.hpp>

#include "results.h"

int main() {
  nlohmann::json cases = nlohmann::json::parse(std::cin);
  nlohmann::json out = nlohmann::json::array();
  for (const nlohmann::json& c : cases) {
    const std::string workload = c.at(0), variant = c.at(1), scaling = c.at(3), placement = c.at(4);
    const int threads = c.at(2);
    out.push_back({ftb::bench::CellName(workload, variant, threads),
                   ftb::bench::RunName(workload, variant, threads, scaling, placement)});
  }
  std::cout << out.dump() << "\n";
  return 0;
}
