// ftbench report DIR: charts and a report (report.html, report.md) from DIR/results.json.
//
// The charts are Python (plots/, matplotlib): this command runs
//   /usr/bin/python3 <source dir>/plots/ftbench_report.py DIR [--out OUT] [--format FORMATS]
// and exits with its status. The script prints the path of report.html, or one line
// "ftbench report: error: ..." and exits 2 for bad input (missing or malformed results).
// /usr/bin/python3, not the first python3 on PATH: Debian's interpreter is the one with
// python3-matplotlib and python3-numpy (scripts/setup-debian.sh installs them).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"

extern char** environ;

namespace ftb::cli {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

struct ReportOptions {
  std::string dir;
  std::string out_dir;  // empty: DIR/report (the script's default)
  std::string formats;  // empty: the script's default (png,svg)
};

std::filesystem::path ReportScript() {
  // FTB_SOURCE_DIR: the source tree this binary was built from (harness/CMakeLists.txt).
  std::filesystem::path script = std::filesystem::path(FTB_SOURCE_DIR) / "plots" / "ftbench_report.py";
  if (!std::filesystem::is_regular_file(script))
    throw std::runtime_error("report script " + script.string() + " not found (was the source tree moved?)");
  return script;
}

std::vector<std::string> ScriptArgs(const ReportOptions& opts) {
  std::vector<std::string> args = {kPython, ReportScript().string(), opts.dir};
  if (!opts.out_dir.empty()) args.insert(args.end(), {"--out", opts.out_dir});
  if (!opts.formats.empty()) args.insert(args.end(), {"--format", opts.formats});
  return args;
}

// Runs argv[0] with argv (no shell: no quoting issues with odd directory names) and returns its
// exit status, 128 + signal number if a signal ended it (the shell's convention).
int RunAndWait(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    throw std::runtime_error(std::string("cannot run ") + kPython + ": " + std::strerror(rc) +
                             " (ftbench report needs Debian's python3 with python3-matplotlib and python3-numpy; "
                             "scripts/setup-debian.sh installs them)");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Charts and a report (report.html, report.md) from a results directory of `ftbench run`");
  cmd->add_option("dir", opts->dir, "results directory (holds results.json)")->required();
  cmd->add_option("--out", opts->out_dir, "directory for the report and its charts (default DIR/report)");
  cmd->add_option("--format", opts->formats, "chart formats, comma-separated: png, svg (default png,svg)");
  cmd->callback([opts] {
    int code = RunAndWait(ScriptArgs(*opts));
    // The script printed the report's path or its error already; pass its status on.
    if (code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
