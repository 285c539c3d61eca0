// Whole files through the front end: the Python workloads (workloads/py/*.py, when the tree has
// them) and a sample that uses every construct of the subset. Each compiles, and every code unit
// in it is well formed: one location per instruction, a stack size the depth check agrees with,
// exception entries inside the code.
#include <gtest/gtest.h>

#include <filesystem>
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

}  // namespace
}  // namespace ftb::bc
