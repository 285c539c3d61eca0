#include "python_tool.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace ftb::cli {

int RunPlotsScript(const std::string& script, const std::vector<std::string>& args) {
  constexpr const char* kPython = "/usr/bin/python3";
  // FTB_SOURCE_DIR: the source tree this binary was built from (harness/CMakeLists.txt).
  std::filesystem::path path = std::filesystem::path(FTB_SOURCE_DIR) / "plots" / script;
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error(script + " not found at " + path.string() + " (was the source tree moved?)");
  std::vector<std::string> argv_strings = {kPython, path.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, kPython, nullptr, nullptr, argv.data(), environ);
  if (rc != 0)
    throw std::runtime_error(std::string("cannot run ") + kPython + ": " + std::strerror(rc) +
                             " (the charts and statistics need Debian's python3 with python3-matplotlib and "
                             "python3-numpy; scripts/setup-debian.sh installs them)");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace ftb::cli
