// The eval loop end to end, from Python source through the front end: one test per opcode family,
// results checked against what CPython computes, and exceptions with their tracebacks.
#include "eval_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

std::string TypeNameOfError(Module& m, const char* function) {
  try {
    m.Call(function, {});
  } catch (const PyException& e) {
    return e.type_name() + ": " + e.message();
  }
  return "no exception";
}

TEST_F(EvalTest, ArithmeticAndComparisons) {
  auto m = LoadSource(R"(
def ints():
    a = 7
    b = -3
    return [a + b, a - b, a * b, a // b, a % b, -a // 2, -a % 2, a ** 2, -a, a & 3, a | 8, a ^ 1, 1 << 10, 1024 >> 3]

def floats():
    x = 1.5
    y = 0.25
    return [x + y, x - y, x * y, x / y, 7 / 2, x + 1, 2 * y]

def compare(a, b):
    return [a < b, a <= b, a == b, a != b, a > b, a >= b, 1 < a < 10, a is b, a is not b]

def logic(a, b):
    return [a and b, a or b, not a, 3 in [1, 2, 3], 4 not in (1, 2)]

def overflow():
    big = 9223372036854775807
    return big + 1
)");
  EXPECT_EQ(CallStr(*m, "ints"), "[4, 10, -21, -3, -2, -4, 1, 49, -7, 3, 15, 6, 1024, 128]");
  EXPECT_EQ(CallStr(*m, "floats"), "[1.75, 1.25, 0.375, 6.0, 3.5, 2.5, 0.5]");
  Ref three = Int(3), five = Int(5);
  Ref r = m->Call("compare", {three.get(), five.get()});
  EXPECT_EQ(AsStr(StrOf(r.get()).get()), "[True, True, False, True, False, False, True, False, True]");
  Ref zero = Int(0);
  r = m->Call("logic", {zero.get(), five.get()});
  EXPECT_EQ(AsStr(StrOf(r.get()).get()), "[0, 5, True, True, True]");
  EXPECT_EQ(TypeNameOfError(*m, "overflow").substr(0, 13), "OverflowError");
}

TEST_F(EvalTest, GlobalsAndDefaults) {
  auto m = LoadSource(R"(
counter = 0
LIMIT = 3

def bump(step=1, times=2):
    global counter
    for _ in range(times):
        counter += step
    return counter

def read():
    return counter + LIMIT
)");
  EXPECT_EQ(CallInt(*m, "bump"), 2);
  EXPECT_EQ(CallInt(*m, "bump", {5}), 12);
  EXPECT_EQ(CallInt(*m, "bump", {1, 10}), 22);
  EXPECT_EQ(CallInt(*m, "read"), 25);
}

TEST_F(EvalTest, WrongArgumentCountsRaiseCPythonsMessages) {
  auto m = LoadSource(R"(
def two(a, b):
    return a

def opt(a, b=1):
    return a

def three(a, b, c):
    return a

def call_two_with_three():
    return two(1, 2, 3)

def call_opt_with_none():
    return opt()

def call_three_with_one():
    return three(1)

def call_three_with_none():
    return three()

class P:
    def __init__(self, x):
        self.x = x

def make_p():
    return P(1, 2)
)");
  EXPECT_EQ(TypeNameOfError(*m, "call_two_with_three"), "TypeError: two() takes 2 positional arguments but 3 were given");
  EXPECT_EQ(TypeNameOfError(*m, "call_opt_with_none"), "TypeError: opt() missing 1 required positional argument: 'a'");
  EXPECT_EQ(TypeNameOfError(*m, "call_three_with_one"),
            "TypeError: three() missing 2 required positional arguments: 'b' and 'c'");
  EXPECT_EQ(TypeNameOfError(*m, "call_three_with_none"),
            "TypeError: three() missing 3 required positional arguments: 'a', 'b', and 'c'");
  EXPECT_EQ(TypeNameOfError(*m, "make_p"), "TypeError: P.__init__() takes 2 positional arguments but 3 were given");
  Ref one = Int(1);
  EXPECT_THROW(m->Call("opt", {one.get(), one.get(), one.get()}), PyException);
}

TEST_F(EvalTest, ControlFlow) {
  auto m = LoadSource(R"(
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        elif n % 3 == 0:
            n = n * 3 + 1
        else:
            n = 3 * n + 1
        steps += 1
    return steps

def loops():
    out = []
    for i in range(10):
        if i == 2:
            continue
        if i == 6:
            break
        out.append(i)
    else:
        out.append(100)
    j = 0
    while True:
        j += 1
        if j > 3:
            break
    out.append(j)
    for k in range(10, 0, -3):
        pass
    out.append(k)
    return out
)");
  EXPECT_EQ(CallInt(*m, "collatz", {27}), 111);
  EXPECT_EQ(CallStr(*m, "loops"), "[0, 1, 3, 4, 5, 4, 1]");
}

TEST_F(EvalTest, Containers) {
  auto m = LoadSource(R"(
def lists():
    a = [1, 2, 3]
    a[0] = 10
    a[-1] += 5
    b = a[1:]
    c = a[:2]
    d = [x * x for x in range(5) if x % 2 == 0]
    a.append(4)
    a.extend([5, 6])
    p = a.pop()
    return [a, b, c, d, p, len(a), a[-2]]

def tuples():
    t = (1, "two", 3.0)
    x, y, z = t
    first, second = [y, x]
    x, y = y, x
    return (x, y, z, first, second, t[1:], len(t))

def dicts():
    d = {"a": 1, "b": 2}
    d["c"] = 3
    d["a"] += 10
    del d["b"]
    keys = [k for k in d]
    items = [(k, v) for k, v in d.items()]
    return [d, keys, items, "a" in d, "b" in d, d.get("z", 0), sorted(d.values())]

def strings():
    s = "hello"
    parts = "a,b,c".split(",")
    return [s + " world", s * 2, s[1], s[1:3], "-".join(parts), s.upper(), s.startswith("he"), len(s)]

def iterate():
    out = []
    for ch in "ab":
        out.append(ch)
    for i, v in enumerate([5, 6]):
        out.append(i + v)
    for a, b in zip([1, 2], (3, 4)):
        out.append(a * b)
    for t in (7, 8):
        out.append(t)
    return out
)");
  EXPECT_EQ(CallStr(*m, "lists"), "[[10, 2, 8, 4, 5], [2, 8], [10, 2], [0, 4, 16], 6, 5, 4]");
  EXPECT_EQ(CallStr(*m, "tuples"), "('two', 1, 3.0, 'two', 1, ('two', 3.0), 3)");
  EXPECT_EQ(CallStr(*m, "dicts"),
            "[{'a': 11, 'c': 3}, ['a', 'c'], [('a', 11), ('c', 3)], True, False, 0, [3, 11]]");
  EXPECT_EQ(CallStr(*m, "strings"), "['hello world', 'hellohello', 'e', 'el', 'a-b-c', 'HELLO', True, 5]");
  EXPECT_EQ(CallStr(*m, "iterate"), "['a', 'b', 5, 7, 3, 8, 7, 8]");
}

TEST_F(EvalTest, ClassesInstancesAndMethods) {
  auto m = LoadSource(R"(
class Point:
    dims = 2

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def moved(self, dx):
        return Point(self.x + dx, self.y)

class Point3(Point):
    dims = 3

    def __init__(self, x, y, z):
        Point.__init__(self, x, y)
        self.z = z

    def norm2(self):
        return Point.norm2(self) + self.z * self.z

class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next

def run():
    p = Point(3, 4)
    q = p.moved(1)
    bound = q.norm2
    r = Point3(1, 2, 3)
    head = None
    for i in range(5):
        head = Node(i, head)
    total = 0
    while head is not None:
        total += head.value
        head = head.next
    Point.dims = Point.dims + 10
    return [p.norm2(), bound(), r.norm2(), r.moved(1).x, Point.dims, Point3.dims, r.dims, total,
            isinstance(r, Point), isinstance(p, Point3)]

def missing():
    return Point(1, 2).z

class Bad:
    def __init__(self):
        return 5

def bad_init():
    return Bad()
)");
  EXPECT_EQ(CallStr(*m, "run"), "[25, 32, 14, 2, 12, 3, 3, 10, True, False]");
  EXPECT_EQ(TypeNameOfError(*m, "missing"), "AttributeError: 'Point' object has no attribute 'z'");
  EXPECT_EQ(TypeNameOfError(*m, "bad_init"), "TypeError: __init__() should return None, not 'int'");
}

TEST_F(EvalTest, ExceptionsCaughtRaisedAndReraised) {
  auto m = LoadSource(R"(
class MyError(ValueError):
    pass

def divide(a, b):
    return a / b

def catch():
    out = []
    try:
        divide(1, 0)
    except ZeroDivisionError as e:
        out.append("zde")
    try:
        [][1]
    except (KeyError, IndexError):
        out.append("index")
    try:
        {}["k"]
    except LookupError:
        out.append("lookup")
    try:
        raise MyError("mine")
    except ValueError as e:
        out.append(str(e))
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            raise
    except Exception:
        out.append("reraised")
    try:
        int("x")
    except:
        out.append("bare")
    return out

def uncaught():
    try:
        divide(1, 0)
    except KeyError:
        return 1

def raise_class():
    raise MyError
)", "exc.py");
  EXPECT_EQ(CallStr(*m, "catch"), "['zde', 'index', 'lookup', 'mine', 'reraised', 'bare']");
  EXPECT_FALSE(CurrentInterpThread().handled);
  try {
    m->Call("uncaught", {});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "ZeroDivisionError");
    EXPECT_EQ(e.message(), "division by zero");
    EXPECT_EQ(e.traceback(),
              "Traceback (most recent call last):\n"
              "  File \"exc.py\", line 41, in uncaught\n"
              "  File \"exc.py\", line 6, in divide\n"
              "ZeroDivisionError: division by zero");
  }
  EXPECT_EQ(TypeNameOfError(*m, "raise_class"), "MyError: ");
  EXPECT_FALSE(CurrentInterpThread().handled);
}

TEST_F(EvalTest, FinallyAssertNestedFunctionsAndHandledState) {
  auto m = LoadSource(R"(
G = 100

def fin():
    out = []
    for i in range(3):
        try:
            if i == 1:
                continue
            out.append(i)
        finally:
            out.append(10 + i)
    try:
        try:
            raise KeyError("k")
        finally:
            out.append("f")
    except KeyError as e:
        out.append(e.args)
    return out

def ret():
    try:
        return 1
    finally:
        pass

def check(x):
    assert x > 0, "must be positive"
    return x

def outer():
    def inner(a, b=2):
        return a * b + G
    return inner(3) + inner(1, 1)

def inner_handler():
    try:
        raise ValueError("a")
    except ValueError:
        return 1

def outer_handler():
    try:
        raise KeyError("b")
    except KeyError:
        inner_handler()
        raise

def check_negative():
    return check(-1)
)");
  EXPECT_EQ(CallStr(*m, "fin"), "[0, 10, 11, 2, 12, 'f', ('k',)]");
  EXPECT_EQ(CallInt(*m, "ret"), 1);
  EXPECT_EQ(CallInt(*m, "check", {5}), 5);
  EXPECT_EQ(TypeNameOfError(*m, "check_negative"), "AssertionError: must be positive");
  EXPECT_EQ(CallInt(*m, "outer"), 207);
  EXPECT_EQ(TypeNameOfError(*m, "outer_handler"), "KeyError: 'b'");
  EXPECT_FALSE(CurrentInterpThread().handled);
}

TEST_F(EvalTest, ErrorsInClassBodiesAndInitializers) {
  auto m = LoadSource(R"(
class Fails:
    def __init__(self, n):
        self.items = [1, 2]
        self.first = self.items[n]

def make(n):
    return Fails(n).first

def define_bad_class():
    class Bad:
        x = undefined_name
    return Bad
)", "cls.py");
  EXPECT_EQ(CallInt(*m, "make", {1}), 2);
  try {
    CallInt(*m, "make", {5});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "IndexError");
    EXPECT_EQ(e.traceback(),
              "Traceback (most recent call last):\n"
              "  File \"cls.py\", line 8, in make\n"
              "  File \"cls.py\", line 5, in __init__\n"
              "IndexError: list index out of range");
  }
  try {
    m->Call("define_bad_class", {});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "NameError");
    EXPECT_NE(e.traceback().find("line 12, in Bad"), std::string::npos) << e.traceback();
  }
}

TEST_F(EvalTest, ModuleLevelExceptionFailsLoadCleanly) {
  try {
    LoadSource("x = 1\ndef f():\n    return 1\ny = [1][3]\n", "bad.py");
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "IndexError");
    EXPECT_EQ(e.traceback(),
              "Traceback (most recent call last):\n"
              "  File \"bad.py\", line 4, in <module>\n"
              "IndexError: list index out of range");
  }
}

TEST_F(EvalTest, RecursionLimit) {
  auto m = LoadSource(R"(
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def down(n):
    return down(n + 1)

def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)
)");
  EXPECT_EQ(CallInt(*m, "fib", {20}), 6765);
  EXPECT_EQ(CallInt(*m, "depth", {900}), 900);
  Ref zero = Int(0);
  try {
    m->Call("down", {zero.get()});
    FAIL() << "no exception";
  } catch (const PyException& e) {
    EXPECT_EQ(e.type_name(), "RecursionError");
  }
  EXPECT_EQ(CurrentInterpThread().depth, 0);
  EXPECT_EQ(CallInt(*m, "depth", {900}), 900) << "the module works after a RecursionError";
}

TEST_F(EvalTest, ImportsAndBuiltins) {
  auto m = LoadSource(R"(
import time
from time import perf_counter

def elapsed():
    t0 = time.perf_counter()
    t1 = perf_counter()
    return t1 >= t0

def builtins():
    return [len([1, 2]), min(3, 1, 2), max([4, 9]), sum([1, 2, 3]), abs(-4), int("12"), float(2), str(5),
            list((1, 2)), tuple([3]), dict(), sorted([3, 1, 2]), bool(0)]

def bad_import():
    import nosuchmodule
)");
  Ref r = m->Call("elapsed", {});
  EXPECT_EQ(r.get(), &g_true);
  EXPECT_EQ(CallStr(*m, "builtins"), "[2, 1, 9, 6, 4, 12, 2.0, '5', [1, 2], (3,), {}, [1, 2, 3], False]");
  EXPECT_EQ(TypeNameOfError(*m, "bad_import").substr(0, 11), "ImportError");
}

TEST_F(EvalTest, ModuleNameIsNotMain) {
  auto m = LoadSource(R"(
ran_main = False
if __name__ == "__main__":
    ran_main = True

def name():
    return __name__

def flag():
    return ran_main
)", "dir/work.py");
  EXPECT_EQ(CallStr(*m, "name"), "work");
  EXPECT_EQ(CallStr(*m, "flag"), "False");
}

TEST_F(EvalTest, UnboundLocal) {
  auto m = LoadSource(R"(
def f():
    if False:
        x = 1
    return x
)");
  EXPECT_EQ(TypeNameOfError(*m, "f"),
            "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value");
}

TEST_F(EvalTest, CallsFromCppPassAndReturnObjects) {
  auto m = LoadSource(R"(
def setup(threads, size, scaling):
    return {"data": [i for i in range(size)], "threads": threads}

def worker(state, index, begin, end):
    data = state["data"]
    total = 0
    for i in range(begin, end):
        total += data[i]
    return total

def finish(state, results):
    return sum(results)
)");
  Ref threads = Int(2), size = Int(100), scaling = Str("strong");
  Ref state = m->Call("setup", {threads.get(), size.get(), scaling.get()});
  Ref zero = Int(0), begin = Int(0), end = Int(100);
  Ref result = m->Call("worker", {state.get(), zero.get(), begin.get(), end.get()});
  EXPECT_EQ(AsInt(result.get()), 4950);
  Ref results = List();
  ListAppend(results.get(), result.get());
  Ref checksum = m->Call("finish", {state.get(), results.get()});
  EXPECT_EQ(AsInt(checksum.get()), 4950);
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
