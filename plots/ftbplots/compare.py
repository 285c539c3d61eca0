"""ftbench compare: did NEW regress against BASE? (docs/compare.md)

Cells are matched by (variant, workload, threads, placement, scaling). Per cell, from the
repetitions' real_time (the iteration rows): the ratio of medians new / base with a seeded
bootstrap 95% interval, and a two-sided Mann-Whitney U p-value (stats.mann_whitney). The p-values
of all tested cells are adjusted together with Holm-Bonferroni. A cell is a regression when
ratio > 1 + threshold and its adjusted p <= alpha, an improvement when ratio < 1 - threshold and
its adjusted p <= alpha. The exit status is 1 when a cell regressed, else 0; but a comparison
of wall times that could not flag a regression however large (Comparison.inconclusive: no
repetition rows, no cell with 2 repetitions on both sides, too few repetitions for any cell to be
significant after the correction, a cell slower beyond the threshold that could not be tested)
exits 2 unless allow_inconclusive, since "no regression" would be a verdict it did not reach.

The curve view (efficiency at the largest thread count, single-thread overhead against gil, read
from the median rows) gives findings by the threshold alone; they are reported, not part of the
exit status (a scaling loss that matters shows up as a regressed multi-thread cell).

Memory (docs/compare.md, "Memory"): per common cell, the median over repetitions of the peak RSS,
the runtime's peak live object bytes and the object bytes allocated, new / base. A change beyond the memory threshold
(default 10%; no test: memory varies little from run to run) is a memory finding; an increase
makes the exit status 1, as a regressed cell does.

Inputs that cannot be compared raise results.ResultsError (MismatchError for different machines
or run parameters, unless allow_mismatch), which the command line turns into exit 2.

This module is the analysis: compare() reads two results and returns a Comparison of records
(CellResult, Finding, MemoryFinding), printing and drawing nothing. compare_render.py writes a
Comparison as text, markdown or JSON; compare_chart.py draws it. Statistics come from stats.py.
"""
from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field

from . import calibration, stats
from .results import Results, ResultsError, load

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2
DEFAULT_THRESHOLD = 0.05
# A change must also exceed NOISE_FACTOR times the cell's own spread (robust coefficient of
# variation, the noisier side): between two sweeps a noisy cell drifts by about its spread, which
# no test on the repetitions of one sweep can see. Chosen on pilot sweeps, checked on the
# end-to-end measurement (docs/compare.md, "Measured on this machine").
DEFAULT_NOISE_FACTOR = 2.0
# Instruction counts (ftbench run --instructions) do not vary from run to run: a plain threshold,
# no test, and a smaller default. See docs/compare.md for the run-to-run spread it must clear.
DEFAULT_INSTRUCTIONS_THRESHOLD = 0.01
MEASURES = {"time": "wall times", "instructions": "instruction counts (ftbench run --instructions)"}
DEFAULT_ALPHA = 0.01
# Memory findings: a plain threshold on the medians (peak RSS and live object bytes move by well
# under 1% between runs of one build; docs/compare.md). Live object bytes below the floor are not
# compared (a workload that holds almost nothing between its operations).
DEFAULT_MEMORY_THRESHOLD = 0.10
MEMORY_FLOOR_BYTES = 64 * 1024
MEMORY_FIELDS = {"peak_rss": "peak RSS", "live_bytes_peak": "peak live object bytes",
                 "allocated_bytes": "object bytes allocated"}
BOOTSTRAP_SEED = 20261125
# context.ftbench fields that must agree: the machine's shape, then how the sweep was run.
TOPOLOGY_FIELDS = ("packages", "numa_nodes", "cores", "pus", "topology")
PARAMETER_FIELDS = ("work_scale", "repetitions", "warmup", "quick", "isolation", "knobs",
                    "scaling", "placement", "build_type")
# Differences worth a note but no refusal (CI runners of one pool differ in these).
NOTE_FIELDS = ("cpu_model", "kernel", "compiler", "cxx_flags")
TIME_UNITS_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}


class MismatchError(ResultsError):
    """BASE and NEW come from different machines or were run with different parameters."""


@dataclass
class CellResult:
    workload: str
    variant: str
    threads: int
    placement: str
    scaling: str
    base_reps: int
    new_reps: int
    base_median: float      # ms of real_time, or instructions (Comparison.measure)
    new_median: float
    ratio: float            # median(new) / median(base); > 1: new is slower
    ci_low: float | None    # bootstrap 95% interval of the ratio (None: fewer than 2 repetitions)
    ci_high: float | None
    u: float | None         # Mann-Whitney U of the base sample
    p: float | None         # two-sided p-value, unadjusted (None: not tested)
    p_method: str | None    # "exact" or "normal"
    p_holm: float | None    # Holm-Bonferroni adjusted over every tested cell
    noise: float | None = None  # robust CV (1.4826 MAD / median) of the noisier side; None: < 3 reps
    bound: float = 0.0      # the change that counts here: max(threshold, noise_factor * noise)
    # regression, improvement, slower (n.s.), faster (n.s.), slower (noise), faster (noise),
    # unchanged, untested
    verdict: str = "unchanged"

    @property
    def name(self) -> str:
        return f"{self.workload}/{self.variant}/threads:{self.threads}/{self.scaling}/{self.placement}"


@dataclass
class Finding:
    kind: str               # efficiency_drop, overhead_increase, overhead_decrease
    workload: str
    variant: str
    threads: int
    base: float
    new: float
    change: float           # new / base - 1
    cis_overlap: bool       # the two harness 95% intervals overlap (weak evidence)
    message: str


@dataclass
class Comparison:
    base: str
    new: str
    threshold: float
    alpha: float
    noise_factor: float
    cells: list
    findings: list
    summary: dict           # variant (and "all") -> {geomean_ratio, cells, regressions, improvements}
    mismatches: list        # "field: base vs new", refused unless allow_mismatch
    notes: list             # other differences and caveats, always reported
    base_label: str = ""
    new_label: str = ""
    measure: str = "time"   # "time" (ms of real_time, tested) or "instructions" (plain threshold)
    tested_cells: int = 0
    chart: str | None = None
    only_in_base: list = field(default_factory=list)
    only_in_new: list = field(default_factory=list)
    # The two sweeps' machine calibrations (calibration.MachineChange per thread count): a change
    # beyond the noise is flagged in the notes, not refused (docs/compare.md).
    machine: list = field(default_factory=list)
    inconclusive: list = field(default_factory=list)  # why no regression could be flagged
    allow_inconclusive: bool = False
    memory_threshold: float = DEFAULT_MEMORY_THRESHOLD
    memory: list = field(default_factory=list)  # MemoryFinding, beyond memory_threshold

    @property
    def machine_differs(self) -> bool:
        return any(c.differs for c in self.machine)

    @property
    def regressions(self) -> list:
        return [c for c in self.cells if c.verdict == "regression"]

    @property
    def memory_increases(self) -> list:
        return [m for m in self.memory if m.change > 0]

    @property
    def improvements(self) -> list:
        return [c for c in self.cells if c.verdict == "improvement"]

    @property
    def exit_status(self) -> int:
        if self.regressions or self.memory_increases:
            return EXIT_REGRESSION
        return EXIT_BAD_INPUT if self.inconclusive and not self.allow_inconclusive else EXIT_OK

    def verdict_line(self) -> str:
        r, i = len(self.regressions), len(self.improvements)
        if r:
            head = f"REGRESSION: {r} cell{'s' * (r != 1)} slower"
        elif self.inconclusive:
            head = ("INCONCLUSIVE: no regression could have been flagged"
                    + (" (accepted: --allow-inconclusive)" if self.allow_inconclusive else ""))
        else:
            head = "no regression"
        tail = f", {i} cell{'s' * (i != 1)} faster" if i else ""
        return f"{head}{tail}{_memory_verdict(self)} (exit {self.exit_status})"


# --- comparing ----------------------------------------------------------------------------------

def compare(base_path, new_path, threshold: float | None = None,
            alpha: float = DEFAULT_ALPHA, allow_mismatch: bool = False,
            noise_factor: float = DEFAULT_NOISE_FACTOR,
            allow_inconclusive: bool = False,
            memory_threshold: float = DEFAULT_MEMORY_THRESHOLD) -> Comparison:
    """threshold None: DEFAULT_THRESHOLD for wall times, DEFAULT_INSTRUCTIONS_THRESHOLD for counts."""
    base = base_path if isinstance(base_path, Results) else load(base_path)
    new = new_path if isinstance(new_path, Results) else load(new_path)
    measure = measure_of(base)
    if measure_of(new) != measure:
        raise ResultsError(f"{base.path} holds {MEASURES[measure]} and {new.path} "
                           f"{MEASURES[measure_of(new)]}: compare two timed sweeps, or two "
                           "counting runs")
    if threshold is None:
        threshold = DEFAULT_INSTRUCTIONS_THRESHOLD if measure == "instructions" else DEFAULT_THRESHOLD
    mismatches, notes = context_differences(base, new)
    if mismatches and not allow_mismatch:
        raise MismatchError(f"{base.path} and {new.path} are not comparable: they differ in "
                            f"{'; '.join(mismatches)} (pass --allow-mismatch to compare anyway)")
    base_cells = {_key(c): c for c in base.cells}
    new_cells = {_key(c): c for c in new.cells}
    common = [k for k in new_cells if k in base_cells]
    if not common:
        raise ResultsError(f"{base.path} and {new.path} have no cell (variant, workload, threads, "
                           "placement, scaling) in common: nothing to compare")
    machine = []
    inconclusive = []
    if measure == "instructions":
        cells = [_compare_cell(base_cells[k], new_cells[k], measure) for k in common]
        for cell in cells:
            cell.bound = threshold
            cell.verdict = _plain_verdict(cell, threshold)
        tested = cells
        findings = instruction_findings(base, new, threshold)
    else:
        cells = [_compare_cell(base_cells[k], new_cells[k]) for k in common]
        tested = [c for c in cells if c.p is not None]
        for cell, adjusted in zip(tested, stats.holm([c.p for c in tested])):
            cell.p_holm = adjusted
        for cell in cells:
            cell.bound = max(threshold, noise_factor * (cell.noise or 0.0))
            cell.verdict = _verdict(cell, threshold, alpha)
        inconclusive = _inconclusive(base, new, cells, tested, alpha)
        notes += inconclusive
        findings = curve_findings(base, new, threshold)
        machine, machine_notes = calibration.compare_machines(base, new, threshold, alpha,
                                                              noise_factor)
        notes = machine_notes + notes
    notes += [f"{r.path} also holds cells for (scaling, placement) {cfg}, not compared"
              for r in (base, new) for cfg in r.other_configs]
    if mismatches:
        notes.insert(0, "results differ in " + "; ".join(mismatches) +
                     " (compared anyway: --allow-mismatch)")
    order = _order(new)
    cells.sort(key=lambda c: order(c))
    memory, memory_notes = memory_findings(base, new, common, memory_threshold, measure)
    notes += memory_notes
    return Comparison(
        base=str(base.path), new=str(new.path), threshold=threshold, alpha=alpha,
        noise_factor=0.0 if measure == "instructions" else noise_factor, cells=cells,
        findings=findings, summary=_summary(cells, new), mismatches=mismatches, notes=notes,
        base_label=_label(base), new_label=_label(new), measure=measure, tested_cells=len(tested),
        only_in_base=sorted(_name(k) for k in base_cells if k not in new_cells),
        only_in_new=sorted(_name(k) for k in new_cells if k not in base_cells), machine=machine,
        inconclusive=inconclusive, allow_inconclusive=allow_inconclusive,
        memory_threshold=memory_threshold, memory=memory)


def measure_of(results: Results) -> str:
    mode = results.ftbench.get("mode", "time")
    if mode not in MEASURES:
        raise ResultsError(f"{results.path}: context.ftbench.mode is {mode!r}, expected one of "
                           f"{', '.join(MEASURES)}")
    return mode


def context_differences(base: Results, new: Results) -> tuple:
    """(mismatches that refuse the comparison, notes that do not), as 'field: base vs new'."""
    b, n = base.ftbench, new.ftbench
    def differing(fields):
        return [f"{f}: {_show(b.get(f))} vs {_show(n.get(f))}" for f in fields
                if b.get(f) != n.get(f)]
    mismatches = differing(TOPOLOGY_FIELDS) + differing(PARAMETER_FIELDS)
    notes = [f"different {d}" for d in differing(NOTE_FIELDS)]
    if base.context.get("host_name") != new.context.get("host_name"):
        notes.append(f"different hosts: {base.context.get('host_name')} vs "
                     f"{new.context.get('host_name')} (same topology)")
    return mismatches, notes


def _show(value) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)


def _key(cell) -> tuple:
    return (cell.variant, cell.workload, cell.threads, cell.placement, cell.scaling)


def _name(key: tuple) -> str:
    variant, workload, threads, placement, scaling = key
    return f"{workload}/{variant}/threads:{threads}/{scaling}/{placement}"


def _times_ms(cell) -> list:
    """real_time of each repetition in ms; the median row's alone when there are no repetitions."""
    rows = cell.iterations or [cell.median]
    times = []
    for row in rows:
        factor = TIME_UNITS_MS.get(str(row.get("time_unit", "ms")))
        value = row.get("real_time")
        if factor is None or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value <= 0:
            raise ResultsError(f"cell {_name(_key(cell))}: real_time {value!r} "
                               f"{row.get('time_unit')!r} is not a positive time")
        times.append(float(value) * factor)
    return times


def _compare_cell(base_cell, new_cell, measure: str = "time") -> CellResult:
    """Ratio of medians; for wall times also the bootstrap interval, the test and the noise."""
    sample = _counts if measure == "instructions" else _times_ms
    b, n = sample(base_cell), sample(new_cell)
    mb, mn = stats.median(b), stats.median(n)
    result = CellResult(
        workload=new_cell.workload, variant=new_cell.variant, threads=new_cell.threads,
        placement=new_cell.placement, scaling=new_cell.scaling, base_reps=len(b),
        new_reps=len(n), base_median=mb, new_median=mn, ratio=mn / mb, ci_low=None,
        ci_high=None, u=None, p=None, p_method=None, p_holm=None)
    if measure == "instructions":
        return result
    if len(b) >= 2 and len(n) >= 2:
        seed = BOOTSTRAP_SEED ^ zlib.crc32(result.name.encode())
        result.ci_low, result.ci_high = stats.bootstrap_ratio_ci(b, n, seed)
        test = stats.mann_whitney(b, n)
        result.u, result.p, result.p_method = test.u, test.p, test.method
    if len(b) >= 3 and len(n) >= 3:
        result.noise = max(stats.robust_cv(b), stats.robust_cv(n))
    return result


def _counts(cell) -> list:
    """The instruction count of each repetition (ftbench run --instructions)."""
    counts = []
    for row in cell.iterations or [cell.median]:
        value = row.get("instructions")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ResultsError(f"cell {_name(_key(cell))}: instructions {value!r} is not a "
                               "positive count")
        counts.append(float(value))
    return counts


def _plain_verdict(cell: CellResult, threshold: float) -> str:
    if cell.ratio > 1 + threshold:
        return "regression"
    if cell.ratio < 1 - threshold:
        return "improvement"
    return "unchanged"


def instruction_findings(base: Results, new: Results, threshold: float) -> list:
    """Single-thread overhead against gil in instructions: a change beyond the threshold."""
    def overhead(results, workload, variant):
        cell, gil = results.cell(workload, variant, 1), results.cell(workload, "gil", 1)
        if cell is None or gil is None:
            return None
        return stats.median(_counts(cell)) / stats.median(_counts(gil))
    findings = []
    for workload, variant in sorted({(c.workload, c.variant) for c in new.cells if c.variant != "gil"},
                                    key=_order_pair(new)):
        b, v = overhead(base, workload, variant), overhead(new, workload, variant)
        if b is None or v is None or abs(v / b - 1) <= threshold:
            continue
        change = v / b - 1
        findings.append(Finding(
            "overhead_increase" if change > 0 else "overhead_decrease", workload, variant, 1, b, v,
            change, False, f"{workload}/{variant}: single-thread instructions relative to gil went "
            f"from {b:.3f}x to {v:.3f}x ({change:+.1%})"))
    return findings


def _verdict(cell: CellResult, threshold: float, alpha: float) -> str:
    """Beyond the threshold, significant after Holm, and beyond the cell's noise bound: flagged."""
    change = cell.ratio - 1
    if abs(change) <= threshold:
        return "unchanged"
    word = "slower" if change > 0 else "faster"
    if cell.p is None:
        return "untested"
    if cell.p_holm is None or cell.p_holm > alpha:
        return f"{word} (n.s.)"
    if abs(change) <= cell.bound:
        return f"{word} (noise)"
    return "regression" if change > 0 else "improvement"


def _inconclusive(base: Results, new: Results, cells: list, tested: list, alpha: float) -> list:
    """Why these wall times could not show a regression however large; [] when they could."""
    for r in (base, new):
        if not any(c.iterations for c in r.cells):
            return [f"{r.path} has no iteration rows (one per repetition): nothing can be "
                    "tested, no cell can be flagged"]
    reasons = _power_notes(tested, alpha)
    untested = [c.name for c in cells if c.verdict == "untested" and c.ratio > 1]
    if untested and not reasons:
        reasons.append(f"{len(untested)} cell{'s' * (len(untested) != 1)} slower beyond the "
                       "threshold with fewer than 2 repetitions on a side could not be tested "
                       f"(first: {untested[0]})")
    return reasons


def _power_notes(tested: list, alpha: float) -> list:
    """Say so when the repetitions cannot give any cell a significant adjusted p-value."""
    if not tested:
        return ["no cell has 2 or more repetitions on both sides: nothing was tested, "
                "no cell can be flagged"]
    k = len(tested)
    best = min(stats.min_attainable_p(c.base_reps, c.new_reps) for c in tested)
    if best > alpha / k:
        reps = sorted({f"{c.base_reps} vs {c.new_reps}" for c in tested})
        return [f"with {', '.join(reps)} repetitions the smallest possible p-value is "
                f"{best:.3g}, above alpha / cells = {alpha:g} / {k} = {alpha / k:.3g}: after the "
                "Holm correction no cell can be significant, so none can be flagged (use more "
                "repetitions, fewer cells, or a larger --alpha)"]
    return []


def curve_findings(base: Results, new: Results, threshold: float) -> list:
    findings = []
    pairs = sorted({(c.workload, c.variant) for c in new.cells}, key=_order_pair(new))
    for workload, variant in pairs:
        common = [n for n in new.thread_counts
                  if new.cell(workload, variant, n) and base.cell(workload, variant, n)]
        multi = [n for n in common if n > 1]
        if multi:
            n = max(multi)
            found = _metric_change(base.cell(workload, variant, n),
                                   new.cell(workload, variant, n), "efficiency")
            if found and found[2] < -threshold:
                b, v, change, overlap = found
                findings.append(Finding(
                    "efficiency_drop", workload, variant, n, b, v, change, overlap,
                    f"{workload}/{variant}: parallel efficiency at {n} threads fell from "
                    f"{b:.2f} to {v:.2f} ({change:+.1%})"))
        if 1 in common and variant != "gil":
            found = _metric_change(base.cell(workload, variant, 1),
                                   new.cell(workload, variant, 1), "overhead_vs_gil")
            if found and abs(found[2]) > threshold:
                b, v, change, overlap = found
                kind = "overhead_increase" if change > 0 else "overhead_decrease"
                findings.append(Finding(
                    kind, workload, variant, 1, b, v, change, overlap,
                    f"{workload}/{variant}: single-thread time relative to gil went from "
                    f"{b:.2f}x to {v:.2f}x ({change:+.1%})"))
    return findings


def _metric_change(base_cell, new_cell, name: str):
    b, n = base_cell.metric(name), new_cell.metric(name)
    if not b or not n or b.value <= 0:
        return None
    overlap = not (n.ci_high < b.ci_low or b.ci_high < n.ci_low)
    return b.value, n.value, n.value / b.value - 1, overlap


def _summary(cells: list, new: Results) -> dict:
    summary = {}
    groups = [(v, [c for c in cells if c.variant == v]) for v in new.variants]
    groups.append(("all", cells))
    for variant, group in groups:
        if group:
            summary[variant] = {
                "geomean_ratio": stats.geometric_mean(c.ratio for c in group),
                "cells": len(group),
                "regressions": sum(c.verdict == "regression" for c in group),
                "improvements": sum(c.verdict == "improvement" for c in group)}
    return summary


def _order(results: Results):
    workloads = {w: i for i, w in enumerate(results.workloads)}
    variants = {v: i for i, v in enumerate(results.variants)}
    return lambda c: (workloads.get(c.workload, 1 << 30), variants.get(c.variant, 1 << 30),
                      c.threads, c.scaling, c.placement)


def _order_pair(results: Results):
    workloads = {w: i for i, w in enumerate(results.workloads)}
    variants = {v: i for i, v in enumerate(results.variants)}
    return lambda p: (workloads.get(p[0], 1 << 30), variants.get(p[1], 1 << 30))


def _label(results: Results) -> str:
    ftb = results.ftbench
    commit = str(ftb.get("git_commit", "?")) + (" (dirty)" if ftb.get("git_dirty") else "")
    return (f"{results.path} (commit {commit}, host {results.context.get('host_name', '?')}, "
            f"{results.context.get('date', '?')})")


# --- memory ---------------------------------------------------------------------------------------

@dataclass
class MemoryFinding:
    workload: str
    variant: str
    threads: int
    field: str              # peak_rss or live_bytes_peak (MEMORY_FIELDS)
    base: float             # bytes: the median over the cell's repetitions
    new: float
    change: float           # new / base - 1
    message: str


def cell_memory(cell, name: str) -> float | None:
    """The median over repetitions of memory[name] (the median row's when no repetition has it)."""
    values = [row["memory"][name] for row in cell.iterations
              if isinstance(row.get("memory"), dict) and isinstance(row["memory"].get(name), (int, float))]
    if values:
        return stats.median(values)
    memory = cell.median.get("memory")
    value = memory.get(name) if isinstance(memory, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def memory_findings(base: Results, new: Results, common: list, threshold: float,
                    measure: str = "time") -> tuple:
    """(findings beyond the threshold, notes). Peak RSS is not compared between instruction-count
    runs (it is valgrind's); object bytes are, being the runtime's own tallies."""
    fields = [f for f in MEMORY_FIELDS if f != "peak_rss" or measure != "instructions"]
    base_cells = {_key(c): c for c in base.cells}
    new_cells = {_key(c): c for c in new.cells}
    findings, compared = [], 0
    for key in common:
        b_cell, n_cell = base_cells[key], new_cells[key]
        for name in fields:
            b, n = cell_memory(b_cell, name), cell_memory(n_cell, name)
            if b is None or n is None or b <= 0:
                continue
            if name != "peak_rss" and b < MEMORY_FLOOR_BYTES:
                continue
            compared += 1
            change = n / b - 1
            if abs(change) > threshold:
                findings.append(MemoryFinding(
                    n_cell.workload, n_cell.variant, n_cell.threads, name, b, n, change,
                    f"{_name(key)}: {MEMORY_FIELDS[name]} {_mib(b)} -> {_mib(n)} ({change:+.1%})"))
    notes = []
    has = [any(cell_memory(c, "peak_rss") is not None or cell_memory(c, "live_bytes_peak") is not None
               for c in r.cells) for r in (base, new)]
    if has[0] != has[1]:
        which = base.path if not has[0] else new.path
        notes.append(f"{which} has no memory figures (made before ftbench recorded memory): "
                     "memory not compared")
    order = _order_pair(new)
    findings.sort(key=lambda f: (order((f.workload, f.variant)), f.threads, f.field))
    return findings, notes


def _mib(value: float) -> str:
    return f"{value / (1024 * 1024):.2f} MiB"


def _memory_verdict(cmp) -> str:
    n = len(cmp.memory_increases)
    return f", MEMORY: {n} increase{'s' * (n != 1)}" if n else ""
