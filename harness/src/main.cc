// ftbench: what does it cost, and what does it buy, to replace a global lock with fine-grained
// synchronisation? The command-line entry point; every subcommand is in its own file.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <system_error>

#include "cell_runner.h"
#include "ftb/environment.h"

#include "commands.h"

namespace ftb::cli {
namespace {
std::string g_invocation;
}
const std::string& InvocationLine() { return g_invocation; }
}  // namespace ftb::cli

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) ftb::cli::g_invocation += (i == 0 ? std::string("ftbench") : std::string(" ") + argv[i]);
  CLI::App app{"ftbench: the cost and the gain of free threading, measured on one object runtime "
               "compiled three ways (gil, atomic, brc)"};
  app.require_subcommand(1);
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
  // CLI11 reads an unknown first word as a stray argument ("A subcommand is required").
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string valid;
    for (const CLI::App* sub : std::as_const(app).get_subcommands([](const CLI::App*) { return true; })) {
      known = known || sub->check_name(argv[1]);
      if (!sub->get_group().empty()) valid += (valid.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::fprintf(stderr, "ftbench: error: unknown subcommand '%s' (valid: %s)\n", argv[1], valid.c_str());
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
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a hint
    return 2;
  } catch (const ftb::cli::ExitStatus& e) {
    return e.code;
  } catch (const ftb::cli::UsageError& e) {
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
