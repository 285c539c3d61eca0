# category: cpu
# size: 3000
# validate-size: 4
# description: call a small module-level function in a loop
# origin: CPython Tools/ftscalingbench pyfunction_call
#
# The function is shared by every thread: each call loads it from the module's globals.

ITERS = 1000
MODULUS = 1000000007


def add_one(x):
    return x + 1


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        x = 0
        for i in range(ITERS):
            x = add_one(x)
        total = (total + x + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
