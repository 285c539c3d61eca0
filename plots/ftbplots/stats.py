"""The one Python implementation of ftbench's statistics (docs/statistics.md defines each one).

Every module of ftbplots (compare, report, charts, calibration, results) and micro/tools take
their statistics from here. Where scipy.stats has the statistic, it computes it; the hand-written
versions below stay as cross-checks (plots/tests/test_stats.py compares the two), and the C++
implementation (harness/statistics/statistics.h) is checked against this one on the same samples
(tests/statistics/cross_check_test.py).

- percentile(x, p): linear interpolation between closest ranks (numpy's default, as the C++
  Percentile); median(x) = percentile(x, 50).
- robust_cv(x): 1.4826 * median absolute deviation / median, ftbench's "CV" of a cell (the noise
  figure, compare's noise bound). sample_cv(x): sample SD / mean, Google Benchmark's cv, named so.
- geometric_mean(x): exp(mean(log x)) of positive values (scipy.stats.gmean).
- mann_whitney(x, y): two-sided Mann-Whitney U test (scipy.stats.mannwhitneyu). Exact p-value
  (the U distribution counted) when neither sample has ties and the samples are small
  (n_x * n_y <= EXACT_MAX_PRODUCT); else the normal approximation with the tie correction of the
  variance and a continuity correction.
- holm(p_values): Holm-Bonferroni adjusted p-values (step-down, monotone).
- bootstrap_ratio_ci(base, new, seed): percentile bootstrap interval of median(new) / median(base),
  resampling each sample on its own (scipy.stats.bootstrap, method "percentile"), from a seeded
  PCG64 generator: the same input gives the same interval on every run and machine.

numpy and scipy are imported on first use, so that importing this module costs nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

# Exact p-values up to 20 x 20 repetitions (400 = n_x * n_y).
EXACT_MAX_PRODUCT = 400
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_LEVEL = 0.95
# 1 / (the standard normal's 0.75 quantile), rounded as the C++ side has it: MAD * this is the
# standard deviation of a normal sample.
MAD_TO_SD = 1.4826


def _values(values, what: str) -> list:
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError(f"{what} of no values")
    return vals


def percentile(values, p: float) -> float:
    """The p-th percentile (0 <= p <= 100), linear interpolation between closest ranks."""
    import numpy as np
    vals = _values(values, "percentile")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside [0, 100]")
    return float(np.percentile(vals, p))


def median(values) -> float:
    return percentile(values, 50)


def robust_cv(values) -> float:
    """1.4826 * median absolute deviation / median: the coefficient of variation a normal sample
    would have, from statistics that one slow outlier repetition cannot move."""
    from scipy.stats import median_abs_deviation
    vals = _values(values, "robust_cv")
    m = median(vals)
    if m <= 0:
        raise ValueError("robust_cv needs a positive median")
    return MAD_TO_SD * float(median_abs_deviation(vals, scale=1.0)) / m


def sample_cv(values) -> float:
    """Sample standard deviation (n - 1) / mean: Google Benchmark's cv aggregate, the C++
    CoefficientOfVariation. 0 for fewer than two values or a zero mean."""
    import numpy as np
    vals = _values(values, "sample_cv")
    mean = float(np.mean(vals))
    if len(vals) < 2 or mean == 0:
        return 0.0
    return float(np.std(vals, ddof=1)) / mean


def geometric_mean(values) -> float:
    """exp(mean(log x)); ValueError for no values or a value <= 0."""
    from scipy.stats import gmean
    vals = [float(v) for v in values]
    if not vals or any(not v > 0 for v in vals):
        raise ValueError("geometric mean needs positive values")
    return float(gmean(vals))


def geometric_mean_of_positive(values) -> float | None:
    """The geometric mean of the values that are present and positive (a ratio is never <= 0:
    a missing or zero one is a cell without a measurement); None when none are."""
    vals = [float(v) for v in values if v is not None and v > 0]
    return geometric_mean(vals) if vals else None


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
    """Two-sided Mann-Whitney U test of x against y (x = base, y = new in compare), by
    scipy.stats.mannwhitneyu with the method chosen as mann_whitney_by_hand chooses it."""
    from scipy.stats import mannwhitneyu
    x, y = _values(x, "Mann-Whitney"), _values(y, "Mann-Whitney")
    m, n = len(x), len(y)
    if len(set(x + y)) == 1:  # every value equal: no evidence of a difference (scipy: 0 / 0)
        return MannWhitney(m * n / 2.0, 1.0, "normal")
    method = "exact" if not _tie_sizes(x + y) and m * n <= EXACT_MAX_PRODUCT else "normal"
    result = mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
                          method="exact" if method == "exact" else "asymptotic")
    return MannWhitney(float(result.statistic), min(1.0, float(result.pvalue)), method)


def mann_whitney_by_hand(x, y) -> MannWhitney:
    """The same test written out (the cross-check of mann_whitney): midranks, the exact U
    distribution by counting, or the normal approximation with tie and continuity corrections."""
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
                       level: float = BOOTSTRAP_LEVEL) -> tuple:
    """Percentile bootstrap interval of median(new) / median(base), by scipy.stats.bootstrap."""
    import numpy as np
    from scipy.stats import bootstrap
    b, n = np.asarray(_values(base, "bootstrap")), np.asarray(_values(new, "bootstrap"))
    if len(b) < 2 or len(n) < 2:  # scipy refuses a one-value sample; its resamples are itself
        return bootstrap_ratio_ci_by_hand(b, n, seed, resamples, level)
    result = bootstrap((b, n), _ratio_of_medians, n_resamples=resamples, method="percentile",
                       confidence_level=level, vectorized=True, paired=False,
                       random_state=np.random.Generator(np.random.PCG64(seed)))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _ratio_of_medians(base, new, axis=-1):
    import numpy as np
    return np.median(new, axis=axis) / np.median(base, axis=axis)


def bootstrap_ratio_ci_by_hand(base, new, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                               level: float = BOOTSTRAP_LEVEL) -> tuple:
    """The same interval written out (the cross-check of bootstrap_ratio_ci): all of base's
    resamples drawn first, then new's, from the one generator, as scipy draws them."""
    import numpy as np
    b = np.asarray(base, dtype=float)
    n = np.asarray(new, dtype=float)
    rng = np.random.Generator(np.random.PCG64(seed))
    mb = np.median(b[rng.integers(0, len(b), size=(resamples, len(b)))], axis=1)
    mn = np.median(n[rng.integers(0, len(n), size=(resamples, len(n)))], axis=1)
    ratios = mn / mb
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(ratios, [tail, 100.0 - tail])
    return float(low), float(high)


def median_by_hand(values) -> float:
    """The middle value, or the mean of the two middle ones (the cross-check of median)."""
    s = sorted(_values(values, "median"))
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def robust_cv_by_hand(values) -> float:
    """robust_cv written out (its cross-check)."""
    m = median_by_hand(values)
    if m <= 0:
        raise ValueError("robust_cv needs a positive median")
    return MAD_TO_SD * median_by_hand(abs(float(v) - m) for v in values) / m


def geometric_mean_by_hand(values) -> float:
    vals = [float(v) for v in values]
    if not vals or any(v <= 0 for v in vals):
        raise ValueError("geometric mean needs positive values")
    return math.exp(sum(math.log(v) for v in vals) / len(vals))
