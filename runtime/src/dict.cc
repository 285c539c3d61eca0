// dict: CPython's compact, insertion-ordered hash table (Objects/dictobject.c), reduced to what
// ftbench needs: an index table of 2^k slots (-1 empty, -2 deleted, else an entry number) and an
// entry array in insertion order; CPython's probe sequence (perturb >>= 5; i = 5i + perturb + 1);
// usable entries = 2/3 of the slots.
//
// Writes hold the dict's critical section. In brc, DictGet does not: it probes the current keys
// table, takes a reference to the value with TryIncref, then re-checks that the entry still holds
// it and that the table was not replaced; anything else falls back to the locked path. Replaced
// tables are retired through QSBR.
#include "alloc.h"

#include <bit>
#include <cstring>

#include "ftb/stackref.h"
#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

struct DictEntry {
  std::uint64_t hash;
  Object* key;    // null once deleted
  Object* value;  // null once deleted
};

struct DictKeys {
  std::size_t slots;     // a power of two
  std::size_t usable;    // entries that fit before a resize
  std::size_t nentries;  // entries used, deleted ones included
  std::int64_t* indices() { return reinterpret_cast<std::int64_t*>(this + 1); }
  DictEntry* entries() { return reinterpret_cast<DictEntry*>(indices() + slots); }
};

namespace {

constexpr std::int64_t kEmpty = -1;
constexpr std::int64_t kDummy = -2;
constexpr std::size_t kMinSlots = 8;  // CPython's PyDict_MINSIZE
constexpr int kPerturbShift = 5;      // CPython's PERTURB_SHIFT

DictObject* AsDict(Object* op) {
  FTB_CHECK(op->type == &g_dict_type, "a dict is required");
  return static_cast<DictObject*>(op);
}

std::atomic_ref<DictKeys*> KeysRef(DictObject* d) { return std::atomic_ref<DictKeys*>(d->keys); }
std::atomic_ref<std::int64_t> IndexRef(DictKeys* k, std::size_t i) { return std::atomic_ref<std::int64_t>(k->indices()[i]); }
std::atomic_ref<Object*> KeyRef(DictEntry& e) { return std::atomic_ref<Object*>(e.key); }
std::atomic_ref<Object*> ValueRef(DictEntry& e) { return std::atomic_ref<Object*>(e.value); }
std::atomic_ref<std::size_t> UsedRef(DictObject* d) { return std::atomic_ref<std::size_t>(d->used); }
std::atomic_ref<std::size_t> NentriesRef(DictKeys* k) { return std::atomic_ref<std::size_t>(k->nentries); }

DictKeys* AllocKeys(std::size_t slots) {
  std::size_t usable = slots * 2 / 3;
  auto* k = static_cast<DictKeys*>(
      internal::AllocObjectMemory(sizeof(DictKeys) + slots * sizeof(std::int64_t) + usable * sizeof(DictEntry)));
  k->slots = slots;
  k->usable = usable;
  k->nentries = 0;
  for (std::size_t i = 0; i < slots; ++i) k->indices()[i] = kEmpty;
  return k;
}

bool KeysEqual(Object* stored, std::uint64_t stored_hash, Object* key, std::uint64_t hash) {
  return stored == key || (stored_hash == hash && Eq(stored, key));
}

// Finds `key`; returns its entry number or -1. With `slot_out`, also the slot where it is or
// where it would be inserted. Safe for lock-free readers: every shared word is an atomic load.
std::int64_t Lookup(DictKeys* k, Object* key, std::uint64_t hash, std::size_t* slot_out = nullptr) {
  std::size_t mask = k->slots - 1;
  std::size_t i = hash & mask;
  std::uint64_t perturb = hash;
  std::size_t first_free = SIZE_MAX;
  for (;;) {
    std::int64_t ix = IndexRef(k, i).load(std::memory_order_acquire);
    if (ix == kEmpty) {
      if (slot_out != nullptr) *slot_out = first_free != SIZE_MAX ? first_free : i;
      return -1;
    }
    if (ix == kDummy) {
      if (first_free == SIZE_MAX) first_free = i;
    } else {
      DictEntry& e = k->entries()[ix];
      Object* stored = KeyRef(e).load(std::memory_order_acquire);
      if (stored != nullptr && KeysEqual(stored, e.hash, key, hash)) {
        if (slot_out != nullptr) *slot_out = i;
        return ix;
      }
    }
    perturb >>= kPerturbShift;
    i = (i * 5 + perturb + 1) & mask;
  }
}

void ForEachEntry(DictKeys* k, auto&& fn) {
  if (k == nullptr) return;
  for (std::size_t i = 0; i < k->nentries; ++i) {
    DictEntry& e = k->entries()[i];
    Object* key = KeyRef(e).load(std::memory_order_relaxed);
    if (key != nullptr) fn(e, key, ValueRef(e).load(std::memory_order_relaxed));
  }
}

void EnsureShared(DictObject* d) {
  internal::EnsureSharedLocked(d, [d](auto&& flag) {
    ForEachEntry(d->keys, [&](DictEntry&, Object* key, Object* value) {
      flag(key);
      flag(value);
    });
  });
}

// Rebuilds into a table with room for at least `needed` live entries, dropping deleted ones and
// keeping insertion order (CPython's dictresize).
void ResizeLocked(DictObject* d, std::size_t needed) {
  std::size_t slots = kMinSlots;
  while (slots * 2 / 3 < needed) slots *= 2;
  DictKeys* fresh = AllocKeys(slots);
  DictKeys* old = d->keys;
  ForEachEntry(old, [&](DictEntry& e, Object* key, Object* value) {
    std::size_t slot = 0;
    Lookup(fresh, key, e.hash, &slot);
    DictEntry& ne = fresh->entries()[fresh->nentries];
    ne.hash = e.hash;
    ne.key = key;
    ne.value = value;
    fresh->indices()[slot] = static_cast<std::int64_t>(fresh->nentries++);
  });
  KeysRef(d).store(fresh, std::memory_order_release);
  if (old != nullptr) internal::FreeArray(d, old);
}

// Inserts or replaces; steals nothing (increfs what it stores).
void SetLocked(DictObject* d, Object* key, Object* value) {
  std::uint64_t hash = Hash(key);
  bool shared = (internal::GcBits(d) & kGcShared) != 0;
  if (d->keys != nullptr) {
    std::int64_t ix = Lookup(d->keys, key, hash);
    if (ix >= 0) {
      DictEntry& e = d->keys->entries()[ix];
      Incref(value);
      if (shared) internal::FlagDeferredFree(value);
      Object* old = ValueRef(e).load(std::memory_order_relaxed);
      ValueRef(e).store(value, std::memory_order_release);
      Decref(old);
      return;
    }
  }
  std::size_t used = UsedRef(d).load(std::memory_order_relaxed);
  if (d->keys == nullptr || d->keys->nentries == d->keys->usable) ResizeLocked(d, (used + 1) * 2);
  DictKeys* k = d->keys;
  std::size_t slot = 0;
  Lookup(k, key, hash, &slot);
  Incref(key);
  Incref(value);
  if (shared) {
    internal::FlagDeferredFree(key);
    internal::FlagDeferredFree(value);
  }
  DictEntry& e = k->entries()[k->nentries];
  e.hash = hash;
  ValueRef(e).store(value, std::memory_order_relaxed);
  KeyRef(e).store(key, std::memory_order_release);  // the key publishes the entry
  IndexRef(k, slot).store(static_cast<std::int64_t>(k->nentries), std::memory_order_release);
  NentriesRef(k).store(k->nentries + 1, std::memory_order_release);  // read by lock-free DictNext
  UsedRef(d).store(used + 1, std::memory_order_relaxed);
}

// Inlined into DictGet and DictGetStackRef alike, in every variant.
FTB_ALWAYS_INLINE Ref GetLocked(DictObject* d, Object* key) {
  CriticalSection cs(d);
  EnsureShared(d);
  if (d->keys == nullptr) return {};
  std::int64_t ix = Lookup(d->keys, key, Hash(key));
  if (ix < 0) return {};
  return Ref::New(d->keys->entries()[ix].value);
}

}  // namespace

void DictDeallocImpl(Object* op) noexcept {
  auto* d = static_cast<DictObject*>(op);
  ForEachEntry(d->keys, [](DictEntry&, Object* key, Object* value) {
    Decref(key);
    Decref(value);
  });
  if (d->keys != nullptr) internal_alloc::Free(d->keys);  // nobody can hold a dead dict
  FreeObject(op);
}

Ref Dict() {
  auto* d = internal::AllocObject<DictObject>(&g_dict_type);
  d->keys = nullptr;
  d->used = 0;
  return Ref::Steal(d);
}

std::size_t DictSize(Object* dict) { return UsedRef(AsDict(dict)).load(std::memory_order_relaxed); }

Ref DictGet(Object* dict, Object* key) {
  DictObject* d = AsDict(dict);
  if constexpr (Policy::kLockFreeReads) {
    if (internal::MayReadLockFree(d)) {
      std::uint64_t hash = Hash(key);
      DictKeys* k = KeysRef(d).load(std::memory_order_acquire);
      if (k == nullptr) return {};
      std::int64_t ix = Lookup(k, key, hash);
      if (ix < 0) {
        // Not found in this table; a concurrent resize may have moved it to a new one.
        if (KeysRef(d).load(std::memory_order_acquire) == k) return {};
      } else {
        DictEntry& e = k->entries()[ix];
        Object* value = ValueRef(e).load(std::memory_order_acquire);
        if (value != nullptr && Policy::TryIncref(value->hdr)) {
          if (ValueRef(e).load(std::memory_order_acquire) == value && KeysRef(d).load(std::memory_order_acquire) == k)
            return Ref::Steal(value);
          Decref(value);
        }
      }
    }
  }
  return GetLocked(d, key);
}

void DictSet(Object* dict, Object* key, Object* value) {
  DictObject* d = AsDict(dict);
  Hash(key);  // reject unhashable keys before taking the lock
  CriticalSection cs(d);
  EnsureShared(d);
  SetLocked(d, key, value);
}

void DictSetNew(Object* dict, Object* key, Object* value) {
  DictObject* d = AsDict(dict);
  FTB_DCHECK(Refcount(d) == 1, "DictSetNew on a dict that another reference can reach");
  SetLocked(d, key, value);
}

bool DictDel(Object* dict, Object* key) {
  DictObject* d = AsDict(dict);
  std::uint64_t hash = Hash(key);
  Object* old_key;
  Object* old_value;
  {
    CriticalSection cs(d);
    EnsureShared(d);
    if (d->keys == nullptr) return false;
    std::size_t slot = 0;
    std::int64_t ix = Lookup(d->keys, key, hash, &slot);
    if (ix < 0) return false;
    DictEntry& e = d->keys->entries()[ix];
    IndexRef(d->keys, slot).store(kDummy, std::memory_order_release);
    // Plain release stores under the lock (CPython's STORE_KEY/STORE_VALUE), not exchanges: a
    // read-modify-write would be a locked instruction for nothing, only writers change entries.
    old_key = KeyRef(e).load(std::memory_order_relaxed);
    old_value = ValueRef(e).load(std::memory_order_relaxed);
    KeyRef(e).store(nullptr, std::memory_order_release);
    ValueRef(e).store(nullptr, std::memory_order_release);
    UsedRef(d).store(UsedRef(d).load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }
  Decref(old_key);
  Decref(old_value);
  return true;
}

bool DictNext(Object* dict, std::size_t& pos, Ref& key, Ref& value) {
  DictObject* d = AsDict(dict);
  if constexpr (Policy::kLockFreeReads) {
    // CPython's dictiter_iternext_threadsafe: the entry at pos or after it, without the lock, when
    // the key and the value are immortal or owned by this thread (no other thread can free them
    // meanwhile, so no re-check: _Py_TryIncrefCompare); anything else takes the locked path below.
    if (internal::MayReadLockFree(d)) {
      DictKeys* k = KeysRef(d).load(std::memory_order_acquire);
      if (k == nullptr) return false;
      std::size_t n = NentriesRef(k).load(std::memory_order_acquire);
      std::size_t i = pos;
      for (; i < n; ++i) {
        DictEntry& e = k->entries()[i];
        Object* entry_key = KeyRef(e).load(std::memory_order_acquire);
        if (entry_key == nullptr) continue;  // deleted
        Object* entry_value = ValueRef(e).load(std::memory_order_acquire);
        if (entry_value == nullptr || !Policy::TryIncrefFast(entry_key->hdr)) break;
        if (!Policy::TryIncrefFast(entry_value->hdr)) {
          Decref(entry_key);
          break;
        }
        pos = i + 1;
        key = Ref::Steal(entry_key);
        value = Ref::Steal(entry_value);
        return true;
      }
      if (i >= n && KeysRef(d).load(std::memory_order_acquire) == k) {
        pos = i;
        return false;
      }
    }
  }
  CriticalSection cs(d);
  EnsureShared(d);
  DictKeys* k = d->keys;
  if (k == nullptr) return false;
  while (pos < k->nentries) {
    DictEntry& e = k->entries()[pos++];
    if (e.key == nullptr) continue;
    key = Ref::New(e.key);
    value = Ref::New(e.value);
    return true;
  }
  return false;
}

void DictUpdate(Object* dict, Object* other) {
  DictObject* d = AsDict(dict);
  DictObject* o = AsDict(other);
  if (d == o) return;
  CriticalSection cs(d, o);
  EnsureShared(d);
  EnsureShared(o);
  ForEachEntry(o->keys, [d](DictEntry&, Object* key, Object* value) { SetLocked(d, key, value); });
}

// CPython's _Py_dict_lookup_threadsafe_stackref. In brc, a deferred or immortal value is returned
// tagged without touching its count and without re-checking the entry: such an object is freed
// only by the collector, which stops this thread first, so the loaded pointer stays valid until
// this thread's next eval-breaker check. A value this thread owns takes a local reference, also
// without a re-check (_Py_TryIncrefCompare: no other thread can free it); any other value takes
// a shared reference and re-checks the entry and the table as DictGet does; the locked path is
// the fallback.
StackRef DictGetStackRef(Object* dict, Object* key) {
  DictObject* d = AsDict(dict);
  if constexpr (Policy::kLockFreeReads) {
    if (internal::MayReadLockFree(d)) {
      std::uint64_t hash = Hash(key);
      DictKeys* k = KeysRef(d).load(std::memory_order_acquire);
      if (k == nullptr) return StackRef();
      std::int64_t ix = Lookup(k, key, hash);
      if (ix < 0) {
        if (KeysRef(d).load(std::memory_order_acquire) == k) return StackRef();
      } else {
        DictEntry& e = k->entries()[ix];
        Object* value = ValueRef(e).load(std::memory_order_acquire);
        if (value != nullptr) {
          if (IsDeferredOrImmortal(value)) {
            return StackRef::Tagged(value);  // no count written, no re-check (see above)
          } else if (Policy::TryIncrefFast(value->hdr)) {
            return StackRef::StealObject(value);  // owned or immortal: cannot be freed meanwhile
          } else if (Policy::TryIncref(value->hdr)) {
            if (ValueRef(e).load(std::memory_order_acquire) == value && KeysRef(d).load(std::memory_order_acquire) == k)
              return StackRef::StealObject(value);
            Decref(value);
          }
        }
      }
    }
  }
  Ref value = GetLocked(d, key);
  if (!value) return StackRef();
  if (IsDeferredOrImmortal(value.get())) return StackRef::New(value.get());  // `value` releases its reference
  return StackRef::Steal(std::move(value));
}

FTB_NAMESPACE_END
