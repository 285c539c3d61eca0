"""The statistics of `ftbench compare` (docs/compare.md), written out here: no scipy.

- median(), geometric_mean(), robust_cv() (a cell's spread, for compare's noise bound)
- mann_whitney(x, y): two-sided Mann-Whitney U test. Exact p-value (the U distribution counted)
  when neither sample has ties and the samples are small (n_x * n_y <= EXACT_MAX_PRODUCT); else
  the normal approximation with the tie correction of the variance and a continuity correction.
- holm(p_values): Holm-Bonferroni adjusted p-values (step-down, monotone).
- bootstrap_ratio_ci(base, new, seed): percentile bootstrap interval of median(new) / median(base),
  resampling each sample on its own, from a seeded generator (the same input gives the same
  interval on every run and machine).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Exact p-values up to 20 x 20 repetitions (400 = n_x * n_y): the counting below is
# O((n_x * n_y)^2) small-integer additions, a few milliseconds at that size.
EXACT_MAX_PRODUCT = 400
BOOTSTRAP_RESAMPLES = 2000


def median(values) -> float:
    s = sorted(float(v) for v in values)
    if not s:
        raise ValueError("median of no values")
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def robust_cv(values) -> float:
    """1.4826 * median absolute deviation / median: the coefficient of variation a normal sample
    would have, from statistics that one slow outlier repetition cannot move."""
    m = median(values)
    if m <= 0:
        raise ValueError("robust_cv needs a positive median")
    return 1.4826 * median(abs(float(v) - m) for v in values) / m


def geometric_mean(values) -> float:
    vals = [float(v) for v in values]
    if not vals or any(v <= 0 for v in vals):
        raise ValueError("geometric mean needs positive values")
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


@dataclass(frozen=True)
class MannWhitney:
    u: float        # U of the first sample (x): the number of pairs (x_i, y_j) with x_i > y_j, ties 1/2
    p: float        # two-sided p-value
    method: str     # "exact" or "normal"


def ranks(values) -> list:
    """1-based ranks, ties sharing the mean of their positions (midranks)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = rank
        i = j + 1
    return result


@lru_cache(maxsize=None)
def u_distribution(m: int, n: int) -> tuple:
    """counts[u] = the number of the C(m+n, m) orderings of m x's and n y's (no ties) whose U is u.

    The recurrence on the largest value: it is an x (adding n to U, since it beats every y) or a
    y: c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1), with c(0; 0, n) = c(0; m, 0) = 1.
    """
    if m == 0 or n == 0:
        return (1,)
    with_x = u_distribution(m - 1, n)   # largest is an x: U shifts up by n
    with_y = u_distribution(m, n - 1)   # largest is a y: U unchanged
    counts = [0] * (m * n + 1)
    for u, c in enumerate(with_y):
        counts[u] += c
    for u, c in enumerate(with_x):
        counts[u + n] += c
    return tuple(counts)


def exact_two_sided_p(u: float, m: int, n: int) -> float:
    """2 * P(U <= min(u, mn - u)) under the null, capped at 1 (the U distribution is symmetric)."""
    counts = u_distribution(m, n)
    low = min(u, m * n - u)
    tail = sum(counts[: int(math.floor(low)) + 1])
    return min(1.0, 2.0 * tail / math.comb(m + n, m))


def mann_whitney(x, y) -> MannWhitney:
    """Two-sided Mann-Whitney U test of x against y (x = base, y = new in compare)."""
    x, y = [float(v) for v in x], [float(v) for v in y]
    m, n = len(x), len(y)
    if m == 0 or n == 0:
        raise ValueError("Mann-Whitney needs two non-empty samples")
    r = ranks(x + y)
    u = sum(r[:m]) - m * (m + 1) / 2
    total = m + n
    tie_sizes = _tie_sizes(x + y)
    if not tie_sizes and m * n <= EXACT_MAX_PRODUCT:
        return MannWhitney(u, exact_two_sided_p(u, m, n), "exact")
    tie_term = sum(t ** 3 - t for t in tie_sizes)
    variance = m * n / 12.0 * ((total + 1) - tie_term / (total * (total - 1)))
    if variance <= 0:  # every value equal: no evidence of a difference
        return MannWhitney(u, 1.0, "normal")
    z = max(0.0, abs(u - m * n / 2.0) - 0.5) / math.sqrt(variance)
    return MannWhitney(u, min(1.0, math.erfc(z / math.sqrt(2.0))), "normal")


def _tie_sizes(values) -> list:
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return [c for c in counts.values() if c > 1]


def min_attainable_p(m: int, n: int) -> float:
    """The smallest two-sided p-value mann_whitney can return for samples of these sizes
    (complete separation, no ties): how much evidence m vs n repetitions can give at best."""
    if m * n <= EXACT_MAX_PRODUCT:
        return min(1.0, 2.0 / math.comb(m + n, m))
    variance = m * n * (m + n + 1) / 12.0
    z = (m * n / 2.0 - 0.5) / math.sqrt(variance)
    return math.erfc(z / math.sqrt(2.0))


def holm(p_values) -> list:
    """Holm-Bonferroni adjusted p-values, in the input order.

    Sorted ascending p_(1) <= ... <= p_(k): adjusted p_(i) = max over j <= i of (k - j + 1) p_(j),
    capped at 1. Rejecting where the adjusted p <= alpha controls the family-wise error rate at
    alpha over all k tests.
    """
    k = len(p_values)
    order = sorted(range(k), key=lambda i: p_values[i])
    adjusted = [0.0] * k
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (k - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def bootstrap_ratio_ci(base, new, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                       level: float = 0.95) -> tuple:
    """Percentile bootstrap interval of median(new) / median(base)."""
    b = np.asarray(base, dtype=float)
    n = np.asarray(new, dtype=float)
    rng = np.random.Generator(np.random.PCG64(seed))
    mb = np.median(b[rng.integers(0, len(b), size=(resamples, len(b)))], axis=1)
    mn = np.median(n[rng.integers(0, len(n), size=(resamples, len(n)))], axis=1)
    ratios = mn / mb
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(ratios, [tail, 100.0 - tail])
    return float(low), float(high)
