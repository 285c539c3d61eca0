# category: cpu
# size: 3000
# validate-size: 4
# description: compare private strings with a string code constant in a loop
# origin: CPython Tools/ftscalingbench load_string_const
#
# The constant "this is a constant string" is interned; in CPython 3.13t before immortal
# interned constants it anti-scaled (1.8x slower), 3.14t scales it.

ITERS = 1000
MODULUS = 1000000007


def count_matches(words):
    n = 0
    for i in range(ITERS):
        if words[i % 4] == "this is a constant string":
            n += 1
    return n


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    words = ["this is a constant " + "string", "another string", "a third", "fourth"]
    total = 0
    for unit in range(begin, end):
        total = (total + count_matches(words) + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
