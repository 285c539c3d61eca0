// Whole files through the front end: the Python workloads (workloads/py/*.py, when the tree has
// them), a sample that uses every construct of the subset and one that leaves blocks every way.
// Each compiles, and every code unit in it is well formed: one location per instruction, a stack
// size the depth check agrees with, exception entries inside the code.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/stack_depth.h"
#include "ftb/interp/frontend.h"

namespace ftb::bc {
namespace {

namespace fs = std::filesystem;

void ExpectWellFormed(const CodeUnit& code) {
  SCOPED_TRACE(code.qualname);
  EXPECT_EQ(code.locations.size(), code.code.size());
  EXPECT_FALSE(code.code.empty());
  EXPECT_EQ(ComputeStackSize(code), code.stacksize);
  EXPECT_GE(code.varnames.size(), code.argcount);
  for (const ExceptionEntry& e : code.exception_table) {
    EXPECT_LT(e.start, e.end);
    EXPECT_LE(e.end, code.code.size());
    EXPECT_LT(e.handler, code.code.size());
  }
  for (const Constant& c : code.consts) {
    if (c.kind == Constant::Kind::kCode) ExpectWellFormed(*c.code);
  }
}

std::vector<std::string> CodeNames(const CodeUnit& code) {
  std::vector<std::string> out{code.qualname};
  for (const Constant& c : code.consts) {
    if (c.kind != Constant::Kind::kCode) continue;
    for (std::string& n : CodeNames(*c.code)) out.push_back(std::move(n));
  }
  return out;
}

TEST(FrontendFiles, SampleUsingTheWholeSubsetCompiles) {
  const std::string path = std::string(FTB_SOURCE_DIR) + "/tests/interp/data/frontend_sample.py";
  const auto code = CompileFile(path);
  ExpectWellFormed(*code);
  EXPECT_EQ(CodeNames(*code),
            (std::vector<std::string>{"<module>", "Shape", "Shape.__init__", "Shape.area", "Square",
                                      "Square.__init__", "Square.area", "bump", "classify", "walk", "guarded", "retry",
                                      "strings", "main"}));
  EXPECT_FALSE(Disassemble(*code).empty());
}

TEST(FrontendFiles, BlockExitsSampleCompiles) {
  const auto code = CompileFile(std::string(FTB_SOURCE_DIR) + "/tests/interp/data/frontend_blocks.py");
  ExpectWellFormed(*code);
  EXPECT_EQ(CodeNames(*code), (std::vector<std::string>{"<module>", "close", "f1", "f2", "f3", "f4", "f5", "f6", "run"}));
}

TEST(FrontendFiles, EveryPythonWorkloadCompiles) {
  const fs::path dir = fs::path(FTB_SOURCE_DIR) / "workloads" / "py";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " does not exist in this tree";
  int files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".py") continue;
    SCOPED_TRACE(entry.path().string());
    ++files;
    try {
      ExpectWellFormed(*CompileFile(entry.path().string()));
    } catch (const SyntaxError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GT(files, 0) << "no .py file in " << dir;
}

// Mutated samples (characters and tokens deleted, duplicated, swapped, or replaced by one of
// Python's punctuation and keywords) either compile to well-formed code or are SyntaxErrors:
// never an internal error, a crash or a hang.
TEST(FrontendFiles, MutatedSourcesAreCompiledOrRefusedCleanly) {
  std::string base;
  for (const char* name : {"frontend_sample.py", "frontend_blocks.py"}) {
    std::ifstream in(std::string(FTB_SOURCE_DIR) + "/tests/interp/data/" + name);
    std::stringstream text;
    text << in.rdbuf();
    base += text.str();
  }
  ASSERT_GT(base.size(), 1000u);
  static const char* const kPieces[] = {"(", ")", "[", "]", "{", "}", ":", ",", "=", "\n", "    ", "\t", "\\",
                                        "'", "\"", "'''", "#", ".", "-", "**", "not ", " in ", "if ", "else ",
                                        "for ", "try:", "except", "finally:", "return ", "break", "continue",
                                        "lambda ", "yield ", "global x", "del ", "0x", "1e", "_", " and ", "@"};
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % bound;
  };
  int compiled = 0;
  int refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string src = base;
    const int edits = 1 + static_cast<int>(next(4));
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = next(src.size());
      switch (next(4)) {
        case 0: src.erase(at, 1 + next(8)); break;
        case 1: src.insert(at, src.substr(next(src.size()), 1 + next(12))); break;
        case 2: src.insert(at, kPieces[next(sizeof kPieces / sizeof kPieces[0])]); break;
        default: std::swap(src[at], src[next(src.size())]); break;
      }
    }
    try {
      const auto code = CompileModule(src, "mutant.py");
      ExpectWellFormed(*code);
      ++compiled;
    } catch (const SyntaxError&) {
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "round " << round << ": " << e.what() << "\n" << src;
      return;
    }
  }
  EXPECT_GT(compiled, 100) << refused << " refused";
  EXPECT_GT(refused, 100) << compiled << " compiled";
  std::printf("%d mutants compiled, %d refused\n", compiled, refused);
}

}  // namespace
}  // namespace ftb::bc
