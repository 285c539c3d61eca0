// ftb/variant.h: the one file that reads the variant macro.
//
// CMake compiles the runtime and the workloads three times, with exactly one of
// FTB_VARIANT_GIL, FTB_VARIANT_ATOMIC or FTB_VARIANT_BRC defined. This header turns that choice
// into two things the rest of the code uses instead of #ifdef:
//   - `Policy`, the variant's reference-count policy type (its header fields, incref/decref, its
//     per-object lock type and its traits), tested with `if constexpr (Policy::kTrait)`;
//   - an inline namespace per variant (ftb::v_gil, ftb::v_atomic, ftb::v_brc), opened with
//     FTB_NAMESPACE_BEGIN, so that all three variants link into one binary without clashing and
//     mixing them by mistake fails at link time.
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>

#if (defined(FTB_VARIANT_GIL) + defined(FTB_VARIANT_ATOMIC) + defined(FTB_VARIANT_BRC)) != 1
#error "define exactly one of FTB_VARIANT_GIL, FTB_VARIANT_ATOMIC, FTB_VARIANT_BRC"
#endif

#if defined(FTB_VARIANT_GIL)
#define FTB_VARIANT_NS v_gil
#elif defined(FTB_VARIANT_ATOMIC)
#define FTB_VARIANT_NS v_atomic
#else
#define FTB_VARIANT_NS v_brc
#endif

#define FTB_NAMESPACE_BEGIN \
  namespace ftb {           \
  inline namespace FTB_VARIANT_NS {
#define FTB_NAMESPACE_END \
  }                       \
  }

// Only the chosen policy is seen by this translation unit.
#if defined(FTB_VARIANT_GIL)
#include "ftb/refcount_gil.h"
#elif defined(FTB_VARIANT_ATOMIC)
#include "ftb/refcount_atomic.h"
#else
#include "ftb/refcount_brc.h"
#endif

FTB_NAMESPACE_BEGIN

// What every policy provides: all that the rest of the runtime, the workloads and the tests may
// use of a policy (a policy's other members, such as brc's IncrefShared, are its own helpers).
// The gc-bit, ownership and TryIncref members serve brc's lock-free reads; the other policies
// provide trivial versions, so that shared code compiles unchanged in every variant.
template <class P>
concept RefcountPolicy = requires(typename P::Header& h, const typename P::Header& ch,
                                  struct Object* op, struct ThreadState* ts) {
  typename P::Lock;                                         // the per-object lock (ObjectMutex)
  { P::kName } -> std::convertible_to<std::string_view>;
  { P::kHasOwnerThread } -> std::convertible_to<bool>;      // brc: ob_tid and a biased count
  { P::kPerObjectLocks } -> std::convertible_to<bool>;      // containers lock their mutex
  { P::kGlobalLockAlwaysOn } -> std::convertible_to<bool>;  // gil: the lock is never off
  { P::kLockFreeReads } -> std::convertible_to<bool>;       // list/dict reads without the lock
  { P::ImmortalHeader() } -> std::same_as<typename P::Header>;
  { P::InitHeader(h) };
  { P::IsImmortal(ch) } -> std::same_as<bool>;
  { P::Incref(h) };
  { P::Decref(h, op) };
  { P::RefcountOf(ch) } -> std::convertible_to<std::int64_t>;
  { P::OnThreadStart(ts) };
  { P::OnThreadExit(ts) };
  { P::OnExplicitMerge(ts) };
  { P::TryIncref(h) } -> std::same_as<bool>;                // false: take the locked path
  { P::IsOwnedByCurrentThread(ch) } -> std::same_as<bool>;  // brc: ob_tid is ours
  { P::LoadGcBits(ch) } -> std::same_as<std::uint8_t>;      // brc: shared / deferred-free marks
  { P::OrGcBits(h, std::uint8_t{}) };
  { P::SetMaybeWeakref(h) };                                // brc: leave INIT for lock-free readers
};

#if defined(FTB_VARIANT_GIL)
using Policy = GilPolicy;
#elif defined(FTB_VARIANT_ATOMIC)
using Policy = AtomicPolicy;
#else
using Policy = BrcPolicy;
#endif
static_assert(RefcountPolicy<Policy>);

// The per-object lock type of this variant (NullMutex for gil, the 1-byte Mutex otherwise).
using ObjectMutex = typename Policy::Lock;

FTB_NAMESPACE_END
