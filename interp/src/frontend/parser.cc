// frontend/parser.cc: see parser.h.
#include "frontend/parser.h"

#include <string>
#include <unordered_set>
#include <vector>

#include "frontend/tokenizer.h"
#include "ftb/interp/frontend.h"
#include "ftb/interp/opcodes.h"

namespace ftb::bc {
namespace {

using ast::Body;
using ast::CmpOp;
using ast::Expr;
using ast::ExprP;
using ast::Stmt;
using ast::StmtP;
using EK = ast::Expr::Kind;
using SK = ast::Stmt::Kind;

const std::unordered_set<std::string>& Keywords() {
  static const std::unordered_set<std::string> kKeywords = {
      "False", "None",   "True",    "and",      "as",   "assert", "async",  "await",
      "break", "class",  "continue", "def",     "del",  "elif",   "else",   "except",
      "finally", "for",  "from",    "global",   "if",   "import", "in",     "is",
      "lambda", "nonlocal", "not",  "or",       "pass", "raise",  "return", "try",
      "while", "with",   "yield"};
  return kKeywords;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& filename) : toks_(std::move(tokens)), filename_(filename) {}

  ast::Module ParseModule() {
    ast::Module m;
    while (!At(TokenKind::kEnd)) ParseStatement(m.body);
    return m;
  }

 private:
  // ---- nesting ---------------------------------------------------------------------------------
  // The parser, the compiler and the tree's destructor recurse as deep as the tree is high; the
  // level below bounds that height (each nested parse function and each link of a left-leaning
  // chain such as a + b + c or a.b.c is one level), so that no input can exhaust the C++ stack.
  static constexpr int kMaxNesting = 2500;
  struct Nest {
    Parser& p;
    int saved;
    explicit Nest(Parser& parser) : p(parser), saved(parser.level_) { p.Deeper(); }
    ~Nest() { p.level_ = saved; }
  };
  void Deeper() {
    if (++level_ > kMaxNesting) Error(Here(), "too many nested expressions or statements for ftbench's interpreter");
  }

  // ---- token helpers --------------------------------------------------------------------------
  const Token& Cur() const {
    const Token& t = toks_[i_];
    if (t.kind == TokenKind::kError) throw SyntaxError(filename_, t.line, t.column, t.text);
    return t;
  }
  const Token& PeekAt(std::size_t k) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  bool At(TokenKind k) const { return Cur().kind == k; }  // (reaching a tokenizer error reports it)
  bool AtOp(std::string_view op) const { return Cur().kind == TokenKind::kOp && Cur().text == op; }
  bool AtKw(std::string_view kw) const { return Cur().kind == TokenKind::kName && Cur().text == kw; }
  static Location LocOf(const Token& t) { return Location{t.line, t.column}; }
  Location Here() const { return LocOf(Cur()); }
  const Token& Next() {
    const Token& t = Cur();
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  bool AcceptOp(std::string_view op) {
    if (!AtOp(op)) return false;
    Next();
    return true;
  }
  bool AcceptKw(std::string_view kw) {
    if (!AtKw(kw)) return false;
    Next();
    return true;
  }

  [[noreturn]] void Error(Location loc, const std::string& message) const {
    throw SyntaxError(filename_, loc.line, loc.column, message);
  }
  [[noreturn]] void Unsupported(Location loc, const std::string& what, bool plural = false) const {
    Error(loc, what + (plural ? " are" : " is") + " not supported by ftbench's interpreter");
  }
  // "invalid syntax" at the current token, with the special cases Python reports better.
  [[noreturn]] void Invalid() const {
    const Token& t = Cur();
    if (t.kind == TokenKind::kIndent) Error(Here(), "unexpected indent");
    if (t.kind == TokenKind::kDedent) Error(Here(), "unindent does not match any outer indentation level");
    if (t.kind == TokenKind::kName) CheckUnsupportedKeyword(t);
    if (t.kind == TokenKind::kOp) CheckUnsupportedOp(t);
    Error(Here(), "invalid syntax");
  }
  void CheckUnsupportedKeyword(const Token& t) const {
    static const std::unordered_set<std::string> kUnsupported = {"lambda", "yield", "await", "async", "with",
                                                                 "nonlocal"};
    if (kUnsupported.count(t.text)) Unsupported(LocOf(t), "'" + t.text + "'");
  }
  void CheckUnsupportedOp(const Token& t) const {
    if (t.text == "...") Unsupported(LocOf(t), "'...' (Ellipsis)");
    if (t.text == ":=") Unsupported(LocOf(t), "the walrus operator ':='");
    if (t.text == "@" || t.text == "@=") Unsupported(LocOf(t), "the matrix multiplication operator '@'");
    if (t.text == "*") Unsupported(LocOf(t), "a starred expression");
    if (t.text == "**") Unsupported(LocOf(t), "'**' unpacking");
  }
  void ExpectOp(std::string_view op) {
    if (AcceptOp(op)) return;
    if (At(TokenKind::kOp)) CheckUnsupportedOp(Cur());
    if (At(TokenKind::kName)) CheckUnsupportedKeyword(Cur());
    Error(Here(), "expected '" + std::string(op) + "'");
  }
  std::string ExpectName() {
    if (!At(TokenKind::kName) || Keywords().count(Cur().text)) Invalid();
    return Next().text;
  }
  void ExpectNewline() {
    if (At(TokenKind::kNewline)) {
      Next();
      return;
    }
    Invalid();
  }

  ExprP Make(EK kind, Location loc) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = loc;
    return e;
  }
  StmtP MakeStmt(SK kind, Location loc) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->loc = loc;
    return s;
  }

  // ---- statements -----------------------------------------------------------------------------
  void ParseStatement(Body& out) {
    Nest nest(*this);
    const Token& t = Cur();
    if (t.kind == TokenKind::kIndent) Error(Here(), "unexpected indent");
    if (t.kind == TokenKind::kName) {
      if (t.text == "if") return out.push_back(ParseIf());
      if (t.text == "while") return out.push_back(ParseWhile());
      if (t.text == "for") return out.push_back(ParseFor());
      if (t.text == "def") return out.push_back(ParseDef());
      if (t.text == "class") return out.push_back(ParseClass());
      if (t.text == "try") return out.push_back(ParseTry());
      if (t.text == "with" || t.text == "async") Unsupported(Here(), "'" + t.text + "'");
      if (t.text == "match" && PeekAt(1).kind == TokenKind::kName && !Keywords().count(PeekAt(1).text)) {
        // `match x:` (a soft keyword); `match = 3` stays an assignment.
        Unsupported(Here(), "'match'");
      }
    }
    if (t.kind == TokenKind::kOp && t.text == "@") Unsupported(Here(), "a decorator");
    ParseSimpleStatements(out);
  }

  void ParseSimpleStatements(Body& out) {
    for (;;) {
      out.push_back(ParseSimple());
      if (!AcceptOp(";")) break;
      if (At(TokenKind::kNewline)) break;
    }
    ExpectNewline();
  }

  // The body after a compound statement's header (the ':' not yet consumed).
  Body ParseBlock(const std::string& what, Location header) {
    if (!AtOp(":")) {
      if (At(TokenKind::kOp)) CheckUnsupportedOp(Cur());
      Error(Here(), "expected ':'");
    }
    Next();
    Body body;
    if (!At(TokenKind::kNewline)) {
      ParseSimpleStatements(body);
      return body;
    }
    Next();
    if (!At(TokenKind::kIndent)) {
      Error(Here(), "expected an indented block after " + what + " on line " + std::to_string(header.line));
    }
    Next();
    while (!At(TokenKind::kDedent) && !At(TokenKind::kEnd)) ParseStatement(body);
    Next();
    return body;
  }

  StmtP ParseIf() {
    Nest nest(*this);
    const Location loc = Here();
    const bool elif = AtKw("elif");
    Next();  // if / elif
    auto s = MakeStmt(SK::kIf, loc);
    s->value = ParseNamedTest();
    s->body = ParseBlock(elif ? "'elif' statement" : "'if' statement", loc);
    if (AtKw("elif")) {
      s->orelse.push_back(ParseIf());
    } else if (AtKw("else")) {
      const Location eloc = Here();
      Next();
      s->orelse = ParseBlock("'else' statement", eloc);
    }
    return s;
  }

  StmtP ParseWhile() {
    const Location loc = Here();
    Next();
    auto s = MakeStmt(SK::kWhile, loc);
    s->value = ParseNamedTest();
    s->body = ParseBlock("'while' statement", loc);
    if (AtKw("else")) {
      const Location eloc = Here();
      Next();
      s->orelse = ParseBlock("'else' statement", eloc);
    }
    return s;
  }

  StmtP ParseFor() {
    const Location loc = Here();
    Next();
    auto s = MakeStmt(SK::kFor, loc);
    s->targets.push_back(ParseTargetList());
    CheckTarget(*s->targets[0], "for");
    if (!AcceptKw("in")) Error(Here(), "expected 'in'");
    s->value = ParseTestList();
    s->body = ParseBlock("'for' statement", loc);
    if (AtKw("else")) {
      const Location eloc = Here();
      Next();
      s->orelse = ParseBlock("'else' statement", eloc);
    }
    return s;
  }

  StmtP ParseDef() {
    const Location loc = Here();
    Next();
    auto s = MakeStmt(SK::kDef, loc);
    s->name = ExpectName();
    ExpectOp("(");
    while (!AtOp(")")) {
      if (AtOp("*")) Unsupported(Here(), "'*args' (and keyword-only parameters)");
      if (AtOp("**")) Unsupported(Here(), "'**kwargs'");
      if (AtOp("/")) Unsupported(Here(), "a positional-only marker '/'");
      const Location ploc = Here();
      std::string param = ExpectName();
      for (const std::string& p : s->names) {
        if (p == param) Error(ploc, "duplicate argument '" + param + "' in function definition");
      }
      if (AcceptOp(":")) ParseTest();  // an annotation: evaluated by nobody, ignored
      if (AcceptOp("=")) {
        s->exprs.push_back(ParseTest());
      } else if (!s->exprs.empty()) {
        Error(ploc, "parameter without a default follows parameter with a default");
      }
      s->names.push_back(std::move(param));
      s->name_locs.push_back(ploc);
      if (!AcceptOp(",")) break;
    }
    ExpectOp(")");
    if (AcceptOp("->")) ParseTest();  // the return annotation, ignored
    s->body = ParseBlock("function definition", loc);
    s->end_loc = LastLoc(s->body);
    return s;
  }

  StmtP ParseClass() {
    const Location loc = Here();
    Next();
    auto s = MakeStmt(SK::kClass, loc);
    s->name = ExpectName();
    if (AcceptOp("(")) {
      while (!AtOp(")")) {
        if (At(TokenKind::kName) && PeekAt(1).kind == TokenKind::kOp && PeekAt(1).text == "=") {
          Unsupported(Here(), "a keyword in a class definition (metaclass=...)");
        }
        if (AtOp("*") || AtOp("**")) CheckUnsupportedOp(Cur());
        const Location bloc = Here();
        s->exprs.push_back(ParseTest());
        if (s->exprs.size() > 1) Unsupported(bloc, "multiple inheritance");
        if (!AcceptOp(",")) break;
      }
      ExpectOp(")");
    }
    s->body = ParseBlock("class definition", loc);
    s->end_loc = LastLoc(s->body);
    return s;
  }

  static Location LastLoc(const Body& body) { return body.empty() ? Location{} : body.back()->loc; }

  StmtP ParseTry() {
    const Location loc = Here();
    Next();
    auto s = MakeStmt(SK::kTry, loc);
    s->body = ParseBlock("'try' statement", loc);
    while (AtKw("except")) {
      const Location hloc = Here();
      Next();
      if (AtOp("*")) Unsupported(Here(), "'except*'");
      ast::Handler h;
      h.loc = hloc;
      if (!AtOp(":")) {
        if (!s->handlers.empty() && !s->handlers.back().type) Error(s->handlers.back().loc, "default 'except:' must be last");
        h.type = ParseTest();
        if (AtOp(",")) Error(Here(), "multiple exception types must be parenthesized");
        if (AcceptKw("as")) {
          h.name_loc = Here();
          h.name = ExpectName();
        }
      } else if (!s->handlers.empty() && !s->handlers.back().type) {
        Error(s->handlers.back().loc, "default 'except:' must be last");
      }
      h.body = ParseBlock("'except' statement", hloc);
      s->handlers.push_back(std::move(h));
    }
    for (std::size_t k = 0; k + 1 < s->handlers.size(); ++k) {
      if (!s->handlers[k].type) Error(s->handlers[k].loc, "default 'except:' must be last");
    }
    if (AtKw("else")) {
      const Location eloc = Here();
      if (s->handlers.empty()) Error(eloc, "expected 'except' or 'finally' block");
      Next();
      s->orelse = ParseBlock("'else' statement", eloc);
    }
    if (AtKw("finally")) {
      const Location floc = Here();
      Next();
      s->finalbody = ParseBlock("'finally' statement", floc);
    } else if (s->handlers.empty()) {
      Error(Here(), "expected 'except' or 'finally' block");
    }
    return s;
  }

  StmtP ParseSimple() {
    const Token& t = Cur();
    const Location loc = Here();
    if (t.kind == TokenKind::kName) {
      const std::string& w = t.text;
      if (w == "pass" || w == "break" || w == "continue") {
        Next();
        return MakeStmt(w == "pass" ? SK::kPass : w == "break" ? SK::kBreak : SK::kContinue, loc);
      }
      if (w == "return") {
        Next();
        auto s = MakeStmt(SK::kReturn, loc);
        if (!AtSimpleEnd()) s->value = ParseTestList();
        return s;
      }
      if (w == "raise") {
        Next();
        auto s = MakeStmt(SK::kRaise, loc);
        if (!AtSimpleEnd()) {
          s->value = ParseTest();
          if (AtKw("from")) Unsupported(Here(), "'raise ... from ...'");
        }
        return s;
      }
      if (w == "global") {
        Next();
        auto s = MakeStmt(SK::kGlobal, loc);
        do {
          s->name_locs.push_back(Here());
          s->names.push_back(ExpectName());
        } while (AcceptOp(","));
        return s;
      }
      if (w == "nonlocal") Unsupported(loc, "'nonlocal'");
      if (w == "import") {
        Next();
        auto s = MakeStmt(SK::kImport, loc);
        do {
          s->name_locs.push_back(Here());
          s->names.push_back(ExpectName());
          if (AtOp(".")) Unsupported(Here(), "a dotted module name");
          s->asnames.push_back(AcceptKw("as") ? ExpectName() : s->names.back());
        } while (AcceptOp(","));
        return s;
      }
      if (w == "from") {
        Next();
        auto s = MakeStmt(SK::kImportFrom, loc);
        if (AtOp(".") || AtOp("...")) Unsupported(Here(), "a relative import");
        s->name = ExpectName();
        if (AtOp(".")) Unsupported(Here(), "a dotted module name");
        if (!AcceptKw("import")) Error(Here(), "expected 'import'");
        if (AtOp("*")) Unsupported(Here(), "'from ... import *'");
        const bool paren = AcceptOp("(");
        do {
          if (paren && AtOp(")")) break;
          s->name_locs.push_back(Here());
          s->names.push_back(ExpectName());
          s->asnames.push_back(AcceptKw("as") ? ExpectName() : s->names.back());
        } while (AcceptOp(","));
        if (paren) ExpectOp(")");
        return s;
      }
      if (w == "del") {
        Next();
        auto s = MakeStmt(SK::kDelete, loc);
        do {
          ExprP target = ParseBitOr();
          if (target->kind == EK::kName) Unsupported(target->loc, "'del' of a name");
          if (target->kind == EK::kAttribute) Unsupported(target->loc, "'del' of an attribute");
          if (target->kind != EK::kSubscript) Error(target->loc, "cannot delete " + Describe(*target));
          if (target->a[1]->kind == EK::kSlice) Unsupported(target->loc, "'del' of a slice");
          s->targets.push_back(std::move(target));
        } while (AcceptOp(",") && !AtSimpleEnd());
        return s;
      }
      if (w == "assert") {
        Next();
        auto s = MakeStmt(SK::kAssert, loc);
        s->value = ParseTest();
        if (AcceptOp(",")) s->exprs.push_back(ParseTest());
        return s;
      }
      if (w == "yield") Unsupported(loc, "'yield'");
      if (w == "if" || w == "while" || w == "for" || w == "def" || w == "class" || w == "try" || w == "else" ||
          w == "elif" || w == "except" || w == "finally" || w == "with") {
        Invalid();
      }
    }
    // An expression statement or an assignment.
    ExprP first = ParseTestList();
    if (AtOp("=")) {
      auto s = MakeStmt(SK::kAssign, loc);
      s->targets.push_back(std::move(first));
      ExprP value;
      while (AcceptOp("=")) {
        if (AtKw("yield")) Unsupported(Here(), "'yield'");
        value = ParseTestList();
        if (AtOp("=")) s->targets.push_back(std::move(value));
      }
      for (const ExprP& target : s->targets) CheckTarget(*target, "assign");
      s->value = std::move(value);
      return s;
    }
    static const char* const kAug[] = {"+=", "&=", "//=", "<<=", "*=", "%=", "|=", "**=", ">>=", "-=", "/=", "^="};
    if (At(TokenKind::kOp)) {
      for (int k = 0; k < 12; ++k) {
        if (Cur().text != kAug[k]) continue;
        if (first->kind != EK::kName && first->kind != EK::kAttribute && first->kind != EK::kSubscript) {
          Error(first->loc, "'" + Describe(*first) + "' is an illegal expression for augmented assignment");
        }
        if (first->kind == EK::kSubscript && first->a[1]->kind == EK::kSlice) {
          Unsupported(first->loc, "augmented assignment to a slice");
        }
        Next();
        auto s = MakeStmt(SK::kAugAssign, loc);
        s->op = kInplace + k;
        s->targets.push_back(std::move(first));
        s->value = ParseTestList();
        return s;
      }
      if (Cur().text == ":") Unsupported(Here(), "a variable annotation");
      CheckUnsupportedOp(Cur());
    }
    auto s = MakeStmt(SK::kExpr, loc);
    s->value = std::move(first);
    if (!AtSimpleEnd()) Invalid();
    return s;
  }

  bool AtSimpleEnd() const { return At(TokenKind::kNewline) || AtOp(";") || At(TokenKind::kEnd); }

  static std::string Describe(const Expr& e) {
    switch (e.kind) {
      case EK::kCall: return "function call";
      case EK::kInt: case EK::kFloat: case EK::kStr: return "literal";
      case EK::kNone: return "None";
      case EK::kTrue: return "True";
      case EK::kFalse: return "False";
      case EK::kCompare: return "comparison";
      case EK::kIfExp: return "conditional expression";
      case EK::kListComp: return "list comprehension";
      case EK::kDict: return "dict literal";
      case EK::kTuple: return "tuple";
      case EK::kList: return "list";
      case EK::kName: return "name";
      case EK::kAttribute: return "attribute";
      case EK::kSubscript: return "subscript";
      default: return "expression";
    }
  }

  // A valid assignment (or for) target: a name, attribute, subscript, or a tuple/list of them.
  void CheckTarget(const Expr& e, const char* context) const {
    switch (e.kind) {
      case EK::kName:
      case EK::kAttribute:
        return;
      case EK::kSubscript:
        if (e.a[1]->kind == EK::kSlice) Unsupported(e.loc, "assignment to a slice");
        return;
      case EK::kTuple:
      case EK::kList:
        for (const ExprP& x : e.a) CheckTarget(*x, context);
        return;
      default: break;
    }
    std::string what = Describe(e);
    if (e.kind == EK::kNone || e.kind == EK::kTrue || e.kind == EK::kFalse) Error(e.loc, "cannot assign to " + what);
    std::string msg = "cannot assign to " + what;
    if (std::string_view(context) == "assign") msg += " here. Maybe you meant '==' instead of '='?";
    Error(e.loc, msg);
  }

  // ---- expressions ----------------------------------------------------------------------------
  // test (',' test)* [',']: a tuple when there is a comma.
  ExprP ParseTestList() {
    const Location loc = Here();
    ExprP first = ParseTest();
    if (!AtOp(",")) return first;
    auto t = Make(EK::kTuple, loc);
    t->a.push_back(std::move(first));
    while (AcceptOp(",")) {
      if (!StartsExpression()) break;
      t->a.push_back(ParseTest());
    }
    return t;
  }

  // for-targets: bitwise-or expressions separated by commas (so `in` is not a comparison).
  ExprP ParseTargetList() {
    const Location loc = Here();
    if (AtOp("*")) Unsupported(Here(), "a starred assignment target");
    ExprP first = ParseBitOr();
    if (!AtOp(",")) return first;
    auto t = Make(EK::kTuple, loc);
    t->a.push_back(std::move(first));
    while (AcceptOp(",")) {
      if (AtKw("in")) break;
      if (AtOp("*")) Unsupported(Here(), "a starred assignment target");
      t->a.push_back(ParseBitOr());
    }
    return t;
  }

  bool StartsExpression() const {
    const Token& t = Cur();
    switch (t.kind) {
      case TokenKind::kName: {
        if (!Keywords().count(t.text)) return true;
        return t.text == "None" || t.text == "True" || t.text == "False" || t.text == "not" || t.text == "lambda" ||
               t.text == "await" || t.text == "yield";
      }
      case TokenKind::kInt: case TokenKind::kFloat: case TokenKind::kString: return true;
      case TokenKind::kOp:
        return t.text == "(" || t.text == "[" || t.text == "{" || t.text == "-" || t.text == "+" || t.text == "~" ||
               t.text == "*" || t.text == "...";
      default: return false;
    }
  }

  // An if/while condition: a test (the walrus is refused by the generic check).
  ExprP ParseNamedTest() {
    ExprP e = ParseTest();
    if (AtOp(":=")) CheckUnsupportedOp(Cur());
    return e;
  }

  ExprP ParseTest() {
    Nest nest(*this);
    if (AtKw("lambda")) Unsupported(Here(), "'lambda'");
    if (AtKw("yield")) Unsupported(Here(), "'yield'");
    const Location loc = Here();
    ExprP body = ParseOr();
    if (!AtKw("if")) return body;
    Next();
    auto e = Make(EK::kIfExp, loc);
    ExprP test = ParseOr();
    if (!AcceptKw("else")) Error(loc, "expected 'else' after 'if' expression");
    ExprP orelse = ParseTest();
    e->a.push_back(std::move(test));
    e->a.push_back(std::move(body));
    e->a.push_back(std::move(orelse));
    return e;
  }

  ExprP ParseOr() {
    const Location loc = Here();
    ExprP first = ParseAnd();
    if (!AtKw("or")) return first;
    auto e = Make(EK::kBoolOp, loc);
    e->op = 1;
    e->a.push_back(std::move(first));
    while (AcceptKw("or")) e->a.push_back(ParseAnd());
    return e;
  }

  ExprP ParseAnd() {
    const Location loc = Here();
    ExprP first = ParseNot();
    if (!AtKw("and")) return first;
    auto e = Make(EK::kBoolOp, loc);
    e->op = 0;
    e->a.push_back(std::move(first));
    while (AcceptKw("and")) e->a.push_back(ParseNot());
    return e;
  }

  ExprP ParseNot() {
    Nest nest(*this);
    if (AtKw("not")) {
      const Location loc = Here();
      Next();
      auto e = Make(EK::kUnary, loc);
      e->op = static_cast<int>(ast::UnaryOp::kNot);
      e->a.push_back(ParseNot());
      return e;
    }
    return ParseComparison();
  }

  bool AtCompareOp(CmpOp* op, int* width) const {
    const Token& t = Cur();
    *width = 1;
    if (t.kind == TokenKind::kOp) {
      if (t.text == "<") return *op = CmpOp::kLt, true;
      if (t.text == "<=") return *op = CmpOp::kLe, true;
      if (t.text == "==") return *op = CmpOp::kEq, true;
      if (t.text == "!=") return *op = CmpOp::kNe, true;
      if (t.text == ">") return *op = CmpOp::kGt, true;
      if (t.text == ">=") return *op = CmpOp::kGe, true;
      return false;
    }
    if (t.kind != TokenKind::kName) return false;
    if (t.text == "in") return *op = CmpOp::kIn, true;
    if (t.text == "not" && PeekAt(1).kind == TokenKind::kName && PeekAt(1).text == "in") {
      *width = 2;
      return *op = CmpOp::kNotIn, true;
    }
    if (t.text == "is") {
      if (PeekAt(1).kind == TokenKind::kName && PeekAt(1).text == "not") {
        *width = 2;
        return *op = CmpOp::kIsNot, true;
      }
      return *op = CmpOp::kIs, true;
    }
    return false;
  }

  ExprP ParseComparison() {
    const Location loc = Here();
    ExprP first = ParseBitOr();
    CmpOp op;
    int width;
    if (!AtCompareOp(&op, &width)) return first;
    auto e = Make(EK::kCompare, loc);
    e->a.push_back(std::move(first));
    while (AtCompareOp(&op, &width)) {
      for (int k = 0; k < width; ++k) Next();
      e->cmp.push_back(op);
      e->a.push_back(ParseBitOr());
    }
    return e;
  }

  ExprP Binary(ExprP left, BinaryOp op, ExprP right, Location loc) {
    auto e = Make(EK::kBinOp, loc);
    e->op = static_cast<int>(op);
    e->a.push_back(std::move(left));
    e->a.push_back(std::move(right));
    return e;
  }

  ExprP ParseBitOr() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseBitXor();
    while (AtOp("|")) {
      Next();
      Deeper();
      e = Binary(std::move(e), BinaryOp::kOr, ParseBitXor(), loc);
    }
    return e;
  }
  ExprP ParseBitXor() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseBitAnd();
    while (AtOp("^")) {
      Next();
      Deeper();
      e = Binary(std::move(e), BinaryOp::kXor, ParseBitAnd(), loc);
    }
    return e;
  }
  ExprP ParseBitAnd() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseShift();
    while (AtOp("&")) {
      Next();
      Deeper();
      e = Binary(std::move(e), BinaryOp::kAnd, ParseShift(), loc);
    }
    return e;
  }
  ExprP ParseShift() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseArith();
    for (;;) {
      BinaryOp op;
      if (AtOp("<<")) op = BinaryOp::kLshift;
      else if (AtOp(">>")) op = BinaryOp::kRshift;
      else return e;
      Next();
      Deeper();
      e = Binary(std::move(e), op, ParseArith(), loc);
    }
  }
  ExprP ParseArith() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseTerm();
    for (;;) {
      BinaryOp op;
      if (AtOp("+")) op = BinaryOp::kAdd;
      else if (AtOp("-")) op = BinaryOp::kSubtract;
      else return e;
      Next();
      Deeper();
      e = Binary(std::move(e), op, ParseTerm(), loc);
    }
  }
  ExprP ParseTerm() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseFactor();
    for (;;) {
      BinaryOp op = BinaryOp::kMultiply;
      if (AtOp("*")) op = BinaryOp::kMultiply;
      else if (AtOp("/")) op = BinaryOp::kTrueDivide;
      else if (AtOp("//")) op = BinaryOp::kFloorDivide;
      else if (AtOp("%")) op = BinaryOp::kRemainder;
      else if (AtOp("@")) CheckUnsupportedOp(Cur());
      else return e;
      Next();
      Deeper();
      e = Binary(std::move(e), op, ParseFactor(), loc);
    }
  }
  ExprP ParseFactor() {
    Nest nest(*this);
    const Location loc = Here();
    if (AtOp("-") || AtOp("+") || AtOp("~")) {
      const std::string op = Next().text;
      ExprP operand = ParseFactor();
      if (op == "-" && operand->kind == EK::kInt) {
        operand->int_value = -operand->int_value;
        operand->loc = loc;
        return operand;
      }
      if (op == "-" && operand->kind == EK::kFloat) {
        operand->float_value = -operand->float_value;
        operand->loc = loc;
        return operand;
      }
      if (op == "+") {
        if (operand->kind == EK::kInt || operand->kind == EK::kFloat) {
          operand->loc = loc;
          return operand;
        }
        Unsupported(loc, "unary '+' (on anything but a number literal)");
      }
      auto e = Make(EK::kUnary, loc);
      e->op = static_cast<int>(op == "-" ? ast::UnaryOp::kNeg : ast::UnaryOp::kInvert);
      e->a.push_back(std::move(operand));
      return e;
    }
    return ParsePower();
  }
  ExprP ParsePower() {
    const Location loc = Here();
    if (AtKw("await")) Unsupported(loc, "'await'");
    ExprP e = ParsePrimary();
    if (AtOp("**")) {
      Next();
      Deeper();
      e = Binary(std::move(e), BinaryOp::kPower, ParseFactor(), loc);
    }
    return e;
  }

  ExprP ParsePrimary() {
    Nest nest(*this);
    const Location loc = Here();
    ExprP e = ParseAtom();
    for (;; Deeper()) {
      if (AtOp(".")) {
        Next();
        auto a = Make(EK::kAttribute, loc);
        a->name = ExpectName();
        a->a.push_back(std::move(e));
        e = std::move(a);
      } else if (AtOp("(")) {
        Next();
        auto c = Make(EK::kCall, loc);
        c->a.push_back(std::move(e));
        while (!AtOp(")")) {
          if (AtOp("*")) Unsupported(Here(), "'*' unpacking in a call");
          if (AtOp("**")) Unsupported(Here(), "'**' unpacking in a call");
          if (At(TokenKind::kName) && PeekAt(1).kind == TokenKind::kOp && PeekAt(1).text == "=") {
            Unsupported(Here(), "keyword arguments", true);
          }
          ExprP arg = ParseTest();
          if (AtKw("for")) Unsupported(arg->loc, "a generator expression");
          if (AtOp(":=")) CheckUnsupportedOp(Cur());
          c->a.push_back(std::move(arg));
          if (!AcceptOp(",")) break;
        }
        ExpectOp(")");
        e = std::move(c);
      } else if (AtOp("[")) {
        Next();
        auto s = Make(EK::kSubscript, loc);
        s->a.push_back(std::move(e));
        s->a.push_back(ParseSubscriptIndex());
        ExpectOp("]");
        e = std::move(s);
      } else {
        return e;
      }
    }
  }

  ExprP ParseSubscriptIndex() {
    const Location loc = Here();
    ExprP first = ParseSliceOrTest();
    if (!AtOp(",")) return first;
    auto t = Make(EK::kTuple, loc);
    t->a.push_back(std::move(first));
    while (AcceptOp(",")) {
      if (AtOp("]")) break;
      t->a.push_back(ParseSliceOrTest());
    }
    for (const ExprP& x : t->a) {
      if (x->kind == EK::kSlice) Unsupported(x->loc, "a slice inside a tuple index");
    }
    return t;
  }

  ExprP ParseSliceOrTest() {
    const Location loc = Here();
    ExprP lower;
    if (!AtOp(":")) {
      lower = ParseTest();
      if (!AtOp(":")) return lower;
    }
    Next();  // ':'
    auto s = Make(EK::kSlice, loc);
    ExprP upper;
    if (!AtOp(":") && !AtOp("]") && !AtOp(",")) upper = ParseTest();
    if (AtOp(":")) {
      Next();
      if (!AtOp("]") && !AtOp(",")) Error(Here(), "slice steps are not supported by ftbench's interpreter");
    }
    s->a.push_back(std::move(lower));
    s->a.push_back(std::move(upper));
    return s;
  }

  ExprP ParseAtom() {
    const Token& t = Cur();
    const Location loc = Here();
    switch (t.kind) {
      case TokenKind::kInt: {
        auto e = Make(EK::kInt, loc);
        e->int_value = Next().int_value;
        return e;
      }
      case TokenKind::kFloat: {
        auto e = Make(EK::kFloat, loc);
        e->float_value = Next().float_value;
        return e;
      }
      case TokenKind::kString: {
        auto e = Make(EK::kStr, loc);
        while (At(TokenKind::kString)) e->name += Next().text;  // adjacent literals concatenate
        return e;
      }
      case TokenKind::kName: {
        if (t.text == "None") return Next(), Make(EK::kNone, loc);
        if (t.text == "True") return Next(), Make(EK::kTrue, loc);
        if (t.text == "False") return Next(), Make(EK::kFalse, loc);
        if (Keywords().count(t.text)) Invalid();
        auto e = Make(EK::kName, loc);
        e->name = Next().text;
        return e;
      }
      case TokenKind::kOp:
        break;
      default:
        Invalid();
    }
    if (t.text == "(") {
      Next();
      if (AcceptOp(")")) return Make(EK::kTuple, loc);
      if (AtKw("yield")) Unsupported(Here(), "'yield'");
      ExprP first = ParseTest();
      if (AtKw("for")) Unsupported(first->loc, "a generator expression");
      if (AtOp(":=")) CheckUnsupportedOp(Cur());
      if (AcceptOp(")")) {
        first->parenthesized = true;
        return first;
      }
      if (!AtOp(",")) ExpectOp(")");
      auto tuple = Make(EK::kTuple, loc);
      tuple->a.push_back(std::move(first));
      while (AcceptOp(",")) {
        if (AtOp(")")) break;
        tuple->a.push_back(ParseTest());
      }
      ExpectOp(")");
      tuple->parenthesized = true;
      return tuple;
    }
    if (t.text == "[") {
      Next();
      auto list = Make(EK::kList, loc);
      if (AcceptOp("]")) return list;
      ExprP first = ParseTest();
      if (AtKw("for")) {
        auto comp = Make(EK::kListComp, loc);
        comp->a.push_back(std::move(first));
        ParseComprehensionClauses(*comp);
        ExpectOp("]");
        return comp;
      }
      list->a.push_back(std::move(first));
      while (AcceptOp(",")) {
        if (AtOp("]")) break;
        list->a.push_back(ParseTest());
      }
      ExpectOp("]");
      return list;
    }
    if (t.text == "{") {
      Next();
      auto dict = Make(EK::kDict, loc);
      if (AcceptOp("}")) return dict;
      if (AtOp("**")) Unsupported(Here(), "'**' unpacking in a dict display");
      ExprP key = ParseTest();
      if (!AtOp(":")) {
        if (AtKw("for")) Unsupported(loc, "a set comprehension");
        Unsupported(loc, "a set display");
      }
      Next();
      ExprP value = ParseTest();
      if (AtKw("for")) Unsupported(loc, "a dict comprehension");
      dict->a.push_back(std::move(key));
      dict->a.push_back(std::move(value));
      while (AcceptOp(",")) {
        if (AtOp("}")) break;
        if (AtOp("**")) Unsupported(Here(), "'**' unpacking in a dict display");
        dict->a.push_back(ParseTest());
        ExpectOp(":");
        dict->a.push_back(ParseTest());
      }
      ExpectOp("}");
      return dict;
    }
    Invalid();
  }

  void ParseComprehensionClauses(Expr& comp) {
    while (AtKw("for")) {
      Next();
      ast::Comprehension gen;
      gen.target = ParseTargetList();
      CheckTarget(*gen.target, "for");
      if (!AcceptKw("in")) Error(Here(), "expected 'in'");
      gen.iter = ParseOr();
      while (AtKw("if")) {
        Next();
        gen.ifs.push_back(ParseOr());
      }
      comp.gens.push_back(std::move(gen));
    }
    if (AtKw("async")) Unsupported(Here(), "'async'");
  }

  std::vector<Token> toks_;
  std::size_t i_ = 0;
  int level_ = 0;
  const std::string& filename_;
};

}  // namespace

ast::Module Parse(std::string_view source, const std::string& filename) {
  std::vector<Token> tokens = Tokenize(source, filename, /*defer_errors=*/true);
  const Token last = tokens.back();
  try {
    return Parser(std::move(tokens), filename).ParseModule();
  } catch (const SyntaxError& e) {
    // A bracket left open that swallowed the following lines explains a parse error on a later
    // line better than the error does (CPython reports it the same way).
    if (last.kind == TokenKind::kError && last.text.ends_with("was never closed") && last.line < e.line()) {
      throw SyntaxError(filename, last.line, last.column, last.text);
    }
    throw;
  }
}

}  // namespace ftb::bc
