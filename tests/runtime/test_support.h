// Shared by the runtime tests: each test runs attached, and checks at the end that it leaked
// nothing (live objects back to where they were, once the deferred collector has freed what only
// it frees: classes and deferred objects nothing references any more).
#pragma once

#include <gtest/gtest.h>

#include "ftb/mechanisms.h"
#include "ftb/runtime.h"

namespace ftb::testing {

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    attach_ = std::make_unique<ThreadAttach>();
    EvalBreakerCheck();
    CollectDeferred();
    live_before_ = LiveObjectsTotal();
  }
  void TearDown() override {
    EvalBreakerCheck();  // merge anything queued to this thread (brc)
    CollectDeferred();
    EXPECT_EQ(LiveObjectsTotal(), live_before_) << "objects leaked (or were freed twice) by this test";
    attach_.reset();
  }

 private:
  std::unique_ptr<ThreadAttach> attach_;
  std::int64_t live_before_ = 0;
};

inline std::string_view VariantName() { return Policy::kName; }

}  // namespace ftb::testing
