"""The charts: every file is drawn, and the Figures hold the series the data says they should."""
import copy
import dataclasses
import json
import math

import pytest
from conftest import FIXTURES, raw_medians
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from ftbplots import charts, compare, compare_chart
from ftbplots.results import ResultsError, load

VARIANTS = ["gil", "atomic", "brc"]
WORKLOADS = ["fib", "dict_churn", "shared_counter", "pipe_pingpong"]
CHART_KEYS = ["scaling_all"] + [f"scaling_{w}" for w in WORKLOADS] + [
    "overhead", "efficiency", "latency", "counters"]


def labelled_lines(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def visible_axes(fig) -> list:
    """The chart panels: visible axes that are not colour bars."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def caption(fig) -> str:
    return fig._supxlabel.get_text()


def test_every_chart_file_is_written(rendered):
    out, _ = rendered
    for key in CHART_KEYS:
        png, svg = out / f"{key}.png", out / f"{key}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", key
        assert "<svg" in svg.read_text()[:2000], key


@pytest.mark.parametrize("workload", WORKLOADS)
def test_scaling_chart_has_one_line_per_variant_and_the_ideal(sweep, workload):
    ax = visible_axes(charts.scaling_chart(sweep, workload))[0]
    lines = labelled_lines(ax)
    assert sorted(lines) == sorted(VARIANTS + ["ideal"])
    assert list(lines["ideal"].get_ydata()) == [1, 2, 4]
    medians = raw_medians("sweep")
    for variant in VARIANTS:
        expected = [medians[(workload, variant, n)]["speedup"]["value"] for n in (1, 2, 4)]
        assert list(lines[variant].get_xdata()) == [1, 2, 4]
        assert list(lines[variant].get_ydata()) == pytest.approx(expected)
    assert len(ax.collections) == len(VARIANTS)  # one confidence band per variant
    assert ax.get_xlabel() and ax.get_ylabel()


def test_scaling_band_is_the_confidence_interval(sweep):
    ax = visible_axes(charts.scaling_chart(sweep, "fib"))[0]
    band = ax.collections[VARIANTS.index("brc")].get_paths()[0].vertices
    row = raw_medians("sweep")[("fib", "brc", 4)]["speedup"]
    ys_at_4 = sorted(y for x, y in band if x == 4)
    assert ys_at_4[0] == pytest.approx(row["ci_low"]) and ys_at_4[-1] == pytest.approx(row["ci_high"])


def test_small_multiples_have_every_workload(sweep):
    axes = visible_axes(charts.scaling_grid(sweep))
    assert [ax.get_title() for ax in axes] == WORKLOADS
    for ax in axes:
        assert sorted(labelled_lines(ax)) == sorted(VARIANTS + ["ideal"])


def test_each_variant_has_one_colour_everywhere(sweep):
    scaling = labelled_lines(visible_axes(charts.scaling_chart(sweep, "fib"))[0])
    overhead = visible_axes(charts.overhead_chart(sweep))[0]
    bars = {c.get_label(): c for c in overhead.containers}
    for variant in VARIANTS:
        assert to_hex(scaling[variant].get_color()) == charts.VARIANT_COLOURS[variant].lower()
    for variant in ["atomic", "brc"]:
        assert to_hex(bars[variant].patches[0].get_facecolor()) == charts.VARIANT_COLOURS[variant].lower()
    assert len(set(charts.VARIANT_COLOURS.values())) == 3


def test_overhead_bars_and_geometric_mean(sweep):
    ax = visible_axes(charts.overhead_chart(sweep))[0]
    medians = raw_medians("sweep")
    bars = {c.get_label(): c for c in ax.containers if not c.get_label().startswith("_")}
    assert sorted(bars) == ["atomic", "brc"]  # gil is the reference line, not a bar
    labels = [t.get_text() for t in ax.texts]
    for variant, container in bars.items():
        ends = [p.get_x() + p.get_width() for p in container.patches]  # horizontal bars from 1.0
        expected = [medians[(w, variant, 1)]["overhead_vs_gil"]["value"] for w in WORKLOADS]
        assert ends == pytest.approx(expected)
        assert all(f"{v:.2f}×" in labels for v in expected)  # every bar carries its value
    assert [t.get_text() for t in ax.get_yticklabels()] == WORKLOADS + ["geometric mean"]
    gmean_atomic = math.prod(medians[(w, "atomic", 1)]["overhead_vs_gil"]["value"]
                             for w in WORKLOADS) ** (1 / len(WORKLOADS))
    assert f"{gmean_atomic:.2f}×" in labels


def test_overhead_chart_keeps_the_report_width_and_grows_in_height(sweep):
    """Drawn at the report's width (shown 1:1, not squeezed): more workloads make it taller."""
    fig = charts.overhead_chart(sweep)
    width, height = fig.get_size_inches()
    assert width == charts.REPORT_WIDTH_IN
    many = copy.copy(sweep)
    many.cells = [dataclasses.replace(c, workload=f"{c.workload}_{i}")
                  for i in range(4) for c in sweep.cells]
    many.__post_init__()
    many.context = {**sweep.context, "ftbench": {**sweep.ftbench, "workloads": []}}
    bigger = charts.overhead_chart(many)
    assert bigger.get_size_inches()[0] == width and bigger.get_size_inches()[1] > 2 * height


def test_legends_sit_outside_the_data(sweep, sweep_new, tmp_path):
    for fig in (charts.scaling_chart(sweep, "fib"), charts.overhead_chart(sweep),
                charts.scaling_grid(sweep), charts.counters_chart(sweep), charts.latency_chart(sweep),
                compare_chart.comparison_chart(sweep, sweep_new, tmp_path / "c.png")):
        fig.canvas.draw()
        for ax in visible_axes(fig):
            legend = ax.get_legend()
            if legend is None:
                continue
            box, area = legend.get_window_extent(), ax.get_window_extent()
            assert box.x0 >= area.x1, "a legend overlaps its axes"


def test_scaling_bands_differ_per_variant(sweep):
    ax = visible_axes(charts.scaling_chart(sweep, "fib"))[0]
    hatches = [band.get_hatch() for band in ax.collections]
    assert len(set(hatches)) == len(VARIANTS) and all(hatches)
    assert all(band.get_facecolor()[0][3] <= 0.15 for band in ax.collections)  # light fills
    markers = {line.get_marker() for label, line in labelled_lines(ax).items() if label != "ideal"}
    assert len(markers) == len(VARIANTS)


def test_efficiency_heatmap_has_a_panel_per_variant(sweep):
    fig = charts.efficiency_heatmap(sweep)
    panels = visible_axes(fig)
    assert [ax.get_title() for ax in panels] == VARIANTS
    medians = raw_medians("sweep")
    for ax, variant in zip(panels, VARIANTS):
        data = ax.get_images()[0].get_array()
        for r, w in enumerate(WORKLOADS):
            for c, n in enumerate([1, 2, 4]):
                assert data[r][c] == pytest.approx(medians[(w, variant, n)]["efficiency"]["value"])


def test_latency_chart_shows_workloads_with_latency_only(sweep):
    fig = charts.latency_chart(sweep)
    panels = visible_axes(fig)
    assert [ax.get_title() for ax in panels] == ["pipe_pingpong at 4 threads"]
    assert "µs" in panels[0].get_ylabel()
    p99_brc = raw_medians("sweep")[("pipe_pingpong", "brc", 4)]["latency_ns"]["p99"] / 1000
    heights = [p.get_height() for p in panels[0].containers[2].patches]
    assert heights[2] == pytest.approx(p99_brc)


def test_latency_chart_is_skipped_without_latency(tmp_path):
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    for row in doc["benchmarks"]:
        row.pop("latency_ns", None)
    (tmp_path / "results.json").write_text(json.dumps(doc))
    results = load(tmp_path)
    assert charts.latency_chart(results) is None
    assert "latency" not in [key for key, *_ in charts.chart_specs(results)]


def test_counters_are_per_unit_of_work_one_panel_per_family(sweep):
    fig = charts.counters_chart(sweep)
    panels = visible_axes(fig)
    titles = [ax.get_title(loc="left") for ax in panels]
    assert any(t.startswith("Lock contention") for t in titles), titles
    # No panel mixes counts and nanoseconds.
    for ax in panels:
        labels = [c.get_label() for c in ax.containers]
        assert all(l.endswith("_ns") for l in labels) or not any(l.endswith("_ns") for l in labels)
        assert ax.get_xscale() == "log"
        rows = [t.get_text() for t in ax.get_yticklabels()]
        assert rows and rows == [w for w in WORKLOADS if w in rows]  # in the sweep's order
    locks = panels[[t.startswith("Lock contention") for t in titles].index(True)]
    bars = {c.get_label(): c for c in locks.containers}
    row = raw_medians("sweep")[("shared_counter", "atomic", 4)]
    widths = [p.get_width() for p in bars["atomic: lock_slow_paths"].patches]
    rows = [t.get_text() for t in locks.get_yticklabels()]
    assert widths[rows.index("shared_counter")] == pytest.approx(
        row["counters"]["lock_slow_paths"] / row["units"])


def test_every_figure_has_the_machine_caption(sweep):
    for key, _, _, build in charts.chart_specs(sweep):
        text = caption(build())
        for part in ["fixture-host", "Fixture CPU @ 2.40GHz", "4 cores", "2026-11-25", "4f81f8e"]:
            assert part in text, (key, part)


def test_scaling_needs_multithread_cells():
    single = load(FIXTURES / "single_thread")
    with pytest.raises(ResultsError, match="no multi-thread cells"):
        charts.scaling_chart(single, "fib")
    with pytest.raises(ResultsError, match="no multi-thread cells"):
        charts.render_all(single, "/nonexistent")


def test_comparison_chart_of_two_sweeps(sweep, sweep_new, tmp_path):
    out = tmp_path / "compare.svg"
    fig = compare_chart.comparison_chart(sweep, sweep_new, out)
    assert "<svg" in out.read_text()[:2000]
    panels = visible_axes(fig)
    assert [ax.get_title() for ax in panels] == WORKLOADS
    base, new = raw_medians("sweep"), raw_medians("sweep_new")
    brc = next(c for c in panels[0].containers if c.get_label() == "brc")
    tops = [p.get_y() + p.get_height() for p in brc.patches]
    expected = [new[("fib", "brc", n)]["wall_seconds"]["value"] / base[("fib", "brc", n)]["wall_seconds"]["value"]
                for n in (1, 2, 4)]
    assert tops == pytest.approx(expected)
    assert min(expected) < 1  # the new fixture's brc is faster
    assert "4f81f8e" in caption(fig) and "a1b2c3d" in caption(fig)


def test_comparison_chart_draws_the_tables_interval(sweep, sweep_new, tmp_path):
    """The bars and error bars are compare's own numbers: its ratio and bootstrap 95% interval,
    the table's "new/base" and "95% CI" columns, for every cell."""
    cmp = compare.compare(sweep, sweep_new, allow_mismatch=True, allow_inconclusive=True)
    fig = compare_chart.comparison_chart(sweep, sweep_new, tmp_path / "c.png")
    cells = {(c.workload, c.variant, c.threads): c for c in cmp.cells}
    checked = 0
    for ax in visible_axes(fig):
        threads = [int(t.get_text()) for t in ax.get_xticklabels()]
        for bars in [c for c in ax.containers if isinstance(c, BarContainer)]:
            lines = bars.errorbar.lines[2][0].get_segments()  # one vertical segment per bar
            for bar, segment, n in zip(bars.patches, lines, threads):
                cell = cells[(ax.get_title(), bars.get_label(), n)]
                assert bar.get_y() + bar.get_height() == pytest.approx(cell.ratio)
                assert (segment[0][1], segment[1][1]) == pytest.approx((cell.ci_low, cell.ci_high))
                checked += 1
    assert checked == len(cmp.cells)


def test_comparison_chart_takes_paths(tmp_path):
    out = tmp_path / "compare.png"
    compare_chart.comparison_chart(FIXTURES / "sweep", FIXTURES / "sweep_new", out)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_comparison_without_common_cells(sweep, tmp_path):
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    for row in doc["benchmarks"]:
        row["workload"] = "other_" + row["workload"]
    (tmp_path / "results.json").write_text(json.dumps(doc))
    with pytest.raises(ResultsError, match="no cell .* in common"):
        compare_chart.comparison_chart(sweep, load(tmp_path), tmp_path / "c.png")
