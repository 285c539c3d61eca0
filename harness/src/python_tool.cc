#include "python_tool.h"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "commands.h"
#include "process.h"

namespace ftb::cli {
namespace {

// Runs the script as its own `python3 script` would (sys.argv, sys.path[0] = its directory,
// __name__ == "__main__") and turns what would otherwise be a traceback and exit status 1 (which
// compare's callers read as "regression") into the exit codes of the table: a module that cannot
// be imported (numpy, matplotlib, the script's own package) 2, Ctrl-C 130, any other uncaught
// exception 70 (an internal error, traceback shown). SystemExit passes through unchanged.
constexpr const char* kBootstrap = R"py(import os, runpy, sys, traceback
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(script))
name = os.path.basename(script)
try:
    runpy.run_path(script, run_name="__main__")
except ImportError as e:
    print(f"{name}: error: cannot import {e.name or 'a module'} ({e}): install Debian's python3-numpy, "
          "python3-scipy and python3-matplotlib (scripts/setup-debian.sh)", file=sys.stderr)
    sys.exit(2)
except KeyboardInterrupt:
    print(f"{name}: interrupted", file=sys.stderr)
    sys.exit(130)
except RecursionError as e:
    print(f"{name}: error: input nested too deeply ({e})", file=sys.stderr)
    sys.exit(2)
except Exception:
    traceback.print_exc()
    print(f"{name}: internal error (the traceback above is a bug)", file=sys.stderr)
    sys.exit(70)
)py";

// The child's pid while it runs, for the forwarding handler.
volatile sig_atomic_t g_child = 0;

extern "C" void ForwardSignal(int signal) {
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), signal);
}

bool HoldsTools(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "ftbench_report.py", ec) &&
         std::filesystem::is_directory(dir / "ftbplots", ec);
}

}  // namespace

PythonTools FindPythonTools() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("FTBENCH_PYTHON_TOOLS"); env != nullptr && *env != '\0') {
    if (HoldsTools(env)) return {fs::path(env), ""};
    return {{}, std::string("FTBENCH_PYTHON_TOOLS=") + env + " does not hold ftbench_report.py and ftbplots/"};
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {{}, "cannot read /proc/self/exe (" + ec.message() + ") to find the Python tools; set FTBENCH_PYTHON_TOOLS"};
  // FTB_TOOLS_FROM_BINDIR: the installed tools relative to the installed binary (harness/CMakeLists.txt).
  fs::path installed = (exe.parent_path() / FTB_TOOLS_FROM_BINDIR).lexically_normal();
  if (HoldsTools(installed)) return {installed, ""};
  // A binary in the build tree it was built in (FTB_BINARY_DIR) uses the source tree's plots/
  // (FTB_SOURCE_DIR); an installed or copied one never does.
  fs::path build_dir = fs::weakly_canonical(FTB_BINARY_DIR, ec);
  if (!ec && exe.parent_path() == build_dir) {
    fs::path source = fs::path(FTB_SOURCE_DIR) / "plots";
    if (HoldsTools(source)) return {source, ""};
    return {{}, "the Python tools are not at " + source.string() + " (was the source tree moved?)"};
  }
  return {{}, "the Python tools are not at " + installed.string() +
                  " (reinstall ftbench, or set FTBENCH_PYTHON_TOOLS to the directory holding ftbench_report.py)"};
}

int RunPlotsScript(const std::string& script, const std::vector<std::string>& args) {
  constexpr const char* kPython = "/usr/bin/python3";
  PythonTools tools = FindPythonTools();
  if (tools.dir.empty()) throw UsageError(tools.problem);
  std::filesystem::path path = tools.dir / script;
  if (!std::filesystem::is_regular_file(path)) throw UsageError(script + " not found at " + path.string());
  std::vector<std::string> argv = {kPython, "-c", kBootstrap, path.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  // Ctrl-C at the terminal reaches the script too, which exits 130 after cleaning up: wait for it
  // instead of dying first. SIGTERM and SIGHUP sent to this process alone are passed on.
  struct sigaction ignore {}, forward{}, old_int{}, old_term{}, old_hup{};
  ignore.sa_handler = SIG_IGN;
  forward.sa_handler = ForwardSignal;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGTERM, &forward, &old_term);
  sigaction(SIGHUP, &forward, &old_hup);
  struct Restore {
    struct sigaction &i, &t, &h;
    ~Restore() {
      g_child = 0;
      sigaction(SIGINT, &i, nullptr);
      sigaction(SIGTERM, &t, nullptr);
      sigaction(SIGHUP, &h, nullptr);
    }
  } restore{old_int, old_term, old_hup};
  std::optional<bench::ChildProcess> child;
  try {
    // The child starts with SIGINT at its default, not ignored as here.
    child.emplace(argv, bench::SpawnOptions{.default_signals = {SIGINT}, .environment = {}});
  } catch (const std::runtime_error& e) {
    throw UsageError(std::string(e.what()) +
                     " (the charts and statistics need Debian's python3 with python3-matplotlib and "
                     "python3-numpy; scripts/setup-debian.sh installs them)");
  }
  g_child = child->pid();
  return child->Wait().ShellCode();
}

}  // namespace ftb::cli
