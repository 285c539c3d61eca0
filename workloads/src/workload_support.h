// workload_support.h: what workload sources share (compiled per variant).
//
// Register a workload from its source file:
//   FTB_REGISTER_WORKLOAD(MyWorkload, {.name = "...", ...});
// where MyWorkload derives from ftb::bench::WorkloadInstance and has a constructor taking
// (const ftb::bench::CellConfig&). Most workloads derive from UnitWorkload below, which handles the
// unit split and the checksum rules:
//
//   - a unit's result is folded in as Mix(result ^ unit) and summed: the sum does not depend on
//     which thread did which unit, so strong scaling gives the same checksum at every thread count;
//   - in weak scaling every thread does all units and must arrive at the same sum; Finish returns
//     0 (a wrong answer) if the threads disagree.
#pragma once

#include <chrono>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "ftb/runtime.h"
#include "ftb/workload.h"

FTB_NAMESPACE_BEGIN
namespace workloads {

void RegisterWorkload(bench::WorkloadEntry entry);

// A cell of a Python workload (python.cc).
std::unique_ptr<bench::WorkloadInstance> MakePythonCell(std::shared_ptr<const bc::CodeUnit> code,
                                                        const bench::CellConfig& config);

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
inline std::uint64_t Mix(std::uint64_t value, std::int64_t unit) {
  return Mix(value ^ static_cast<std::uint64_t>(unit));
}
inline std::uint64_t DoubleBits(double d) {
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}
// FNV-1a over a string's bytes: a content hash that, unlike the runtime's Hash, is part of no
// variant and therefore identical in all of them.
constexpr std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

// The common shape: a per-thread loop over this thread's units, one checksum slot per thread.
class UnitWorkload : public bench::WorkloadInstance {
 public:
  explicit UnitWorkload(const bench::CellConfig& config) : config_(config), sums_(static_cast<std::size_t>(config.threads)) {}

  void RunThread(int index, bench::ThreadOutput& out) override {
    sums_[static_cast<std::size_t>(index)].value = Run(index, bench::UnitsFor(config_, index), out);
  }

  std::uint64_t Finish() override {
    if (config_.scaling == bench::Scaling::kWeak) {
      for (const Slot& s : sums_)
        if (s.value != sums_[0].value) return 0;  // threads disagree: a wrong answer
      return sums_[0].value;
    }
    std::uint64_t total = 0;
    for (const Slot& s : sums_) total += s.value;
    return total;
  }

 protected:
  // Does units [range.begin, range.end) on worker `index` and returns the sum of their mixed results.
  virtual std::uint64_t Run(int index, bench::UnitRange range, bench::ThreadOutput& out) = 0;

  double Knob(const char* name) const { return config_.knobs.at(name); }
  std::int64_t IntKnob(const char* name) const { return static_cast<std::int64_t>(config_.knobs.at(name)); }
  bool Weak() const { return config_.scaling == bench::Scaling::kWeak; }

  bench::CellConfig config_;

 private:
  // One cache line per thread: the slots are written once, but keep them apart anyway.
  struct alignas(64) Slot {
    std::uint64_t value = 0;
  };
  std::vector<Slot> sums_;
};

// Records the time from its construction to its destruction in out.latencies_ns: the latency of
// one I/O operation as the program sees it, the wait to get the global lock back included (put it
// first in the loop body, so that the back-edge's eval-breaker check is inside it).
class LatencyProbe {
 public:
  explicit LatencyProbe(bench::ThreadOutput& out) : out_(out), start_(std::chrono::steady_clock::now()) {}
  ~LatencyProbe() {
    out_.latencies_ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start_).count());
  }
  LatencyProbe(const LatencyProbe&) = delete;
  LatencyProbe& operator=(const LatencyProbe&) = delete;

 private:
  bench::ThreadOutput& out_;
  std::chrono::steady_clock::time_point start_;
};

// Makes objects immortal for the lifetime of this guard, then mortal again, from the workload side
// (the runtime has no immortalisation call; CPython 3.13t users did the same by hand to
// make shared values scale). While immortal, every incref and decref of the objects is skipped, so the counts the
// guard saved stay exact; on destruction the saved headers are put back (keeping any gc bits set in
// the meantime) and the owning Refs can free the objects as usual, so the leak check still holds.
// Construct and destroy it with no other thread using the objects (in the workload's constructor
// and destructor, which run on the harness's main thread).
class ScopedImmortal {
 public:
  ScopedImmortal() = default;
  ScopedImmortal(const ScopedImmortal&) = delete;
  ScopedImmortal& operator=(const ScopedImmortal&) = delete;
  ~ScopedImmortal() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      std::uint8_t gc_bits = Policy::LoadGcBits(it->op->hdr);
      it->op->hdr = it->header;
      if (gc_bits != 0) Policy::OrGcBits(it->op->hdr, gc_bits);
    }
  }
  void Add(Object* op) {
    if (IsImmortal(op)) return;
    saved_.push_back({op, op->hdr});
    op->hdr = Policy::ImmortalHeader();
  }

 private:
  struct Saved {
    Object* op;
    Policy::Header header;
  };
  std::vector<Saved> saved_;
};

}  // namespace workloads
FTB_NAMESPACE_END

#define FTB_WORKLOAD_CONCAT2(a, b) a##b
#define FTB_WORKLOAD_CONCAT(a, b) FTB_WORKLOAD_CONCAT2(a, b)
#define FTB_REGISTER_WORKLOAD(Instance, ...)                                                \
  static const ::ftb::workloads::Registrar<Instance> FTB_WORKLOAD_CONCAT(ftb_registrar_, \
                                                                          __LINE__)(::ftb::bench::WorkloadSpec __VA_ARGS__)
