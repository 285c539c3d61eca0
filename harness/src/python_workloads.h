// python_workloads.h: Python workloads (workloads/py/*.py, or a user's files) as workloads of
// every variant.
//
// A Python workload file opens with `# key: value` comment lines (workloads/README.md): category,
// size, validate-size, description, and optionally origin and fds-per-thread. Its name is `py.`
// followed by the file's stem. The file is compiled once, by the interpreter tier's front end;
// every variant then runs the same compiled code in its own interpreter.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "ftb/workload.h"

namespace ftb::bench {

// Bad input in a workload file or path (no such file, a syntax error, a missing header line); the
// message names the file (and line and column for a syntax error). Subcommands turn it into exit 2.
struct WorkloadFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The directory of the Python workloads shipped with ftbench: beside an installed binary
// (PREFIX/share/ftbench/workloads/py), else, for a binary run from the build tree it was built in,
// the source tree's workloads/py. Empty when neither exists.
std::filesystem::path ShippedPythonWorkloadDir();

// The spec a workload file's header declares (name py.<stem>, tier "py").
WorkloadSpec ParsePythonWorkloadHeader(const std::filesystem::path& file);

// Registers `file_or_dir` (a .py file, or every .py file of a directory, in name order) as
// workloads of every variant that can run Python: the header now, the code compiled now when
// `compile_now` (a user's files: a syntax error is reported before anything runs), else by the
// first cell that needs it. A name that is already registered from another file is an error;
// registering the same file twice is a no-op. Throws WorkloadFileError (also from a cell whose
// file no longer compiles).
void RegisterPythonWorkloads(const std::filesystem::path& file_or_dir, bool compile_now);

// The file a registered Python workload was read from; empty for any other name.
std::filesystem::path PythonWorkloadFile(const std::string& name);

// The environment variable through which `--workload-file` reaches the child processes of a
// sweep (colon-separated paths, set by the parent).
inline constexpr const char* kWorkloadFilesEnv = "FTBENCH_WORKLOAD_FILES";

}  // namespace ftb::bench
