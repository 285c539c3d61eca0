// Shared by the eval loop's tests: a fixture that runs attached and checks that every test leaves
// the live objects where it found them (the module destroyed, queued objects merged), helpers to
// load Python source, and a tiny assembler for code units written by hand.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "frame.h"
#include "ftb/interp/frontend.h"
#include "ftb/interp/interp.h"
#include "ftb/mechanisms.h"
#include "ftb/runtime.h"
#include "objects.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    attach_ = std::make_unique<ThreadAttach>();
    InitInterpreter();
    EvalBreakerCheck();
    CollectDeferred();
    live_before_ = LiveObjectsTotal();
  }
  void TearDown() override {
    EvalBreakerCheck();  // merge anything queued to this thread (brc)
    CollectDeferred();   // what only the deferred collector frees (brc)
    EXPECT_EQ(LiveObjectsTotal(), live_before_) << "objects leaked (or were freed twice) by this test";
    EXPECT_FALSE(ErrorPending()) << "an exception was left pending";
    attach_.reset();
  }

  static std::unique_ptr<Module> LoadSource(const std::string& source, std::string filename = "test.py") {
    return Module::Load(bc::CompileModule(source, std::move(filename)));
  }

  // Calls `name` with ints and returns an int result (the module's function must return one).
  static std::int64_t CallInt(Module& m, const char* name, std::vector<std::int64_t> values = {}) {
    std::vector<Ref> refs;
    std::vector<Object*> args;
    for (std::int64_t v : values) {
      refs.push_back(Int(v));
      args.push_back(refs.back().get());
    }
    Ref r = m.Call(name, args);
    EXPECT_EQ(r->type, &g_int_type) << name << " returned a " << TypeName(r.get());
    return r->type == &g_int_type ? AsInt(r.get()) : -1;
  }
  static std::string CallStr(Module& m, const char* name) {
    Ref r = m.Call(name, {});
    Ref s = StrOf(r.get());
    return std::string(AsStr(s.get()));
  }

 private:
  std::unique_ptr<ThreadAttach> attach_;
  std::int64_t live_before_ = 0;
};

// A code unit written instruction by instruction. Labels are instruction indexes, patched when
// bound.
class Asm {
 public:
  Asm(bc::CodeUnit::Kind kind, std::string name, std::vector<std::string> varnames = {}, std::uint32_t argcount = 0)
      : unit_(std::make_shared<bc::CodeUnit>()) {
    unit_->kind = kind;
    unit_->name = name;
    unit_->qualname = name;
    unit_->filename = "asm.py";
    unit_->varnames = std::move(varnames);
    unit_->argcount = argcount;
    unit_->stacksize = 16;
  }
  Asm& Line(int line) {
    line_ = line;
    return *this;
  }
  Asm& Op(bc::Opcode op, std::uint32_t arg = 0) {
    unit_->code.push_back(bc::Instr::Make(op, arg));
    unit_->locations.push_back(bc::Location{line_, 0});
    return *this;
  }
  // An instruction whose argument is a label bound later.
  Asm& Jump(bc::Opcode op, const std::string& label) {
    fixups_.emplace_back(unit_->code.size(), label);
    return Op(op, 0);
  }
  Asm& Bind(const std::string& label) {
    labels_[label] = static_cast<std::uint32_t>(unit_->code.size());
    return *this;
  }
  std::uint32_t Here() const { return static_cast<std::uint32_t>(unit_->code.size()); }
  std::uint32_t Name(const std::string& name) {
    for (std::size_t i = 0; i < unit_->names.size(); ++i)
      if (unit_->names[i] == name) return static_cast<std::uint32_t>(i);
    unit_->names.push_back(name);
    return static_cast<std::uint32_t>(unit_->names.size() - 1);
  }
  std::uint32_t Int(std::int64_t v) {
    bc::Constant c;
    c.kind = bc::Constant::Kind::kInt;
    c.int_value = v;
    return AddConst(std::move(c));
  }
  std::uint32_t Float(double v) {
    bc::Constant c;
    c.kind = bc::Constant::Kind::kFloat;
    c.float_value = v;
    return AddConst(std::move(c));
  }
  std::uint32_t Str(std::string v) {
    bc::Constant c;
    c.kind = bc::Constant::Kind::kStr;
    c.str_value = std::move(v);
    return AddConst(std::move(c));
  }
  std::uint32_t None() { return AddConst(bc::Constant{}); }
  std::uint32_t Code(std::shared_ptr<const bc::CodeUnit> code) {
    bc::Constant c;
    c.kind = bc::Constant::Kind::kCode;
    c.code = std::move(code);
    return AddConst(std::move(c));
  }
  void Handler(std::uint32_t start, std::uint32_t end, const std::string& handler, std::uint32_t depth) {
    handler_fixups_.emplace_back(unit_->exception_table.size(), handler);
    unit_->exception_table.push_back(bc::ExceptionEntry{start, end, 0, depth});
  }
  std::shared_ptr<const bc::CodeUnit> Done() {
    for (auto& [index, label] : fixups_)
      unit_->code[index] = bc::Instr::Make(unit_->code[index].op(), labels_.at(label));
    for (auto& [index, label] : handler_fixups_) unit_->exception_table[index].handler = labels_.at(label);
    return unit_;
  }

 private:
  std::uint32_t AddConst(bc::Constant c) {
    unit_->consts.push_back(std::move(c));
    return static_cast<std::uint32_t>(unit_->consts.size() - 1);
  }
  std::shared_ptr<bc::CodeUnit> unit_;
  int line_ = 1;
  std::vector<std::pair<std::size_t, std::string>> fixups_;
  std::vector<std::pair<std::size_t, std::string>> handler_fixups_;
  std::map<std::string, std::uint32_t> labels_;
};

// A module that defines the given functions (by their names) and returns None.
inline std::shared_ptr<const bc::CodeUnit> ModuleDefining(std::vector<std::shared_ptr<const bc::CodeUnit>> functions) {
  Asm m(bc::CodeUnit::Kind::kModule, "<module>");
  for (auto& fn : functions) {
    std::string name = fn->name;
    m.Op(bc::Opcode::LOAD_CONST, m.Code(fn)).Op(bc::Opcode::MAKE_FUNCTION, 0).Op(bc::Opcode::STORE_GLOBAL, m.Name(name));
  }
  m.Op(bc::Opcode::LOAD_CONST, m.None()).Op(bc::Opcode::RETURN_VALUE);
  return m.Done();
}

}  // namespace interp::testing
FTB_NAMESPACE_END
