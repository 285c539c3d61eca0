// commands.h: each `ftbench` subcommand lives in its own file and adds itself to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace ftb::cli {

// Thrown by a subcommand for bad input that CLI11 cannot catch (an unknown workload name, a knob
// out of range): main prints the message and exits with code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown by a subcommand that finished and wants main to exit with `code` (1: a problem found in
// the results, 130: interrupted) after it printed what happened.
struct ExitStatus {
  int code;
};

// The command line as typed, for the record (results.json).
const std::string& InvocationLine();

// --workload-file PATH (repeatable): main registers the files before parsing (python_workloads.h);
// the subcommands that select workloads declare the option so that the parser accepts it.
void AddWorkloadFileOption(CLI::App* cmd);

void AddListCommand(CLI::App& app);
void AddDisCommand(CLI::App& app);
void AddRunCommand(CLI::App& app);
void AddCellCommand(CLI::App& app);
void AddTopologyCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);
void AddValidateCommand(CLI::App& app);
void AddMicroCommand(CLI::App& app);
void AddReportCommand(CLI::App& app);
void AddCompareCommand(CLI::App& app);
void AddExportCommand(CLI::App& app);
void AddMergeCommand(CLI::App& app);
void AddHistoryCommand(CLI::App& app);

}  // namespace ftb::cli
