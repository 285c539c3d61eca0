"""The comparison chart of ftbench compare (--chart): new / base median wall time per workload,
variant and thread count, drawn from a Comparison (ftbplots/compare.py).

A bar is a cell's ratio of medians and its error bar the cell's bootstrap 95% interval of that
ratio (CellResult.ci_low, ci_high): the numbers of the table's "new/base" and "95% CI" columns,
not a second computation. A cell with fewer than 2 repetitions on a side has no interval and is
drawn without an error bar.
"""
from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from . import compare
from .charts import _bar_offsets, _finish, _grid, _legend_outside, save, variant_colour
from .results import Results, ResultsError, load


def comparison_table(cmp: compare.Comparison) -> dict:
    """workload -> variant -> [(threads, CellResult)], workloads and variants in the comparison's
    order (the new results')."""
    table = {}
    for cell in cmp.cells:
        table.setdefault(cell.workload, {}).setdefault(cell.variant, []).append((cell.threads, cell))
    return table


def comparison_chart(base_results, new_results, out_path, comparison=None) -> Figure:
    """Base against new per workload: new / base median time per variant and thread count.

    base_results and new_results are Results or paths to results directories or files; out_path's
    suffix (.png, .svg) picks the format. `comparison` is their Comparison when the caller has it
    (ftbench compare); without it the two are compared here (differences in machine or parameters
    allowed, as the chart only draws them). Returns the Figure.
    """
    base, new = _as_results(base_results), _as_results(new_results)
    cmp = comparison or compare.compare(base, new, allow_mismatch=True, allow_inconclusive=True)
    if cmp.measure != "time":
        raise ResultsError("the comparison chart draws wall times; these are "
                                   f"{compare.MEASURES[cmp.measure]}")
    table = comparison_table(cmp)
    fig, axes = _grid(len(table), 3.8, 3.2, max_cols=3)
    variants = list(dict.fromkeys(c.variant for c in cmp.cells))
    for ax, (workload, by_variant) in zip(axes, table.items()):
        _plot_comparison(ax, workload, by_variant, [v for v in variants if v in by_variant])
    _legend_outside(axes[min(len(axes), 3) - 1], fontsize=7)  # right of the first row
    caption = f"base: {base.machine_caption()}\nnew: {new.machine_caption()}"
    _finish(fig, "New against base: ratio of median wall times (error bars: bootstrap 95% CI)",
            caption)
    save(fig, Path(out_path))
    return fig


def _plot_comparison(ax, workload: str, by_variant: dict, variants: list) -> None:
    threads = sorted({n for points in by_variant.values() for n, _ in points})
    offsets, width = _bar_offsets(len(variants))
    for offset, variant in zip(offsets, variants):
        points = dict(by_variant[variant])
        xs = [i + offset for i, n in enumerate(threads) if n in points]
        cells = [points[n] for n in threads if n in points]
        below = [c.ratio - c.ci_low if c.ci_low is not None else 0.0 for c in cells]
        above = [c.ci_high - c.ratio if c.ci_high is not None else 0.0 for c in cells]
        ax.bar(xs, [c.ratio - 1 for c in cells], width, bottom=1, color=variant_colour(variant),
               label=variant, yerr=[below, above], capsize=2, ecolor="0.2")
    ax.axhline(1.0, color="0.2", linewidth=1)
    ax.set_xticks(range(len(threads)), threads)
    ax.set_xlabel("threads")
    ax.set_ylabel("new / base time (×; < 1 faster)", fontsize=8)
    ax.set_title(workload, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def _as_results(value) -> Results:
    return value if isinstance(value, Results) else load(value)
