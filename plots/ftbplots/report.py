"""report.html (self-contained: every image embedded) and report.md (images beside it).

Both are a list of sections (SECTIONS, in report order) under a table of contents: the headline
table (and, for a calibrated sweep, a line on the machine's own speedup and its flagged rounds),
the charts, the warnings folded into a collapsible block with counts by kind, the machine context,
the machine calibration when the sweep has one, and the primitives from micro.json when the
results directory has one. A new section is one more Section in SECTIONS; a new chart is one more
entry of charts.chart_specs().
"""
from __future__ import annotations

import base64
import contextlib
import errno
import html
import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import calibration as cal
from . import charts as ch
from . import reality
from . import stats
from .results import Metric, Results, cell_name, load_micro, machine
# Every string from a results file is escaped (untrusted.py): html_text in HTML, md_text in Markdown.
from .untrusted import html_text, md_text

HTML_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
table.machine th { background: #f4f4f4; font-weight: 600; }
table.machine td { text-align: left; }
img, svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9em; }
nav.toc { background: #f7f7f7; border: 1px solid #ddd; padding: 0.5em 1.5em; margin: 1em 0; }
nav.toc ul { margin: 0.2em 0; }
nav.toc ul ul { display: flex; flex-wrap: wrap; gap: 0 1.2em; list-style: none; padding-left: 1em;
                font-size: 0.9em; }
details summary { cursor: pointer; font-weight: 600; }
details ul { font-size: 0.9em; }
"""


@dataclass
class HeadlineRow:
    """One workload: overhead of each free-threaded variant at 1 thread, speedup at most threads."""
    workload: str
    threads: int
    overhead: dict  # variant (not gil) -> Metric or None
    speedup: dict  # variant -> Metric or None


def headline(results: Results) -> list:
    rows = []
    for w in results.workloads:
        n = results.max_threads(w)
        rows.append(HeadlineRow(
            workload=w, threads=n,
            overhead={v: _metric(results, w, v, 1, "overhead_vs_gil")
                      for v in results.variants if v != "gil"},
            speedup={v: _metric(results, w, v, n, "speedup") for v in results.variants}))
    return rows


def _metric(results: Results, workload: str, variant: str, threads: int, name: str):
    cell = results.cell(workload, variant, threads)
    return cell.metric(name) if cell else None


def geomean_row(rows: list) -> dict:
    """variant -> geometric mean of the overheads over the workloads that have one."""
    variants = rows[0].overhead if rows else {}
    return {v: stats.geometric_mean_of_positive([r.overhead[v].value for r in rows if r.overhead[v]])
            for v in variants}


def format_ratio(metric) -> str:
    value = metric.value if isinstance(metric, Metric) else metric
    return "—" if value is None else f"{value:.2f}×"


def headline_table(results: Results) -> tuple:
    """(header, rows) of the headline table as text cells, shared by HTML and Markdown."""
    rows = headline(results)
    others = [v for v in results.variants if v != "gil"]
    header = (["workload"] + [f"{v} 1-thread time vs gil" for v in others]
              + ["threads"] + [f"{v} speedup" for v in results.variants])
    body = [[r.workload] + [format_ratio(r.overhead[v]) for v in others] + [str(r.threads)]
            + [format_ratio(r.speedup[v]) for v in results.variants] for r in rows]
    gmean = geomean_row(rows)
    body.append(["geometric mean"] + [format_ratio(gmean[v]) for v in others]
                + [""] * (1 + len(results.variants)))
    return header, body


def warnings(results: Results) -> list:
    """The harness's per-cell warnings, as 'cell: warning' lines."""
    lines = []
    for c in results.cells:
        for w in c.median.get("warnings") or []:
            lines.append(f"{cell_name(c.workload, c.variant, c.threads)}: {w}")
    for scaling, placement in results.other_configs:
        lines.append(f"cells with scaling {scaling}, placement {placement} are in the file "
                     "but not charted (the report charts the context's scaling and placement)")
    return lines


# --- noise figure -----------------------------------------------------------------------------

def noise_figure(results: Results) -> dict | None:
    """{cells, median_cell_cv, p90_cell_cv}: context.noise as the harness wrote it, or, for results
    written before it did, the same figure computed here from the repetitions (robust CV of each
    cell's real_time with at least 3 repetitions: 1.4826 * MAD / median; p90 interpolated as numpy
    does). None when no cell qualifies."""
    noise = results.context.get("noise")
    if isinstance(noise, dict) and isinstance(noise.get("median_cell_cv"), (int, float)):
        return noise
    cvs = []
    for c in results.cells:
        times = [r.get("real_time") for r in c.iterations]
        if len(times) >= 3 and all(isinstance(t, (int, float)) and t > 0 for t in times):
            cvs.append(stats.robust_cv(times))
    if not cvs:
        return None
    return {"cells": len(cvs), "median_cell_cv": stats.median(cvs),
            "p90_cell_cv": stats.percentile(cvs, 90)}


def noise_line(results: Results) -> str | None:
    noise = noise_figure(results)
    if noise is None:
        return None
    return (f"Noise: the median cell's robust CV is {noise['median_cell_cv']:.1%}, the 90th "
            f"percentile {noise['p90_cell_cv']:.1%} ({noise['cells']} cells; robust CV = "
            "1.4826 × median absolute deviation / median of a cell's wall times).")


# --- machine calibration --------------------------------------------------------------------

@dataclass
class CalibrationSection:
    """The report's machine calibration: a summary line and two tables (header, rows)."""
    summary: str
    rounds: tuple
    relative: tuple


CALIBRATION_NOTE = ("A pure-CPU kernel (no runtime, no shared data, no allocation) ran at every "
                    "thread count in every repetition round, interleaved with the cells: its "
                    "speedup is the machine's own. Efficiency relative to the machine = the "
                    "variant's speedup / the machine's speedup at the same thread count: 1.00 "
                    "means the variant lost nothing the machine did not; what is below 1 is "
                    "the locking strategy's, not the host's.")


def calibration_summary(results: Results, threshold: float = cal.DEFAULT_THRESHOLD) -> str:
    """One sentence: the machine's speedup and how many rounds were flagged; "" without one."""
    rounds = cal.rounds(results)
    if not rounds:
        return ""
    flagged = cal.flagged_rounds(results, threshold)
    speeds = ", ".join(f"{format_ratio(cal.machine_speedup(results, n))} at {n} threads"
                       for n in cal.thread_counts(results))
    text = (f"Machine calibration: the machine's own speedup was {speeds} (median over rounds); "
            f"{len(flagged)} of {len(rounds)} rounds flagged (machine efficiency below "
            f"{threshold:.2f}" + (f": round{'s' * (len(flagged) > 1)} "
                                  + ", ".join(str(r.repetition + 1) for r in flagged)
                                  if flagged else "") + ").")
    imbalance = cal.thread_imbalance(results)
    if imbalance:
        uneven = cal.unbalanced_rounds(imbalance)
        text += (f" In {len(uneven)} of {len(imbalance)} rounds the threads of the CPU cells, each "
                 f"doing an equal share, used unequal CPU time (median longest/shortest above "
                 f"{cal.IMBALANCE_THRESHOLD:.2f}" + (f": round{'s' * (len(uneven) > 1)} "
                                                      + ", ".join(str(r + 1) for r in uneven)
                                                      + "; the host ran a CPU slower then, for "
                                                      "every variant alike" if uneven else "")
                 + ").")
    return text


def calibration_section(results: Results,
                        threshold: float = cal.DEFAULT_THRESHOLD) -> CalibrationSection | None:
    """None when the sweep has no calibration (--no-calibration, or an older results file)."""
    rounds = cal.rounds(results)
    if not rounds:
        return None
    counts = cal.thread_counts(results)
    imbalance = cal.thread_imbalance(results)
    round_rows = [[str(r.repetition + 1)]
                  + [format_ratio(r.speedup.get(n)) for n in counts]
                  + [_fixed(r.lowest_efficiency), "flagged" if r.flagged(threshold) else ""]
                  + ([_fixed(imbalance.get(r.repetition))] if imbalance else [])
                  for r in rounds]
    round_header = (["round"] + [f"machine speedup at {n}" for n in counts]
                    + ["lowest efficiency", f"below {threshold:.2f}"]
                    + (["threads' CPU time, longest/shortest"] if imbalance else []))
    relative_header = (["workload", "threads", "machine speedup"]
                       + [f"{v} speedup" for v in results.variants]
                       + [f"{v} vs machine" for v in results.variants])
    relative_rows = []
    for w in results.workloads:
        for n in sorted({c.threads for c in results.cells if c.workload == w and c.threads > 1}):
            cells = {v: results.cell(w, v, n) for v in results.variants}
            relative_rows.append(
                [w, str(n), format_ratio(cal.machine_speedup(results, n))]
                + [format_ratio(cells[v].metric("speedup") if cells[v] else None)
                   for v in results.variants]
                + [_fixed(cal.relative_efficiency(results, w, v, n)) for v in results.variants])
    return CalibrationSection(calibration_summary(results, threshold), (round_header, round_rows),
                              (relative_header, relative_rows))


def _fixed(value) -> str:
    value = value.value if isinstance(value, Metric) else value
    return "—" if value is None else f"{value:.2f}"


def warning_kind(line: str) -> str:
    """The kind of a 'cell: warning' line: its words up to the first colon or number
    ('variation 12.3% above 5%' -> 'variation', 'machine busy: ...' -> 'machine busy')."""
    text = line.split(": ", 1)[1] if re.match(r"^\S+/threads:\d+: ", line) else line
    return re.split(r"[:\d,(]", text, maxsplit=1)[0].strip() or "other"


def warnings_by_kind(lines: list) -> dict:
    """kind -> its lines, the most frequent kind first."""
    counts = Counter(warning_kind(l) for l in lines)
    groups = {k: [] for k, _ in counts.most_common()}
    for line in lines:
        groups[warning_kind(line)].append(line)
    return groups


def warnings_summary(groups: dict) -> str:
    total = sum(len(v) for v in groups.values())
    kinds = ", ".join(f"{kind}: {len(lines)}" for kind, lines in groups.items())
    return f"Warnings: {total} ({kinds})"


# --- sections ---------------------------------------------------------------------------------

@dataclass
class Section:
    """One section of the report, in both formats; `present` says whether it has anything."""
    key: str
    title: str
    html: Callable  # (ReportData) -> str
    markdown: Callable  # (ReportData) -> str
    present: Callable = lambda data: True
    subsections: Callable = lambda data: []  # (ReportData) -> [(anchor, title)] for the TOC


@dataclass
class ReportData:
    results: Results
    charts: list
    micro_rows: list
    calibration_threshold: float = cal.DEFAULT_THRESHOLD

    @property
    def calibration(self):
        return calibration_section(self.results, self.calibration_threshold)


# --- Markdown ---------------------------------------------------------------------------------

def _md_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: Results, charts: list, micro_rows: list,
             calibration_threshold: float = cal.DEFAULT_THRESHOLD) -> str:
    data = ReportData(results, charts, micro_rows, calibration_threshold)
    sections = [section for section in SECTIONS if section.present(data)]
    parts = ["# ftbench report", "", "Contents:", ""]
    for section in sections:
        parts.append(f"- [{md_text(section.title)}](#{section.key})")
        parts += [f"  - [{md_text(title)}](#{anchor})" for anchor, title in section.subsections(data)]
    parts.append("")
    for section in sections:
        parts += [f'<a id="{section.key}"></a>', "", f"## {section.title}", "",
                  section.markdown(data), ""]
    return "\n".join(parts)


def _md_headline(data: ReportData) -> str:
    section = data.calibration
    noise = noise_line(data.results)
    return "\n\n".join([HEADLINE_NOTE, _md_table(*headline_table(data.results))]
                       + ([noise] if noise else []) + ([section.summary] if section else []))


def _md_charts(data: ReportData) -> str:
    parts = []
    for chart in data.charts:
        image = chart.files.get("png") or chart.files.get("svg")
        parts += [f'<a id="{chart.key}"></a>', "", f"### {md_text(chart.title)}", "", chart.description, "",
                  f"![{md_text(chart.title)}]({image.name})", ""]
    return "\n".join(parts)


def _md_reality(data: ReportData) -> str:
    r = reality.analyse(data.results)
    return "\n\n".join([reality.NOTE, reality.summary(r), reality.pair_line(r),
                        _md_table(*reality.ratio_table(r)),
                        '<a id="reality-speedups"></a>', "### Speedups", _md_table(*reality.speedup_table(r)),
                        '<a id="reality-verdicts"></a>', f"### Direction of {r.verdict_threads}-thread scaling",
                        _md_table(*reality.verdict_table(r)),
                        "Chart: [Model vs reality](#model_vs_reality)."])


def _md_warnings(data: ReportData) -> str:
    groups = warnings_by_kind(warnings(data.results))
    parts = ["<details>", f"<summary>{html_text(warnings_summary(groups))}</summary>", ""]
    for kind, lines in groups.items():
        parts += [f"**{md_text(kind)}** ({len(lines)})", ""] + [f"- {md_text(l)}" for l in lines] + [""]
    parts.append("</details>")
    return "\n".join(parts)


def _md_machine(data: ReportData) -> str:
    return _md_table(["machine", "value"], machine(data.results).items())


def _md_calibration(data: ReportData) -> str:
    section = data.calibration
    return "\n\n".join([CALIBRATION_NOTE, section.summary,
                        '<a id="calibration-relative"></a>', "### Efficiency relative to the machine",
                        _md_table(*section.relative),
                        '<a id="calibration-rounds"></a>', "### Rounds", _md_table(*section.rounds)])


def _md_primitives(data: ReportData) -> str:
    return "\n\n".join([MICRO_NOTE, _md_table(["benchmark", "real_time (median)", "unit"],
                                               _micro_cells(data.micro_rows))])


HEADLINE_NOTE = ("Per workload: the 1-thread time of each free-threaded variant relative to gil "
                 "(above 1.00× = slower), and each variant's speedup over its own 1-thread "
                 "throughput at the largest thread count measured (ideal = threads). "
                 "Medians over repetitions; confidence intervals are in the charts.")
MICRO_NOTE = "From micro.json (`ftbench micro`, Google Benchmark)."


def _micro_cells(micro_rows: list) -> list:
    return [[name, f"{value:.4g}", unit] for name, value, unit in micro_rows]


# --- HTML -------------------------------------------------------------------------------------

def _html_table(header: list, rows: list) -> str:
    head = "".join(f"<th>{html_text(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html_text(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_row_table(rows, css_class: str) -> str:
    """A table of (name, value) rows with the names as row headers: no header row at all."""
    body = "".join(f"<tr><th scope='row'>{html_text(str(k))}</th><td>{html_text(str(v))}</td></tr>"
                   for k, v in rows)
    return f"<table class='{css_class}'><tbody>{body}</tbody></table>"


def _embedded_image(chart) -> str:
    """The chart as a base64 PNG <img>, or its SVG inline when no PNG was drawn."""
    if "png" in chart.files:
        data = base64.b64encode(chart.files["png"].read_bytes()).decode("ascii")
        return f'<img alt="{html_text(chart.title)}" src="data:image/png;base64,{data}">'
    svg = chart.files["svg"].read_text(encoding="utf-8")
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE


def html_report(results: Results, charts: list, micro_rows: list,
                calibration_threshold: float = cal.DEFAULT_THRESHOLD) -> str:
    e = html_text
    data = ReportData(results, charts, micro_rows)
    sections = [section for section in SECTIONS if section.present(data)]
    toc = ["<nav class='toc'><strong>Contents</strong><ul>"]
    for section in sections:
        subs = section.subsections(data)
        inner = ("<ul>" + "".join(f"<li><a href='#{e(a)}'>{e(t)}</a></li>" for a, t in subs)
                 + "</ul>") if subs else ""
        toc.append(f"<li><a href='#{e(section.key)}'>{e(section.title)}</a>{inner}</li>")
    toc.append("</ul></nav>")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ftbench report: "
             f"{e(str(machine(results)['host']))}</title><style>{HTML_STYLE}</style></head><body>",
             "<h1>ftbench report</h1>", "".join(toc)]
    for section in sections:
        parts += [f"<h2 id='{e(section.key)}'>{e(section.title)}</h2>", section.html(data)]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_headline(data: ReportData) -> str:
    section = data.calibration
    return (f"<p class='note'>{html_text(HEADLINE_NOTE)}</p>"
            + _html_table(*headline_table(data.results))
            + (f"<p class='noise'>{html_text(noise)}</p>" if (noise := noise_line(data.results)) else "")
            + (f"<p class='calibration'>{html_text(section.summary)}</p>" if section else ""))


def _html_calibration(data: ReportData) -> str:
    e = html_text
    section = data.calibration
    return "\n".join([f"<p class='note'>{e(CALIBRATION_NOTE)}</p>", f"<p>{e(section.summary)}</p>",
                      "<h3 id='calibration-relative'>Efficiency relative to the machine</h3>",
                      _html_table(*section.relative),
                      "<h3 id='calibration-rounds'>Rounds</h3>", _html_table(*section.rounds)])


def _html_charts(data: ReportData) -> str:
    e = html_text
    parts = []
    for chart in data.charts:
        parts += [f"<h3 id='{e(chart.key)}'>{e(chart.title)}</h3>",
                  f"<p class='note'>{e(chart.description)}</p>", _embedded_image(chart)]
    return "\n".join(parts)


def _html_reality(data: ReportData) -> str:
    e = html.escape
    r = reality.analyse(data.results)
    return "\n".join([f"<p class='note'>{e(reality.NOTE)}</p>", f"<p>{e(reality.summary(r))}</p>",
                      f"<p>{e(reality.pair_line(r))}</p>", _html_table(*reality.ratio_table(r)),
                      "<h3 id='reality-speedups'>Speedups</h3>", _html_table(*reality.speedup_table(r)),
                      f"<h3 id='reality-verdicts'>Direction of {r.verdict_threads}-thread scaling</h3>",
                      _html_table(*reality.verdict_table(r)),
                      "<p class='note'>Chart: <a href='#model_vs_reality'>Model vs reality</a>.</p>"])


def _html_warnings(data: ReportData) -> str:
    e = html_text
    groups = warnings_by_kind(warnings(data.results))
    parts = [f"<details><summary>{e(warnings_summary(groups))}</summary>"]
    for kind, lines in groups.items():
        parts += [f"<p><strong>{e(kind)}</strong> ({len(lines)})</p><ul>"]
        parts += [f"<li>{e(l)}</li>" for l in lines] + ["</ul>"]
    parts.append("</details>")
    return "\n".join(parts)


def _html_machine(data: ReportData) -> str:
    return _html_row_table(machine(data.results).items(), "machine")


def _html_primitives(data: ReportData) -> str:
    return (f"<p class='note'>{html_text(MICRO_NOTE)}</p>"
            + _html_table(["benchmark", "real_time (median)", "unit"], _micro_cells(data.micro_rows)))


# The report's sections in order. Headline and charts first: what a reader came for.
SECTIONS = [
    Section("headline", "Headline", _html_headline, _md_headline),
    Section("charts", "Charts", _html_charts, _md_charts,
            subsections=lambda data: [(c.key, c.title) for c in data.charts]),
    Section("reality", "Model vs reality", _html_reality, _md_reality,
            present=lambda data: reality.present(data.results),
            subsections=lambda data: [("reality-speedups", "Speedups"),
                                      ("reality-verdicts", "Direction of scaling")]),
    Section("warnings", "Warnings", _html_warnings, _md_warnings,
            present=lambda data: bool(warnings(data.results))),
    Section("machine", "Machine", _html_machine, _md_machine),
    Section("calibration", "Machine calibration", _html_calibration, _md_calibration,
            present=lambda data: data.calibration is not None,
            subsections=lambda data: [("calibration-relative", "Efficiency relative to the machine"),
                                      ("calibration-rounds", "Rounds")]),
    Section("primitives", "Primitives", _html_primitives, _md_primitives,
            present=lambda data: bool(data.micro_rows)),
]


# --- everything -------------------------------------------------------------------------------

def write_report(results: Results, out_dir, formats=ch.ALL_FORMATS, micro_dir=None,
                 calibration_threshold: float = cal.DEFAULT_THRESHOLD) -> tuple:
    """Draws the charts and writes report.html and report.md into out_dir. A calibration round
    whose machine efficiency is below calibration_threshold is flagged.

    Everything is written into a temporary directory beside out_dir first and moved into place
    when complete (report.html last), so an interrupted or failed report leaves out_dir as it
    was: absent, or holding the previous report. Returns (path of report.html, list of warnings
    for the person running it).
    """
    out_dir = Path(out_dir)
    with staged_report(out_dir) as staging:
        charts = ch.render_all(results, staging, formats)
        micro_rows, micro_warning = load_micro(micro_dir or results.path.parent)
        (staging / "report.md").write_text(
            markdown(results, charts, micro_rows, calibration_threshold), encoding="utf-8")
        (staging / "report.html").write_text(
            html_report(results, charts, micro_rows, calibration_threshold), encoding="utf-8")
    return out_dir / "report.html", [micro_warning] if micro_warning else []


@contextlib.contextmanager
def staged_report(out_dir: Path):
    """Yields a fresh directory beside out_dir to write a report into (ftbench report, ftbench
    merge). When the block ends normally the report is moved into out_dir (_install); the staging
    directory is removed either way, so a failed or interrupted report leaves out_dir as it was."""
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "the output path is not a directory", str(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial",
                                    dir=out_dir.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would become the report's mode
        yield staging
        _install(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install(staging: Path, out_dir: Path) -> None:
    """Moves the finished report from staging into out_dir, with signals held until it is done.

    A new out_dir is the staging directory renamed; an existing one (a previous report, or a
    directory of the user's) gets each file and directory replaced, report.html last, and keeps
    anything else.
    """
    held = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        if not out_dir.exists():
            staging.rename(out_dir)
            return
        names = sorted(p.name for p in staging.iterdir())
        names.sort(key=lambda name: name == "report.html")
        for name in names:
            target = out_dir / name
            if (staging / name).is_dir() and target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(staging / name, target)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
