// workload_support.h: what workload sources share (compiled per variant).
//
// Register a workload from its source file:
//   FTB_REGISTER_WORKLOAD(MyWorkload, {.name = "...", ...});
// where MyWorkload derives from ftb::bench::WorkloadInstance and has a constructor taking
// (const ftb::bench::CellConfig&).
#pragma once

#include "ftb/runtime.h"
#include "ftb/workload.h"

FTB_NAMESPACE_BEGIN
namespace workloads {

void RegisterWorkload(bench::WorkloadEntry entry);

template <class Instance>
struct Registrar {
  explicit Registrar(bench::WorkloadSpec spec) {
    RegisterWorkload({std::move(spec), [](const bench::CellConfig& config) -> std::unique_ptr<bench::WorkloadInstance> {
                        return std::make_unique<Instance>(config);
                      }});
  }
};

// Mixes a 64-bit value into a checksum (splitmix64's finaliser): order-independent sums of mixed
// values give the same checksum however the units are split across threads.
constexpr std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace workloads
FTB_NAMESPACE_END

#define FTB_WORKLOAD_CONCAT2(a, b) a##b
#define FTB_WORKLOAD_CONCAT(a, b) FTB_WORKLOAD_CONCAT2(a, b)
#define FTB_REGISTER_WORKLOAD(Instance, ...)                                                \
  static const ::ftb::workloads::Registrar<Instance> FTB_WORKLOAD_CONCAT(ftb_registrar_, \
                                                                          __LINE__)(::ftb::bench::WorkloadSpec __VA_ARGS__)
