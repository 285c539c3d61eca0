"""report.html (self-contained: every image embedded) and report.md (images beside it).

Both open with the headline table (and, for a calibrated sweep, a line on the machine's own
speedup and its flagged rounds), then the machine context, then the machine calibration when the
sweep has one, then the charts, then the primitives from micro.json when the results directory
has one.
"""
from __future__ import annotations

import base64
import errno
import html
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import calibration as cal
from . import charts as ch
from .results import Metric, Results, load_micro, machine

HTML_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
img, svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9em; }
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
    return {v: ch.geometric_mean([r.overhead[v].value for r in rows if r.overhead[v]])
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
            lines.append(f"{c.workload}/{c.variant}/threads:{c.threads}: {w}")
    for scaling, placement in results.other_configs:
        lines.append(f"cells with scaling {scaling}, placement {placement} are in the file "
                     "but not charted (the report charts the context's scaling and placement)")
    return lines


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
    return (f"Machine calibration: the machine's own speedup was {speeds} (median over rounds); "
            f"{len(flagged)} of {len(rounds)} rounds flagged (machine efficiency below "
            f"{threshold:.2f}" + (f": round{'s' * (len(flagged) > 1)} "
                                  + ", ".join(str(r.repetition + 1) for r in flagged)
                                  if flagged else "") + ").")


def calibration_section(results: Results,
                        threshold: float = cal.DEFAULT_THRESHOLD) -> CalibrationSection | None:
    """None when the sweep has no calibration (--no-calibration, or an older results file)."""
    rounds = cal.rounds(results)
    if not rounds:
        return None
    counts = cal.thread_counts(results)
    round_rows = [[str(r.repetition + 1)]
                  + [format_ratio(r.speedup.get(n)) for n in counts]
                  + [_fixed(r.lowest_efficiency), "flagged" if r.flagged(threshold) else ""]
                  for r in rounds]
    round_header = (["round"] + [f"machine speedup at {n}" for n in counts]
                    + ["lowest efficiency", f"below {threshold:.2f}"])
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


# --- Markdown ---------------------------------------------------------------------------------

def _md_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: Results, charts: list, micro_rows: list,
             calibration_threshold: float = cal.DEFAULT_THRESHOLD) -> str:
    parts = ["# ftbench report", "", HEADLINE_NOTE, "", _md_table(*headline_table(results)), ""]
    section = calibration_section(results, calibration_threshold)
    if section:
        parts += [section.summary, ""]
    parts += ["## Machine", "", _md_table(["", ""], machine(results).items()), ""]
    if section:
        parts += ["## Machine calibration", "", CALIBRATION_NOTE, "", section.summary, "",
                  "### Efficiency relative to the machine", "", _md_table(*section.relative), "",
                  "### Rounds", "", _md_table(*section.rounds), ""]
    notes = warnings(results)
    if notes:
        parts += ["## Warnings", ""] + [f"- {n}" for n in notes] + [""]
    parts += ["## Charts", ""]
    for chart in charts:
        image = chart.files.get("png") or chart.files.get("svg")
        parts += [f"### {chart.title}", "", chart.description, "", f"![{chart.title}]({image.name})", ""]
    if micro_rows:
        parts += ["## Primitives", "", MICRO_NOTE, "",
                  _md_table(["benchmark", "real_time (median)", "unit"], _micro_cells(micro_rows)), ""]
    return "\n".join(parts)


HEADLINE_NOTE = ("Per workload: the 1-thread time of each free-threaded variant relative to gil "
                 "(above 1.00× = slower), and each variant's speedup over its own 1-thread "
                 "throughput at the largest thread count measured (ideal = threads). "
                 "Medians over repetitions; confidence intervals are in the charts.")
MICRO_NOTE = "From micro.json (`ftbench micro`, Google Benchmark)."


def _micro_cells(micro_rows: list) -> list:
    return [[name, f"{value:.4g}", unit] for name, value, unit in micro_rows]


# --- HTML -------------------------------------------------------------------------------------

def _html_table(header: list, rows: list) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _embedded_image(chart) -> str:
    """The chart as a base64 PNG <img>, or its SVG inline when no PNG was drawn."""
    if "png" in chart.files:
        data = base64.b64encode(chart.files["png"].read_bytes()).decode("ascii")
        return f'<img alt="{html.escape(chart.title)}" src="data:image/png;base64,{data}">'
    svg = chart.files["svg"].read_text(encoding="utf-8")
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE


def html_report(results: Results, charts: list, micro_rows: list,
                calibration_threshold: float = cal.DEFAULT_THRESHOLD) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ftbench report: "
             f"{e(str(machine(results)['host']))}</title><style>{HTML_STYLE}</style></head><body>",
             "<h1>ftbench report</h1>", f"<p class='note'>{e(HEADLINE_NOTE)}</p>",
             _html_table(*headline_table(results))]
    section = calibration_section(results, calibration_threshold)
    if section:
        parts.append(f"<p class='calibration'>{e(section.summary)}</p>")
    parts += ["<h2>Machine</h2>", _html_table(["", ""], machine(results).items())]
    if section:
        parts += ["<h2 id='calibration'>Machine calibration</h2>",
                  f"<p class='note'>{e(CALIBRATION_NOTE)}</p>", f"<p>{e(section.summary)}</p>",
                  "<h3>Efficiency relative to the machine</h3>", _html_table(*section.relative),
                  "<h3>Rounds</h3>", _html_table(*section.rounds)]
    notes = warnings(results)
    if notes:
        parts += ["<h2>Warnings</h2><ul>"] + [f"<li>{e(n)}</li>" for n in notes] + ["</ul>"]
    parts.append("<h2>Charts</h2>")
    for chart in charts:
        parts += [f"<h3 id='{e(chart.key)}'>{e(chart.title)}</h3>",
                  f"<p class='note'>{e(chart.description)}</p>", _embedded_image(chart)]
    if micro_rows:
        parts += ["<h2>Primitives</h2>", f"<p class='note'>{e(MICRO_NOTE)}</p>",
                  _html_table(["benchmark", "real_time (median)", "unit"], _micro_cells(micro_rows))]
    parts.append("</body></html>\n")
    return "\n".join(parts)


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
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "the output path is not a directory", str(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial",
                                    dir=out_dir.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would become the report's mode
        charts = ch.render_all(results, staging, formats)
        micro_rows, micro_warning = load_micro(micro_dir or results.path.parent)
        (staging / "report.md").write_text(
            markdown(results, charts, micro_rows, calibration_threshold), encoding="utf-8")
        (staging / "report.html").write_text(
            html_report(results, charts, micro_rows, calibration_threshold), encoding="utf-8")
        _install(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir / "report.html", [micro_warning] if micro_warning else []


def _install(staging: Path, out_dir: Path) -> None:
    """Moves the finished report from staging into out_dir, with signals held until it is done.

    A new out_dir is the staging directory renamed; an existing one (a previous report, or a
    directory of the user's) gets each file replaced, report.html last, and keeps anything else.
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
            os.replace(staging / name, out_dir / name)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
