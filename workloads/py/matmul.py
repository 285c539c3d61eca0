# category: cpu-shared
# size: 1024
# validate-size: 4
# description: the free-threading introductions' matmul: each thread computes rows of C from shared A and B
# origin: the article's matrix_multiply (one row per call, shared lists of lists)
#
# A, B and the result are lists of lists of floats shared by every thread, exactly as the
# example writes them; a unit computes row (unit % N) with the example's function, unchanged.
# Every a[row] and b[k] load writes the count of a list every thread loads: on CPython 3.13t
# this pattern anti-scales. Entries are multiples of 1/8, so every sum is exact.

N = 64
MODULUS = 1000000007


def matrix_multiply(a, b, result, row):
    for j in range(len(b[0])):
        total = 0
        for k in range(len(b)):
            total += a[row][k] * b[k][j]
        result[row][j] = total


def make_matrix(n, seed):
    m = []
    for i in range(n):
        row = []
        for k in range(n):
            row.append(((i * 31 + k * 17 + seed) % 97) / 8.0)
        m.append(row)
    return m


def setup(threads, size, scaling):
    result = []
    for i in range(N):
        result.append([0.0] * N)
    return [make_matrix(N, 1), make_matrix(N, 2), result]


def worker(state, index, begin, end):
    a = state[0]
    b = state[1]
    result = state[2]
    for unit in range(begin, end):
        matrix_multiply(a, b, result, unit % N)
    return end - begin


def finish(state, results):
    total = sum(results)
    result = state[2]
    for i in range(N):
        row = result[i]
        for j in range(N):
            total = (total + int(row[j] * 64.0) * (i * N + j + 1)) % MODULUS
    return total
