// ftb/object.h: the object header, type objects, owned references.
//
// Every object starts with the variant's header (reference-count fields and, in the free-threaded
// variants, the 1-byte lock) followed by the type pointer, as CPython's PyObject does:
//
//   variant  header                                                        size   CPython
//   gil      ob_refcnt | ob_type                                           16 B   16 B (default)
//   atomic   flags mutex gc_bits pad | refcnt | ob_type                    24 B   -
//   brc      ob_tid | flags mutex gc_bits ob_ref_local | ob_ref_shared     32 B   32 B (3.13t)
//            | ob_type
//
// The object API (types.h) hands out owned references as `Ref`, an RAII handle that decrefs on
// destruction, the way CPython's value stack owns every value it loads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "ftb/base.h"
#include "ftb/variant.h"

FTB_NAMESPACE_BEGIN

// Every kind of object the runtime knows; live counts are kept per kind.
enum class Kind : std::uint8_t {
  kNone,
  kBool,
  kInt,
  kFloat,
  kStr,
  kTuple,
  kList,
  kDict,
  kFunction,
  kType,
  kInstance,
  // Kinds of the interpreter tier (interp/): their types are defined there, sized by
  // TypeObject::basicsize.
  kCode,
  kPyFunction,
  kModule,
  kRange,
  kIterator,
  kMethod,
  kCount,
};
inline constexpr int kKindCount = static_cast<int>(Kind::kCount);
const char* KindName(Kind kind) noexcept;

struct TypeObject;
class Ref;

struct Object {
  Policy::Header hdr;
  TypeObject* type;
};
#if defined(FTB_VARIANT_GIL)
static_assert(sizeof(Object) == 16, "the gil header matches CPython's 16-byte PyObject");
#elif defined(FTB_VARIANT_ATOMIC)
static_assert(sizeof(Object) == 24, "atomic: CPython's free-threaded header minus ob_tid and the split count");
#else
static_assert(sizeof(Object) == 32, "the brc header matches CPython's 32-byte free-threaded PyObject");
#endif

// gc_bits used by the lock-free read protocol (brc only; see containers in types.h).
inline constexpr std::uint8_t kGcShared = 1;       // container seen by a non-owner thread
inline constexpr std::uint8_t kGcDeferredFree = 2;  // may be read lock-free: free after a grace period

struct TypeObject : Object {
  const char* name;
  Kind kind;
  void (*dealloc)(Object* op) noexcept;  // release what the object holds, then FreeObject
  struct DictObject* dict;               // class attributes and methods; null for built-ins
  // Calling an object of this type (tp_call), for types defined outside the runtime: Call()
  // dispatches to it. Null: not callable (built-in functions and classes are handled by Call).
  Ref (*call)(Object* callable, std::span<Object* const> args) = nullptr;
  // The allocation size of an object of an interpreter-tier kind (tp_basicsize); ObjectBytes
  // reads it for those kinds. Unused (0) for the runtime's own kinds.
  std::size_t basicsize = 0;
  // brc: the slot of this class in every thread's per-thread reference-count array (CPython's
  // tp_unique_id, Python/uniqueid.c); 0 = none (static types, or the mechanism switched off).
  std::int32_t unique_id = 0;
  // The base class of a class (single inheritance; attribute lookup walks it); null for none.
  TypeObject* base = nullptr;
};

inline void Incref(Object* op) { Policy::Incref(op->hdr); }
inline void Decref(Object* op) { Policy::Decref(op->hdr, op); }
inline void XDecref(Object* op) {
  if (op != nullptr) Decref(op);
}
inline bool IsImmortal(const Object* op) { return Policy::IsImmortal(op->hdr); }
// The object's total reference count (for tests; racy while other threads use the object).
inline std::int64_t Refcount(const Object* op) { return Policy::RefcountOf(op->hdr); }

// An owned reference. Moving transfers it; copying increfs; destruction decrefs.
class Ref {
 public:
  constexpr Ref() = default;
  static Ref Steal(Object* op) noexcept { return Ref(op); }
  static Ref New(Object* op) noexcept {
    Incref(op);
    return Ref(op);
  }
  Ref(const Ref& other) noexcept : op_(other.op_) {
    if (op_ != nullptr) Incref(op_);
  }
  Ref(Ref&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
  Ref& operator=(Ref other) noexcept {
    std::swap(op_, other.op_);
    return *this;
  }
  ~Ref() {
    if (op_ != nullptr) Decref(op_);
  }

  Object* get() const noexcept { return op_; }
  Object* operator->() const noexcept { return op_; }
  explicit operator bool() const noexcept { return op_ != nullptr; }
  // Gives up ownership without a decref (the caller now owns the reference).
  [[nodiscard]] Object* release() noexcept { return std::exchange(op_, nullptr); }
  void reset() noexcept { *this = Ref(); }

 private:
  explicit Ref(Object* op) noexcept : op_(op) {}
  Object* op_ = nullptr;
};

// Frees the memory of a dead object: at once, or (brc) after a grace period when the object may
// still be read by lock-free readers. (Allocation is internal to the runtime: runtime/src/internal.h.)
void FreeObject(Object* op) noexcept;

// Live objects, counted per kind in per-thread counters and summed on read. Immortal objects are
// not counted. Call EvalBreakerCheck() first to merge objects queued to this thread.
std::int64_t LiveObjects(Kind kind) noexcept;
std::int64_t LiveObjectsTotal() noexcept;

// ---- memory: object bytes per kind ----
// Every allocation and every free of a counted object also adds its allocation size (the
// variant's header, the type pointer and the payload stored in the object itself: a str's
// characters and NUL, a tuple's item pointers) to the same per-thread tallies as the live counts,
// a plain thread-local add each way. Separate allocations are not counted: a list's item array,
// a dict's table, memory waiting for a QSBR grace period (an object's bytes leave the tally when
// it dies, as its count does). Immortal objects are not counted.
struct ObjectMemory {
  std::int64_t allocated_objects = 0;  // ever allocated, since the process started
  std::int64_t allocated_bytes = 0;
  std::int64_t live_objects = 0;       // allocated minus freed
  std::int64_t live_bytes = 0;
};
// A summed snapshot of every kind (one registry lock). Call EvalBreakerCheck() first, as above.
std::array<ObjectMemory, kKindCount> ReadObjectMemory() noexcept;
std::int64_t LiveBytes(Kind kind) noexcept;
std::int64_t LiveBytesTotal() noexcept;
// The allocation size of a live object, as counted: computed from its kind (and a str's length or
// a tuple's size), so the free path needs no stored size.
std::size_t ObjectBytes(const Object* op) noexcept;

FTB_NAMESPACE_END
