# category: contention
# size: 3000
# validate-size: 4
# description: all threads compare with one shared module-level str made at run time (a mortal object)
# origin: CPython issues on shared constants and module globals
#
# SHARED is built at import time, so it is neither a code constant nor interned: every load of
# it from the module's globals takes a reference every thread takes. Compare with
# load_string_const.py, where the string is a code constant.

ITERS = 1000
MODULUS = 1000000007
SHARED = "".join(["shared ", "string"])


def count(words):
    n = 0
    for i in range(ITERS):
        if words[i % 3] == SHARED:
            n += 1
    return n


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    words = ["shared " + "string", "other", "shared"]
    total = 0
    for unit in range(begin, end):
        total = (total + count(words) + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
