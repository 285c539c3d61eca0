"""ftbench compare --paired (ftbplots/paired.py) on synthetic paired sweeps.

A synthetic paired sweep is a results.json (this build) and a baseline.json (the base build, every
row "build": "base"), as `ftbench run --baseline-binary` writes them. Each round has a machine-wide
drift factor that multiplies both builds' runs of that round alike (the slow phases of a shared
machine), plus independent per-run noise; the new side may carry a known step.
"""
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import PLOTS, PYTHON

from ftbplots import paired
from ftbplots.results import ResultsError

COMPARE_CLI = PLOTS / "ftbench_compare.py"
CELLS = [(w, v, n) for w in ("fib", "nbody", "dict_churn") for v in ("gil", "brc") for n in (1, 2)]


def synth(seed=1, rounds=10, noise=0.02, drift=0.3, step=1.0, stepped=lambda w, v, n: True):
    """(base, new): (workload, variant, threads) -> per-round ms."""
    rng = np.random.default_rng(seed)
    drifts = np.exp(drift * rng.standard_normal(rounds))  # a round's machine-wide factor
    base, new = {}, {}
    for i, (w, v, n) in enumerate(CELLS):
        model = 50.0 + 10 * i
        s = step if stepped(w, v, n) else 1.0
        base[(w, v, n)] = [model * d * (1 + noise * rng.standard_normal()) for d in drifts]
        new[(w, v, n)] = [model * s * d * (1 + noise * rng.standard_normal()) for d in drifts]
    return base, new


def doc(times, build=None, baseline=None, seed=7):
    ftb = {"schema_version": 2, "cpu_model": "Synthetic CPU", "packages": 1, "numa_nodes": 1,
           "cores": 2, "pus": 2, "topology": "Package:1 Core:2 PU:2", "seed": seed,
           "repetitions": len(next(iter(times.values()))), "warmup": 1, "work_scale": 0.2,
           "quick": True, "knobs": {}, "placement": "compact", "scaling": "strong",
           "threads": [1, 2], "variants": ["gil", "brc"], "workloads": ["fib", "nbody", "dict_churn"]}
    if build:
        ftb["build"] = build
    if baseline:
        ftb["baseline"] = baseline
    rows = []
    for (w, v, n), ts in times.items():
        name = f"{w}/{v}/threads:{n}/strong/compact"
        common = {"name": name, "run_name": name, "threads": n, "time_unit": "ms", "variant": v,
                  "workload": w, "category": "cpu", "placement": "compact", "scaling": "strong"}
        for i, t in enumerate(ts):
            rows.append(dict(common, run_type="iteration", repetition_index=i, real_time=t,
                             cpu_time=t * n, **({"build": build} if build else {})))
        med = float(np.median(ts))
        rows.append(dict(common, name=name + "_median", run_type="aggregate", aggregate_name="median",
                         real_time=med, cpu_time=med * n,
                         wall_seconds={"value": med / 1e3, "ci_low": med / 1e3, "ci_high": med / 1e3}))
    return {"context": {"host_name": "synthetic", "ftbench": ftb}, "benchmarks": rows}


def write_paired(directory: Path, base, new, baseline_file="baseline.json", base_seed=7) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    block = {"binary": "/opt/old/ftbench", "version": "ftbench 0.1.0\ncommit 0a9bd83",
             "work_scale": 0.2, "file": baseline_file}
    (directory / "results.json").write_text(json.dumps(doc(new, baseline=block)))
    (directory / "baseline.json").write_text(json.dumps(doc(base, build="base", seed=base_seed)))
    return directory


def run_cli(*args):
    return subprocess.run([PYTHON, str(COMPARE_CLI), *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def test_wilcoxon_one_sided_by_hand():
    # Ten rounds all slower: every sign alike, the one-sided exact p is 2^-10.
    logs = [0.01 * (i + 1) for i in range(10)]
    assert paired.wilcoxon_one_sided(logs, "greater") == pytest.approx(2.0 ** -10)
    assert paired.wilcoxon_one_sided(logs, "less") == pytest.approx(1.0)
    # The smallest |difference| negative: W+ = 54 of 55, two of 1024 sign patterns reach it.
    logs[0] = -logs[0]
    assert paired.wilcoxon_one_sided(logs, "greater") == pytest.approx(2.0 / 1024)
    assert paired.min_attainable_p(10) == 2.0 ** -10


def test_a_ten_percent_step_is_found_despite_drift(tmp_path):
    base, new = synth(step=1.10)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    # Both measures, wall and CPU time (the synthetic CPU time is the wall time times threads).
    assert len(cmp.regressions) == 2 * len(CELLS), [(c.name, c.ratio, c.p_slower_holm) for c in cmp.cells]
    assert {c.measure for c in cmp.regressions} == {"wall", "cpu"}
    assert cmp.exit_status == 1 and "12 cells slower" in cmp.verdict_line()
    for c in cmp.cells:
        assert c.rounds == 10 and 1.05 < c.ratio < 1.15


def test_only_the_stepped_cells_regress(tmp_path):
    base, new = synth(step=1.10, stepped=lambda w, v, n: w == "nbody" and n == 2)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert sorted({c.name for c in cmp.regressions}) == ["nbody/brc/threads:2", "nbody/gil/threads:2"]


@pytest.mark.parametrize("seed", range(1, 11))
def test_pure_noise_with_drift_is_not_flagged(tmp_path, seed):
    # 30% machine-wide drift between rounds, 5% per-run noise, no step: nothing to find.
    base, new = synth(seed=seed, noise=0.05, step=1.0)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert cmp.regressions == [] and cmp.exit_status == 0, cmp.verdict_line()


def test_a_change_below_the_thresholds_is_not_flagged(tmp_path):
    base, new = synth(step=1.015, noise=0.002)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert cmp.regressions == [] and cmp.exit_status == 0, cmp.verdict_line()
    assert all(c.p_slower_holm <= 0.05 for c in cmp.cells)  # significant, but below 5%
    assert cmp.overall.p_slower_holm <= 0.05 and cmp.overall.verdict == "unchanged"  # below 2%
    # A 3% shared change: no cell beyond 5%, the whole sweep beyond 2%.
    base, new = synth(step=1.03, noise=0.002)
    cmp = paired.compare_paired(write_paired(tmp_path / "t", base, new))
    assert cmp.regressions == [] and cmp.overall.verdict == "regression"
    cmp = paired.compare_paired(tmp_path / "t", sweep_threshold=0.05)
    assert cmp.exit_status == 0, cmp.verdict_line()


def test_an_improvement_is_reported_and_exits_0(tmp_path):
    base, new = synth(step=0.85)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert len({c.name for c in cmp.improvements}) == len(CELLS) and cmp.exit_status == 0


def test_too_few_rounds_is_inconclusive(tmp_path):
    base, new = synth(rounds=3, step=1.5)
    one = [("fib", "gil", 1)]  # one cell of 3 rounds: 3 pairs in all, p >= 1/8 anywhere
    d = write_paired(tmp_path / "s", {k: base[k] for k in one}, {k: new[k] for k in one})
    done = run_cli("--paired", d)
    assert done.returncode == 2 and "smallest possible one-sided p-value" in done.stderr, done.stderr
    assert run_cli("--paired", d, "--allow-inconclusive").returncode == 0


def test_cli_text_markdown_json_and_automatic_pairing(tmp_path):
    base, new = synth(step=1.10, stepped=lambda w, v, n: w == "fib")
    d = write_paired(tmp_path / "s", base, new)
    text = run_cli("--paired", d)
    assert text.returncode == 1 and "Result: REGRESSION: 4 cells slower" in text.stdout, text.stdout
    auto = run_cli(d)  # one directory that is a paired sweep: paired without --paired
    assert auto.returncode == 1 and auto.stdout == text.stdout
    md = run_cli("--paired", d, "--format", "markdown")
    assert md.returncode == 1 and md.stdout.startswith("### ftbench compare --paired: **Regression**")
    js = json.loads(run_cli("--paired", d, "--format", "json").stdout)
    assert js["exit_status"] == 1 and len(js["cells"]) == 2 * len(CELLS)
    wall = run_cli("--paired", d, "--measure", "wall")
    assert wall.returncode == 1 and " cpu " not in wall.stdout and "Whole sweep, cpu" not in wall.stdout


def test_cpu_time_sees_through_waiting_that_wall_time_cannot(tmp_path):
    # Wall time with 30% per-run noise (waiting for a core), CPU time with 1%: a 5% step.
    base, new = synth(seed=5, noise=0.30, step=1.05)
    cbase, cnew = synth(seed=6, noise=0.01, step=1.05)
    d = write_paired(tmp_path / "s", base, new)
    for name, times in (("results.json", cnew), ("baseline.json", cbase)):
        doc_ = json.loads((d / name).read_text())
        for row in doc_["benchmarks"]:
            if row["run_type"] == "iteration":
                row["cpu_time"] = times[(row["workload"], row["variant"], row["threads"])][row["repetition_index"]]
        (d / name).write_text(json.dumps(doc_))
    cmp = paired.compare_paired(d)
    by_measure = {o.measure: o for o in cmp.overalls}
    assert by_measure["cpu"].verdict == "regression", by_measure
    assert paired.compare_paired(d, measures=("cpu",)).exit_status == 1


@pytest.mark.parametrize("case", ["not_paired", "no_baseline_file", "foreign_file_name",
                                  "other_sweep", "two_dirs", "one_unpaired_dir"])
def test_bad_paired_input_exits_2_with_an_error_line(tmp_path, case):
    base, new = synth()
    d = write_paired(tmp_path / "s", base, new,
                     baseline_file="../x.json" if case == "foreign_file_name" else "baseline.json",
                     base_seed=8 if case == "other_sweep" else 7)
    args = ["--paired", d]
    if case == "not_paired":
        (d / "results.json").write_text(json.dumps(doc(new)))
    elif case == "no_baseline_file":
        (d / "baseline.json").unlink()
    elif case == "two_dirs":
        args = ["--paired", d, d]
    elif case == "one_unpaired_dir":
        (d / "results.json").write_text(json.dumps(doc(new)))
        args = [d]
    done = run_cli(*args)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    # One error line (argparse's usage errors print the usage above it).
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("ftbench compare: error: "), done.stderr


def test_load_paired_refuses_a_base_file_that_is_not_the_base_side(tmp_path):
    base, new = synth()
    d = write_paired(tmp_path / "s", base, new)
    (d / "baseline.json").write_text(json.dumps(doc(base)))  # no "build": "base"
    with pytest.raises(ResultsError, match="not the base side"):
        paired.load_paired(d)


def test_round_ratios_cancel_the_drift(tmp_path):
    base, new = synth(drift=0.5, noise=0.0, step=1.0)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert all(math.isclose(r, 1.0) for r in cmp.round_ratios)


def test_a_shared_step_too_small_for_any_cell_is_found_sweep_wide(tmp_path):
    # 8% on every cell under 25% per-run noise: no cell's 10 rounds agree enough, all pairs do.
    base, new = synth(seed=3, noise=0.25, step=1.08)
    cmp = paired.compare_paired(write_paired(tmp_path / "s", base, new))
    assert cmp.regressions == [], [c.name for c in cmp.regressions]
    assert cmp.overall.pairs == 10 * len(CELLS) and cmp.overall.verdict == "regression"
    assert [o.measure for o in cmp.sweep_regressions] == ["wall", "cpu"]
    assert cmp.exit_status == 1 and "the whole sweep slower" in cmp.verdict_line()
