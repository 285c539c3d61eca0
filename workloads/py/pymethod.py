# category: cpu
# size: 3000
# validate-size: 4
# description: call a method of a private instance of a shared class in a loop
# origin: CPython Tools/ftscalingbench pymethod
#
# The instance is the thread's own; the method is looked up on the shared class at every call.

ITERS = 1000
MODULUS = 1000000007


class Counter:
    def __init__(self):
        self.value = 0

    def bump(self, step):
        self.value += step
        return self.value


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    counter = Counter()
    total = 0
    for unit in range(begin, end):
        for i in range(ITERS):
            counter.bump(1)
        total = (total + counter.value % 1000 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
