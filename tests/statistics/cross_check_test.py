#!/usr/bin/python3
"""C++ (statistics/statistics.h) and Python (plots/ftbplots/stats.py) agree on the same samples.

usage: cross_check_test.py STATISTICS_CROSS_CHECK_BINARY

Median, percentiles, the sample CV and the robust CV are deterministic: they must agree to
rounding (relative 1e-12). The bootstrap interval of a ratio of medians is computed by the same
method on both sides (percentile bootstrap, each sample resampled on its own, linear-interpolated
quantiles of the resampled ratios) but from different generators (std::mt19937_64 in C++, numpy's
PCG64 in Python), so the two intervals are two draws of one Monte Carlo estimate: with 20,000
resamples each endpoint must agree within a tenth of the interval's width (a different method -
the basic bootstrap, another confidence level, a mean instead of a median - misses by far more,
which the last check shows). Exit 0 when all agree, 1 with one line per disagreement.
"""
import json
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plots"))
from ftbplots import stats  # noqa: E402

PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 100]
SEED = 20261201
RESAMPLES = 20000
WIDTH_TOLERANCE = 0.10


def cases() -> list:
    rng = random.Random(SEED)
    out = [{"x": [10, 20, 30, 40], "y": [11, 22, 33, 44]},           # even count, exact ratio
           {"x": [8, 9, 10, 11, 50], "y": [9, 10, 11, 12, 13]},        # an outlier
           {"x": [5, 5, 5, 6], "y": [5, 6, 6, 6, 7]}]                  # ties
    for n in (3, 7, 10, 15, 20, 31):  # repetition counts a sweep uses, and more
        spread = rng.choice([0.01, 0.05, 0.2])
        x = [rng.lognormvariate(0, spread) * 12.5 for _ in range(n)]
        factor = rng.choice([0.9, 1.0, 1.1])
        y = [rng.lognormvariate(0, spread) * 12.5 * factor for _ in range(n + rng.randint(-2, 2))]
        out.append({"x": x, "y": y})
    return out


def close(a: float, b: float, rel: float = 1e-12, abs_: float = 1e-15) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def main() -> int:
    binary = sys.argv[1]
    todo = cases()
    request = {"seed": SEED, "resamples": RESAMPLES, "percentiles": PERCENTILES, "cases": todo}
    done = subprocess.run([binary], input=json.dumps(request), capture_output=True, text=True,
                          check=True)
    cpp = json.loads(done.stdout)
    assert len(cpp) == len(todo), (len(cpp), len(todo))
    failures, checked = [], 0

    def check(ok: bool, what: str) -> None:
        nonlocal checked
        checked += 1
        if not ok:
            failures.append(what)

    for i, (case, c) in enumerate(zip(todo, cpp)):
        x, y = case["x"], case["y"]
        check(close(c["median"], stats.median(x)), f"case {i}: median C++ {c['median']!r} "
              f"Python {stats.median(x)!r}")
        for p, got in zip(PERCENTILES, c["percentiles"]):
            want = stats.percentile(x, p)
            check(close(got, want), f"case {i}: p{p} C++ {got!r} Python {want!r}")
        check(close(c["sample_cv"], stats.sample_cv(x)),
              f"case {i}: sample CV C++ {c['sample_cv']!r} Python {stats.sample_cv(x)!r}")
        check(close(c["robust_cv"], stats.robust_cv(x)),
              f"case {i}: robust CV C++ {c['robust_cv']!r} Python {stats.robust_cv(x)!r}")
        ratio = stats.median(y) / stats.median(x)
        check(close(c["ratio"], ratio), f"case {i}: ratio C++ {c['ratio']!r} Python {ratio!r}")
        low, high = stats.bootstrap_ratio_ci(x, y, SEED, resamples=RESAMPLES)
        c_low, c_high = c["ratio_ci"]
        width = max(high - low, c_high - c_low)
        tolerance = WIDTH_TOLERANCE * width + 1e-12 * ratio
        check(abs(c_low - low) <= tolerance and abs(c_high - high) <= tolerance,
              f"case {i}: bootstrap interval C++ [{c_low:.6g}, {c_high:.6g}] Python "
              f"[{low:.6g}, {high:.6g}] (tolerance {tolerance:.3g})")
        check(c_low <= ratio <= c_high and low <= ratio <= high,
              f"case {i}: an interval misses its own estimate {ratio:.6g}")

    # The tolerance can tell methods apart: Python's 80% interval (instead of 95%) on a noisy
    # case falls outside it.
    x, y = todo[-1]["x"], todo[-1]["y"]
    low, high = stats.bootstrap_ratio_ci(x, y, SEED, resamples=RESAMPLES, level=0.80)
    c_low, c_high = cpp[-1]["ratio_ci"]
    check(abs(c_low - low) > WIDTH_TOLERANCE * (c_high - c_low),
          "the bootstrap tolerance is too loose: an 80% interval passed for a 95% one")

    for line in failures:
        print(f"DISAGREE: {line}")
    print(f"{checked - len(failures)} of {checked} checks agree ({len(todo)} cases)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
