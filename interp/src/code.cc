// Code objects and Python functions, and where the interpreter applies the mechanisms of
// ftb/mechanisms.h to them.
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "frame.h"
#include "ftb/interp/frontend.h"
#include "ftb/mechanisms.h"

FTB_NAMESPACE_BEGIN
namespace interp {

namespace {
constexpr Object StaticHeader() { return Object{Policy::ImmortalHeader(), &g_type_type}; }

void CodeDealloc(Object* op) noexcept {
  auto* code = static_cast<CodeObject*>(op);
  for (Object* c : code->consts) Decref(c);
  code->~CodeObject();
  FreeObject(op);
}

void FunctionDealloc(Object* op) noexcept {
  auto* fn = static_cast<PyFunctionObject*>(op);
  Decref(fn->code);
  Decref(fn->globals);
  XDecref(fn->defaults);
  FreeObject(op);
}

Ref FunctionCall(Object* callable, std::span<Object* const> args) {
  StackRef result = CallObject(callable, args);
  return result.ToRef();
}
}  // namespace

constinit TypeObject g_code_type{StaticHeader(), "code", Kind::kCode, CodeDealloc, nullptr, nullptr,
                                 sizeof(CodeObject)};
constinit TypeObject g_pyfunction_type{StaticHeader(), "function", Kind::kPyFunction, FunctionDealloc,
                                       nullptr, FunctionCall, sizeof(PyFunctionObject)};

// ---- the mechanisms ----

void DeferRefcount(Object* op) noexcept { SetDeferredRefcount(op); }

namespace {
// The process's immortal constants, one per value (CPython 3.13t's intern_constants): a module
// loaded again, or two modules with the same constant, share one object. They live until the
// process ends, as immortal objects do (nothing outside the code objects counts its references,
// so a value returned to C++ or stored in a container must not die with its module); immortal
// objects are not in the live tallies, so the leak check does not see them.
struct ConstantTable {
  std::mutex mu;
  std::unordered_map<std::uint64_t, Object*> ints;    // by value
  std::unordered_map<std::uint64_t, Object*> floats;  // by bit pattern (0.0 and -0.0 differ)
};
ConstantTable& Constants() {
  static ConstantTable* table = new ConstantTable();
  return *table;
}
}  // namespace

Ref ImmortalizeConstant(Ref constant) noexcept {
  Object* op = constant.get();
  if (IsImmortal(op)) return constant;  // small ints
  std::uint64_t key;
  bool is_int = op->type == &g_int_type;
  if (is_int) {
    key = static_cast<std::uint64_t>(static_cast<IntObject*>(op)->value);
  } else {
    std::memcpy(&key, &static_cast<FloatObject*>(op)->value, sizeof(key));
  }
  ConstantTable& table = Constants();
  std::lock_guard lock(table.mu);
  auto& map = is_int ? table.ints : table.floats;
  if (auto it = map.find(key); it != map.end()) return Ref::Steal(it->second);  // immortal: no count
  Immortalize(op);
  if (!IsImmortal(op)) return constant;  // the mechanism is off (or not brc): an owned constant
  map.emplace(key, constant.release());
  return Ref::Steal(op);
}

void CollectDeferredObjects() noexcept { CollectDeferred(); }

// ---- code objects ----

Ref NewCode(std::shared_ptr<const bc::CodeUnit> unit) {
  // The compiler borrows loads of locals (CPython 3.14); without that mechanism, every load takes
  // a reference, as 3.13's LOAD_FAST.
  if (!BorrowedLoads()) unit = bc::WithStrongLoads(*unit);
  auto* code = NewObject<CodeObject>(&g_code_type);
  Ref owner = Ref::Steal(code);
  const bc::CodeUnit& u = *unit;
  code->instrs = u.code.data();
  code->ninstrs = static_cast<std::uint32_t>(u.code.size());
  code->argcount = u.argcount;
  code->nlocals = static_cast<std::uint32_t>(u.varnames.size());
  code->stacksize = u.stacksize;
  code->kind = u.kind;
  code->name = InternStr(u.name).release();
  code->qualname = InternStr(u.qualname.empty() ? u.name : u.qualname).release();
  code->filename = InternStr(u.filename).release();
  code->names.reserve(u.names.size());
  for (const std::string& n : u.names) code->names.push_back(InternStr(n).release());
  code->varnames.reserve(u.varnames.size());
  for (const std::string& n : u.varnames) code->varnames.push_back(InternStr(n).release());
  code->consts.reserve(u.consts.size());
  for (const bc::Constant& c : u.consts) {
    Ref value;
    switch (c.kind) {
      case bc::Constant::Kind::kNone: value = None(); break;
      case bc::Constant::Kind::kTrue: value = Bool(true); break;
      case bc::Constant::Kind::kFalse: value = Bool(false); break;
      case bc::Constant::Kind::kInt: value = ImmortalizeConstant(Int(c.int_value)); break;
      case bc::Constant::Kind::kFloat: value = ImmortalizeConstant(Float(c.float_value)); break;
      case bc::Constant::Kind::kStr: value = InternStr(c.str_value); break;
      case bc::Constant::Kind::kCode: value = NewCode(c.code); break;
    }
    code->consts.push_back(value.release());
  }
  code->unit = std::move(unit);
  DeferRefcount(code);
  return owner;
}

// ---- functions ----

Ref NewFunction(CodeObject* code, Object* globals, Object* defaults, bool nested) {
  auto* fn = NewObject<PyFunctionObject>(&g_pyfunction_type);
  Incref(code);
  fn->code = code;
  Incref(globals);
  fn->globals = globals;
  if (defaults != nullptr) Incref(defaults);
  fn->defaults = defaults;
  if (!nested) DeferRefcount(fn);
  return Ref::Steal(fn);
}

}  // namespace interp
FTB_NAMESPACE_END
