// ftb/mechanisms.h: the mechanisms CPython's free-threaded build uses to keep objects that every
// thread touches off the contended path, each switchable so that a sweep can show what each buys.
// They change the brc variant only (gil and atomic keep plain or atomic counts everywhere).
//
//   deferred_refcount         functions, code objects, module globals and classes have deferred
//                             counts: the interpreter holds them on its stack as tagged
//                             references without writing their counts (ftb/stackref.h), and a
//                             collector frees them (CPython 3.13 gh-117696, 3.14 _PyStackRef).
//   per_thread_type_refcount  creating or freeing an instance of a class changes a slot of the
//                             thread's own array instead of the class's shared count, merged when
//                             the true count is needed (CPython 3.14, Python/uniqueid.c).
//   immortal_constants        code constants (ints, floats, strs the compiler made) are immortal
//                             (CPython 3.13t, gh-118667).
//
// Set them once, before objects are made (a process-wide setting; ftbench runs each measured run
// in its own process). The defaults are CPython 3.14t's: all on.
#pragma once

#include "ftb/variant.h"

FTB_NAMESPACE_BEGIN

struct Mechanisms {
  bool deferred_refcount = true;
  bool per_thread_type_refcount = true;
  bool immortal_constants = true;
};

void SetMechanisms(const Mechanisms& mechanisms) noexcept;
const Mechanisms& CurrentMechanisms() noexcept;

FTB_NAMESPACE_END
