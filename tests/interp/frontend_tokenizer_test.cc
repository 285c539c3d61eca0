// The front end's tokenizer: Python's indentation, line joining, comments and literals, and its
// errors with their positions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/tokenizer.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

// "KIND" or "KIND:text" per token, space-separated (text for names, operators and strings).
std::string Kinds(std::string_view src) {
  std::string out;
  for (const Token& t : Tokenize(src, "t.py")) {
    if (!out.empty()) out += ' ';
    out += TokenKindName(t.kind);
    if (t.kind == TokenKind::kName || t.kind == TokenKind::kOp || t.kind == TokenKind::kString) out += ":" + t.text;
    if (t.kind == TokenKind::kInt) out += ":" + std::to_string(t.int_value);
  }
  return out;
}

SyntaxError TokenError(std::string_view src) {
  try {
    Tokenize(src, "t.py");
  } catch (const SyntaxError& e) {
    return e;
  }
  ADD_FAILURE() << "no SyntaxError for: " << src;
  return SyntaxError("t.py", 0, 0, "");
}

TEST(FrontendTokenizer, SimpleLine) {
  EXPECT_EQ(Kinds("x = 1\n"), "NAME:x OP:= INT:1 NEWLINE ENDMARKER");
}

TEST(FrontendTokenizer, MissingFinalNewlineIsAdded) {
  EXPECT_EQ(Kinds("x"), "NAME:x NEWLINE ENDMARKER");
  EXPECT_EQ(Kinds(""), "ENDMARKER");
}

TEST(FrontendTokenizer, IndentAndDedent) {
  EXPECT_EQ(Kinds("if a:\n    b\n    if c:\n        d\ne\n"),
            "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b NEWLINE NAME:if NAME:c OP:: NEWLINE INDENT NAME:d NEWLINE "
            "DEDENT DEDENT NAME:e NEWLINE ENDMARKER");
}

TEST(FrontendTokenizer, DedentsAtEndOfInput) {
  EXPECT_EQ(Kinds("if a:\n  if b:\n    c"), "NAME:if NAME:a OP:: NEWLINE INDENT NAME:if NAME:b OP:: NEWLINE INDENT "
                                            "NAME:c NEWLINE DEDENT DEDENT ENDMARKER");
}

TEST(FrontendTokenizer, BlankAndCommentLinesDoNotIndent) {
  EXPECT_EQ(Kinds("if a:\n    b\n\n  # a comment at another indentation\n    c  # trailing\n"),
            "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b NEWLINE NAME:c NEWLINE DEDENT ENDMARKER");
}

TEST(FrontendTokenizer, TabsCountToMultiplesOfEight) {
  // A tab then the same tab: consistent.
  EXPECT_EQ(Kinds("if a:\n\tb\n\tc\n"), "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b NEWLINE NAME:c NEWLINE DEDENT ENDMARKER");
}

TEST(FrontendTokenizer, BracketsJoinLines) {
  EXPECT_EQ(Kinds("x = (1,\n     2\n)\ny = [\n  3]\n"),
            "NAME:x OP:= OP:( INT:1 OP:, INT:2 OP:) NEWLINE NAME:y OP:= OP:[ INT:3 OP:] NEWLINE ENDMARKER");
}

TEST(FrontendTokenizer, IndentationInsideBracketsIsIgnored) {
  EXPECT_EQ(Kinds("f(a,\n        b)\nc\n"), "NAME:f OP:( NAME:a OP:, NAME:b OP:) NEWLINE NAME:c NEWLINE ENDMARKER");
}

TEST(FrontendTokenizer, BackslashContinuation) {
  EXPECT_EQ(Kinds("x = 1 + \\\n    2\n"), "NAME:x OP:= INT:1 OP:+ INT:2 NEWLINE ENDMARKER");
}

TEST(FrontendTokenizer, CrLfLineEnds) {
  EXPECT_EQ(Kinds("if a:\r\n    b\r\n"), "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b NEWLINE DEDENT ENDMARKER");
}

TEST(FrontendTokenizer, ByteOrderMarkIsSkipped) {
  const std::vector<Token> t = Tokenize("\xEF\xBB\xBFx = 1\n", "t.py");
  EXPECT_EQ(t[0].text, "x");
  EXPECT_EQ(t[0].column, 0);
}

TEST(FrontendTokenizer, Positions) {
  const std::vector<Token> t = Tokenize("a = 1\nif b:\n    cc += 22\n", "t.py");
  ASSERT_GE(t.size(), 12u);
  EXPECT_EQ(t[0].line, 1);
  EXPECT_EQ(t[0].column, 0);
  EXPECT_EQ(t[2].column, 4);  // 1
  EXPECT_EQ(t[4].text, "if");
  EXPECT_EQ(t[4].line, 2);
  EXPECT_EQ(t[9].text, "cc");
  EXPECT_EQ(t[9].line, 3);
  EXPECT_EQ(t[9].column, 4);
  EXPECT_EQ(t[10].text, "+=");
  EXPECT_EQ(t[10].column, 7);
}

TEST(FrontendTokenizer, IntLiterals) {
  const std::vector<Token> t = Tokenize("0 7 1_000_000 0xff 0XFF 0o17 0b101 0x_1f 9223372036854775807 00\n", "t.py");
  const std::int64_t expected[] = {0, 7, 1000000, 255, 255, 15, 5, 31, INT64_MAX, 0};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(t[i].kind, TokenKind::kInt) << i;
    EXPECT_EQ(t[i].int_value, expected[i]) << i;
  }
}

TEST(FrontendTokenizer, FloatLiterals) {
  const std::vector<Token> t = Tokenize("1.5 1e3 1.5e-3 .5 5. 1_0.2_5 2E+2\n", "t.py");
  const double expected[] = {1.5, 1000.0, 0.0015, 0.5, 5.0, 10.25, 200.0};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(t[i].kind, TokenKind::kFloat) << i;
    EXPECT_DOUBLE_EQ(t[i].float_value, expected[i]) << i;
  }
}

TEST(FrontendTokenizer, StringLiterals) {
  const std::vector<Token> t = Tokenize(
      "'a' \"b\" '''c\nd''' \"\"\"e'f\"\"\" 'q\\'s' \"t\\n\\t\\\\\" '\\x41\\101\\u00e9' r'\\n' R\"a\\\"b\" u'u'\n", "t.py");
  const char* expected[] = {"a", "b", "c\nd", "e'f", "q's", "t\n\t\\", "AA\xc3\xa9", "\\n", "a\\\"b", "u"};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(t[i].kind, TokenKind::kString) << i;
    EXPECT_EQ(t[i].text, expected[i]) << i;
  }
}

TEST(FrontendTokenizer, TripleQuotedStringSpansLines) {
  const std::vector<Token> t = Tokenize("x = '''one\ntwo'''\ny = 1\n", "t.py");
  EXPECT_EQ(t[2].text, "one\ntwo");
  EXPECT_EQ(t[4].text, "y");
  EXPECT_EQ(t[4].line, 3);
}

TEST(FrontendTokenizer, BackslashNewlineInsideString) {
  EXPECT_EQ(Tokenize("'ab\\\ncd'\n", "t.py")[0].text, "abcd");
}

TEST(FrontendTokenizer, Operators) {
  EXPECT_EQ(Kinds("a **= b // c >> d != e -> f\n"),
            "NAME:a OP:**= NAME:b OP:// NAME:c OP:>> NAME:d OP:!= NAME:e OP:-> NAME:f NEWLINE ENDMARKER");
}

struct TokenErrorCase {
  const char* source;
  int line;
  int column;
  const char* message;
};

TEST(FrontendTokenizer, ErrorsWithPositions) {
  const TokenErrorCase cases[] = {
      {"if a:\n    b\n  c\n", 3, 2, "unindent does not match any outer indentation level"},
      {"if a:\n        b\n\tc\n", 3, 1, "inconsistent use of tabs and spaces in indentation"},
      {"x = 'abc\n", 1, 4, "unterminated string literal (detected at line 1)"},
      {"x = 1\ny = '''abc\n\n", 2, 4, "unterminated triple-quoted string literal (detected at line 3)"},
      {"x = (1,\n 2\n", 1, 4, "'(' was never closed"},
      {"x = 1)\n", 1, 5, "unmatched ')'"},
      {"x = [1, 2)\n", 1, 9, "closing parenthesis ')' does not match opening parenthesis '['"},
      {"x = [1,\n 2)\n", 2, 2, "closing parenthesis ')' does not match opening parenthesis '[' on line 1"},
      {"x = 1 $ 2\n", 1, 6, "invalid character '$' (U+0024)"},
      {"x = 0123\n", 1, 4,
       "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"},
      {"x = 0xfg\n", 1, 4, "invalid hexadecimal literal"},
      {"x = 0b102\n", 1, 4, "invalid binary literal"},
      {"x = 1__0\n", 1, 4, "invalid decimal literal"},
      {"x = 12abc\n", 1, 4, "invalid decimal literal"},
      {"x = 9223372036854775808\n", 1, 4, "integer literal too large: ftbench's ints are 64-bit"},
      {"x = 1j\n", 1, 4, "complex literals are not supported by ftbench's interpreter"},
      {"x = f'{y}'\n", 1, 4, "f-strings are not supported by ftbench's interpreter"},
      {"x = b'y'\n", 1, 4, "bytes literals are not supported by ftbench's interpreter"},
      {"x = 1 \\ 2\n", 1, 7, "unexpected character after line continuation character"},
      {"x = '\\x4'\n", 1, 5, "(unicode error) truncated \\x escape"},
  };
  for (const TokenErrorCase& c : cases) {
    const SyntaxError e = TokenError(c.source);
    EXPECT_EQ(e.message(), c.message) << c.source;
    EXPECT_EQ(e.line(), c.line) << c.source;
    EXPECT_EQ(e.column(), c.column) << c.source;
    EXPECT_EQ(e.filename(), "t.py");
  }
}

TEST(FrontendTokenizer, WhatNamesFileLineAndOneBasedColumn) {
  const SyntaxError e = TokenError("x = 1)\n");
  EXPECT_STREQ(e.what(), "t.py:1:6: SyntaxError: unmatched ')'");
}

}  // namespace
}  // namespace ftb::bc
