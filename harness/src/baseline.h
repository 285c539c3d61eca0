// baseline.h: ftbench run --baseline-binary: another build's runs interleaved with this build's.
//
// A paired sweep runs every cell twice per repetition round, once by this binary and once by the
// base binary (both as fresh `cell` child processes, the same arguments and the same size), the two
// runs of a cell back to back in a random order, the pairs shuffled within the round. A slow phase
// of the machine then slows both runs of a pair alike, and compare tests the per-round ratios
// new / base (plots/ftbplots/paired.py; docs/compare.md, "Paired sweeps").
//
// The base runs go to their own files in the results directory (baseline.json, .csv, .txt, in the
// layout of results.json, every row marked "build": "base"): results.json stays this build's sweep
// alone, so every reader of it, Google Benchmark's tools included, sees no second build.
// context.ftbench.baseline in results.json names the base binary, its --version and its work scale
// (docs/results-format.md), and --resume reads it back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ftb::bench {

// RunKey::build of a base run; this build's runs have an empty build.
inline constexpr const char* kBaseBuild = "base";
// The base runs' files: DIR/baseline.json, baseline.csv, baseline.txt.
inline constexpr const char* kBaselineStem = "baseline";

struct BaselineSettings {
  std::string binary;       // absolute path of the base ftbench; empty: no base build
  std::string version;      // its `--version` output, one line per line; "unknown" for an ftbench without it
  double work_scale = 1.0;  // the base side's work scale (the sweep's unless --baseline-work-scale)

  bool enabled() const { return !binary.empty(); }
  // context.ftbench.baseline: {"binary", "version", "work_scale", "file"}.
  void WriteTo(nlohmann::json& baseline) const;
  // Reads back what WriteTo wrote; a missing or mistyped field: std::runtime_error naming it.
  static BaselineSettings ReadFrom(const nlohmann::json& baseline);
};

// Checks the base binary before a sweep: PATH exists and is an executable file; it is an ftbench
// (`PATH --version` prints "ftbench ...", or, for an ftbench older than --version, `PATH list`
// prints ftbench's workload table); its `list` names every workload of the sweep; and a probe cell
// per variant (`PATH cell` at size 1, one thread, no warm-up) exits 0 with a record this build can
// read, which also checks that the two speak the same cell protocol. Returns the settings with the
// absolute path and the version filled in. Any failure: InputError, one line naming PATH.
BaselineSettings ProbeBaselineBinary(const std::string& path, const std::vector<std::string>& workloads,
                                     const std::vector<std::string>& variants, double work_scale);

// The base file's context: this sweep's context with work_scale set to the base side's, the
// executable, commit and version of the base binary, calibration off (the calibration cell is run
// by this build only) and "build": "base".
nlohmann::json BaselineContext(const nlohmann::json& context, const BaselineSettings& baseline);

}  // namespace ftb::bench
