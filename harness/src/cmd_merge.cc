// ftbench merge DIR... --out OUT: sweeps from several machines in one report (docs/multi-machine.md).
//
// The report is Python (plots/ftbplots/merge.py, built from the pieces of report.py): this command
// runs
//   /usr/bin/python3 <tools>/ftbench_merge.py DIR... --out OUT [--format FORMATS]
// (<tools>: python_tool.h) and exits with its status: 0 written (the script prints the path of
// report.html); 2 unusable input or output after one line "ftbench merge: error: ...": a missing
// directory, one without results.json, a directory given twice, two sweeps of the same machine
// (host, CPU model, cores), an instruction-count sweep, a sweep without multi-thread cells, an
// output path that is not a directory.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "python_tool.h"

namespace ftb::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> dirs;
  std::string out_dir;
  std::string formats;  // empty: the script's default (png,svg)
};

std::vector<std::string> ScriptArgs(const MergeOptions& opts) {
  // "--" first: a directory named like an option stays a directory for argparse.
  std::vector<std::string> args = {"--out=" + opts.out_dir};
  if (!opts.formats.empty()) args.push_back("--format=" + opts.formats);
  args.push_back("--");
  args.insert(args.end(), opts.dirs.begin(), opts.dirs.end());
  return args;
}

}  // namespace

void AddMergeCommand(CLI::App& app) {
  auto opts = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "One report of sweeps from several machines (one results directory per machine): a panel per "
               "machine and parallel efficiency against core count across them");
  cmd->add_option("dirs", opts->dirs, "results directories of `ftbench run`, one per machine")->required();
  cmd->add_option("--out", opts->out_dir, "directory for the merged report and its charts")->required();
  cmd->add_option("--format", opts->formats, "chart formats, comma-separated: png, svg (default png,svg)");
  cmd->callback([opts] {
    std::error_code ec;
    if (std::filesystem::exists(opts->out_dir, ec) && !std::filesystem::is_directory(opts->out_dir, ec))
      throw UsageError("--out " + opts->out_dir + ": not a directory");
    int code = RunPlotsScript("ftbench_merge.py", ScriptArgs(*opts));
    // The script printed the report's path or its error already; pass its status on.
    if (code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
