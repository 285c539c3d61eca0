"""report.html and report.md: the headline table's numbers, the order of sections, embedding."""
import json
import math
import re
import shutil
import statistics

import pytest
from conftest import FIXTURES, raw_medians, raw_rows

from ftbplots.report import headline, headline_table, html_report, write_report
from ftbplots.results import load

WORKLOADS = ["fib", "dict_churn", "shared_counter", "pipe_pingpong"]


def expected_headline() -> dict:
    """workload -> numbers, from the fixture's median rows read with json alone."""
    medians = raw_medians("sweep")
    table = {}
    for w in WORKLOADS:
        top = max(n for (wl, _, n) in medians if wl == w)
        table[w] = {
            "threads": top,
            "overhead": {v: medians[(w, v, 1)]["overhead_vs_gil"]["value"] for v in ["atomic", "brc"]},
            "speedup": {v: medians[(w, v, top)]["speedup"]["value"] for v in ["gil", "atomic", "brc"]},
        }
    return table


def iteration_median(workload, variant, threads) -> float:
    return statistics.median(r["real_time"] for r in raw_rows("sweep")
                             if r["run_type"] == "iteration" and r["workload"] == workload
                             and r["variant"] == variant and r["threads"] == threads)


def test_headline_numbers_equal_the_fixture(sweep):
    expected = expected_headline()
    rows = headline(sweep)
    assert [r.workload for r in rows] == WORKLOADS
    for row in rows:
        want = expected[row.workload]
        assert row.threads == want["threads"]
        assert {v: m.value for v, m in row.overhead.items()} == want["overhead"]
        assert {v: m.value for v, m in row.speedup.items()} == want["speedup"]


def test_headline_numbers_agree_with_the_repetitions(sweep):
    """The same numbers recomputed from the iteration rows (strong scaling: t1 / tn)."""
    for row in headline(sweep):
        w, n = row.workload, row.threads
        for v, m in row.overhead.items():
            assert m.value == pytest.approx(iteration_median(w, v, 1) / iteration_median(w, "gil", 1))
        for v, m in row.speedup.items():
            assert m.value == pytest.approx(iteration_median(w, v, 1) / iteration_median(w, v, n))


def test_headline_text_cells(sweep):
    header, body = headline_table(sweep)
    assert header == ["workload", "atomic 1-thread time vs gil", "brc 1-thread time vs gil",
                      "threads", "gil speedup", "atomic speedup", "brc speedup"]
    expected = expected_headline()
    for cells in body[:-1]:
        want = expected[cells[0]]
        assert cells[1:] == ([f"{want['overhead'][v]:.2f}×" for v in ["atomic", "brc"]]
                             + [str(want["threads"])]
                             + [f"{want['speedup'][v]:.2f}×" for v in ["gil", "atomic", "brc"]])
    gmean = math.prod(expected[w]["overhead"]["brc"] for w in WORKLOADS) ** (1 / len(WORKLOADS))
    assert body[-1][0] == "geometric mean" and body[-1][2] == f"{gmean:.2f}×"


def _md_row(md: str, workload: str) -> list:
    line = next(l for l in md.splitlines() if l.startswith(f"| {workload} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_markdown_has_contents_then_headline_then_charts_then_machine(rendered):
    out, _ = rendered
    md = (out / "report.md").read_text()
    positions = [md.index(s) for s in ["Contents:", "| workload |", "## Charts", "## Machine",
                                       "## Primitives"]]
    assert positions == sorted(positions)
    assert "- [Charts](#charts)" in md and "  - [Single-thread overhead](#overhead)" in md
    assert "| machine | value |" in md
    expected = expected_headline()
    for w in WORKLOADS:
        assert _md_row(md, w)[1] == f"{expected[w]['overhead']['atomic']:.2f}×"
        assert _md_row(md, w)[6] == f"{expected[w]['speedup']['brc']:.2f}×"
    for image in re.findall(r"!\[[^]]*\]\(([^)]+)\)", md):
        assert (out / image).is_file()
    assert "| BM_Incref/atomic | 5.8 | ns |" in md


def test_html_is_self_contained(rendered):
    out, page = rendered
    text = page.read_text()
    assert page == out / "report.html"
    sources = re.findall(r'src="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert len(sources) == 9  # every chart of the sweep
    for s in ["<h2 id='machine'>Machine</h2>", "fixture-host", "Fixture CPU", "4f81f8e",
              "<h2 id='primitives'>Primitives</h2>"]:
        assert s in text
    order = ["<nav class='toc'>", "<h2 id='headline'>", "<table>", "<h2 id='charts'>",
             "<h2 id='machine'>", "<h2 id='primitives'>"]
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order)


def test_html_contents_link_every_section_and_chart(rendered):
    _, page = rendered
    text = page.read_text()
    toc = text[text.index("<nav class='toc'>"):text.index("</nav>")]
    anchors = re.findall(r"href='#([^']+)'", toc)
    assert anchors[:2] == ["headline", "charts"] and "overhead" in anchors and "machine" in anchors
    for anchor in anchors:
        assert f"id='{anchor}'" in text, anchor


def test_machine_table_has_no_empty_header_and_trimmed_strings(sweep_copy):
    doc = json.loads((sweep_copy / "results.json").read_text())
    doc["context"]["ftbench"]["cpu_model"] = "Padded  CPU @ 2.40GHz      "
    (sweep_copy / "results.json").write_text(json.dumps(doc))
    results = load(sweep_copy)
    text = html_report(results, [], [])
    machine_table = text[text.index("<table class='machine'>"):]
    machine_table = machine_table[:machine_table.index("</table>")]
    assert "<thead>" not in machine_table and "<th></th>" not in text
    assert "<td>Padded CPU @ 2.40GHz</td>" in machine_table
    assert "Padded CPU @ 2.40GHz ·" in results.machine_caption()


def test_warnings_are_folded_with_counts_by_kind(sweep_copy):
    doc = json.loads((sweep_copy / "results.json").read_text())
    medians = [r for r in doc["benchmarks"] if r.get("aggregate_name") == "median"]
    for row in medians[:3]:
        row["warnings"] = ["variation 7.1% above 5%", "short cell: median 0.86 ms under 5 ms, "
                           "timing noise dominates; raise the size (--work-scale)"]
    medians[3]["warnings"] = ["machine busy: other tasks wanted more cores"]
    (sweep_copy / "results.json").write_text(json.dumps(doc))
    page, _ = write_report(load(sweep_copy), sweep_copy / "report", formats=["svg"])
    text = page.read_text()
    folded = text[text.index("<details>"):text.index("</details>")]
    assert "<summary>Warnings: 7 (variation: 3, short cell: 3, machine busy: 1)</summary>" in folded
    assert folded.count("--work-scale") == 3
    assert text.index("<h2 id='charts'>") < text.index("<details>")  # after the charts
    md = (sweep_copy / "report" / "report.md").read_text()
    assert "<summary>Warnings: 7 (variation: 3, short cell: 3, machine busy: 1)</summary>" in md


def test_svg_only_is_inlined_and_no_primitives_without_micro(tmp_path):
    shutil.copy(FIXTURES / "sweep" / "results.json", tmp_path / "results.json")
    page, notes = write_report(load(tmp_path), tmp_path / "report", formats=["svg"])
    text = page.read_text()
    assert notes == []
    assert "<img" not in text and text.count("<svg") >= 9
    assert "Primitives" not in text and "Primitives" not in (tmp_path / "report" / "report.md").read_text()
    assert not list((tmp_path / "report").glob("*.png"))
