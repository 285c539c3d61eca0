// Helpers for the front end's tests: a compact listing of a code unit, one instruction a line,
// "OPNAME" or "OPNAME what-the-argument-means" (constants, names and locals by value, jump
// targets and counts by number, operators by symbol).
#pragma once

#include <string>
#include <string_view>

#include "ftb/interp/code_unit.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc::testing {

inline std::string ConstText(const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kNone: return "None";
    case Constant::Kind::kTrue: return "True";
    case Constant::Kind::kFalse: return "False";
    case Constant::Kind::kInt: return std::to_string(c.int_value);
    case Constant::Kind::kFloat: {
      std::string s = std::to_string(c.float_value);
      return s;
    }
    case Constant::Kind::kStr: return "'" + c.str_value + "'";
    case Constant::Kind::kCode: return "<code " + c.code->qualname + ">";
  }
  return "?";
}

// LOAD_FAST_BORROW reads as LOAD_FAST unless `show_borrows`: the construct-by-construct tests check
// what the compiler emits, the borrow tests (frontend_borrow_test.cc) which loads it then borrows.
inline std::string Listing(const CodeUnit& code, bool show_borrows = false) {
  static const char* const kBin[] = {"+", "&", "//", "<<", "*", "%", "|", "**", ">>", "-", "/", "^",
                                     "+=", "&=", "//=", "<<=", "*=", "%=", "|=", "**=", ">>=", "-=", "/=", "^="};
  static const char* const kCmp[] = {"<", "<=", "==", "!=", ">", ">="};
  std::string out;
  for (const Instr ins : code.code) {
    const Opcode op = ins.op();
    const std::uint32_t arg = ins.arg();
    out += op == Opcode::LOAD_FAST_BORROW && !show_borrows ? std::string_view("LOAD_FAST") : OpcodeName(op);
    switch (op) {
      case Opcode::LOAD_CONST: out += " " + ConstText(code.consts.at(arg)); break;
      case Opcode::LOAD_FAST: case Opcode::LOAD_FAST_BORROW: case Opcode::STORE_FAST:
        out += " " + code.varnames.at(arg);
        break;
      case Opcode::LOAD_GLOBAL: case Opcode::STORE_GLOBAL: case Opcode::LOAD_NAME: case Opcode::STORE_NAME:
      case Opcode::LOAD_ATTR: case Opcode::LOAD_METHOD: case Opcode::STORE_ATTR: case Opcode::IMPORT_NAME:
      case Opcode::IMPORT_FROM:
        out += " " + code.names.at(arg);
        break;
      case Opcode::BINARY_OP: out += std::string(" ") + kBin[arg]; break;
      case Opcode::COMPARE_OP: out += std::string(" ") + kCmp[arg]; break;
      case Opcode::NOP: case Opcode::POP_TOP: case Opcode::PUSH_NULL: case Opcode::UNARY_NEGATIVE:
      case Opcode::UNARY_INVERT: case Opcode::UNARY_NOT: case Opcode::BINARY_SUBSCR: case Opcode::STORE_SUBSCR:
      case Opcode::DELETE_SUBSCR: case Opcode::BINARY_SLICE: case Opcode::GET_ITER: case Opcode::RETURN_VALUE:
      case Opcode::PUSH_EXC_INFO: case Opcode::CHECK_EXC_MATCH: case Opcode::POP_EXCEPT: case Opcode::RERAISE:
        break;
      default: out += " " + std::to_string(arg); break;
    }
    out += "\n";
  }
  return out;
}

// The code unit of the function (or class body) named `qualname` among `code`'s constants,
// recursively; null when there is none.
inline const CodeUnit* Find(const CodeUnit& code, std::string_view qualname) {
  if (code.qualname == qualname) return &code;
  for (const Constant& c : code.consts) {
    if (c.kind != Constant::Kind::kCode) continue;
    if (const CodeUnit* found = Find(*c.code, qualname)) return found;
  }
  return nullptr;
}

}  // namespace ftb::bc::testing
