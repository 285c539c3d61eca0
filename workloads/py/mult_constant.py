# category: cpu
# size: 6000
# validate-size: 4
# description: x *= 1.0001 in a loop: a new float per multiply, the factor a shared code constant
# origin: CPython Tools/ftscalingbench mult_constant
#
# The constant 1.0001 lives in the function's code object, which every thread runs: loading it
# writes its count unless code constants are immortal (CPython's free-threaded builds).

ITERS = 1000
MODULUS = 1000000007


def multiply():
    x = 1.0
    for i in range(ITERS):
        x *= 1.0001
    return x


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + int(multiply() * 1000000.0) + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
