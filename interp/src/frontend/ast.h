// frontend/ast.h (internal to the front end): the syntax tree of the subset, made by the parser
// (parser.h) and read by the compiler. Every node carries the position of its first token.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ftb/interp/code_unit.h"

namespace ftb::bc::ast {

struct Expr;
struct Stmt;
using ExprP = std::unique_ptr<Expr>;
using StmtP = std::unique_ptr<Stmt>;
using Body = std::vector<StmtP>;

// Comparison operators of a Compare node.
enum class CmpOp : std::uint8_t { kLt, kLe, kEq, kNe, kGt, kGe, kIn, kNotIn, kIs, kIsNot };
enum class UnaryOp : std::uint8_t { kNeg, kInvert, kNot };

struct Comprehension {
  ExprP target;
  ExprP iter;
  std::vector<ExprP> ifs;
};

struct Expr {
  enum class Kind : std::uint8_t {
    kName,       // name
    kInt,        // int_value
    kFloat,      // float_value
    kStr,        // name holds the value
    kNone,
    kTrue,
    kFalse,
    kBinOp,      // a[0] op a[1]; op is a BinaryOp
    kUnary,      // op is a UnaryOp; a[0]
    kBoolOp,     // op 0: and, 1: or; a: the values (2 or more)
    kCompare,    // a[0] cmp[0] a[1] cmp[1] a[2] ...
    kCall,       // a[0] the callable, a[1..] the arguments
    kAttribute,  // a[0].name
    kSubscript,  // a[0][a[1]]
    kSlice,      // a[0]:a[1], either may be null (only as a subscript's index)
    kList,       // a: elements
    kTuple,      // a: elements
    kDict,       // a: key0 value0 key1 value1 ...
    kListComp,   // [a[0] gens...]
    kIfExp,      // a[1] if a[0] else a[2]
  };
  Kind kind;
  Location loc;
  std::string name;
  std::int64_t int_value = 0;
  double float_value = 0;
  int op = 0;
  bool parenthesized = false;
  std::vector<CmpOp> cmp;
  std::vector<ExprP> a;
  std::vector<Comprehension> gens;
};

struct Handler {
  Location loc;
  ExprP type;        // null: a bare `except:`
  std::string name;  // the `as` name, or empty
  Location name_loc;
  Body body;
};

struct Stmt {
  enum class Kind : std::uint8_t {
    kExpr,        // value
    kAssign,      // targets[0] = targets[1] = ... = value
    kAugAssign,   // targets[0] op= value; op is the in-place BinaryOp
    kIf,          // if value: body else: orelse (elif: an If alone in orelse)
    kWhile,       // while value: body else: orelse
    kFor,         // for targets[0] in value: body else: orelse
    kBreak,
    kContinue,
    kPass,
    kReturn,      // value may be null
    kDef,         // def name(params = defaults): body
    kClass,       // class name(bases): body; bases in `exprs`
    kGlobal,      // names
    kImport,      // import names[i] as asnames[i]
    kImportFrom,  // from name import names[i] as asnames[i]
    kRaise,       // value may be null
    kTry,         // try: body; handlers; else: orelse; finally: finalbody
    kAssert,      // assert value, exprs[0] (optional)
    kDelete,      // del targets
  };
  Kind kind;
  Location loc;
  std::vector<ExprP> targets;
  ExprP value;
  int op = 0;
  Body body;
  Body orelse;
  Body finalbody;
  std::string name;
  std::vector<std::string> names;
  std::vector<std::string> asnames;
  std::vector<Location> name_locs;  // one per entry of `names`
  std::vector<ExprP> exprs;         // kDef: defaults of the last parameters; kClass: bases; kAssert: message
  std::vector<Handler> handlers;
  Location end_loc;                 // kDef/kClass: the last line of the body (for the implicit return)
};

struct Module {
  Body body;
};

}  // namespace ftb::bc::ast
