// ftb/mechanisms.h: the mechanisms CPython's free-threaded build uses to keep objects that every
// thread touches off the contended path, each switchable so that a sweep can show what each buys.
// They change the brc variant only (gil and atomic keep plain or atomic counts everywhere: there
// every function below is a no-op or the plain reference-count operation it replaces).
//
//   deferred_refcount         functions, code objects, module globals and classes have deferred
//                             counts: the interpreter holds them on its stack as tagged
//                             references without writing their counts (ftb/stackref.h), and a
//                             collector frees them (CPython 3.13 gh-117696, 3.14 _PyStackRef).
//   per_thread_type_refcount  creating or freeing an instance of a class changes a slot of the
//                             thread's own array instead of the class's shared count, merged when
//                             the true count is needed (CPython 3.14, Python/uniqueid.c).
//   immortal_constants        code constants (ints, floats, strs the compiler made) are immortal
//                             (CPython 3.13t, gh-118667; except in code made by the builtin
//                             compile(), docs/mechanisms-interp.md).
//   immortalize_on_thread     CPython 3.13t's stop-gap instead of the first two (gh-117783): the
//                             objects that would be deferred are made immortal when the first
//                             thread other than the first one attaches. Off by default.
//   borrowed_loads            the interpreter loads a local whose value the frame provably keeps
//                             alive without a reference (LOAD_FAST_BORROW, CPython 3.14's
//                             Python/flowgraph.c optimize_load_fast; 3.13 had none). Off, brc's
//                             interpreter takes a reference for every load of a local, as 3.13's
//                             LOAD_FAST did (a count write on a shared object held in a local).
//
// Set them once, before objects are made (a process-wide setting; ftbench runs each measured run
// in its own process). The defaults are CPython 3.14t's: every one on but immortalize_on_thread.
// The switches are read only when an object is given a mechanism (SetDeferredRefcount, Class,
// Immortalize) or a code object is made (BorrowedLoads), never per operation: the operations test
// the object (a gc bit, a unique id, an immortal count) or run the instruction they were given.
//
// ---- deferred reference counting (Objects/object.c _PyObject_SetDeferredRefcount) ----
//
// A deferred object carries a bias of kDeferredBias in its shared count, so that no decref ever
// takes it to zero, and the gc bit kGcDeferred (ftb/stackref.h), so that StackRef::New and
// DictGetStackRef hold it as a tagged reference without touching its count. Only CollectDeferred
// frees it: once its true count (its count minus the bias, after merging the per-thread counts) is
// zero and no thread's StackRoots (ThreadState::stack_roots) hold a StackRef to it.
//
//   cost  SetDeferredRefcount: one atomic add and one gc-bit store, plus a registry insertion
//         under a mutex (once per object). A stack load or close of a deferred object: no write
//         to the object at all (where a non-owner thread would pay a locked add each way).
//         CollectDeferred: a stop-the-world, then work linear in the registered deferred objects
//         plus every thread's stack roots and per-thread slots, repeated while it frees anything.
//
// CollectDeferred stops the world: the caller must be attached (it detaches while the others are
// stopped and attaches again before freeing), and every other attached thread must reach an
// eval-breaker check or detach in bounded time (a thread blocked on something else while attached
// blocks the collection). Threads that attach for the first time during a collection hold no stack
// reference yet and cannot reach an object it frees, which has no counted reference left. The
// frees themselves run after the world restarts: nothing can reach the objects being freed. It
// repeats until a round frees nothing, so a chain of deferred objects (a function whose globals
// dict held its last reference, once the dict's entry is cleared) goes in one call; a cycle of
// deferred objects is never freed (there is no cycle detection: the interpreter clears its
// module's globals first, which cuts the function <-> globals cycle).
//
// ---- per-thread reference counts for classes (Python/uniqueid.c, _Py_INCREF_TYPE) ----
//
// Class() gives each class a unique id from a pool (ids are reused once a class is freed) and
// makes it deferred: a class whose count is spread over threads can only be freed by the
// collector, after a merge. Creating an instance (InitObject) adds one to the calling thread's
// slot ThreadState::type_refcounts[unique_id - 1] with a plain add; freeing one subtracts one from
// the freeing thread's slot (which may go negative). The slots are folded into the class's shared
// count (atomically, slot zeroed) when the thread exits and, for every thread, whenever the
// collector needs true counts (CollectDeferred, TrueRefcount: at stop-the-world).
//
//   cost  per instance created or freed: a load of the class's id, a bounds check and a plain add
//         on a line only this thread writes (the array grows, out of line, on first use of an id).
//         Without it: an atomic add on the class's shared count from every thread but the one
//         that made the class, all threads writing one cache line.
//
// With deferred_refcount off, a class with a unique id still has the bias (and is freed by the
// collector) but not the kGcDeferred bit: stack loads count it as any object.
//
// ---- immortal constants (PEP 683; gh-118667 in the free-threaded build) ----
//
// Immortalize makes an object immortal (ob_ref_local = UINT32_MAX: no thread ever writes its
// count again) and takes it out of the live tallies, as immortal objects are not counted. Each call
// hands over one reference the caller holds; ReleaseImmortalized is the matching release, used
// instead of Decref (by the interpreter when it tears its module down): it puts the object back in
// the tallies and frees it once every Immortalize of it has been released. Both may be called on
// any object: on one that Immortalize left mortal (the switch off, the gil and atomic variants) or
// that was immortal already (None, small ints, interned strs), ReleaseImmortalized is a plain
// Decref. To immortalize an object twice, take a second reference first (Ref::New): a no-op on an
// immortal object, a real one where Immortalize did nothing.
//
//   cost  none per operation (an immortal object's increfs and decrefs are a load and a compare,
//         no store); a registry entry under a mutex per constant.
#pragma once

#include <cstdint>

#include "ftb/variant.h"

FTB_NAMESPACE_BEGIN

struct Object;
struct TypeObject;

struct Mechanisms {
  bool deferred_refcount = true;
  bool per_thread_type_refcount = true;
  bool immortal_constants = true;
  bool immortalize_on_thread = false;
  bool borrowed_loads = true;
};

void SetMechanisms(const Mechanisms& mechanisms) noexcept;
const Mechanisms& CurrentMechanisms() noexcept;

// The bias a deferred object carries in its shared count (CPython's _Py_REF_DEFERRED).
inline constexpr std::int64_t kDeferredBias = INT64_MAX / 8;

// ---- deferred reference counting ----

// Makes `op` deferred (brc with deferred_refcount on; otherwise nothing). The caller holds a
// reference; from then on the object is freed only by CollectDeferred. Idempotent.
void SetDeferredRefcount(Object* op) noexcept;
// Whether `op` carries the collector's bias (a deferred object, or a class with per-thread
// counts). Always false in gil and atomic.
bool HasDeferredRefcount(const Object* op) noexcept;
// Frees every deferred object whose true count is zero and which no StackRef in any thread's
// StackRoots holds (see above for the stop-the-world contract). Returns how many it freed; 0 in
// gil and atomic.
std::int64_t CollectDeferred() noexcept;
// How many objects wait for the collector (deferred, not yet freed); 0 in gil and atomic.
std::int64_t DeferredObjectCount() noexcept;

// ---- per-thread reference counts ----

// The exact reference count of `op`: per-thread counts merged (a stop-the-world, as CollectDeferred),
// the bias removed. For tests and diagnostics; in gil and atomic, Refcount(op).
std::int64_t TrueRefcount(Object* op) noexcept;
// Gives a class made outside Class() a unique id and the bias (what Class() does, with
// per_thread_type_refcount on in brc; otherwise nothing), so that its instances count it per
// thread. Its dealloc must call ReleaseTypeUniqueId; the class is then freed by CollectDeferred.
void AssignTypeUniqueId(TypeObject* cls) noexcept;
void ReleaseTypeUniqueId(TypeObject* cls) noexcept;

// ---- immortalize on the first extra thread (CPython 3.13t, gh-117783) ----
//
// CPython 3.13 marked functions, code objects, module globals and heap types deferred but its
// interpreter still wrote their counts; so that they would not bounce between cores, 3.13t made
// every deferred object immortal when the first non-main thread started
// (_PyGC_ImmortalizeDeferredObjects, a stop-the-world walk of the heap), and from then on
// _PyObject_SetDeferredRefcount made each new such object immortal at once. ftbench's brc does
// the same with immortalize_on_thread on:
//
//   - before the trigger, SetDeferredRefcount gives the object the collector's bias and registers
//     it (so nothing frees it behind the registry's back; a collection may free it), but sets
//     kGcDeferred only if deferred_refcount is on too (3.13's interpreter counted them);
//   - the trigger: a ThreadAttach while another thread state is registered (the harness's first
//     worker; the main thread is the first). That thread stops the world (the collector's
//     stop-the-world: every other attached thread must reach an eval-breaker check or detach) and
//     makes every registered object immortal, once per process;
//   - after the trigger, SetDeferredRefcount makes the (fresh, not yet shared) object immortal
//     at once, as 3.13's did;
//   - a class gets no unique id (AssignTypeUniqueId does nothing): 3.13 had no per-thread counts.
//
// Immortalized objects leave the live tallies (immortal objects are not counted). CPython never
// frees them; ftbench frees them in ReleaseThreadImmortalized, which the harness calls when a cell
// is over (its leak check), so that whatever they hold (a class's dict) is freed too.
//
//   cost  the trigger: one stop-the-world and a pass over the registered objects, once. After
//         it, no count write at all for these objects (as immortal_constants), but they are never
//         collected while the process runs.

// Whether the first extra thread has made the deferred objects immortal (immortalize_on_thread).
bool ImmortalizedOnThreadStart() noexcept;
// How many objects the mechanism made immortal and ReleaseThreadImmortalized has not freed yet.
std::int64_t ThreadImmortalizedObjectCount() noexcept;
// Frees every object the mechanism made immortal; returns how many. Call only when nothing uses
// them any more and no other thread is attached: their references were not counted while they
// were immortal (the harness: after a cell's workers have exited and its workload is destroyed).
// They are deallocated together, still immortal, so that their references to each other are
// no-ops, and their memory is freed after a grace period (QSBR), so that a dealloc that reads
// another one's header reads live memory. The trigger stays set, as CPython's does.
std::int64_t ReleaseThreadImmortalized() noexcept;

// ---- borrowed loads (CPython 3.14's LOAD_FAST_BORROW) ----
//
// The switch is read when a code object is made (ftb/interp: its instructions then hold
// LOAD_FAST_BORROW or LOAD_FAST), never per load. Borrowed loads are a change of CPython's
// interpreter in both of its builds, not of free threading; here, as every other mechanism, the
// switch changes brc alone: gil and atomic always borrow, so that `brc:3.13` differs from brc in
// 3.13t's mechanisms and its interpreter's loads while the gil it is compared with stays one
// variant (its one-thread ratio to gil then includes the 0-9% more instructions that strong loads
// take, which CPython 3.13's GIL build took too).
//
//   cost  off: an incref at each load of a local and a decref where the value is consumed; a
//         locked add each way when the local holds an object another thread owns.

// Whether code objects made now get borrowed loads: always in gil and atomic; in brc, the switch.
bool BorrowedLoads() noexcept;

// ---- immortal constants ----

// Makes `op`, to which the caller holds a reference, immortal (brc with immortal_constants on;
// otherwise nothing). The calling thread must be the only one that has seen it (a constant the
// loader just made). Already immortal objects are left alone.
void Immortalize(Object* op) noexcept;
// Releases the caller's reference to an object it passed to Immortalize (see above). Call it
// only when nothing else uses the object any more: an immortalized object's other references
// were never counted.
void ReleaseImmortalized(Object* op) noexcept;
// How many objects Immortalize made immortal and are not released yet.
std::int64_t ImmortalizedObjectCount() noexcept;

FTB_NAMESPACE_END
