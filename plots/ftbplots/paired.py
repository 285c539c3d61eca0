"""ftbench compare --paired DIR: the drift-proof gate on a paired sweep (docs/compare.md, "Paired sweeps").

`ftbench run --baseline-binary BASE` runs every cell by both builds in every repetition round, the
two runs of a cell back to back (harness/src/baseline.h): this build's runs in DIR/results.json,
the base binary's in DIR/baseline.json (every row "build": "base"). Here, per cell and round, the
ratio new / base of the two runs' wall times (real_time). A machine that slows down for a while
slows both runs of a pair, so the ratio keeps what the builds differ in and loses most of the drift
that two sweeps run minutes apart each see on their own.

The ratios are taken of two measures (MEASURES), each tested alike: the wall time (real_time) and
the CPU time of the run's threads (cpu_time). On a machine shared with other work the wall time
also holds the time a run waited for a core, which no pairing can take out; the CPU time does
not, but misses a change that only makes threads wait. Both are tested by default, in one Holm
family (--measure wall|cpu|both).

Per cell and measure, over the rounds present on both sides: the median of the per-round ratios, and a
Wilcoxon signed-rank test on the per-round log ratios (scipy.stats.wilcoxon, exact for up to 50
rounds without ties), one-sided: greater for slower, less for faster. The p-values of each
direction are adjusted with Holm-Bonferroni over every tested cell and one more test per measure,
the whole sweep's: the same test on every pair of every cell at once, its ratio the geometric mean of the
cells' median ratios. A cell is a regression when its median ratio > 1 + threshold and its
adjusted one-sided p <= alpha; an improvement when < 1 - threshold and significant the other way;
the whole sweep likewise against sweep_threshold (default 2%). Exit status as compare's: 1 when a cell regressed,
else 0; 2 (unless allow_inconclusive) when no cell could have been significant (too few rounds for
the number of cells at alpha), or the input is unusable (results.ResultsError).

The false-alarm guard is the threshold together with the test: the test alone would flag a
consistent 1% change, and the threshold alone a cell whose rounds scatter. Compare's noise factor
(a change must exceed twice the cell's spread between repetitions) stands in for the drift between
two sweeps, which a paired sweep does not have; it is not applied here. Measured false-alarm and
detection rates: docs/compare.md.

This module reads, computes and renders; it prints nothing.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import stats
from .results import Results, ResultsError, load

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2
DEFAULT_THRESHOLD = 0.05
# Holm over the cells of a quick sweep (24 for 6 workloads x 2 variants x 2 thread counts) at
# 0.01 would need p <= 4e-4, below the smallest exact one-sided p-value of 10 rounds (2^-10 =
# 9.8e-4): at 0.05 a cell whose 10 rounds all agree is significant up to 51 cells.
DEFAULT_ALPHA = 0.05
# The whole sweep's threshold (the geometric mean over cells of the per-cell median ratios). Its
# test pools every pair, so a shared change of a few percent is measured far more precisely than
# in any one cell, and "everything 2% slower" is a change worth stopping a merge for. The false
# alarms of a paired test do not depend on it: under A/A the sign of each pair's log ratio is the
# coin that ordered the pair, so p <= alpha happens with probability alpha at most, whatever the
# machine's drift (docs/compare.md).
DEFAULT_SWEEP_THRESHOLD = 0.02
BASELINE_FILE = "baseline.json"
TIME_UNITS_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}
# What a pair's ratio is taken of: the run's wall time, or the CPU time of its threads (which on
# a machine shared with other work leaves out the time spent waiting for a core; and also the
# time a thread spends blocked, so a regression that only waits shows in wall time alone).
MEASURES = {"wall": "real_time", "cpu": "cpu_time"}
DEFAULT_MEASURES = ("wall", "cpu")


@dataclass
class PairedCell:
    workload: str
    variant: str
    threads: int
    rounds: int              # repetition rounds with a run on both sides
    base_median: float       # ms, median over those rounds
    new_median: float
    ratio: float             # median over rounds of new / base; > 1: new is slower
    low: float               # smallest and largest per-round ratio
    high: float
    p_slower: float | None   # one-sided Wilcoxon signed-rank p (None: fewer than 2 rounds)
    p_faster: float | None
    p_slower_holm: float | None = None
    p_faster_holm: float | None = None
    # regression, improvement, slower (n.s.), faster (n.s.), unchanged, untested
    verdict: str = "unchanged"
    measure: str = "wall"    # a key of MEASURES

    @property
    def name(self) -> str:
        return f"{self.workload}/{self.variant}/threads:{self.threads}"


@dataclass
class Overall:
    """Every pair of every cell at once: a change that all cells share, too small for any one
    cell's rounds to show on a noisy machine, shows here."""
    pairs: int
    ratio: float             # geometric mean over cells of the cells' median ratios
    p_slower: float | None   # one-sided Wilcoxon signed-rank over every pair's log ratio
    p_faster: float | None
    p_slower_holm: float | None = None  # Holm over the cells and this test together
    p_faster_holm: float | None = None
    verdict: str = "unchanged"
    measure: str = "wall"


@dataclass
class PairedComparison:
    path: str
    base_binary: str
    base_version: str
    base_work_scale: float | None
    new_work_scale: float | None
    threshold: float
    alpha: float
    sweep_threshold: float
    cells: list
    round_ratios: list       # per round: geometric mean over cells of new / base
    overalls: list = field(default_factory=list)  # Overall per measure: every pair of every cell
    measures: tuple = DEFAULT_MEASURES
    notes: list = field(default_factory=list)
    inconclusive: list = field(default_factory=list)
    allow_inconclusive: bool = False

    @property
    def regressions(self) -> list:
        return [c for c in self.cells if c.verdict == "regression"]

    @property
    def improvements(self) -> list:
        return [c for c in self.cells if c.verdict == "improvement"]

    @property
    def overall(self) -> Overall | None:
        """The whole sweep's test on the first measure (wall time by default)."""
        return self.overalls[0] if self.overalls else None

    @property
    def sweep_regressions(self) -> list:
        return [o for o in self.overalls if o.verdict == "regression"]

    @property
    def sweep_regressed(self) -> bool:
        return bool(self.sweep_regressions)

    @property
    def tested_cells(self) -> int:
        return len({c.name for c in self.cells if c.p_slower is not None})

    @property
    def tests(self) -> int:
        return sum(1 for c in self.cells + self.overalls if c.p_slower is not None)

    @property
    def exit_status(self) -> int:
        if self.regressions or self.sweep_regressed:
            return EXIT_REGRESSION
        return EXIT_BAD_INPUT if self.inconclusive and not self.allow_inconclusive else EXIT_OK

    def verdict_line(self) -> str:
        r, i = len({c.name for c in self.regressions}), len({c.name for c in self.improvements})
        sweep = ", ".join(f"{o.ratio - 1:+.1%} in {o.measure} time" for o in self.sweep_regressions)
        if r:
            head = f"REGRESSION: {r} cell{'s' * (r != 1)} slower"
            if sweep:
                head += f", the whole sweep {sweep}"
        elif sweep:
            head = f"REGRESSION: the whole sweep slower, {sweep}"
        elif self.inconclusive:
            head = ("INCONCLUSIVE: no regression could have been flagged"
                    + (" (accepted: --allow-inconclusive)" if self.allow_inconclusive else ""))
        else:
            head = "no regression"
        tail = f", {i} cell{'s' * (i != 1)} faster" if i else ""
        return f"{head}{tail} (exit {self.exit_status})"


# --- reading ------------------------------------------------------------------------------------


def is_paired(path) -> bool:
    """Whether PATH (a results directory or its results.json) is a paired sweep."""
    p = Path(path)
    directory = p if p.is_dir() else p.parent
    if not (directory / "results.json").is_file():
        return False
    try:
        doc = json.loads((directory / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    ftb = doc.get("context", {}).get("ftbench", {}) if isinstance(doc, dict) else {}
    return isinstance(ftb, dict) and isinstance(ftb.get("baseline"), dict)


def load_paired(path) -> tuple:
    """(new Results, base Results, the baseline block) of a paired sweep, or ResultsError."""
    new = load(path)
    block = new.ftbench.get("baseline")
    if not isinstance(block, dict):
        raise ResultsError(f"{new.path} is not a paired sweep (no context.ftbench.baseline: run it "
                           "with ftbench run --baseline-binary), so --paired has nothing to pair")
    # The file is named by the results file, which is untrusted: only the name ftbench writes.
    if block.get("file", BASELINE_FILE) != BASELINE_FILE:
        raise ResultsError(f"{new.path}: context.ftbench.baseline.file is "
                           f"{json.dumps(block.get('file'))}, not {BASELINE_FILE}")
    base_file = new.path.parent / BASELINE_FILE
    if not base_file.is_file():
        raise ResultsError(f"{base_file} not found: a paired sweep keeps the base build's runs there")
    base = load(base_file)
    if base.ftbench.get("build") != "base":
        raise ResultsError(f"{base_file} is not the base side of a paired sweep "
                           "(its context.ftbench.build is not \"base\")")
    if base.ftbench.get("seed") != new.ftbench.get("seed"):
        raise ResultsError(f"{base_file} and {new.path} come from different sweeps (their seeds differ)")
    return new, base, block


def _times_by_round(cell, measure: str = "wall") -> dict:
    """repetition_index -> real_time (wall) or cpu_time (cpu) in ms, from the iteration rows."""
    out = {}
    key = MEASURES[measure]
    for row in cell.iterations:
        factor = TIME_UNITS_MS.get(str(row.get("time_unit", "ms")))
        value, rep = row.get(key), row.get("repetition_index")
        if factor is None or not isinstance(value, (int, float)) or isinstance(value, bool) \
                or not math.isfinite(value) or value <= 0:
            raise ResultsError(f"cell {cell.workload}/{cell.variant}/threads:{cell.threads}: "
                               f"{key} {value!r} {row.get('time_unit')!r} is not a positive time")
        if not isinstance(rep, int) or isinstance(rep, bool):
            raise ResultsError(f"cell {cell.workload}/{cell.variant}/threads:{cell.threads}: an "
                               "iteration row without an integer repetition_index cannot be paired")
        out[rep] = float(value) * factor
    return out


# --- the statistics -----------------------------------------------------------------------------


def wilcoxon_one_sided(log_ratios, alternative: str) -> float:
    """One-sided Wilcoxon signed-rank p-value that the log ratios centre above (greater) or
    below (less) zero. Zero differences are dropped (Wilcoxon's original treatment); none left: 1."""
    from scipy.stats import wilcoxon
    d = [x for x in log_ratios if x != 0.0]
    if not d:
        return 1.0
    return float(wilcoxon(d, alternative=alternative).pvalue)


def min_attainable_p(rounds: int) -> float:
    """The smallest one-sided exact signed-rank p-value of `rounds` pairs: every sign alike."""
    return 2.0 ** -rounds


def _pair_cell(new_cell, base_cell, measure: str) -> PairedCell:
    n, b = _times_by_round(new_cell, measure), _times_by_round(base_cell, measure)
    common = sorted(set(n) & set(b))
    ratios = [n[r] / b[r] for r in common]
    cell = PairedCell(
        workload=new_cell.workload, variant=new_cell.variant, threads=new_cell.threads,
        rounds=len(common),
        base_median=stats.median([b[r] for r in common]) if common else math.nan,
        new_median=stats.median([n[r] for r in common]) if common else math.nan,
        ratio=stats.median(ratios) if ratios else math.nan,
        low=min(ratios) if ratios else math.nan, high=max(ratios) if ratios else math.nan,
        p_slower=None, p_faster=None, measure=measure)
    if len(common) >= 2:
        logs = [math.log(x) for x in ratios]
        cell.p_slower = wilcoxon_one_sided(logs, "greater")
        cell.p_faster = wilcoxon_one_sided(logs, "less")
    return cell


def _overall(pairs: list, cells: list, measure: str) -> Overall:
    logs = []
    for new_cell, base_cell in pairs:
        n, b = _times_by_round(new_cell, measure), _times_by_round(base_cell, measure)
        logs += [math.log(n[r] / b[r]) for r in sorted(set(n) & set(b))]
    ratios = [c.ratio for c in cells if c.rounds > 0]
    result = Overall(pairs=len(logs), ratio=stats.geometric_mean(ratios) if ratios else math.nan,
                     p_slower=None, p_faster=None, measure=measure)
    if len(logs) >= 2:
        result.p_slower = wilcoxon_one_sided(logs, "greater")
        result.p_faster = wilcoxon_one_sided(logs, "less")
    return result


def _verdict(c, threshold: float, alpha: float) -> str:
    """A PairedCell's or the Overall's verdict, once its Holm-adjusted p-values are set."""
    if c.p_slower is None:
        return "untested" if math.isnan(c.ratio) or abs(c.ratio - 1) > threshold else "unchanged"
    if c.ratio > 1 + threshold:
        return "regression" if c.p_slower_holm <= alpha else "slower (n.s.)"
    if c.ratio < 1 - threshold:
        return "improvement" if c.p_faster_holm <= alpha else "faster (n.s.)"
    return "unchanged"


def _round_ratios(pairs: list) -> list:
    """Per round, the geometric mean over cells of new / base: a sweep-wide view of each round."""
    by_round = {}
    for new_cell, base_cell in pairs:
        n, b = _times_by_round(new_cell), _times_by_round(base_cell)
        for r in set(n) & set(b):
            by_round.setdefault(r, []).append(n[r] / b[r])
    return [stats.geometric_mean(by_round[r]) for r in sorted(by_round)]


def compare_paired(path, threshold: float = DEFAULT_THRESHOLD, alpha: float = DEFAULT_ALPHA,
                   allow_inconclusive: bool = False,
                   sweep_threshold: float = DEFAULT_SWEEP_THRESHOLD,
                   measures: tuple = DEFAULT_MEASURES) -> PairedComparison:
    if not measures or any(m not in MEASURES for m in measures):
        raise ResultsError(f"the measures must be some of {', '.join(MEASURES)}")
    if not (0 <= threshold < 1) or not (0 <= sweep_threshold < 1) or not (0 < alpha < 1):
        raise ResultsError("the thresholds must be in [0, 1) and alpha in (0, 1)")
    new, base, block = load_paired(path)
    pairs, notes = [], []
    only_new = []
    for cell in new.cells:
        other = base.cell(cell.workload, cell.variant, cell.threads)
        if other is None:
            only_new.append(cell)
        else:
            pairs.append((cell, other))
    if not pairs:
        raise ResultsError(f"{new.path} and its {BASELINE_FILE} have no cell in common: "
                           "nothing to compare")
    if only_new:
        notes.append(f"{len(only_new)} cell(s) have no base runs yet (an interrupted sweep? "
                     f"ftbench run --resume completes it), first: {only_new[0].workload}/"
                     f"{only_new[0].variant}/threads:{only_new[0].threads}")
    cells, overalls = [], []
    for m in measures:
        these = [_pair_cell(n, b, m) for n, b in pairs]
        cells += these
        overalls.append(_overall(pairs, these, m))
    # One Holm family: every cell and the whole sweep, on every measure.
    family = [c for c in cells + overalls if c.p_slower is not None]
    for attr in ("p_slower", "p_faster"):
        adjusted = stats.holm([getattr(c, attr) for c in family])
        for c, p in zip(family, adjusted):
            setattr(c, attr + "_holm", p)
    for c in cells:
        c.verdict = _verdict(c, threshold, alpha)
    for o in overalls:
        o.verdict = _verdict(o, sweep_threshold, alpha)
    overall = overalls[0]
    tested = [c for c in cells if c.p_slower is not None]
    inconclusive = []
    if not tested:
        inconclusive.append("no cell has 2 or more rounds run by both builds: nothing was tested")
    else:
        k = len(family)
        best = min(min_attainable_p(n) for n in [c.rounds for c in tested] + [overall.pairs])
        if best > alpha / k:
            inconclusive.append(
                f"with at most {max(c.rounds for c in tested)} paired rounds (and {overall.pairs} "
                f"pairs in all) the smallest possible one-sided p-value is {best:.3g}, above alpha / "
                f"tests = {alpha:g} / {k} = {alpha / k:.3g}: after the Holm correction nothing can "
                "be significant (use more repetitions, or a larger --alpha)")
    new_scale, base_scale = new.ftbench.get("work_scale"), block.get("work_scale")
    if isinstance(new_scale, (int, float)) and isinstance(base_scale, (int, float)) \
            and new_scale != base_scale:
        notes.append(f"the two sides ran at different work scales (new {new_scale:g}, base "
                     f"{base_scale:g}: ftbench run --baseline-work-scale, a testing aid): the "
                     "ratios include the difference in work")
    return PairedComparison(
        path=str(new.path.parent), base_binary=str(block.get("binary", "?")),
        base_version=" ".join(str(block.get("version", "?")).split("\n")[:2]),
        base_work_scale=base_scale if isinstance(base_scale, (int, float)) else None,
        new_work_scale=new_scale if isinstance(new_scale, (int, float)) else None,
        threshold=threshold, alpha=alpha, sweep_threshold=sweep_threshold, cells=cells, round_ratios=_round_ratios(pairs), overalls=overalls,
        measures=tuple(measures),
        notes=notes, inconclusive=inconclusive, allow_inconclusive=allow_inconclusive)


# --- output -------------------------------------------------------------------------------------

VERDICT_MARK = {"regression": "REGRESSION", "improvement": "improvement"}
HEADER = ["workload", "variant", "threads", "time", "rounds", "base ms", "new ms", "new/base",
          "range", "p slower", "p (Holm)", "verdict"]


def _fmt_p(p) -> str:
    return "-" if p is None else (f"{p:.2g}" if p >= 0.001 else f"{p:.1e}")


def _rows(cells: list) -> list:
    return [[c.workload, c.variant, str(c.threads), c.measure, str(c.rounds), f"{c.base_median:.3f}",
             f"{c.new_median:.3f}", f"{c.ratio:.3f}", f"[{c.low:.3f}, {c.high:.3f}]",
             _fmt_p(c.p_slower), _fmt_p(c.p_slower_holm), VERDICT_MARK.get(c.verdict, c.verdict)]
            for c in cells]


def _method(cmp: PairedComparison) -> str:
    return (f"Paired: per repetition round new / base of the two builds' back-to-back runs "
            f"({' and '.join(m + ' time' for m in cmp.measures)}); "
            f"threshold {cmp.threshold:.1%} on a cell's median ratio ({cmp.sweep_threshold:.1%} on "
            f"the whole sweep's), alpha {cmp.alpha:g} after "
            f"Holm-Bonferroni over {cmp.tests} tests ({cmp.tested_cells} cells and the whole sweep, "
            "per measure; one-sided Wilcoxon signed-rank on the per-round log ratios)")


def _rounds_line(cmp: PairedComparison) -> str:
    return ", ".join(f"{r:.3f}" for r in cmp.round_ratios)


def _overall_lines(cmp: PairedComparison) -> list:
    return [f"Whole sweep, {o.measure} time ({o.pairs} pairs): geometric mean of the cells' ratios "
            f"{o.ratio:.3f}, p slower {_fmt_p(o.p_slower)} (Holm {_fmt_p(o.p_slower_holm)}): "
            f"{VERDICT_MARK.get(o.verdict, o.verdict)}" for o in cmp.overalls]


def render_text(cmp: PairedComparison) -> str:
    lines = [f"sweep: {cmp.path}", f"base:  {cmp.base_binary} ({cmp.base_version})",
             _method(cmp), ""]
    lines += [f"note: {n}" for n in cmp.notes] + ([""] if cmp.notes else [])
    rows = [HEADER] + _rows(cmp.cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    lines += [""] + _overall_lines(cmp) + [
              f"Geometric mean of wall-time new / base over cells, per round: {_rounds_line(cmp)}", "",
              f"Result: {cmp.verdict_line()}"]
    return "\n".join(lines) + "\n"


def _md_table(rows: list) -> list:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    return out + ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]


def _md_cell(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\n", " "))


def render_markdown(cmp: PairedComparison) -> str:
    status = ("**Regression**" if cmp.regressions else
              "**Inconclusive**" if cmp.inconclusive else "**No regression**")
    lines = [f"### ftbench compare --paired: {status}", "", f"{cmp.verdict_line()}. {_method(cmp)}.",
             "", f"- sweep: `{_md_cell(cmp.path)}`",
             f"- base binary: `{_md_cell(cmp.base_binary)}` ({_md_cell(cmp.base_version)})", ""]
    lines += [f"> **Note:** {_md_cell(n)}" for n in cmp.notes] + ([""] if cmp.notes else [])
    flagged = [c for c in cmp.cells if c.verdict in VERDICT_MARK]
    lines.append("#### Significant changes")
    lines += _md_table(_rows(flagged)) if flagged else \
        ["None beyond the threshold and significant after the correction."]
    lines += [""] + [f"- {_md_cell(x)}" for x in _overall_lines(cmp)] + ["",
              f"Geometric mean of wall-time new / base over cells, per round: {_rounds_line(cmp)}", "",
              f"<details><summary>All {len(cmp.cells)} cells</summary>", ""]
    lines += _md_table(_rows(cmp.cells)) + ["", "</details>", ""]
    return "\n".join(lines)


def to_json(cmp: PairedComparison) -> str:
    doc = asdict(cmp)
    doc["exit_status"], doc["verdict"] = cmp.exit_status, cmp.verdict_line()
    return json.dumps(doc, indent=1, allow_nan=False, default=str) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": to_json}
