"""Change points in a cell's history: a shift that compare's statistics confirm between adjacent
windows of sweeps, not a single noisy sweep (docs/history.md, "Change points").

For a cell's sweeps in date order, at each boundary k with `window` sweeps on both sides, the
repetitions of the `window` sweeps before are pooled into one sample and those of the `window`
after into another, and the two are judged as `ftbench compare` judges a cell (compare.py,
docs/compare.md): the ratio of medians after / before must exceed the threshold (default 5%) and
the noise bound (noise_factor times the robust CV of the noisier pooled sample, which takes in the
sweep-to-sweep drift), and the two-sided Mann-Whitney U test (stats.mann_whitney) must give
p <= alpha. Adjacent boundaries that all pass are one change, placed at the boundary that best
splits the sweeps around them into two levels (_merge). A single slow sweep moves a pooled median of `window` sweeps little and is not
flagged; a step of the size compare flags, lasting `window` sweeps, is.

The false-alarm rate on pure noise (no step) is measured by plots/tests/test_history.py over many
synthetic series and stated in docs/history.md.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from . import stats
from .compare import DEFAULT_ALPHA, DEFAULT_NOISE_FACTOR, DEFAULT_THRESHOLD

DEFAULT_WINDOW = 5


@dataclass
class ChangePoint:
    index: int          # position (in the series given) of the first sweep after the change
    ratio: float        # median(after) / median(before); > 1: slower after
    p: float            # Mann-Whitney p-value of the pooled windows
    before: float       # pooled medians
    after: float
    noise: float        # robust CV of the noisier window

    @property
    def change(self) -> float:
        return self.ratio - 1


def change_points(samples, window: int = DEFAULT_WINDOW, threshold: float = DEFAULT_THRESHOLD,
                  alpha: float = DEFAULT_ALPHA, noise_factor: float = DEFAULT_NOISE_FACTOR) -> list:
    """samples[i]: the repetitions (positive numbers) of the i-th sweep, oldest first; an empty
    list or None where the sweep lacks the cell (skipped). Returns the ChangePoints, oldest first;
    their index is into samples."""
    present = [(i, list(s)) for i, s in enumerate(samples) if s]
    n = len(present)
    if window < 1 or n < 2 * window:
        return []
    medians = [statistics.median(s) for _, s in present]
    candidates = []
    for k in range(window, n - window + 1):
        # Cheap first: the pooled medians must differ beyond the threshold for any test to matter
        # (compare's first condition), so most boundaries of a steady series stop here.
        if not _may_differ(medians[k - window:k], medians[k:k + window], threshold):
            continue
        before = [v for _, s in present[k - window:k] for v in s]
        after = [v for _, s in present[k:k + window] for v in s]
        mb, ma = statistics.median(before), statistics.median(after)
        if mb <= 0:
            continue
        ratio = ma / mb
        if abs(ratio - 1) <= threshold:
            continue
        noise = max(stats.robust_cv(before), stats.robust_cv(after)) \
            if len(before) >= 3 and len(after) >= 3 else 0.0
        if abs(ratio - 1) <= noise_factor * noise:
            continue
        if len(before) < 2 or len(after) < 2:
            continue
        p = stats.mann_whitney(before, after).p
        if p <= alpha:
            candidates.append(ChangePoint(present[k][0], ratio, p, mb, ma, noise))
    return _merge(candidates, present, window)


def _may_differ(before_medians, after_medians, threshold) -> bool:
    """False when even the extreme sweep medians of the two windows are within the threshold:
    then the pooled medians are too (each lies between its window's extremes)."""
    lo_b, hi_b = min(before_medians), max(before_medians)
    lo_a, hi_a = min(after_medians), max(after_medians)
    return hi_a > lo_b * (1 + threshold) or lo_a < hi_b * (1 - threshold)


def _merge(candidates: list, present: list, window: int) -> list:
    """Boundaries closer than a window that shift the same way are one change. Its place: the
    boundary that splits the stretch around them best, the one that minimises the absolute
    deviations of the sweeps' log medians from the median of their side (a slow sweep among them
    counts the same for every choice, so it cannot pull the place)."""
    position = {i: k for k, (i, _) in enumerate(present)}
    groups = []
    for cp in candidates:
        last = groups[-1][-1] if groups else None
        if last and position[cp.index] - position[last.index] < window \
                and (cp.ratio > 1) == (last.ratio > 1):
            groups[-1].append(cp)
        else:
            groups.append([cp])
    logs = [math.log(statistics.median(s)) for _, s in present]
    merged = []
    for group in groups:
        lo = max(0, position[group[0].index] - window)
        hi = min(len(present), position[group[-1].index] + window)

        def cost(cp):
            k = position[cp.index]
            before, after = logs[lo:k], logs[k:hi]
            mb, ma = statistics.median(before), statistics.median(after)
            return sum(abs(v - mb) for v in before) + sum(abs(v - ma) for v in after)
        merged.append(min(group, key=cost))
    return merged
