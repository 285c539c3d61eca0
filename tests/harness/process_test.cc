// ChildProcess (process.h): what a child wrote and how it ended come back apart; a program that
// cannot be started is an exception naming it, not an exit status 127; own_group makes the child
// a group leader that KillProcessGroup ends; a child left running is killed and reaped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "process.h"

namespace ftb::bench {
namespace {

SpawnOptions Captured() {
  SpawnOptions o;
  o.capture_stdout = true;
  o.capture_stderr = true;
  return o;
}

TEST(ProcessTest, StdoutStderrAndExitStatusApart) {
  ChildProcess child({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, Captured());
  EXPECT_EQ(child.ReadStdout(), "out\n");
  ExitStatus status = child.Wait();
  EXPECT_EQ(child.Stderr(), "err\n");
  EXPECT_EQ(status.code, 3);
  EXPECT_EQ(status.signal, 0);
  EXPECT_FALSE(status.Ok());
  EXPECT_EQ(status.ShellCode(), 3);
  EXPECT_EQ(status.Describe(), "exited with status 3");
}

TEST(ProcessTest, ArgumentsPassedAsIsWithoutAShell) {
  ChildProcess child({"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "'c'", "$HOME", ""}, Captured());
  EXPECT_EQ(child.ReadStdout(), "a b|'c'|$HOME||");
  EXPECT_TRUE(child.Wait().Ok());
}

TEST(ProcessTest, KilledBySignal) {
  ChildProcess child({"/bin/sh", "-c", "kill -TERM $$"}, SpawnOptions{});
  ExitStatus status = child.Wait();
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.ShellCode(), 128 + SIGTERM);
  EXPECT_EQ(status.Describe(), "was killed by signal 15");
}

TEST(ProcessTest, ProgramThatCannotStartThrowsNamingIt) {
  try {
    ChildProcess child({"/nonexistent/ftbench-no-such-program"}, Captured());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ftbench-no-such-program"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  // Not in PATH: argv[0] is a path.
  EXPECT_THROW(ChildProcess({"sh", "-c", "true"}, SpawnOptions{}), std::runtime_error);
  // No child is left unreaped by the failures above.
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ProcessTest, OwnGroupIsKilledAsAGroup) {
  SpawnOptions o = Captured();
  o.own_group = true;
  o.die_with_parent = true;
  // The shell and its child `sleep`, which holds the pipe of stdout open too: ReadStdout returns
  // (end of file) once both are dead, after 30 s if the sleep were not killed with the group.
  ChildProcess child({"/bin/sh", "-c", "sleep 30 & wait"}, o);
  const pid_t pid = child.pid();
  EXPECT_EQ(getpgid(pid), pid);
  KillProcessGroup(pid);
  EXPECT_EQ(child.ReadStdout(), "");
  bool called = false;
  ExitStatus status = child.Wait([&] {
    called = true;
    EXPECT_EQ(kill(pid, 0), 0);  // ended, not reaped yet: the pid is still taken (a zombie)
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_EQ(kill(pid, 0), -1);  // reaped
  EXPECT_EQ(errno, ESRCH);
}

TEST(ProcessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    ChildProcess child({"/bin/sleep", "30"}, SpawnOptions{});
    pid = child.pid();
    EXPECT_EQ(kill(pid, 0), 0);
  }
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ProcessTest, DefaultSignalsUndoAnIgnoredSignal) {
  struct sigaction ignore {}, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old);
  SpawnOptions o;
  o.default_signals = {SIGINT};
  ChildProcess reset({"/bin/sh", "-c", "kill -INT $$; sleep 5"}, o);
  ExitStatus with_default = reset.Wait();
  ChildProcess inherited({"/bin/sh", "-c", "kill -INT $$; exit 4"}, SpawnOptions{});
  ExitStatus with_ignore = inherited.Wait();
  sigaction(SIGINT, &old, nullptr);
  EXPECT_EQ(with_default.signal, SIGINT);
  EXPECT_EQ(with_ignore.code, 4);  // ignored, as the parent had it
}

}  // namespace
}  // namespace ftb::bench
