// LOAD_FAST_BORROW (frontend/borrow.h): which loads of a local the front end makes borrowed, from
// source and from hand-made code for the cases the subset's syntax cannot produce.
#include <gtest/gtest.h>

#include <string>

#include "frontend/borrow.h"
#include "frontend_test_util.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

using testing::Find;
using testing::Listing;

std::string BorrowListing(std::string_view src, std::string_view qualname) {
  const auto module = CompileModule(src, "t.py");
  const CodeUnit* f = Find(*module, qualname);
  if (!f) return "no code unit " + std::string(qualname);
  return Listing(*f, /*show_borrows=*/true);
}

// A function's code made by hand: locals a (0) and b (1), one constant None.
CodeUnit HandMade(std::initializer_list<Instr> code) {
  CodeUnit u;
  u.kind = CodeUnit::Kind::kFunction;
  u.name = u.qualname = "h";
  u.argcount = 2;
  u.varnames = {"a", "b"};
  u.consts = {Constant{}};
  u.code = code;
  u.locations.resize(u.code.size());
  return u;
}
Instr I(Opcode op, std::uint32_t arg = 0) { return Instr::Make(op, arg); }

TEST(FrontendBorrow, OperandsConsumedInTheirBlockAreBorrowed) {
  EXPECT_EQ(BorrowListing("def f(a, b):\n    return a + b\n", "f"),
            "LOAD_FAST_BORROW a\nLOAD_FAST_BORROW b\nBINARY_OP +\nRETURN_VALUE\n");
  // Arguments of a call, the receiver of a method call, a subscript store's operands.
  EXPECT_EQ(BorrowListing("def f(a, b):\n    a.m(b)\n    b[0] = a\n", "f"),
            "LOAD_FAST_BORROW a\nLOAD_METHOD m\nLOAD_FAST_BORROW b\nCALL 1\nPOP_TOP\n"
            "LOAD_FAST_BORROW a\nLOAD_FAST_BORROW b\nLOAD_CONST 0\nSTORE_SUBSCR\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, AValueStoredIntoALocalIsAStrongLoad) {
  EXPECT_EQ(BorrowListing("def f(a):\n    b = a\n    return b\n", "f"),
            "LOAD_FAST a\nSTORE_FAST b\nLOAD_FAST_BORROW b\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, AValueLeftOnTheStackAcrossAJumpIsAStrongLoad) {
  // `a` waits under the conditional expression's jumps; the branches' loads end their blocks.
  EXPECT_EQ(BorrowListing("def f(a, b, c):\n    return g(a, b if c else a)\n", "f"),
            "LOAD_GLOBAL g\nPUSH_NULL\nLOAD_FAST a\nLOAD_FAST_BORROW c\nPOP_JUMP_IF_FALSE 7\n"
            "LOAD_FAST b\nJUMP_FORWARD 8\nLOAD_FAST a\nCALL 2\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, AValueOnTheStackWhenItsLocalIsOverwrittenIsAStrongLoad) {
  // a, b = b, a with SWAP (CPython's form): a's value is still on the stack when a is stored.
  CodeUnit u = HandMade({I(Opcode::LOAD_FAST, 1), I(Opcode::LOAD_FAST, 0), I(Opcode::SWAP, 2),
                         I(Opcode::STORE_FAST, 0), I(Opcode::STORE_FAST, 1), I(Opcode::LOAD_CONST, 0),
                         I(Opcode::RETURN_VALUE)});
  BorrowFastLoads(u);
  EXPECT_EQ(Listing(u, true), "LOAD_FAST b\nLOAD_FAST a\nSWAP 2\nSTORE_FAST a\nSTORE_FAST b\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, LoadMethodKeepsItsReceiverOnTheStack) {
  // a.m(<store to a>): the receiver LOAD_METHOD pushes back is a's value, alive across the store.
  CodeUnit u = HandMade({I(Opcode::LOAD_FAST, 0), I(Opcode::LOAD_METHOD, 0), I(Opcode::LOAD_CONST, 0),
                         I(Opcode::STORE_FAST, 0), I(Opcode::CALL, 0), I(Opcode::RETURN_VALUE)});
  u.names = {"m"};
  BorrowFastLoads(u);
  EXPECT_EQ(Listing(u, true).substr(0, 10), "LOAD_FAST ");
  // Without the store, the same receiver is borrowed.
  CodeUnit v = HandMade({I(Opcode::LOAD_FAST, 0), I(Opcode::LOAD_METHOD, 0), I(Opcode::CALL, 0), I(Opcode::RETURN_VALUE)});
  v.names = {"m"};
  BorrowFastLoads(v);
  EXPECT_EQ(Listing(v, true), "LOAD_FAST_BORROW a\nLOAD_METHOD m\nCALL 0\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, AnExceptionRangeBoundaryEndsTheBlock) {
  // a's value is loaded before the range [1, 3) begins and consumed inside it: it would reach the
  // handler's stack, so it stays strong; b, loaded and consumed inside, is borrowed.
  CodeUnit u = HandMade({I(Opcode::LOAD_FAST, 0), I(Opcode::LOAD_FAST, 1), I(Opcode::BINARY_OP, 0),
                         I(Opcode::RETURN_VALUE), I(Opcode::RERAISE)});
  u.exception_table = {ExceptionEntry{1, 3, 4, 1}};
  BorrowFastLoads(u);
  EXPECT_EQ(Listing(u, true), "LOAD_FAST a\nLOAD_FAST_BORROW b\nBINARY_OP +\nRETURN_VALUE\nRERAISE\n");
}

TEST(FrontendBorrow, UnreachableCodeIsLeftAsItIs) {
  CodeUnit u = HandMade({I(Opcode::LOAD_CONST, 0), I(Opcode::RETURN_VALUE), I(Opcode::LOAD_FAST, 0), I(Opcode::RETURN_VALUE)});
  BorrowFastLoads(u);
  EXPECT_EQ(Listing(u, true), "LOAD_CONST None\nRETURN_VALUE\nLOAD_FAST a\nRETURN_VALUE\n");
}

TEST(FrontendBorrow, LoopsAndComprehensionsBorrowInsideTheirBlocks) {
  EXPECT_EQ(BorrowListing("def f(xs, k):\n    return [x * k for x in xs]\n", "f"),
            "BUILD_LIST 0\nLOAD_FAST_BORROW xs\nGET_ITER\nFOR_ITER 10\nSTORE_FAST x.1\n"
            "LOAD_FAST_BORROW x.1\nLOAD_FAST_BORROW k\nBINARY_OP *\nLIST_APPEND 2\nJUMP_BACKWARD 3\nRETURN_VALUE\n");
}

}  // namespace
}  // namespace ftb::bc
