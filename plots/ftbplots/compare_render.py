"""ftbench compare's output: a Comparison (ftbplots/compare.py, the analysis) as text, markdown
or JSON (docs/compare.md, "Output"). Nothing here computes a statistic or decides a verdict; every
number printed is a field of the Comparison's records.
"""
from __future__ import annotations

import json
from dataclasses import asdict

from .compare import CellResult, Comparison
# Names, labels and notes come from the results files (untrusted: a pull request's sweep ends up in
# its comment): md_text escapes them in markdown, visible() keeps control characters off terminals.
from .untrusted import md_text, visible

VERDICT_MARK = {"regression": "REGRESSION", "improvement": "improvement"}


def _memory_lines(cmp, bullet: str, escape=str) -> list:
    return [f"{bullet}{'MEMORY INCREASE' if f.change > 0 else 'memory decrease'}: {escape(f.message)}"
            for f in cmp.memory] or [f"{bullet}nothing beyond the threshold"]


def _fmt_ci(c: CellResult) -> str:
    return "-" if c.ci_low is None else f"[{c.ci_low:.3f}, {c.ci_high:.3f}]"


def _fmt_p(p) -> str:
    return "-" if p is None else (f"{p:.2g}" if p >= 0.001 else f"{p:.1e}")


def _table_rows(cmp: Comparison, cells: list) -> list:
    if cmp.measure == "instructions":
        return [[c.workload, c.variant, str(c.threads), f"{c.base_median:.0f}",
                 f"{c.new_median:.0f}", f"{c.ratio:.4f}", VERDICT_MARK.get(c.verdict, c.verdict)]
                for c in cells]
    return [[c.workload, c.variant, str(c.threads), f"{c.base_median:.3f}",
             f"{c.new_median:.3f}", f"{c.ratio:.3f}", _fmt_ci(c),
             _fmt_p(c.p) + (" (exact)" if c.p_method == "exact" else ""), _fmt_p(c.p_holm),
             "-" if c.noise is None else f"{c.noise:.1%}", VERDICT_MARK.get(c.verdict, c.verdict)]
            for c in cells]


TABLE_HEADER = ["workload", "variant", "threads", "base ms", "new ms", "new/base", "95% CI",
                "p", "p (Holm)", "noise", "verdict"]
COUNT_HEADER = ["workload", "variant", "threads", "base instructions", "new instructions",
                "new/base", "verdict"]


def _header(cmp: Comparison) -> list:
    return COUNT_HEADER if cmp.measure == "instructions" else TABLE_HEADER


def _method(cmp: Comparison) -> str:
    """One sentence: what decided the verdicts."""
    if cmp.measure == "instructions":
        return (f"Threshold {cmp.threshold:.1%} on {cmp.tested_cells} cells' callgrind instruction "
                "counts (deterministic: a plain threshold, no significance test)")
    noise = (f", and beyond {cmp.noise_factor:g} x the cell's noise (robust CV)"
             if cmp.noise_factor > 0 else "")
    return (f"Threshold {cmp.threshold:.1%}, alpha {cmp.alpha:g} after Holm-Bonferroni over "
            f"{cmp.tested_cells} tested cells (Mann-Whitney U on the repetitions' wall time){noise}")


def render_text(cmp: Comparison) -> str:
    lines = [f"base: {cmp.base_label}", f"new:  {cmp.new_label}", _method(cmp) + "; medians over "
             "repetitions", ""]
    for note in cmp.notes:
        lines.append(f"note: {note}")
    if cmp.notes:
        lines.append("")
    rows = [_header(cmp)] + _table_rows(cmp, cmp.cells)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    lines.append("")
    lines.append("Curve view (threshold only; reported, not part of the exit status):")
    lines += [f"  {f.kind}: {f.message}" + ("" if f.cis_overlap else " [95% CIs do not overlap]")
              for f in cmp.findings] or ["  nothing beyond the threshold"]
    lines.append("")
    lines.append(f"Memory (threshold {cmp.memory_threshold:.0%} on medians; an increase is exit 1):")
    lines += _memory_lines(cmp, "  ")
    lines.append("")
    lines.append("Geometric mean of new/base per variant:")
    for variant, s in cmp.summary.items():
        lines.append(f"  {variant:8} {s['geomean_ratio']:.3f}  ({s['cells']} cells, "
                     f"{s['regressions']} regressions, {s['improvements']} improvements)")
    if cmp.only_in_base or cmp.only_in_new:
        lines.append(f"cells only in base: {len(cmp.only_in_base)}, only in new: "
                     f"{len(cmp.only_in_new)} (not compared)")
    if cmp.chart:
        lines.append(f"chart: {cmp.chart}")
    lines.append("")
    lines.append(f"Result: {cmp.verdict_line()}")
    return "\n".join(visible(line) for line in lines) + "\n"


def _md_table(header: list, rows: list) -> list:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(md_text(v) for v in r) + " |" for r in rows]
    return out


def render_markdown(cmp: Comparison) -> str:
    status = ("**Regression**" if cmp.regressions else
              "**Inconclusive**" if cmp.inconclusive else "**No regression**")
    lines = [f"### ftbench compare: {status}", "",
             f"{md_text(cmp.verdict_line())}. {_method(cmp)}.", "",
             f"- base: {md_text(cmp.base_label)}", f"- new: {md_text(cmp.new_label)}", ""]
    for note in cmp.notes:
        lines.append(f"> **Note:** {md_text(note)}")
    if cmp.notes:
        lines.append("")
    lines.append("#### Geometric mean of new / base per variant")
    lines += _md_table(["variant", "new/base", "cells", "regressions", "improvements"],
                       [[v, f"{s['geomean_ratio']:.3f}", str(s["cells"]), str(s["regressions"]),
                         str(s["improvements"])] for v, s in cmp.summary.items()])
    lines.append("")
    flagged = [c for c in cmp.cells if c.verdict in ("regression", "improvement")]
    lines.append("#### Changes beyond the threshold" if cmp.measure == "instructions"
                 else "#### Significant changes")
    if flagged:
        lines += _md_table(_header(cmp), _table_rows(cmp, flagged))
    else:
        lines.append("None beyond the threshold." if cmp.measure == "instructions" else
                     "None beyond the threshold and significant after the correction.")
    lines.append("")
    lines.append("#### Curve view (threshold only, not part of the exit status)")
    lines += [f"- {md_text(f.message)}" + ("" if f.cis_overlap else " (95% CIs do not overlap)")
              for f in cmp.findings] or ["Nothing beyond the threshold."]
    lines.append("")
    lines.append(f"#### Memory (threshold {cmp.memory_threshold:.0%} on medians; an increase is exit 1)")
    lines += _memory_lines(cmp, "- ", md_text)
    lines.append("")
    if cmp.chart:
        lines += [f"![new / base median wall time per cell]({cmp.chart})", ""]
    lines.append(f"<details><summary>All {len(cmp.cells)} cells</summary>")
    lines.append("")
    lines += _md_table(_header(cmp), _table_rows(cmp, cmp.cells))
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def to_json(cmp: Comparison) -> str:
    doc = {
        "base": cmp.base, "new": cmp.new, "measure": cmp.measure, "threshold": cmp.threshold,
        "alpha": cmp.alpha, "noise_factor": cmp.noise_factor,
        "correction": "none" if cmp.measure == "instructions" else "holm-bonferroni",
        "tested_cells": cmp.tested_cells,
        "cells": [dict(asdict(c), name=c.name) for c in cmp.cells],
        "findings": [asdict(f) for f in cmp.findings],
        "summary": cmp.summary, "mismatches": cmp.mismatches, "notes": cmp.notes,
        "only_in_base": cmp.only_in_base, "only_in_new": cmp.only_in_new, "chart": cmp.chart,
        "regressions": [c.name for c in cmp.regressions],
        "improvements": [c.name for c in cmp.improvements],
        "inconclusive": cmp.inconclusive, "allow_inconclusive": cmp.allow_inconclusive,
        "exit_status": cmp.exit_status, "verdict": cmp.verdict_line(),
        "machine_calibration": [dict(asdict(c), message=c.message) for c in cmp.machine],
        "machine_differs": cmp.machine_differs,
        "memory_threshold": cmp.memory_threshold,
        "memory": [asdict(m) for m in cmp.memory],
    }
    return json.dumps(doc, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": to_json}
