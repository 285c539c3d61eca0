// python_tool.h: the subcommands whose work is Python (plots/: report, compare) run it through
// this, with Debian's /usr/bin/python3 (the interpreter that has python3-matplotlib and
// python3-numpy; scripts/setup-debian.sh installs them), not the first python3 on PATH.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ftb::cli {

// Where the Python tools (ftbench_report.py, ftbench_compare.py, ftbplots/) are, looked for in
// this order:
//   1. $FTBENCH_PYTHON_TOOLS, when set (and nothing else then);
//   2. the installed layout, relative to this binary's own location (/proc/self/exe):
//      <prefix>/bin/ftbench finds <prefix>/share/ftbench/plots;
//   3. for a binary run from the build tree it was built in, that source tree's plots/.
// An installed or copied binary never reads the source tree. `dir` is empty when none holds them,
// and `problem` then says where they were expected, in one line.
struct PythonTools {
  std::filesystem::path dir;
  std::string problem;
};
PythonTools FindPythonTools();

// Runs `/usr/bin/python3 <tools>/<script> args...` without a shell (no quoting issues with odd
// directory names) and returns its exit status, or 128 + the signal that ended it.
// The script runs under a small bootstrap that maps a failed import to exit 2, Ctrl-C to 130 and
// any other uncaught exception to 70 (never 1, which compare uses for a regression). Throws
// UsageError (exit 2) when the script or the interpreter cannot be found.
int RunPlotsScript(const std::string& script, const std::vector<std::string>& args);

}  // namespace ftb::cli
