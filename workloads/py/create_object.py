# category: cpu
# size: 2000
# validate-size: 4
# description: o = MyObject() in a loop: instances of one shared class
# origin: CPython Tools/ftscalingbench create_pyobject
#
# Every instance references the class: in CPython 3.13t that is an atomic write to the class's
# shared count per instance (the class was made immortal when the first thread started instead);
# 3.14t counts it in a per-thread array.

ITERS = 1000
MODULUS = 1000000007


class MyObject:
    pass


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        for i in range(ITERS):
            o = MyObject()
        total = (total + unit * 3 + 1) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
