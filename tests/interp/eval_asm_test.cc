// The eval loop on code units written by hand (independent of the front end): fast locals,
// constants, globals, arithmetic, loops, calls, the exception table and tracebacks.
#include "eval_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using bc::CodeUnit;
using bc::Opcode;

std::shared_ptr<const CodeUnit> AddFunction() {
  // def add(a, b): c = a + b; return c
  Asm f(CodeUnit::Kind::kFunction, "add", {"a", "b", "c"}, 2);
  f.Line(2).Op(Opcode::LOAD_FAST, 0).Op(Opcode::LOAD_FAST, 1).Op(Opcode::BINARY_OP, static_cast<int>(bc::BinaryOp::kAdd));
  f.Op(Opcode::STORE_FAST, 2).Line(3).Op(Opcode::LOAD_FAST, 2).Op(Opcode::RETURN_VALUE);
  return f.Done();
}

TEST_F(EvalTest, AsmFastLocalsAndBinaryOp) {
  auto m = Module::Load(ModuleDefining({AddFunction()}));
  EXPECT_TRUE(m->Has("add"));
  EXPECT_FALSE(m->Has("sub"));
  EXPECT_EQ(CallInt(*m, "add", {2, 40}), 42);
  EXPECT_EQ(CallInt(*m, "add", {-1000000, 1}), -999999);
  Ref a = Float(1.5), b = Float(2.25);
  Ref r = m->Call("add", {a.get(), b.get()});
  EXPECT_EQ(AsFloat(r.get()), 3.75);
}

TEST_F(EvalTest, AsmIntOverflowRaisesOverflowError) {
  auto m = Module::Load(ModuleDefining({AddFunction()}));
  try {
    CallInt(*m, "add", {INT64_MAX, 1});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "OverflowError");
    EXPECT_NE(e.traceback().find("File \"asm.py\", line 2, in add"), std::string::npos) << e.traceback();
  }
}

TEST_F(EvalTest, AsmForRangeLoop) {
  // def total(n):
  //   s = 0
  //   for i in range(n): s += i
  //   return s
  Asm f(CodeUnit::Kind::kFunction, "total", {"n", "s", "i"}, 1);
  f.Op(Opcode::LOAD_CONST, f.Int(0)).Op(Opcode::STORE_FAST, 1);
  f.Op(Opcode::LOAD_GLOBAL, f.Name("range")).Op(Opcode::PUSH_NULL).Op(Opcode::LOAD_FAST, 0).Op(Opcode::CALL, 1);
  f.Op(Opcode::GET_ITER);
  std::uint32_t loop = f.Here();
  f.Jump(Opcode::FOR_ITER, "end").Op(Opcode::STORE_FAST, 2);
  f.Op(Opcode::LOAD_FAST, 1).Op(Opcode::LOAD_FAST, 2).Op(Opcode::BINARY_OP, static_cast<int>(bc::BinaryOp::kInplaceAdd));
  f.Op(Opcode::STORE_FAST, 1).Op(Opcode::JUMP_BACKWARD, loop);
  f.Bind("end").Op(Opcode::LOAD_FAST, 1).Op(Opcode::RETURN_VALUE);
  auto m = Module::Load(ModuleDefining({f.Done()}));
  EXPECT_EQ(CallInt(*m, "total", {0}), 0);
  EXPECT_EQ(CallInt(*m, "total", {10}), 45);
  EXPECT_EQ(CallInt(*m, "total", {100000}), 4999950000);
}

TEST_F(EvalTest, AsmTryExceptTable) {
  // def safe(a, b):
  //   try:
  //     return a // b
  //   except ZeroDivisionError:
  //     return -1
  Asm f(CodeUnit::Kind::kFunction, "safe", {"a", "b"}, 2);
  std::uint32_t body = f.Here();
  f.Line(3).Op(Opcode::LOAD_FAST, 0).Op(Opcode::LOAD_FAST, 1).Op(Opcode::BINARY_OP, static_cast<int>(bc::BinaryOp::kFloorDivide));
  f.Op(Opcode::RETURN_VALUE);
  std::uint32_t body_end = f.Here();
  f.Bind("H").Line(4).Op(Opcode::PUSH_EXC_INFO);
  std::uint32_t handler_start = f.Here();
  f.Op(Opcode::LOAD_GLOBAL, f.Name("ZeroDivisionError")).Op(Opcode::CHECK_EXC_MATCH).Jump(Opcode::POP_JUMP_IF_FALSE, "next");
  f.Op(Opcode::POP_TOP).Line(5).Op(Opcode::POP_EXCEPT).Op(Opcode::LOAD_CONST, f.Int(-1)).Op(Opcode::RETURN_VALUE);
  f.Bind("next").Op(Opcode::RERAISE);
  std::uint32_t handler_end = f.Here();
  f.Bind("C").Op(Opcode::SWAP, 2).Op(Opcode::POP_EXCEPT).Op(Opcode::RERAISE);
  f.Handler(body, body_end, "H", 0);
  f.Handler(handler_start, handler_end, "C", 1);
  auto m = Module::Load(ModuleDefining({f.Done()}));
  EXPECT_EQ(CallInt(*m, "safe", {7, 2}), 3);
  EXPECT_EQ(CallInt(*m, "safe", {-7, 2}), -4);
  EXPECT_EQ(CallInt(*m, "safe", {7, 0}), -1);
  EXPECT_FALSE(CurrentInterpThread().handled) << "the handled exception was not restored";
  // Not matched: TypeError goes through RERAISE and the cleanup to the caller.
  Ref a = Str("x"), b = Int(1);
  try {
    m->Call("safe", {a.get(), b.get()});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "TypeError");
    EXPECT_NE(e.traceback().find("line 3, in safe"), std::string::npos) << e.traceback();
  }
  EXPECT_FALSE(CurrentInterpThread().handled);
}

TEST_F(EvalTest, AsmTracebackThroughTwoFrames) {
  // line 1: def inner(): return missing_name
  // line 5: def outer(): x = 1; return inner()
  Asm inner(CodeUnit::Kind::kFunction, "inner");
  inner.Line(2).Op(Opcode::LOAD_GLOBAL, inner.Name("missing_name")).Op(Opcode::RETURN_VALUE);
  Asm outer(CodeUnit::Kind::kFunction, "outer", {"x"});
  outer.Line(6).Op(Opcode::LOAD_CONST, outer.Int(1)).Op(Opcode::STORE_FAST, 0);
  outer.Line(7).Op(Opcode::LOAD_GLOBAL, outer.Name("inner")).Op(Opcode::PUSH_NULL).Op(Opcode::CALL, 0).Op(Opcode::RETURN_VALUE);
  auto m = Module::Load(ModuleDefining({inner.Done(), outer.Done()}));
  try {
    m->Call("outer", {});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "NameError");
    EXPECT_EQ(e.message(), "name 'missing_name' is not defined");
    EXPECT_EQ(e.traceback(),
              "Traceback (most recent call last):\n"
              "  File \"asm.py\", line 7, in outer\n"
              "  File \"asm.py\", line 2, in inner\n"
              "NameError: name 'missing_name' is not defined");
  }
}

TEST_F(EvalTest, AsmModuleLevelErrorFailsLoad) {
  Asm m(CodeUnit::Kind::kModule, "<module>");
  m.Line(4).Op(Opcode::LOAD_GLOBAL, m.Name("nope")).Op(Opcode::RETURN_VALUE);
  try {
    Module::Load(m.Done());
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "NameError");
    EXPECT_NE(e.traceback().find("line 4, in <module>"), std::string::npos) << e.traceback();
  }
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
