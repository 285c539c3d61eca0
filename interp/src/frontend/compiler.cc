// frontend/compiler.cc: from the syntax tree to code units, as code_unit.h describes; also the
// front end's public entry points (CompileModule, CompileFile) and SyntaxError.
//
// Where code_unit.h leaves the scheme open:
//   - Jumps: a jump to an earlier instruction is JUMP_BACKWARD (the eval-breaker check), a later
//     one JUMP_FORWARD; conditional jumps only ever go forward (loops close with JUMP_BACKWARD).
//   - for: iterable; GET_ITER; top: FOR_ITER exhausted; target; body; JUMP_BACKWARD top;
//     exhausted: [else body]; after:. `break` pops the iterator (POP_TOP) and jumps to after;
//     `continue` jumps back to top. while: top: [test, POP_JUMP_IF_FALSE else]; body;
//     JUMP_BACKWARD top; else: [else body]; after: (`while True` has no test).
//   - Leaving an except clause's body by break/continue runs POP_EXCEPT first; `return v` inside
//     loops and handlers unwinds them under the value: SWAP 2; POP_TOP (a loop's iterator) or
//     SWAP 2; POP_EXCEPT (a handler's saved exception), innermost first, then RETURN_VALUE. So the
//     stack is always empty at RETURN_VALUE.
//   - Exception handlers are a stack while compiling; each instruction records the innermost one
//     in effect, and the exception table is the runs of consecutive instructions with the same
//     handler (so entries never overlap). Code that leaves a block (break/continue/return) runs
//     under the handlers outside it, as CPython's POP_BLOCK arranges.
//   - try/except/else: the else body follows the try body, outside the covered range; a clause's
//     closing POP_EXCEPT; JUMP_FORWARD end are outside the cleanup's range. The `as` name stays
//     bound after the clause (CPython unbinds it).
//   - try/finally: see Try() below; break/continue/return in the try body run the finally body
//     inline first; break/continue/return out of a finally body are SyntaxErrors (unsupported).
//   - assert test, msg: test; POP_JUMP_IF_TRUE ok; LOAD_GLOBAL AssertionError; [PUSH_NULL; msg;
//     CALL 1]; RAISE_VARARGS 1; ok:.
//   - import m [as n]: IMPORT_NAME m; store n. from m import a [as b], c: IMPORT_NAME m;
//     IMPORT_FROM a; store b; IMPORT_FROM c; store c; POP_TOP.
//   - def: [defaults...; BUILD_TUPLE n]; LOAD_CONST code; MAKE_FUNCTION (1 with defaults); store.
//     class C(B): LOAD_CONST body; MAKE_FUNCTION 0; LOAD_CONST 'C'; [B]; BUILD_CLASS nbases; store.
//   - A list comprehension's targets are hidden fast locals named `name.N` (N counts the unit's
//     comprehensions), so they neither clash with nor leak into the enclosing scope. Inside a
//     class body, the comprehension's other names are globals (as in Python, class attributes are
//     not visible there), except in its first iterable.
//   - Constant expression statements (docstrings) compile to nothing; -<number literal> is one
//     constant.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/parser.h"
#include "frontend/borrow.h"
#include "frontend/stack_depth.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {

SyntaxError::SyntaxError(std::string filename, int line, int column, std::string message)
    : std::runtime_error(filename + ":" + std::to_string(line) + ":" + std::to_string(column + 1) +
                         ": SyntaxError: " + message),
      filename_(std::move(filename)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace {

using ast::Body;
using ast::Expr;
using ast::Stmt;
using EK = ast::Expr::Kind;
using SK = ast::Stmt::Kind;

struct Label {
  std::int64_t target = -1;
  std::vector<std::uint32_t> fixups;
};

// A statement block that break/continue/return must leave through: what it holds on the value
// stack and how many exception handlers were active outside it.
struct Block {
  enum class Kind {
    kWhile,
    kFor,          // holds the iterator
    kHandler,      // an except clause's body: holds the saved (previous) exception
    kFinallyTry,   // the try body of a try/finally: leaving it runs the finally body
    kFinallyBody,  // a finally body: not to be left by break/continue/return
  } kind;
  int break_label = -1;
  int continue_label = -1;
  int stack = 0;                  // values this block keeps on the stack
  std::size_t outer_handlers = 0;  // the handler stack's size outside the block
  const ast::Body* finalbody = nullptr;
};

// An exception handler in effect while instructions are emitted.
struct HandlerRecord {
  int label;
  std::uint32_t depth;
};

// ---- scope analysis ---------------------------------------------------------------------------
// The names a body assigns (its locals, for a function) and declares global, with Python's
// checks on `global` coming after a use.
struct ScopeInfo {
  std::set<std::string> assigned;
  std::set<std::string> globals;
};

class ScopeScanner {
 public:
  ScopeScanner(const std::string& filename, const std::vector<std::string>& params)
      : filename_(filename), params_(params.begin(), params.end()) {
    for (const std::string& p : params) seen_.emplace(p, true);
  }

  ScopeInfo Scan(const Body& body) {
    Stmts(body);
    return std::move(info_);
  }

 private:
  void Use(const std::string& name, bool store) {
    seen_.emplace(name, store);
    if (store) info_.assigned.insert(name);
  }
  void Stmts(const Body& body) {
    for (const auto& s : body) StmtS(*s);
  }
  void Target(const Expr& e) {
    if (e.kind == EK::kName) {
      Use(e.name, true);
    } else if (e.kind == EK::kTuple || e.kind == EK::kList) {
      for (const auto& x : e.a) Target(*x);
    } else {
      ExprS(e);
    }
  }
  void ExprS(const Expr& e) {
    if (e.kind == EK::kName) Use(e.name, false);
    for (const auto& x : e.a) {
      if (x) ExprS(*x);
    }
    for (const auto& g : e.gens) {
      ExprS(*g.iter);
      for (const auto& c : g.ifs) ExprS(*c);
    }
  }
  void StmtS(const Stmt& s) {
    switch (s.kind) {
      case SK::kAssign:
        ExprS(*s.value);
        for (const auto& t : s.targets) Target(*t);
        break;
      case SK::kAugAssign:
        ExprS(*s.value);
        if (s.targets[0]->kind == EK::kName) Use(s.targets[0]->name, true);
        Target(*s.targets[0]);
        break;
      case SK::kFor:
        ExprS(*s.value);
        Target(*s.targets[0]);
        break;
      case SK::kDef:
      case SK::kClass:
        for (const auto& x : s.exprs) ExprS(*x);
        Use(s.name, true);
        return;  // the body is another scope
      case SK::kImport:
      case SK::kImportFrom:
        for (const auto& n : s.asnames) Use(n, true);
        break;
      case SK::kGlobal:
        for (std::size_t k = 0; k < s.names.size(); ++k) {
          const std::string& n = s.names[k];
          const Location loc = s.loc;  // Python points at the statement
          if (params_.count(n)) Error(loc, "name '" + n + "' is parameter and global");
          auto it = seen_.find(n);
          if (it != seen_.end() && !info_.globals.count(n)) {
            Error(loc, "name '" + n + "' is " + (it->second ? "assigned to before" : "used prior to") +
                           " global declaration");
          }
          info_.globals.insert(n);
        }
        break;
      case SK::kTry:
        Stmts(s.body);
        for (const auto& h : s.handlers) {
          if (h.type) ExprS(*h.type);
          if (!h.name.empty()) Use(h.name, true);
          Stmts(h.body);
        }
        Stmts(s.orelse);
        Stmts(s.finalbody);
        return;
      default:
        if (s.value) ExprS(*s.value);
        for (const auto& t : s.targets) ExprS(*t);
        for (const auto& x : s.exprs) ExprS(*x);
        break;
    }
    Stmts(s.body);
    Stmts(s.orelse);
  }
  [[noreturn]] void Error(Location loc, const std::string& message) const {
    throw SyntaxError(filename_, loc.line, loc.column, message);
  }

  const std::string& filename_;
  std::set<std::string> params_;
  std::map<std::string, bool> seen_;  // name -> first seen as a store
  ScopeInfo info_;
};

// ---- one code unit ------------------------------------------------------------------------------
class UnitCompiler {
 public:
  UnitCompiler(const std::string& filename, CodeUnit::Kind kind, std::string name, std::string qualname,
               UnitCompiler* parent)
      : filename_(filename), parent_(parent) {
    unit_ = std::make_shared<CodeUnit>();
    unit_->kind = kind;
    unit_->name = std::move(name);
    unit_->qualname = std::move(qualname);
    unit_->filename = filename;
  }

  std::shared_ptr<const CodeUnit> Module(const ast::Module& m) {
    scope_ = ScopeScanner(filename_, {}).Scan(m.body);
    Stmts(m.body);
    const Location end = m.body.empty() ? Location{1, 0} : m.body.back()->loc;
    ReturnNone(end);
    return Finish();
  }

  std::shared_ptr<const CodeUnit> Function(const Stmt& def) {
    unit_->first_line = def.loc.line;
    unit_->argcount = static_cast<std::uint32_t>(def.names.size());
    scope_ = ScopeScanner(filename_, def.names).Scan(def.body);
    for (const std::string& p : def.names) {
      scope_.assigned.insert(p);
      Var(p);
    }
    for (const std::string& g : scope_.globals) scope_.assigned.erase(g);
    Stmts(def.body);
    ReturnNone(def.end_loc.line ? def.end_loc : def.loc);
    return Finish();
  }

  std::shared_ptr<const CodeUnit> ClassBody(const Stmt& cls) {
    unit_->first_line = cls.loc.line;
    scope_ = ScopeScanner(filename_, {}).Scan(cls.body);
    for (const std::string& g : scope_.globals) scope_.assigned.erase(g);
    Stmts(cls.body);
    ReturnNone(cls.end_loc.line ? cls.end_loc : cls.loc);
    return Finish();
  }

 private:
  // ---- emission -------------------------------------------------------------------------------
  std::uint32_t Pc() const { return static_cast<std::uint32_t>(unit_->code.size()); }

  void Emit(Opcode op, std::uint32_t arg, Location loc) {
    if (arg > Instr::kMaxArg) Error(loc, "too many names, constants or instructions in one code unit");
    unit_->code.push_back(Instr::Make(op, arg));
    unit_->locations.push_back(loc);
    instr_handler_.push_back(handlers_.empty() ? -1 : handlers_.back());
  }
  void PushHandler(int label, std::uint32_t depth) {
    handler_records_.push_back({label, depth});
    handlers_.push_back(static_cast<int>(handler_records_.size() - 1));
  }
  void PopHandler() { handlers_.pop_back(); }

  int NewLabel() {
    labels_.emplace_back();
    return static_cast<int>(labels_.size() - 1);
  }
  void Bind(int label) {
    Label& l = labels_[label];
    l.target = Pc();
    for (std::uint32_t at : l.fixups) {
      unit_->code[at] = Instr::Make(unit_->code[at].op(), Pc());
    }
    if (!l.fixups.empty()) bound_here_ = Pc();  // a jump lands here (backward jumps come later to loop tops,
    l.fixups.clear();                           // which are never asked about)
  }
  // An unconditional jump: backward to a bound label, forward otherwise.
  void Jump(int label, Location loc) {
    Label& l = labels_[label];
    if (l.target >= 0) {
      Emit(Opcode::JUMP_BACKWARD, static_cast<std::uint32_t>(l.target), loc);
    } else {
      l.fixups.push_back(Pc());
      Emit(Opcode::JUMP_FORWARD, 0, loc);
    }
  }
  // A forward jump with the given opcode (conditional jumps, FOR_ITER).
  void JumpForward(Opcode op, int label, Location loc) {
    Label& l = labels_[label];
    if (l.target >= 0) throw std::logic_error("internal compiler error: conditional jump backward");
    l.fixups.push_back(Pc());
    Emit(op, 0, loc);
  }
  // Whether the next instruction can be reached by falling through or a jump.
  bool Reachable() const {
    if (unit_->code.empty() || bound_here_ == Pc()) return true;
    switch (unit_->code.back().op()) {
      case Opcode::JUMP_FORWARD: case Opcode::JUMP_BACKWARD: case Opcode::RETURN_VALUE:
      case Opcode::RAISE_VARARGS: case Opcode::RERAISE:
        return false;
      default:
        return true;
    }
  }

  std::uint32_t AddConst(Constant c) {
    auto& consts = unit_->consts;
    for (std::size_t k = 0; k < consts.size(); ++k) {
      const Constant& o = consts[k];
      if (o.kind != c.kind || c.kind == Constant::Kind::kCode) continue;
      if (c.kind == Constant::Kind::kInt && o.int_value != c.int_value) continue;
      if (c.kind == Constant::Kind::kFloat && std::memcmp(&o.float_value, &c.float_value, sizeof(double)) != 0) continue;
      if (c.kind == Constant::Kind::kStr && o.str_value != c.str_value) continue;
      return static_cast<std::uint32_t>(k);
    }
    consts.push_back(std::move(c));
    return static_cast<std::uint32_t>(consts.size() - 1);
  }
  std::uint32_t ConstOf(Constant::Kind kind) {
    Constant c;
    c.kind = kind;
    return AddConst(std::move(c));
  }
  std::uint32_t ConstStr(const std::string& s) {
    Constant c;
    c.kind = Constant::Kind::kStr;
    c.str_value = s;
    return AddConst(std::move(c));
  }
  std::uint32_t NameIndex(const std::string& name) {
    auto& names = unit_->names;
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (names[k] == name) return static_cast<std::uint32_t>(k);
    }
    names.push_back(name);
    return static_cast<std::uint32_t>(names.size() - 1);
  }
  std::uint32_t Var(const std::string& name) {
    auto& vars = unit_->varnames;
    for (std::size_t k = 0; k < vars.size(); ++k) {
      if (vars[k] == name) return static_cast<std::uint32_t>(k);
    }
    vars.push_back(name);
    return static_cast<std::uint32_t>(vars.size() - 1);
  }

  void ReturnNone(Location loc) {
    if (!Reachable()) return;
    Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kNone), loc);
    Emit(Opcode::RETURN_VALUE, 0, loc);
  }

  std::shared_ptr<const CodeUnit> Finish() {
    for (const Label& l : labels_) {
      if (!l.fixups.empty()) throw std::logic_error("internal compiler error: a jump to an unbound label");
    }
    // The exception table: runs of consecutive instructions under the same handler (runs never
    // overlap, so the innermost-first order holds trivially).
    for (std::size_t i = 0; i < instr_handler_.size();) {
      const int h = instr_handler_[i];
      std::size_t j = i + 1;
      while (j < instr_handler_.size() && instr_handler_[j] == h) ++j;
      if (h >= 0) {
        const HandlerRecord& r = handler_records_[static_cast<std::size_t>(h)];
        const std::int64_t target = labels_[static_cast<std::size_t>(r.label)].target;
        if (target < 0) throw std::logic_error("internal compiler error: an unbound handler label");
        ExceptionEntry e;
        e.start = static_cast<std::uint32_t>(i);
        e.end = static_cast<std::uint32_t>(j);
        e.handler = static_cast<std::uint32_t>(target);
        e.depth = r.depth;
        if (!unit_->exception_table.empty() && unit_->exception_table.back().end == e.start &&
            unit_->exception_table.back().handler == e.handler && unit_->exception_table.back().depth == e.depth) {
          unit_->exception_table.back().end = e.end;
        } else {
          unit_->exception_table.push_back(e);
        }
      }
      i = j;
    }
    unit_->stacksize = ComputeStackSize(*unit_);
    BorrowFastLoads(*unit_);
    return unit_;
  }

  [[noreturn]] void Error(Location loc, const std::string& message) const {
    throw SyntaxError(filename_, loc.line, loc.column, message);
  }

  // ---- names ----------------------------------------------------------------------------------
  enum class Access { kFast, kGlobal, kName };

  // Refuses a name that only a closure could read: a local of an enclosing function.
  void CheckNotFree(const std::string& name, Location loc) const {
    for (const UnitCompiler* p = parent_; p; p = p->parent_) {
      if (p->unit_->kind != CodeUnit::Kind::kFunction) continue;
      if (p->scope_.globals.count(name)) return;
      if (p->scope_.assigned.count(name)) {
        Error(loc, "a closure (reading '" + name + "', a local variable of the enclosing function '" +
                       p->unit_->name + "') is not supported by ftbench's interpreter");
      }
    }
  }

  Access Resolve(const std::string& name, Location loc, std::uint32_t* slot) {
    for (auto it = comp_scopes_.rbegin(); it != comp_scopes_.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end()) {
        *slot = found->second;
        return Access::kFast;
      }
    }
    switch (unit_->kind) {
      case CodeUnit::Kind::kModule:
        return Access::kGlobal;
      case CodeUnit::Kind::kClassBody:
        if (scope_.globals.count(name)) return Access::kGlobal;
        if (comp_body_depth_ > 0) {
          CheckNotFree(name, loc);
          return Access::kGlobal;
        }
        if (!scope_.assigned.count(name)) CheckNotFree(name, loc);
        return Access::kName;
      case CodeUnit::Kind::kFunction:
        if (scope_.globals.count(name)) return Access::kGlobal;
        if (scope_.assigned.count(name)) {
          *slot = Var(name);
          return Access::kFast;
        }
        CheckNotFree(name, loc);
        return Access::kGlobal;
    }
    return Access::kGlobal;
  }

  void Load(const std::string& name, Location loc) {
    std::uint32_t slot = 0;
    switch (Resolve(name, loc, &slot)) {
      case Access::kFast: Emit(Opcode::LOAD_FAST, slot, loc); break;
      case Access::kGlobal: Emit(Opcode::LOAD_GLOBAL, NameIndex(name), loc); break;
      case Access::kName: Emit(Opcode::LOAD_NAME, NameIndex(name), loc); break;
    }
  }
  void StoreName(const std::string& name, Location loc) {
    std::uint32_t slot = 0;
    switch (Resolve(name, loc, &slot)) {
      case Access::kFast: Emit(Opcode::STORE_FAST, slot, loc); break;
      case Access::kGlobal: Emit(Opcode::STORE_GLOBAL, NameIndex(name), loc); break;
      case Access::kName: Emit(Opcode::STORE_NAME, NameIndex(name), loc); break;
    }
  }

  // ---- statements -----------------------------------------------------------------------------
  void Stmts(const Body& body) {
    for (const auto& s : body) StmtC(*s);
  }

  int BaseDepth() const {
    int d = 0;
    for (const Block& b : blocks_) d += b.stack;
    return d + extra_depth_;
  }

  void StmtC(const Stmt& s) {
    const Location loc = s.loc;
    switch (s.kind) {
      case SK::kExpr:
        if (IsConstant(*s.value)) return;  // a docstring or a bare literal: nothing to run
        ExprC(*s.value);
        Emit(Opcode::POP_TOP, 0, loc);
        return;
      case SK::kAssign:
        ExprC(*s.value);
        for (std::size_t k = 0; k < s.targets.size(); ++k) {
          if (k + 1 < s.targets.size()) Emit(Opcode::COPY, 1, s.targets[k]->loc);
          Store(*s.targets[k]);
        }
        return;
      case SK::kAugAssign:
        AugAssign(s);
        return;
      case SK::kIf: {
        const int orelse = NewLabel();
        const int end = NewLabel();
        JumpIf(*s.value, false, orelse);
        Stmts(s.body);
        if (!s.orelse.empty() && Reachable()) Jump(end, s.orelse.front()->loc);
        Bind(orelse);
        Stmts(s.orelse);
        Bind(end);
        return;
      }
      case SK::kWhile: {
        const int top = NewLabel();
        const int orelse = NewLabel();
        const int after = NewLabel();
        Bind(top);
        if (!IsTrueConstant(*s.value)) JumpIf(*s.value, false, orelse);
        blocks_.push_back({Block::Kind::kWhile, after, top, 0, handlers_.size(), nullptr});
        Stmts(s.body);
        blocks_.pop_back();
        if (Reachable()) Jump(top, loc);
        Bind(orelse);
        Stmts(s.orelse);
        Bind(after);
        return;
      }
      case SK::kFor: {
        const int top = NewLabel();
        const int exhausted = NewLabel();
        const int after = NewLabel();
        ExprC(*s.value);
        Emit(Opcode::GET_ITER, 0, s.value->loc);
        Bind(top);
        JumpForward(Opcode::FOR_ITER, exhausted, loc);
        Store(*s.targets[0]);
        blocks_.push_back({Block::Kind::kFor, after, top, 1, handlers_.size(), nullptr});
        Stmts(s.body);
        blocks_.pop_back();
        if (Reachable()) Jump(top, loc);
        Bind(exhausted);
        Stmts(s.orelse);
        Bind(after);
        return;
      }
      case SK::kBreak:
      case SK::kContinue: {
        const bool is_break = s.kind == SK::kBreak;
        std::size_t loop = blocks_.size();
        while (loop > 0 && blocks_[loop - 1].kind != Block::Kind::kWhile && blocks_[loop - 1].kind != Block::Kind::kFor) {
          --loop;
        }
        if (loop == 0) Error(loc, is_break ? "'break' outside loop" : "'continue' not properly in loop");
        const Block target = blocks_[loop - 1];
        const std::vector<int> saved = handlers_;
        Unwind(loop, false, is_break ? "'break'" : "'continue'", loc);
        handlers_.resize(std::min(handlers_.size(), target.outer_handlers));
        if (is_break && target.kind == Block::Kind::kFor) Emit(Opcode::POP_TOP, 0, loc);
        Jump(is_break ? target.break_label : target.continue_label, loc);
        handlers_ = saved;
        return;
      }
      case SK::kPass:
        return;
      case SK::kReturn: {
        if (unit_->kind != CodeUnit::Kind::kFunction) Error(loc, "'return' outside function");
        if (s.value) {
          ExprC(*s.value);
        } else {
          Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kNone), loc);
        }
        const std::vector<int> saved = handlers_;
        Unwind(0, true, "'return'", loc);
        handlers_.clear();
        Emit(Opcode::RETURN_VALUE, 0, loc);
        handlers_ = saved;
        return;
      }
      case SK::kDef:
        FunctionDef(s);
        return;
      case SK::kClass:
        ClassDef(s);
        return;
      case SK::kGlobal:
        return;  // resolved by the scope scan
      case SK::kImport:
        for (std::size_t k = 0; k < s.names.size(); ++k) {
          Emit(Opcode::IMPORT_NAME, NameIndex(s.names[k]), s.name_locs[k]);
          StoreName(s.asnames[k], s.name_locs[k]);
        }
        return;
      case SK::kImportFrom:
        Emit(Opcode::IMPORT_NAME, NameIndex(s.name), loc);
        for (std::size_t k = 0; k < s.names.size(); ++k) {
          Emit(Opcode::IMPORT_FROM, NameIndex(s.names[k]), s.name_locs[k]);
          StoreName(s.asnames[k], s.name_locs[k]);
        }
        Emit(Opcode::POP_TOP, 0, loc);
        return;
      case SK::kRaise:
        if (s.value) ExprC(*s.value);
        Emit(Opcode::RAISE_VARARGS, s.value ? 1 : 0, loc);
        return;
      case SK::kTry:
        Try(s);
        return;
      case SK::kAssert: {
        const int ok = NewLabel();
        JumpIf(*s.value, true, ok);
        Emit(Opcode::LOAD_GLOBAL, NameIndex("AssertionError"), loc);
        if (!s.exprs.empty()) {
          Emit(Opcode::PUSH_NULL, 0, loc);
          ExprC(*s.exprs[0]);
          Emit(Opcode::CALL, 1, loc);
        }
        Emit(Opcode::RAISE_VARARGS, 1, loc);
        Bind(ok);
        return;
      }
      case SK::kDelete:
        for (const auto& t : s.targets) {
          ExprC(*t->a[0]);
          ExprC(*t->a[1]);
          Emit(Opcode::DELETE_SUBSCR, 0, t->loc);
        }
        return;
    }
  }

  static bool IsConstant(const Expr& e) {
    switch (e.kind) {
      case EK::kInt: case EK::kFloat: case EK::kStr: case EK::kNone: case EK::kTrue: case EK::kFalse: return true;
      default: return false;
    }
  }
  static bool IsTrueConstant(const Expr& e) {
    return e.kind == EK::kTrue || (e.kind == EK::kInt && e.int_value != 0);
  }

  void AugAssign(const Stmt& s) {
    const Expr& t = *s.targets[0];
    const Location loc = s.loc;
    switch (t.kind) {
      case EK::kName:
        Load(t.name, t.loc);
        ExprC(*s.value);
        Emit(Opcode::BINARY_OP, static_cast<std::uint32_t>(s.op), loc);
        StoreName(t.name, t.loc);
        return;
      case EK::kAttribute: {
        const std::uint32_t name = NameIndex(t.name);
        ExprC(*t.a[0]);
        Emit(Opcode::COPY, 1, t.loc);
        Emit(Opcode::LOAD_ATTR, name, t.loc);
        ExprC(*s.value);
        Emit(Opcode::BINARY_OP, static_cast<std::uint32_t>(s.op), loc);
        Emit(Opcode::SWAP, 2, t.loc);
        Emit(Opcode::STORE_ATTR, name, t.loc);
        return;
      }
      case EK::kSubscript:
        ExprC(*t.a[0]);
        ExprC(*t.a[1]);
        Emit(Opcode::COPY, 2, t.loc);
        Emit(Opcode::COPY, 2, t.loc);
        Emit(Opcode::BINARY_SUBSCR, 0, t.loc);
        ExprC(*s.value);
        Emit(Opcode::BINARY_OP, static_cast<std::uint32_t>(s.op), loc);
        Emit(Opcode::SWAP, 3, t.loc);
        Emit(Opcode::SWAP, 2, t.loc);
        Emit(Opcode::STORE_SUBSCR, 0, t.loc);
        return;
      default:
        Error(t.loc, "illegal expression for augmented assignment");
    }
  }

  void Store(const Expr& t) {
    switch (t.kind) {
      case EK::kName:
        StoreName(t.name, t.loc);
        return;
      case EK::kAttribute:
        ExprC(*t.a[0]);
        Emit(Opcode::STORE_ATTR, NameIndex(t.name), t.loc);
        return;
      case EK::kSubscript:
        ExprC(*t.a[0]);
        ExprC(*t.a[1]);
        Emit(Opcode::STORE_SUBSCR, 0, t.loc);
        return;
      case EK::kTuple:
      case EK::kList:
        Emit(Opcode::UNPACK_SEQUENCE, static_cast<std::uint32_t>(t.a.size()), t.loc);
        for (const auto& x : t.a) Store(*x);
        return;
      default:
        Error(t.loc, "cannot assign to expression");
    }
  }

  std::string ChildQualname(const std::string& name) const {
    if (unit_->kind == CodeUnit::Kind::kModule) return name;
    if (unit_->kind == CodeUnit::Kind::kFunction) return unit_->qualname + ".<locals>." + name;
    return unit_->qualname + "." + name;
  }

  void FunctionDef(const Stmt& s) {
    for (const auto& d : s.exprs) ExprC(*d);
    if (!s.exprs.empty()) Emit(Opcode::BUILD_TUPLE, static_cast<std::uint32_t>(s.exprs.size()), s.loc);
    UnitCompiler child(filename_, CodeUnit::Kind::kFunction, s.name, ChildQualname(s.name), this);
    Constant c;
    c.kind = Constant::Kind::kCode;
    c.code = child.Function(s);
    Emit(Opcode::LOAD_CONST, AddConst(std::move(c)), s.loc);
    Emit(Opcode::MAKE_FUNCTION, s.exprs.empty() ? 0 : 1, s.loc);
    StoreName(s.name, s.loc);
  }

  void ClassDef(const Stmt& s) {
    UnitCompiler child(filename_, CodeUnit::Kind::kClassBody, s.name, ChildQualname(s.name), this);
    Constant c;
    c.kind = Constant::Kind::kCode;
    c.code = child.ClassBody(s);
    Emit(Opcode::LOAD_CONST, AddConst(std::move(c)), s.loc);
    Emit(Opcode::MAKE_FUNCTION, 0, s.loc);
    Emit(Opcode::LOAD_CONST, ConstStr(s.name), s.loc);
    for (const auto& b : s.exprs) ExprC(*b);
    Emit(Opcode::BUILD_CLASS, static_cast<std::uint32_t>(s.exprs.size()), s.loc);
    StoreName(s.name, s.loc);
  }

  // Leaves blocks_[stop..] innermost first, as break/continue/return do (`preserve_tos`: a
  // return value is on top, so values below it are popped with SWAP 2). Each block's exit code
  // runs under the handlers outside that block; the caller restores handlers_.
  void Unwind(std::size_t stop, bool preserve_tos, const char* what, Location loc) {
    for (std::size_t i = blocks_.size(); i-- > stop;) {
      if (blocks_[i].kind == Block::Kind::kFinallyBody) {
        Error(loc, std::string(what) + " out of a 'finally' block is not supported by ftbench's interpreter");
      }
    }
    for (std::size_t i = blocks_.size(); i-- > stop;) {
      const Block b = blocks_[i];
      handlers_.resize(std::min(handlers_.size(), b.outer_handlers));
      switch (b.kind) {
        case Block::Kind::kWhile:
        case Block::Kind::kFinallyBody:
          break;
        case Block::Kind::kFor:
          if (preserve_tos) {
            Emit(Opcode::SWAP, 2, loc);
            Emit(Opcode::POP_TOP, 0, loc);
          }
          break;
        case Block::Kind::kHandler:
          if (preserve_tos) Emit(Opcode::SWAP, 2, loc);
          Emit(Opcode::POP_EXCEPT, 0, loc);
          break;
        case Block::Kind::kFinallyTry: {
          // The finally body, inline, outside the blocks it protects.
          const std::vector<Block> saved = blocks_;
          blocks_.resize(i);
          extra_depth_ += preserve_tos ? 1 : 0;
          FinallyBody(*b.finalbody, 0);
          extra_depth_ -= preserve_tos ? 1 : 0;
          blocks_ = saved;
          break;
        }
      }
    }
  }

  void FinallyBody(const Body& body, int stack) {
    blocks_.push_back({Block::Kind::kFinallyBody, -1, -1, stack, handlers_.size(), nullptr});
    Stmts(body);
    blocks_.pop_back();
  }

  // try/finally (with or without except clauses inside):
  //       body (the try/except part)        under handler F at depth d
  //       finally body; JUMP_FORWARD end    (break/continue/return in body run a copy inline)
  //   F:  PUSH_EXC_INFO                     under handler C at depth d+1
  //       finally body
  //       RERAISE
  //   C:  SWAP 2; POP_EXCEPT; RERAISE
  //   end:
  void Try(const Stmt& s) {
    if (s.finalbody.empty()) {
      TryExcept(s);
      return;
    }
    const std::uint32_t depth = static_cast<std::uint32_t>(BaseDepth());
    const int end = NewLabel();
    const int on_exception = NewLabel();
    const int cleanup = NewLabel();
    PushHandler(on_exception, depth);
    blocks_.push_back({Block::Kind::kFinallyTry, -1, -1, 0, handlers_.size() - 1, &s.finalbody});
    if (s.handlers.empty()) {
      Stmts(s.body);
    } else {
      TryExcept(s);
    }
    blocks_.pop_back();
    PopHandler();
    if (Reachable()) {
      FinallyBody(s.finalbody, 0);
      if (Reachable()) Jump(end, s.loc);
    }
    const Location floc = s.finalbody.front()->loc;
    Bind(on_exception);
    PushHandler(cleanup, depth + 1);
    Emit(Opcode::PUSH_EXC_INFO, 0, floc);
    FinallyBody(s.finalbody, 2);
    Emit(Opcode::RERAISE, 0, floc);
    PopHandler();
    Bind(cleanup);
    Emit(Opcode::SWAP, 2, floc);
    Emit(Opcode::POP_EXCEPT, 0, floc);
    Emit(Opcode::RERAISE, 0, floc);
    Bind(end);
  }

  // try/except/else, code_unit.h's scheme.
  void TryExcept(const Stmt& s) {
    const std::uint32_t depth = static_cast<std::uint32_t>(BaseDepth());
    const int end = NewLabel();
    const int handler = NewLabel();
    const int cleanup = NewLabel();
    PushHandler(handler, depth);
    Stmts(s.body);
    PopHandler();
    Stmts(s.orelse);
    if (Reachable()) Jump(end, s.loc);
    Bind(handler);
    const Location hloc = s.handlers.front().loc;
    PushHandler(cleanup, depth + 1);
    Emit(Opcode::PUSH_EXC_INFO, 0, hloc);
    bool caught_all = false;
    for (const ast::Handler& h : s.handlers) {
      const int next = NewLabel();
      if (h.type) {
        ExprC(*h.type);
        Emit(Opcode::CHECK_EXC_MATCH, 0, h.loc);
        JumpForward(Opcode::POP_JUMP_IF_FALSE, next, h.loc);
      } else {
        caught_all = true;
      }
      if (!h.name.empty()) {
        StoreName(h.name, h.name_loc);
      } else {
        Emit(Opcode::POP_TOP, 0, h.loc);
      }
      blocks_.push_back({Block::Kind::kHandler, -1, -1, 1, handlers_.size() - 1, nullptr});
      Stmts(h.body);
      blocks_.pop_back();
      if (Reachable()) {
        const std::vector<int> saved = handlers_;
        PopHandler();
        Emit(Opcode::POP_EXCEPT, 0, h.loc);
        Jump(end, h.loc);
        handlers_ = saved;
      }
      Bind(next);
      if (caught_all) break;
    }
    if (!caught_all) Emit(Opcode::RERAISE, 0, hloc);
    PopHandler();
    Bind(cleanup);
    Emit(Opcode::SWAP, 2, hloc);
    Emit(Opcode::POP_EXCEPT, 0, hloc);
    Emit(Opcode::RERAISE, 0, hloc);
    Bind(end);
  }

  // ---- expressions ----------------------------------------------------------------------------
  void ExprC(const Expr& e) {
    const Location loc = e.loc;
    switch (e.kind) {
      case EK::kName:
        Load(e.name, loc);
        return;
      case EK::kInt: {
        Constant c;
        c.kind = Constant::Kind::kInt;
        c.int_value = e.int_value;
        Emit(Opcode::LOAD_CONST, AddConst(std::move(c)), loc);
        return;
      }
      case EK::kFloat: {
        Constant c;
        c.kind = Constant::Kind::kFloat;
        c.float_value = e.float_value;
        Emit(Opcode::LOAD_CONST, AddConst(std::move(c)), loc);
        return;
      }
      case EK::kStr:
        Emit(Opcode::LOAD_CONST, ConstStr(e.name), loc);
        return;
      case EK::kNone:
        Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kNone), loc);
        return;
      case EK::kTrue:
        Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kTrue), loc);
        return;
      case EK::kFalse:
        Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kFalse), loc);
        return;
      case EK::kBinOp:
        ExprC(*e.a[0]);
        ExprC(*e.a[1]);
        Emit(Opcode::BINARY_OP, static_cast<std::uint32_t>(e.op), loc);
        return;
      case EK::kUnary:
        ExprC(*e.a[0]);
        switch (static_cast<ast::UnaryOp>(e.op)) {
          case ast::UnaryOp::kNeg: Emit(Opcode::UNARY_NEGATIVE, 0, loc); break;
          case ast::UnaryOp::kInvert: Emit(Opcode::UNARY_INVERT, 0, loc); break;
          case ast::UnaryOp::kNot: Emit(Opcode::UNARY_NOT, 0, loc); break;
        }
        return;
      case EK::kBoolOp: {
        const int end = NewLabel();
        const Opcode jump = e.op == 0 ? Opcode::POP_JUMP_IF_FALSE : Opcode::POP_JUMP_IF_TRUE;
        for (std::size_t k = 0; k + 1 < e.a.size(); ++k) {
          ExprC(*e.a[k]);
          Emit(Opcode::COPY, 1, e.a[k]->loc);
          JumpForward(jump, end, e.a[k]->loc);
          Emit(Opcode::POP_TOP, 0, e.a[k]->loc);
        }
        ExprC(*e.a.back());
        Bind(end);
        return;
      }
      case EK::kCompare:
        Compare(e);
        return;
      case EK::kCall: {
        const Expr& f = *e.a[0];
        if (f.kind == EK::kAttribute) {
          ExprC(*f.a[0]);
          Emit(Opcode::LOAD_METHOD, NameIndex(f.name), f.loc);
        } else {
          ExprC(f);
          Emit(Opcode::PUSH_NULL, 0, loc);
        }
        for (std::size_t k = 1; k < e.a.size(); ++k) ExprC(*e.a[k]);
        Emit(Opcode::CALL, static_cast<std::uint32_t>(e.a.size() - 1), loc);
        return;
      }
      case EK::kAttribute:
        ExprC(*e.a[0]);
        Emit(Opcode::LOAD_ATTR, NameIndex(e.name), loc);
        return;
      case EK::kSubscript: {
        ExprC(*e.a[0]);
        const Expr& index = *e.a[1];
        if (index.kind == EK::kSlice) {
          for (int k = 0; k < 2; ++k) {
            if (index.a[k]) {
              ExprC(*index.a[k]);
            } else {
              Emit(Opcode::LOAD_CONST, ConstOf(Constant::Kind::kNone), index.loc);
            }
          }
          Emit(Opcode::BINARY_SLICE, 0, loc);
        } else {
          ExprC(index);
          Emit(Opcode::BINARY_SUBSCR, 0, loc);
        }
        return;
      }
      case EK::kSlice:
        Error(loc, "a slice outside a subscript");
      case EK::kList:
      case EK::kTuple:
        for (const auto& x : e.a) ExprC(*x);
        Emit(e.kind == EK::kList ? Opcode::BUILD_LIST : Opcode::BUILD_TUPLE, static_cast<std::uint32_t>(e.a.size()),
             loc);
        return;
      case EK::kDict:
        for (const auto& x : e.a) ExprC(*x);
        Emit(Opcode::BUILD_MAP, static_cast<std::uint32_t>(e.a.size() / 2), loc);
        return;
      case EK::kListComp:
        ListComp(e);
        return;
      case EK::kIfExp: {
        const int orelse = NewLabel();
        const int end = NewLabel();
        JumpIf(*e.a[0], false, orelse);
        ExprC(*e.a[1]);
        Jump(end, loc);
        Bind(orelse);
        ExprC(*e.a[2]);
        Bind(end);
        return;
      }
    }
  }

  void CompareOne(ast::CmpOp op, Location loc) {
    switch (op) {
      case ast::CmpOp::kIn: Emit(Opcode::CONTAINS_OP, 0, loc); return;
      case ast::CmpOp::kNotIn: Emit(Opcode::CONTAINS_OP, 1, loc); return;
      case ast::CmpOp::kIs: Emit(Opcode::IS_OP, 0, loc); return;
      case ast::CmpOp::kIsNot: Emit(Opcode::IS_OP, 1, loc); return;
      default: Emit(Opcode::COMPARE_OP, static_cast<std::uint32_t>(op), loc); return;
    }
  }

  // a < b < c: a; b; SWAP 2; COPY 2; COMPARE_OP <; COPY 1; POP_JUMP_IF_FALSE cleanup; POP_TOP;
  // c; COMPARE_OP <; JUMP_FORWARD end; cleanup: SWAP 2; POP_TOP; end: (CPython 3.12's scheme).
  void Compare(const Expr& e) {
    ExprC(*e.a[0]);
    const std::size_t n = e.cmp.size();
    if (n == 1) {
      ExprC(*e.a[1]);
      CompareOne(e.cmp[0], e.loc);
      return;
    }
    const int cleanup = NewLabel();
    const int end = NewLabel();
    for (std::size_t k = 0; k + 1 < n; ++k) {
      ExprC(*e.a[k + 1]);
      Emit(Opcode::SWAP, 2, e.loc);
      Emit(Opcode::COPY, 2, e.loc);
      CompareOne(e.cmp[k], e.loc);
      Emit(Opcode::COPY, 1, e.loc);
      JumpForward(Opcode::POP_JUMP_IF_FALSE, cleanup, e.loc);
      Emit(Opcode::POP_TOP, 0, e.loc);
    }
    ExprC(*e.a[n]);
    CompareOne(e.cmp[n - 1], e.loc);
    Jump(end, e.loc);
    Bind(cleanup);
    Emit(Opcode::SWAP, 2, e.loc);
    Emit(Opcode::POP_TOP, 0, e.loc);
    Bind(end);
  }

  // Jumps to `label` when `e`'s truth is `cond` (CPython's compiler_jump_if, for not/and/or).
  void JumpIf(const Expr& e, bool cond, int label) {
    if (e.kind == EK::kUnary && static_cast<ast::UnaryOp>(e.op) == ast::UnaryOp::kNot) {
      JumpIf(*e.a[0], !cond, label);
      return;
    }
    if (e.kind == EK::kBoolOp) {
      const bool is_or = e.op == 1;
      if (cond == is_or) {  // or/true, and/false: any operand decides
        for (const auto& v : e.a) JumpIf(*v, cond, label);
        return;
      }
      const int next = NewLabel();
      for (std::size_t k = 0; k + 1 < e.a.size(); ++k) JumpIf(*e.a[k], !cond, next);
      JumpIf(*e.a.back(), cond, label);
      Bind(next);
      return;
    }
    ExprC(e);
    JumpForward(cond ? Opcode::POP_JUMP_IF_TRUE : Opcode::POP_JUMP_IF_FALSE, label, e.loc);
  }

  static void TargetNames(const Expr& t, std::vector<const Expr*>& out) {
    if (t.kind == EK::kName) {
      out.push_back(&t);
    } else if (t.kind == EK::kTuple || t.kind == EK::kList) {
      for (const auto& x : t.a) TargetNames(*x, out);
    }
  }

  void ListComp(const Expr& e) {
    Emit(Opcode::BUILD_LIST, 0, e.loc);
    ExprC(*e.gens[0].iter);  // the first iterable runs in the enclosing scope
    Emit(Opcode::GET_ITER, 0, e.gens[0].iter->loc);
    const int ordinal = ++comprehensions_;
    std::map<std::string, std::uint32_t> hidden;
    for (const auto& g : e.gens) {
      std::vector<const Expr*> names;
      TargetNames(*g.target, names);
      for (const Expr* n : names) {
        if (!hidden.count(n->name)) hidden[n->name] = Var(n->name + "." + std::to_string(ordinal));
      }
    }
    comp_scopes_.push_back(std::move(hidden));
    ++comp_body_depth_;
    CompGenerator(e, 0);
    --comp_body_depth_;
    comp_scopes_.pop_back();
  }

  void CompGenerator(const Expr& e, std::size_t k) {
    const ast::Comprehension& g = e.gens[k];
    if (k > 0) {
      ExprC(*g.iter);
      Emit(Opcode::GET_ITER, 0, g.iter->loc);
    }
    const int top = NewLabel();
    const int exhausted = NewLabel();
    const int skip = NewLabel();
    Bind(top);
    JumpForward(Opcode::FOR_ITER, exhausted, e.loc);
    Store(*g.target);
    for (const auto& c : g.ifs) JumpIf(*c, false, skip);
    if (k + 1 < e.gens.size()) {
      CompGenerator(e, k + 1);
    } else {
      ExprC(*e.a[0]);
      Emit(Opcode::LIST_APPEND, static_cast<std::uint32_t>(e.gens.size() + 1), e.loc);
    }
    Bind(skip);
    Jump(top, e.loc);
    Bind(exhausted);
  }

  const std::string& filename_;
  UnitCompiler* parent_;
  std::shared_ptr<CodeUnit> unit_;
  ScopeInfo scope_;
  std::vector<Label> labels_;
  std::vector<Block> blocks_;
  std::vector<HandlerRecord> handler_records_;
  std::vector<int> handlers_;       // the handlers in effect, innermost last (indexes into handler_records_)
  std::vector<int> instr_handler_;  // per instruction: its handler, or -1
  int extra_depth_ = 0;             // values a return keeps on the stack while a finally body runs inline
  std::vector<std::map<std::string, std::uint32_t>> comp_scopes_;
  int comp_body_depth_ = 0;
  int comprehensions_ = 0;
  std::int64_t bound_here_ = -1;  // the last instruction index a forward jump or a handler lands at
};

}  // namespace

std::shared_ptr<const CodeUnit> CompileModule(std::string_view source, std::string filename) {
  const ast::Module m = Parse(source, filename);
  UnitCompiler compiler(filename, CodeUnit::Kind::kModule, "<module>", "<module>", nullptr);
  return compiler.Module(m);
}

std::shared_ptr<const CodeUnit> CompileFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return CompileModule(text.str(), path);
}

}  // namespace ftb::bc
