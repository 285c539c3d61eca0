// ftb/base.h: assertions, thread-safety annotations and small constants shared by the runtime.
//
// Nothing here depends on the variant; it is safe to include from any floor.
//
// Thread-safety annotations (clang's -Wthread-safety; the `clang` preset builds with it and makes
// its findings errors; g++ sees empty macros). The convention:
//   - a lock type is a capability: FTB_CAPABILITY on the class, FTB_ACQUIRE / FTB_RELEASE /
//     FTB_TRY_ACQUIRE on lock(), unlock(), try_lock(). The 1-byte Mutex (ftb/mutex.h) is one;
//     std::mutex is not annotated by libstdc++, so lock-protected state uses ftb::StdMutex and its
//     scoped lock ftb::StdLock (ftb/std_mutex.h) instead of std::mutex and std::lock_guard;
//   - a field (or global) protected by a lock says so: FTB_GUARDED_BY(mu) (FTB_PT_GUARDED_BY for
//     what a pointer points to), so that touching it without holding mu fails the clang build;
//   - a function that expects its caller to hold a lock says FTB_REQUIRES(mu) (FTB_EXCLUDES(mu):
//     must not hold it); a getter that returns a lock says FTB_RETURN_CAPABILITY(mu);
//   - FTB_NO_THREAD_SAFETY_ANALYSIS only where locking is dynamic and the analysis cannot follow
//     (critical sections suspended and resumed as a stack, lock adapters), with a comment why;
//   - what the analysis cannot express stays a comment: a field guarded by a lock chosen at run
//     time (a waiter's fields under its address's bucket lock, a thread's merge queue under its
//     brc bucket's lock), or written under two locks and read under either (the global lock's
//     last holder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

// FTB_CHECK is always on; FTB_DCHECK only when FTB_DEBUG_CHECKS is defined (debug and sanitizer
// presets). Both print one line that says what went wrong, then abort, so a death test can match
// the message.
namespace ftb {
[[noreturn]] void FatalError(const char* file, int line, const char* message) noexcept;
}  // namespace ftb

#define FTB_CHECK(cond, message)                                         \
  do {                                                                   \
    if (!(cond)) [[unlikely]]                                            \
      ::ftb::FatalError(__FILE__, __LINE__, (message));        \
  } while (0)

#ifdef FTB_DEBUG_CHECKS
#define FTB_DCHECK(cond, message) FTB_CHECK(cond, message)
#else
#define FTB_DCHECK(cond, message) \
  do {                            \
  } while (0)
#endif

// Clang's thread-safety analysis, as google/benchmark's src/mutex.h does it: real attributes where
// the compiler has them, nothing elsewhere (g++ ignores them).
#if defined(__clang__)
#define FTB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FTB_THREAD_ANNOTATION(x)
#endif
#define FTB_CAPABILITY(x) FTB_THREAD_ANNOTATION(capability(x))
#define FTB_SCOPED_CAPABILITY FTB_THREAD_ANNOTATION(scoped_lockable)
#define FTB_GUARDED_BY(x) FTB_THREAD_ANNOTATION(guarded_by(x))
#define FTB_PT_GUARDED_BY(x) FTB_THREAD_ANNOTATION(pt_guarded_by(x))
#define FTB_ACQUIRE(...) FTB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define FTB_RELEASE(...) FTB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define FTB_TRY_ACQUIRE(...) FTB_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define FTB_REQUIRES(...) FTB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define FTB_EXCLUDES(...) FTB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define FTB_RETURN_CAPABILITY(x) FTB_THREAD_ANNOTATION(lock_returned(x))
#define FTB_NO_THREAD_SAFETY_ANALYSIS FTB_THREAD_ANNOTATION(no_thread_safety_analysis)

// The runtime's thread-locals are read on every reference-count change (brc) and eval-breaker
// check. The runtime is always linked statically into an executable, so the local-exec model is
// valid and makes each read one %fs-relative instruction, like CPython's _Py_ThreadId(), instead
// of a GOT load first.
#define FTB_TLS_MODEL [[gnu::tls_model("local-exec")]]

// Inlining decisions that must not depend on the variant. g++ inlines by size, and the variants'
// bodies differ in size (brc's header init is longer than gil's), so without a mark a helper that
// every variant shares can be inlined in one variant and called in another: that difference would
// then be measured as a locking strategy. The hot helpers carry one of these marks instead, and
// tests/runtime/check_inlining_parity.py checks that their calls are the same in every variant.
#define FTB_ALWAYS_INLINE [[gnu::always_inline]] inline
#define FTB_NOINLINE [[gnu::noinline]]

namespace ftb {

// What threads write independently is padded to this so that it never shares a line (folly's
// hardware_destructive_interference_size; g++ warns that the std constant may change between
// compiler versions, so we pin the x86-64 and aarch64 value).
inline constexpr std::size_t kCacheLine = 64;

}  // namespace ftb
