# category: cpu
# size: 1024
# validate-size: 4
# description: matmul after each thread copies its inputs into new floats; rows published at the end
# origin: the core developers' advice: keep hot objects thread-private, combine at the end
#
# The same rows as matmul.py, after the worker copies A and B into fresh lists of fresh floats
# (x + 0.0 makes a new float; list(row) would still share the floats). The copy is timed. Rows
# are computed into private lists and published into the shared result at the end.

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
    a = [[x + 0.0 for x in row] for row in state[0]]
    b = [[x + 0.0 for x in row] for row in state[1]]
    mine = [[0.0] * N for i in range(N)]
    done = []
    for unit in range(begin, end):
        row = unit % N
        matrix_multiply(a, b, mine, row)
        done.append(row)
    shared = state[2]
    for row in done:
        shared[row] = mine[row]
    return end - begin


def finish(state, results):
    total = sum(results)
    result = state[2]
    for i in range(N):
        row = result[i]
        for j in range(N):
            total = (total + int(row[j] * 64.0) * (i * N + j + 1)) % MODULUS
    return total
