// Syntax errors: Python's own (with Python's messages) and every construct outside the subset,
// each with its line, column (0-based) and message.
#include <gtest/gtest.h>

#include <string>

#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

struct ErrorCase {
  const char* source;
  int line;
  int column;
  const char* message;
};

constexpr const char* kNot = " is not supported by ftbench's interpreter";

void ExpectError(const ErrorCase& c) {
  SCOPED_TRACE(c.source);
  try {
    CompileModule(c.source, "e.py");
    ADD_FAILURE() << "compiled without a SyntaxError";
  } catch (const SyntaxError& e) {
    EXPECT_EQ(e.message(), c.message);
    EXPECT_EQ(e.line(), c.line);
    EXPECT_EQ(e.column(), c.column);
    EXPECT_EQ(e.filename(), "e.py");
  }
}

std::string Unsupported(const char* what) { return std::string(what) + kNot; }

TEST(FrontendErrors, PythonsOwnSyntaxErrors) {
  const ErrorCase cases[] = {
      {"if x\n    y\n", 1, 4, "expected ':'"},
      {"class C\n", 1, 7, "expected ':'"},
      {"while x:\n    pass\nelse\n", 3, 4, "expected ':'"},
      {"def f():\nreturn 1\n", 2, 0, "expected an indented block after function definition on line 1"},
      {"if x:\npass\n", 2, 0, "expected an indented block after 'if' statement on line 1"},
      {"x = 1\n    y = 2\n", 2, 4, "unexpected indent"},
      {"for x in y:\n    pass\n  z\n", 3, 2, "unindent does not match any outer indentation level"},
      {"return 1\n", 1, 0, "'return' outside function"},
      {"class C:\n    return 1\n", 2, 4, "'return' outside function"},
      {"break\n", 1, 0, "'break' outside loop"},
      {"def f():\n    continue\n", 2, 4, "'continue' not properly in loop"},
      {"f() = 1\n", 1, 0, "cannot assign to function call here. Maybe you meant '==' instead of '='?"},
      {"1 = x\n", 1, 0, "cannot assign to literal here. Maybe you meant '==' instead of '='?"},
      {"None = 1\n", 1, 0, "cannot assign to None"},
      {"for f() in x:\n    pass\n", 1, 4, "cannot assign to function call"},
      {"def f(a=1, b):\n    pass\n", 1, 11, "parameter without a default follows parameter with a default"},
      {"def f(a, a):\n    pass\n", 1, 9, "duplicate argument 'a' in function definition"},
      {"def f():\n    x = 1\n    global x\n", 3, 4, "name 'x' is assigned to before global declaration"},
      {"def f():\n    print(x)\n    global x\n", 3, 4, "name 'x' is used prior to global declaration"},
      {"def f(x):\n    global x\n", 2, 4, "name 'x' is parameter and global"},
      {"x = (1 +\n", 1, 4, "'(' was never closed"},
      {"x = [1, 2\ny = 3\n", 1, 4, "'[' was never closed"},
      {"try:\n    pass\nx = 1\n", 3, 0, "expected 'except' or 'finally' block"},
      {"try:\n    f()\nexcept:\n    pass\nexcept ValueError:\n    pass\n", 3, 0, "default 'except:' must be last"},
      {"x = 1 +\n", 1, 7, "invalid syntax"},
      {"x = = 1\n", 1, 4, "invalid syntax"},
      {"x = 1 2\n", 1, 6, "invalid syntax"},
      {"def f(:\n", 1, 6, "invalid syntax"},
      {"x = class\n", 1, 4, "invalid syntax"},
      {"a, b += 1\n", 1, 0, "'tuple' is an illegal expression for augmented assignment"},
      {"f() += 1\n", 1, 0, "'function call' is an illegal expression for augmented assignment"},
      {"x = y if z\n", 1, 4, "expected 'else' after 'if' expression"},
      {"del f()\n", 1, 4, "cannot delete function call"},
      {"x = 'abc\n", 1, 4, "unterminated string literal (detected at line 1)"},
  };
  for (const ErrorCase& c : cases) ExpectError(c);
}

TEST(FrontendErrors, ConstructsOutsideTheSubset) {
  const struct {
    const char* source;
    int line;
    int column;
    const char* what;
  } cases[] = {
      {"f = lambda x: x\n", 1, 4, "'lambda'"},
      {"f(a, key=1)\n", 1, 5, "keyword arguments are"},
      {"def f(*args):\n    pass\n", 1, 6, "'*args' (and keyword-only parameters)"},
      {"def f(**kw):\n    pass\n", 1, 6, "'**kwargs'"},
      {"def f(a, /):\n    pass\n", 1, 9, "a positional-only marker '/'"},
      {"f(*a)\n", 1, 2, "'*' unpacking in a call"},
      {"def f():\n    yield 1\n", 2, 4, "'yield'"},
      {"with open(p) as f:\n    pass\n", 1, 0, "'with'"},
      {"async def f():\n    pass\n", 1, 0, "'async'"},
      {"@dec\ndef f():\n    pass\n", 1, 0, "a decorator"},
      {"x = {1, 2}\n", 1, 4, "a set display"},
      {"x = {k: v for k in y}\n", 1, 4, "a dict comprehension"},
      {"x = {k for k in y}\n", 1, 4, "a set comprehension"},
      {"x = (y for y in z)\n", 1, 5, "a generator expression"},
      {"f(a for a in b)\n", 1, 2, "a generator expression"},
      {"def f():\n    nonlocal x\n", 2, 4, "'nonlocal'"},
      {"def f():\n    x = 1\n    def g():\n        return x\n", 4, 15,
       "a closure (reading 'x', a local variable of the enclosing function 'f')"},
      {"def f():\n    x = 1\n    class C:\n        y = x\n", 4, 12,
       "a closure (reading 'x', a local variable of the enclosing function 'f')"},
      {"del x\n", 1, 4, "'del' of a name"},
      {"del o.a\n", 1, 4, "'del' of an attribute"},
      {"del s[1:2]\n", 1, 4, "'del' of a slice"},
      {"x: int = 1\n", 1, 1, "a variable annotation"},
      {"if (n := 10) > 5:\n    pass\n", 1, 6, "the walrus operator ':='"},
      {"a[1:2] = x\n", 1, 0, "assignment to a slice"},
      {"a[1:] += x\n", 1, 0, "augmented assignment to a slice"},
      {"from m import *\n", 1, 14, "'from ... import *'"},
      {"from . import m\n", 1, 5, "a relative import"},
      {"import os.path\n", 1, 9, "a dotted module name"},
      {"x = [*a]\n", 1, 5, "a starred expression"},
      {"a, *b = c\n", 1, 3, "a starred expression"},
      {"raise E from e\n", 1, 8, "'raise ... from ...'"},
      {"x = ...\n", 1, 4, "'...' (Ellipsis)"},
      {"x = a @ b\n", 1, 6, "the matrix multiplication operator '@'"},
      {"x = +a\n", 1, 4, "unary '+' (on anything but a number literal)"},
      {"class C(A, B):\n    pass\n", 1, 11, "multiple inheritance"},
      {"class C(metaclass=M):\n    pass\n", 1, 8, "a keyword in a class definition (metaclass=...)"},
      {"try:\n    pass\nexcept* E:\n    pass\n", 3, 6, "'except*'"},
      {"x = s[1, 2:3]\n", 1, 9, "a slice inside a tuple index"},
      {"x = f'{y}'\n", 1, 4, "f-strings are"},
      {"x = 2j\n", 1, 4, "complex literals are"},
      {"def f():\n    for x in y:\n        try:\n            pass\n        finally:\n            break\n", 6, 12,
       "'break' out of a 'finally' block"},
      {"def f():\n    try:\n        pass\n    finally:\n        return 1\n", 5, 8, "'return' out of a 'finally' block"},
  };
  for (const auto& c : cases) {
    const std::string what = c.what;
    std::string message = what;
    if (what.size() > 4 && what.compare(what.size() - 4, 4, " are") == 0) {
      message += " not supported by ftbench's interpreter";
    } else {
      message = Unsupported(c.what);
    }
    ExpectError({c.source, c.line, c.column, message.c_str()});
  }
}

TEST(FrontendErrors, SliceStepsHaveTheirOwnMessage) {
  ExpectError({"x = s[1:2:3]\n", 1, 10, "slice steps are not supported by ftbench's interpreter"});
  ExpectError({"x = s[::2]\n", 1, 8, "slice steps are not supported by ftbench's interpreter"});
  EXPECT_NO_THROW(CompileModule("x = s[1:2:]\n", "e.py"));  // an empty step is no step
}

TEST(FrontendErrors, WhatIsFileLineColumnAndMessage) {
  try {
    CompileModule("x = 1\ny = lambda: 0\n", "dir/w.py");
    FAIL();
  } catch (const SyntaxError& e) {
    EXPECT_STREQ(e.what(), "dir/w.py:2:5: SyntaxError: 'lambda' is not supported by ftbench's interpreter");
  }
}

TEST(FrontendErrors, CompileFileThatCannotBeRead) {
  EXPECT_THROW(CompileFile("/nonexistent/dir/x.py"), std::runtime_error);
  try {
    CompileFile("/nonexistent/dir/x.py");
  } catch (const SyntaxError&) {
    ADD_FAILURE() << "an unreadable file is not a SyntaxError";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.py"), std::string::npos);
  }
}

TEST(FrontendErrors, ThingsThatLookUnsupportedButAreAccepted) {
  // Soft keyword `match` as a name, names with keywords inside, annotations on parameters,
  // trailing commas, a global declared before use, a nested def reading only globals.
  EXPECT_NO_THROW(CompileModule(
      "match = 1\nclass_ = 2\nimported = [1, 2,]\n"
      "def f(a: int, b: int = 2,) -> int:\n    return a\n"
      "def g():\n    global match\n    match = 3\n"
      "def h():\n    def k():\n        return match + len(imported)\n    return k\n"
      "t = (1,)\nu = {'a': 1,}\nv = f(1,)\n",
      "ok.py"));
}

TEST(FrontendErrors, NestingLimitsAreSyntaxErrorsNotCrashes) {
  auto expect_message = [](const std::string& src, const std::string& message) {
    try {
      CompileModule(src, "deep.py");
      ADD_FAILURE() << "compiled: " << src.substr(0, 40);
    } catch (const SyntaxError& e) {
      EXPECT_EQ(e.message(), message) << src.substr(0, 40);
    }
  };
  const std::string too_deep = "too many nested expressions or statements for ftbench's interpreter";
  expect_message("x = " + std::string(100000, '-') + "y\n", too_deep);
  expect_message("x = " + std::string(50000, '~') + "y\n", too_deep);
  std::string chain = "x = 1";
  for (int i = 0; i < 50000; ++i) chain += " + 1";
  expect_message(chain + "\n", too_deep);
  std::string attrs = "x = y";
  for (int i = 0; i < 50000; ++i) attrs += ".a";
  expect_message(attrs + "\n", too_deep);
  std::string nots = "x = ";
  for (int i = 0; i < 50000; ++i) nots += "not ";
  expect_message(nots + "y\n", too_deep);
  std::string elifs = "if x:\n    pass\n";
  for (int i = 0; i < 50000; ++i) elifs += "elif x:\n    pass\n";
  expect_message(elifs, too_deep);
  expect_message("x = " + std::string(300, '[') + std::string(300, ']') + "\n", "too many nested parentheses");
  std::string indents;
  for (int i = 0; i < 150; ++i) indents += std::string(static_cast<std::size_t>(i), ' ') + "if x:\n";
  expect_message(indents + std::string(150, ' ') + "pass\n", "too many levels of indentation");
  // What real code does stays well inside the limits.
  EXPECT_NO_THROW(CompileModule("x = " + std::string(150, '(') + "1" + std::string(150, ')') + "\n", "ok.py"));
  std::string wide = "x = [";
  for (int i = 0; i < 100000; ++i) wide += "1, ";
  EXPECT_NO_THROW(CompileModule(wide + "]\n", "ok.py"));
  std::string sum = "x = 1";
  for (int i = 0; i < 1000; ++i) sum += " + 1";
  EXPECT_NO_THROW(CompileModule(sum + "\n", "ok.py"));
}

}  // namespace
}  // namespace ftb::bc
