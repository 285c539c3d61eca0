// frontend/borrow.h (internal to the front end): LOAD_FAST that takes no reference, as CPython
// 3.14's compiler makes it (Python/flowgraph.c, optimize_load_fast; both of its builds).
//
// A LOAD_FAST pushes a new reference to a local's object; LOAD_FAST_BORROW pushes the same object
// tagged as owning no reference (StackRef::Borrow), so neither the load nor the instruction that
// consumes the value touches its count. That is safe when the local provably keeps the object
// alive until the value is consumed. Within each basic block, an abstract stack records which
// LOAD_FAST pushed each value and from which local; a LOAD_FAST stays a strong load if its value
//   - is still on the stack when its local is overwritten (STORE_FAST of that local), or
//   - is stored into a local (STORE_FAST: a local must own what it holds, except arguments), or
//   - is still on the stack at the end of the block (it would cross a jump or a handler).
// Any other consumer finishes with the value inside one instruction: the runtime increfs what it
// keeps (a list item, an attribute), a call moves it into the callee's arguments (the caller's
// local outlives the call), and RETURN_VALUE gives a borrowed result a reference of its own
// (StackRef::MakeHeapSafe). Block starts: jump targets, the instruction after a jump or a frame
// exit, exception handlers and the bounds of the ranges they cover.
#pragma once

#include "ftb/interp/code_unit.h"

namespace ftb::bc {

// Rewrites into LOAD_FAST_BORROW every LOAD_FAST of `code` that meets the rules above. `code` must
// be one that ComputeStackSize accepts.
void BorrowFastLoads(CodeUnit& code);

}  // namespace ftb::bc
