# category: cpu
# size: 3000
# validate-size: 4
# description: d = {"key": "value"} in a loop: allocate and free small dicts
# origin: CPython Tools/ftscalingbench create_dict

ITERS = 1000
MODULUS = 1000000007


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        for i in range(ITERS):
            d = {"key": "value"}
        total = (total + len(d) + unit * 5) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
