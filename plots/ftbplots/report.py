"""report.html (self-contained: every image embedded) and report.md (images beside it).

Both open with the headline table, then the machine context, then the charts, then the
primitives from micro.json when the results directory has one.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import charts as ch
from . import stats
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
    return {"cells": len(cvs), "median_cell_cv": float(np.percentile(cvs, 50)),
            "p90_cell_cv": float(np.percentile(cvs, 90))}


def noise_line(results: Results) -> str | None:
    noise = noise_figure(results)
    if noise is None:
        return None
    return (f"Noise: the median cell's robust CV is {noise['median_cell_cv']:.1%}, the 90th "
            f"percentile {noise['p90_cell_cv']:.1%} ({noise['cells']} cells; robust CV = "
            "1.4826 × median absolute deviation / median of a cell's wall times).")


# --- Markdown ---------------------------------------------------------------------------------

def _md_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: Results, charts: list, micro_rows: list) -> str:
    parts = ["# ftbench report", "", HEADLINE_NOTE, "", _md_table(*headline_table(results)), ""]
    if noise_line(results):
        parts += [noise_line(results), ""]
    parts += ["## Machine", "", _md_table(["", ""], machine(results).items()), ""]
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


def html_report(results: Results, charts: list, micro_rows: list) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ftbench report: "
             f"{e(str(machine(results)['host']))}</title><style>{HTML_STYLE}</style></head><body>",
             "<h1>ftbench report</h1>", f"<p class='note'>{e(HEADLINE_NOTE)}</p>",
             _html_table(*headline_table(results))]
    if noise_line(results):
        parts.append(f"<p class='noise'>{e(noise_line(results))}</p>")
    parts += ["<h2>Machine</h2>", _html_table(["", ""], machine(results).items())]
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

def write_report(results: Results, out_dir, formats=ch.ALL_FORMATS, micro_dir=None) -> tuple:
    """Draws the charts and writes report.html and report.md into out_dir.

    Returns (path of report.html, list of warnings for the person running it).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = ch.render_all(results, out_dir, formats)
    micro_rows, micro_warning = load_micro(micro_dir or results.path.parent)
    (out_dir / "report.md").write_text(markdown(results, charts, micro_rows), encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(html_report(results, charts, micro_rows), encoding="utf-8")
    return page, [micro_warning] if micro_warning else []
