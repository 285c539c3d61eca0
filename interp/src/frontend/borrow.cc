// frontend/borrow.cc: see borrow.h.
#include "frontend/borrow.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "frontend/stack_depth.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

constexpr int kBeforeBlock = -1;  // a value pushed before the block began
constexpr int kNotLocal = -1;

// A value on the abstract stack: the instruction that pushed it and the local it was loaded from.
struct AbstractValue {
  int instr;
  int local;
};

// Why a LOAD_FAST must stay strong (CPython's LoadFastInstrFlag).
enum : std::uint8_t {
  kLocalKilled = 1,    // its local was overwritten while the value was on the stack
  kStoredAsLocal = 2,  // the value was stored into a local
  kUnconsumed = 4,     // the value was still on the stack at the end of the block
};

std::vector<bool> BlockStarts(const CodeUnit& code) {
  const std::size_t n = code.code.size();
  std::vector<bool> start(n + 1, false);
  start[0] = true;
  for (std::size_t i = 0; i < n; ++i) {
    const Opcode op = code.code[i].op();
    if ((OpcodeFlags(op) & kJump) != 0) {
      start[code.code[i].arg()] = true;
      start[i + 1] = true;
    }
    if (op == Opcode::RETURN_VALUE || op == Opcode::RAISE_VARARGS || op == Opcode::RERAISE) start[i + 1] = true;
  }
  for (const ExceptionEntry& e : code.exception_table) {
    start[e.start] = true;
    start[e.end] = true;
    start[e.handler] = true;
  }
  return start;
}

}  // namespace

void BorrowFastLoads(CodeUnit& code) {
  const std::size_t n = code.code.size();
  const std::vector<int> depth = StackDepths(code);
  const std::vector<bool> block_start = BlockStarts(code);
  std::vector<std::uint8_t> flags(n, 0);
  std::vector<AbstractValue> stack;

  for (std::size_t begin = 0, end = 0; begin < n; begin = end) {
    end = begin + 1;
    while (end < n && !block_start[end]) ++end;
    if (depth[begin] < 0) continue;  // unreachable: left as it is

    stack.assign(static_cast<std::size_t>(depth[begin]), AbstractValue{kBeforeBlock, kNotLocal});
    auto push = [&](std::size_t instr, int local) { stack.push_back({static_cast<int>(instr), local}); };
    auto pop = [&] {
      AbstractValue v = stack.back();
      stack.pop_back();
      return v;
    };
    auto mark = [&](const AbstractValue& v, std::uint8_t why) {
      if (v.instr != kBeforeBlock) flags[static_cast<std::size_t>(v.instr)] |= why;
    };

    for (std::size_t i = begin; i < end; ++i) {
      const Opcode op = code.code[i].op();
      const std::uint32_t arg = code.code[i].arg();
      switch (op) {
        case Opcode::LOAD_FAST:
          push(i, static_cast<int>(arg));
          break;
        case Opcode::STORE_FAST: {
          AbstractValue stored = pop();
          for (const AbstractValue& v : stack)
            if (v.local == static_cast<int>(arg)) mark(v, kLocalKilled);
          mark(stored, kStoredAsLocal);
          break;
        }
        // Shuffles: the values keep where they came from.
        case Opcode::COPY:
          stack.push_back(stack[stack.size() - arg]);
          break;
        case Opcode::SWAP:
          std::swap(stack.back(), stack[stack.size() - arg]);
          break;
        // Instructions that leave some of their inputs where they were.
        case Opcode::LOAD_METHOD: {  // (obj -- meth self): self may be obj itself
          AbstractValue obj = pop();
          push(i, kNotLocal);
          stack.push_back(obj);
          break;
        }
        case Opcode::LIST_APPEND:  // pops the item only
          pop();
          break;
        case Opcode::FOR_ITER:     // (it -- it next)
        case Opcode::IMPORT_FROM:  // (module -- module value)
          push(i, kNotLocal);
          break;
        case Opcode::CHECK_EXC_MATCH:  // (exc type -- exc bool)
          pop();
          push(i, kNotLocal);
          break;
        case Opcode::PUSH_EXC_INFO: {  // (exc -- prev exc)
          AbstractValue exc = pop();
          push(i, kNotLocal);
          stack.push_back(exc);
          break;
        }
        // Everything else consumes all its inputs.
        default: {
          const StackEffect effect = StackEffectOf(op, arg);
          for (int k = 0; k < effect.pops; ++k) pop();
          for (int k = 0; k < effect.pushes; ++k) push(i, kNotLocal);
          break;
        }
      }
    }
    for (const AbstractValue& v : stack) mark(v, kUnconsumed);

    for (std::size_t i = begin; i < end; ++i) {
      if (code.code[i].op() == Opcode::LOAD_FAST && flags[i] == 0)
        code.code[i] = Instr::Make(Opcode::LOAD_FAST_BORROW, code.code[i].arg());
    }
  }
}

std::shared_ptr<const CodeUnit> WithStrongLoads(const CodeUnit& code) {
  auto strong = std::make_shared<CodeUnit>(code);
  for (Instr& instr : strong->code)
    if (instr.op() == Opcode::LOAD_FAST_BORROW) instr = Instr::Make(Opcode::LOAD_FAST, instr.arg());
  return strong;
}

}  // namespace ftb::bc
