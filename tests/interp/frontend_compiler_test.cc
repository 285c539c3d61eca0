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
}  // namespace
}  // namespace ftb::bc
