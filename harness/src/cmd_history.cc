// ftbench history add|list|report: sweeps kept over time in one SQLite file, and their dashboard
// (docs/history.md).
//
// The work is Python (plots/ftbplots/history_*.py, the standard library's sqlite3): this command
// runs
//   /usr/bin/python3 <tools>/ftbench_history.py ARGS...
// with its arguments as given (the script parses them and prints its own --help), and exits with
// its status: 0 done, 2 unusable input (a results file that does not load, a database that is not
// SQLite, not ftbench's or of a newer schema version, an output path that cannot be written)
// after one line "ftbench history: error: ...", 70 an internal error, 128 + signal interrupted.
// (<tools>: the installed share/ftbench/plots, or the source tree's plots/ from the build tree:
// python_tool.h.)
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "python_tool.h"

namespace ftb::cli {

void AddHistoryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "history",
      "Sweeps over time: `history add RESULTS... --db FILE [--branch B]`, `history list --db FILE`, "
      "`history report --db FILE --out DIR` (a static dashboard); see `ftbench history --help`");
  // Everything after `history` goes to the script as typed, --help included.
  cmd->prefix_command();
  cmd->set_help_flag();
  cmd->allow_extras();
  cmd->callback([cmd] {
    std::vector<std::string> args = cmd->remaining();
    int code = RunPlotsScript("ftbench_history.py", args);
    // The script printed its output or its error already; pass its status on.
    if (code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
