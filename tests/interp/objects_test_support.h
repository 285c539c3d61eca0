// Shared by the object library's tests (objects_*_test.cc): each test runs attached, with the
// interpreter's built-in objects made, and checks at the end that no exception is left pending
// and that it leaked nothing (live objects back to where they were).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ftb/mechanisms.h"
#include "ftb/runtime.h"
#include "object_support.h"
#include "objects.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {

class ObjectsTest : public ::testing::Test {
 public:
  void SetUp() override {
    attach_ = std::make_unique<ThreadAttach>();
    InitInterpreter();
    EvalBreakerCheck();
    CollectDeferred();  // brc: what earlier tests left to the collector
    live_before_ = LiveObjectsTotal();
  }
  void TearDown() override {
    EXPECT_FALSE(ErrorPending()) << "a test left an exception pending: " << TakeError();
    EvalBreakerCheck();  // merge anything queued to this thread (brc)
    CollectDeferred();   // brc: classes and functions are freed by the collector
    EXPECT_EQ(LiveObjectsTotal(), live_before_) << "objects leaked (or were freed twice) by this test";
    attach_.reset();
  }

  // The pending exception as "TypeName: message" (and clears it); "" when none is pending.
  static std::string TakeError() {
    Ref exc = FetchError();
    if (!exc) return "";
    return std::string(TypeName(exc.get())) + ": " + ExceptionMessage(exc.get());
  }
  // What an operation that should raise raised: checks that it returned empty.
  static std::string ErrorOf(const Ref& result) {
    EXPECT_FALSE(result) << "expected an exception, got " << ReprString(result.get());
    return TakeError();
  }
  static std::string ErrorOf(int result) {
    EXPECT_EQ(result, -1);
    return TakeError();
  }

  static std::string ReprString(Object* v) {
    if (v == nullptr) return "<null: " + TakeError() + ">";
    Ref r = Repr(v);
    if (!r) return "<repr raised: " + TakeError() + ">";
    return std::string(StrView(r.get()));
  }
  static std::string StrString(Object* v) {
    Ref r = StrOf(v);
    if (!r) return "<str raised: " + TakeError() + ">";
    return std::string(StrView(r.get()));
  }

  static Ref Builtin(std::string_view name) { return DictGet(BuiltinsDict(), InternStr(name).get()); }
  static Ref CallBuiltin(std::string_view name, std::initializer_list<Object*> args) {
    Ref fn = Builtin(name);
    EXPECT_TRUE(fn) << "no builtin " << name;
    if (!fn) return {};
    return Call(fn.get(), std::span<Object* const>(args.begin(), args.size()));
  }
  static Ref CallMethodOf(Object* obj, std::string_view name, std::initializer_list<Object*> args) {
    Ref fn = LookupBuiltinMethod(obj, InternStr(name).get());
    EXPECT_TRUE(fn) << "no method " << name << " on " << TypeName(obj);
    if (!fn) return {};
    std::vector<Object*> all{obj};
    all.insert(all.end(), args.begin(), args.end());
    return Call(fn.get(), all);
  }

  static Ref I(std::int64_t v) { return Int(v); }
  static Ref F(double v) { return Float(v); }
  static Ref S(std::string_view v) { return Str(v); }
  static Ref L(std::initializer_list<Object*> items) {
    Ref list = List();
    for (Object* item : items) ListAppend(list.get(), item);
    return list;
  }
  static Ref T(std::initializer_list<Object*> items) { return Tuple(items); }

 private:
  std::unique_ptr<ThreadAttach> attach_;
  std::int64_t live_before_ = 0;
};

}  // namespace interp::testing
FTB_NAMESPACE_END
