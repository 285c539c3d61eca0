// frontend/disassemble.cc: Disassemble(), in the spirit of Lib/dis.py.
//
//   Disassembly of <code f, file "x.py", line 3>:
//     4           0 LOAD_FAST                0 (n)
//                 1 LOAD_CONST               1 (2)
//                 2 COMPARE_OP               0 (<)
//                 3 POP_JUMP_IF_FALSE        6 (to 6)
//     5     >>    6 ...
//   ExceptionTable:
//     2 to 5 -> 7 [0]
//
// The first column is the source line where it changes, `>>` marks a jump target, then the
// instruction index, the opcode, its argument and what the argument means.
#include <cmath>
#include <cstdio>
#include <set>
#include <string>

#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

std::string FloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // The shortest digits that read back to the same double, laid out as Python's repr does:
  // positional for exponents in [-4, 16), scientific otherwise, always with a '.' or an 'e'.
  char buf[64];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s(buf);
  const std::size_t e = s.find('e');
  std::string mantissa = s.substr(0, e);
  const int exponent = std::stoi(s.substr(e + 1));
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out = "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out += digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out = digits + std::string(static_cast<std::size_t>(exponent + 1) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<std::size_t>(exponent + 1)) + "." +
            digits.substr(static_cast<std::size_t>(exponent + 1));
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
    out += ebuf;
  }
  return negative ? "-" + out : out;
}

std::string StrRepr(const std::string& s) {
  const char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

std::string CodeName(const CodeUnit& code) {
  return "<code " + code.qualname + ", file \"" + code.filename + "\", line " + std::to_string(code.first_line) + ">";
}

std::string ConstRepr(const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kNone: return "None";
    case Constant::Kind::kTrue: return "True";
    case Constant::Kind::kFalse: return "False";
    case Constant::Kind::kInt: return std::to_string(c.int_value);
    case Constant::Kind::kFloat: return FloatRepr(c.float_value);
    case Constant::Kind::kStr: return StrRepr(c.str_value);
    case Constant::Kind::kCode: return c.code ? CodeName(*c.code) : "<code ?>";
  }
  return "?";
}

const char* BinaryOpSymbol(std::uint32_t arg) {
  static const char* const kSymbols[] = {"+", "&", "//", "<<", "*", "%", "|", "**", ">>", "-", "/", "^",
                                         "+=", "&=", "//=", "<<=", "*=", "%=", "|=", "**=", ">>=", "-=", "/=", "^="};
  return arg < sizeof kSymbols / sizeof kSymbols[0] ? kSymbols[arg] : "?";
}

bool HasArgument(Opcode op) {
  switch (op) {
    case Opcode::NOP: case Opcode::POP_TOP: case Opcode::PUSH_NULL: case Opcode::UNARY_NEGATIVE:
    case Opcode::UNARY_INVERT: case Opcode::UNARY_NOT: case Opcode::BINARY_SUBSCR: case Opcode::STORE_SUBSCR:
    case Opcode::DELETE_SUBSCR: case Opcode::BINARY_SLICE: case Opcode::GET_ITER: case Opcode::RETURN_VALUE:
    case Opcode::PUSH_EXC_INFO: case Opcode::CHECK_EXC_MATCH: case Opcode::POP_EXCEPT: case Opcode::RERAISE:
      return false;
    default:
      return true;
  }
}

std::string ArgMeaning(const CodeUnit& code, Opcode op, std::uint32_t arg) {
  auto name = [&](const std::vector<std::string>& v) { return arg < v.size() ? v[arg] : std::string("?"); };
  switch (op) {
    case Opcode::LOAD_CONST: return arg < code.consts.size() ? ConstRepr(code.consts[arg]) : "?";
    case Opcode::LOAD_FAST: case Opcode::LOAD_FAST_BORROW: case Opcode::STORE_FAST: return name(code.varnames);
    case Opcode::LOAD_GLOBAL: case Opcode::STORE_GLOBAL: case Opcode::LOAD_NAME: case Opcode::STORE_NAME:
    case Opcode::LOAD_ATTR: case Opcode::LOAD_METHOD: case Opcode::STORE_ATTR: case Opcode::IMPORT_NAME:
    case Opcode::IMPORT_FROM:
      return name(code.names);
    case Opcode::BINARY_OP: return BinaryOpSymbol(arg);
    case Opcode::COMPARE_OP: {
      static const char* const kCmp[] = {"<", "<=", "==", "!=", ">", ">="};
      return arg < 6 ? kCmp[arg] : "?";
    }
    case Opcode::IS_OP: return arg ? "is not" : "is";
    case Opcode::CONTAINS_OP: return arg ? "not in" : "in";
    case Opcode::MAKE_FUNCTION: return (arg & 1) ? "defaults" : "";
    default:
      if (OpcodeFlags(op) & kJump) return "to " + std::to_string(arg);
      return "";
  }
}

void DisassembleOne(const CodeUnit& code, std::string& out) {
  out += "Disassembly of " + CodeName(code) + ":\n";
  std::set<std::uint32_t> targets;
  for (const Instr& ins : code.code) {
    if (OpcodeFlags(ins.op()) & kJump) targets.insert(ins.arg());
  }
  for (const ExceptionEntry& e : code.exception_table) targets.insert(e.handler);
  int last_line = -1;
  char buf[256];
  for (std::size_t i = 0; i < code.code.size(); ++i) {
    const Instr ins = code.code[i];
    const int line = i < code.locations.size() ? code.locations[i].line : 0;
    std::string line_field = "    ";
    if (line != last_line) {
      std::snprintf(buf, sizeof buf, "%4d", line);
      line_field = buf;
      if (i > 0) out += "\n";
      last_line = line;
    }
    const std::string marker = targets.count(static_cast<std::uint32_t>(i)) ? ">>" : "  ";
    std::snprintf(buf, sizeof buf, "%s    %s %4zu %s", line_field.c_str(), marker.c_str(), i,
                  std::string(OpcodeName(ins.op())).c_str());
    std::string row = buf;
    if (HasArgument(ins.op())) {
      while (row.size() < 4 + 4 + 3 + 5 + 20) row += ' ';
      std::snprintf(buf, sizeof buf, " %5u", ins.arg());
      row += buf;
      const std::string meaning = ArgMeaning(code, ins.op(), ins.arg());
      if (!meaning.empty()) row += " (" + meaning + ")";
    }
    out += row + "\n";
  }
  if (!code.exception_table.empty()) {
    out += "ExceptionTable:\n";
    for (const ExceptionEntry& e : code.exception_table) {
      std::snprintf(buf, sizeof buf, "  %u to %u -> %u [%u]\n", e.start, e.end, e.handler, e.depth);
      out += buf;
    }
  }
}

void DisassembleAll(const CodeUnit& code, std::string& out) {
  DisassembleOne(code, out);
  for (const Constant& c : code.consts) {
    if (c.kind == Constant::Kind::kCode && c.code) {
      out += "\n";
      DisassembleAll(*c.code, out);
    }
  }
}

}  // namespace

std::string Disassemble(const CodeUnit& code) {
  std::string out;
  DisassembleAll(code, out);
  return out;
}

}  // namespace ftb::bc
