# category: cpu
# size: 800
# validate-size: 4
# description: n-body simulation on lists of floats: every float operation allocates a new float
# origin: pyperformance bm_nbody (the benchmarks game)
#
# Each unit builds its own five-body system (thread-private lists of new floats), advances it STEPS
# steps and reports its energy. The checksum is exact: IEEE double arithmetic in the same order
# gives the same bits in CPython and in ftbench.

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
STEPS = 40
MODULUS = 1000000007

BODIES = [
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS],
    [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS],
    [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS],
    [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS],
    [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS],
]


def make_system(unit):
    # Every float of the system is a new one, made by this thread (x + 0.0 is x, bit for bit, for
    # every value here): BODIES' floats were made by the thread that ran the module, so in the
    # free-threaded variants (and CPython's free-threaded build) each read of one by a worker
    # would be an atomic count change on an object the worker does not own.
    system = []
    shift = (unit % 7) * 0.001
    for body in BODIES:
        system.append([body[0] + shift, body[1] + 0.0, body[2] + 0.0, body[3] + 0.0, body[4] + 0.0,
                       body[5] + 0.0, body[6] + 0.0])
    return system


def advance(system, dt, steps):
    n = len(system)
    for step in range(steps):
        for i in range(n):
            b1 = system[i]
            for j in range(i + 1, n):
                b2 = system[j]
                dx = b1[0] - b2[0]
                dy = b1[1] - b2[1]
                dz = b1[2] - b2[2]
                mag = dt * ((dx * dx + dy * dy + dz * dz) ** (-1.5))
                m1 = b1[6] * mag
                m2 = b2[6] * mag
                b1[3] -= dx * m2
                b1[4] -= dy * m2
                b1[5] -= dz * m2
                b2[3] += dx * m1
                b2[4] += dy * m1
                b2[5] += dz * m1
        for body in system:
            body[0] += dt * body[3]
            body[1] += dt * body[4]
            body[2] += dt * body[5]


def energy(system):
    e = 0.0
    n = len(system)
    for i in range(n):
        b1 = system[i]
        e += 0.5 * b1[6] * (b1[3] * b1[3] + b1[4] * b1[4] + b1[5] * b1[5])
        for j in range(i + 1, n):
            b2 = system[j]
            dx = b1[0] - b2[0]
            dy = b1[1] - b2[1]
            dz = b1[2] - b2[2]
            e -= (b1[6] * b2[6]) / ((dx * dx + dy * dy + dz * dz) ** 0.5)
    return e


def setup(threads, size, scaling):
    return None


def worker(state, index, begin, end):
    total = 0
    for unit in range(begin, end):
        system = make_system(unit)
        advance(system, 0.01, STEPS)
        total = (total + int(energy(system) * -1000000000.0) + unit) % MODULUS
    return total


def finish(state, results):
    return sum(results) % MODULUS
