"""The machine calibration in the report and in compare (ftbplots/calibration.py).

The calibrated results are made here: a fixture's results.json plus the calibration/machine cells
and the top-level "calibration" block the way `ftbench run` writes them (docs/results-format.md),
with machine speedups chosen per round. The fixtures themselves have no calibration: they stand
for results files written before it existed.
"""
import json
import statistics
import subprocess

import numpy as np
import pytest
from conftest import CLI, FIXTURES, PYTHON, raw_medians
from test_compare import COMPARE_CLI, results_doc, synth_times

from ftbplots import calibration as cal
from ftbplots import charts, compare, results
from ftbplots.report import calibration_section, write_report


def add_calibration(doc, round_speedups, t1_ms=None, units=1000):
    """Adds the calibration cells and block to a results document: round_speedups[r][n] is the
    machine's speedup at n threads in round r (strong scaling: t_n = t_1 / speedup)."""
    threads = sorted({n for speedups in round_speedups for n in speedups} | {1})
    t1_ms = t1_ms or [40.0] * len(round_speedups)
    rows, times = [], {n: [] for n in threads}
    for n in threads:
        run_name = f"calibration/machine/threads:{n}/strong/compact"
        base = {"run_name": run_name, "threads": n, "iterations": 1, "time_unit": "ms",
                "variant": "machine", "workload": "calibration", "category": "calibration",
                "placement": "compact", "scaling": "strong", "units": units,
                "repetitions": len(round_speedups)}
        for r, speedups in enumerate(round_speedups):
            t = t1_ms[r] / (speedups[n] if n > 1 else 1.0)
            times[n].append(t)
            rows.append(dict(base, name=run_name, run_type="iteration", repetition_index=r,
                             real_time=t, cpu_time=t * n, wall_seconds=t / 1000))
        per_round = [s[n] if n > 1 else 1.0 for s in round_speedups]
        speedup = statistics.median(per_round)
        rows.append(dict(base, name=run_name + "_median", run_type="aggregate",
                         aggregate_name="median", real_time=statistics.median(times[n]),
                         cpu_time=0, speedup=metric(speedup, min(per_round), max(per_round)),
                         efficiency=metric(speedup / n, min(per_round) / n, max(per_round) / n)))
    doc["benchmarks"] += rows
    block_threads = {}
    for n in threads:
        per_round = [s[n] if n > 1 else 1.0 for s in round_speedups]
        block_threads[str(n)] = {"rounds": len(per_round), "efficiency": statistics.median(per_round) / n,
                                 "speedup": metric(statistics.median(per_round), min(per_round),
                                                   max(per_round))}
    doc["calibration"] = {
        "workload": "calibration", "variant": "machine", "size": 1000, "scaling": "strong",
        "placement": "compact", "threshold": 0.9,
        "rounds": [{"repetition": r, "speedup": {"1": 1.0, **{str(n): s for n, s in sp.items()}},
                    "efficiency": {str(n): s / n for n, s in sp.items()}}
                   for r, sp in enumerate(round_speedups)],
        "flagged_rounds": [], "threads": block_threads}
    doc["context"]["ftbench"]["calibration"] = True
    return doc


def metric(value, low, high):
    return {"value": value, "ci_low": low, "ci_high": high}


# Three rounds of the 1,2,4-thread fixture: round 2 is short of cores at 4 threads (0.75).
ROUNDS = [{2: 1.98, 4: 3.9}, {2: 1.9, 4: 3.0}, {2: 1.96, 4: 3.8}]


@pytest.fixture
def calibrated(tmp_path):
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    directory = tmp_path / "calibrated"
    directory.mkdir()
    (directory / "results.json").write_text(json.dumps(add_calibration(doc, ROUNDS)))
    return directory


def test_calibration_cells_are_no_workload(calibrated):
    r = results.load(calibrated)
    assert r.workloads == ["fib", "dict_churn", "shared_counter", "pipe_pingpong"]
    assert r.variants == ["gil", "atomic", "brc"]
    assert {(c.workload, c.variant) for c in r.calibration_cells} == {("calibration", "machine")}
    assert [c.threads for c in sorted(r.calibration_cells, key=lambda c: c.threads)] == [1, 2, 4]
    assert [rd.speedup[4] for rd in cal.rounds(r)] == [3.9, 3.0, 3.8]
    assert cal.machine_speedup(r, 4).value == 3.8
    # Nothing that lists workloads or cells sees them: the overhead bars, the heatmap rows.
    assert "calibration" not in {w for points in charts.overhead_values(r).values() for w, _ in points}
    assert len(charts.efficiency_matrix(r, "brc")) == 4


def test_relative_efficiency_is_the_variant_speedup_over_the_machines(calibrated):
    r = results.load(calibrated)
    medians = raw_medians("sweep")
    for w in ["fib", "shared_counter"]:
        for v in ["gil", "brc"]:
            want = medians[(w, v, 4)]["speedup"]["value"] / 3.8
            assert cal.relative_efficiency(r, w, v, 4).value == pytest.approx(want)


def test_scaling_chart_draws_the_machine_line(calibrated):
    r = results.load(calibrated)
    ax = charts.scaling_chart(r, "fib").axes[0]
    machine = [line for line in ax.get_lines() if line.get_label() == "machine"]
    assert len(machine) == 1
    line = machine[0]
    assert list(line.get_xdata()) == [1, 2, 4]
    assert list(line.get_ydata()) == [1.0, 1.96, 3.8]
    assert line.get_linestyle() in ("--", "dashed") or line.get_dashes()
    assert line.get_color() == charts.MACHINE_COLOUR
    assert "machine" in [t.get_text() for t in ax.get_legend().get_texts()]
    grid = charts.scaling_grid(r)
    assert all("machine" in [l.get_label() for l in a.get_lines()] for a in grid.axes if a.get_visible()
               and a.get_lines())


def test_no_machine_line_or_section_without_calibration(sweep, tmp_path):
    ax = charts.scaling_chart(sweep, "fib").axes[0]
    assert "machine" not in [line.get_label() for line in ax.get_lines()]
    assert not cal.present(sweep) and calibration_section(sweep) is None
    assert "calibration" not in [key for key, *_ in charts.chart_specs(sweep)]
    page, _ = write_report(sweep, tmp_path / "report", formats=("svg",))
    assert "Machine calibration" not in page.read_text()
    assert "Machine calibration" not in (tmp_path / "report" / "report.md").read_text()


def test_report_section_flags_rounds_below_the_threshold(calibrated, tmp_path):
    r = results.load(calibrated)
    section = calibration_section(r, 0.9)
    assert "1 of 3 rounds flagged" in section.summary and "round 2" in section.summary
    header, rows = section.rounds
    assert [row[header.index("below 0.90")] for row in rows] == ["", "flagged", ""]
    header, rows = section.relative
    assert header[:3] == ["workload", "threads", "machine speedup"] and "brc vs machine" in header
    fib4 = next(row for row in rows if row[:2] == ["fib", "4"])
    want = raw_medians("sweep")[("fib", "brc", 4)]["speedup"]["value"] / 3.8
    assert fib4[header.index("brc vs machine")] == f"{want:.2f}"
    assert not [row for row in rows if row[0] == "calibration"]
    # A stricter threshold flags more rounds (0.975 at 4 threads is below 0.98).
    assert "3 of 3 rounds flagged" in calibration_section(r, 0.99).summary

    page, _ = write_report(r, tmp_path / "report", formats=("png",))
    text = page.read_text()
    assert "Machine calibration" in text and "1 of 3 rounds flagged" in text
    assert "brc vs machine" in text
    md = (tmp_path / "report" / "report.md").read_text()
    # The summary line comes right after the headline table, before the machine context.
    assert md.index("1 of 3 rounds flagged") < md.index("## Machine\n")
    assert (tmp_path / "report" / "calibration.png").stat().st_size > 0


def with_thread_cpu(directory, tmp_path, cpu_of_round):
    """A copy of a results directory whose multi-thread rows of `cpu` workloads have the
    per-thread CPU times cpu_of_round(round, threads); returns the copy."""
    doc = json.loads((directory / "results.json").read_text())
    for row in doc["benchmarks"]:
        if row.get("run_type") == "iteration" and row.get("category") == "cpu" and row["threads"] > 1:
            row["thread_cpu_seconds"] = cpu_of_round(row["repetition_index"], row["threads"])
    out = tmp_path / "with-cpu"
    out.mkdir(parents=True)
    (out / "results.json").write_text(json.dumps(doc))
    return out


def test_rounds_whose_threads_used_unequal_cpu_time_are_named(calibrated, tmp_path):
    # Round 3 (index 2): one thread took 1.6x the others' CPU time in every cpu cell, the way a
    # host running one vCPU slower shows; rounds 1 and 2 are even within 5%.
    def cpu(r, n):
        return [0.1] * (n - 1) + [0.16 if r == 2 else 0.105]
    r = results.load(with_thread_cpu(calibrated, tmp_path, cpu))
    assert cal.thread_imbalance(r) == pytest.approx({0: 1.05, 1: 1.05, 2: 1.6})
    assert cal.unbalanced_rounds(cal.thread_imbalance(r)) == [2]
    section = calibration_section(r, 0.9)
    assert "In 1 of 3 rounds the threads of the CPU cells" in section.summary
    assert "above 1.25: round 3;" in section.summary
    header, rows = section.rounds
    column = header.index("threads' CPU time, longest/shortest")
    assert [row[column] for row in rows] == ["1.05", "1.05", "1.60"]
    md_dir = tmp_path / "report"
    write_report(r, md_dir, formats=("svg",))
    assert "above 1.25: round 3;" in (md_dir / "report.md").read_text()
    # Even threads everywhere: the column stays, no round is named.
    even = results.load(with_thread_cpu(calibrated, tmp_path / "even", lambda r, n: [0.1] * n))
    assert cal.unbalanced_rounds(cal.thread_imbalance(even)) == []
    assert "In 0 of 3 rounds" in calibration_section(even, 0.9).summary


def test_no_thread_cpu_column_without_thread_cpu_times(calibrated, tmp_path):
    doc = json.loads((calibrated / "results.json").read_text())
    for row in doc["benchmarks"]:
        row.pop("thread_cpu_seconds", None)
    out = tmp_path / "old"
    out.mkdir()
    (out / "results.json").write_text(json.dumps(doc))
    r = results.load(out)
    assert cal.thread_imbalance(r) == {}
    section = calibration_section(r, 0.9)
    assert "CPU time" not in section.summary
    assert "threads' CPU time, longest/shortest" not in section.rounds[0]


def test_cli_calibration_threshold(calibrated, tmp_path):
    run = subprocess.run([PYTHON, str(CLI), str(calibrated), "--out", str(tmp_path / "r"),
                          "--format", "svg", "--calibration-threshold", "0.7"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "0 of 3 rounds flagged" in (tmp_path / "r" / "report.md").read_text()
    bad = subprocess.run([PYTHON, str(CLI), str(calibrated), "--calibration-threshold", "1.5"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--calibration-threshold" in bad.stderr
    assert "Traceback" not in bad.stderr


# --- compare ------------------------------------------------------------------------------------

def compare_pair(tmp_path, base_rounds, new_rounds, base_t1=None, new_t1=None):
    times = synth_times(reps=9, noise=0.01, seed=3)
    dirs = []
    for name, rounds, t1 in (("base", base_rounds, base_t1), ("new", new_rounds, new_t1)):
        doc = results_doc(times)
        if rounds is not None:
            add_calibration(doc, rounds, t1)
        d = tmp_path / name
        d.mkdir(parents=True)
        (d / "results.json").write_text(json.dumps(doc))
        dirs.append(d)
    return dirs


def machine_rounds(speedup, seed, reps=9, noise=0.01):
    rng = np.random.default_rng(seed)
    return [{2: speedup * (1 + noise * rng.standard_normal())} for _ in range(reps)]


def test_compare_same_machine_no_flag(tmp_path):
    base, new = compare_pair(tmp_path, machine_rounds(1.95, 1), machine_rounds(1.95, 2))
    cmp = compare.compare(base, new)
    assert not cmp.machine_differs
    assert [c.threads for c in cmp.machine] == [1, 2]
    assert not [n for n in cmp.notes if "machine calibration" in n]


def test_compare_flags_a_machine_that_lost_parallelism(tmp_path):
    base, new = compare_pair(tmp_path, machine_rounds(1.95, 1), machine_rounds(1.45, 2))
    cmp = compare.compare(base, new)
    assert cmp.machine_differs
    two = next(c for c in cmp.machine if c.threads == 2)
    assert two.differs and two.ratio == pytest.approx(1.45 / 1.95, rel=0.03)
    assert not next(c for c in cmp.machine if c.threads == 1).differs
    assert any("machine calibration differs" in n and "speedup at 2 threads" in n for n in cmp.notes)
    # Flagged, not refused: the cells are compared and the exit status is theirs.
    assert cmp.exit_status == compare.EXIT_OK and cmp.cells
    run = subprocess.run([PYTHON, str(COMPARE_CLI), str(base), str(new), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["machine_differs"] is True
    assert [c["threads"] for c in doc["machine_calibration"] if c["differs"]] == [2]
    text = subprocess.run([PYTHON, str(COMPARE_CLI), str(base), str(new)], capture_output=True,
                          text=True, timeout=120).stdout
    assert "note: machine calibration differs: the machine's own speedup at 2 threads" in text


def test_compare_flags_a_slower_single_core(tmp_path):
    rounds = machine_rounds(1.95, 1)
    base, new = compare_pair(tmp_path, rounds, rounds, base_t1=[40.0 + 0.1 * i for i in range(9)],
                             new_t1=[48.0 + 0.1 * i for i in range(9)])
    cmp = compare.compare(base, new)
    one = next(c for c in cmp.machine if c.threads == 1)
    assert one.differs and one.ratio == pytest.approx(1.2, rel=0.01)
    assert any("single-thread speed" in n for n in cmp.notes)


def test_compare_old_files_without_calibration(tmp_path):
    base, new = compare_pair(tmp_path, None, None)
    cmp = compare.compare(base, new)
    assert cmp.machine == [] and not cmp.machine_differs
    assert not [n for n in cmp.notes if "calibration" in n]
    base, new = compare_pair(tmp_path / "half", None, machine_rounds(1.95, 2))
    cmp = compare.compare(base, new)
    assert any("base has no machine calibration" in n for n in cmp.notes)
    # The calibration cells are never compared as cells.
    assert not [c for c in cmp.cells if c.workload == "calibration"]
    assert cmp.only_in_new == []
