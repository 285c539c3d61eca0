// topology.h: the machine as hwloc sees it, and where each worker thread goes.
//
// Placement policies:
//   compact  one thread per physical core in logical order; SMT siblings only after every core
//            has one; beyond the PU count, wrap around (oversubscription).
//   scatter  spread across packages and shared caches (hwloc_distrib), each set singlified.
//   none     no binding.
// A plan is a list of PU os indexes, one per thread. Binding follows hwloc-bind's care: bind to a
// single PU, fail loudly with the set and the error, and record where the thread actually ran.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ftb::bench {

enum class Placement { kCompact, kScatter, kNone };
// A placement's name ("compact", "scatter", "none"), and back: nullopt for any other text.
const char* PlacementName(Placement p);
std::optional<Placement> ParsePlacement(std::string_view name);

struct CacheInfo {
  int level;
  std::string type;  // Data, Instruction, Unified
  long long size;    // bytes
  int num_sharing;   // PUs that share one instance
  int count;         // instances
};

class Topology {
 public:
  // The machine's topology, or a synthetic one (hwloc's syntax, e.g. "pack:2 core:8 pu:2").
  // Throws std::runtime_error with hwloc's reason when it cannot be loaded, and before loading a
  // synthetic one with more than kMaxSyntheticPus PUs (the product of its levels' arities): as many
  // as the most threads a cell may have; building and planning on a larger one grows
  // quadratically (seconds at 4096 PUs, minutes beyond), and ftbench is designed for 1 to 256.
  static constexpr long long kMaxSyntheticPus = 4096;
  static Topology Load(const std::string& synthetic = "");
  ~Topology();
  Topology(Topology&&) noexcept;
  Topology& operator=(Topology&&) noexcept;

  int Packages() const;
  int NumaNodes() const;
  int Cores() const;
  int Pus() const;
  std::string Summary() const;  // e.g. "Package:2 L3:2 Core:16 PU:32"
  std::string CpuModel() const;
  std::vector<CacheInfo> Caches() const;

  // One PU os index per thread (empty for kNone).
  std::vector<int> Plan(int threads, Placement placement) const;
  // Binds the calling thread to PU `pu_os_index`. On failure returns false and sets `error` to a
  // message naming the set and the system's reason.
  bool BindCurrentThread(int pu_os_index, std::string* error) const;
  // The PU the calling thread last ran on, or -1.
  int CurrentPu() const;

 private:
  struct Impl;
  explicit Topology(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftb::bench
