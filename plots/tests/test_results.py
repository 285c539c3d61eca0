"""Loading results.json: what a good sweep gives, and a clear ResultsError for every bad input."""
import json

import pytest
from conftest import FIXTURES, raw_rows

from ftbplots.results import ResultsError, load, load_micro


def test_sweep_loads_every_cell(sweep):
    assert sweep.variants == ["gil", "atomic", "brc"]
    assert sweep.workloads == ["fib", "dict_churn", "shared_counter", "pipe_pingpong"]
    assert sweep.thread_counts == [1, 2, 4]
    assert len(sweep.cells) == 3 * 4 * 3
    assert all(len(c.iterations) == 3 for c in sweep.cells)
    assert sweep.other_configs == []


def test_a_results_file_path_loads_too():
    assert len(load(FIXTURES / "sweep" / "results.json").cells) == 36


def test_metric_is_read_from_the_median_row(sweep):
    row = next(r for r in raw_rows("sweep") if r["name"] == "fib/brc/threads:4/strong/compact_median")
    m = sweep.cell("fib", "brc", 4).metric("speedup")
    assert (m.value, m.ci_low, m.ci_high) == (row["speedup"]["value"], row["speedup"]["ci_low"],
                                              row["speedup"]["ci_high"])
    assert sweep.cell("fib", "brc", 4).metric("overhead_vs_gil") is None  # null past 1 thread


@pytest.mark.parametrize("fixture, message", [
    ("does_not_exist", "does not exist"),
    ("truncated", "is truncated"),
    ("malformed", "is not valid JSON: Expecting value at line"),
    ("wrong_schema", "has schema version 99; this report reads versions 1 and 2"),
])
def test_bad_fixtures_raise_a_clear_error(fixture, message):
    with pytest.raises(ResultsError, match=message):
        load(FIXTURES / fixture)


def test_single_thread_results_load_but_cannot_be_scaled():
    results = load(FIXTURES / "single_thread")
    with pytest.raises(ResultsError, match=r"no multi-thread cells \(thread counts: \[1\]\)"):
        results.require_multithread()


def _write(tmp_path, doc) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    (tmp_path / "results.json").write_text(text)


def _sweep_doc():
    return json.loads((FIXTURES / "sweep" / "results.json").read_text())


def test_directory_without_results_json(tmp_path):
    with pytest.raises(ResultsError, match="results.json not found"):
        load(tmp_path)


def test_empty_file(tmp_path):
    _write(tmp_path, "")
    with pytest.raises(ResultsError, match="is empty"):
        load(tmp_path)


def test_plain_google_benchmark_file(tmp_path):
    _write(tmp_path, (FIXTURES / "sweep" / "micro.json").read_text())
    with pytest.raises(ResultsError, match="no context.ftbench block"):
        load(tmp_path)


def test_no_rows(tmp_path):
    doc = _sweep_doc()
    doc["benchmarks"] = []
    _write(tmp_path, doc)
    with pytest.raises(ResultsError, match="no benchmark rows"):
        load(tmp_path)


def test_cell_without_median_row(tmp_path):
    doc = _sweep_doc()
    doc["benchmarks"] = [r for r in doc["benchmarks"] if r["name"] != "fib/gil/threads:2/strong/compact_median"]
    _write(tmp_path, doc)
    with pytest.raises(ResultsError, match="fib/gil/threads:2/strong/compact has iteration rows but no median"):
        load(tmp_path)


def test_row_missing_a_field(tmp_path):
    doc = _sweep_doc()
    del doc["benchmarks"][5]["workload"]
    _write(tmp_path, doc)
    with pytest.raises(ResultsError, match=r"benchmarks\[5\] .* lacks workload"):
        load(tmp_path)


def test_metric_of_the_wrong_shape(tmp_path):
    doc = _sweep_doc()
    median = next(r for r in doc["benchmarks"] if r.get("aggregate_name") == "median")
    median["speedup"] = "fast"
    _write(tmp_path, doc)
    with pytest.raises(ResultsError, match="speedup must be"):
        load(tmp_path)


def test_micro_json_rows():
    rows, warning = load_micro(FIXTURES / "sweep")
    assert warning is None
    assert rows[0] == ("BM_Incref/gil", 1.1, "ns")
    assert [r[0] for r in rows] == ["BM_Incref/gil", "BM_Incref/atomic", "BM_Incref/brc",
                                    "BM_LockUncontended/ftb"]


def test_micro_json_absent_or_broken(tmp_path):
    assert load_micro(tmp_path) == ([], None)
    (tmp_path / "micro.json").write_text("{")
    rows, warning = load_micro(tmp_path)
    assert rows == [] and "primitives section skipped" in warning


@pytest.mark.parametrize("text", ["[" * 100000 + "]" * 100000, '{"benchmarks": [1, null]}',
                                  '{"benchmarks": [{"name": "x", "real_time": 1' + "0" * 400 + "}]}",
                                  '{"benchmarks": 3}', "[]"])
def test_micro_json_of_any_shape_is_a_warning_not_a_crash(tmp_path, text):
    (tmp_path / "micro.json").write_text(text)
    rows, warning = load_micro(tmp_path)
    assert rows == [] and "primitives section skipped" in warning
def test_schema_2_wall_seconds_is_a_number_and_its_interval_beside_it(sweep, tmp_path):
    """Version 2 rows (the harness's now): wall_seconds a number, the interval in wall_seconds_ci."""
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    doc["context"]["ftbench"]["schema_version"] = 2
    for row in doc["benchmarks"]:
        if row.get("aggregate_name") == "median":
            row["wall_seconds_ci"] = row["wall_seconds"]
            row["wall_seconds"] = row["wall_seconds_ci"]["value"]
            row.update(row["counters"])  # counters also top-level, as the harness writes them
    (tmp_path / "results.json").write_text(json.dumps(doc))
    v2 = load(tmp_path)
    for cell in sweep.cells:
        assert v2.cell(cell.workload, cell.variant, cell.threads).metric("wall_seconds") == \
            cell.metric("wall_seconds")
    assert v2.cell("fib", "brc", 4).counters == sweep.cell("fib", "brc", 4).counters


def test_mechanism_variants_follow_their_own():
    # ftbench run --mechanisms: brc:3.13 and brc:none come right after brc, unknown names last.
    from ftbplots.results import _variant_order_key
    names = ["cpython-3.13t", "brc:none", "brc", "gil", "brc:3.13", "atomic"]
    assert sorted(names, key=_variant_order_key) == ["gil", "atomic", "brc", "brc:3.13", "brc:none",
                                                     "cpython-3.13t"]
