// interp_dis FILE...: compiles each Python file with the interpreter's front end and prints its
// disassembly (the listing Disassemble() makes). A syntax error prints "FILE:LINE:COL:
// SyntaxError: MESSAGE" and exits 2, as an unreadable file does.
#include <cstdio>
#include <exception>
#include <string>

#include "ftb/interp/frontend.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE.py...\n", argv[0]);
    return 2;
  }
  try {
    for (int i = 1; i < argc; ++i) {
      const auto code = ftb::bc::CompileFile(argv[i]);
      std::fputs(ftb::bc::Disassemble(*code).c_str(), stdout);
    }
  } catch (const ftb::bc::SyntaxError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::logic_error& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 70;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
