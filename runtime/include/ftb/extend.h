// ftb/extend.h: defining object types outside the runtime (the interpreter tier's code objects,
// functions, modules, iterators, exceptions).
//
// Such a type is a TypeObject (usually a constinit static, immortal like CPython's static types)
// with one of the interpreter-tier kinds of ftb/object.h, its `basicsize` set to the size of its
// object struct, and a `dealloc` that releases what the object holds and then calls FreeObject.
// Its objects are counted in the same per-thread tallies as the runtime's own (live objects and
// bytes per kind), so the leak check sees them.
//
// Allocation is two out-of-line calls (memory, then header and tallies): fine for objects made
// once per loop or per call, not for values made per operation (ints, floats and strs are the
// runtime's, allocated inline).
#pragma once

#include <cstddef>
#include <new>

#include "ftb/object.h"

FTB_NAMESPACE_BEGIN

// Memory for one object (the runtime's allocator; never null: out of memory is fatal).
void* AllocObjectMemory(std::size_t bytes) noexcept;
// Initialises the header (count 1, owned by the calling thread in brc), sets the type and counts
// the object; the calling thread must be attached. type->basicsize must be set.
void InitObjectHeader(Object* op, TypeObject* type) noexcept;

// A new object of type T (a struct deriving from Object, value-initialised), as an owned
// reference in the caller's hands: wrap it with Ref::Steal.
template <class T>
T* NewObject(TypeObject* type) noexcept {
  T* op = new (AllocObjectMemory(sizeof(T))) T{};
  InitObjectHeader(op, type);
  return op;
}

FTB_NAMESPACE_END
