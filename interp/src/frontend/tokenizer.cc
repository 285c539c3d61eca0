// frontend/tokenizer.cc: see tokenizer.h.
#include "frontend/tokenizer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ftb/interp/frontend.h"

namespace ftb::bc {

const char* TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kName: return "NAME";
    case TokenKind::kInt: return "INT";
    case TokenKind::kFloat: return "FLOAT";
    case TokenKind::kString: return "STRING";
    case TokenKind::kOp: return "OP";
    case TokenKind::kNewline: return "NEWLINE";
    case TokenKind::kIndent: return "INDENT";
    case TokenKind::kDedent: return "DEDENT";
    case TokenKind::kEnd: return "ENDMARKER";
    case TokenKind::kError: return "ERRORTOKEN";
  }
  return "?";
}

namespace {

bool IsIdentStart(unsigned char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// CPython's limits (Parser/tokenizer.h MAXINDENT, MAXLEVEL).
constexpr std::size_t kMaxIndent = 100;
constexpr std::size_t kMaxBrackets = 200;

class Tokenizer {
 public:
  Tokenizer(std::string_view src, const std::string& filename) : src_(src), filename_(filename) {}

  std::vector<Token> Run() {
    if (src_.substr(0, 3) == "\xEF\xBB\xBF") line_start_ = pos_ = 3;  // a UTF-8 byte-order mark
    bool at_line_start = true;
    for (;;) {
      if (at_line_start && brackets_.empty()) {
        at_line_start = false;
        if (!Indentation()) {
          at_line_start = true;  // a blank or comment-only line was skipped
          if (pos_ >= src_.size()) break;
          continue;
        }
      }
      // Whitespace between tokens.
      while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\f')) ++pos_;
      if (pos_ >= src_.size()) break;
      const char c = src_[pos_];
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
        continue;
      }
      if (c == '\\') {
        const std::size_t next = pos_ + 1;
        if (next < src_.size() && (src_[next] == '\n' || src_[next] == '\r')) {
          pos_ = next;
          NewLine();
          if (pos_ >= src_.size()) Error(line_, 0, "unexpected EOF while parsing");
          continue;
        }
        if (next >= src_.size()) Error(line_, Col(), "unexpected EOF while parsing");
        Error(line_, Col() + 1, "unexpected character after line continuation character");
      }
      if (c == '\n' || c == '\r') {
        if (brackets_.empty()) {
          Push(TokenKind::kNewline, "", line_, Col());
          at_line_start = true;
        }
        NewLine();
        continue;
      }
      if (IsIdentStart(static_cast<unsigned char>(c))) {
        Identifier();
        continue;
      }
      if (IsDigit(c) || (c == '.' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1]))) {
        Number();
        continue;
      }
      if (c == '\'' || c == '"') {
        String(pos_, false);
        continue;
      }
      Operator();
    }
    // End of input.
    if (!brackets_.empty()) {
      const Token& open = brackets_.back();
      Error(open.line, open.column, "'" + open.text + "' was never closed");
    }
    if (!out_.empty() && out_.back().kind != TokenKind::kNewline && out_.back().kind != TokenKind::kDedent &&
        out_.back().kind != TokenKind::kIndent) {
      Push(TokenKind::kNewline, "", line_, Col());
    }
    const int end_line = Col() == 0 ? line_ : line_ + 1;
    while (indents_.size() > 1) {
      indents_.pop_back();
      Push(TokenKind::kDedent, "", end_line, 0);
    }
    Push(TokenKind::kEnd, "", end_line, 0);
    return std::move(out_);
  }

 std::vector<Token> TakeTokens() { return std::move(out_); }

 private:
  [[noreturn]] void Error(int line, int column, const std::string& message) {
    throw SyntaxError(filename_, line, column, message);
  }
  int Col() const { return static_cast<int>(pos_ - line_start_); }

  // Consumes one line break (\n, \r\n or \r) at pos_.
  void NewLine() {
    if (src_[pos_] == '\r' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  Token& Push(TokenKind kind, std::string text, int line, int column) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.line = line;
    t.column = column;
    out_.push_back(std::move(t));
    return out_.back();
  }

  // At the start of a logical line: measures its indentation and emits INDENT/DEDENTs. Returns
  // false for a blank or comment-only line (consumed, line break included) or the end of input.
  bool Indentation() {
    int col = 0;
    int alt = 0;  // tabs counted as one column: the consistency check
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (c == ' ') {
        ++col;
        ++alt;
      } else if (c == '\t') {
        col = (col / 8 + 1) * 8;
        ++alt;
      } else if (c == '\f') {
        col = alt = 0;
      } else {
        break;
      }
      ++pos_;
    }
    if (pos_ >= src_.size()) return false;
    const char c = src_[pos_];
    if (c == '#' || c == '\n' || c == '\r') {
      while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      if (pos_ < src_.size()) NewLine();
      return false;
    }
    if (c == '\\' && pos_ + 1 < src_.size() && (src_[pos_ + 1] == '\n' || src_[pos_ + 1] == '\r')) {
      // A continuation right after the indentation: the next line continues this one.
      ++pos_;
      NewLine();
    }
    if (col == indents_.back()) {
      if (alt != alt_indents_.back()) Error(line_, Col(), "inconsistent use of tabs and spaces in indentation");
    } else if (col > indents_.back()) {
      if (alt <= alt_indents_.back()) Error(line_, Col(), "inconsistent use of tabs and spaces in indentation");
      if (indents_.size() > kMaxIndent) Error(line_, Col(), "too many levels of indentation");
      indents_.push_back(col);
      alt_indents_.push_back(alt);
      Push(TokenKind::kIndent, "", line_, Col());
    } else {
      while (indents_.size() > 1 && col < indents_.back()) {
        indents_.pop_back();
        alt_indents_.pop_back();
        Push(TokenKind::kDedent, "", line_, Col());
      }
      if (col != indents_.back()) Error(line_, Col(), "unindent does not match any outer indentation level");
      if (alt != alt_indents_.back()) Error(line_, Col(), "inconsistent use of tabs and spaces in indentation");
    }
    return true;
  }

  void Identifier() {
    const std::size_t start = pos_;
    const int col = Col();
    while (pos_ < src_.size() && IsIdentChar(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    std::string word(src_.substr(start, pos_ - start));
    if (pos_ < src_.size() && (src_[pos_] == '\'' || src_[pos_] == '"') && word.size() <= 2) {
      std::string lower;
      for (char ch : word) lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
      if (lower == "r" || lower == "u") {
        String(start, lower == "r");
        return;
      }
      if (lower == "f" || lower == "rf" || lower == "fr") {
        Error(line_, col, "f-strings are not supported by ftbench's interpreter");
      }
      if (lower == "b" || lower == "rb" || lower == "br") {
        Error(line_, col, "bytes literals are not supported by ftbench's interpreter");
      }
    }
    Push(TokenKind::kName, std::move(word), line_, col);
  }

  // Digits of one base with single underscores between them; returns them without underscores.
  std::string Digits(bool (*is_digit)(char), const char* kind, int start_col) {
    std::string digits;
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (is_digit(c)) {
        digits += c;
        ++pos_;
      } else if (c == '_') {
        if (pos_ + 1 >= src_.size() || !is_digit(src_[pos_ + 1])) {
          Error(line_, start_col, std::string("invalid ") + kind + " literal");
        }
        ++pos_;
      } else {
        break;
      }
    }
    return digits;
  }

  void Number() {
    const int col = Col();
    const char c0 = src_[pos_];
    const char c1 = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    if (c0 == '0' && (c1 == 'x' || c1 == 'X' || c1 == 'o' || c1 == 'O' || c1 == 'b' || c1 == 'B')) {
      int base = 16;
      const char* kind = "hexadecimal";
      bool (*pred)(char) = IsHexDigit;
      if (c1 == 'o' || c1 == 'O') {
        base = 8;
        kind = "octal";
        pred = [](char c) { return c >= '0' && c <= '7'; };
      } else if (c1 == 'b' || c1 == 'B') {
        base = 2;
        kind = "binary";
        pred = [](char c) { return c == '0' || c == '1'; };
      }
      pos_ += 2;
      if (pos_ < src_.size() && src_[pos_] == '_') ++pos_;  // 0x_ff is allowed
      const std::string digits = Digits(pred, kind, col);
      if (digits.empty() || (pos_ < src_.size() && (IsIdentChar(static_cast<unsigned char>(src_[pos_]))))) {
        Error(line_, col, std::string("invalid ") + kind + " literal");
      }
      IntToken(digits, base, col);
      return;
    }
    std::string text = Digits(IsDigit, "decimal", col);
    bool is_float = false;
    if (pos_ < src_.size() && src_[pos_] == '.') {
      is_float = true;
      text += '.';
      ++pos_;
      if (pos_ < src_.size() && IsDigit(src_[pos_])) text += Digits(IsDigit, "decimal", col);
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
      if (p < src_.size() && IsDigit(src_[p])) {
        is_float = true;
        text += 'e';
        if (src_[pos_ + 1] == '-') text += '-';
        pos_ = p;
        text += Digits(IsDigit, "decimal", col);
      } else {
        Error(line_, col, "invalid decimal literal");
      }
    }
    if (pos_ < src_.size() && (src_[pos_] == 'j' || src_[pos_] == 'J')) {
      Error(line_, col, "complex literals are not supported by ftbench's interpreter");
    }
    if (pos_ < src_.size() && IsIdentChar(static_cast<unsigned char>(src_[pos_]))) {
      Error(line_, col, "invalid decimal literal");
    }
    if (is_float) {
      Token& t = Push(TokenKind::kFloat, text, line_, col);
      t.float_value = std::strtod(text.c_str(), nullptr);
      return;
    }
    if (text.size() > 1 && text[0] == '0' && text.find_first_not_of('0') != std::string::npos) {
      Error(line_, col,
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
    }
    IntToken(text, 10, col);
  }

  void IntToken(const std::string& digits, int base, int col) {
    errno = 0;
    const unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
      Error(line_, col, "integer literal too large: ftbench's ints are 64-bit");
    }
    Token& t = Push(TokenKind::kInt, digits, line_, col);
    t.int_value = static_cast<std::int64_t>(v);
  }

  // A string literal; `start` is where its prefix (if any) begins, pos_ is at the quote.
  void String(std::size_t start, bool raw) {
    const int line = line_;
    const int col = static_cast<int>(start - line_start_);
    const char quote = src_[pos_];
    const bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == quote && src_[pos_ + 2] == quote;
    pos_ += triple ? 3 : 1;
    std::string value;
    for (;;) {
      if (pos_ >= src_.size()) {
        Error(line, col, std::string(triple ? "unterminated triple-quoted string literal" : "unterminated string literal") +
                             " (detected at line " + std::to_string(Col() == 0 && line_ > 1 ? line_ - 1 : line_) +
                             ")");
      }
      const char c = src_[pos_];
      if (c == quote) {
        if (!triple) {
          ++pos_;
          break;
        }
        if (pos_ + 2 < src_.size() && src_[pos_ + 1] == quote && src_[pos_ + 2] == quote) {
          pos_ += 3;
          break;
        }
        value += c;
        ++pos_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (!triple) {
          Error(line, col, "unterminated string literal (detected at line " + std::to_string(line_) + ")");
        }
        value += '\n';
        NewLine();
        continue;
      }
      if (c != '\\') {
        value += c;
        ++pos_;
        continue;
      }
      // A backslash.
      if (pos_ + 1 >= src_.size()) {
        ++pos_;
        continue;  // reported as unterminated above
      }
      const char e = src_[pos_ + 1];
      if (e == '\n' || e == '\r') {
        if (raw) value += '\\', value += '\n';
        ++pos_;
        NewLine();
        continue;
      }
      if (raw) {
        value += '\\';
        value += e;
        pos_ += 2;
        continue;
      }
      const int esc_col = Col();
      pos_ += 2;
      switch (e) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'r': value += '\r'; break;
        case '\\': value += '\\'; break;
        case '\'': value += '\''; break;
        case '"': value += '"'; break;
        case 'a': value += '\a'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'v': value += '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
          std::uint32_t v = static_cast<std::uint32_t>(e - '0');
          for (int i = 0; i < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7'; ++i) {
            v = v * 8 + static_cast<std::uint32_t>(src_[pos_++] - '0');
          }
          AppendUtf8(value, v);
          break;
        }
        case 'x': case 'u': case 'U': {
          const int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          std::uint32_t v = 0;
          for (int i = 0; i < n; ++i) {
            if (pos_ >= src_.size() || !IsHexDigit(src_[pos_])) {
              Error(line_, esc_col, std::string("(unicode error) truncated \\") + e + " escape");
            }
            const char h = src_[pos_++];
            v = v * 16 + static_cast<std::uint32_t>(IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          if (v > 0x10FFFF) Error(line_, esc_col, "(unicode error) illegal Unicode character");
          AppendUtf8(value, v);
          break;
        }
        case 'N':
          Error(line_, esc_col, "\\N{...} escapes are not supported by ftbench's interpreter");
        default:
          value += '\\';
          value += e;
          break;
      }
    }
    Push(TokenKind::kString, std::move(value), line, col);
  }

  void Operator() {
    static constexpr std::string_view kOps3[] = {"**=", "//=", ">>=", "<<=", "..."};
    static constexpr std::string_view kOps2[] = {"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=",
                                                 "*=", "/=", "%=", "&=", "|=", "^=", "->", ":=", "@="};
    static constexpr std::string_view kOps1 = "+-*/%&|^~<>()[]{},:;.=@";
    const int col = Col();
    const std::string_view rest = src_.substr(pos_);
    for (std::string_view op : kOps3) {
      if (rest.substr(0, 3) == op) {
        pos_ += 3;
        Push(TokenKind::kOp, std::string(op), line_, col);
        return;
      }
    }
    for (std::string_view op : kOps2) {
      if (rest.substr(0, 2) == op) {
        pos_ += 2;
        Push(TokenKind::kOp, std::string(op), line_, col);
        return;
      }
    }
    const char c = src_[pos_];
    if (kOps1.find(c) == std::string_view::npos) {
      const unsigned char u = static_cast<unsigned char>(c);
      char buf[64];
      if (u < 0x80 && u >= 0x20) {
        std::snprintf(buf, sizeof buf, "invalid character '%c' (U+%04X)", c, u);
      } else {
        std::snprintf(buf, sizeof buf, "invalid non-printable character U+%04X", u);
      }
      Error(line_, col, buf);
    }
    ++pos_;
    if (c == '(' || c == '[' || c == '{') {
      if (brackets_.size() >= kMaxBrackets) Error(line_, col, "too many nested parentheses");
      brackets_.push_back(Token{TokenKind::kOp, std::string(1, c), 0, 0, line_, col});
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty()) Error(line_, col, std::string("unmatched '") + c + "'");
      const Token open = brackets_.back();
      const char expected = open.text[0] == '(' ? ')' : open.text[0] == '[' ? ']' : '}';
      if (c != expected) {
        std::string msg = std::string("closing parenthesis '") + c + "' does not match opening parenthesis '" +
                          open.text + "'";
        if (open.line != line_) msg += " on line " + std::to_string(open.line);
        Error(line_, col, msg);
      }
      brackets_.pop_back();
    }
    Push(TokenKind::kOp, std::string(1, c), line_, col);
  }

  std::string_view src_;
  const std::string& filename_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  std::vector<int> indents_{0};
  std::vector<int> alt_indents_{0};
  std::vector<Token> brackets_;  // open brackets: text, line, column
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view source, const std::string& filename, bool defer_errors) {
  Tokenizer tokenizer(source, filename);
  if (!defer_errors) return tokenizer.Run();
  try {
    return tokenizer.Run();
  } catch (const SyntaxError& e) {
    std::vector<Token> tokens = tokenizer.TakeTokens();
    Token t;
    t.kind = TokenKind::kError;
    t.text = e.message();
    t.line = e.line();
    t.column = e.column();
    tokens.push_back(std::move(t));
    return tokens;
  }
}

}  // namespace ftb::bc
