// ftbench report DIR: charts and a report (report.html, report.md) from DIR/results.json.
//
// The charts are Python (plots/, matplotlib): this command runs
//   /usr/bin/python3 <tools>/ftbench_report.py DIR [--out OUT] [--format FORMATS]
//       [--calibration-threshold X]
// (<tools>: the installed share/ftbench/plots, or the source tree's plots/ from the build tree:
// python_tool.h) and exits with its status. The script prints the path of report.html, or one line
// "ftbench report: error: ..." and exits 2 for bad input (missing or malformed results).
// /usr/bin/python3, not the first python3 on PATH: Debian's interpreter is the one with
// python3-matplotlib and python3-numpy (scripts/setup-debian.sh installs them).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "python_tool.h"

namespace ftb::cli {
namespace {

struct ReportOptions {
  std::string dir;
  std::string out_dir;  // empty: DIR/report (the script's default)
  std::string formats;  // empty: the script's default (png,svg)
  std::string calibration_threshold;  // empty: the script's default (0.9); it checks the value
};

std::vector<std::string> ScriptArgs(const ReportOptions& opts) {
  std::vector<std::string> args = {opts.dir};
  if (!opts.out_dir.empty()) args.insert(args.end(), {"--out", opts.out_dir});
  if (!opts.formats.empty()) args.insert(args.end(), {"--format", opts.formats});
  if (!opts.calibration_threshold.empty())
    args.insert(args.end(), {"--calibration-threshold", opts.calibration_threshold});
  return args;
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Charts and a report (report.html, report.md) from a results directory of `ftbench run`");
  cmd->add_option("dir", opts->dir, "results directory (holds results.json)")->required();
  cmd->add_option("--out", opts->out_dir, "directory for the report and its charts (default DIR/report)");
  cmd->add_option("--format", opts->formats, "chart formats, comma-separated: png, svg (default png,svg)");
  cmd->add_option("--calibration-threshold", opts->calibration_threshold,
                  "flag a round whose machine calibration efficiency (speedup / threads) is below this (default 0.9)");
  cmd->callback([opts] {
    // An output path that cannot be a directory is unusable input (exit 2), refused before the
    // charts are drawn.
    std::error_code ec;
    if (!opts->out_dir.empty() && std::filesystem::exists(opts->out_dir, ec) && !std::filesystem::is_directory(opts->out_dir, ec))
      throw UsageError("--out " + opts->out_dir + ": not a directory");
    int code = RunPlotsScript("ftbench_report.py", ScriptArgs(*opts));
    // The script printed the report's path or its error already; pass its status on.
    if (code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
