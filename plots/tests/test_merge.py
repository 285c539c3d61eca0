"""ftbench merge (ftbplots/merge.py, ftbench_merge.py): two machines' sweeps in one report, the
chart across machines, and every input merge must refuse (exit 2, one line)."""
import copy
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, PLOTS, PYTHON, raw_medians
from ftbplots import merge
from ftbplots.results import ResultsError

MERGE_CLI = PLOTS / "ftbench_merge.py"
COMPARE_CLI = PLOTS / "ftbench_compare.py"
WORKLOADS = ["fib", "dict_churn", "shared_counter", "pipe_pingpong"]


def machine_sweep(directory: Path, host: str, cores: int, cpu: str, scale: float = 1.0) -> Path:
    """The sweep fixture as if measured on another machine (efficiencies times `scale`)."""
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    doc["context"]["host_name"] = host
    doc["context"]["ftbench"].update(cores=cores, pus=cores, cpu_model=cpu,
                                     topology=f"Package:1 L3:1 Core:{cores} PU:{cores}")
    for row in doc["benchmarks"]:
        if row.get("aggregate_name") == "median" and isinstance(row.get("efficiency"), dict):
            row["efficiency"] = {k: v * scale for k, v in row["efficiency"].items()}
    directory.mkdir(parents=True)
    (directory / "results.json").write_text(json.dumps(doc))
    return directory


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Two machines (16 cores given first, so that the report's order is by cores) and their
    merged report: (a, b, out, page)."""
    root = tmp_path_factory.mktemp("merge")
    big = machine_sweep(root / "big", "node-big", 16, "Big CPU", scale=0.5)
    small = machine_sweep(root / "small", "node-small", 4, "Small CPU")
    page = merge.write_merge([big, small], root / "out")
    return small, big, root / "out", page


def run_merge(*args):
    return subprocess.run([PYTHON, str(MERGE_CLI), *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_merge_of_two_machines_has_a_panel_each_and_the_chart_across(two):
    small, big, out, page = two
    assert page == out / "report.html"
    text = page.read_text()
    # Fewest cores first: M1 is the 4-core machine though it was given second.
    assert text.index("M1: node-small") < text.index("M2: node-big")
    assert text.count("<section class='machine-panel'") == 2
    for slug in ("machine-1", "machine-2"):
        assert f"id='{slug}'" in text
        for chart in ("scaling_all", "overhead", "efficiency"):
            assert (out / slug / f"{chart}.png").stat().st_size > 1000
            assert (out / slug / f"{chart}.svg").is_file()
    assert (out / "machines.png").stat().st_size > 1000
    sources = re.findall(r'src="([^"]*)"', text)
    assert len(sources) == 1 + 2 * 3 and all(s.startswith("data:image/png;base64,") for s in sources)
    md = (out / "report.md").read_text()
    images = re.findall(r"!\[[^]]*\]\(([^)]+)\)", md)
    assert "machines.png" in images and "machine-2/overhead.png" in images
    assert all((out / image).is_file() for image in images)
    assert "## M1: node\\-small" not in md and "## M1: node-small" in md


def test_efficiency_table_holds_each_machines_own_cells(two):
    small, big, out, page = two
    medians = raw_medians("sweep")
    md = (out / "report.md").read_text()
    for w in WORKLOADS:
        row = next(l for l in md.splitlines() if l.startswith(f"| {w} | brc |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        value = medians[(w, "brc", 4)]["efficiency"]["value"]
        assert cells[2] == f"{value:.2f} (4 threads)"         # M1, the 4-core machine
        assert cells[3] == f"{value * 0.5:.2f} (4 threads)"   # M2, scaled by the fixture


def test_chart_across_machines_puts_efficiency_against_cores(two):
    small, big, out, page = two
    sweeps = merge.load_sweeps([big, small])
    fig = merge.efficiency_chart(sweeps)
    fib = next(ax for ax in fig.axes if ax.get_title() == "fib")
    lines = {c.get_label(): c.lines[0] for c in fib.containers}  # errorbar: (line, caps, bars)
    medians = raw_medians("sweep")
    for variant in ("gil", "atomic", "brc"):
        xs, ys = lines[variant].get_data()
        value = medians[("fib", variant, 4)]["efficiency"]["value"]
        assert list(xs) == [4, 16]
        assert list(ys) == pytest.approx([value, value * 0.5])
    assert fib.get_xscale() == "log"


def test_same_machine_twice_is_refused(tmp_path):
    a = machine_sweep(tmp_path / "a", "node-a", 4, "CPU")
    again = machine_sweep(tmp_path / "again", "node-a", 4, "CPU")
    done = run_merge(a, again, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("ftbench merge: error: ")
    assert "are sweeps of the same machine" in line and "node-a" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["missing", "not_results", "twice", "twice_by_file", "file_out",
                                  "instructions", "no_dirs"])
def test_bad_input_exits_2_with_one_line(tmp_path, case):
    a = machine_sweep(tmp_path / "a", "node-a", 4, "CPU")
    b = machine_sweep(tmp_path / "b", "node-b", 8, "CPU")
    out = tmp_path / "out"
    args, expected = {
        "missing": ([a, tmp_path / "nowhere"], "nowhere does not exist"),
        "not_results": ([a, tmp_path], "results.json not found"),
        "twice": ([a, b, a], "is given twice"),
        "twice_by_file": ([a, b, a / "results.json"], "is given twice"),
        "file_out": ([a, b], "not a directory"),
        "instructions": ([a, b], "instruction counts"),
        "no_dirs": ([], "the following arguments are required"),
    }[case]
    if case == "file_out":
        out.write_text("x")
    if case == "instructions":
        doc = json.loads((b / "results.json").read_text())
        doc["context"]["ftbench"]["mode"] = "instructions"
        (b / "results.json").write_text(json.dumps(doc))
    done = run_merge(*args, "--out", out)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    if case != "no_dirs":  # argparse prints its usage first
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not list(tmp_path.glob(".out.*.partial"))


def test_load_sweeps_refuses_nothing_and_a_sweep_without_cores(tmp_path):
    with pytest.raises(ResultsError, match="no results directories"):
        merge.load_sweeps([])
    a = machine_sweep(tmp_path / "a", "node-a", 4, "CPU")
    doc = json.loads((a / "results.json").read_text())
    del doc["context"]["ftbench"]["cores"]
    doc["context"]["num_cpus"] = "many"
    (a / "results.json").write_text(json.dumps(doc))
    with pytest.raises(ResultsError, match="core count"):
        merge.load_sweeps([a])


def test_compare_still_refuses_two_machines_cell_by_cell(two):
    # The two machines merge puts side by side are different machines to compare: refused.
    small, big, out, page = two
    done = subprocess.run([PYTHON, str(COMPARE_CLI), small, big], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 2, done.stdout
    assert "cores: 4 vs 16" in done.stderr and "--allow-mismatch" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_merge_into_an_existing_directory_replaces_its_panels(tmp_path):
    a = machine_sweep(tmp_path / "a", "node-a", 4, "CPU")
    b = machine_sweep(tmp_path / "b", "node-b", 8, "CPU")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / "machine-1").mkdir()
    (out / "machine-1" / "stale.png").write_text("old")
    done = run_merge(a, b, "--out", out, "--format", "svg")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out / "report.html")
    assert (out / "keep.txt").read_text() == "mine"
    assert not (out / "machine-1" / "stale.png").exists()
    assert (out / "machine-1" / "overhead.svg").is_file() and not list(out.rglob("*.png"))
    assert (out / "report.html").read_text().count("<svg") >= 7  # inlined, no PNG drawn
