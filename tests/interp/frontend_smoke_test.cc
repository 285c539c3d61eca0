#include <gtest/gtest.h>
#include "ftb/interp/frontend.h"
TEST(FrontendSmoke, Compiles) { EXPECT_TRUE(ftb::bc::CompileModule("x = 1\n", "t.py")); }
