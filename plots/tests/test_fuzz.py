"""Fuzzing report and compare with broken results files: exit 0 or 2 only, never a traceback.

A valid results.json (the sweep fixture, cut to one workload, two variants and two thread
counts to keep each case cheap) is mutated, one field at a time, in the ways a file gets broken
or hand-edited: a value of another type, null, NaN and Infinity, huge numbers, nesting 100000
levels deep, a missing key; and as a whole: rows duplicated, no iteration rows, empty lists, not
JSON at all. The cases are drawn with a fixed seed, so every run tries the same ones. report must exit 0 (and have written its report)
or 2 (and have left nothing); compare 0 or 2 (three repetitions can never show a significant
regression, so 1 would be a bug too). stderr never holds a traceback.

Every path in the context and in one row of each kind gets two of the values, and the context
fields the code reads get every value: about 700 cases for compare (a few seconds), a seeded
200 of them for report, which is drawn (seconds each) only for the first few files that load.

The cases run through the scripts' main() in one driver process (fuzz_driver.py); a few run as
separate script processes too, as a user runs them.
"""
import copy
import json
import random
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, PLOTS, PYTHON

from ftbplots import results as ftb_results

SEED = 20261201
DEEP = 100_000
WORKLOAD = "pipe_pingpong"  # has latency percentiles, so the latency chart is drawn too
VALUES_PER_PATH = 2
# context fields read by the code (report captions, compare's checks): every value for these
READ_CONTEXT = {("context", "ftbench", k) for k in (
    "schema_version", "mode", "workloads", "scaling", "placement", "git_commit", "git_dirty",
    "repetitions", "cores", "work_scale")} | {("context", k) for k in ("host_name", "date")}
REPORT_CASES = 200           # of the field mutations (compare takes every one; the loader is shared)
REPORT_RENDERS = 3           # mutated files that load and get a whole report drawn (seconds each)
# Placeholders for what json.dumps cannot write: replaced in the text.
HUGE_INT, DEEP_LIST = "@@huge-int@@", "@@deep-list@@"
VALUES = [None, "text", "", [], {}, True, False, 0, -1, 1.5, 1e308, -1e308, 10 ** 30, 2 ** 64 + 1,
          float("nan"), float("inf"), float("-inf"), HUGE_INT, DEEP_LIST, {"value": None},
          ["text"], [None]]
DELETE = object()


def base_doc() -> dict:
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    doc["benchmarks"] = [r for r in doc["benchmarks"] if r["workload"] == WORKLOAD
                         and r["variant"] in ("gil", "brc") and r["threads"] in (1, 4)]
    ftb = doc["context"]["ftbench"]
    ftb.update(workloads=[WORKLOAD], variants=["gil", "brc"], threads=[1, 4])
    return doc


def dump(doc) -> str:
    text = json.dumps(doc)
    return (text.replace(json.dumps(HUGE_INT), "1" + "0" * 5000)
            .replace(json.dumps(DEEP_LIST), "[" * DEEP + "]" * DEEP))


def _paths(value, path=()):
    """Every key and list index under value, as tuples of keys."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield path + (key,)
        yield from _paths(child, path + (key,))


def _set(doc, path, value):
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = value
    return doc


def field_mutations(doc) -> list:
    """(label, text) for every path of the context and of one row of each kind, every value."""
    rows = doc["benchmarks"]
    picked = {
        "iteration": next(i for i, r in enumerate(rows) if r["run_type"] == "iteration"),
        "median 1 thread": next(i for i, r in enumerate(rows)
                                if r.get("aggregate_name") == "median" and r["threads"] == 1
                                and r["variant"] != "gil"),
        "median 4 threads": next(i for i, r in enumerate(rows)
                                 if r.get("aggregate_name") == "median" and r["threads"] == 4),
    }
    paths = [("context",) + p for p in _paths(doc["context"])]
    paths += [("benchmarks", i) + p for i in picked.values() for p in _paths(rows[i])]
    paths += [("context",), ("context", "ftbench"), ("benchmarks",)]
    paths += [("benchmarks", i) for i in picked.values()]
    rng = random.Random(SEED)
    cases = []
    for path in paths:
        values = VALUES + [DELETE]
        if path not in READ_CONTEXT:
            values = rng.sample(values, VALUES_PER_PATH)
        for value in values:
            label = "/".join(map(str, path)) + " = " + ("(deleted)" if value is DELETE else repr(value))
            cases.append((label, lambda p=path, v=value: dump(_set(doc, p, v))))
    return cases


def document_mutations(doc) -> list:
    """(label, text): the whole file broken at once."""
    rows = doc["benchmarks"]
    def with_rows(new_rows):
        return dump(dict(doc, benchmarks=new_rows))
    text = dump(doc)
    return [
        ("every row twice", lambda: with_rows(rows + rows)),
        ("every row twice, side by side", lambda: with_rows([r for r in rows for _ in (0, 1)])),
        ("one iteration row twice", lambda: with_rows(rows + [rows[0]])),
        ("one median row twice", lambda: with_rows(
            rows + [next(r for r in rows if r.get("aggregate_name") == "median")])),
        ("no iteration rows", lambda: with_rows([r for r in rows if r["run_type"] != "iteration"])),
        ("only iteration rows", lambda: with_rows([r for r in rows if r["run_type"] == "iteration"])),
        ("no rows", lambda: with_rows([])),
        ("empty context", lambda: dump(dict(doc, context={}))),
        ("empty object", lambda: "{}"),
        ("a list", lambda: "[]"),
        ("a number", lambda: "42"),
        ("null", lambda: "null"),
        ("nested 100000 deep", lambda: "[" * DEEP + "]" * DEEP),
        ("objects nested 100000 deep", lambda: '{"a":' * DEEP + "1" + "}" * DEEP),
        ("plain text", lambda: "this is not a results file\n"),
        ("truncated", lambda: text[: len(text) // 2]),
        ("NaN row time", lambda: text.replace('"real_time": 200.0', '"real_time": NaN', 1)),
        ("a number of 5000 digits", lambda: text.replace('"threads": 1', '"threads": 1' + "0" * 5000, 1)),
        ("binary", lambda: "\x00\x01\x02{"),
    ]


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "results.json").write_text(text)
    return directory


def _run_driver(tmp_path, cases) -> list:
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run([PYTHON, str(Path(__file__).parent / "fuzz_driver.py"),
                           str(tmp_path / "cases.json"), str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "out.json").read_text())


def _problems(labels, outcomes, allowed) -> list:
    return [f"{label}: exit {status}: {err.strip()[-400:]}"
            for label, (status, err) in zip(labels, outcomes)
            if status not in allowed or "Traceback" in err]


def _chosen_cases(doc):
    return field_mutations(doc) + document_mutations(doc)


def test_fuzzed_results_never_crash_compare(tmp_path):
    doc = base_doc()
    base = _write(tmp_path / "base", dump(doc))
    labels, cases = [], []
    for i, (label, make) in enumerate(_chosen_cases(doc)):
        mutated = _write(tmp_path / f"case{i}", make())
        # The mutated file as new, and every third time as base; all three output formats.
        pair = [str(mutated), str(base)] if i % 3 == 0 else [str(base), str(mutated)]
        fmt = ("text", "markdown", "json")[i % 3]
        labels.append(label)
        cases.append(["compare", pair + ["--format", fmt, "--allow-inconclusive"]])
    outcomes = _run_driver(tmp_path, cases)
    assert not _problems(labels, outcomes, {0, 2}), "\n".join(_problems(labels, outcomes, {0, 2}))
    # The fuzz reached both outcomes: it is not only testing the first check of the loader.
    assert {status for status, _ in outcomes} == {0, 2}


def test_fuzzed_results_never_crash_report(tmp_path):
    doc = base_doc()
    labels, cases, outs, renders = [], [], [], 0
    chosen = random.Random(SEED).sample(field_mutations(doc), REPORT_CASES) + document_mutations(doc)
    for i, (label, make) in enumerate(chosen):
        directory = _write(tmp_path / f"case{i}", make())
        try:  # a file that loads gets charts drawn, which takes seconds: only a few of those
            ftb_results.load(directory).require_multithread()
            renders += 1
            if renders > REPORT_RENDERS:
                continue
        except ftb_results.ResultsError:
            pass
        except Exception:  # noqa: BLE001 (a bug in the loader: the driver will show it)
            pass
        out = tmp_path / f"report{i}"
        labels.append(label)
        outs.append(out)
        cases.append(["report", [str(directory), "--out", str(out), "--format", "png"]])
    outcomes = _run_driver(tmp_path, cases)
    assert not _problems(labels, outcomes, {0, 2}), "\n".join(_problems(labels, outcomes, {0, 2}))
    for label, out, (status, _) in zip(labels, outs, outcomes):
        # Written completely or not at all: no chart directory without report.html.
        assert (out / "report.html").is_file() if status == 0 else not out.exists(), label
        assert not list(tmp_path.glob(f".{out.name}.*")), f"{label}: staging directory left"
    assert {status for status, _ in outcomes} == {0, 2}
    assert renders > REPORT_RENDERS  # some mutations do load: the charts met odd values too


@pytest.mark.parametrize("label", ["nested 100000 deep", "objects nested 100000 deep",
                                   "plain text", "every row twice", "NaN row time"])
def test_broken_files_as_a_user_runs_the_scripts(tmp_path, label):
    make = dict(document_mutations(base_doc()))[label]
    bad = _write(tmp_path / "bad", make())
    good = _write(tmp_path / "good", dump(base_doc()))
    for argv in (["ftbench_report.py", bad, "--out", tmp_path / "r"],
                 ["ftbench_compare.py", good, bad], ["ftbench_compare.py", bad, good]):
        done = subprocess.run([PYTHON, str(PLOTS / argv[0]), *map(str, argv[1:])],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (argv, done.stderr)
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and ": error: " in done.stderr
        assert not (tmp_path / "r").exists()
