// commands.h: each `ftbench` subcommand lives in its own file and adds itself to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace ftb::cli {

// Thrown by a subcommand for bad input that CLI11 cannot catch (an unknown workload name, a knob
// out of range): main prints the message and exits with code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void AddListCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);

}  // namespace ftb::cli
