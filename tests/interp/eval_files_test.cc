// Whole files run end to end: the front end's sample that leaves blocks every way
// (tests/interp/data/frontend_blocks.py) gives CPython's result.
#include <string>

#include "eval_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

std::unique_ptr<Module> LoadData(const char* name) {
  return Module::Load(bc::CompileFile(std::string(FTB_SOURCE_DIR) + "/tests/interp/data/" + name));
}

TEST_F(EvalTest, LeavingBlocksEveryWayGivesCPythonsResult) {
  auto m = LoadData("frontend_blocks.py");
  // python3 -c 'import frontend_blocks as b; print(b.run())'
  EXPECT_EQ(CallStr(*m, "run"), "[1015, 'caught', 400, 7, ['ab', 'cd'], [0, 4, 16], 4, [1, 2, 0, 'inner', 1, 2, 3, 4, 'f6']]");
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
