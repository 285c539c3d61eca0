// ftb/interp/code_unit.h: what the compiler produces for one function, class body or module
// (CPython's code object before it becomes an object). Variant-independent: the eval loop of each
// variant turns a CodeUnit into a runtime code object (constants as runtime objects, names
// interned) when a module is loaded.
//
// How the compiler uses the instruction set (ftb/interp/opcodes.h), where it is not obvious:
//   - Module code stores and loads its names with STORE_GLOBAL/LOAD_GLOBAL (a module's locals are
//     its globals); it may still have fast locals for the hidden variables of comprehensions.
//   - Function code: arguments are the first `argcount` fast locals; a name assigned in the
//     function (and not declared `global`) is a fast local; any other name is LOAD_GLOBAL.
//   - Class bodies run as a function with a namespace dict (LOAD_NAME/STORE_NAME), called by
//     BUILD_CLASS, which then makes the class from that namespace; methods are MAKE_FUNCTION +
//     STORE_NAME. The body's code returns None.
//   - Calls: `f(a, b)` is LOAD_GLOBAL f; PUSH_NULL; a; b; CALL 2. `o.m(a)` is o; LOAD_METHOD m; a;
//     CALL 1 (LOAD_METHOD pushes the function and `o`, or the attribute and null).
//   - List comprehensions are inlined (PEP 709): BUILD_LIST 0; iterable; GET_ITER; FOR_ITER end;
//     STORE_FAST hidden; [conditions]; element; LIST_APPEND 2; JUMP_BACKWARD ...; end:
//   - Chained comparisons use COPY and SWAP as CPython does; `and`/`or` use COPY 1 and
//     POP_JUMP_IF_FALSE/TRUE with POP_TOP.
//   - try/except, with the exception table below (CPython 3.11's zero-cost scheme):
//         try body                      covered by entry {body, handler H, depth d}
//         JUMP_FORWARD end
//     H:  PUSH_EXC_INFO                 (exc -- prev exc); covered by entry {H.., cleanup C, depth d+1}
//         LOAD_GLOBAL ValueError; CHECK_EXC_MATCH; POP_JUMP_IF_FALSE next
//         STORE_FAST e | POP_TOP        (the `as` name, or nothing)
//         handler body
//         POP_EXCEPT; JUMP_FORWARD end
//     next: ... further clauses ...; a bare `except:` matches everything
//         RERAISE                       no clause matched: re-raise (the cleanup below pops prev)
//     C:  (exc: stack is [.. prev exc]) SWAP 2; POP_EXCEPT; RERAISE
//     end:
//     A `raise` with no argument inside a handler is RAISE_VARARGS 0.
//     The compiler emits the table as runs of consecutive instructions under the same handler, so
//     entries never overlap (innermost first holds trivially); a clause's closing POP_EXCEPT;
//     JUMP_FORWARD end lie outside the cleanup's range.
//   - try/finally (zero-cost too):
//         try body (or the whole try/except)   covered by entry {body, handler F, depth d}
//         finally body; JUMP_FORWARD end       (the normal path)
//     F:  PUSH_EXC_INFO                        covered by entry {F.., cleanup C, depth d+1}
//         finally body; RERAISE                (the exception path; RERAISE pops exc, prev stays)
//     C:  SWAP 2; POP_EXCEPT; RERAISE
//     end:
//     break/continue/return inside the try body run a copy of the finally body inline, outside F's
//     range; break/continue/return out of a finally body are refused (SyntaxError).
//   - Loops: for: iterable; GET_ITER; top: FOR_ITER exhausted; target; body; JUMP_BACKWARD top;
//     exhausted: [else body]. while: top: [condition; POP_JUMP_IF_FALSE else]; body;
//     JUMP_BACKWARD top; else: [else body]. Every backward jump is JUMP_BACKWARD (conditional
//     jumps only go forward). `break` in a for loop pops the iterator (POP_TOP) before its jump.
//   - Leaving blocks: break/continue out of an except clause run POP_EXCEPT first; `return v`
//     pops what enclosing blocks keep under v (SWAP 2; POP_TOP for a loop's iterator, SWAP 2;
//     POP_EXCEPT for a clause's saved exception), so the stack holds only v at RETURN_VALUE.
//   - A comprehension's targets are hidden fast locals named `name.N` (N numbers the unit's
//     comprehensions); module and class-body code has them in varnames too.
//   - assert: test; POP_JUMP_IF_TRUE ok; LOAD_GLOBAL AssertionError; [PUSH_NULL; msg; CALL 1];
//     RAISE_VARARGS 1. import m as n: IMPORT_NAME m; store n. from m import a as b:
//     IMPORT_NAME m; IMPORT_FROM a; store b; ...; POP_TOP.
//   - def: [defaults...; BUILD_TUPLE n]; LOAD_CONST code; MAKE_FUNCTION 0|1; store. class C(B):
//     LOAD_CONST body; MAKE_FUNCTION 0; LOAD_CONST 'C'; [B]; BUILD_CLASS 0|1; store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ftb/interp/opcodes.h"

namespace ftb::bc {

struct CodeUnit;

// A constant of a code unit. Strings become interned (and, with the mechanism on in brc,
// immortal) runtime strs; ints and floats runtime objects owned by the code object, or immortal
// with the immortal-constants mechanism.
struct Constant {
  enum class Kind : std::uint8_t { kNone, kTrue, kFalse, kInt, kFloat, kStr, kCode };
  Kind kind = Kind::kNone;
  std::int64_t int_value = 0;
  double float_value = 0;
  std::string str_value;
  std::shared_ptr<const CodeUnit> code;  // kCode: a nested function or class body
};

// The source position of one instruction (1-based line; 0-based column, as CPython reports).
struct Location {
  std::int32_t line = 0;
  std::int32_t column = 0;
};

// Instructions [start, end) are covered by `handler`: on an exception there, the value stack is
// cut to `depth` entries, the exception is pushed, and execution continues at `handler`. Entries
// are ordered innermost first: the first entry that covers an instruction is the one that applies.
struct ExceptionEntry {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t handler = 0;
  std::uint32_t depth = 0;
};

struct CodeUnit {
  enum class Kind : std::uint8_t { kModule, kFunction, kClassBody };
  Kind kind = Kind::kModule;
  std::string name;      // function or class name; "<module>" for module code
  std::string qualname;  // "Point.__init__"
  std::string filename;
  std::int32_t first_line = 1;
  std::uint32_t argcount = 0;          // positional parameters (the first fast locals)
  std::vector<std::string> varnames;   // fast locals, parameters first
  std::vector<std::string> names;      // globals, attributes, imported names
  std::vector<Constant> consts;
  std::vector<Instr> code;
  std::vector<Location> locations;     // one per instruction
  std::vector<ExceptionEntry> exception_table;
  std::uint32_t stacksize = 0;         // the most values on the stack at once (checked by the compiler)
};

}  // namespace ftb::bc
