// frontend/stack_depth.cc: see stack_depth.h.
#include "frontend/stack_depth.h"

#include <algorithm>
#include <string>
#include <vector>

namespace ftb::bc {

namespace {
struct Depths {
  std::vector<int> at;  // before each instruction; -1: unreachable
  int max = 0;
};

Depths Walk(const CodeUnit& code) {
  const std::size_t n = code.code.size();
  const std::string where = "internal compiler error in " + code.qualname + ": ";
  auto fail = [&](std::size_t at, const std::string& what) {
    std::string op = at < n ? std::string(OpcodeName(code.code[at].op())) : std::string("end");
    throw std::logic_error(where + what + " at instruction " + std::to_string(at) + " (" + op + ")");
  };
  std::vector<int> depth(n, -1);
  std::vector<std::uint32_t> work;
  auto visit = [&](std::size_t from, std::uint64_t at, int d) {
    if (at >= n) fail(from, "a jump or fall-through leaves the code");
    if (depth[at] == -1) {
      depth[at] = d;
      work.push_back(static_cast<std::uint32_t>(at));
    } else if (depth[at] != d) {
      fail(at, "stack depth mismatch (" + std::to_string(depth[at]) + " and " + std::to_string(d) + ")");
    }
  };
  if (n == 0) throw std::logic_error(where + "no instructions");
  int max_depth = 0;
  visit(0, 0, 0);
  for (const ExceptionEntry& e : code.exception_table) {
    if (e.start > e.end || e.end > n) fail(e.start, "an exception entry out of range");
    visit(e.start, e.handler, static_cast<int>(e.depth) + 1);
  }
  while (!work.empty()) {
    const std::uint32_t i = work.back();
    work.pop_back();
    const Instr ins = code.code[i];
    const Opcode op = ins.op();
    if (static_cast<int>(op) >= kOpcodeCount) fail(i, "an unknown opcode");
    const int d = depth[i];
    const StackEffect eff = StackEffectOf(op, ins.arg());
    if (eff.pops > d) fail(i, "the stack would go negative");
    const int nd = d - eff.pops + eff.pushes;
    max_depth = std::max({max_depth, d, nd});
    const std::uint32_t arg = ins.arg();
    switch (op) {
      case Opcode::JUMP_FORWARD:
        if (arg <= i) fail(i, "a forward jump goes backward");
        visit(i, arg, nd);
        break;
      case Opcode::JUMP_BACKWARD:
        if (arg > i) fail(i, "a backward jump goes forward");
        visit(i, arg, nd);
        break;
      case Opcode::POP_JUMP_IF_FALSE:
      case Opcode::POP_JUMP_IF_TRUE:
        visit(i, arg, nd);
        visit(i, i + 1, nd);
        break;
      case Opcode::FOR_ITER:
        visit(i, i + 1, nd);
        visit(i, arg, d - 1);
        break;
      case Opcode::RETURN_VALUE:
      case Opcode::RAISE_VARARGS:
      case Opcode::RERAISE:
        break;
      default:
        visit(i, i + 1, nd);
        break;
    }
  }
  for (const ExceptionEntry& e : code.exception_table) {
    for (std::uint32_t i = e.start; i < e.end; ++i) {
      if (depth[i] != -1 && depth[i] < static_cast<int>(e.depth)) fail(i, "an exception entry deeper than the stack");
    }
  }
  return Depths{std::move(depth), max_depth};
}
}  // namespace

std::uint32_t ComputeStackSize(const CodeUnit& code) { return static_cast<std::uint32_t>(Walk(code).max); }

std::vector<int> StackDepths(const CodeUnit& code) { return Walk(code).at; }

}  // namespace ftb::bc
