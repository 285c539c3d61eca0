# category: io
# size: 300
# validate-size: 4
# description: time.sleep per unit, the lock released while asleep
# origin: I/O-bound code already runs concurrently under a global lock
#
# Pure blocking: every variant, the global-lock one included, overlaps the sleeps.

import time

SECONDS = 0.001
MODULUS = 1000000007


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        time.sleep(SECONDS)
        total = (total + unit * 3 + 1) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
