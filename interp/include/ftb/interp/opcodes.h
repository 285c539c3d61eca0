// ftb/interp/opcodes.h: the interpreter's instruction set, one list that everything else (the
// enum, the names, the stack effects, the disassembler, the eval loop's dispatch table) is made
// from. Variant-independent.
//
// Modelled on CPython 3.12/3.13's bytecode (Python/bytecodes.c, Lib/dis.py), simplified where the
// subset allows, plus 3.14's LOAD_FAST_BORROW. One instruction is 32 bits: an 8-bit opcode and a
// 24-bit argument, so there is no EXTENDED_ARG; jump arguments are absolute instruction indexes
// (CPython's are relative).
//
// Each entry: X(NAME, POPS, PUSHES, FLAGS) with the stack effect for the fall-through path; POPS and
// PUSHES may use `arg`. FLAGS: kJump (the argument is an instruction index), kBreaker (the eval
// loop runs the eval-breaker check here: backward jumps and calls, as CPython does).
//
// Stack notation below: (inputs -- outputs), top of stack rightmost.
#pragma once

#include <cstdint>
#include <string_view>

namespace ftb::bc {

// Flags of an opcode.
inline constexpr unsigned kNoFlags = 0;
inline constexpr unsigned kJump = 1;     // the argument is an absolute instruction index
inline constexpr unsigned kBreaker = 2;  // the eval-breaker check runs here

// clang-format off
#define FTB_OPCODES(X)                                                                           \
  X(NOP,               0,       0,           kNoFlags)                                          \
  X(POP_TOP,           1,       0,           kNoFlags)  /* (v -- ) */                           \
  X(PUSH_NULL,         0,       1,           kNoFlags)  /* ( -- null): before a plain call */    \
  X(COPY,              arg,     arg + 1,     kNoFlags)  /* (a .. b -- a .. b a): arg >= 1 */     \
  X(SWAP,              arg,     arg,         kNoFlags)  /* swaps TOS with STACK[-arg] */         \
  X(LOAD_CONST,        0,       1,           kNoFlags)  /* consts[arg] */                        \
  X(LOAD_FAST,         0,       1,           kNoFlags)  /* varnames[arg]; unbound: UnboundLocalError */ \
  X(LOAD_FAST_BORROW,  0,       1,           kNoFlags)  /* LOAD_FAST without a reference: see frontend/borrow.h */ \
  X(STORE_FAST,        1,       0,           kNoFlags)                                          \
  X(LOAD_GLOBAL,       0,       1,           kNoFlags)  /* names[arg]: globals, then builtins */ \
  X(STORE_GLOBAL,      1,       0,           kNoFlags)                                          \
  X(LOAD_NAME,         0,       1,           kNoFlags)  /* class body: namespace, globals, builtins */ \
  X(STORE_NAME,        1,       0,           kNoFlags)  /* class body: namespace[names[arg]] = v */ \
  X(LOAD_ATTR,         1,       1,           kNoFlags)  /* (obj -- obj.names[arg]) */            \
  X(LOAD_METHOD,       1,       2,           kNoFlags)  /* (obj -- meth self | attr null) */     \
  X(STORE_ATTR,        2,       0,           kNoFlags)  /* (v obj -- ): obj.names[arg] = v */    \
  X(BINARY_OP,         2,       1,           kNoFlags)  /* (a b -- a op b): arg a BinaryOp */    \
  X(UNARY_NEGATIVE,    1,       1,           kNoFlags)                                          \
  X(UNARY_INVERT,      1,       1,           kNoFlags)                                          \
  X(UNARY_NOT,         1,       1,           kNoFlags)                                          \
  X(COMPARE_OP,        2,       1,           kNoFlags)  /* arg a CompareOp */                    \
  X(IS_OP,             2,       1,           kNoFlags)  /* arg 1: is not */                      \
  X(CONTAINS_OP,       2,       1,           kNoFlags)  /* (item container -- r); arg 1: not in */ \
  X(BINARY_SUBSCR,     2,       1,           kNoFlags)  /* (c k -- c[k]) */                      \
  X(STORE_SUBSCR,      3,       0,           kNoFlags)  /* (v c k -- ): c[k] = v */              \
  X(DELETE_SUBSCR,     2,       0,           kNoFlags)  /* (c k -- ): del c[k] */                \
  X(BINARY_SLICE,      3,       1,           kNoFlags)  /* (c start stop -- c[start:stop]); None = omitted */ \
  X(BUILD_LIST,        arg,     1,           kNoFlags)                                          \
  X(BUILD_TUPLE,       arg,     1,           kNoFlags)                                          \
  X(BUILD_MAP,         2 * arg, 1,           kNoFlags)  /* (k1 v1 .. kn vn -- dict) */           \
  X(LIST_APPEND,       arg + 1, arg,         kNoFlags)  /* (list ..(arg-1).. v -- list ..): STACK[-arg].append(v) after the pop */ \
  X(UNPACK_SEQUENCE,   1,       arg,         kNoFlags)  /* (seq -- v[arg-1] .. v[0]): v[0] on top; wrong length: ValueError */ \
  X(GET_ITER,          1,       1,           kNoFlags)  /* (iterable -- iterator) */             \
  X(FOR_ITER,          1,       2,           kJump)     /* (it -- it next); exhausted: pops it, jumps to arg */ \
  X(JUMP_FORWARD,      0,       0,           kJump)                                             \
  X(JUMP_BACKWARD,     0,       0,           kJump | kBreaker)                                  \
  X(POP_JUMP_IF_FALSE, 1,       0,           kJump)     /* by truth value */                     \
  X(POP_JUMP_IF_TRUE,  1,       0,           kJump)                                             \
  X(CALL,              arg + 2, 1,           kBreaker)  /* (callable self_or_null a1..an -- r) */ \
  X(RETURN_VALUE,      1,       0,           kNoFlags)                                          \
  X(MAKE_FUNCTION,     1 + (arg & 1), 1,     kNoFlags)  /* ([defaults_tuple] code -- fn); arg bit 0: defaults */ \
  X(BUILD_CLASS,       2 + arg, 1,           kNoFlags)  /* (body_fn name base* -- cls); arg = number of bases (0 or 1) */ \
  X(IMPORT_NAME,       0,       1,           kNoFlags)  /* ( -- module names[arg]) */            \
  X(IMPORT_FROM,       1,       2,           kNoFlags)  /* (module -- module module.names[arg]) */ \
  X(RAISE_VARARGS,     arg,     0,           kNoFlags)  /* arg 0: re-raise the handled exception; 1: raise TOS (class or instance) */ \
  X(PUSH_EXC_INFO,     1,       2,           kNoFlags)  /* (exc -- prev exc): exc becomes the handled exception */ \
  X(CHECK_EXC_MATCH,   2,       2,           kNoFlags)  /* (exc type -- exc bool) */             \
  X(POP_EXCEPT,        1,       0,           kNoFlags)  /* (prev -- ): restores the handled exception */ \
  X(RERAISE,           1,       0,           kNoFlags)  /* (exc -- ): raises exc again, traceback kept */
// clang-format on

enum class Opcode : std::uint8_t {
#define FTB_OPCODE_ENUM(name, pops, pushes, flags) name,
  FTB_OPCODES(FTB_OPCODE_ENUM)
#undef FTB_OPCODE_ENUM
      kCount
};
inline constexpr int kOpcodeCount = static_cast<int>(Opcode::kCount);

constexpr std::string_view OpcodeName(Opcode op) {
  constexpr std::string_view kNames[] = {
#define FTB_OPCODE_NAME(name, pops, pushes, flags) #name,
      FTB_OPCODES(FTB_OPCODE_NAME)
#undef FTB_OPCODE_NAME
  };
  return kNames[static_cast<int>(op)];
}

constexpr unsigned OpcodeFlags(Opcode op) {
  constexpr unsigned kFlags[] = {
#define FTB_OPCODE_FLAGS(name, pops, pushes, flags) flags,
      FTB_OPCODES(FTB_OPCODE_FLAGS)
#undef FTB_OPCODE_FLAGS
  };
  return kFlags[static_cast<int>(op)];
}

struct StackEffect {
  int pops;
  int pushes;
};
// The fall-through stack effect of `op` with argument `arg` (FOR_ITER's exhausted branch pops 1).
constexpr StackEffect StackEffectOf(Opcode op, std::uint32_t arg_unsigned) {
  const int arg = static_cast<int>(arg_unsigned);
  switch (op) {
#define FTB_OPCODE_EFFECT(name, pops, pushes, flags) \
  case Opcode::name: return {pops, pushes};
    FTB_OPCODES(FTB_OPCODE_EFFECT)
#undef FTB_OPCODE_EFFECT
    case Opcode::kCount: break;
  }
  (void)arg;
  return {0, 0};
}

// BINARY_OP's argument (CPython's NB_* order, in-place forms offset by kInplace).
enum class BinaryOp : std::uint8_t {
  kAdd, kAnd, kFloorDivide, kLshift, kMultiply, kRemainder, kOr, kPower, kRshift, kSubtract,
  kTrueDivide, kXor,
  kInplaceAdd, kInplaceAnd, kInplaceFloorDivide, kInplaceLshift, kInplaceMultiply, kInplaceRemainder,
  kInplaceOr, kInplacePower, kInplaceRshift, kInplaceSubtract, kInplaceTrueDivide, kInplaceXor,
};
inline constexpr int kInplace = static_cast<int>(BinaryOp::kInplaceAdd);

// COMPARE_OP's argument.
enum class CompareOp : std::uint8_t { kLt, kLe, kEq, kNe, kGt, kGe };

// One instruction: opcode in the low 8 bits, argument in the high 24.
struct Instr {
  std::uint32_t word;
  static constexpr std::uint32_t kMaxArg = (1u << 24) - 1;
  constexpr Opcode op() const { return static_cast<Opcode>(word & 0xff); }
  constexpr std::uint32_t arg() const { return word >> 8; }
  static constexpr Instr Make(Opcode op, std::uint32_t arg) {
    return Instr{static_cast<std::uint32_t>(op) | (arg << 8)};
  }
};
static_assert(sizeof(Instr) == 4);

}  // namespace ftb::bc
