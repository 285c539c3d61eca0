// ftb/std_mutex.h: std::mutex as a capability for clang's thread-safety analysis (ftb/base.h).
//
// libstdc++'s std::mutex and std::lock_guard carry no annotations, so a field guarded by a
// std::mutex cannot be checked. StdMutex is a std::mutex that is a capability; StdLock holds it
// for a scope (std::unique_lock underneath, so it can be released early with unlock(), and
// native() hands the unique_lock to a std::condition_variable). Same cost as the std types: every
// call is inline and forwards.
#pragma once

#include <mutex>

#include "ftb/base.h"

namespace ftb {

class FTB_CAPABILITY("mutex") StdMutex {
 public:
  void lock() FTB_ACQUIRE() { mu_.lock(); }
  void unlock() FTB_RELEASE() { mu_.unlock(); }
  bool try_lock() FTB_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class FTB_SCOPED_CAPABILITY StdLock {
 public:
  explicit StdLock(StdMutex& mu) FTB_ACQUIRE(mu) : lock_(mu.native()) {}
  ~StdLock() FTB_RELEASE() {}
  StdLock(const StdLock&) = delete;
  StdLock& operator=(const StdLock&) = delete;

  // Releases the mutex before the end of the scope (the destructor then does nothing).
  void unlock() FTB_RELEASE() { lock_.unlock(); }
  // For std::condition_variable::wait: the analysis takes the mutex as held across the wait.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace ftb
