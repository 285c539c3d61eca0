// The built-in exception classes: the hierarchy, matching, raising and fetching, messages.
#include <thread>

#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Errors = ObjectsTest;

TypeObject* Cls(ExcType t) { return static_cast<TypeObject*>(ExceptionClass(t)); }

TEST_F(Errors, HierarchyMatchesCPython) {
  struct Case {
    ExcType cls, base;
  };
  const Case chain[] = {
      {ExcType::kException, ExcType::kBaseException},      {ExcType::kArithmeticError, ExcType::kException},
      {ExcType::kZeroDivisionError, ExcType::kArithmeticError}, {ExcType::kOverflowError, ExcType::kArithmeticError},
      {ExcType::kLookupError, ExcType::kException},        {ExcType::kIndexError, ExcType::kLookupError},
      {ExcType::kKeyError, ExcType::kLookupError},         {ExcType::kTypeError, ExcType::kException},
      {ExcType::kValueError, ExcType::kException},         {ExcType::kAttributeError, ExcType::kException},
      {ExcType::kNameError, ExcType::kException},          {ExcType::kUnboundLocalError, ExcType::kNameError},
      {ExcType::kAssertionError, ExcType::kException},     {ExcType::kRuntimeError, ExcType::kException},
      {ExcType::kRecursionError, ExcType::kRuntimeError},  {ExcType::kNotImplementedError, ExcType::kRuntimeError},
      {ExcType::kStopIteration, ExcType::kException},      {ExcType::kOSError, ExcType::kException},
      {ExcType::kImportError, ExcType::kException},
  };
  EXPECT_EQ(Cls(ExcType::kBaseException)->base, nullptr);
  for (const Case& c : chain) {
    EXPECT_EQ(Cls(c.cls)->base, Cls(c.base)) << Cls(c.cls)->name;
    EXPECT_TRUE(IsSubclass(Cls(c.cls), Cls(ExcType::kBaseException)));
    EXPECT_TRUE(IsExceptionClass(Cls(c.cls)));
  }
  EXPECT_TRUE(IsSubclass(Cls(ExcType::kZeroDivisionError), Cls(ExcType::kException)));
  EXPECT_FALSE(IsSubclass(Cls(ExcType::kException), Cls(ExcType::kZeroDivisionError)));
  EXPECT_FALSE(IsSubclass(Cls(ExcType::kKeyError), Cls(ExcType::kIndexError)));
  EXPECT_STREQ(Cls(ExcType::kUnboundLocalError)->name, "UnboundLocalError");
  EXPECT_FALSE(IsExceptionClass(&g_int_type));
  EXPECT_FALSE(IsExceptionInstance(g_small_ints.data()));
}

TEST_F(Errors, ClassesAreImmortalAndMadeOnce) {
  Object* cls = ExceptionClass(ExcType::kValueError);
  EXPECT_TRUE(IsImmortal(cls));
  EXPECT_TRUE(IsImmortal(Cls(ExcType::kValueError)->dict));
  InitInterpreter();  // idempotent
  EXPECT_EQ(ExceptionClass(ExcType::kValueError), cls);
  EXPECT_TRUE(IsImmortal(BuiltinsDict()));
  Ref in_builtins = DictGet(BuiltinsDict(), InternStr("ValueError").get());
  EXPECT_EQ(in_builtins.get(), cls);
}

TEST_F(Errors, RaiseFetchAndMatch) {
  EXPECT_FALSE(ErrorPending());
  Ref r = Raise(ExcType::kZeroDivisionError, "division by zero");
  EXPECT_FALSE(r);
  EXPECT_TRUE(ErrorPending());
  EXPECT_TRUE(PendingErrorMatches(ExcType::kZeroDivisionError));
  EXPECT_TRUE(PendingErrorMatches(ExcType::kArithmeticError));
  EXPECT_TRUE(PendingErrorMatches(ExcType::kException));
  EXPECT_FALSE(PendingErrorMatches(ExcType::kLookupError));
  Ref exc = FetchError();
  ASSERT_TRUE(exc);
  EXPECT_FALSE(ErrorPending());
  EXPECT_FALSE(PendingErrorMatches(ExcType::kException));
  EXPECT_TRUE(IsExceptionInstance(exc.get()));
  EXPECT_EQ(exc->type, Cls(ExcType::kZeroDivisionError));
  EXPECT_EQ(ExceptionMessage(exc.get()), "division by zero");
  Ref args = ExceptionArgs(exc.get());
  ASSERT_TRUE(args);
  EXPECT_EQ(ReprString(args.get()), "('division by zero',)");
  EXPECT_EQ(ReprString(exc.get()), "ZeroDivisionError('division by zero')");
  EXPECT_EQ(StrString(exc.get()), "division by zero");
}

TEST_F(Errors, MessagesAsCPythonPrintsThem) {
  // str(KeyError('a')) is the key's repr; str(ValueError(1, 2)) the args tuple; no args: "".
  Ref key = S("a");
  RaiseWithArg(ExcType::kKeyError, key.get());
  EXPECT_EQ(TakeError(), "KeyError: 'a'");
  Ref one = I(3);
  RaiseWithArg(ExcType::kKeyError, one.get());
  EXPECT_EQ(TakeError(), "KeyError: 3");
  Ref two = I(2);
  Ref cls_value_error = Ref::New(ExceptionClass(ExcType::kValueError));
  Ref exc = Call(cls_value_error.get(), {one.get(), two.get()});
  ASSERT_TRUE(exc);
  EXPECT_EQ(ExceptionMessage(exc.get()), "(3, 2)");
  EXPECT_EQ(ReprString(exc.get()), "ValueError(3, 2)");
  Ref empty = Call(cls_value_error.get(), std::span<Object* const>());
  EXPECT_EQ(ExceptionMessage(empty.get()), "");
  EXPECT_EQ(ReprString(empty.get()), "ValueError()");
  Raise(ExcType::kStopIteration, "");
  EXPECT_EQ(TakeError(), "StopIteration: ");
}

TEST_F(Errors, RaiseObjectTakesClassesAndInstances) {
  RaiseObject(ExceptionClass(ExcType::kRuntimeError));  // `raise RuntimeError`
  Ref exc = FetchError();
  ASSERT_TRUE(exc);
  EXPECT_EQ(exc->type, Cls(ExcType::kRuntimeError));
  EXPECT_EQ(ExceptionMessage(exc.get()), "");
  RaiseObject(exc.get());  // `raise e`: the same instance
  Ref again = FetchError();
  EXPECT_EQ(again.get(), exc.get());
  Ref not_exc = I(5);
  RaiseObject(not_exc.get());
  EXPECT_EQ(TakeError(), "TypeError: exceptions must derive from BaseException");
  RaiseObject(&g_int_type);
  EXPECT_EQ(TakeError(), "TypeError: exceptions must derive from BaseException");
}

TEST_F(Errors, UserSubclassesMatchTheirBases) {
  // class MyError(ValueError): pass
  Ref my = Class("MyError", {});
  static_cast<TypeObject*>(my.get())->base = Cls(ExcType::kValueError);
  EXPECT_TRUE(IsExceptionClass(my.get()));
  Ref msg = S("custom");
  Object* args[] = {msg.get()};
  Ref exc = CallClass(my.get(), args);  // __init__ found on BaseException's chain
  ASSERT_TRUE(exc) << TakeError();
  EXPECT_TRUE(IsExceptionInstance(exc.get()));
  RaiseObject(exc.get());
  EXPECT_TRUE(PendingErrorMatches(ExcType::kValueError));
  EXPECT_TRUE(PendingErrorMatches(ExcType::kException));
  EXPECT_FALSE(PendingErrorMatches(ExcType::kTypeError));
  EXPECT_EQ(TakeError(), "MyError: custom");
}

TEST_F(Errors, SubclassWithItsOwnInitKeepsTheCallArguments) {
  // class CodeError(Exception):
  //     def __init__(self, code): self.code = code
  // str(CodeError(5)) == '5' in CPython: BaseException.__new__ stored args.
  Ref init = Function("__init__", [](std::span<Object* const> args) {
    SetAttr(args[0], InternStr("code").get(), args[1]);
    return None();
  });
  Ref cls = Class("CodeError", {{"__init__", init.get()}});
  static_cast<TypeObject*>(cls.get())->base = Cls(ExcType::kException);
  Ref five = I(5);
  Object* args[] = {five.get()};
  Ref exc = CallClass(cls.get(), args);
  ASSERT_TRUE(exc) << TakeError();
  EXPECT_EQ(ExceptionMessage(exc.get()), "5");
  EXPECT_EQ(ReprString(exc.get()), "CodeError(5)");
  // `raise Sub` (a class) calls it with no arguments; its __init__ is ValueError's.
  Ref sub = Class("Sub", {});
  static_cast<TypeObject*>(sub.get())->base = Cls(ExcType::kValueError);
  RaiseObject(sub.get());
  EXPECT_TRUE(PendingErrorMatches(ExcType::kValueError));
  Ref raised = FetchError();
  ASSERT_TRUE(raised);
  EXPECT_EQ(raised->type, static_cast<TypeObject*>(sub.get()));
  Ref raised_args = ExceptionArgs(raised.get());
  ASSERT_TRUE(raised_args);
  EXPECT_EQ(TupleSize(raised_args.get()), 0u);
}

TEST_F(Errors, RaiseReplacesAPendingException) {
  Raise(ExcType::kValueError, "first");
  Raise(ExcType::kTypeError, "second");
  EXPECT_EQ(TakeError(), "TypeError: second");
}

TEST_F(Errors, ExceptionMessageKeepsThePendingException) {
  Raise(ExcType::kIndexError, "pending");
  Ref other = Ref::New(ExceptionClass(ExcType::kOSError));
  Ref text = S("boom");
  Ref exc = Call(other.get(), {text.get()});
  EXPECT_EQ(ExceptionMessage(exc.get()), "boom");
  EXPECT_EQ(TakeError(), "IndexError: pending");
}

TEST_F(Errors, InterpThreadIsPerThread) {
  Raise(ExcType::kValueError, "main");
  bool other_saw_error = true;
  std::thread t([&] {
    ThreadAttach attach;
    other_saw_error = ErrorPending();
    Raise(ExcType::kTypeError, "other");
    (void)FetchError();
  });
  {
    AllowThreads allow;  // gil: let the other thread run
    t.join();
  }
  EXPECT_FALSE(other_saw_error);
  EXPECT_EQ(TakeError(), "ValueError: main");
  EXPECT_EQ(CurrentInterpThread().depth, 0);
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
