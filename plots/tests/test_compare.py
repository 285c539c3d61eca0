"""ftbench compare (plots/ftbench_compare.py, ftbplots/compare.py, ftbplots/stats.py).

The results files here are synthetic, made in the test from repetitions with known answers: a
toy sweep whose cells each take a fixed time, with seeded Gaussian noise per repetition and an
optional slowdown. The statistics are checked against values computed by hand.
"""
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import PLOTS, PYTHON

from ftbplots import compare, stats

COMPARE_CLI = PLOTS / "ftbench_compare.py"
WORKLOADS = {"fib": 100.0, "nbody": 60.0}          # 1-thread gil time, ms
OVERHEAD = {"gil": 1.0, "atomic": 1.2, "brc": 1.05}
PARALLEL = {"gil": 0.0, "atomic": 0.95, "brc": 0.97}  # Amdahl fraction


# --- synthetic results --------------------------------------------------------------------------

def model_ms(t1_gil, variant, threads):
    p = PARALLEL[variant]
    return t1_gil * OVERHEAD[variant] * ((1 - p) + p / threads)


def synth_times(reps=9, noise=0.01, slowdown=1.0, seed=1, workloads=WORKLOADS,
                variants=("gil", "brc"), threads=(1, 2), slow=lambda w, v, n: True):
    """(workload, variant, threads) -> repetitions in ms: model * (1 + noise * N(0, 1))."""
    rng = np.random.default_rng(seed)
    times = {}
    for w, t1_gil in workloads.items():
        for v in variants:
            for n in threads:
                factor = slowdown if slow(w, v, n) else 1.0
                times[(w, v, n)] = [model_ms(t1_gil, v, n) * factor * (1 + noise * rng.standard_normal())
                                    for _ in range(reps)]
    return times


def metric(value):
    return {"value": value, "ci_low": value, "ci_high": value}


def results_doc(times, **context_overrides):
    """A results.json (docs/results-format.md) holding these repetitions."""
    variants = sorted({v for _, v, _ in times}, key=list(OVERHEAD).index)
    workloads = list(dict.fromkeys(w for w, _, _ in times))
    threads = sorted({n for _, _, n in times})
    reps = max(len(t) for t in times.values())
    ftb = {"schema_version": 1, "cpu_model": "Synthetic CPU", "packages": 1, "numa_nodes": 1,
           "cores": 2, "pus": 2, "topology": "Package:1 L3:1 Core:2 PU:2", "build_type": "Release",
           "git_commit": "abc1234", "git_dirty": False, "seed": 1, "repetitions": reps,
           "warmup": 0, "work_scale": 0.5, "quick": True, "knobs": {}, "placement": "compact",
           "scaling": "strong", "threads": threads, "variants": variants, "workloads": workloads,
           "command_line": "ftbench run --quick"}
    ftb.update(context_overrides)
    rows = []
    for (w, v, n), ts in times.items():
        base = {"run_name": f"{w}/{v}/threads:{n}/strong/compact", "threads": n,
                "iterations": 1, "time_unit": "ms", "variant": v, "workload": w,
                "category": "cpu", "placement": "compact", "scaling": "strong", "units": 100,
                "repetitions": len(ts)}
        for i, t in enumerate(ts):
            rows.append(dict(base, name=base["run_name"], run_type="iteration",
                             repetition_index=i, real_time=t, cpu_time=t * n))
            if ftb.get("mode") == "instructions":  # the "times" are millions of instructions
                rows[-1]["instructions"] = round(t * 1e6)
        med = float(np.median(ts))
        speedup = float(np.median(times[(w, v, 1)])) / med if (w, v, 1) in times else None
        row = dict(base, name=base["run_name"] + "_median", run_type="aggregate",
                   aggregate_name="median", real_time=med, cpu_time=med * n,
                   wall_seconds=metric(med / 1000),
                   speedup=metric(speedup) if speedup else None,
                   efficiency=metric(speedup / n) if speedup else None)
        if n == 1 and (w, "gil", 1) in times:
            row["overhead_vs_gil"] = metric(med / float(np.median(times[(w, "gil", 1)])))
        rows.append(row)
    return {"context": {"date": "2026-11-25T12:00:00+00:00", "host_name": "synthetic",
                        "num_cpus": 2, "json_schema_version": 1, "ftbench": ftb},
            "benchmarks": rows}


def write_results(directory: Path, times, **context_overrides) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(results_doc(times, **context_overrides)))
    return directory


def run_compare(*args):
    return subprocess.run([PYTHON, str(COMPARE_CLI), *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def pair(tmp_path, base_times, new_times, base_ctx=None, new_ctx=None):
    base = write_results(tmp_path / "base", base_times, **(base_ctx or {}))
    new = write_results(tmp_path / "new", new_times, **(new_ctx or {}))
    return base, new


# --- statistics against hand-computed values ----------------------------------------------------

def test_mann_whitney_exact_for_completely_separated_5_vs_5():
    # Only 1 of the C(10, 5) = 252 orderings has every new value above every base value, and 1
    # has every one below: two-sided p = 2 / 252.
    test = stats.mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert test.method == "exact"
    assert test.u == 0
    assert test.p == pytest.approx(2 / 252)
    assert test.p == pytest.approx(0.00794, abs=1e-5)
    assert stats.mann_whitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p == pytest.approx(2 / 252)


def test_mann_whitney_exact_with_some_overlap():
    # U of x = #(x_i > y_j) = 4 (2, 3, 4, 5 each beat 1.5). P(U <= 4) for 5 vs 5 counts the
    # partitions of 0..4 into at most 5 parts of at most 5: 1 + 1 + 2 + 3 + 5 = 12 of 252.
    test = stats.mann_whitney([1, 2, 3, 4, 5], [1.5, 6, 7, 8, 9])
    assert test.u == 4 and test.method == "exact"
    assert test.p == pytest.approx(24 / 252)


def test_mann_whitney_normal_approximation_with_ties():
    # x = 1 2 3 3, y = 3 4 5 6: midranks 1 2 4 4 | 4 6 7 8, R_x = 11, U_x = 11 - 10 = 1.
    # mean 8; variance 4*4/12 * (9 - (3^3 - 3) / (8 * 7)) = 80/7; z = (|1 - 8| - 0.5) / sqrt(80/7).
    test = stats.mann_whitney([1, 2, 3, 3], [3, 4, 5, 6])
    assert test.method == "normal"
    assert test.u == 1
    z = 6.5 / math.sqrt(80 / 7)
    assert test.p == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert test.p == pytest.approx(0.0545, abs=5e-4)


def test_mann_whitney_all_equal_is_not_evidence():
    assert stats.mann_whitney([5, 5, 5], [5, 5, 5]).p == 1.0


def test_u_distribution_counts_every_ordering_and_is_symmetric():
    for m, n in [(1, 1), (3, 4), (5, 5), (9, 9)]:
        counts = stats.u_distribution(m, n)
        assert sum(counts) == math.comb(m + n, m)
        assert counts == counts[::-1]


def test_min_attainable_p():
    assert stats.min_attainable_p(5, 5) == pytest.approx(2 / 252)
    assert stats.min_attainable_p(9, 9) == pytest.approx(2 / math.comb(18, 9))


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4 * 0.005 = 0.02, 3 * 0.01 = 0.03, 2 * 0.03 = 0.06,
    # max(0.06, 1 * 0.04) = 0.06 (monotone); back in input order:
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert stats.holm([]) == []


def test_bootstrap_interval_is_seeded_and_covers_the_ratio():
    base, new = [10, 10.1, 9.9, 10.2, 9.8], [11, 11.1, 10.9, 11.2, 10.8]
    low, high = stats.bootstrap_ratio_ci(base, new, seed=7)
    assert (low, high) == stats.bootstrap_ratio_ci(base, new, seed=7)
    assert low <= 1.1 <= high and high - low < 0.1


# --- decisions on synthetic sweeps --------------------------------------------------------------

def test_ten_percent_slowdown_with_low_noise_is_a_regression(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.10))
    done = run_compare(base, new, "--format", "json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["exit_status"] == 1
    assert len(doc["regressions"]) == len(doc["cells"]) == 8
    for cell in doc["cells"]:
        assert cell["ratio"] == pytest.approx(1.10, abs=0.02)
        assert cell["ci_low"] > 1.05 and cell["p_method"] == "exact"
        assert cell["p_holm"] <= 0.05
    assert doc["summary"]["brc"]["geomean_ratio"] == pytest.approx(1.10, abs=0.01)
    assert "REGRESSION" in run_compare(base, new).stdout


def test_only_the_slowed_cells_regress(tmp_path):
    slow = lambda w, v, n: (w, v, n) == ("fib", "brc", 2)  # noqa: E731
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.10, slow=slow))
    doc = json.loads(run_compare(base, new, "--format", "json").stdout)
    assert doc["regressions"] == ["fib/brc/threads:2/strong/compact"]


def test_two_percent_change_is_not_flagged_at_the_default_threshold(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.02))
    done = run_compare(base, new, "--format", "json")
    assert done.returncode == 0, done.stdout
    doc = json.loads(done.stdout)
    assert doc["regressions"] == [] and doc["improvements"] == []
    assert {c["verdict"] for c in doc["cells"]} == {"unchanged"}
    # The same data at a 1% threshold: significant and beyond it.
    assert run_compare(base, new, "--threshold", "0.01").returncode == 1


@pytest.mark.parametrize("noise", [0.05, 0.10])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_noise_alone_is_not_flagged(tmp_path, noise, seed):
    base, new = pair(tmp_path, synth_times(noise=noise, seed=seed),
                     synth_times(noise=noise, seed=seed + 100))
    done = run_compare(base, new, "--format", "json")
    assert done.returncode == 0, done.stdout
    doc = json.loads(done.stdout)
    assert doc["regressions"] == [] and doc["improvements"] == []


def test_holm_correction_is_applied(tmp_path):
    # Ten cells, each 5 vs 5 completely separated with a 10% slowdown: each p = 2/252 = 0.0079
    # < 0.05 unadjusted, but Holm multiplies the smallest by 10: 0.079 > 0.05. Nothing flagged.
    workloads = {f"w{i}": 50.0 + i for i in range(5)}
    kw = dict(reps=5, noise=0.001, workloads=workloads, threads=(1,))
    base, new = pair(tmp_path, synth_times(seed=1, **kw), synth_times(seed=2, slowdown=1.10, **kw))
    # No cell could be flagged however slow: inconclusive, exit 2 unless accepted.
    done = run_compare(base, new, "--format", "json", "--alpha", "0.05")
    assert done.returncode == 2, done.stdout
    assert "inconclusive" in done.stderr and "no cell can be significant" in done.stderr
    done = run_compare(base, new, "--format", "json", "--alpha", "0.05", "--allow-inconclusive")
    assert done.returncode == 0, done.stdout
    doc = json.loads(done.stdout)
    assert len(doc["cells"]) == 10
    for cell in doc["cells"]:
        assert cell["p"] == pytest.approx(2 / 252)           # unadjusted: would pass alpha
        assert cell["p_holm"] == pytest.approx(10 * 2 / 252)  # adjusted: does not
        assert cell["verdict"] == "slower (n.s.)"
    assert any("no cell can be significant" in n for n in doc["notes"])
    assert doc["inconclusive"] == [n for n in doc["notes"] if "no cell can be significant" in n]
    # The same single cell alone: no correction to pay, flagged.
    one = {k: v for k, v in synth_times(seed=1, **kw).items() if k[0] == "w0" and k[1] == "gil"}
    one_new = {k: v for k, v in synth_times(seed=2, slowdown=1.10, **kw).items() if k in one}
    b1, n1 = pair(tmp_path / "one", one, one_new)
    assert run_compare(b1, n1).returncode == 1


def test_a_change_within_the_cells_own_noise_is_not_a_regression(tmp_path):
    # 20 vs 20 repetitions with 10% noise and a 12% slowdown: beyond the 5% threshold and
    # significant, but within 2 x the cells' spread, which is how far such a cell drifts between
    # two sweeps of one build. Flagged only with --noise-factor 0 (the plain rule).
    kw = dict(reps=20, noise=0.10, variants=("gil",), threads=(1,))
    base, new = pair(tmp_path, synth_times(seed=7, **kw), synth_times(seed=8, slowdown=1.12, **kw))
    doc = json.loads(run_compare(base, new, "--format", "json").stdout)
    assert doc["noise_factor"] == 2.0 and doc["regressions"] == []
    for cell in doc["cells"]:
        assert cell["ratio"] > 1.05 and cell["p_holm"] <= 0.01, cell
        assert cell["noise"] == pytest.approx(0.10, abs=0.05)
        assert cell["bound"] == pytest.approx(2 * cell["noise"]) and cell["ratio"] - 1 < cell["bound"]
        assert cell["verdict"] == "slower (noise)"
    assert run_compare(base, new).returncode == 0
    assert run_compare(base, new, "--noise-factor", "0").returncode == 1
    # A quiet cell with the same slowdown is flagged at the default factor.
    quiet = dict(kw, noise=0.01)
    b2, n2 = pair(tmp_path / "quiet", synth_times(seed=7, **quiet),
                  synth_times(seed=8, slowdown=1.12, **quiet))
    assert run_compare(b2, n2).returncode == 1


def test_robust_cv_by_hand():
    # median 10, absolute deviations 0, 0.5, 0.5, 1, 5 -> MAD 0.5; 1.4826 * 0.5 / 10
    assert stats.robust_cv([10, 9.5, 10.5, 9, 15]) == pytest.approx(0.07413, abs=1e-5)


def test_improvement_is_reported_and_exits_0(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=0.85))
    done = run_compare(base, new, "--format", "json")
    assert done.returncode == 0
    assert len(json.loads(done.stdout)["improvements"]) == 8


def test_curve_view_findings(tmp_path):
    # brc at 2 threads 20% slower (efficiency drops 1/1.2 - 1 = -17%), atomic 1 thread 10% slower
    # (its overhead against gil rises 10%).
    variants = ("gil", "atomic", "brc")
    slow = lambda w, v, n: (v, n) in {("brc", 2), ("atomic", 1)}  # noqa: E731
    base = synth_times(seed=1, noise=0.001, variants=variants)
    new = synth_times(seed=2, noise=0.001, variants=variants, slowdown=1.2, slow=slow)
    new = {k: ([t / 1.2 * 1.1 for t in v] if k[1:] == ("atomic", 1) else v) for k, v in new.items()}
    cmp = compare.compare(*pair(tmp_path, base, new))
    kinds = {(f.kind, f.workload, f.variant, f.threads): f for f in cmp.findings}
    for w in WORKLOADS:
        drop = kinds[("efficiency_drop", w, "brc", 2)]
        assert drop.change == pytest.approx(1 / 1.2 - 1, abs=0.01)
        assert kinds[("overhead_increase", w, "atomic", 1)].change == pytest.approx(0.10, abs=0.01)
        assert ("efficiency_drop", w, "gil", 2) not in kinds
    # atomic at 2 threads is unchanged while its 1-thread time grew: its efficiency rose (no
    # finding); the findings do not decide the exit status, the cells do.
    assert ("efficiency_drop", "fib", "atomic", 2) not in kinds
    assert cmp.exit_status == 1


def test_same_input_gives_the_same_output(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1, noise=0.05), synth_times(seed=2, noise=0.05))
    first = run_compare(base, new, "--format", "json").stdout
    assert first == run_compare(base, new, "--format", "json").stdout


# --- output formats -----------------------------------------------------------------------------

def test_text_output_has_the_table_and_the_summary(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2))
    done = run_compare(base / "results.json", new / "results.json")  # files work as well as dirs
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "workload" in out and "new/base" in out and "p (Holm)" in out
    assert "Geometric mean of new/base per variant" in out
    assert out.rstrip().endswith("Result: no regression (exit 0)")


def test_markdown_has_the_table_and_links_the_chart(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.10))
    chart = tmp_path / "cmp.png"
    done = run_compare(base, new, "--format", "markdown", "--chart", chart)
    assert done.returncode == 1, done.stderr
    md = done.stdout
    assert md.startswith("### ftbench compare: **Regression**")
    assert "| workload | variant | threads |" in md and "|---|" in md
    assert "| fib | brc | 2 |" in md
    assert f"]({chart})" in md and md.count("![") == 1
    assert chart.is_file() and chart.stat().st_size > 1000
    no_chart = run_compare(base, new, "--format", "markdown").stdout
    assert "![" not in no_chart


# --- bad input: one line each, its own message, exit 2 -------------------------------------------

def _assert_error(done, fragment):
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("ftbench compare: error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert fragment in done.stderr
    assert done.stdout == ""


def test_missing_file(tmp_path):
    base = write_results(tmp_path / "base", synth_times())
    _assert_error(run_compare(base, tmp_path / "nope"), "does not exist")
    (tmp_path / "empty_dir").mkdir()
    _assert_error(run_compare(tmp_path / "empty_dir", base), "results.json not found")


def test_malformed_json(tmp_path):
    base = write_results(tmp_path / "base", synth_times())
    bad = tmp_path / "bad" / "results.json"
    bad.parent.mkdir()
    bad.write_text('{"context": {"ftbench": {"schema_version": 1}}, "benchmarks": [ {,] }\n')
    _assert_error(run_compare(base, bad), "is not valid JSON")


def test_no_common_cells(tmp_path):
    base, new = pair(tmp_path, synth_times(workloads={"fib": 100.0}),
                     synth_times(workloads={"nbody": 60.0}))
    _assert_error(run_compare(base, new), "no cell (variant, workload, threads, placement, "
                                          "scaling) in common")


def test_mismatched_work_scale_is_refused_then_allowed_and_flagged(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.10),
                     base_ctx={"work_scale": 1.0}, new_ctx={"work_scale": 1.1})
    _assert_error(run_compare(base, new), "differ in work_scale: 1.0 vs 1.1")
    done = run_compare(base, new, "--allow-mismatch")
    assert done.returncode == 1
    assert "note: results differ in work_scale: 1.0 vs 1.1 (compared anyway: --allow-mismatch)" \
        in done.stdout
    doc = json.loads(run_compare(base, new, "--allow-mismatch", "--format", "json").stdout)
    assert doc["mismatches"] == ["work_scale: 1.0 vs 1.1"]
    md = run_compare(base, new, "--allow-mismatch", "--format", "markdown").stdout
    assert "work_scale: 1.0 vs 1.1" in md


def test_different_topology_is_refused(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2),
                     new_ctx={"cores": 4, "pus": 8, "topology": "Package:1 L3:1 Core:4 PU:8"})
    done = run_compare(base, new)
    _assert_error(done, "cores: 2 vs 4")
    assert "pus: 2 vs 8" in done.stderr and "topology:" in done.stderr


def test_bad_options_are_usage_errors(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2))
    for args in (["--threshold", "-1"], ["--alpha", "0"], ["--format", "html"],
                 ["--noise-factor", "-1"], ["--noise-factor", "x"],
                 ["--chart", tmp_path / "c.gif"]):
        done = run_compare(base, new, *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "ftbench compare: error:" in done.stderr


# --- instruction counts (ftbench run --instructions): a plain threshold ---------------------------

COUNTING = {"mode": "instructions", "threads": [1], "repetitions": 1, "work_scale": 0.1,
            "quick": False, "placement": "none"}


def counts(factor=1.0, slow=lambda w, v: True):
    """One repetition per single-thread cell, in millions of instructions, no noise."""
    return {(w, v, 1): [model_ms(t1, v, 1) * (factor if slow(w, v) else 1.0)]
            for w, t1 in WORKLOADS.items() for v in ("gil", "atomic", "brc")}


def test_instruction_counts_use_a_plain_one_percent_threshold(tmp_path):
    base, new = pair(tmp_path, counts(), counts(1.02, slow=lambda w, v: (w, v) == ("fib", "brc")),
                     COUNTING, COUNTING)
    done = run_compare(base, new, "--format", "json")
    assert done.returncode == 1, done.stdout
    doc = json.loads(done.stdout)
    assert doc["measure"] == "instructions" and doc["threshold"] == 0.01
    assert doc["correction"] == "none"
    assert doc["regressions"] == ["fib/brc/threads:1/strong/compact"]
    cell = next(c for c in doc["cells"] if c["name"] == doc["regressions"][0])
    assert cell["base_median"] == round(model_ms(100.0, "brc", 1) * 1e6)
    assert cell["ratio"] == pytest.approx(1.02, rel=1e-6) and cell["p"] is None
    # brc's instructions relative to gil rose 2% on fib: the single-thread overhead finding.
    assert [(f["kind"], f["workload"], f["variant"]) for f in doc["findings"]] == \
        [("overhead_increase", "fib", "brc")]
    text = run_compare(base, new).stdout
    assert "base instructions" in text and "no significance test" in text
    # Below the threshold: not flagged; a larger threshold lets 2% through.
    base2, new2 = pair(tmp_path / "small", counts(), counts(1.005), COUNTING, COUNTING)
    assert run_compare(base2, new2).returncode == 0
    assert run_compare(base, new, "--threshold", "0.05").returncode == 0


def test_instruction_improvement_exits_0(tmp_path):
    base, new = pair(tmp_path, counts(), counts(0.9), COUNTING, COUNTING)
    done = run_compare(base, new)
    assert done.returncode == 0
    assert "6 cells faster" in done.stdout


def test_counts_against_times_is_refused(tmp_path):
    base, new = pair(tmp_path, synth_times(), counts(), None, COUNTING)
    _assert_error(run_compare(base, new), "holds wall times and")
    _assert_error(run_compare(base, new, "--allow-mismatch"), "compare two timed sweeps, or two "
                                                              "counting runs")


def test_chart_of_counts_is_refused(tmp_path):
    base, new = pair(tmp_path, counts(), counts(), COUNTING, COUNTING)
    _assert_error(run_compare(base, new, "--chart", tmp_path / "c.png"), "drop --chart")


def test_missing_count_is_bad_input(tmp_path):
    base, new = pair(tmp_path, counts(), counts(), COUNTING, COUNTING)
    doc = json.loads((new / "results.json").read_text())
    for row in doc["benchmarks"]:
        row.pop("instructions", None)
    (new / "results.json").write_text(json.dumps(doc))
    _assert_error(run_compare(base, new), "is not a positive count")


# --- comparisons that cannot reach a verdict: exit 2, unless --allow-inconclusive ---------------

def test_three_fold_slowdown_with_three_repetitions_is_inconclusive(tmp_path):
    # 3 vs 3 repetitions: the smallest two-sided p-value is 2/20 = 0.1 > alpha; no slowdown,
    # however large, can be flagged. That must not read as "no regression".
    kw = dict(reps=3, noise=0.01)
    base, new = pair(tmp_path, synth_times(seed=1, **kw), synth_times(seed=2, slowdown=3.0, **kw))
    done = run_compare(base, new)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("ftbench compare: error: inconclusive: with 3 vs 3 repetitions")
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "--allow-inconclusive" in done.stderr
    assert done.stdout.rstrip().endswith("Result: INCONCLUSIVE: no regression could have been "
                                         "flagged (exit 2)")
    md = run_compare(base, new, "--format", "markdown")
    assert md.returncode == 2 and md.stdout.startswith("### ftbench compare: **Inconclusive**")
    accepted = run_compare(base, new, "--allow-inconclusive", "--format", "json")
    assert accepted.returncode == 0 and accepted.stderr == ""
    doc = json.loads(accepted.stdout)
    assert doc["exit_status"] == 0 and doc["allow_inconclusive"] is True
    assert "with 3 vs 3 repetitions" in doc["inconclusive"][0]
    assert "accepted: --allow-inconclusive" in doc["verdict"]
    assert {c["verdict"] for c in doc["cells"]} == {"slower (n.s.)"}


def test_no_iteration_rows_is_inconclusive(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2, slowdown=1.5))
    for directory in (base, new):
        doc = json.loads((directory / "results.json").read_text())
        doc["benchmarks"] = [r for r in doc["benchmarks"] if r["run_type"] != "iteration"]
        (directory / "results.json").write_text(json.dumps(doc))
    done = run_compare(base, new)
    assert done.returncode == 2, done.stdout
    assert "inconclusive:" in done.stderr and "has no iteration rows" in done.stderr
    assert run_compare(base, new, "--allow-inconclusive").returncode == 0


def test_duplicated_rows_are_refused(tmp_path):
    # Every row twice would double each cell's repetitions (and shrink its p-values): refused.
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2))
    doc = json.loads((new / "results.json").read_text())
    doc["benchmarks"] = doc["benchmarks"] + doc["benchmarks"]
    (new / "results.json").write_text(json.dumps(doc))
    for args in ([], ["--allow-inconclusive"]):
        _assert_error(run_compare(base, new, *args), "repeats benchmarks[0] (cell "
                                                     "fib/gil/threads:1/strong/compact, repetition 0)")


def test_a_powered_comparison_is_not_inconclusive(tmp_path):
    base, new = pair(tmp_path, synth_times(seed=1), synth_times(seed=2))
    doc = json.loads(run_compare(base, new, "--format", "json").stdout)
    assert doc["inconclusive"] == [] and doc["exit_status"] == 0
