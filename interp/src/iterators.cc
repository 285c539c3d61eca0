// iterators.cc: range objects, the iterators of the built-in containers, dict views, enumerate
// and zip, and sequence unpacking.
//
// Every iterator is an object of kind kIterator (one type per iterator, each with its own
// dealloc), owned by the frame that loops over it. List and tuple iterators read item by item
// through the runtime's ListGet/TupleGet, so a list that grows while it is iterated yields the
// new items, as in Python. Dict iterators and views walk the live dict (DictNext, under its
// critical section) and raise RuntimeError("dictionary changed size during iteration") when the
// dict's size changed since the iterator was made, as CPython does.
#include <cstring>
#include <vector>

#include "object_support.h"

FTB_NAMESPACE_BEGIN
namespace interp {

namespace {

void RangeDealloc(Object* op) noexcept { FreeObject(op); }

struct SeqIterObject : Object {
  Object* seq;  // list, tuple or str; null once exhausted
  std::size_t index;
};
void SeqIterDealloc(Object* op) noexcept {
  XDecref(static_cast<SeqIterObject*>(op)->seq);
  FreeObject(op);
}

struct RangeIterObject : Object {
  std::int64_t next, step, remaining;
};

struct DictIterObject : Object {
  Object* dict;  // null once exhausted
  std::size_t pos;
  std::size_t size;  // the dict's size when the iterator was made
  DictViewKind kind;
};
void DictIterDealloc(Object* op) noexcept {
  XDecref(static_cast<DictIterObject*>(op)->dict);
  FreeObject(op);
}

struct DictViewObject : Object {
  Object* dict;
  DictViewKind kind;
};
void DictViewDealloc(Object* op) noexcept {
  Decref(static_cast<DictViewObject*>(op)->dict);
  FreeObject(op);
}

struct EnumerateObject : Object {
  Object* it;
  std::int64_t count;
};
void EnumerateDealloc(Object* op) noexcept {
  Decref(static_cast<EnumerateObject*>(op)->it);
  FreeObject(op);
}

struct ZipObject : Object {
  Object* iters;  // a tuple of iterators
};
void ZipDealloc(Object* op) noexcept {
  Decref(static_cast<ZipObject*>(op)->iters);
  FreeObject(op);
}

#define FTB_INTERP_TYPE(var, pyname, kind, dealloc, size) \
  constinit TypeObject var{StaticHeader(&g_type_type), pyname, kind, dealloc, nullptr, nullptr, size}
FTB_INTERP_TYPE(g_list_iter_type, "list_iterator", Kind::kIterator, SeqIterDealloc, sizeof(SeqIterObject));
FTB_INTERP_TYPE(g_tuple_iter_type, "tuple_iterator", Kind::kIterator, SeqIterDealloc, sizeof(SeqIterObject));
FTB_INTERP_TYPE(g_str_iter_type, "str_iterator", Kind::kIterator, SeqIterDealloc, sizeof(SeqIterObject));
FTB_INTERP_TYPE(g_range_iter_type, "range_iterator", Kind::kIterator, RangeDealloc, sizeof(RangeIterObject));
FTB_INTERP_TYPE(g_dict_keyiter_type, "dict_keyiterator", Kind::kIterator, DictIterDealloc, sizeof(DictIterObject));
FTB_INTERP_TYPE(g_dict_valueiter_type, "dict_valueiterator", Kind::kIterator, DictIterDealloc, sizeof(DictIterObject));
FTB_INTERP_TYPE(g_dict_itemiter_type, "dict_itemiterator", Kind::kIterator, DictIterDealloc, sizeof(DictIterObject));
// Dict views are counted with the iterators (kind kIterator), though they are not iterators.
FTB_INTERP_TYPE(g_dict_keys_type, "dict_keys", Kind::kIterator, DictViewDealloc, sizeof(DictViewObject));
FTB_INTERP_TYPE(g_dict_values_type, "dict_values", Kind::kIterator, DictViewDealloc, sizeof(DictViewObject));
FTB_INTERP_TYPE(g_dict_items_type, "dict_items", Kind::kIterator, DictViewDealloc, sizeof(DictViewObject));
FTB_INTERP_TYPE(g_enumerate_type, "enumerate", Kind::kIterator, EnumerateDealloc, sizeof(EnumerateObject));
FTB_INTERP_TYPE(g_zip_type, "zip", Kind::kIterator, ZipDealloc, sizeof(ZipObject));

Ref NewSeqIter(TypeObject* type, Object* seq) {
  auto* it = NewObject<SeqIterObject>(type);
  Incref(seq);
  it->seq = seq;
  it->index = 0;
  return Ref::Steal(it);
}

Ref NewDictIter(Object* dict, DictViewKind kind) {
  TypeObject* type = kind == DictViewKind::kKeys     ? &g_dict_keyiter_type
                     : kind == DictViewKind::kValues ? &g_dict_valueiter_type
                                                     : &g_dict_itemiter_type;
  auto* it = NewObject<DictIterObject>(type);
  Incref(dict);
  it->dict = dict;
  it->pos = 0;
  it->size = DictSize(dict);
  it->kind = kind;
  return Ref::Steal(it);
}

}  // namespace

constinit TypeObject g_range_type{StaticHeader(&g_type_type), "range", Kind::kRange, RangeDealloc, nullptr, nullptr,
                                  sizeof(RangeObject)};

std::int64_t RangeLength(std::int64_t start, std::int64_t stop, std::int64_t step) {
  __int128 lo = start, hi = stop, st = step;
  if (st > 0 && lo < hi) return static_cast<std::int64_t>(1 + (hi - 1 - lo) / st);
  if (st < 0 && lo > hi) return static_cast<std::int64_t>(1 + (lo - 1 - hi) / (-st));
  return 0;
}

Ref NewRange(std::int64_t start, std::int64_t stop, std::int64_t step) {
  auto* r = NewObject<RangeObject>(&g_range_type);
  r->start = start;
  r->stop = stop;
  r->step = step;
  return Ref::Steal(r);
}

Ref NewDictView(Object* dict, DictViewKind kind) {
  TypeObject* type = kind == DictViewKind::kKeys     ? &g_dict_keys_type
                     : kind == DictViewKind::kValues ? &g_dict_values_type
                                                     : &g_dict_items_type;
  auto* view = NewObject<DictViewObject>(type);
  Incref(dict);
  view->dict = dict;
  view->kind = kind;
  return Ref::Steal(view);
}

bool IsDictView(const Object* op) {
  return op->type == &g_dict_keys_type || op->type == &g_dict_values_type || op->type == &g_dict_items_type;
}

Object* DictViewDict(Object* view, DictViewKind* kind) {
  auto* v = static_cast<DictViewObject*>(view);
  *kind = v->kind;
  return v->dict;
}

Ref NewEnumerate(Object* iterable, std::int64_t start) {
  Ref it = GetIter(iterable);
  if (!it) return {};
  auto* e = NewObject<EnumerateObject>(&g_enumerate_type);
  e->it = it.release();
  e->count = start;
  return Ref::Steal(e);
}

Ref NewZip(std::span<Object* const> iterables) {
  std::vector<Ref> iters;
  for (std::size_t i = 0; i < iterables.size(); ++i) {
    Ref it = GetIter(iterables[i]);
    if (!it) return {};
    iters.push_back(std::move(it));
  }
  std::vector<Object*> raw;
  for (const Ref& r : iters) raw.push_back(r.get());
  auto* z = NewObject<ZipObject>(&g_zip_type);
  z->iters = Tuple(raw).release();
  return Ref::Steal(z);
}

Ref GetIter(Object* iterable) {
  switch (KindOf(iterable)) {
    case Kind::kList: return NewSeqIter(&g_list_iter_type, iterable);
    case Kind::kTuple: return NewSeqIter(&g_tuple_iter_type, iterable);
    case Kind::kStr: return NewSeqIter(&g_str_iter_type, iterable);
    case Kind::kDict: return NewDictIter(iterable, DictViewKind::kKeys);
    case Kind::kRange: {
      auto* r = static_cast<RangeObject*>(iterable);
      auto* it = NewObject<RangeIterObject>(&g_range_iter_type);
      it->next = r->start;
      it->step = r->step;
      it->remaining = RangeLength(r->start, r->stop, r->step);
      return Ref::Steal(it);
    }
    case Kind::kIterator:
      if (IsDictView(iterable)) {
        auto* v = static_cast<DictViewObject*>(iterable);
        return NewDictIter(v->dict, v->kind);
      }
      return Ref::New(iterable);  // an iterator is its own iterator
    default: break;
  }
  return Raise(ExcType::kTypeError, QuotedTypeName(iterable) + " object is not iterable");
}

Ref IterNext(Object* iterator) {
  TypeObject* type = iterator->type;
  if (type == &g_range_iter_type) {
    auto* it = static_cast<RangeIterObject*>(iterator);
    if (it->remaining <= 0) return {};
    std::int64_t v = it->next;
    --it->remaining;
    if (it->remaining > 0) it->next += it->step;  // never past the last value (no overflow)
    return Int(v);
  }
  if (type == &g_list_iter_type || type == &g_tuple_iter_type || type == &g_str_iter_type) {
    auto* it = static_cast<SeqIterObject*>(iterator);
    if (it->seq == nullptr) return {};
    Ref item;
    if (type == &g_list_iter_type) {
      item = ListGet(it->seq, static_cast<std::int64_t>(it->index));
    } else if (type == &g_tuple_iter_type) {
      item = TupleGet(it->seq, it->index);
    } else {
      std::string_view s = StrView(it->seq);
      if (it->index < s.size()) item = Str(s.substr(it->index, 1));
    }
    if (!item) {
      Decref(std::exchange(it->seq, nullptr));
      return {};
    }
    ++it->index;
    return item;
  }
  if (type == &g_dict_keyiter_type || type == &g_dict_valueiter_type || type == &g_dict_itemiter_type) {
    auto* it = static_cast<DictIterObject*>(iterator);
    if (it->dict == nullptr) return {};
    if (DictSize(it->dict) != it->size) {
      it->size = static_cast<std::size_t>(-1);  // stays broken, as CPython's di_used = -1
      return Raise(ExcType::kRuntimeError, "dictionary changed size during iteration");
    }
    Ref key, value;
    if (!DictNext(it->dict, it->pos, key, value)) {
      Decref(std::exchange(it->dict, nullptr));
      return {};
    }
    if (it->kind == DictViewKind::kKeys) return key;
    if (it->kind == DictViewKind::kValues) return value;
    return Tuple({key.get(), value.get()});
  }
  if (type == &g_enumerate_type) {
    auto* e = static_cast<EnumerateObject*>(iterator);
    Ref item = IterNext(e->it);
    if (!item) return {};
    Ref index = Int(e->count);
    if (e->count == INT64_MAX) return RaiseIntOverflow();
    ++e->count;
    return Tuple({index.get(), item.get()});
  }
  if (type == &g_zip_type) {
    auto* z = static_cast<ZipObject*>(iterator);
    auto* iters = static_cast<TupleObject*>(z->iters);
    if (iters->size == 0) return {};
    std::vector<Ref> items;
    items.reserve(iters->size);
    for (std::size_t i = 0; i < iters->size; ++i) {
      Ref item = IterNext(iters->items()[i]);
      if (!item) return {};  // the shortest ends the zip (or an error is pending)
      items.push_back(std::move(item));
    }
    std::vector<Object*> raw;
    for (const Ref& r : items) raw.push_back(r.get());
    return Tuple(raw);
  }
  return Raise(ExcType::kTypeError, QuotedTypeName(iterator) + " object is not an iterator");
}

Ref ListFromIterable(Object* iterable) {
  if (iterable->type == &g_list_type) return ListCopy(iterable);
  Ref out = List();
  if (iterable->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(iterable);
    for (std::size_t i = 0; i < t->size; ++i) ListAppendNew(out.get(), t->items()[i]);
    return out;
  }
  Ref it = GetIter(iterable);
  if (!it) return {};
  while (Ref item = IterNext(it.get())) ListAppendNew(out.get(), item.get());
  if (ErrorPending()) return {};
  return out;
}

namespace {
int UnpackError(std::size_t expected, std::size_t got, bool too_many) {
  if (too_many)
    Raise(ExcType::kValueError, "too many values to unpack (expected " + std::to_string(expected) + ")");
  else
    Raise(ExcType::kValueError,
          "not enough values to unpack (expected " + std::to_string(expected) + ", got " + std::to_string(got) + ")");
  return -1;
}
}  // namespace

int UnpackSequence(Object* seq, std::size_t n, StackRef* out) {
  if (seq->type == &g_tuple_type) {
    auto* t = static_cast<TupleObject*>(seq);
    if (t->size != n) return UnpackError(n, t->size, t->size > n);
    for (std::size_t i = 0; i < n; ++i) out[i] = StackRef::New(t->items()[i]);
    return 0;
  }
  if (seq->type == &g_list_type) {
    CriticalSection cs(seq);  // the size and the items from one state of the list
    std::size_t size = ListSize(seq);
    if (size != n) return UnpackError(n, size, size > n);
    for (std::size_t i = 0; i < n; ++i) out[i] = StackRef::Steal(ListGet(seq, static_cast<std::int64_t>(i)));
    return 0;
  }
  if (KindOf(seq) != Kind::kIterator && KindOf(seq) != Kind::kStr && KindOf(seq) != Kind::kDict &&
      KindOf(seq) != Kind::kRange)
    return Raise(ExcType::kTypeError, "cannot unpack non-iterable " + TypeNameOf(seq) + " object"), -1;
  Ref it = GetIter(seq);
  if (!it) return -1;
  std::size_t got = 0;
  auto fail = [&]() {
    for (std::size_t i = 0; i < got; ++i) out[i].Close();
    return -1;
  };
  for (; got < n; ++got) {
    Ref item = IterNext(it.get());
    if (!item) {
      if (ErrorPending()) return fail();
      std::size_t have = got;
      fail();
      return UnpackError(n, have, false);
    }
    out[got] = StackRef::Steal(std::move(item));
  }
  Ref extra = IterNext(it.get());
  if (extra || ErrorPending()) {
    fail();
    if (extra) return UnpackError(n, n + 1, true);
    return -1;
  }
  return 0;
}

}  // namespace interp
FTB_NAMESPACE_END
