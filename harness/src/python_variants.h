// python_variants.h: real Python interpreters as variants of a sweep (`ftbench run --python`).
//
// Each interpreter is probed once when the sweep starts (its version, and whether its GIL is
// enabled at run time: sys._is_gil_enabled() where it exists, else on) and becomes the variant
// `cpython-<major>.<minor>`, with a `t` appended when its GIL is off (`cpython-3.13t`). Its cells
// are the Python workloads only (py.*: PlanSweep leaves the C++ workloads out for it), each
// measured run a fresh interpreter process running ftbench's cell driver
// (harness/python/cell_driver.py) with the warm-up runs before it in the same process, its worker
// threads pinned (os.sched_setaffinity) to the PUs of the placement plan the model's threads get,
// started on a threading.Barrier, the same region timed and the same checksum checked.
// The interpreters are recorded in results.json's context.ftbench.pythons ({variant, path,
// version, gil_enabled} each); `run --resume` probes them again and refuses to continue when one
// no longer gives the same variant.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cell_runner.h"
#include "input_error.h"

namespace ftb::bench {

// The oldest interpreter a sweep accepts: the Python workloads and the driver need 3.11.
inline constexpr int kMinPythonMinor = 11;

struct PythonInterpreter {
  std::string variant;  // cpython-3.13, cpython-3.13t
  std::string path;     // absolute
  std::string version;  // 3.13.5
  bool gil_enabled = true;
};

// Whether `name` has the form of a real interpreter's variant: cpython-<digits>.<digits>[t].
bool IsPythonVariantName(const std::string& name);

// Probes the interpreter at `path` (runs it once with -c). InputError, one line, naming the path:
// no such file, a directory, not executable, not a Python interpreter (it does not run the probe),
// or a version below 3.11.
PythonInterpreter ProbePython(const std::string& path);
// Probes each path; two interpreters that would give one variant name: InputError.
std::vector<PythonInterpreter> ProbePythons(const std::vector<std::string>& paths);
// `run --resume`: probes every recorded interpreter again; InputError when one is gone or now
// gives another variant name.
void ReprobePythons(const std::vector<PythonInterpreter>& recorded);

// The interpreter of `variant` among `pythons`, or nullptr.
const PythonInterpreter* FindPython(const std::vector<PythonInterpreter>& pythons, const std::string& variant);

// context.ftbench.pythons, and back (std::runtime_error naming the problem for a malformed list).
nlohmann::json PythonInterpretersToJson(const std::vector<PythonInterpreter>& pythons);
std::vector<PythonInterpreter> PythonInterpretersFromJson(const nlohmann::json& list);

// The cell driver shipped with ftbench: <prefix>/share/ftbench/python/cell_driver.py beside an
// installed binary, else, for a binary in the build tree it was built in, the source tree's
// harness/python/cell_driver.py. Empty when neither exists.
std::filesystem::path CellDriverPath();

// The command line of one measured run of `workload_file` on `python` (its warm-up runs first, in
// the same process): `pus` empty leaves the threads unbound.
std::vector<std::string> PythonCellCommand(const PythonInterpreter& python, const std::filesystem::path& driver,
                                           const std::filesystem::path& workload_file, int threads,
                                           std::int64_t size, const std::string& scaling, int warmup,
                                           const std::vector<int>& pus);

// The record the driver prints (--record): CellRecord::real_interpreter set, and no leak count,
// memory figures or runtime counters. std::runtime_error when a field is missing or of the wrong type.
CellRecord PythonCellRecordFromJson(const nlohmann::json& j);

}  // namespace ftb::bench
