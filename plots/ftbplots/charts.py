"""The charts of the report. Each chart function returns a matplotlib Figure (the tests inspect
its Axes); render_all() draws them all and writes one file per format.

Every variant has one colour and one marker everywhere (Okabe-Ito, safe for the common forms of
colour blindness; the markers keep lines apart in greyscale too). Every figure ends with a caption
naming the machine, the date and the commit of the results it shows.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts go to files only
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import LogLocator, NullLocator  # noqa: E402

from . import calibration, reality, stats, untrusted  # noqa: E402
from .results import Results  # noqa: E402

# Okabe & Ito, "Color Universal Design" (2008): distinguishable with protanopia, deuteranopia and
# tritanopia. Fixed per variant so that gil is the same orange in every chart and every report.
VARIANT_COLOURS = {"gil": "#E69F00", "atomic": "#0072B2", "brc": "#009E73"}
EXTRA_COLOURS = ("#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
VARIANT_MARKERS = {"gil": "o", "atomic": "s", "brc": "^"}
# Confidence bands: a light fill plus a hatch of the variant's colour, different per variant, so
# that two overlapping bands stay two (blue over green would otherwise blend into one teal).
VARIANT_HATCHES = {"gil": "\\\\", "atomic": "//", "brc": ".."}
BAND_FILL_ALPHA = 0.10
BAND_HATCH_ALPHA = 0.45
# The report is 1100 px wide; a chart drawn at that width (10 in at PNG_DPI) is shown 1:1.
REPORT_WIDTH_IN = 10.0
IDEAL_COLOUR = "#000000"
MACHINE_COLOUR = "0.55"  # the machine calibration's line: grey, dashed, no marker of a variant
HEATMAP_CMAP = "cividis"  # perceptually uniform and colour-blind safe
PERCENTILES = ("p50", "p90", "p99")
CAPTION_STYLE = {"fontsize": 7, "color": "0.35"}
PNG_DPI = 110
ALL_FORMATS = ("png", "svg")


# Any other variant (a real interpreter's, cpython-3.13t; a model variant with a setting,
# brc:3.13) gets the next extra colour and marker in the order variants are first drawn, which is
# the report's variant order: two such variants differ until the extra colours run out.
EXTRA_MARKERS = ("D", "X", "P", "v")
_extra_index: dict = {}


def _extra(variant: str) -> int:
    return _extra_index.setdefault(variant, len(_extra_index))


def variant_colour(variant: str) -> str:
    if variant in VARIANT_COLOURS:
        return VARIANT_COLOURS[variant]
    return EXTRA_COLOURS[_extra(variant) % len(EXTRA_COLOURS)]


def variant_marker(variant: str) -> str:
    if variant in VARIANT_MARKERS:
        return VARIANT_MARKERS[variant]
    return EXTRA_MARKERS[_extra(variant) % len(EXTRA_MARKERS)]


def variant_hatch(variant: str) -> str:
    return VARIANT_HATCHES.get(variant, "xx")


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


def _legend_outside(ax, **kwargs) -> None:
    """The legend to the right of the axes, never on the data (constrained layout makes room)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              fontsize=kwargs.pop("fontsize", 8), **kwargs)


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
    """A file name part from a workload name (untrusted: untrusted.py): ASCII letters, digits and
    `_.-` only, at most 64 characters; a name that needed any change gets a hash of itself, so
    that two names never share a file (`a/b` and `a_b`) and none leaves the directory."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:64]
    if safe == name:
        return safe
    return f"{safe}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


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
        ax.fill_between(xs, [m.ci_low for m in ms], [m.ci_high for m in ms],
                        facecolor=to_rgba(colour, BAND_FILL_ALPHA),
                        edgecolor=to_rgba(colour, BAND_HATCH_ALPHA), hatch=variant_hatch(variant),
                        linewidth=0)
        ax.plot(xs, [m.value for m in ms], marker=variant_marker(variant), color=colour,
                label=variant)
    ax.plot(threads, threads, linestyle="--", color=IDEAL_COLOUR, linewidth=1, label="ideal")
    _plot_machine(ax, results, threads)
    ax.set_xticks(threads)
    ax.set_xlabel("threads")
    ax.set_ylabel("speedup (× own 1-thread throughput)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set_title(workload, fontsize=10)


def machine_points(results: Results, threads: list) -> list:
    """(threads, Metric) of the machine calibration's speedup at each of `threads` it has."""
    points = [(n, calibration.machine_speedup(results, n)) for n in threads]
    return [(n, m) for n, m in points if m]


def _plot_machine(ax, results: Results, threads: list) -> None:
    """The machine's own speedup (calibration kernel, median over rounds): a dashed grey line
    beside the variants', so that a variant's shortfall can be told from the machine's."""
    points = machine_points(results, threads)
    if len(points) < 2:
        return
    ax.plot([n for n, _ in points], [m.value for _, m in points], linestyle=(0, (4, 2)),
            color=MACHINE_COLOUR, linewidth=1.5, label="machine")


def scaling_chart(results: Results, workload: str) -> Figure:
    """Speedup against threads for one workload: a line per variant, its 95% CI band, ideal."""
    results.require_multithread()
    fig = _new_figure(6, 4.2)
    ax = fig.subplots()
    _plot_scaling(ax, results, workload)
    _legend_outside(ax)
    return _finish(fig, f"Scaling: {workload}", results.machine_caption())


def scaling_grid(results: Results) -> Figure:
    """Small multiples: the scaling chart of every workload on one page."""
    results.require_multithread()
    fig, axes = _grid(len(results.workloads), 3.4, 2.9)
    for ax, workload in zip(axes, results.workloads):
        _plot_scaling(ax, results, workload)
        ax.xaxis.label.set_size(8)
        ax.yaxis.label.set_size(7)
    # One legend for every panel, right of the first row's last panel: outside every panel's data.
    _legend_outside(axes[min(len(axes), 4) - 1], fontsize=7)
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


def overhead_chart(results: Results) -> Figure:
    """Time relative to gil at 1 thread, per workload and as a geometric mean, with 95% CIs.

    Horizontal: one bar group per workload (a row, labelled at the left), a bar per free-threaded
    variant growing from the gil line at 1.0 and labelled with its value. The width is the
    report's, the height grows with the workloads, so the labels keep their size however many
    workloads a sweep has."""
    table = overhead_values(results)
    labels = results.workloads + ["geometric mean"]
    count = max(len(table), 1)
    offsets, height = _bar_offsets(count)
    fig = _new_figure(REPORT_WIDTH_IN, 1.3 + len(labels) * max(0.32, 0.2 * count))
    ax = fig.subplots()
    tops = []
    for offset, (variant, points) in zip(offsets, table.items()):
        by_workload = dict(points)
        ys = [i + offset for i, w in enumerate(results.workloads) if w in by_workload]
        ms = [by_workload[w] for w in results.workloads if w in by_workload]
        colour = variant_colour(variant)
        # Bars grow from the gil line: right is slower than gil, left is faster.
        ax.barh(ys, [m.value - 1 for m in ms], height, left=1, color=colour, label=variant,
                xerr=_yerr(ms), capsize=2, ecolor="0.3", error_kw={"linewidth": 0.8})
        for y, m in zip(ys, ms):
            _value_label(ax, y, m.value, m.ci_high if m.value >= 1 else m.ci_low)
        tops += [m.ci_high for m in ms] + [m.ci_low for m in ms]
        gmean = stats.geometric_mean_of_positive([m.value for m in ms])
        if gmean is not None:
            y = len(results.workloads) + offset
            ax.barh(y, gmean - 1, height, left=1, color=colour, hatch="//", edgecolor="white")
            _value_label(ax, y, gmean, gmean)
            tops.append(gmean)
    ax.axvline(1.0, color=variant_colour("gil"), linewidth=1.5, label="gil (= 1.0)")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)  # the first workload on top, the geometric mean last
    if tops:  # room for the value labels on both sides
        low, high = min(tops + [1.0]), max(tops + [1.0])
        pad = 0.18 * (high - low or 0.1)
        ax.set_xlim(low - pad, high + pad)
    ax.set_xlabel("1-thread time relative to gil (×; right of the gil line: slower)")
    ax.grid(axis="x", alpha=0.3)
    _legend_outside(ax)
    return _finish(fig, "Single-thread overhead against gil (error bars: 95% CI)",
                   results.machine_caption())


def _value_label(ax, y: float, value: float, at: float) -> None:
    """`1.23×` just past the end of a bar (or of its error bar), on the side it grows to."""
    right = value >= 1
    ax.annotate(f"{value:.2f}×", (at, y), xytext=(3 if right else -3, 0), textcoords="offset points",
                ha="left" if right else "right", va="center", fontsize=7)


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
            gmean = stats.geometric_mean_of_positive(xs)
            if gmean is not None:
                ys.append(len(results.workloads) + offset)
                xs.append(gmean)
            colour = variant_colour(variant)
            bars = ax.barh(ys, [x - 1 for x in xs], height, left=1, color=colour, label=variant)
            if gmean is not None:
                bars[-1].set_hatch("//")
                bars[-1].set_edgecolor("white")
            for y, x in zip(ys, xs):
                _value_label(ax, y, x, x)
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
    _legend_outside(axes[-1])
    return _finish(fig, "Latency percentiles (median over repetitions)", results.machine_caption())


# --- 5. where the time goes -------------------------------------------------------------------

# Counter families: one panel each; every counter of a panel has the same unit (counts or ns per
# work unit), so no log axis mixes counts and nanoseconds. Counters not listed here go to a panel
# of their unit ("other counters").
COUNTER_FAMILIES = (
    ("GIL hand-offs", "count", ("gil_switches", "gil_drop_requests")),
    ("GIL wait", "ns", ("gil_wait_ns",)),
    ("Lock contention", "count", ("lock_slow_paths", "lock_parks", "lock_handoffs")),
    ("Reference counting", "count", ("shared_refcount_ops", "queued_objects", "merges",
                                     "deferred_frees")),
)
COUNTER_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo")
UNIT_LABELS = {"count": "events per work unit", "ns": "ns per work unit"}


def counters_per_unit(results: Results, workload: str, threads: int) -> dict:
    """variant -> {counter: value per work unit} for one workload at one thread count."""
    table = {}
    for variant in results.variants:
        cell = results.cell(workload, variant, threads)
        if cell and cell.units:
            table[variant] = {k: v / cell.units for k, v in cell.counters.items()
                              if isinstance(v, (int, float))}
    return table


def counter_families(names) -> list:
    """(title, unit, [counters]) for the families with a counter in `names`, in the format's order."""
    names = set(names)
    known = {c for _, _, counters in COUNTER_FAMILIES for c in counters}
    families = [(title, unit, [c for c in counters if c in names])
                for title, unit, counters in COUNTER_FAMILIES]
    others = sorted(names - known)
    families += [("Other counters", "ns", [c for c in others if c.endswith("_ns")]),
                 ("Other counters", "count", [c for c in others if not c.endswith("_ns")])]
    return [(title, unit, counters) for title, unit, counters in families if counters]


def counters_chart(results: Results) -> Figure:
    """Runtime counters per work unit at each workload's most threads: a panel per counter family.

    In a panel: a row per workload that counted something of the family, a horizontal bar per
    (variant, counter) that is non-zero somewhere: colour = variant, hatch = counter (in the
    legend, right of the panel)."""
    tables = {w: counters_per_unit(results, w, results.max_threads(w)) for w in results.workloads}
    present = {k for t in tables.values() for counters in t.values() for k, v in counters.items()
               if v > 0}
    families = counter_families(present)
    if not families:
        fig = _new_figure(REPORT_WIDTH_IN, 2)
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no counters recorded", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _finish(fig, "Where the time goes: runtime counters per unit of work",
                       results.machine_caption())
    panels = []  # (title, unit, counters, [(variant, counter)], [workloads]) per family
    for title, unit, counters in families:
        series = [(v, c) for c in counters for v in results.variants
                  if any(tables[w].get(v, {}).get(c, 0) > 0 for w in results.workloads)]
        rows = [w for w in results.workloads  # workloads where the family counted anything
                if any(tables[w].get(v, {}).get(c, 0) > 0 for v, c in series)]
        panels.append((title, unit, counters, series, rows))
    heights = [0.9 + len(rows) * max(0.28, 0.07 * len(series) + 0.1)
               for *_, series, rows in panels]
    fig = _new_figure(REPORT_WIDTH_IN, sum(heights) + 0.6)
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, (title, unit, counters, series, rows) in zip(axes[:, 0], panels):
        offsets, height = _bar_offsets(len(series))
        drawn = []
        for offset, (variant, counter) in zip(offsets, series):
            values = [tables[w].get(variant, {}).get(counter, 0) for w in rows]
            ax.barh([i + offset for i in range(len(values))], values, height,
                    color=variant_colour(variant), edgecolor="white", linewidth=0.3,
                    hatch=COUNTER_HATCHES[counters.index(counter) % len(COUNTER_HATCHES)],
                    label=f"{variant}: {counter}")
            drawn += values
        _log_x(ax, drawn)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(f"{UNIT_LABELS[unit]} (log scale; workloads with none left out)", fontsize=8)
        ax.set_title(f"{title} ({UNIT_LABELS[unit]})", fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.3)
        _legend_outside(ax, fontsize=7)
    return _finish(fig, "Where the time goes: runtime counters per unit of work, at each "
                   "workload's largest thread count", results.machine_caption())


def _log_x(ax, values: list) -> None:
    """Log x axis for horizontal bars of `values` (see _log_y)."""
    positive = [v for v in values if v > 0]
    ax.set_xscale("log")
    if positive:
        # Out to the decades around the values: at least two labelled ticks however close they are.
        low, high = min(positive) / 3, max(positive) * 3
        ax.set_xlim(10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high)))
    ax.xaxis.set_major_locator(LogLocator(numticks=6))
    ax.xaxis.set_minor_locator(NullLocator())


# --- drawing everything -----------------------------------------------------------------------

def save(fig: Figure, path: Path) -> Path:
    untrusted.inert_figure(fig)  # names from the results file: no mathtext, no control characters
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=PNG_DPI, metadata=_metadata(path))
    return path


def _metadata(path: Path) -> dict:
    # Fixed metadata keeps SVG output byte-identical between runs of the same results.
    return {"Date": None} if path.suffix == ".svg" else {}


def chart_specs(results: Results) -> list:
    """(key, title, description, build) for every chart the results support, in report order:
    the overviews first, each workload's own scaling chart (the overview's panels, larger) last."""
    specs = [("scaling_all", "Scaling, every workload",
              "Speedup against the same variant at 1 thread; dashed: ideal (= threads); bands: "
              "95% confidence intervals." + _machine_note(results), lambda: scaling_grid(results))]
    specs += [
        ("overhead", "Single-thread overhead",
         "Time of each free-threaded variant relative to gil at 1 thread (right of the gil "
         "line: slower); hatched: geometric mean over workloads.", lambda: overhead_chart(results)),
        *memory_chart_specs(results),
        ("efficiency", "Parallel efficiency",
         "Speedup divided by threads (1 = perfect scaling), per workload and thread count.",
         lambda: efficiency_heatmap(results)),
    ]
    if latency_workloads(results):
        specs.append(("latency", "Latency",
                      "Median over repetitions of each latency percentile, at the largest "
                      "thread count.", lambda: latency_chart(results)))
    if calibration.present(results):
        specs.append(("calibration", "Machine calibration per round",
                      "The machine's own parallel efficiency (calibration kernel speedup / "
                      "threads) in each repetition round; the report's calibration section lists "
                      "the rounds below the threshold.", lambda: calibration_chart(results)))
    if reality.present(results):
        specs.append(("model_vs_reality", "Model vs reality",
                      "Per workload a real CPython ran: the speedup of each model variant (solid) "
                      "and each real interpreter (dashed) on one axis, with the ideal line; the "
                      "titles give the 1-thread ratios (model brc/gil, real free-threaded/GIL).",
                      lambda: reality.chart(results)))
    specs.append(("counters", "Where the time goes",
                  "Runtime counters divided by work units, at the largest thread count: a panel "
                  "per counter family, each in one unit (events or ns per unit; log scale; zero "
                  "counts are not drawn).", lambda: counters_chart(results)))
    for w in results.workloads:
        specs.append((f"scaling_{safe_name(w)}", f"Scaling: {w}",
                      "Speedup against the same variant at 1 thread, with the ideal line."
                      + _machine_note(results),
                      lambda w=w: scaling_chart(results, w)))
    return specs


def _machine_note(results: Results) -> str:
    if not calibration.present(results):
        return ""
    return (" Grey dashed: the machine's own speedup (a pure-CPU calibration kernel run in the "
            "same rounds), what the hardware allowed.")


# --- 7. machine calibration -------------------------------------------------------------------

def calibration_chart(results: Results) -> Figure:
    """The machine's efficiency (speedup / threads) per repetition round, a line per thread count."""
    rounds = calibration.rounds(results)
    counts = calibration.thread_counts(results)
    fig = _new_figure(6, 3.6)
    ax = fig.subplots()
    shades = [str(0.15 + 0.55 * i / max(len(counts) - 1, 1)) for i in range(len(counts))]
    for n, shade in zip(counts, shades):
        points = [(r.repetition, r.efficiency(n)) for r in rounds if n in r.speedup]
        ax.plot([p for p, _ in points], [e for _, e in points], marker="o", linestyle=(0, (4, 2)),
                color=shade, label=f"{n} threads")
    ax.axhline(1.0, color=IDEAL_COLOUR, linewidth=1, label="ideal")
    ax.set_xticks([r.repetition for r in rounds], [str(r.repetition + 1) for r in rounds])
    ax.set_xlabel("repetition round")
    ax.set_ylabel("machine efficiency (speedup / threads)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return _finish(fig, "Machine calibration: the hardware's own scaling per round",
                   results.machine_caption())


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
