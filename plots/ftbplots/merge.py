"""ftbench merge DIR... --out OUT: sweeps from several machines in one report (docs/multi-machine.md).

OUT/report.html (self-contained) and OUT/report.md (images beside it) hold:
  - a table of the machines: host, CPU model, cores, topology, kernel, date, commit, threads;
  - across machines: parallel efficiency (speedup / threads) at each machine's largest thread
    count, against the machine's core count, a panel per workload and a line per variant (the
    chart machines.png/.svg and its numbers as a table);
  - a panel per machine, made of the report's own pieces (report.py): its headline table, noise
    figure and calibration line, its overview charts (scaling of every workload, single-thread
    overhead, memory, parallel efficiency; drawn into OUT/machine-<n>/), its warnings and its
    machine table.

A machine is (host name, CPU model, core count) from each results.json's context. Merge takes one
sweep per machine: two sweeps of the same machine are refused, naming both (to put them side by
side, `ftbench compare` them; to keep both, `ftbench history add`). A directory given twice, a
missing one, one without a results.json, an instruction-count sweep or a sweep without a
multi-thread cell is refused too (ResultsError: exit 2, one line).

Every string from the results files is untrusted (untrusted.py): escaped in HTML and Markdown and
in chart labels; no file name is taken from them (panels are machine-<n>, n its place in the
report). As report.py does, everything is drawn in a temporary directory beside OUT and moved into
place when complete, report.html last.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import calibration as cal
from . import charts as ch
from . import report as rp
from .results import Metric, Results, ResultsError, _variant_order_key, load, machine
from .untrusted import html_text, md_text

# The per-machine charts of a panel: the report's overviews (chart_specs keys).
PANEL_CHARTS = ("scaling_all", "overhead", "memory", "efficiency")
CROSS_CHART = "machines"
MACHINE_TABLE_FIELDS = ("host", "cpu model", "cores", "topology", "kernel", "date", "commit")


@dataclass
class MachineSweep:
    """One machine's sweep: its place in the report (1-based), its results, its identity."""
    index: int
    results: Results
    source: str  # the directory as given on the command line

    @property
    def key(self) -> tuple:
        return machine_key(self.results)

    @property
    def cores(self) -> int:
        return core_count(self.results)

    @property
    def slug(self) -> str:
        return f"machine-{self.index}"

    @property
    def label(self) -> str:
        """'M<n>: host', the name of the machine in tables, legends and headings (untrusted)."""
        return f"M{self.index}: {machine(self.results)['host']}"


def machine_key(results: Results) -> tuple:
    """(host, CPU model, cores): what tells two machines apart."""
    m = machine(results)
    return (m["host"], m["cpu model"], m["cores"])


def core_count(results: Results) -> int:
    for value in (results.ftbench.get("cores"), results.context.get("num_cpus")):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    raise ResultsError(f"{results.path}: context.ftbench.cores (or context.num_cpus) is not a "
                       "positive integer: the cross-machine chart needs each machine's core count")


def load_sweeps(directories: list) -> list:
    """Loads and checks every sweep; returns them in report order (fewest cores first, then as
    given). Raises ResultsError for anything merge cannot use."""
    if not directories:
        raise ResultsError("no results directories given")
    sweeps, seen_files, seen_machines = [], {}, {}
    for position, directory in enumerate(directories):
        results = load(directory)
        file = results.path.resolve()
        if file in seen_files:
            raise ResultsError(f"{directory} is given twice (the same results file as "
                               f"{seen_files[file]}): each sweep once")
        seen_files[file] = directory
        if results.ftbench.get("mode", "time") != "time":
            raise ResultsError(f"{results.path} holds instruction counts (ftbench run "
                               "--instructions), not timings: merge charts timed sweeps")
        results.require_multithread()
        key = machine_key(results)
        if key in seen_machines:
            host, cpu, cores = key
            raise ResultsError(
                f"{directory} and {seen_machines[key]} are sweeps of the same machine (host "
                f"{host!r}, {cpu!r}, {cores} cores): merge takes one sweep per machine; compare "
                "them with `ftbench compare`, or keep both with `ftbench history add`")
        seen_machines[key] = directory
        core_count(results)
        sweeps.append((position, results, str(directory)))
    sweeps.sort(key=lambda s: (core_count(s[1]), s[0]))
    return [MachineSweep(i + 1, results, source) for i, (_, results, source) in enumerate(sweeps)]


# --- across machines ------------------------------------------------------------------------------

@dataclass(frozen=True)
class EfficiencyPoint:
    """One machine's efficiency for a workload and variant, at its largest thread count."""
    machine: int  # MachineSweep.index
    cores: int
    threads: int
    efficiency: Metric


def workloads(sweeps: list) -> list:
    """Every workload of any sweep, in the order they first appear."""
    return list(dict.fromkeys(w for s in sweeps for w in s.results.workloads))


def variants(sweeps: list) -> list:
    """Every variant of any sweep, in the report's order (gil, atomic, brc, then by name)."""
    present = {v for s in sweeps for v in s.results.variants}
    return sorted(present, key=_variant_order_key)


def efficiency_points(sweeps: list) -> dict:
    """(workload, variant) -> [EfficiencyPoint] over the machines that measured it above 1 thread,
    fewest cores first."""
    table = {}
    for s in sweeps:
        r = s.results
        for w in r.workloads:
            for v in r.variants:
                threads = [c.threads for c in r.cells
                           if c.workload == w and c.variant == v and c.threads > 1]
                if not threads:
                    continue
                n = max(threads)
                metric = r.cell(w, v, n).metric("efficiency")
                if metric is not None:
                    table.setdefault((w, v), []).append(EfficiencyPoint(s.index, s.cores, n, metric))
    return table


def machine_efficiency(sweep: MachineSweep) -> tuple | None:
    """(threads, efficiency) of the machine calibration at the sweep's largest thread count."""
    if not cal.present(sweep.results):
        return None
    n = max(sweep.results.thread_counts)
    speedup = cal.machine_speedup(sweep.results, n)
    return (n, speedup.value / n) if speedup else None


def efficiency_chart(sweeps: list):
    """A panel per workload: efficiency against the machine's core count (log 2 axis), a line per
    variant with its 95% interval as error bars; grey dashed: the machines' own efficiency
    (calibration kernel) where every machine has one."""
    from matplotlib.ticker import FixedLocator, NullLocator

    table = efficiency_points(sweeps)
    names = workloads(sweeps)
    fig, axes = ch._grid(len(names), 3.4, 2.9)
    cores = sorted({s.cores for s in sweeps})
    machine_line = [(s.cores, machine_efficiency(s)) for s in sweeps]
    for ax, w in zip(axes, names):
        top = 1.0
        for v in variants(sweeps):
            points = table.get((w, v), [])
            if not points:
                continue
            ms = [p.efficiency for p in points]
            ax.errorbar([p.cores for p in points], [m.value for m in ms], yerr=ch._yerr(ms),
                        marker=ch.variant_marker(v), color=ch.variant_colour(v), label=v,
                        capsize=2, linewidth=1.2)
            top = max([top] + [m.ci_high for m in ms])
        if all(e is not None for _, e in machine_line) and len(machine_line) > 1:
            ax.plot([c for c, _ in machine_line], [e[1] for _, e in machine_line],
                    linestyle=(0, (4, 2)), color=ch.MACHINE_COLOUR, linewidth=1.5, label="machine")
        ax.axhline(1.0, color=ch.IDEAL_COLOUR, linestyle="--", linewidth=1, label="ideal")
        if len(cores) > 1:
            ax.set_xscale("log", base=2)
            ax.set_xlim(cores[0] / 1.3, cores[-1] * 1.3)
        ax.xaxis.set_major_locator(FixedLocator(cores))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(lambda x, pos: f"{x:g}")
        ax.set_ylim(0, top * 1.08)
        ax.set_xlabel("cores of the machine", fontsize=8)
        ax.set_ylabel("efficiency (speedup / threads)", fontsize=7)
        ax.set_title(w if len(w) <= 40 else w[:39] + "…", fontsize=10)  # a panel's width
        ax.grid(alpha=0.3)
    ch._legend_outside(axes[min(len(axes), 4) - 1], fontsize=7)
    caption = textwrap.fill(" | ".join(f"M{s.index}: {machine(s.results)['host']}, {s.cores} cores, "
                                       f"{machine(s.results)['cpu model']}" for s in sweeps), 160)
    return ch._finish(fig, "Parallel efficiency at each machine's largest thread count, "
                      "against its cores (error bars: 95% CI)", caption)


def efficiency_table(sweeps: list) -> tuple:
    """(header, rows): a row per workload and variant, a column per machine: 'efficiency (n threads)'."""
    table = efficiency_points(sweeps)
    header = ["workload", "variant"] + [f"{s.label} ({s.cores} cores)" for s in sweeps]
    rows = []
    for w in workloads(sweeps):
        for v in variants(sweeps):
            points = {p.machine: p for p in table.get((w, v), [])}
            if not points:
                continue
            rows.append([w, v] + [f"{points[s.index].efficiency.value:.2f} ({points[s.index].threads} threads)"
                                  if s.index in points else "—" for s in sweeps])
    return header, rows


def machines_table(sweeps: list) -> tuple:
    header = ["machine"] + list(MACHINE_TABLE_FIELDS) + ["threads", "source"]
    rows = []
    for s in sweeps:
        m = machine(s.results)
        rows.append([f"M{s.index}"] + [m[f] for f in MACHINE_TABLE_FIELDS]
                    + [", ".join(str(n) for n in s.results.thread_counts), s.source])
    return header, rows


# --- the pages ----------------------------------------------------------------------------------

INTRO = ("Sweeps of {count} machines merged by `ftbench merge`. Each machine's panel is its own "
         "report's headline, charts and context; the chart across machines puts each workload's "
         "parallel efficiency at the largest thread count a machine ran against that machine's "
         "core count.")
CROSS_NOTE = ("Efficiency = speedup over the same variant's 1-thread throughput / threads, at each "
              "machine's largest thread count (ideal 1.0); error bars: bootstrap 95% intervals. "
              "Grey dashed, where every machine ran the calibration: the machine's own efficiency "
              "(a pure-CPU kernel), what the hardware allowed. Each machine is compared with "
              "itself only: no cell of one machine is compared with another's.")


@dataclass
class Panel:
    sweep: MachineSweep
    charts: list  # charts.Chart, files under OUT/machine-<n>/


def _image_md(chart, base: str) -> str:
    image = chart.files.get("png") or chart.files.get("svg")
    return f"![{md_text(chart.title)}]({base}{image.name})"


def markdown(sweeps: list, cross, panels: list) -> str:
    parts = ["# ftbench merge", "", INTRO.format(count=len(sweeps)), "", "Contents:", "",
             "- [Machines](#machines)", "- [Across machines](#across-machines)"]
    parts += [f"- [{md_text(p.sweep.label)}](#{p.sweep.slug})" for p in panels]
    parts += ["", '<a id="machines"></a>', "", "## Machines", "", rp._md_table(*machines_table(sweeps)), "",
              '<a id="across-machines"></a>', "", "## Across machines", "", CROSS_NOTE, "",
              _image_md(cross, ""), "", rp._md_table(*efficiency_table(sweeps)), ""]
    for p in panels:
        r = p.sweep.results
        parts += [f'<a id="{p.sweep.slug}"></a>', "", f"## {md_text(p.sweep.label)}", "",
                  md_text(r.machine_caption()), "", rp.HEADLINE_NOTE, "",
                  rp._md_table(*rp.headline_table(r)), ""]
        parts += [line for line in (rp.noise_line(r), rp.calibration_summary(r)) if line]
        for chart in p.charts:
            parts += ["", f"### {md_text(chart.title)}", "", chart.description, "",
                      _image_md(chart, f"{p.sweep.slug}/")]
        lines = rp.warnings(r)
        if lines:
            groups = rp.warnings_by_kind(lines)
            parts += ["", "<details>", f"<summary>{html_text(rp.warnings_summary(groups))}</summary>", ""]
            parts += [f"- {md_text(line)}" for line in lines] + ["", "</details>"]
        parts += ["", "### Machine", "", rp._md_table(["machine", "value"], machine(r).items()), ""]
    return "\n".join(parts) + "\n"


def html_page(sweeps: list, cross, panels: list) -> str:
    e = html_text
    toc = ["<nav class='toc'><strong>Contents</strong><ul>",
           "<li><a href='#machines'>Machines</a></li>",
           "<li><a href='#across-machines'>Across machines</a></li>"]
    toc += [f"<li><a href='#{p.sweep.slug}'>{e(p.sweep.label)}</a></li>" for p in panels]
    toc.append("</ul></nav>")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ftbench merge: "
             f"{len(sweeps)} machines</title><style>{rp.HTML_STYLE}</style></head><body>",
             "<h1>ftbench merge</h1>", f"<p>{e(INTRO.format(count=len(sweeps)))}</p>", "".join(toc),
             "<h2 id='machines'>Machines</h2>", rp._html_table(*machines_table(sweeps)),
             "<h2 id='across-machines'>Across machines</h2>", f"<p class='note'>{e(CROSS_NOTE)}</p>",
             rp._embedded_image(cross), rp._html_table(*efficiency_table(sweeps))]
    for p in panels:
        r = p.sweep.results
        parts += [f"<section class='machine-panel' id='{p.sweep.slug}'>",
                  f"<h2>{e(p.sweep.label)}</h2>", f"<p class='note'>{e(r.machine_caption())}</p>",
                  f"<p class='note'>{e(rp.HEADLINE_NOTE)}</p>", rp._html_table(*rp.headline_table(r))]
        parts += [f"<p>{e(line)}</p>" for line in (rp.noise_line(r), rp.calibration_summary(r)) if line]
        for chart in p.charts:
            parts += [f"<h3>{e(chart.title)}</h3>", f"<p class='note'>{e(chart.description)}</p>",
                      rp._embedded_image(chart)]
        lines = rp.warnings(r)
        if lines:
            groups = rp.warnings_by_kind(lines)
            parts += [f"<details><summary>{e(rp.warnings_summary(groups))}</summary><ul>"]
            parts += [f"<li>{e(line)}</li>" for line in lines] + ["</ul></details>"]
        parts += ["<h3>Machine</h3>", rp._html_row_table(machine(r).items(), "machine"), "</section>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)


# --- everything ---------------------------------------------------------------------------------

def write_merge(directories: list, out_dir, formats=ch.ALL_FORMATS) -> Path:
    """Loads the sweeps, draws every chart and writes report.html and report.md into out_dir
    (staged beside it, moved into place when complete). Returns the path of report.html."""
    sweeps = load_sweeps(directories)
    out_dir = Path(out_dir)
    with rp.staged_report(out_dir) as staging:
        cross = ch.Chart(CROSS_CHART, "Parallel efficiency across machines", CROSS_NOTE)
        fig = efficiency_chart(sweeps)
        for fmt in formats:
            cross.files[fmt] = ch.save(fig, staging / f"{CROSS_CHART}.{fmt}")
        panels = [Panel(s, _panel_charts(s, staging / s.slug, formats)) for s in sweeps]
        (staging / "report.md").write_text(markdown(sweeps, cross, panels), encoding="utf-8")
        (staging / "report.html").write_text(html_page(sweeps, cross, panels), encoding="utf-8")
    return out_dir / "report.html"


def _panel_charts(sweep: MachineSweep, directory: Path, formats) -> list:
    charts = []
    for key, title, description, build in ch.chart_specs(sweep.results):
        if key not in PANEL_CHARTS:
            continue
        fig = build()
        chart = ch.Chart(key, title, description)
        for fmt in formats:
            chart.files[fmt] = ch.save(fig, directory / f"{key}.{fmt}")
        charts.append(chart)
    return charts
