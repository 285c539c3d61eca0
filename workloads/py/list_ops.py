# category: cpu
# size: 12000
# validate-size: 4
# description: append, index, sort and pop on a private list of ints
# origin: ftscalingbench's list pop/append/index pattern on thread-private lists
#
# Each unit builds its own list; its lock is uncontended, its items owner-local.

LENGTH = 64
MODULUS = 1000000007


def list_work(unit):
    items = []
    for i in range(LENGTH):
        items.append((i * 7919 + unit) % 1009)
    total = 0
    for i in range(LENGTH):
        total += items[i] * i
    items.sort()
    total += items.index(items[LENGTH // 2])
    items.extend([1, 2, 3])
    items.insert(0, unit % 10)
    while len(items) > LENGTH // 2:
        total += items.pop()
    return total + items[-1]


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + list_work(unit) * 17 + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
