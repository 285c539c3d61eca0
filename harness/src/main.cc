// ftbench: what does it cost, and what does it buy, to replace a global lock with fine-grained
// synchronisation? The command-line entry point; every subcommand is in its own file.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <system_error>

#include "build_info.h"
#include "cell_runner.h"
#include "ftb/environment.h"
#include "input_error.h"
#include "python_workloads.h"
#include "commands.h"
#include "python_tool.h"

namespace ftb::cli {
namespace {
std::string g_invocation;
}
const std::string& InvocationLine() { return g_invocation; }
void AddWorkloadFileOption(CLI::App* cmd) {
  static std::vector<std::string> sink;  // main read them already
  cmd->add_option("--workload-file", sink,
                  "a Python workload file, or a directory of them, run like the shipped ones (repeatable)");
}
}  // namespace ftb::cli

namespace {

// Python workloads: the shipped ones, then every --workload-file of the command line and of the
// environment (a sweep's children inherit the parent's through FTBENCH_WORKLOAD_FILES). Returns
// an exit code, or 0 to go on.
int RegisterPythonWorkloads(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (fs::path shipped = ftb::bench::ShippedPythonWorkloadDir(); !shipped.empty()) {
    try {
      ftb::bench::RegisterPythonWorkloads(shipped, /*compile_now=*/false);
    } catch (const ftb::bench::WorkloadFileError& e) {
      std::fprintf(stderr, "ftbench: internal error: a shipped Python workload does not load: %s\n", e.what());
      return 70;
    }
  }
  std::vector<std::string> paths;
  if (const char* env = std::getenv(ftb::bench::kWorkloadFilesEnv); env != nullptr && *env != '\0') {
    std::string list = env;
    for (std::size_t start = 0; start <= list.size();) {
      std::size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) paths.push_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  const std::string flag = "--workload-file";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == flag) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ftbench: error: --workload-file needs a path (a .py file or a directory)\n");
        return 2;
      }
      paths.push_back(argv[++i]);
    } else if (arg.rfind(flag + "=", 0) == 0) {
      paths.push_back(arg.substr(flag.size() + 1));
    }
  }
  std::string exported;
  for (const std::string& path : paths) {
    try {
      ftb::bench::RegisterPythonWorkloads(path, /*compile_now=*/true);
    } catch (const ftb::bench::WorkloadFileError& e) {
      std::fprintf(stderr, "ftbench: error: %s\n", e.what());
      return 2;
    }
    std::error_code ec;
    fs::path absolute = fs::absolute(path, ec);
    exported += (exported.empty() ? "" : ":") + (ec ? path : absolute.string());
  }
  if (!exported.empty()) setenv(ftb::bench::kWorkloadFilesEnv, exported.c_str(), 1);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) ftb::cli::g_invocation += (i == 0 ? std::string("ftbench") : std::string(" ") + argv[i]);
  if (int rc = RegisterPythonWorkloads(argc, argv); rc != 0) return rc;
  CLI::App app{"ftbench: the cost and the gain of free threading, measured on one object runtime "
               "compiled three ways (gil, atomic, brc)"};
  app.require_subcommand(1);
  // ftbench --version: what this binary is, and where it finds the Python tools of report and
  // compare (an installed binary: under its own prefix).
  app.set_version_flag("--version", [] {
    ftb::cli::PythonTools tools = ftb::cli::FindPythonTools();
    return std::string("ftbench ") + ftb::bench::Version() + "\ncommit " + ftb::bench::BuildCommit() +
           "\npython tools " + (tools.dir.empty() ? "not found: " + tools.problem : tools.dir.string());
  }, "print the version, the commit it was built from and where the Python tools are, and exit");
  ftb::cli::AddListCommand(app);
  ftb::cli::AddRunCommand(app);
  ftb::cli::AddTopologyCommand(app);
  ftb::cli::AddCellCommand(app);
  ftb::cli::AddDemoCommand(app);
  ftb::cli::AddValidateCommand(app);
  ftb::cli::AddMicroCommand(app);
  ftb::cli::AddReportCommand(app);
  ftb::cli::AddCompareCommand(app);
  ftb::cli::AddExportCommand(app);
  ftb::cli::AddMergeCommand(app);
  ftb::cli::AddHistoryCommand(app);
  ftb::cli::AddDisCommand(app);
  // CLI11 reads an unknown first word as a stray argument ("A subcommand is required").
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string valid;
    for (const CLI::App* sub : std::as_const(app).get_subcommands([](const CLI::App*) { return true; })) {
      known = known || sub->check_name(argv[1]);
      if (!sub->get_group().empty()) valid += (valid.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "ftbench: error: unknown subcommand '%s' (valid: %s); see ftbench --help\n", argv[1],
                   valid.c_str());
      return 2;
    }
  }
  // The runtime's environment variables (FTBENCH_GIL): a bad value is unusable input, refused
  // before anything runs, in every subcommand (cells run as children of this binary too).
  try {
    ftb::ValidateEnvironment();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "ftbench: error: %s\n", e.what());
    return 2;
  }
  // Exit codes (README, "Exit codes"): 0 ok; 1 a negative verdict (compare: a regression; validate,
  // run: a wrong answer or a leak); 2 unusable input or environment; 70 an internal error;
  // 128 + the signal when interrupted.
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint
    return 2;
  } catch (const ftb::cli::ExitStatus& e) {
    return e.code;
  } catch (const ftb::cli::UsageError& e) {
    std::fprintf(stderr, "ftbench: error: %s\n", e.what());
    return 2;
  } catch (const ftb::bench::InputError& e) {  // the harness's modules' word for the same
    std::fprintf(stderr, "ftbench: error: %s\n", e.what());
    return 2;
  } catch (const ftb::bench::CellFailure& e) {
    std::fprintf(stderr, "ftbench: %s: %s\n", e.environment ? "error" : "internal error", e.what());
    return e.environment ? 2 : 70;
  } catch (const std::system_error& e) {  // the system refused: a file, a directory, a limit
    std::fprintf(stderr, "ftbench: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftbench: internal error: %s\n", e.what());
    return 70;
  } catch (...) {
    std::fprintf(stderr, "ftbench: internal error: an exception that is not a std::exception\n");
    return 70;
  }
  return 0;
}
