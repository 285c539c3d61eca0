// ftbench compare BASE NEW: did NEW (a results directory or results.json) regress against BASE?
// ftbench compare --baseline-db FILE [--branch B] [--window N] NEW: the same against the last N
// sweeps of NEW's machine in a history database, their runs pooled (docs/history.md).
//
// The statistics are Python (plots/ftbplots/compare.py, docs/compare.md): this command runs
//   /usr/bin/python3 <tools>/ftbench_compare.py BASE NEW [--threshold T] [--alpha A] [--noise-factor F]
//       [--memory-threshold M] [--format text|markdown|json] [--allow-mismatch] [--allow-inconclusive]
//       [--chart PATH]
// or, for a paired sweep (run --baseline-binary), ftbench_compare.py --paired DIR [--threshold T]
// [--alpha A] [--sweep-threshold S] [--measure wall|cpu|both] [--format F] [--allow-inconclusive] (plots/ftbplots/paired.py); a single DIR that is
// a paired sweep is compared so without --paired too.
// (<tools>: the installed share/ftbench/plots, or the source tree's plots/ from the build tree:
// python_tool.h) and exits with its status: 0 no regression, 1 a regression, 2 unusable input (a missing or
// malformed file, no common cells, results from different machines or run parameters without
// --allow-mismatch) or a comparison that could not flag a regression (too few repetitions, no
// repetition rows; exit 0 with --allow-inconclusive), after one line "ftbench compare: error: ...".
// /usr/bin/python3, not the first python3 on PATH: Debian's interpreter is the one with
// python3-matplotlib and python3-numpy (scripts/setup-debian.sh installs them).
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "python_tool.h"

namespace ftb::cli {
namespace {

struct CompareOptions {
  std::string base;
  std::string next;
  std::string threshold;  // empty: the script's defaults (kept as text: the script validates them)
  std::string alpha;
  std::string noise_factor;
  std::string sweep_threshold;  // paired only
  std::string measure;          // paired only
  std::string memory_threshold;
  std::string format;
  std::string chart;
  std::string baseline_db;  // --baseline-db: BASE is then NEW, and `next` stays empty
  std::string branch;
  std::string window;
  bool allow_mismatch = false;
  bool allow_inconclusive = false;
  bool paired = false;
};

std::vector<std::string> ScriptArgs(const CompareOptions& opts) {
  // --option=VALUE: a value that starts with '-' ("-inf", "-0.1") stays a value for argparse.
  std::vector<std::string> args = {opts.base};
  if (!opts.next.empty()) args.push_back(opts.next);
  if (!opts.baseline_db.empty()) args.push_back("--baseline-db=" + opts.baseline_db);
  if (!opts.branch.empty()) args.push_back("--branch=" + opts.branch);
  if (!opts.window.empty()) args.push_back("--window=" + opts.window);
  if (opts.paired) args.insert(args.begin(), "--paired");
  if (!opts.threshold.empty()) args.push_back("--threshold=" + opts.threshold);
  if (!opts.alpha.empty()) args.push_back("--alpha=" + opts.alpha);
  if (!opts.noise_factor.empty()) args.push_back("--noise-factor=" + opts.noise_factor);
  if (!opts.sweep_threshold.empty()) args.push_back("--sweep-threshold=" + opts.sweep_threshold);
  if (!opts.measure.empty()) args.push_back("--measure=" + opts.measure);
  if (!opts.memory_threshold.empty()) args.push_back("--memory-threshold=" + opts.memory_threshold);
  if (!opts.format.empty()) args.push_back("--format=" + opts.format);
  if (!opts.chart.empty()) args.push_back("--chart=" + opts.chart);
  if (opts.allow_mismatch) args.push_back("--allow-mismatch");
  if (opts.allow_inconclusive) args.push_back("--allow-inconclusive");
  return args;
}

}  // namespace

void AddCompareCommand(CLI::App& app) {
  auto opts = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare two results of `ftbench run`: exit 0 no regression, 1 regression, 2 unusable input or no verdict possible");
  cmd->add_option("base", opts->base, "base results directory (or its results.json)")->required();
  cmd->add_option("new", opts->next,
                  "new results directory (or its results.json); none for a paired sweep; with --baseline-db, give NEW alone");
  cmd->add_option("--baseline-db", opts->baseline_db,
                  "compare NEW with the recent sweeps of its machine in this history database (ftbench history add)");
  cmd->add_option("--branch", opts->branch, "with --baseline-db: only sweeps stored with this branch");
  cmd->add_option("--window", opts->window, "with --baseline-db: how many recent sweeps to pool (default 5)");
  cmd->add_flag("--paired", opts->paired,
                "BASE is one paired sweep (run --baseline-binary): test its two builds' per-round ratios (alpha "
                "default 0.05)");
  cmd->add_option("--threshold", opts->threshold, "relative change that counts, e.g. 0.05 = 5% (default 0.05 for wall times, 0.01 for instruction counts; --paired: a cell's)");
  cmd->add_option("--alpha", opts->alpha, "significance level after Holm-Bonferroni correction (default 0.01; --paired: 0.05)");
  cmd->add_option("--sweep-threshold", opts->sweep_threshold,
                  "paired only: the change of the whole sweep (geometric mean over cells) that counts (default 0.02)");
  cmd->add_option("--measure", opts->measure,
                  "paired only: wall, cpu (the threads' CPU time) or both, in one Holm family (default both)");
  cmd->add_option("--noise-factor", opts->noise_factor,
                  "a change must also exceed this many times the cell's own spread; 0: off (default 2)");
  cmd->add_option("--memory-threshold", opts->memory_threshold,
                  "relative change of a cell's median peak RSS or live object bytes that counts; an increase exits 1 "
                  "(default 0.10)");
  cmd->add_option("--format", opts->format, "output: text, markdown or json (default text)");
  cmd->add_option("--chart", opts->chart, "also write the comparison chart (new / base) to this image path");
  cmd->add_flag("--allow-mismatch", opts->allow_mismatch,
                "compare results from different machines or run parameters (flagged in the output)");
  cmd->add_flag("--allow-inconclusive", opts->allow_inconclusive,
                "exit 0, not 2, when no regression could have been flagged (too few repetitions, no "
                "repetition rows); the output says why");
  cmd->callback([opts] {
    // Which arguments go together (BASE NEW; a paired DIR; --baseline-db FILE NEW) is the script's
    // to check: it knows whether a lone DIR is a paired sweep.
    int code = RunPlotsScript("ftbench_compare.py", ScriptArgs(*opts));
    // The script printed the comparison or its error already; pass its status on.
    if (code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
