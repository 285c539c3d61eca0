"""The charts of the report. Each chart function returns a matplotlib Figure (the tests inspect
its Axes); render_all() draws them all and writes one file per format.

Every variant has one colour and one marker everywhere (Okabe-Ito, safe for the common forms of
colour blindness; the markers keep lines apart in greyscale too). Every figure ends with a caption
naming the machine, the date and the commit of the results it shows.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts go to files only
from matplotlib.figure import Figure  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import LogLocator, NullLocator  # noqa: E402

from .results import COUNTER_NAMES, Metric, Results, ResultsError, load  # noqa: E402

# Okabe & Ito, "Color Universal Design" (2008): distinguishable with protanopia, deuteranopia and
# tritanopia. Fixed per variant so that gil is the same orange in every chart and every report.
VARIANT_COLOURS = {"gil": "#E69F00", "atomic": "#0072B2", "brc": "#009E73"}
EXTRA_COLOURS = ("#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
VARIANT_MARKERS = {"gil": "o", "atomic": "s", "brc": "^"}
IDEAL_COLOUR = "#000000"
HEATMAP_CMAP = "cividis"  # perceptually uniform and colour-blind safe
PERCENTILES = ("p50", "p90", "p99")
CAPTION_STYLE = {"fontsize": 7, "color": "0.35"}
PNG_DPI = 110
ALL_FORMATS = ("png", "svg")


def variant_colour(variant: str) -> str:
    if variant in VARIANT_COLOURS:
        return VARIANT_COLOURS[variant]
    return EXTRA_COLOURS[sum(map(ord, variant)) % len(EXTRA_COLOURS)]


def variant_marker(variant: str) -> str:
    return VARIANT_MARKERS.get(variant, "D")


@dataclass
class Chart:
    """A chart as the report lists it: a title, a sentence on how to read it, its files."""
    key: str
    title: str
    description: str
    files: dict = field(default_factory=dict)  # format -> Path


# --- figure helpers ---------------------------------------------------------------------------

def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, title: str, caption: str) -> Figure:
    fig.suptitle(title, fontsize=11)
    fig.supxlabel(caption, **CAPTION_STYLE)
    return fig


def _grid(count: int, panel_w: float, panel_h: float, max_cols: int = 4):
    """A figure with `count` panels in rows of at most max_cols; unused panels are hidden."""
    cols = min(count, max_cols)
    rows = math.ceil(count / cols)
    # At least 6 inches wide, so that the caption fits under a single panel.
    fig = _new_figure(max(6.0, panel_w * cols), panel_h * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, list(axes[:count])


def _bar_offsets(count: int, group_width: float = 0.8) -> tuple:
    width = group_width / count
    return [(i - (count - 1) / 2) * width for i in range(count)], width


def _yerr(metrics: list) -> list:
    """Asymmetric error bars [below, above] from Metric confidence intervals."""
    return [[m.value - m.ci_low for m in metrics], [m.ci_high - m.value for m in metrics]]


def _log_y(ax, values: list) -> None:
    """Log y axis for bars of `values`, zeros left out, a few decades labelled and no minor ticks
    (those cost most of the time of laying out a counters chart, and add nothing readable)."""
    positive = [v for v in values if v > 0]
    ax.set_yscale("log")
    if positive:
        ax.set_ylim(min(positive) / 3, max(positive) * 3)
    ax.yaxis.set_major_locator(LogLocator(numticks=6))
    ax.yaxis.set_minor_locator(NullLocator())


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


# --- 1. scaling -------------------------------------------------------------------------------

def _plot_scaling(ax, results: Results, workload: str) -> None:
    threads = sorted({c.threads for c in results.cells if c.workload == workload})
    for variant in results.variants:
        points = [(n, results.cell(workload, variant, n)) for n in threads]
        points = [(n, c.metric("speedup")) for n, c in points if c and c.metric("speedup")]
        if not points:
            continue
        xs, ms = [n for n, _ in points], [m for _, m in points]
        colour = variant_colour(variant)
        ax.fill_between(xs, [m.ci_low for m in ms], [m.ci_high for m in ms], color=colour,
                        alpha=0.2, linewidth=0)
        ax.plot(xs, [m.value for m in ms], marker=variant_marker(variant), color=colour,
                label=variant)
    ax.plot(threads, threads, linestyle="--", color=IDEAL_COLOUR, linewidth=1, label="ideal")
    ax.set_xticks(threads)
    ax.set_xlabel("threads")
    ax.set_ylabel("speedup (× own 1-thread throughput)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set_title(workload, fontsize=10)


def scaling_chart(results: Results, workload: str) -> Figure:
    """Speedup against threads for one workload: a line per variant, its 95% CI band, ideal."""
    results.require_multithread()
    fig = _new_figure(6, 4.2)
    ax = fig.subplots()
    _plot_scaling(ax, results, workload)
    ax.legend(fontsize=8)
    return _finish(fig, f"Scaling: {workload}", results.machine_caption())


def scaling_grid(results: Results) -> Figure:
    """Small multiples: the scaling chart of every workload on one page."""
    results.require_multithread()
    fig, axes = _grid(len(results.workloads), 3.4, 2.9)
    for ax, workload in zip(axes, results.workloads):
        _plot_scaling(ax, results, workload)
        ax.xaxis.label.set_size(8)
        ax.yaxis.label.set_size(7)
    axes[0].legend(fontsize=7)
    return _finish(fig, "Scaling of every workload (bands: 95% CI)", results.machine_caption())


# --- 2. single-thread overhead ----------------------------------------------------------------

def overhead_values(results: Results) -> dict:
    """variant -> [(workload, Metric)] of overhead_vs_gil at 1 thread, gil excluded."""
    table = {}
    for variant in results.variants:
        if variant == "gil":
            continue
        cells = [(w, results.cell(w, variant, 1)) for w in results.workloads]
        table[variant] = [(w, c.metric("overhead_vs_gil")) for w, c in cells
                          if c and c.metric("overhead_vs_gil")]
    return table


def geometric_mean(values: list) -> float | None:
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def overhead_chart(results: Results) -> Figure:
    """Time relative to gil at 1 thread, per workload and as a geometric mean, with 95% CIs."""
    table = overhead_values(results)
    labels = results.workloads + ["geometric mean"]
    offsets, width = _bar_offsets(max(len(table), 1))
    fig = _new_figure(max(6, 1.1 * len(labels) + 2), 4.5)
    ax = fig.subplots()
    for offset, (variant, points) in zip(offsets, table.items()):
        by_workload = dict(points)
        xs = [i + offset for i, w in enumerate(results.workloads) if w in by_workload]
        ms = [by_workload[w] for w in results.workloads if w in by_workload]
        colour = variant_colour(variant)
        # Bars grow from the gil line: up is slower than gil, down is faster.
        ax.bar(xs, [m.value - 1 for m in ms], width, bottom=1, color=colour, label=variant,
               yerr=_yerr(ms), capsize=3, ecolor="0.2")
        gmean = geometric_mean([m.value for m in ms])
        if gmean is not None:
            ax.bar(len(results.workloads) + offset, gmean - 1, width, bottom=1, color=colour,
                   hatch="//", edgecolor="white")
            ax.annotate(f"{gmean:.2f}×", (len(results.workloads) + offset, gmean),
                        ha="center", va="bottom", fontsize=7)
    ax.axhline(1.0, color=variant_colour("gil"), linewidth=1.5, label="gil (= 1.0)")
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    ax.set_xlabel("workload")
    ax.set_ylabel("1-thread time relative to gil (×)")
    ax.margins(y=0.12)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return _finish(fig, "Single-thread overhead against gil (error bars: 95% CI)",
                   results.machine_caption())


# --- 2b. memory overhead ---------------------------------------------------------------------

# What the memory chart draws, per cell at 1 thread: the process's peak RSS (what PEP 779's memory
# figure measures), the runtime's peak live object bytes, and the bytes of every object the cell
# allocated (the headers' cost even where nothing stays alive between operations).
MEMORY_MEASURES = {"peak_rss": "peak RSS", "live_bytes_peak": "peak live object bytes",
                   "allocated_bytes": "object bytes allocated"}
# Object bytes below this (in gil's cell) are not charted: a workload holding almost nothing
# between its operations gives a ratio of two small numbers (compare uses the same floor).
MEMORY_FLOOR_BYTES = 64 * 1024


def has_memory(results: Results) -> bool:
    return any(isinstance(c.median.get("memory"), dict) for c in results.cells)


def memory_value(cell, name: str) -> float | None:
    memory = cell.median.get("memory") if cell else None
    value = memory.get(name) if isinstance(memory, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def memory_overhead_values(results: Results, name: str) -> dict:
    """variant -> [(workload, ratio)]: the 1-thread cell's memory[name] over gil's, gil excluded."""
    table = {}
    for variant in results.variants:
        if variant == "gil":
            continue
        points = []
        for w in results.workloads:
            gil = memory_value(results.cell(w, "gil", 1), name)
            mine = memory_value(results.cell(w, variant, 1), name)
            floor = 0 if name == "peak_rss" else MEMORY_FLOOR_BYTES
            if gil and mine and gil > floor:
                points.append((w, mine / gil))
        table[variant] = points
    return table


def memory_chart(results: Results) -> Figure:
    """Memory relative to gil at 1 thread, per workload and as a geometric mean: one panel per
    measure (peak RSS, peak live object bytes), horizontal bars with their values."""
    measures = list(MEMORY_MEASURES.items())
    labels = results.workloads + ["geometric mean"]
    fig = _new_figure(6 + 2.5 * (len(measures) - 1), max(3.0, 0.3 * len(labels) + 1.5))
    axes = fig.subplots(1, len(measures), sharey=True, squeeze=False)[0]
    for ax, (name, title) in zip(axes, measures):
        table = memory_overhead_values(results, name)
        offsets, height = _bar_offsets(max(len(table), 1))
        for offset, (variant, points) in zip(offsets, table.items()):
            ratios = dict(points)
            ys = [i + offset for i, w in enumerate(results.workloads) if w in ratios]
            xs = [ratios[w] for w in results.workloads if w in ratios]
            gmean = geometric_mean(xs)
            if gmean is not None:
                ys.append(len(results.workloads) + offset)
                xs.append(gmean)
            colour = variant_colour(variant)
            bars = ax.barh(ys, [x - 1 for x in xs], height, left=1, color=colour, label=variant)
            if gmean is not None:
                bars[-1].set_hatch("//")
                bars[-1].set_edgecolor("white")
            for y, x in zip(ys, xs):
                ax.annotate(f"{x:.2f}×", (x, y), xytext=(3 if x >= 1 else -3, 0),
                            textcoords="offset points", ha="left" if x >= 1 else "right",
                            va="center", fontsize=6)
        ax.axvline(1.0, color=variant_colour("gil"), linewidth=1.5, label="gil (= 1.0)")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("relative to gil at 1 thread (×)")
        ax.margins(x=0.15)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()  # the first workload on top (the axis is shared: invert it once)
    # Below the panels, clear of the data.
    axes[0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.3), ncols=4, frameon=False)
    return _finish(fig, "Memory overhead against gil (medians over repetitions)",
                   results.machine_caption())


def memory_chart_specs(results: Results) -> list:
    """The memory chart's chart_specs entry, when the results have memory figures."""
    if not has_memory(results):
        return []
    return [("memory", "Memory overhead",
             "Peak RSS of the measuring process, peak live object bytes of the runtime, and the "
             "bytes of the objects each cell allocated, each free-threaded variant relative to gil "
             "at 1 thread (above 1: more memory); hatched: geometric mean over workloads. Object "
             "bytes are drawn where gil's exceed 64 KiB.",
             lambda: memory_chart(results))]


# --- 3. efficiency heatmap --------------------------------------------------------------------

def efficiency_matrix(results: Results, variant: str) -> list:
    """Rows: workloads; columns: thread counts; NaN where a cell is missing."""
    rows = []
    for w in results.workloads:
        cells = [results.cell(w, variant, n) for n in results.thread_counts]
        rows.append([c.metric("efficiency").value if c and c.metric("efficiency") else math.nan
                     for c in cells])
    return rows


def efficiency_heatmap(results: Results) -> Figure:
    """Parallel efficiency (speedup / threads) per workload and thread count, a panel per variant."""
    results.require_multithread()
    variants, threads, workloads = results.variants, results.thread_counts, results.workloads
    fig = _new_figure(2.2 + 0.7 * len(threads) * len(variants), 1.6 + 0.4 * len(workloads))
    axes = fig.subplots(1, len(variants), sharey=True, squeeze=False)[0]
    matrices = [efficiency_matrix(results, v) for v in variants]
    top = max([1.0] + [x for m in matrices for row in m for x in row if not math.isnan(x)])
    image = None
    for ax, variant, matrix in zip(axes, variants, matrices):
        image = ax.imshow(matrix, cmap=HEATMAP_CMAP, vmin=0, vmax=top, aspect="auto")
        for (r, c), value in _enumerate_matrix(matrix):
            text = "—" if math.isnan(value) else f"{value:.2f}"
            ax.text(c, r, text, ha="center", va="center", fontsize=7,
                    color="black" if not math.isnan(value) and value > top * 0.6 else "white")
        ax.set_xticks(range(len(threads)), threads)
        ax.set_yticks(range(len(workloads)), workloads)
        ax.set_xlabel("threads")
        ax.set_title(variant, color=variant_colour(variant), fontweight="bold")
    axes[0].set_ylabel("workload")
    fig.colorbar(image, ax=list(axes), label="efficiency (speedup / threads; 1 = ideal)")
    return _finish(fig, "Parallel efficiency", results.machine_caption())


def _enumerate_matrix(matrix: list):
    for r, row in enumerate(matrix):
        for c, value in enumerate(row):
            yield (r, c), value


# --- 4. I/O latency ---------------------------------------------------------------------------

def latency_workloads(results: Results) -> list:
    return [w for w in results.workloads
            if any(c.latency_ns for c in results.cells if c.workload == w)]


def latency_chart(results: Results) -> Figure | None:
    """p50/p90/p99 latency per variant at the largest thread count; None without latency data."""
    workloads = latency_workloads(results)
    if not workloads:
        return None
    fig, axes = _grid(len(workloads), 4.2, 3.4, max_cols=3)
    offsets, width = _bar_offsets(len(results.variants))
    for ax, workload in zip(axes, workloads):
        threads = results.max_threads(workload)
        drawn = []
        for offset, variant in zip(offsets, results.variants):
            cell = results.cell(workload, variant, threads)
            latency = cell.latency_ns if cell else None
            if not latency:
                continue
            points = [(i, latency[p] / 1000) for i, p in enumerate(PERCENTILES) if p in latency]
            ax.bar([i + offset for i, _ in points], [v for _, v in points], width,
                   color=variant_colour(variant), label=variant)
            drawn += [v for _, v in points]
        ax.set_xticks(range(len(PERCENTILES)), PERCENTILES)
        _log_y(ax, drawn)
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency (µs, log scale)")
        ax.set_title(f"{workload} at {threads} threads", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    return _finish(fig, "Latency percentiles (median over repetitions)", results.machine_caption())


# --- 5. where the time goes -------------------------------------------------------------------

def counters_per_unit(results: Results, workload: str, threads: int) -> dict:
    """variant -> {counter: value per work unit} for one workload at one thread count."""
    table = {}
    for variant in results.variants:
        cell = results.cell(workload, variant, threads)
        if cell and cell.units:
            table[variant] = {k: v / cell.units for k, v in cell.counters.items()
                              if isinstance(v, (int, float))}
    return table


def _counter_names(table: dict) -> list:
    """The counters that are non-zero for some variant: the format's order, then any others."""
    present = {k for counters in table.values() for k, v in counters.items() if v > 0}
    known = [k for k in COUNTER_NAMES if k in present]
    return known + sorted(present - set(known))


def counters_chart(results: Results) -> Figure:
    """Runtime counters per work unit, per workload and variant, at each workload's most threads."""
    fig, axes = _grid(len(results.workloads), 4.6, 3.6, max_cols=2)
    offsets, width = _bar_offsets(len(results.variants))
    for ax, workload in zip(axes, results.workloads):
        threads = results.max_threads(workload)
        table = counters_per_unit(results, workload, threads)
        names = _counter_names(table)
        ax.set_title(f"{workload} at {threads} thread{'s' if threads > 1 else ''}", fontsize=10)
        if not names:
            ax.text(0.5, 0.5, "no counters recorded", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_axis_off()
            continue
        drawn = []
        for offset, variant in zip(offsets, results.variants):
            values = [table.get(variant, {}).get(k, 0) for k in names]
            ax.bar([i + offset for i in range(len(names))], values, width,
                   color=variant_colour(variant), label=variant)
            drawn += values
        _log_y(ax, drawn)
        ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=7)
        ax.set_ylabel("per work unit (count; ns for *_ns), log", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    return _finish(fig, "Where the time goes: runtime counters per unit of work",
                   results.machine_caption())


# --- 6. base against new ----------------------------------------------------------------------

def time_ratio(base_cell, new_cell):
    """new / base median wall time with a conservative interval from the two 95% CIs."""
    b, n = base_cell.metric("wall_seconds"), new_cell.metric("wall_seconds")
    if not b or not n or b.value <= 0 or b.ci_low <= 0:
        return None
    return Metric(n.value / b.value, n.ci_low / b.ci_high, n.ci_high / b.ci_low)


def comparison_ratios(base: Results, new: Results) -> dict:
    """workload -> variant -> [(threads, Metric)] for the cells both results have."""
    table = {}
    for cell in new.cells:
        other = base.cell(cell.workload, cell.variant, cell.threads)
        ratio = time_ratio(other, cell) if other else None
        if ratio:
            table.setdefault(cell.workload, {}).setdefault(cell.variant, []).append(
                (cell.threads, ratio))
    if not table:
        raise ResultsError(f"{base.path} and {new.path} have no cell (workload, variant, threads) "
                           "in common: nothing to compare")
    return {w: table[w] for w in new.workloads if w in table}


def comparison_chart(base_results, new_results, out_path) -> Figure:
    """Base against new per workload: new / base median time per variant and thread count.

    base_results and new_results are Results or paths to results directories or files;
    out_path's suffix (.png, .svg) picks the format. Returns the Figure.
    """
    base, new = _as_results(base_results), _as_results(new_results)
    table = comparison_ratios(base, new)
    fig, axes = _grid(len(table), 3.8, 3.2, max_cols=3)
    for ax, (workload, by_variant) in zip(axes, table.items()):
        _plot_comparison(ax, workload, by_variant, [v for v in new.variants if v in by_variant])
    axes[0].legend(fontsize=7)
    caption = f"base: {base.machine_caption()}\nnew: {new.machine_caption()}"
    _finish(fig, "New against base: median wall time ratio (error bars: from both 95% CIs)", caption)
    save(fig, Path(out_path))
    return fig


def _plot_comparison(ax, workload: str, by_variant: dict, variants: list) -> None:
    threads = sorted({n for points in by_variant.values() for n, _ in points})
    offsets, width = _bar_offsets(len(variants))
    for offset, variant in zip(offsets, variants):
        points = dict(by_variant[variant])
        xs = [i + offset for i, n in enumerate(threads) if n in points]
        ms = [points[n] for n in threads if n in points]
        ax.bar(xs, [m.value - 1 for m in ms], width, bottom=1, color=variant_colour(variant),
               label=variant, yerr=_yerr(ms), capsize=2, ecolor="0.2")
    ax.axhline(1.0, color="0.2", linewidth=1)
    ax.set_xticks(range(len(threads)), threads)
    ax.set_xlabel("threads")
    ax.set_ylabel("new / base time (×; < 1 faster)", fontsize=8)
    ax.set_title(workload, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def _as_results(value) -> Results:
    return value if isinstance(value, Results) else load(value)


# --- drawing everything -----------------------------------------------------------------------

def save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=PNG_DPI, metadata=_metadata(path))
    return path


def _metadata(path: Path) -> dict:
    # Fixed metadata keeps SVG output byte-identical between runs of the same results.
    return {"Date": None} if path.suffix == ".svg" else {}


def chart_specs(results: Results) -> list:
    """(key, title, description, build) for every chart the results support, in report order."""
    specs = [("scaling_all", "Scaling, every workload",
              "Speedup against the same variant at 1 thread; dashed: ideal (= threads); bands: "
              "95% confidence intervals.", lambda: scaling_grid(results))]
    for w in results.workloads:
        specs.append((f"scaling_{safe_name(w)}", f"Scaling: {w}",
                      "Speedup against the same variant at 1 thread, with the ideal line.",
                      lambda w=w: scaling_chart(results, w)))
    specs += [
        ("overhead", "Single-thread overhead",
         "Time of each free-threaded variant relative to gil at 1 thread (above 1: slower); "
         "hatched: geometric mean over workloads.", lambda: overhead_chart(results)),
        *memory_chart_specs(results),
        ("efficiency", "Parallel efficiency",
         "Speedup divided by threads (1 = perfect scaling), per workload and thread count.",
         lambda: efficiency_heatmap(results)),
    ]
    if latency_workloads(results):
        specs.append(("latency", "Latency",
                      "Median over repetitions of each latency percentile, at the largest "
                      "thread count.", lambda: latency_chart(results)))
    specs.append(("counters", "Where the time goes",
                  "Runtime counters divided by work units, at the largest thread count "
                  "(log scale; zero counts are not drawn).", lambda: counters_chart(results)))
    return specs


def render_all(results: Results, out_dir: Path, formats=ALL_FORMATS) -> list:
    """Draws every chart into out_dir, one file per format; returns the Charts in report order."""
    results.require_multithread()
    charts = []
    for key, title, description, build in chart_specs(results):
        fig = build()
        chart = Chart(key, title, description)
        for fmt in formats:
            chart.files[fmt] = save(fig, Path(out_dir) / f"{key}.{fmt}")
        charts.append(chart)
    return charts
