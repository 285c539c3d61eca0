// ftb/stackref.h: the interpreter's references on its value stack and in its fast locals.
//
// CPython 3.14 keeps the references of its frames as tagged pointers (_PyStackRef,
// Include/internal/pycore_stackref.h). In the free-threaded build, loading an object that is
// immortal or has *deferred* reference counting does not touch its count: the slot is tagged
// (Py_TAG_DEFERRED, bit 0) and closing it does nothing. Deferred objects (top-level functions,
// code objects, module globals, classes) are therefore never freed by a decref reaching zero; the
// collector (CollectDeferred, ftb/mechanisms.h) frees them after scanning every thread's frames
// (the StackRoots chains below) for tagged references.
//
// Cost (brc): New and Close of a deferred or immortal object are a load of its gc bits or count
// and no write; of any other object, an Incref / Decref. A tagged slot must be in a linked
// StackRoots region before its thread next reaches an eval-breaker check or detaches: that is
// where a collection can stop it.
//
// In ftbench this is the brc variant's mechanism (switchable, see Mechanisms below); gil and atomic
// own what they load (their counts are plain or atomic).
//
// The same tag marks a *borrowed* slot in every variant (CPython 3.14's PyStackRef_Borrow, both
// builds): LOAD_FAST_BORROW pushes a local's object without a reference where the interpreter's
// front end proved that the local outlives the slot (interp/src/frontend/borrow.h). A borrowed
// slot is closed without a decref like a deferred one, and made owned before it can outlive its
// frame (MakeHeapSafe, at RETURN_VALUE).
//
//   bits_:  [ Object* (8-byte aligned) | bit 0: 1 = no reference owned (deferred, immortal, borrowed) ]
#pragma once

#include <cstdint>
#include <utility>

#include "ftb/object.h"
#include "ftb/thread_state.h"

FTB_NAMESPACE_BEGIN

// gc_bits (brc): the object's count is deferred (CPython's _PyGC_BITS_DEFERRED).
inline constexpr std::uint8_t kGcDeferred = 4;

// Whether `op` may be held on an interpreter stack without a reference (tagged).
inline bool IsDeferredOrImmortal(const Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    return IsImmortal(op) || (Policy::LoadGcBits(op->hdr) & kGcDeferred) != 0;
  } else {
    return false;
  }
}

class StackRef {
 public:
  static constexpr std::uintptr_t kTagDeferred = 1;

  constexpr StackRef() = default;
  // Takes over an owned reference.
  static StackRef Steal(Ref ref) noexcept { return StackRef(reinterpret_cast<std::uintptr_t>(ref.release())); }
  static StackRef StealObject(Object* op) noexcept { return StackRef(reinterpret_cast<std::uintptr_t>(op)); }
  // PyStackRef_FromPyObjectNew: a new reference to `op`, or a tagged slot without one when `op` is
  // deferred or immortal.
  static StackRef New(Object* op) noexcept {
    if (IsDeferredOrImmortal(op)) return StackRef(reinterpret_cast<std::uintptr_t>(op) | kTagDeferred);
    Incref(op);
    return StackRef(reinterpret_cast<std::uintptr_t>(op));
  }

  // A tagged slot for `op`, which the caller knows to be deferred or immortal (IsDeferredOrImmortal).
  static StackRef Tagged(Object* op) noexcept {
    FTB_DCHECK(IsDeferredOrImmortal(op), "a tagged StackRef for an object that is neither deferred nor immortal");
    return StackRef(reinterpret_cast<std::uintptr_t>(op) | kTagDeferred);
  }

  // PyStackRef_Borrow: a slot for the same object that owns no reference, valid while this one
  // keeps the object alive.
  StackRef Borrow() const noexcept { return StackRef(bits_ | kTagDeferred); }
  // PyStackRef_MakeHeapSafe: a slot that stays valid after the frame it was borrowed from ends: a
  // tagged slot whose object is neither deferred nor immortal (a borrowed one) takes a reference.
  void MakeHeapSafe() noexcept {
    if ((bits_ & kTagDeferred) != 0 && !IsDeferredOrImmortal(get())) {
      Incref(get());
      bits_ &= ~kTagDeferred;
    }
  }

  Object* get() const noexcept { return reinterpret_cast<Object*>(bits_ & ~kTagDeferred); }
  bool is_null() const noexcept { return bits_ == 0; }
  bool owns_reference() const noexcept { return (bits_ & kTagDeferred) == 0; }
  std::uintptr_t bits() const noexcept { return bits_; }

  // PyStackRef_CLOSE: releases the reference, if the slot owns one; the slot becomes null.
  void Close() noexcept {
    std::uintptr_t bits = std::exchange(bits_, 0);
    if (bits != 0 && (bits & kTagDeferred) == 0) Decref(reinterpret_cast<Object*>(bits));
  }
  // PyStackRef_DUP: another slot for the same object (a reference only where this one owns one).
  StackRef Dup() const noexcept {
    if (bits_ != 0 && (bits_ & kTagDeferred) == 0) Incref(get());
    return StackRef(bits_);
  }
  // PyStackRef_AsPyObjectSteal: an owned reference for code outside the interpreter (increfs a
  // tagged slot); the slot becomes null.
  Ref ToRef() noexcept {
    std::uintptr_t bits = std::exchange(bits_, 0);
    if (bits == 0) return Ref();
    Object* op = reinterpret_cast<Object*>(bits & ~kTagDeferred);
    if ((bits & kTagDeferred) != 0) return Ref::New(op);
    return Ref::Steal(op);
  }

 private:
  explicit constexpr StackRef(std::uintptr_t bits) : bits_(bits) {}
  std::uintptr_t bits_ = 0;
};
static_assert(sizeof(StackRef) == sizeof(void*));

// A region of StackRefs that the deferred collector scans: an interpreter frame's fast locals and
// value stack, [base, *top). Frames link themselves into their thread's chain
// (ThreadState::stack_roots) on entry and unlink on exit; the eval loop keeps *top current at
// every point where another thread may scan (calls, eval-breaker checks).
struct StackRoots {
  StackRoots* previous = nullptr;
  StackRef* base = nullptr;
  StackRef* const* top = nullptr;
};

// dict[key] as a StackRef (CPython's _Py_dict_lookup_threadsafe_stackref): a tagged slot, without
// touching the value's count, when the value is deferred or immortal. Null when the key is absent.
// brc reads without the dict's lock, as DictGet does (load, check, re-check the entry and the
// table; the locked path is the fallback), so a load of a shared deferred function from every
// thread writes nothing shared.
StackRef DictGetStackRef(Object* dict, Object* key);

// A StackRef that C++ code outside the eval loop (no frame) holds across a call, as the runtime's
// CallMethod holds the method it calls: a tagged one is linked into the calling thread's
// StackRoots chain while it lives, so that a collection during the call (the callee may remove the
// object from where it was loaded) sees it; closed at scope exit. Scoped, like frames: the chain
// is last in, first out. Cost: nothing for an owned reference; four stores for a tagged one.
class ScopedStackRef {
 public:
  explicit ScopedStackRef(StackRef ref) noexcept : ref_(ref) {
    if (!ref_.owns_reference()) {
      ts_ = CurrentThreadState();
      roots_.previous = ts_->stack_roots;
      ts_->stack_roots = &roots_;
    }
  }
  ~ScopedStackRef() {
    if (ts_ != nullptr) ts_->stack_roots = roots_.previous;
    ref_.Close();
  }
  ScopedStackRef(const ScopedStackRef&) = delete;
  ScopedStackRef& operator=(const ScopedStackRef&) = delete;

  Object* get() const noexcept { return ref_.get(); }
  bool is_null() const noexcept { return ref_.is_null(); }

 private:
  StackRef ref_;
  StackRef* top_ = &ref_ + 1;
  StackRoots roots_{nullptr, &ref_, &top_};
  ThreadState* ts_ = nullptr;
};

FTB_NAMESPACE_END
