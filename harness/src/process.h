// process.h: the one way the harness runs another program (a sweep's cell child, the Python tools
// of `report` and `compare`): fork and exec without a shell, the argument vector passed as is.
//
// The child, between fork and exec, only makes async-signal-safe calls (the parent may have other
// threads). A failed exec is reported to the parent through a close-on-exec pipe, so that the
// constructor, not a later exit status 127, says that the program could not be started.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace ftb::bench {

struct SpawnOptions {
  // The child leads a process group of its own: Ctrl-C at the terminal reaches this process alone,
  // which then decides what the child gets (KillProcessGroup).
  bool own_group = false;
  // The child is killed (SIGKILL) when this process dies, however it dies, SIGKILL included.
  bool die_with_parent = false;
  // The child's standard output goes into a pipe that ReadStdout reads; otherwise it is this
  // process's.
  bool capture_stdout = false;
  // The child's standard error goes into an unlinked temporary file that Stderr returns after Wait
  // (a file, not a pipe: it cannot fill up while stdout is being read); otherwise it is this
  // process's.
  bool capture_stderr = false;
  // Signals the child starts with at their default action, when this process ignores them.
  std::vector<int> default_signals;
  // "NAME=VALUE" entries added to the child's environment (replacing this process's NAME).
  std::vector<std::string> environment;
};

// How a child ended.
struct ExitStatus {
  int code = 0;    // its exit status, when it exited
  int signal = 0;  // the signal that ended it; 0 when it exited
  bool Ok() const { return signal == 0 && code == 0; }
  // The status a shell reports: the exit status, or 128 + the signal.
  int ShellCode() const { return signal != 0 ? 128 + signal : code; }
  // "exited with status N" or "was killed by signal N".
  std::string Describe() const;
};

class ChildProcess {
 public:
  // Starts argv[0] (a path, not looked up in PATH) with `argv` and this process's environment.
  // Throws std::runtime_error naming the program and the reason when it cannot be started (no
  // such file, not executable, no memory, too many processes or open files).
  ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options);
  // A child still running here (an exception between start and Wait) is killed (its group too,
  // with own_group) and reaped.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // With capture_stdout: everything the child writes to its standard output, read until it closes
  // it (normally when it exits).
  std::string ReadStdout();
  // Waits until the child ends (retrying when a signal interrupts the wait) and reaps it.
  // `before_reap`, when given, runs once the child has ended but before it is reaped: until then
  // its pid, and its group's id, cannot be given to another process, so a signal handler that
  // kills the group cannot hit a stranger while the caller still publishes the id.
  ExitStatus Wait(const std::function<void()>& before_reap = {});
  // With capture_stderr, after Wait: what the child wrote to its standard error.
  std::string Stderr();

 private:
  pid_t pid_ = -1;
  bool own_group_ = false;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
};

// SIGKILL to every process of the group `group` (a child started with own_group: its pid).
// Async-signal-safe; does nothing for group <= 0.
void KillProcessGroup(pid_t group) noexcept;

}  // namespace ftb::bench
