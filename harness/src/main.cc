// ftbench: what does it cost, and what does it buy, to replace a global lock with fine-grained
// synchronisation? The command-line entry point; every subcommand is in its own file.
#include <cstdio>
#include <exception>

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
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ftbench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
