// The front end's parser and compiler, construct by construct: the instructions each compiles
// to (code_unit.h's scheme), the scopes, the exception table, the stack depth and the line table.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "frontend/stack_depth.h"
#include "frontend_test_util.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

using testing::Find;
using testing::Listing;

std::shared_ptr<const CodeUnit> Compile(std::string_view src) { return CompileModule(src, "t.py"); }

// The listing of the function `qualname` defined in `src`.
std::string FunctionListing(std::string_view src, std::string_view qualname) {
  const auto module = Compile(src);
  const CodeUnit* f = Find(*module, qualname);
  if (!f) return "no code unit " + std::string(qualname);
  return Listing(*f);
}

TEST(FrontendCompiler, ModuleNamesAreGlobals) {
  EXPECT_EQ(Listing(*Compile("x = 1\ny = x + 2.5\n")),
            "LOAD_CONST 1\nSTORE_GLOBAL x\n"
            "LOAD_GLOBAL x\nLOAD_CONST 2.500000\nBINARY_OP +\nSTORE_GLOBAL y\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, FunctionLocalsAreFastAndOthersGlobal) {
  const auto m = Compile("def f(a, b):\n    c = a + b\n    return g(c)\n");
  const CodeUnit* f = Find(*m, "f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, CodeUnit::Kind::kFunction);
  EXPECT_EQ(f->argcount, 2u);
  EXPECT_EQ(f->varnames, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(f->first_line, 1);
  EXPECT_EQ(Listing(*f),
            "LOAD_FAST a\nLOAD_FAST b\nBINARY_OP +\nSTORE_FAST c\n"
            "LOAD_GLOBAL g\nPUSH_NULL\nLOAD_FAST c\nCALL 1\nRETURN_VALUE\n");
  EXPECT_EQ(Listing(*m), "LOAD_CONST <code f>\nMAKE_FUNCTION 0\nSTORE_GLOBAL f\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, GlobalDeclarationMakesStoresGlobal) {
  EXPECT_EQ(FunctionListing("def f():\n    global n\n    n = n + 1\n", "f"),
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP +\nSTORE_GLOBAL n\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, DefaultsBuildATuple) {
  EXPECT_EQ(Listing(*Compile("def f(a, b=2, c='x'):\n    pass\n")),
            "LOAD_CONST 2\nLOAD_CONST 'x'\nBUILD_TUPLE 2\nLOAD_CONST <code f>\nMAKE_FUNCTION 1\nSTORE_GLOBAL f\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, MethodCallsUseLoadMethod) {
  EXPECT_EQ(FunctionListing("def f(o):\n    return o.m(1, 2)\n", "f"),
            "LOAD_FAST o\nLOAD_METHOD m\nLOAD_CONST 1\nLOAD_CONST 2\nCALL 2\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ClassBodyUsesNamesAndBuildClass) {
  const auto m = Compile(
      "class P(B):\n"
      "    n = 0\n"
      "    def __init__(self, x):\n"
      "        self.x = x\n"
      "    def get(self):\n"
      "        return self.x + n\n");
  EXPECT_EQ(Listing(*m),
            "LOAD_CONST <code P>\nMAKE_FUNCTION 0\nLOAD_CONST 'P'\nLOAD_GLOBAL B\nBUILD_CLASS 1\nSTORE_GLOBAL P\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
  const CodeUnit* body = Find(*m, "P");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->kind, CodeUnit::Kind::kClassBody);
  EXPECT_EQ(Listing(*body),
            "LOAD_CONST 0\nSTORE_NAME n\n"
            "LOAD_CONST <code P.__init__>\nMAKE_FUNCTION 0\nSTORE_NAME __init__\n"
            "LOAD_CONST <code P.get>\nMAKE_FUNCTION 0\nSTORE_NAME get\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
  // A method does not see the class body's names: `n` is a global there, as in Python.
  EXPECT_EQ(Listing(*Find(*m, "P.get")), "LOAD_FAST self\nLOAD_ATTR x\nLOAD_GLOBAL n\nBINARY_OP +\nRETURN_VALUE\n");
  EXPECT_EQ(Listing(*Find(*m, "P.__init__")),
            "LOAD_FAST x\nLOAD_FAST self\nSTORE_ATTR x\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ClassWithoutBase) {
  EXPECT_EQ(Listing(*Compile("class C:\n    pass\n")),
            "LOAD_CONST <code C>\nMAKE_FUNCTION 0\nLOAD_CONST 'C'\nBUILD_CLASS 0\nSTORE_GLOBAL C\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, NestedFunctionQualname) {
  const auto m = Compile("def f():\n    def g():\n        return h\n    return g\n");
  ASSERT_NE(Find(*m, "f.<locals>.g"), nullptr);
  EXPECT_EQ(Listing(*Find(*m, "f")),
            "LOAD_CONST <code f.<locals>.g>\nMAKE_FUNCTION 0\nSTORE_FAST g\nLOAD_FAST g\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ChainedComparison) {
  EXPECT_EQ(FunctionListing("def f(a, b, c):\n    return a < b <= c\n", "f"),
            "LOAD_FAST a\nLOAD_FAST b\nSWAP 2\nCOPY 2\nCOMPARE_OP <\nCOPY 1\nPOP_JUMP_IF_FALSE 11\nPOP_TOP\n"
            "LOAD_FAST c\nCOMPARE_OP <=\nJUMP_FORWARD 13\nSWAP 2\nPOP_TOP\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ComparisonOperatorsInIsNot) {
  EXPECT_EQ(FunctionListing("def f(a, b):\n    return (a in b, a not in b, a is b, a is not b, a != b)\n", "f"),
            "LOAD_FAST a\nLOAD_FAST b\nCONTAINS_OP 0\n"
            "LOAD_FAST a\nLOAD_FAST b\nCONTAINS_OP 1\n"
            "LOAD_FAST a\nLOAD_FAST b\nIS_OP 0\n"
            "LOAD_FAST a\nLOAD_FAST b\nIS_OP 1\n"
            "LOAD_FAST a\nLOAD_FAST b\nCOMPARE_OP !=\n"
            "BUILD_TUPLE 5\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, AndOrAsValues) {
  EXPECT_EQ(FunctionListing("def f(a, b, c):\n    return a and b or c\n", "f"),
            "LOAD_FAST a\nCOPY 1\nPOP_JUMP_IF_FALSE 5\nPOP_TOP\nLOAD_FAST b\n"
            "COPY 1\nPOP_JUMP_IF_TRUE 9\nPOP_TOP\nLOAD_FAST c\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, IfElifElseWithJumpingConditions) {
  EXPECT_EQ(FunctionListing("def f(a, b):\n"
                            "    if a and not b:\n"
                            "        return 1\n"
                            "    elif a or b:\n"
                            "        return 2\n"
                            "    else:\n"
                            "        return 3\n",
                            "f"),
            "LOAD_FAST a\nPOP_JUMP_IF_FALSE 6\nLOAD_FAST b\nPOP_JUMP_IF_TRUE 6\nLOAD_CONST 1\nRETURN_VALUE\n"
            "LOAD_FAST a\nPOP_JUMP_IF_TRUE 10\nLOAD_FAST b\nPOP_JUMP_IF_FALSE 12\nLOAD_CONST 2\nRETURN_VALUE\n"
            "LOAD_CONST 3\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ConditionalExpressionAndUnaryOperators) {
  EXPECT_EQ(FunctionListing("def f(a):\n    return -a if not a else ~a\n", "f"),
            "LOAD_FAST a\nPOP_JUMP_IF_TRUE 5\nLOAD_FAST a\nUNARY_NEGATIVE\nJUMP_FORWARD 7\n"
            "LOAD_FAST a\nUNARY_INVERT\nRETURN_VALUE\n");
  EXPECT_EQ(FunctionListing("def f(a):\n    return not a\n", "f"), "LOAD_FAST a\nUNARY_NOT\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, BinaryOperatorsAndPrecedence) {
  // ** binds tighter than unary minus on its left and is right-associative; & ^ | << >> // % /.
  EXPECT_EQ(FunctionListing("def f(a, b):\n    return -a ** b ** 2 | a & b ^ a << 1 >> b // 3 % 2 / 1\n", "f"),
            "LOAD_FAST a\nLOAD_FAST b\nLOAD_CONST 2\nBINARY_OP **\nBINARY_OP **\nUNARY_NEGATIVE\n"
            "LOAD_FAST a\nLOAD_FAST b\nBINARY_OP &\n"
            "LOAD_FAST a\nLOAD_CONST 1\nBINARY_OP <<\n"
            "LOAD_FAST b\nLOAD_CONST 3\nBINARY_OP //\nLOAD_CONST 2\nBINARY_OP %\nLOAD_CONST 1\nBINARY_OP /\n"
            "BINARY_OP >>\nBINARY_OP ^\nBINARY_OP |\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, NegativeLiteralsAreConstants) {
  EXPECT_EQ(Listing(*Compile("x = -5\ny = -2.5\nz = -(3)\nw = -2 ** 2\n")),
            "LOAD_CONST -5\nSTORE_GLOBAL x\nLOAD_CONST -2.500000\nSTORE_GLOBAL y\nLOAD_CONST -3\nSTORE_GLOBAL z\n"
            "LOAD_CONST 2\nLOAD_CONST 2\nBINARY_OP **\nUNARY_NEGATIVE\nSTORE_GLOBAL w\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ConstantsAreShared) {
  const auto m = Compile("a = 1\nb = 1\nc = 'x'\nd = 'x'\ne = 1.0\nf = None\ng = None\n");
  EXPECT_EQ(m->consts.size(), 4u);  // 1, 'x', 1.0, None
}

TEST(FrontendCompiler, Displays) {
  EXPECT_EQ(Listing(*Compile("x = [1, 2]\ny = (1,)\nz = ()\nd = {'a': 1, 'b': x}\ne = {}\n")),
            "LOAD_CONST 1\nLOAD_CONST 2\nBUILD_LIST 2\nSTORE_GLOBAL x\n"
            "LOAD_CONST 1\nBUILD_TUPLE 1\nSTORE_GLOBAL y\n"
            "BUILD_TUPLE 0\nSTORE_GLOBAL z\n"
            "LOAD_CONST 'a'\nLOAD_CONST 1\nLOAD_CONST 'b'\nLOAD_GLOBAL x\nBUILD_MAP 2\nSTORE_GLOBAL d\n"
            "BUILD_MAP 0\nSTORE_GLOBAL e\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, TupleUnpackingAndChainedAssignment) {
  EXPECT_EQ(Listing(*Compile("a, (b, c) = x\nd = e = 0\n")),
            "LOAD_GLOBAL x\nUNPACK_SEQUENCE 2\nSTORE_GLOBAL a\nUNPACK_SEQUENCE 2\nSTORE_GLOBAL b\nSTORE_GLOBAL c\n"
            "LOAD_CONST 0\nCOPY 1\nSTORE_GLOBAL d\nSTORE_GLOBAL e\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, StoresToAttributesAndSubscripts) {
  EXPECT_EQ(FunctionListing("def f(o, d, k):\n    o.a = 1\n    d[k] = 2\n", "f"),
            "LOAD_CONST 1\nLOAD_FAST o\nSTORE_ATTR a\nLOAD_CONST 2\nLOAD_FAST d\nLOAD_FAST k\nSTORE_SUBSCR\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, AugmentedAssignment) {
  EXPECT_EQ(FunctionListing("def f(o, d, k, n):\n    n += 1\n    o.a -= 2\n    d[k] *= 3\n", "f"),
            "LOAD_FAST n\nLOAD_CONST 1\nBINARY_OP +=\nSTORE_FAST n\n"
            "LOAD_FAST o\nCOPY 1\nLOAD_ATTR a\nLOAD_CONST 2\nBINARY_OP -=\nSWAP 2\nSTORE_ATTR a\n"
            "LOAD_FAST d\nLOAD_FAST k\nCOPY 2\nCOPY 2\nBINARY_SUBSCR\nLOAD_CONST 3\nBINARY_OP *=\nSWAP 3\nSWAP 2\n"
            "STORE_SUBSCR\nLOAD_CONST None\nRETURN_VALUE\n");
  EXPECT_EQ(Listing(*Compile("n //= 2\nn **= 2\nn %= 2\nn /= 2\nn &= 1\nn |= 1\nn ^= 1\nn <<= 1\nn >>= 1\n")),
            "LOAD_GLOBAL n\nLOAD_CONST 2\nBINARY_OP //=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 2\nBINARY_OP **=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 2\nBINARY_OP %=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 2\nBINARY_OP /=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP &=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP |=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP ^=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP <<=\nSTORE_GLOBAL n\n"
            "LOAD_GLOBAL n\nLOAD_CONST 1\nBINARY_OP >>=\nSTORE_GLOBAL n\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, SubscriptsSlicesAndDel) {
  EXPECT_EQ(FunctionListing("def f(s, i):\n    del s[i]\n    return s[i], s[1:], s[:i], s[:], s[i, 2]\n", "f"),
            "LOAD_FAST s\nLOAD_FAST i\nDELETE_SUBSCR\n"
            "LOAD_FAST s\nLOAD_FAST i\nBINARY_SUBSCR\n"
            "LOAD_FAST s\nLOAD_CONST 1\nLOAD_CONST None\nBINARY_SLICE\n"
            "LOAD_FAST s\nLOAD_CONST None\nLOAD_FAST i\nBINARY_SLICE\n"
            "LOAD_FAST s\nLOAD_CONST None\nLOAD_CONST None\nBINARY_SLICE\n"
            "LOAD_FAST s\nLOAD_FAST i\nLOAD_CONST 2\nBUILD_TUPLE 2\nBINARY_SUBSCR\n"
            "BUILD_TUPLE 5\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, WhileWithBreakContinueAndElse) {
  EXPECT_EQ(FunctionListing("def f(n):\n"
                            "    while n > 0:\n"
                            "        n -= 1\n"
                            "        if n == 5:\n"
                            "            continue\n"
                            "        if n == 3:\n"
                            "            break\n"
                            "    else:\n"
                            "        n = 9\n"
                            "    return n\n",
                            "f"),
            "LOAD_FAST n\nLOAD_CONST 0\nCOMPARE_OP >\nPOP_JUMP_IF_FALSE 19\n"            // 0-3
            "LOAD_FAST n\nLOAD_CONST 1\nBINARY_OP -=\nSTORE_FAST n\n"                   // 4-7
            "LOAD_FAST n\nLOAD_CONST 5\nCOMPARE_OP ==\nPOP_JUMP_IF_FALSE 13\nJUMP_BACKWARD 0\n"  // 8-12
            "LOAD_FAST n\nLOAD_CONST 3\nCOMPARE_OP ==\nPOP_JUMP_IF_FALSE 18\nJUMP_FORWARD 21\n"  // 13-17
            "JUMP_BACKWARD 0\n"                                                         // 18
            "LOAD_CONST 9\nSTORE_FAST n\n"                                              // 19-20
            "LOAD_FAST n\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, WhileTrueHasNoTest) {
  EXPECT_EQ(FunctionListing("def f():\n    while True:\n        g()\n", "f"),
            "LOAD_GLOBAL g\nPUSH_NULL\nCALL 0\nPOP_TOP\nJUMP_BACKWARD 0\n");  // no way out: no return
  EXPECT_EQ(FunctionListing("def f():\n    while True:\n        break\n", "f"),
            "JUMP_FORWARD 1\nLOAD_CONST None\nRETURN_VALUE\n");  // break: no jump back after it
}

TEST(FrontendCompiler, ForLoopBreakPopsTheIterator) {
  EXPECT_EQ(FunctionListing("def f(xs):\n"
                            "    for x in xs:\n"
                            "        if x:\n"
                            "            break\n"
                            "        continue\n"
                            "    else:\n"
                            "        return 1\n"
                            "    return 2\n",
                            "f"),
            "LOAD_FAST xs\nGET_ITER\nFOR_ITER 9\nSTORE_FAST x\n"            // 0-3
            "LOAD_FAST x\nPOP_JUMP_IF_FALSE 8\nPOP_TOP\nJUMP_FORWARD 11\n"  // 4-7: break
            "JUMP_BACKWARD 2\n"                                       // 8: continue (no second jump after it)
            "LOAD_CONST 1\nRETURN_VALUE\n"                            // 9-10: else
            "LOAD_CONST 2\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ForWithEnumerateUnpacks) {
  EXPECT_EQ(FunctionListing("def f(xs):\n    t = 0\n    for i, x in enumerate(xs):\n        t += i * x\n    return t\n",
                            "f"),
            "LOAD_CONST 0\nSTORE_FAST t\n"
            "LOAD_GLOBAL enumerate\nPUSH_NULL\nLOAD_FAST xs\nCALL 1\nGET_ITER\n"
            "FOR_ITER 18\nUNPACK_SEQUENCE 2\nSTORE_FAST i\nSTORE_FAST x\n"
            "LOAD_FAST t\nLOAD_FAST i\nLOAD_FAST x\nBINARY_OP *\nBINARY_OP +=\nSTORE_FAST t\nJUMP_BACKWARD 7\n"
            "LOAD_FAST t\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ReturnInsideLoopsPopsIterators) {
  EXPECT_EQ(FunctionListing("def f(a):\n    for x in a:\n        for y in x:\n            return y\n", "f"),
            "LOAD_FAST a\nGET_ITER\nFOR_ITER 15\nSTORE_FAST x\nLOAD_FAST x\nGET_ITER\nFOR_ITER 14\nSTORE_FAST y\n"
            "LOAD_FAST y\nSWAP 2\nPOP_TOP\nSWAP 2\nPOP_TOP\nRETURN_VALUE\n"  // the inner loop never jumps back
            "JUMP_BACKWARD 2\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ListComprehensionIsInlinedWithHiddenLocals) {
  const auto m = Compile("x = 5\nys = [x * 2 for x in range(3) if x]\n");
  EXPECT_EQ(Listing(*m),
            "LOAD_CONST 5\nSTORE_GLOBAL x\n"
            "BUILD_LIST 0\nLOAD_GLOBAL range\nPUSH_NULL\nLOAD_CONST 3\nCALL 1\nGET_ITER\n"
            "FOR_ITER 17\nSTORE_FAST x.1\nLOAD_FAST x.1\nPOP_JUMP_IF_FALSE 16\n"
            "LOAD_FAST x.1\nLOAD_CONST 2\nBINARY_OP *\nLIST_APPEND 2\n"
            "JUMP_BACKWARD 8\nSTORE_GLOBAL ys\nLOAD_CONST None\nRETURN_VALUE\n");
  // FOR_ITER (8) leaves to STORE_GLOBAL ys (17); a false condition skips to the JUMP_BACKWARD (16).
  EXPECT_EQ(m->varnames, (std::vector<std::string>{"x.1"}));
}

TEST(FrontendCompiler, NestedComprehensionClauses) {
  EXPECT_EQ(FunctionListing("def f(a):\n    return [x + y for x in a for y in x]\n", "f"),
            "BUILD_LIST 0\nLOAD_FAST a\nGET_ITER\nFOR_ITER 15\nSTORE_FAST x.1\n"
            "LOAD_FAST x.1\nGET_ITER\nFOR_ITER 14\nSTORE_FAST y.1\n"
            "LOAD_FAST x.1\nLOAD_FAST y.1\nBINARY_OP +\nLIST_APPEND 3\nJUMP_BACKWARD 7\n"
            "JUMP_BACKWARD 3\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, ComprehensionInClassBodySeesGlobalsNotClassNames) {
  const auto m = Compile("class C:\n    k = 2\n    v = [k * i for i in k]\n");
  EXPECT_EQ(Listing(*Find(*m, "C")),
            "LOAD_CONST 2\nSTORE_NAME k\n"
            "BUILD_LIST 0\nLOAD_NAME k\nGET_ITER\nFOR_ITER 12\nSTORE_FAST i.1\n"
            "LOAD_GLOBAL k\nLOAD_FAST i.1\nBINARY_OP *\nLIST_APPEND 2\nJUMP_BACKWARD 5\n"
            "STORE_NAME v\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, TryExceptElse) {
  const auto m = Compile(
      "def f(d):\n"
      "    try:\n"
      "        v = d[0]\n"
      "    except (KeyError, IndexError) as e:\n"
      "        v = e\n"
      "    except ValueError:\n"
      "        raise\n"
      "    else:\n"
      "        v = 1\n"
      "    return v\n");
  const CodeUnit* f = Find(*m, "f");
  EXPECT_EQ(Listing(*f),
            "LOAD_FAST d\nLOAD_CONST 0\nBINARY_SUBSCR\nSTORE_FAST v\n"                 // 0-3 try body
            "LOAD_CONST 1\nSTORE_FAST v\nJUMP_FORWARD 27\n"                           // 4-6 else
            "PUSH_EXC_INFO\nLOAD_GLOBAL KeyError\nLOAD_GLOBAL IndexError\nBUILD_TUPLE 2\n"  // 7-10
            "CHECK_EXC_MATCH\nPOP_JUMP_IF_FALSE 18\nSTORE_FAST e\n"                   // 11-13
            "LOAD_FAST e\nSTORE_FAST v\nPOP_EXCEPT\nJUMP_FORWARD 27\n"                // 14-17
            "LOAD_GLOBAL ValueError\nCHECK_EXC_MATCH\nPOP_JUMP_IF_FALSE 23\nPOP_TOP\nRAISE_VARARGS 0\n"
            "RERAISE\nSWAP 2\nPOP_EXCEPT\nRERAISE\n"
            "LOAD_FAST v\nRETURN_VALUE\n");
  ASSERT_EQ(f->exception_table.size(), 3u);
  const ExceptionEntry& body = f->exception_table[0];
  EXPECT_EQ(body.start, 0u);
  EXPECT_EQ(body.end, 4u);
  EXPECT_EQ(body.handler, 7u);
  EXPECT_EQ(body.depth, 0u);
  for (int k = 1; k < 3; ++k) {
    EXPECT_EQ(f->exception_table[k].handler, 24u);
    EXPECT_EQ(f->exception_table[k].depth, 1u);
  }
}

TEST(FrontendCompiler, BareExceptCatchesAllWithoutReraise) {
  const auto m = Compile("try:\n    f()\nexcept:\n    pass\n");
  EXPECT_EQ(Listing(*m),
            "LOAD_GLOBAL f\nPUSH_NULL\nCALL 0\nPOP_TOP\nJUMP_FORWARD 12\n"
            "PUSH_EXC_INFO\nPOP_TOP\nPOP_EXCEPT\nJUMP_FORWARD 12\n"
            "SWAP 2\nPOP_EXCEPT\nRERAISE\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
  ASSERT_EQ(m->exception_table.size(), 2u);
  EXPECT_EQ(m->exception_table[0].start, 0u);
  EXPECT_EQ(m->exception_table[0].end, 4u);
  EXPECT_EQ(m->exception_table[0].handler, 5u);
  EXPECT_EQ(m->exception_table[1].start, 5u);
  EXPECT_EQ(m->exception_table[1].end, 7u);
  EXPECT_EQ(m->exception_table[1].handler, 9u);
  EXPECT_EQ(m->exception_table[1].depth, 1u);
}

TEST(FrontendCompiler, TryInsideLoopHasTheIteratorBelowIt) {
  const auto m = Compile(
      "def f(xs):\n"
      "    for x in xs:\n"
      "        try:\n"
      "            g(x)\n"
      "        except ValueError:\n"
      "            break\n");
  const CodeUnit* f = Find(*m, "f");
  EXPECT_EQ(Listing(*f),
            "LOAD_FAST xs\nGET_ITER\nFOR_ITER 23\nSTORE_FAST x\n"                            // 0-3
            "LOAD_GLOBAL g\nPUSH_NULL\nLOAD_FAST x\nCALL 1\nPOP_TOP\nJUMP_FORWARD 22\n"     // 4-9
            "PUSH_EXC_INFO\nLOAD_GLOBAL ValueError\nCHECK_EXC_MATCH\nPOP_JUMP_IF_FALSE 18\nPOP_TOP\n"  // 10-14
            "POP_EXCEPT\nPOP_TOP\nJUMP_FORWARD 23\n"                                        // 15-17: break
            "RERAISE\nSWAP 2\nPOP_EXCEPT\nRERAISE\n"                                        // 18-21
            "JUMP_BACKWARD 2\nLOAD_CONST None\nRETURN_VALUE\n");                            // 22-24
  ASSERT_GE(f->exception_table.size(), 2u);
  EXPECT_EQ(f->exception_table[0].start, 4u);
  EXPECT_EQ(f->exception_table[0].handler, 10u);
  EXPECT_EQ(f->exception_table[0].depth, 1u);  // the iterator stays
  EXPECT_EQ(f->exception_table[1].handler, 19u);
  EXPECT_EQ(f->exception_table[1].depth, 2u);
  for (const ExceptionEntry& e : f->exception_table) {
    EXPECT_FALSE(e.start <= 15 && 15 < e.end) << "break's POP_EXCEPT runs outside the handlers";
  }
}

TEST(FrontendCompiler, ReturnInsideHandlerRestoresTheException) {
  EXPECT_EQ(FunctionListing("def f():\n    try:\n        g()\n    except KeyError as e:\n        return e\n", "f"),
            "LOAD_GLOBAL g\nPUSH_NULL\nCALL 0\nPOP_TOP\nJUMP_FORWARD 18\n"                          // 0-4
            "PUSH_EXC_INFO\nLOAD_GLOBAL KeyError\nCHECK_EXC_MATCH\nPOP_JUMP_IF_FALSE 14\nSTORE_FAST e\n"  // 5-9
            "LOAD_FAST e\nSWAP 2\nPOP_EXCEPT\nRETURN_VALUE\n"                                       // 10-13
            "RERAISE\nSWAP 2\nPOP_EXCEPT\nRERAISE\nLOAD_CONST None\nRETURN_VALUE\n");               // 14-19
}

TEST(FrontendCompiler, TryFinally) {
  const auto m = Compile(
      "def f(r):\n"
      "    try:\n"
      "        g(r)\n"
      "    finally:\n"
      "        close(r)\n"
      "    return 1\n");
  const CodeUnit* f = Find(*m, "f");
  EXPECT_EQ(Listing(*f),
            "LOAD_GLOBAL g\nPUSH_NULL\nLOAD_FAST r\nCALL 1\nPOP_TOP\n"            // 0-4 body
            "LOAD_GLOBAL close\nPUSH_NULL\nLOAD_FAST r\nCALL 1\nPOP_TOP\n"        // 5-9 finally, normal path
            "JUMP_FORWARD 21\n"                                                     // 10
            "PUSH_EXC_INFO\n"                                                       // 11
            "LOAD_GLOBAL close\nPUSH_NULL\nLOAD_FAST r\nCALL 1\nPOP_TOP\n"        // 12-16 finally, exception path
            "RERAISE\nSWAP 2\nPOP_EXCEPT\nRERAISE\n"                                // 17-20
            "LOAD_CONST 1\nRETURN_VALUE\n");
  ASSERT_EQ(f->exception_table.size(), 2u);
  EXPECT_EQ(f->exception_table[0].start, 0u);
  EXPECT_EQ(f->exception_table[0].end, 5u);
  EXPECT_EQ(f->exception_table[0].handler, 11u);
  EXPECT_EQ(f->exception_table[1].start, 11u);
  EXPECT_EQ(f->exception_table[1].end, 18u);
  EXPECT_EQ(f->exception_table[1].handler, 18u);
  EXPECT_EQ(f->exception_table[1].depth, 1u);
  EXPECT_EQ(f->stacksize, 5u);  // prev, exc, close, null, r
}

TEST(FrontendCompiler, ReturnThroughFinallyRunsItInline) {
  const auto m = Compile(
      "def f(r):\n"
      "    try:\n"
      "        return g(r)\n"
      "    finally:\n"
      "        close(r)\n");
  const CodeUnit* f = Find(*m, "f");
  EXPECT_EQ(Listing(*f),
            "LOAD_GLOBAL g\nPUSH_NULL\nLOAD_FAST r\nCALL 1\n"                   // 0-3: the value, protected
            "LOAD_GLOBAL close\nPUSH_NULL\nLOAD_FAST r\nCALL 1\nPOP_TOP\n"     // 4-8: finally inline, unprotected
            "RETURN_VALUE\n"                                                     // 9
            "PUSH_EXC_INFO\n"                                                    // 10
            "LOAD_GLOBAL close\nPUSH_NULL\nLOAD_FAST r\nCALL 1\nPOP_TOP\nRERAISE\n"
            "SWAP 2\nPOP_EXCEPT\nRERAISE\n");
  ASSERT_EQ(f->exception_table.size(), 2u);
  EXPECT_EQ(f->exception_table[0].start, 0u);
  EXPECT_EQ(f->exception_table[0].end, 4u);
  EXPECT_EQ(f->exception_table[0].handler, 10u);
  EXPECT_EQ(f->exception_table[0].depth, 0u);
  EXPECT_EQ(f->exception_table[1].start, 10u);
  EXPECT_EQ(f->exception_table[1].end, 17u);
  EXPECT_EQ(f->exception_table[1].handler, 17u);
  EXPECT_EQ(f->exception_table[1].depth, 1u);
}

TEST(FrontendCompiler, TryInsideFinallyInlineCopyCountsTheReturnValue) {
  const auto m = Compile(
      "def f():\n"
      "    try:\n"
      "        return 1\n"
      "    finally:\n"
      "        try:\n"
      "            g()\n"
      "        except E:\n"
      "            pass\n");
  const CodeUnit* f = Find(*m, "f");
  // The inline copy's try body is the first one; the return value sits below it.
  bool found = false;
  for (const ExceptionEntry& e : f->exception_table) {
    if (e.start == 1) {
      EXPECT_EQ(e.depth, 1u);
      found = true;
    }
  }
  EXPECT_TRUE(found) << Disassemble(*f);
}

TEST(FrontendCompiler, RaiseAndAssert) {
  EXPECT_EQ(Listing(*Compile("raise ValueError\nraise ValueError('x')\n")),
            "LOAD_GLOBAL ValueError\nRAISE_VARARGS 1\n"
            "LOAD_GLOBAL ValueError\nPUSH_NULL\nLOAD_CONST 'x'\nCALL 1\nRAISE_VARARGS 1\n");
  EXPECT_EQ(Listing(*Compile("assert a, 'msg'\nassert b\n")),
            "LOAD_GLOBAL a\nPOP_JUMP_IF_TRUE 7\nLOAD_GLOBAL AssertionError\nPUSH_NULL\nLOAD_CONST 'msg'\nCALL 1\n"
            "RAISE_VARARGS 1\n"
            "LOAD_GLOBAL b\nPOP_JUMP_IF_TRUE 11\nLOAD_GLOBAL AssertionError\nRAISE_VARARGS 1\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
  EXPECT_NE(Listing(*Compile("try:\n    f()\nexcept:\n    raise\n")).find("RAISE_VARARGS 0"), std::string::npos);
}

TEST(FrontendCompiler, Imports) {
  EXPECT_EQ(Listing(*Compile("import os\nimport time as t\nfrom os import pipe, read as r\n")),
            "IMPORT_NAME os\nSTORE_GLOBAL os\nIMPORT_NAME time\nSTORE_GLOBAL t\n"
            "IMPORT_NAME os\nIMPORT_FROM pipe\nSTORE_GLOBAL pipe\nIMPORT_FROM read\nSTORE_GLOBAL r\nPOP_TOP\n"
            "LOAD_CONST None\nRETURN_VALUE\n");
  EXPECT_EQ(FunctionListing("def f():\n    import time\n    return time\n", "f"),
            "IMPORT_NAME time\nSTORE_FAST time\nLOAD_FAST time\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, DocstringsAndPassCompileToNothing) {
  EXPECT_EQ(FunctionListing("def f():\n    '''doc'''\n    pass\n", "f"), "LOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, StringLiteralsConcatenate) {
  EXPECT_EQ(Listing(*Compile("x = 'a' \"b\"\n")), "LOAD_CONST 'ab'\nSTORE_GLOBAL x\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, OneLineBodies) {
  EXPECT_EQ(FunctionListing("def f(x):\n    if x: return 1\n    while x: x -= 1; g()\n", "f"),
            "LOAD_FAST x\nPOP_JUMP_IF_FALSE 4\nLOAD_CONST 1\nRETURN_VALUE\n"
            "LOAD_FAST x\nPOP_JUMP_IF_FALSE 15\nLOAD_FAST x\nLOAD_CONST 1\nBINARY_OP -=\nSTORE_FAST x\n"
            "LOAD_GLOBAL g\nPUSH_NULL\nCALL 0\nPOP_TOP\nJUMP_BACKWARD 4\nLOAD_CONST None\nRETURN_VALUE\n");
}

TEST(FrontendCompiler, StackSizes) {
  EXPECT_EQ(Compile("x = 1\n")->stacksize, 1u);
  EXPECT_EQ(Compile("x = [1, 2, 3]\n")->stacksize, 3u);
  EXPECT_EQ(Compile("f(1, 2)\n")->stacksize, 4u);                  // f, null, 1, 2
  EXPECT_EQ(Compile("d[k] += 1\n")->stacksize, 4u);                // d k d k, then d k v 1
  EXPECT_EQ(Compile("for x in y:\n    f(x)\n")->stacksize, 4u);    // iterator, f, null, x
  EXPECT_EQ(Compile("a < b < c\n")->stacksize, 3u);                // b a b
  EXPECT_EQ(Compile("x = [i for i in y]\n")->stacksize, 3u);       // list, iterator, item
  EXPECT_EQ(Compile("try:\n    f\nexcept E:\n    pass\n")->stacksize, 3u);  // prev, exc, E
}

TEST(FrontendCompiler, StackDepthCheckRefusesBrokenCode) {
  CodeUnit u;
  u.qualname = "broken";
  u.code = {Instr::Make(Opcode::POP_TOP, 0), Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::RETURN_VALUE, 0)};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);  // pops an empty stack
  u.code = {Instr::Make(Opcode::LOAD_CONST, 0)};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);  // falls off the end
  // Two paths reach RETURN_VALUE with different depths.
  u.code = {Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::POP_JUMP_IF_FALSE, 4),
            Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::RETURN_VALUE, 0)};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);
  // A JUMP_BACKWARD that goes forward.
  u.code = {Instr::Make(Opcode::JUMP_BACKWARD, 1), Instr::Make(Opcode::LOAD_CONST, 0),
            Instr::Make(Opcode::RETURN_VALUE, 0)};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);
  // FOR_ITER's exhausted branch pops the iterator: the loop below is balanced.
  u.code = {Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::GET_ITER, 0), Instr::Make(Opcode::FOR_ITER, 5),
            Instr::Make(Opcode::POP_TOP, 0), Instr::Make(Opcode::JUMP_BACKWARD, 2), Instr::Make(Opcode::LOAD_CONST, 0),
            Instr::Make(Opcode::RETURN_VALUE, 0)};
  EXPECT_EQ(ComputeStackSize(u), 2u);
  // A handler is entered with its entry's depth plus the exception.
  u.code = {Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::RETURN_VALUE, 0), Instr::Make(Opcode::POP_TOP, 0),
            Instr::Make(Opcode::POP_TOP, 0), Instr::Make(Opcode::LOAD_CONST, 0), Instr::Make(Opcode::RETURN_VALUE, 0)};
  u.exception_table = {{0, 1, 2, 0}};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);  // the second POP_TOP underflows
  u.exception_table = {{0, 1, 2, 1}};
  EXPECT_THROW(ComputeStackSize(u), std::logic_error);  // depth 1 is above instruction 0's depth 0
}

TEST(FrontendCompiler, LineTableHasOneLocationPerInstruction) {
  const auto m = Compile(
      "x = 1\n"
      "y = (x +\n"
      "     g(x))\n"
      "if y:\n"
      "    z = 2\n");
  ASSERT_EQ(m->locations.size(), m->code.size());
  // x = 1
  EXPECT_EQ(m->locations[0].line, 1);
  EXPECT_EQ(m->locations[0].column, 4);  // the constant
  EXPECT_EQ(m->locations[1].line, 1);    // STORE_GLOBAL x
  EXPECT_EQ(m->locations[1].column, 0);
  // y = (x + g(x)): LOAD_GLOBAL x at 2:5, LOAD_GLOBAL g at 3:5, the + at 2:5
  EXPECT_EQ(m->locations[2].line, 2);
  EXPECT_EQ(m->locations[2].column, 5);
  EXPECT_EQ(m->code[3].op(), Opcode::LOAD_GLOBAL);
  EXPECT_EQ(m->locations[3].line, 3);
  EXPECT_EQ(m->locations[3].column, 5);
  EXPECT_EQ(m->code[7].op(), Opcode::BINARY_OP);
  EXPECT_EQ(m->locations[7].line, 2);
  // if y: z = 2
  EXPECT_EQ(m->code[9].op(), Opcode::LOAD_GLOBAL);
  EXPECT_EQ(m->locations[9].line, 4);
  EXPECT_EQ(m->code[11].op(), Opcode::LOAD_CONST);
  EXPECT_EQ(m->locations[11].line, 5);
  for (const Location& l : m->locations) EXPECT_GE(l.line, 1);
  const auto f = Compile("def f(a):\n    b = a\n    return b\n");
  const CodeUnit* fn = Find(*f, "f");
  ASSERT_EQ(fn->locations.size(), fn->code.size());
  EXPECT_EQ(fn->locations[0].line, 2);
  EXPECT_EQ(fn->locations.back().line, 3);
}

TEST(FrontendCompiler, DisassembleListsEveryUnit) {
  const auto m = Compile("def f(n):\n    if n < 2:\n        return n\n    return f(n - 1)\n");
  EXPECT_EQ(Disassemble(*m),
            "Disassembly of <code <module>, file \"t.py\", line 1>:\n"
            "   1          0 LOAD_CONST               0 (<code f, file \"t.py\", line 1>)\n"
            "              1 MAKE_FUNCTION            0\n"
            "              2 STORE_GLOBAL             0 (f)\n"
            "              3 LOAD_CONST               1 (None)\n"
            "              4 RETURN_VALUE\n"
            "\n"
            "Disassembly of <code f, file \"t.py\", line 1>:\n"
            "   2          0 LOAD_FAST_BORROW         0 (n)\n"
            "              1 LOAD_CONST               0 (2)\n"
            "              2 COMPARE_OP               0 (<)\n"
            "              3 POP_JUMP_IF_FALSE        6 (to 6)\n"
            "\n"
            "   3          4 LOAD_FAST_BORROW         0 (n)\n"
            "              5 RETURN_VALUE\n"
            "\n"
            "   4    >>    6 LOAD_GLOBAL              0 (f)\n"
            "              7 PUSH_NULL\n"
            "              8 LOAD_FAST_BORROW         0 (n)\n"
            "              9 LOAD_CONST               1 (1)\n"
            "             10 BINARY_OP                9 (-)\n"
            "             11 CALL                     1\n"
            "             12 RETURN_VALUE\n");
}

TEST(FrontendCompiler, DisassembleShowsConstantsAndTheExceptionTable) {
  const auto m = Compile("try:\n    x = [1.5, 1e20, \"it's\", 'a\\n', -0.25, True, 0.0001, 123456789.0]\nexcept:\n    pass\n");
  const std::string d = Disassemble(*m);
  for (const char* repr : {"(1.5)", "(1e+20)", "(\"it's\")", "('a\\n')", "(-0.25)", "(True)", "(0.0001)", "(123456789.0)"}) {
    EXPECT_NE(d.find(repr), std::string::npos) << repr << "\n" << d;
  }
  EXPECT_NE(d.find("ExceptionTable:\n  0 to 10 -> 11 [0]\n  11 to 13 -> 15 [1]\n"), std::string::npos) << d;
}

}  // namespace
}  // namespace ftb::bc
