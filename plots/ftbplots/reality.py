"""Model vs reality: ftbench's variants set beside real CPython interpreters measured in the same
sweep (`ftbench run --python`, variants named `cpython-<major>.<minor>[t]`).

Present only when some real interpreter's cell exists. Per workload the interpreters ran:
- the model's 1-thread time ratios against gil (atomic/gil, brc/gil, and any `<base>:<setting>`
  variant such as `brc:3.13`, each its own row/column) beside the real free-threaded/GIL ratio:
  the 1-thread time of `cpython-X.Yt` over `cpython-X.Y` for the newest X.Y that has both (the
  pair is named);
- every variant's speedup (t1/tN of the same variant) at each thread count, side by side;
- a verdict per shape (workload) and model variant: the direction of its scaling at 2 threads
  (or the smallest thread count above 1 when 2 was not swept) against its real counterpart's.
  A speedup above SCALES (1.1) scales, below ANTI_SCALES (0.9) anti-scales, in between is flat;
  the direction agrees when both fall in the same class. The counterpart of a model variant whose
  base is gil is the real GIL interpreter (of the pair, else the newest with its GIL on); of any
  other (atomic, brc, brc:3.13, ...) the real free-threaded interpreter (of the pair, else the
  newest with its GIL off). A variant without a counterpart gets no verdict.
- a summary count per model variant: on how many shapes it agrees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .results import Results

REAL_VARIANT = re.compile(r"cpython-(\d+)\.(\d+)(t?)")
SCALES = 1.1
ANTI_SCALES = 0.9
VERDICT_THREADS = 2


def is_real(variant: str) -> bool:
    return REAL_VARIANT.fullmatch(variant) is not None


def _version(variant: str) -> tuple:
    m = REAL_VARIANT.fullmatch(variant)
    return (int(m.group(1)), int(m.group(2)))


def _free_threaded(variant: str) -> bool:
    return REAL_VARIANT.fullmatch(variant).group(3) == "t"


def base(variant: str) -> str:
    """A model variant's compiled variant: `brc:3.13` -> `brc`."""
    return variant.split(":", 1)[0]


def direction(speedup: float | None) -> str | None:
    """scales (> SCALES), anti-scales (< ANTI_SCALES), flat (in between); None without a value."""
    if speedup is None:
        return None
    if speedup > SCALES:
        return "scales"
    if speedup < ANTI_SCALES:
        return "anti-scales"
    return "flat"


def present(results: Results) -> bool:
    return any(is_real(c.variant) for c in results.cells)


@dataclass
class Reality:
    """What the section shows, as numbers (None where a cell is missing)."""
    real: list                 # real variants, oldest first, GIL before free-threaded
    model: list                # model variants (gil first), in the report's order
    workloads: list            # workloads some real interpreter ran
    pair: tuple | None         # (free-threaded, GIL) real variants of one version, or None
    real_gil: str | None       # counterpart of the model's gil-based variants
    real_ft: str | None        # counterpart of the model's other variants
    threads: list              # thread counts above 1
    verdict_threads: int | None
    ratios: dict = field(default_factory=dict)    # workload -> {model variant: t/t_gil at 1 thread}
    real_ratio: dict = field(default_factory=dict)  # workload -> t_ft/t_gil of the pair at 1 thread
    speedups: dict = field(default_factory=dict)  # (workload, variant, threads) -> speedup
    verdicts: dict = field(default_factory=dict)  # (workload, model variant) -> (model dir, real dir)

    def counterpart(self, model_variant: str) -> str | None:
        return self.real_gil if base(model_variant) == "gil" else self.real_ft

    def agreement(self, model_variant: str) -> tuple:
        """(shapes that agree, shapes with a verdict) for one model variant."""
        pairs = [self.verdicts[(w, model_variant)] for w in self.workloads
                 if (w, model_variant) in self.verdicts]
        return sum(1 for m, r in pairs if m == r), len(pairs)


def _wall(results: Results, workload: str, variant: str, threads: int) -> float | None:
    cell = results.cell(workload, variant, threads)
    metric = cell.metric("wall_seconds") if cell else None
    return metric.value if metric and metric.value and metric.value > 0 else None


def _speedup(results: Results, workload: str, variant: str, threads: int) -> float | None:
    cell = results.cell(workload, variant, threads)
    metric = cell.metric("speedup") if cell else None
    return metric.value if metric else None


def analyse(results: Results) -> Reality | None:
    """The section's numbers, or None when no real interpreter was measured."""
    if not present(results):
        return None
    real = sorted({v for v in results.variants if is_real(v)},
                  key=lambda v: (_version(v), _free_threaded(v)))
    model = [v for v in results.variants if not is_real(v)]
    workloads = [w for w in results.workloads
                 if any(results.cell(w, v, n) for v in real for n in results.thread_counts)]
    pairs = [(v + "t", v) for v in real if not _free_threaded(v) and v + "t" in real]
    pair = pairs[-1] if pairs else None
    gils = [v for v in real if not _free_threaded(v)]
    fts = [v for v in real if _free_threaded(v)]
    real_gil = pair[1] if pair else (gils[-1] if gils else None)
    real_ft = pair[0] if pair else (fts[-1] if fts else None)
    threads = [n for n in results.thread_counts if n > 1]
    verdict_threads = VERDICT_THREADS if VERDICT_THREADS in threads else (threads[0] if threads else None)
    r = Reality(real, model, workloads, pair, real_gil, real_ft, threads, verdict_threads)
    for w in workloads:
        gil = _wall(results, w, "gil", 1)
        r.ratios[w] = {}
        for v in model:
            t = _wall(results, w, v, 1)
            if v != "gil":
                r.ratios[w][v] = t / gil if t and gil else None
        if pair:
            ft, g = _wall(results, w, pair[0], 1), _wall(results, w, pair[1], 1)
            r.real_ratio[w] = ft / g if ft and g else None
        for v in model + real:
            for n in threads:
                r.speedups[(w, v, n)] = _speedup(results, w, v, n)
        if verdict_threads is None:
            continue
        for v in model:
            other = r.counterpart(v)
            m = direction(r.speedups.get((w, v, verdict_threads)))
            o = direction(r.speedups.get((w, other, verdict_threads))) if other else None
            if m and o:
                r.verdicts[(w, v)] = (m, o)
    return r


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


NOTE = (f"Real interpreters measured in the same sweep (ftbench run --python), each run a fresh "
        f"CPython process on the same workload file, threads pinned as the model's. Direction of "
        f"scaling: a speedup above {SCALES} scales, below {ANTI_SCALES} anti-scales, in between is "
        f"flat; a model variant agrees with its real counterpart (the GIL interpreter for gil, the "
        f"free-threaded one for the others) when both fall in the same class.")


def pair_line(r: Reality) -> str:
    if r.pair:
        return f"Real free-threaded/GIL ratio: {r.pair[0]} over {r.pair[1]} at 1 thread."
    return ("No free-threaded and GIL interpreter of one version were both measured: no real "
            "free-threaded/GIL ratio.")


def ratio_table(r: Reality) -> tuple:
    """(header, rows): the model's 1-thread ratios against gil beside the real one."""
    others = [v for v in r.model if v != "gil"]
    header = ["workload"] + [f"model {v}/gil 1t" for v in others]
    if r.pair:
        header.append(f"real {r.pair[0]}/{r.pair[1]} 1t")
    rows = []
    for w in r.workloads:
        row = [w] + [_fmt(r.ratios[w].get(v)) for v in others]
        if r.pair:
            row.append(_fmt(r.real_ratio.get(w)))
        rows.append(row)
    return header, rows


def speedup_table(r: Reality) -> tuple:
    """(header, rows): every variant's speedup at each thread count above 1."""
    variants = r.model + r.real
    header = ["workload", "threads"] + [f"{v} speedup" for v in variants]
    rows = [[w, str(n)] + [_fmt(r.speedups.get((w, v, n))) for v in variants]
            for w in r.workloads for n in r.threads]
    return header, rows


def verdict_table(r: Reality) -> tuple:
    """(header, rows): per shape and model variant, its direction against its counterpart's."""
    judged = [v for v in r.model if r.counterpart(v)]
    header = ["workload"] + [f"{v} vs {r.counterpart(v)}" for v in judged]
    rows = []
    for w in r.workloads:
        row = [w]
        for v in judged:
            verdict = r.verdicts.get((w, v))
            if verdict is None:
                row.append("—")
            else:
                m, o = verdict
                row.append(f"agree ({m})" if m == o else f"differ ({m} vs {o})")
        rows.append(row)
    return header, rows


def summary(r: Reality) -> str:
    if r.verdict_threads is None:
        return "One thread count only: no direction of scaling to compare."
    parts = []
    for v in r.model:
        agree, total = r.agreement(v)
        if total:
            parts.append(f"{v} agrees with {r.counterpart(v)} on {agree} of {total} shapes")
    if not parts:
        return "No model variant has a real counterpart with cells to compare."
    return f"Direction of {r.verdict_threads}-thread scaling: " + "; ".join(parts) + "."


def chart(results: Results):
    """One panel per workload a real interpreter ran: speedup against threads, the model's
    variants as solid lines and the real interpreters as dashed ones (each in its colour and
    marker of every chart), with the ideal line; the
    panel title carries the 1-thread ratios (model brc/gil, real free-threaded/GIL)."""
    from . import charts as ch  # charts lists this chart: imported here, not at the top
    r = analyse(results)
    counts = results.thread_counts
    fig, axes = ch._grid(len(r.workloads), 3.4, 2.9)
    for ax, w in zip(axes, r.workloads):
        for v in r.model + r.real:
            points = [(n, r.speedups.get((w, v, n)) if n > 1 else
                       (1.0 if results.cell(w, v, 1) else None)) for n in counts]
            points = [(n, s) for n, s in points if s is not None]
            if not points:
                continue
            real = is_real(v)
            ax.plot([n for n, _ in points], [s for _, s in points], color=ch.variant_colour(v),
                    marker=ch.variant_marker(v), linestyle="--" if real else "-",
                    linewidth=1.8 if real else 1.2, label=v)
        ax.plot(counts, counts, linestyle=":", color=ch.IDEAL_COLOUR, linewidth=1, label="ideal")
        ax.set_xticks(counts)
        ax.set_xlabel("threads", fontsize=8)
        ax.set_ylabel("speedup", fontsize=7)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        brc = r.ratios[w].get("brc")
        title = w + (f"\nbrc/gil 1t {_fmt(brc)}" if brc else "")
        if r.pair:
            title += f"{' · ' if brc else chr(10)}real {_fmt(r.real_ratio.get(w))}"
        ax.set_title(title, fontsize=8)
    ch._legend_outside(axes[min(len(axes), 4) - 1], fontsize=7)
    return ch._finish(fig, "Model vs reality: speedup of the model's variants (solid) and real "
                      "CPython (dashed)", results.machine_caption())
