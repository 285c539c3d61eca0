// frontend/stack_depth.h (internal to the front end): the value stack's depth at every
// instruction, by walking the code's control flow with StackEffectOf (FOR_ITER's exhausted branch
// pops the iterator; an exception handler starts at its entry's depth plus the exception).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ftb/interp/code_unit.h"

namespace ftb::bc {

// The most values on the stack at once. Throws std::logic_error (a compiler bug, not the user's)
// when the stack would go negative, two paths reach an instruction with different depths, a
// jump leaves the code or goes the wrong way for its opcode, the code falls off its end, or an
// exception entry's depth is above the depth of an instruction it covers.
std::uint32_t ComputeStackSize(const CodeUnit& code);

// The depth before each instruction (-1 where no path reaches it); throws as ComputeStackSize.
std::vector<int> StackDepths(const CodeUnit& code);

}  // namespace ftb::bc
