"""Shared fixtures of the plot tests: the fixture files, loaded results and one rendered report."""
import json
import shutil
import sys
from pathlib import Path

import pytest

PLOTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PLOTS))

from ftbplots import results as ftb_results  # noqa: E402
from ftbplots.report import write_report  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CLI = PLOTS / "ftbench_report.py"
PYTHON = "/usr/bin/python3"


def raw_rows(name: str) -> list:
    """The benchmark rows of a fixture, read with json alone (independent of ftbplots)."""
    return json.loads((FIXTURES / name / "results.json").read_text())["benchmarks"]


def raw_medians(name: str) -> dict:
    """(workload, variant, threads) -> median aggregate row, straight from the JSON."""
    return {(r["workload"], r["variant"], r["threads"]): r for r in raw_rows(name)
            if r["run_type"] == "aggregate" and r["aggregate_name"] == "median"}


@pytest.fixture(scope="session")
def sweep():
    return ftb_results.load(FIXTURES / "sweep")


@pytest.fixture(scope="session")
def sweep_new():
    return ftb_results.load(FIXTURES / "sweep_new")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """The sweep fixture's report, drawn once: (output dir, path of report.html)."""
    out = tmp_path_factory.mktemp("report")
    page, notes = write_report(ftb_results.load(FIXTURES / "sweep"), out)
    assert notes == []
    return out, page


@pytest.fixture
def sweep_copy(tmp_path):
    """A writable copy of the sweep directory (results.json and micro.json)."""
    return Path(shutil.copytree(FIXTURES / "sweep", tmp_path / "sweep"))
