"""Memory and noise: the memory-overhead chart, compare's memory findings and exit status, and the
noise figure in the report. Memory figures are injected into copies of the fixtures and into
synthetic sweeps here, so the fixtures themselves stay as make_fixtures.py writes them."""
import json
import math
import shutil

import pytest
from conftest import FIXTURES
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_compare import pair, run_compare, synth_times, write_results

from ftbplots import charts, compare, compare_render, report
from ftbplots.results import load

MIB = 1024 * 1024
# variant -> (peak RSS, peak live object bytes, object bytes allocated) at every cell, in MiB
MEMORY = {"gil": (100.0, 10.0, 30.0), "atomic": (110.0, 15.0, 45.0), "brc": (120.0, 20.0, 60.0)}


def memory_object(peak_rss_mib, live_mib, allocated_mib):
    return {"rss_before_setup": 8 * MIB, "rss_after_setup": peak_rss_mib * MIB,
            "rss_setup_growth": peak_rss_mib * MIB - 8 * MIB, "peak_rss": peak_rss_mib * MIB,
            "peak_rss_reset": True, "live_bytes_setup": live_mib * MIB,
            "live_bytes_peak": live_mib * MIB, "allocated_bytes": allocated_mib * MIB,
            "allocated": {"int": {"objects": 10, "bytes": 240}}}


def with_memory(doc, memory=MEMORY, scale=1.0):
    """Every row (iteration and median) of a results document gets a memory object."""
    for row in doc["benchmarks"]:
        if row["run_type"] == "iteration" or row.get("aggregate_name") == "median":
            row["memory"] = memory_object(*(v * scale for v in memory[row["variant"]]))
    return doc


@pytest.fixture
def sweep_with_memory(tmp_path):
    directory = shutil.copytree(FIXTURES / "sweep", tmp_path / "sweep")
    doc = json.loads((directory / "results.json").read_text())
    (directory / "results.json").write_text(json.dumps(with_memory(doc)))
    return load(directory)


# --- the chart --------------------------------------------------------------------------------

def test_memory_chart_bars_are_the_ratios_to_gil_with_the_geometric_mean(sweep_with_memory):
    fig = charts.memory_chart(sweep_with_memory)
    FigureCanvasAgg(fig).draw()  # tick labels exist once drawn
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["peak RSS", "peak live object bytes",
                                                 "object bytes allocated"]
    workloads = sweep_with_memory.workloads
    for ax, index in zip(panels, (0, 1, 2)):
        labels = [t.get_text() for t in panels[0].get_yticklabels()]  # shared y axis
        assert labels == workloads + ["geometric mean"]
        for variant in ("atomic", "brc"):
            expected = MEMORY[variant][index] / MEMORY["gil"][index]
            bars = [p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx(
                charts.matplotlib.colors.to_rgb(charts.variant_colour(variant)))]
            assert len(bars) == len(workloads) + 1  # one per workload, and the geometric mean
            for bar in bars:  # bars grow from 1.0 (gil)
                assert bar.get_x() == pytest.approx(1.0)
                assert bar.get_x() + bar.get_width() == pytest.approx(expected)
            assert bars[-1].get_hatch() == "//"
        texts = [t.get_text() for t in ax.texts]
        assert f"{MEMORY['brc'][index] / MEMORY['gil'][index]:.2f}×" in texts


def test_memory_chart_is_in_the_report_after_the_overhead_chart(sweep_with_memory, tmp_path):
    keys = [spec[0] for spec in charts.chart_specs(sweep_with_memory)]
    assert keys.index("memory") == keys.index("overhead") + 1
    page, _ = report.write_report(sweep_with_memory, tmp_path / "out")
    assert (tmp_path / "out" / "memory.png").read_bytes()[:4] == b"\x89PNG"
    assert "Memory overhead" in (tmp_path / "out" / "report.md").read_text()


def test_no_memory_chart_without_memory_figures(sweep):
    assert "memory" not in [spec[0] for spec in charts.chart_specs(sweep)]


def test_small_live_bytes_are_not_charted(tmp_path):
    directory = shutil.copytree(FIXTURES / "sweep", tmp_path / "sweep")
    doc = json.loads((directory / "results.json").read_text())
    small = {v: (rss, 0.01, 0.01) for v, (rss, _, _) in MEMORY.items()}  # ~10 KiB: below the floor
    (directory / "results.json").write_text(json.dumps(with_memory(doc, small)))
    table = charts.memory_overhead_values(load(directory), "live_bytes_peak")
    assert all(points == [] for points in table.values())


# --- compare ----------------------------------------------------------------------------------

def memory_pair(tmp_path, new_scale):
    times = synth_times(reps=9, noise=0.01)
    base, new = pair(tmp_path, times, times)
    for directory, scale in ((base, 1.0), (new, new_scale)):
        doc = json.loads((directory / "results.json").read_text())
        (directory / "results.json").write_text(json.dumps(with_memory(doc, scale=scale)))
    return base, new


def test_memory_increase_above_the_threshold_exits_1(tmp_path):
    base, new = memory_pair(tmp_path, 1.2)
    result = run_compare(base, new)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MEMORY INCREASE" in result.stdout and "peak RSS" in result.stdout
    doc = json.loads(run_compare(base, new, "--format", "json").stdout)
    assert doc["exit_status"] == 1 and doc["regressions"] == []
    assert {m["field"] for m in doc["memory"]} == {"peak_rss", "live_bytes_peak", "allocated_bytes"}
    assert all(m["change"] == pytest.approx(0.2) for m in doc["memory"])


def test_memory_change_below_the_threshold_exits_0(tmp_path):
    base, new = memory_pair(tmp_path, 1.05)
    result = run_compare(base, new)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MEMORY" not in result.stdout


def test_memory_threshold_option_and_decreases(tmp_path):
    base, new = memory_pair(tmp_path, 1.2)
    assert run_compare(base, new, "--memory-threshold", "0.25").returncode == 0
    assert run_compare(base, new, "--memory-threshold", "-1").returncode == 2
    # A decrease is reported but is no regression.
    cmp = compare.compare(new, base)
    assert cmp.memory and all(m.change < 0 for m in cmp.memory) and cmp.exit_status == 0
    assert "memory decrease" in compare_render.render_markdown(cmp)


def test_results_without_memory_are_compared_without_it(tmp_path):
    times = synth_times(reps=9, noise=0.01)
    base, new = pair(tmp_path, times, times)
    doc = json.loads((new / "results.json").read_text())
    (new / "results.json").write_text(json.dumps(with_memory(doc, scale=2.0)))
    cmp = compare.compare(base, new)
    assert cmp.memory == [] and cmp.exit_status == 0
    assert any("no memory figures" in n for n in cmp.notes)


# --- the noise figure ---------------------------------------------------------------------------

def test_report_states_the_noise_figure_from_the_context(tmp_path):
    directory = shutil.copytree(FIXTURES / "sweep", tmp_path / "sweep")
    doc = json.loads((directory / "results.json").read_text())
    doc["context"]["noise"] = {"cells": 36, "median_cell_cv": 0.021, "p90_cell_cv": 0.064,
                               "cv_definition": "..."}
    (directory / "results.json").write_text(json.dumps(doc))
    page, _ = report.write_report(load(directory), tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert "median cell's robust CV is 2.1%, the 90th percentile 6.4% (36 cells" in md
    assert "2.1%" in page.read_text()
    # In the summary: after the headline table, before the machine table.
    assert md.index("geometric mean") < md.index("robust CV is") < md.index("## Machine")


def test_noise_figure_computed_from_repetitions_when_the_context_has_none(sweep):
    # The fixture's repetitions are the model value times 1.0, 0.985 and 1.015: the median
    # absolute deviation is 1.5% of the median in every cell.
    noise = report.noise_figure(sweep)
    assert noise["cells"] == len(sweep.cells)
    assert noise["median_cell_cv"] == pytest.approx(1.4826 * 0.015, rel=1e-6)
    assert noise["p90_cell_cv"] == pytest.approx(1.4826 * 0.015, rel=1e-6)
    assert not math.isnan(noise["median_cell_cv"])
