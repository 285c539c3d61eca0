# category: io
# size: 100000
# validate-size: 20
# fds-per-thread: 2
# description: write then read back a short message on the thread's own pipe (never blocks)
# origin: short system calls that release and retake the lock
#
# Each call releases the lock around the system call and takes it back: cheap without a
# global lock, a hand-off under one. (ftbench's interpreter has no bytes type: its str.encode
# returns the str and os.read returns a str; only lengths are used here, so CPython agrees.)

import os

MODULUS = 1000000007


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    fds = os.pipe()
    r = fds[0]
    w = fds[1]
    total = 0
    try:
        for unit in range(begin, end):
            message = ("unit " + str(unit)).encode()
            os.write(w, message)
            data = os.read(r, 64)
            total = (total + len(data) * 7 + unit) % MODULUS
    finally:
        os.close(r)
        os.close(w)
    return total


def finish(state, results):
    return sum(results) % MODULUS
