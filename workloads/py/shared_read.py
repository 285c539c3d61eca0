# category: contention
# size: 12000
# validate-size: 4
# description: all threads read one list, one dict and one instance: only reference counts are written
# origin: CPython issues on shared objects (a shared instance's attribute 25x slower on 18 threads)
#
# Nothing is written but reference counts: every load of an item, a value or an attribute of the
# shared objects takes a reference to an object every thread loads.

ITERS = 100
MODULUS = 1000000007


class Config:
    def __init__(self):
        self.scale = 3
        self.offset = 7
        self.name = "config"


def setup(threads, size, scaling):
    items = []
    for i in range(64):
        items.append(i * 1000)
    table = {}
    for i in range(64):
        table["key" + str(i)] = i * 1000
    keys = []
    for i in range(64):
        keys.append("key" + str(i))
    return [items, table, Config(), keys]


def worker(state, index, begin, end):
    items = state[0]
    table = state[1]
    config = state[2]
    keys = state[3]
    total = 0
    for unit in range(begin, end):
        for i in range(ITERS):
            j = (i + unit) % 64
            total += items[j] + table[keys[j]] + config.scale * config.offset
        total = total % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
