"""ftbplots/stats.py: scipy's statistics against the hand-written cross-checks, and both against
values computed by hand (the same values tests/statistics/statistics_test.cc checks in C++)."""
import math
import random

import pytest

from ftbplots import stats


def random_samples(rng: random.Random, ties: bool) -> list:
    n = rng.randint(2, 25)
    if ties:  # few distinct values: ties across and within samples
        return [float(rng.randint(1, 6)) for _ in range(n)]
    return [rng.lognormvariate(0, 0.3) for _ in range(n)]


@pytest.mark.parametrize("ties", [False, True])
def test_scipy_mann_whitney_equals_the_hand_written_one(ties):
    rng = random.Random(20261201 + ties)
    methods = set()
    for _ in range(150):
        x, y = random_samples(rng, ties), random_samples(rng, ties)
        got, want = stats.mann_whitney(x, y), stats.mann_whitney_by_hand(x, y)
        assert got.method == want.method
        assert got.u == want.u
        assert got.p == pytest.approx(want.p, rel=1e-9, abs=1e-15)
        methods.add(got.method)
    assert methods == ({"normal"} if ties else {"exact", "normal"})  # both paths were crossed


def test_scipy_bootstrap_equals_the_hand_written_one_digit_for_digit():
    rng = random.Random(7)
    for seed in range(20):
        base, new = random_samples(rng, False), random_samples(rng, seed % 2 == 0)
        assert (stats.bootstrap_ratio_ci(base, new, seed)
                == stats.bootstrap_ratio_ci_by_hand(base, new, seed))


def test_median_robust_cv_and_geometric_mean_equal_their_hand_written_versions():
    rng = random.Random(11)
    for _ in range(100):
        x = random_samples(rng, rng.random() < 0.5)
        assert stats.median(x) == pytest.approx(stats.median_by_hand(x), rel=1e-15)
        assert stats.robust_cv(x) == pytest.approx(stats.robust_cv_by_hand(x), rel=1e-12, abs=1e-15)
        assert stats.geometric_mean(x) == pytest.approx(stats.geometric_mean_by_hand(x), rel=1e-12)


def test_percentile_interpolates_between_closest_ranks():
    x = [40, 10, 30, 20]
    assert stats.percentile(x, 0) == 10 and stats.percentile(x, 100) == 40
    assert stats.percentile(x, 50) == 25 == stats.median(x)
    assert stats.percentile(x, 90) == pytest.approx(37)   # rank 0.9 * 3 = 2.7: 30 + 0.7 * 10
    assert stats.percentile(x, 25) == pytest.approx(17.5)
    assert stats.median([4, 1, 3, 2, 10]) == 3


def test_coefficients_of_variation_by_hand():
    # sample variance of 4 1 3 2 10 (mean 4): (0 + 9 + 1 + 4 + 36) / 4 = 12.5
    assert stats.sample_cv([4, 1, 3, 2, 10]) == pytest.approx(math.sqrt(12.5) / 4)
    assert stats.sample_cv([7]) == 0.0
    # median 10, absolute deviations 2 1 0 1 40 -> MAD 1: one outlier moves nothing
    assert stats.robust_cv([8, 9, 10, 11, 50]) == pytest.approx(1.4826 / 10)
    assert stats.robust_cv([5, 5, 5]) == 0.0


def test_geometric_mean_policy():
    assert stats.geometric_mean([1, 4]) == pytest.approx(2.0)
    for bad in ([], [1, 0], [2, -1]):
        with pytest.raises(ValueError):
            stats.geometric_mean(bad)
    # Charts and the report's table: a missing or zero ratio is a cell without a measurement.
    assert stats.geometric_mean_of_positive([1, None, 0, 4]) == pytest.approx(2.0)
    assert stats.geometric_mean_of_positive([None, 0]) is None


def test_bad_input_raises_value_error():
    for call in (lambda: stats.median([]), lambda: stats.percentile([1], 101),
                 lambda: stats.percentile([1], -1), lambda: stats.mann_whitney([], [1]),
                 lambda: stats.robust_cv([0, 0, 0])):
        with pytest.raises(ValueError):
            call()
