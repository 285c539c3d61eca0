# category: cpu
# size: 8000
# validate-size: 4
# description: build a private dict of int and str keys, look keys up, delete half and iterate
# origin: pyperformance-style dict work on thread-private data
#
# Each unit builds a fresh dict (private to the thread), so in the free-threaded variants its
# lock is uncontended and its counts owner-local: the single-thread cost of free threading.

KEYS = 32
MODULUS = 1000000007


def churn(unit):
    d = {}
    for i in range(KEYS):
        d[i] = i * 3 + unit
        d["k" + str(i)] = i
    total = 0
    for i in range(KEYS):
        total += d[i] + d.get("k" + str(i), 0)
    for i in range(0, KEYS, 2):
        del d[i]
    for key, value in d.items():
        if isinstance(key, int):
            total += key * value
        else:
            total += len(key)
    return total + len(d)


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + churn(unit) * 31 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
