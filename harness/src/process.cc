#include "process.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace ftb::bench {
namespace {

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The child's side, from fork to exec: async-signal-safe calls only. On failure, errno goes to
// `error_fd` and the child exits 127 without running anything of the parent's.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, const SpawnOptions& options, pid_t parent,
                            int stdout_fd, int stderr_fd, int error_fd, const sigset_t& parent_mask) {
  auto fail = [error_fd](int error) {
    ssize_t ignored = write(error_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
  };
  if (options.own_group && setpgid(0, 0) != 0) fail(errno);
  if (options.die_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(errno);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
  }
  // No handler of the parent's runs here: every caught signal back to its default (exec would do
  // it too, but a signal could come before), the listed ignored ones as well.
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;
    bool reset = current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
    for (int listed : options.default_signals) reset = reset || listed == sig;
    if (!reset) continue;
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
  }
  if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0) fail(errno);
  if (stderr_fd >= 0 && dup2(stderr_fd, STDERR_FILENO) < 0) fail(errno);
  sigprocmask(SIG_SETMASK, &parent_mask, nullptr);
  execve(argv[0], argv, envp);
  fail(errno);
  _exit(127);
}

}  // namespace

std::string ExitStatus::Describe() const {
  return signal != 0 ? fmt::format("was killed by signal {}", signal) : fmt::format("exited with status {}", code);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv_strings, const SpawnOptions& options)
    : own_group_(options.own_group) {
  if (argv_strings.empty() || argv_strings.front().empty()) throw std::runtime_error("cannot run an empty command");
  const std::string& program = argv_strings.front();
  std::vector<std::string> args = argv_strings;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  std::vector<std::string> added = options.environment;
  auto replaced = [&](const char* entry) {
    for (const std::string& a : added)
      if (std::size_t eq = a.find('='); eq != std::string::npos && std::strncmp(entry, a.c_str(), eq + 1) == 0)
        return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e)
    if (!replaced(*e)) envp.push_back(*e);
  for (std::string& a : added) envp.push_back(a.data());
  envp.push_back(nullptr);

  int out[2] = {-1, -1}, error[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&out[0], &out[1], &error[0], &error[1], &stderr_fd_}) CloseIfOpen(*fd);
  };
  auto fail = [&](const std::string& what, int code) {
    close_all();
    throw std::runtime_error(fmt::format("cannot run {}: {}: {}", program, what, std::strerror(code)));
  };
  if (options.capture_stdout && pipe2(out, O_CLOEXEC) != 0) fail("pipe", errno);
  if (options.capture_stderr) {
    // /tmp, unlinked at once: nothing is left behind, however this process ends.
    char path[] = "/tmp/ftbench-child-XXXXXX";
    stderr_fd_ = mkostemp(path, O_CLOEXEC);
    if (stderr_fd_ < 0) fail("a temporary file in /tmp", errno);
    unlink(path);
  }
  if (pipe2(error, O_CLOEXEC) != 0) fail("pipe", errno);

  // Signals are blocked from fork until the child has reset its handlers: none of this process's
  // handlers runs in the child.
  sigset_t all, parent_mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &parent_mask);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) ExecChild(argv.data(), envp.data(), options, parent, out[1], stderr_fd_, error[1], parent_mask);
  int fork_error = errno;
  pthread_sigmask(SIG_SETMASK, &parent_mask, nullptr);
  if (pid < 0) fail("fork", fork_error);
  pid_ = pid;
  // Also here: the group exists as soon as the constructor returns, whichever process ran first.
  if (options.own_group) setpgid(pid, pid);
  CloseIfOpen(out[1]);
  CloseIfOpen(error[1]);
  stdout_fd_ = out[0];
  out[0] = -1;
  // The error pipe closes at exec (close-on-exec) or carries errno from a failed step.
  int child_errno = 0;
  ssize_t n;
  while ((n = read(error[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  CloseIfOpen(error[0]);
  if (n > 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    CloseIfOpen(stdout_fd_);
    CloseIfOpen(stderr_fd_);
    throw std::runtime_error(fmt::format("cannot run {}: {}", program, std::strerror(child_errno)));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(own_group_ ? -pid_ : pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  CloseIfOpen(stdout_fd_);
  CloseIfOpen(stderr_fd_);
}

std::string ChildProcess::ReadStdout() {
  std::string text;
  if (stdout_fd_ < 0) return text;
  char buf[4096];
  for (ssize_t n; (n = read(stdout_fd_, buf, sizeof buf)) != 0;) {
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  CloseIfOpen(stdout_fd_);
  return text;
}

ExitStatus ChildProcess::Wait(const std::function<void()>& before_reap) {
  if (pid_ <= 0) throw std::logic_error("ChildProcess::Wait: no child to wait for");
  if (before_reap) {
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    before_reap();
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  pid_ = -1;
  ExitStatus result;
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  else result.code = WEXITSTATUS(status);
  return result;
}

std::string ChildProcess::Stderr() {
  std::string text;
  if (stderr_fd_ < 0) return text;
  lseek(stderr_fd_, 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = read(stderr_fd_, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  return text;
}

void KillProcessGroup(pid_t group) noexcept {
  if (group > 0) kill(-group, SIGKILL);
}

}  // namespace ftb::bench
