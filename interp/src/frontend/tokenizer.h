// frontend/tokenizer.h (internal to the front end): Python's tokenization for the subset.
//
// What it does as CPython's tokenizer does: INDENT/DEDENT from a stack of indentation levels
// (tabs to the next multiple of 8, and the tab-versus-space consistency check made by comparing
// with tabs counted as 1 column too), NEWLINE only at the end of a logical line (none inside
// brackets, none after a backslash continuation, none for blank or comment-only lines), int
// literals with underscores and 0x/0o/0b prefixes, floats with fractions and exponents, string
// literals in ' " ''' """ with the usual escapes and an optional r/u prefix. A NEWLINE is added
// before the end if the last line has none, then one DEDENT per open level, then kEnd.
// Errors are SyntaxErrors at the offending position (line 1-based, column 0-based).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ftb::bc {

enum class TokenKind : std::uint8_t { kName, kInt, kFloat, kString, kOp, kNewline, kIndent, kDedent, kEnd, kError };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // kName: the name; kOp: the operator; kString: the decoded value
  std::int64_t int_value = 0;
  double float_value = 0;
  int line = 0;
  int column = 0;
};

// Tokenizes a whole module. Throws SyntaxError; or, with `defer_errors`, ends the tokens at the
// error with a kError token (text: the message) so that the parser reports it only when it gets
// there, as CPython's parser pulling tokens does (a syntax error before an unclosed bracket is
// the one reported).
std::vector<Token> Tokenize(std::string_view source, const std::string& filename, bool defer_errors = false);

// The name of a token kind, for tests and messages ("NAME", "NEWLINE", ...).
const char* TokenKindName(TokenKind kind);

}  // namespace ftb::bc
