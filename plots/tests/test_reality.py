"""The model-vs-reality section (ftbplots.reality): its numbers, verdicts, summary, chart, and its
absence from a report without real interpreters. Synthetic results.json files, times in ms."""
import json

import pytest

from ftbplots import charts, reality
from ftbplots.report import write_report
from ftbplots.results import load

MODEL = ["gil", "atomic", "brc", "brc:3.13"]


def metric(value):
    return {"value": value, "ci_low": value * 0.97, "ci_high": value * 1.03}


def write(directory, times):
    """times: (workload, variant, threads) -> median ms. One iteration row and one median row per cell."""
    variants = list(dict.fromkeys(v for _, v, _ in times))
    workloads = list(dict.fromkeys(w for w, _, _ in times))
    ftb = {"schema_version": 2, "placement": "compact", "scaling": "strong", "repetitions": 1,
           "threads": sorted({n for _, _, n in times}), "variants": variants, "workloads": workloads,
           "cpu_model": "synthetic", "cores": 2, "command_line": "ftbench run --python ..."}
    rows = []
    for (w, v, n), t in times.items():
        name = f"{w}/{v}/threads:{n}/strong/compact"
        base = {"run_name": name, "threads": n, "iterations": 1, "time_unit": "ms", "variant": v,
                "workload": w, "category": "cpu", "placement": "compact", "scaling": "strong",
                "units": 100, "repetitions": 1}
        rows.append(dict(base, name=name, run_type="iteration", repetition_index=0, real_time=t,
                         cpu_time=t * n))
        speedup = times[(w, v, 1)] / t
        rows.append(dict(base, name=name + "_median", run_type="aggregate", aggregate_name="median",
                         real_time=t, cpu_time=t * n, wall_seconds=metric(t / 1000),
                         speedup=metric(speedup), efficiency=metric(speedup / n)))
    doc = {"context": {"date": "2026-12-01T12:00:00+00:00", "host_name": "synthetic", "num_cpus": 2,
                       "json_schema_version": 1, "ftbench": ftb}, "benchmarks": rows}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(doc))
    return directory


def cells(workload, variant, t1, speedup2):
    return {(workload, variant, 1): t1, (workload, variant, 2): t1 / speedup2}


def full_times():
    """py.a: everything scales; py.b: brc anti-scales where 3.13t scales; py.c: flat everywhere
    free-threaded; fib: a C++ workload the interpreters did not run."""
    t = {}
    for w, model_brc, real_ft in (("py.a", 1.8, 1.9), ("py.b", 0.6, 1.9), ("py.c", 1.0, 1.05)):
        t.update(cells(w, "gil", 100, 0.95))
        t.update(cells(w, "atomic", 160, 1.2))
        t.update(cells(w, "brc", 125, model_brc))
        t.update(cells(w, "brc:3.13", 120, 1.5))
        t.update(cells(w, "cpython-3.11", 50, 0.97))
        t.update(cells(w, "cpython-3.13", 40, 0.98))
        t.update(cells(w, "cpython-3.13t", 44, real_ft))
    for v in MODEL:
        t.update(cells("fib", v, 10, 1.9))
    return t


@pytest.fixture
def full(tmp_path):
    return load(write(tmp_path / "full", full_times()))


def test_direction_thresholds():
    assert reality.direction(1.11) == "scales"
    assert reality.direction(1.1) == "flat"
    assert reality.direction(0.9) == "flat"
    assert reality.direction(0.89) == "anti-scales"
    assert reality.direction(None) is None


def test_real_variant_names_and_model_bases():
    assert reality.is_real("cpython-3.13t") and reality.is_real("cpython-3.11")
    assert not reality.is_real("brc") and not reality.is_real("cpython-3") and not reality.is_real("brc:3.13")
    assert reality.base("brc:3.13") == "brc" and reality.base("gil") == "gil"


def test_analysis_pairs_ratios_and_verdicts(full):
    r = reality.analyse(full)
    assert r.real == ["cpython-3.11", "cpython-3.13", "cpython-3.13t"]
    assert r.model == MODEL
    assert r.workloads == ["py.a", "py.b", "py.c"]  # fib: no real interpreter ran it
    assert r.pair == ("cpython-3.13t", "cpython-3.13")
    assert (r.real_gil, r.real_ft) == ("cpython-3.13", "cpython-3.13t")
    assert r.ratios["py.a"]["brc"] == pytest.approx(1.25)
    assert r.ratios["py.a"]["atomic"] == pytest.approx(1.6)
    assert r.ratios["py.a"]["brc:3.13"] == pytest.approx(1.2)
    assert r.real_ratio["py.a"] == pytest.approx(1.1)
    assert r.speedups[("py.b", "brc", 2)] == pytest.approx(0.6)
    assert r.verdicts[("py.a", "brc")] == ("scales", "scales")
    assert r.verdicts[("py.b", "brc")] == ("anti-scales", "scales")
    assert r.verdicts[("py.c", "brc")] == ("flat", "flat")
    assert r.verdicts[("py.a", "gil")] == ("flat", "flat")  # gil against the GIL interpreter
    assert r.agreement("brc") == (2, 3)
    assert r.agreement("brc:3.13") == (2, 3)  # scales everywhere; py.c's real one is flat
    assert r.agreement("gil") == (3, 3)
    assert r.agreement("atomic") == (2, 3)
    text = reality.summary(r)
    assert "brc agrees with cpython-3.13t on 2 of 3 shapes" in text
    assert "brc:3.13 agrees with cpython-3.13t on 2 of 3 shapes" in text
    assert "gil agrees with cpython-3.13 on 3 of 3 shapes" in text


def test_tables(full):
    r = reality.analyse(full)
    header, rows = reality.ratio_table(r)
    assert header == ["workload", "model atomic/gil 1t", "model brc/gil 1t", "model brc:3.13/gil 1t",
                      "real cpython-3.13t/cpython-3.13 1t"]
    assert rows[0] == ["py.a", "1.60×", "1.25×", "1.20×", "1.10×"]
    header, rows = reality.speedup_table(r)
    assert header[2:] == [f"{v} speedup" for v in MODEL + r.real]
    assert rows[1][:2] == ["py.b", "2"] and rows[1][header.index("brc speedup")] == "0.60×"
    header, rows = reality.verdict_table(r)
    assert header == ["workload", "gil vs cpython-3.13", "atomic vs cpython-3.13t", "brc vs cpython-3.13t",
                      "brc:3.13 vs cpython-3.13t"]
    assert rows[1][3] == "differ (anti-scales vs scales)"
    assert rows[0][3] == "agree (scales)"


def test_chart_puts_model_and_reality_on_one_axis_per_workload(full):
    charts._extra_index.clear()  # a fresh report process: extra colours from the first
    fig = reality.chart(full)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title().splitlines()[0] for ax in axes] == ["py.a", "py.b", "py.c"]
    styles = {line.get_label(): line.get_linestyle() for line in axes[1].get_lines()}
    assert styles["brc"] == "-" and styles["brc:3.13"] == "-"
    assert styles["cpython-3.13t"] == "--" and styles["cpython-3.13"] == "--"
    colours = {line.get_label(): line.get_color() for line in axes[1].get_lines()}
    assert len({colours[v] for v in MODEL + ["cpython-3.11", "cpython-3.13", "cpython-3.13t"]}) == 7
    brc = next(line for line in axes[1].get_lines() if line.get_label() == "brc")
    assert list(brc.get_ydata()) == pytest.approx([1.0, 0.6])
    assert "brc/gil 1t 1.25×" in axes[0].get_title() and "real 1.10×" in axes[0].get_title()


def test_report_has_the_section_and_chart(full, tmp_path):
    page, _ = write_report(full, tmp_path / "report", formats=("png",))
    md = (tmp_path / "report" / "report.md").read_text()
    assert "## Model vs reality" in md
    assert "real cpython-3.13t/cpython-3.13 1t" in md
    assert "brc agrees with cpython-3.13t on 2 of 3 shapes" in md
    assert "| py.b | flat (" not in md and "differ (anti-scales vs scales)" in md
    assert (tmp_path / "report" / "model_vs_reality.png").is_file()
    assert "id='reality'" in page.read_text()
    # before the warnings and the machine: after the charts
    assert md.index("## Charts") < md.index("## Model vs reality") < md.index("## Machine")


def test_no_real_interpreter_no_section(tmp_path):
    times = {k: v for k, v in full_times().items() if not reality.is_real(k[1])}
    results = load(write(tmp_path / "model", times))
    assert not reality.present(results) and reality.analyse(results) is None
    assert "model_vs_reality" not in [spec[0] for spec in charts.chart_specs(results)]
    write_report(results, tmp_path / "report", formats=("png",))
    md = (tmp_path / "report" / "report.md").read_text()
    assert "Model vs reality" not in md
    assert not (tmp_path / "report" / "model_vs_reality.png").exists()


def test_one_gil_interpreter_only(tmp_path):
    times = {k: v for k, v in full_times().items() if k[1] not in ("cpython-3.13", "cpython-3.13t")}
    r = reality.analyse(load(write(tmp_path / "old", times)))
    assert r.pair is None and r.real_ft is None and r.real_gil == "cpython-3.11"
    assert "no real free-threaded/GIL ratio" in reality.pair_line(r)
    assert reality.ratio_table(r)[0][-1] == "model brc:3.13/gil 1t"
    assert reality.verdict_table(r)[0] == ["workload", "gil vs cpython-3.11"]
    assert reality.summary(r) == "Direction of 2-thread scaling: gil agrees with cpython-3.11 on 3 of 3 shapes."
