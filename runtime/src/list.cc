// list: a resizable array of references (CPython's Objects/listobject.c).
//
// Writes hold the list's critical section. In brc, reads of an item do not: see types.h.
#include "alloc.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN
namespace {

ListObject* AsList(Object* op) {
  FTB_CHECK(op->type == &g_list_type, "a list is required");
  return static_cast<ListObject*>(op);
}

// Fields read by lock-free readers are accessed through atomic_ref everywhere (a plain mov on
// x86-64); the pointer and the slots are published with release stores so a reader that sees
// them sees what they point to.
std::atomic_ref<std::size_t> SizeRef(ListObject* l) { return std::atomic_ref<std::size_t>(l->size); }
std::atomic_ref<ListItems*> ArrayRef(ListObject* l) { return std::atomic_ref<ListItems*>(l->array); }
std::atomic_ref<Object*> Slot(ListItems* a, std::size_t i) { return std::atomic_ref<Object*>(a->items()[i]); }

ListItems* AllocArray(std::size_t capacity) {
  auto* a = static_cast<ListItems*>(internal::AllocObjectMemory(sizeof(ListItems) + capacity * sizeof(Object*)));
  a->capacity = capacity;
  return a;
}

void FlagItemsIfShared(ListObject* l, Object* item) {
  if ((internal::GcBits(l) & kGcShared) != 0) internal::FlagDeferredFree(item);
}

void EnsureShared(ListObject* l) {
  internal::EnsureSharedLocked(l, [l](auto&& flag) {
    std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) flag(Slot(l->array, i).load(std::memory_order_relaxed));
  });
}

// Grows the array to hold at least `needed` items (CPython's list_resize growth pattern).
void ReserveLocked(ListObject* l, std::size_t needed) {
  ListItems* old = l->array;
  std::size_t capacity = old != nullptr ? old->capacity : 0;
  if (needed <= capacity) return;
  std::size_t new_capacity = (needed + (needed >> 3) + 6) & ~std::size_t{3};
  ListItems* fresh = AllocArray(new_capacity);
  std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) Slot(fresh, i).store(Slot(old, i).load(std::memory_order_relaxed), std::memory_order_relaxed);
  for (std::size_t i = n; i < new_capacity; ++i) Slot(fresh, i).store(nullptr, std::memory_order_relaxed);
  ArrayRef(l).store(fresh, std::memory_order_release);
  if (old != nullptr) internal::FreeArray(l, old);
}

bool NormalizeIndex(std::int64_t& index, std::size_t size) {
  if (index < 0) index += static_cast<std::int64_t>(size);
  return index >= 0 && static_cast<std::size_t>(index) < size;
}

Ref GetLocked(ListObject* l, std::int64_t index) {
  CriticalSection cs(l);
  EnsureShared(l);
  if (!NormalizeIndex(index, SizeRef(l).load(std::memory_order_relaxed))) return {};
  return Ref::New(Slot(l->array, static_cast<std::size_t>(index)).load(std::memory_order_relaxed));
}

}  // namespace

void ListDeallocImpl(Object* op) noexcept {
  auto* l = static_cast<ListObject*>(op);
  if (l->array != nullptr) {
    for (std::size_t i = 0; i < l->size; ++i) Decref(l->array->items()[i]);
    internal_alloc::Free(l->array);  // nobody can hold a dead list, so nobody reads its array
  }
  FreeObject(op);
}

Ref List() {
  auto* l = internal::AllocObject<ListObject>(&g_list_type);
  l->size = 0;
  l->array = nullptr;
  return Ref::Steal(l);
}

std::size_t ListSize(Object* list) { return SizeRef(AsList(list)).load(std::memory_order_relaxed); }

void ListAppend(Object* list, Object* item) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
  ReserveLocked(l, n + 1);
  Incref(item);
  FlagItemsIfShared(l, item);
  Slot(l->array, n).store(item, std::memory_order_release);
  SizeRef(l).store(n + 1, std::memory_order_release);
}

void ListAppendNew(Object* list, Object* item) {
  ListObject* l = AsList(list);
  FTB_DCHECK(Refcount(l) == 1, "ListAppendNew on a list that another reference can reach");
  std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
  ReserveLocked(l, n + 1);
  Incref(item);
  Slot(l->array, n).store(item, std::memory_order_relaxed);
  SizeRef(l).store(n + 1, std::memory_order_relaxed);
}

void ListInsert(Object* list, std::int64_t index, Object* item) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  auto n = static_cast<std::int64_t>(SizeRef(l).load(std::memory_order_relaxed));
  if (index < 0) index = std::max<std::int64_t>(index + n, 0);
  if (index > n) index = n;
  ReserveLocked(l, static_cast<std::size_t>(n) + 1);
  Incref(item);
  FlagItemsIfShared(l, item);
  // Lock-free readers may see an item twice while the tail moves up, never a freed one: every
  // slot holds a reference the list owns throughout (CPython's memmove under the lock).
  for (std::int64_t j = n; j > index; --j)
    Slot(l->array, static_cast<std::size_t>(j))
        .store(Slot(l->array, static_cast<std::size_t>(j - 1)).load(std::memory_order_relaxed), std::memory_order_release);
  Slot(l->array, static_cast<std::size_t>(index)).store(item, std::memory_order_release);
  SizeRef(l).store(static_cast<std::size_t>(n) + 1, std::memory_order_release);
}

void ListSetItems(Object* list, std::span<Object* const> items) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  std::size_t n = std::min(SizeRef(l).load(std::memory_order_relaxed), items.size());
  for (std::size_t i = 0; i < n; ++i) {
    Incref(items[i]);
    FlagItemsIfShared(l, items[i]);
    auto slot = Slot(l->array, i);
    Object* old = slot.load(std::memory_order_relaxed);
    slot.store(items[i], std::memory_order_release);
    Decref(old);  // as ListSet: the list held it, the caller's items hold their own references
  }
}

// The shared-count half of a lock-free reader's TryIncref (brc: _Py_TryIncRefShared, out of
// line); the policies without lock-free reads never get here, and have only TryIncref.
template <class P>
static bool TryIncrefSharedPart(typename P::Header& h) {
  if constexpr (requires { P::TryIncrefShared(h); })
    return P::TryIncrefShared(h);
  else
    return P::TryIncref(h);
}

// ListGet's lock-free path for an item that is neither immortal nor owned by this thread: a
// reference on its shared count, then a re-check that slot `i` of `array` (read by ListGet) still
// holds it (_Py_TryIncrefCompare); else the locked path. Out of line, so that ListGet's common path
// (an immortal item, or one this thread owns) is a leaf; handed what ListGet read, so that a
// shared item costs no second read of the list's size, array and slot.
FTB_NOINLINE static Ref GetShared(ListObject* l, std::int64_t index, ListItems* array, std::size_t i, Object* item) {
  if (TryIncrefSharedPart<Policy>(item->hdr)) {
    if (Slot(array, i).load(std::memory_order_acquire) == item) return Ref::Steal(item);
    Decref(item);
  }
  return GetLocked(l, index);
}

Ref ListGet(Object* list, std::int64_t index) {
  ListObject* l = AsList(list);
  if constexpr (Policy::kLockFreeReads) {
    // CPython's list_get_item_ref: size, array, slot, then a reference only if the object is
    // not being freed and the slot still holds it; otherwise the locked path. An immortal item
    // or one this thread owns needs no re-check (_Py_TryIncrefCompare): no other thread can free
    // it meanwhile.
    if (internal::MayReadLockFree(l)) {
      std::int64_t i = index;
      if (!NormalizeIndex(i, SizeRef(l).load(std::memory_order_acquire))) return {};
      ListItems* array = ArrayRef(l).load(std::memory_order_acquire);
      if (array != nullptr && static_cast<std::size_t>(i) < array->capacity) {
        Object* item = Slot(array, static_cast<std::size_t>(i)).load(std::memory_order_acquire);
        if (item != nullptr) {
          if (Policy::TryIncrefFast(item->hdr)) [[likely]] return Ref::Steal(item);
          return GetShared(l, index, array, static_cast<std::size_t>(i), item);
        }
      }
    }
  }
  return GetLocked(l, index);
}

bool ListSet(Object* list, std::int64_t index, Object* item) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  if (!NormalizeIndex(index, SizeRef(l).load(std::memory_order_relaxed))) return false;
  Incref(item);
  FlagItemsIfShared(l, item);
  auto slot = Slot(l->array, static_cast<std::size_t>(index));
  Object* old = slot.load(std::memory_order_relaxed);
  slot.store(item, std::memory_order_release);
  Decref(old);
  return true;
}

Ref ListPop(Object* list, std::int64_t index) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
  if (!NormalizeIndex(index, n)) return {};
  auto i = static_cast<std::size_t>(index);
  Object* item = Slot(l->array, i).load(std::memory_order_relaxed);
  for (std::size_t j = i; j + 1 < n; ++j)
    Slot(l->array, j).store(Slot(l->array, j + 1).load(std::memory_order_relaxed), std::memory_order_release);
  Slot(l->array, n - 1).store(nullptr, std::memory_order_release);
  SizeRef(l).store(n - 1, std::memory_order_release);
  return Ref::Steal(item);  // the list's reference becomes the caller's
}

void ListSort(Object* list) {
  ListObject* l = AsList(list);
  CriticalSection cs(l);
  EnsureShared(l);
  std::size_t n = SizeRef(l).load(std::memory_order_relaxed);
  std::vector<Object*> items(n);
  for (std::size_t i = 0; i < n; ++i) items[i] = Slot(l->array, i).load(std::memory_order_relaxed);
  std::stable_sort(items.begin(), items.end(), [](Object* a, Object* b) { return Compare(a, b) < 0; });
  for (std::size_t i = 0; i < n; ++i) Slot(l->array, i).store(items[i], std::memory_order_release);
}

void ListExtend(Object* list, Object* other) {
  ListObject* dst = AsList(list);
  ListObject* src = AsList(other);
  CriticalSection cs(dst, src);
  EnsureShared(dst);
  EnsureShared(src);
  std::size_t n = SizeRef(dst).load(std::memory_order_relaxed);
  std::size_t m = SizeRef(src).load(std::memory_order_relaxed);
  ReserveLocked(dst, n + m);
  for (std::size_t i = 0; i < m; ++i) {  // src's array is re-read: dst may be src
    Object* item = Slot(src->array, i).load(std::memory_order_relaxed);
    Incref(item);
    FlagItemsIfShared(dst, item);
    Slot(dst->array, n + i).store(item, std::memory_order_release);
  }
  SizeRef(dst).store(n + m, std::memory_order_release);
}

Ref ListCopy(Object* list) {
  ListObject* src = AsList(list);
  Ref copy = List();
  auto* dst = static_cast<ListObject*>(copy.get());
  CriticalSection cs(src);
  EnsureShared(src);
  std::size_t n = SizeRef(src).load(std::memory_order_relaxed);
  if (n == 0) return copy;
  ReserveLocked(dst, n);
  for (std::size_t i = 0; i < n; ++i) {
    Object* item = Slot(src->array, i).load(std::memory_order_relaxed);
    Incref(item);
    Slot(dst->array, i).store(item, std::memory_order_relaxed);
  }
  SizeRef(dst).store(n, std::memory_order_release);
  return copy;
}

FTB_NAMESPACE_END
