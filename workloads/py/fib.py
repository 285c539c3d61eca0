# category: cpu
# size: 250
# validate-size: 4
# description: recursive Fibonacci: every call a Python call of one shared module-level function
# origin: nogil 3.9 README (fib on 20 cores)
#
# Each unit computes fib(DEPTH). The function is a module global shared by every thread: each
# call loads it (LOAD_GLOBAL) and calls it, which writes its reference count unless the
# interpreter holds it as a deferred reference (CPython 3.14t) or made it immortal (3.13t).

DEPTH = 20
MODULUS = 1000000007


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + fib(DEPTH) * 7 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
