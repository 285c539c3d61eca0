// ftb/interp/frontend.h: from Python source to code units (tokenizer, parser, compiler), and
// back to text (the disassembler). Variant-independent: compiled once, into the harness's process
// like the registry.
//
// The accepted language is a subset of Python 3 (interp/README.md lists it). Anything outside it
// is a SyntaxError naming the file, line, column and the construct ("'lambda' is not supported by
// ftbench's interpreter"), as are Python's own syntax errors (bad indentation, unbalanced
// brackets, ...). Python's real syntax and indentation rules apply to what is accepted.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ftb/interp/code_unit.h"

namespace ftb::bc {

class SyntaxError : public std::runtime_error {
 public:
  SyntaxError(std::string filename, int line, int column, std::string message);
  const std::string& filename() const noexcept { return filename_; }
  int line() const noexcept { return line_; }
  int column() const noexcept { return column_; }    // 0-based
  const std::string& message() const noexcept { return message_; }
  // what(): "FILE:LINE:COLUMN: SyntaxError: MESSAGE" (column 1-based there, as compilers print)

 private:
  std::string filename_;
  int line_;
  int column_;
  std::string message_;
};

// Compiles a module's source. Throws SyntaxError.
std::shared_ptr<const CodeUnit> CompileModule(std::string_view source, std::string filename);
// Reads and compiles a file. Throws SyntaxError, or std::runtime_error when it cannot be read.
std::shared_ptr<const CodeUnit> CompileFile(const std::string& path);

// A copy of `code` whose every LOAD_FAST_BORROW is a LOAD_FAST again: for an interpreter without
// borrowed loads (CPython 3.13's; brc with that mechanism off, ftb/mechanisms.h). Nested code
// units are shared with `code`, unchanged: the loader converts each one as it reaches it.
std::shared_ptr<const CodeUnit> WithStrongLoads(const CodeUnit& code);

// A listing in the spirit of Lib/dis.py: one line per instruction (line number, index, name,
// argument and what it means: the constant, the name, the jump target), then the exception
// table, then every nested code unit.
std::string Disassemble(const CodeUnit& code);

}  // namespace ftb::bc
