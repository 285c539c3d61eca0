# category: mixed
# size: 150
# validate-size: 4
# description: object work then a blocking wait per unit (about half CPU, half blocked)
# origin: services that compute, then wait on I/O
#
# Under a global lock scaling is bounded by the CPU share; without one the CPU parts overlap too.

import time

WORK = 3000
SECONDS = 0.002
MODULUS = 1000000007


def compute(unit):
    total = 0
    for i in range(WORK):
        total += (i * unit) % 7
    return total


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        total = (total + compute(unit)) % MODULUS
        time.sleep(SECONDS)
    return total


def finish(state, results):
    return sum(results) % MODULUS
