"""The CI examples (docs/multi-machine.md, docs/compare.md): the GitHub Actions workflows checked
against a schema of the fields they use, the PR comment's verdict script run against a stand-in
ftbench for every exit status, and the Slurm script's commands in a dry run.

The Slurm script's real run on a one-node cluster is the ctest harness.slurm_local (it needs root
and slurm-wlm); here its dry run. python3-yaml and python3-jsonschema are Debian's
(scripts/setup-debian.sh)."""
import os
import shlex
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, PLOTS, PYTHON

ROOT = PLOTS.parent
COMPARE_WORKFLOW = ROOT / "docs" / "ci-compare-example.yml"
MACHINES_WORKFLOW = ROOT / "docs" / "examples" / "multi-machine-actions.yml"
VERDICT = ROOT / "scripts" / "ci" / "compare-verdict.sh"
SLURM = ROOT / "scripts" / "slurm" / "ftbench-slurm.sh"
MARKER = "<!-- ftbench-compare -->"

# --- the workflows ----------------------------------------------------------------------------

STEP = {
    "type": "object",
    "properties": {
        "name": {"type": "string"}, "id": {"type": "string"}, "if": {"type": "string"},
        "uses": {"type": "string", "pattern": r"^[\w.-]+/[\w.-]+@v\d+$"},
        "run": {"type": "string"}, "with": {"type": "object"},
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "continue-on-error": {"type": "boolean"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["uses"]}, {"required": ["run"]}],
}
JOB = {
    "type": "object",
    "required": ["runs-on", "steps"],
    "properties": {
        "runs-on": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "needs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "if": {"type": ["string", "boolean"]},
        "timeout-minutes": {"type": "integer", "minimum": 1},
        "permissions": {"type": "object", "additionalProperties": {"enum": ["read", "write", "none"]}},
        "outputs": {"type": "object", "additionalProperties": {"type": "string"}},
        "env": {"type": "object"},
        "strategy": {
            "type": "object",
            "properties": {"fail-fast": {"type": "boolean"},
                           "matrix": {"type": "object", "minProperties": 1}},
            "additionalProperties": False,
        },
        "steps": {"type": "array", "minItems": 1, "items": STEP},
    },
    "additionalProperties": False,
}
WORKFLOW = {
    "type": "object",
    "required": ["name", "on", "jobs"],
    "properties": {
        "name": {"type": "string"},
        "on": {"type": "object", "minProperties": 1},
        "concurrency": {"type": "object", "required": ["group"]},
        "permissions": {"type": "object", "additionalProperties": {"enum": ["read", "write", "none"]}},
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "jobs": {"type": "object", "minProperties": 1, "additionalProperties": JOB},
    },
    "additionalProperties": False,
}


def load_workflow(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as true
        doc["on"] = doc.pop(True)
    jsonschema.validate(doc, WORKFLOW)
    return doc


def steps_named(job: dict) -> dict:
    return {s.get("name", s.get("uses")): s for s in job["steps"]}


def test_compare_workflow_keeps_one_comment_and_fails_on_a_failure():
    wf = load_workflow(COMPARE_WORKFLOW)
    assert list(wf["on"]) == ["pull_request"]
    compare, publish = wf["jobs"]["compare"], wf["jobs"]["publish"]
    # The pull request's code runs with a read-only token; the job that writes runs none of it.
    assert compare["permissions"] == {"contents": "read"}
    assert all(s["with"].get("persist-credentials") is False
               for s in compare["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert publish["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert not any("ftbench" in s.get("run", "") and "build/release" in s.get("run", "")
                   for s in publish["steps"])
    assert publish["needs"] == "compare" and "always()" in publish["if"]
    step = steps_named(compare)["Compare"]
    assert "scripts/ci/compare-verdict.sh" in step["run"] and "code=$?" in step["run"]
    assert "CHART_URL" in step["env"] and step["env"]["CHART_URL"].startswith("${{ env.PAGES_URL }}/")
    # One comment, found by its marker and author, updated in place.
    script = steps_named(publish)["Post or update the one comment"]
    assert script["uses"].startswith("actions/github-script@")
    body = script["with"]["script"]
    assert MARKER in body and "updateComment" in body and "createComment" in body
    assert "github-actions[bot]" in body and "paginate" in body
    # The chart goes to the pages branch, a URL a comment can show.
    assert "PAGES_BRANCH" in steps_named(publish)["Push the chart to the pages branch"]["run"]
    assert "raw.githubusercontent.com" in wf["env"]["PAGES_URL"]
    # Any status but 0 fails both jobs; a comparison that never ran still gets its comment.
    for job in (compare, publish):
        last = job["steps"][-1]
        assert "!= '0'" in last["if"] and last["run"].rstrip().endswith("exit 1")
    assert MARKER in steps_named(publish)["Write the comment of a comparison that never ran"]["run"]


def test_machines_workflow_sweeps_per_runner_then_merges_and_publishes():
    wf = load_workflow(MACHINES_WORKFLOW)
    sweep, merge = wf["jobs"]["sweep"], wf["jobs"]["merge"]
    runners = sweep["strategy"]["matrix"]["runner"]
    assert len(runners) >= 2 and sweep["runs-on"] == "${{ matrix.runner }}"
    assert sweep["strategy"]["fail-fast"] is False
    upload = next(s for s in sweep["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert "${{ strategy.job-index }}" in upload["with"]["name"]  # an artifact per machine
    assert merge["needs"] == "sweep"
    steps = steps_named(merge)
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["pattern"] == "sweep-*"
    assert "ftbench merge sweeps/sweep-* --out" in steps["Merge"]["run"]
    history = steps["Add to the history database"]["run"]
    assert "ftbench history add sweeps/sweep-* --db" in history
    assert "ftbench history report --db" in history and "ftbench-history" in history
    assert "ftbench-pages" in steps["Publish the merged report and the dashboard"]["run"]
    assert merge["permissions"] == {"contents": "write"}


def test_no_workflow_is_active_in_this_repository():
    assert not (ROOT / ".github" / "workflows").exists()


# --- the verdict of the PR comment ----------------------------------------------------------------

STUB = """#!/usr/bin/env bash
# A stand-in ftbench: `compare BASE NEW --format markdown [--chart PATH]` exits $STUB_TIMES (with
# --chart) or $STUB_COUNTS, printing what compare prints for that status.
shift
chart=""
for a in "$@"; do case $a in --chart) next=1 ;; *) [ -n "${next:-}" ] && chart=$a && next= ;; esac; done
code=${STUB_COUNTS:-0}; [ -n "$chart" ] && code=${STUB_TIMES:-0}
case $code in
  0|1) echo "### ftbench compare: **$([ $code = 1 ] && echo Regression || echo 'No regression')**"
       echo "| workload | variant |"; echo "|---|---|"; echo "| fib | gil |"
       if [ -n "$chart" ]; then echo "![new / base median wall time per cell]($chart)"; echo png > "$chart"; fi ;;
  2) echo "ftbench compare: error: base has no results.json \\`\\`\\` ~~~~ <b>x</b>" >&2 ;;
  *) echo "ftbench compare: internal error: boom" >&2 ;;
esac
exit $code
"""


@pytest.fixture
def stub(tmp_path):
    path = tmp_path / "ftbench"
    path.write_text(STUB)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def verdict(stub, out, times, counts=None, chart_url="https://example.org/pr/7/1/compare.png"):
    env = dict(os.environ, STUB_TIMES=str(times), RUN_URL="https://example.org/run/1")
    if chart_url:
        env["CHART_URL"] = chart_url
    args = [str(VERDICT), str(stub), str(out), "base", "new"]
    if counts is not None:
        env["STUB_COUNTS"] = str(counts)
        args += ["cbase", "cnew"]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    return done, (out / "comment.md").read_text(), (out / "verdict").read_text().strip()


@pytest.mark.parametrize("times,counts,code,word,heading", [
    (0, None, 0, "ok", "ftbench: no regression"),
    (0, 0, 0, "ok", "ftbench: no regression"),
    (1, None, 1, "regression", "ftbench: REGRESSION"),
    (0, 1, 1, "regression", "ftbench: REGRESSION"),
    (2, None, 2, "failure", "FAILED"),
    (1, 2, 2, "failure", "FAILED"),   # a failure outranks a regression
    (0, 2, 2, "failure", "FAILED"),
    (70, 0, 2, "failure", "FAILED"),  # an internal error is a failure too
    (0, 130, 2, "failure", "FAILED"),
])
def test_verdict_script_maps_every_exit_status(stub, tmp_path, times, counts, code, word, heading):
    done, comment, said = verdict(stub, tmp_path / "out", times, counts)
    assert done.returncode == code, done.stderr
    assert said == word
    lines = comment.splitlines()
    assert lines[0] == MARKER and heading in lines[1]
    if code == 2:
        # Above the failure's message nothing says "no regression"; below it only the report of
        # a comparison that did succeed can (under its own heading).
        end = comment.rindex("~~~~")
        assert "no regression" not in comment[:end].lower().replace('not "no regression"', "")
        assert "not a pass" in lines[1]
        assert "exited" in comment and "error" in comment  # compare's own message
        fenced = comment[comment.index("~~~~text"):]
        assert fenced.count("~~~~") == 2 and "```" not in comment  # the message cannot close it
        assert "exited" in done.stderr
    assert "[The job, its log and the artifact with the results](https://example.org/run/1)" in comment


def test_verdict_script_links_the_chart_by_its_url(stub, tmp_path):
    done, comment, _ = verdict(stub, tmp_path / "a", 1)
    assert "![new / base median wall time per cell](https://example.org/pr/7/1/compare.png)" in comment
    assert "(" + str(tmp_path) not in comment and (tmp_path / "a" / "compare.png").is_file()
    done, comment, _ = verdict(stub, tmp_path / "b", 0, chart_url=None)
    assert "![" not in comment  # no URL to show it at: no broken image


def test_verdict_script_with_the_real_compare(tmp_path):
    # The fixture against itself: 3 repetitions cannot be significant, compare exits 2
    # (inconclusive): the comment must say failed, with compare's reason.
    wrapper = tmp_path / "ftbench"
    wrapper.write_text(f'#!/bin/sh\nshift\nexec {PYTHON} {PLOTS / "ftbench_compare.py"} "$@"\n')
    wrapper.chmod(0o755)
    sweep = FIXTURES / "sweep"
    done = subprocess.run([str(VERDICT), str(wrapper), str(tmp_path / "out"), str(sweep), str(sweep)],
                          capture_output=True, text=True, timeout=300)
    comment = (tmp_path / "out" / "comment.md").read_text()
    assert done.returncode == 2
    assert "FAILED" in comment.splitlines()[1] and "inconclusive" in comment
    assert "### ftbench compare: **Inconclusive**" in comment


def test_verdict_script_cuts_a_comment_github_would_refuse(stub, tmp_path):
    long = tmp_path / "ftbench"
    long.write_text("#!/bin/sh\nfor i in $(seq 8000); do echo \"| row $i | padding padding |\"; done\n")
    long.chmod(0o755)
    done = subprocess.run([str(VERDICT), str(long), str(tmp_path / "out"), "b", "n"],
                          capture_output=True, text=True, timeout=60)
    comment = (tmp_path / "out" / "comment.md").read_text()
    assert done.returncode == 0 and len(comment) < 65536
    assert "cut at 60000 characters" in comment


def test_verdict_script_usage():
    done = subprocess.run([str(VERDICT), "only-one"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("usage:")


# --- Slurm --------------------------------------------------------------------------------------

def slurm(*args, env=None):
    return subprocess.run([str(SLURM), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


def test_slurm_submit_dry_run_prints_the_array_and_the_dependent_merge(tmp_path):
    done = slurm("submit", "--nodes", 4, "--out", tmp_path / "run", "--partition", "big", "--time",
                 "02:00:00", "--ftbench", "/opt/ftbench/bin/ftbench", "--history-db",
                 tmp_path / "h.sqlite", "--dry-run", "--", "--quick", "--threads", "1,2,4")
    assert done.returncode == 0, done.stderr
    sweep, merge = [shlex.split(line) for line in done.stdout.splitlines()]
    assert sweep[:2] == ["sbatch", "--parsable"]
    for option in ("--array=0-3", "--nodes=1", "--ntasks=1", "--exclusive", "--partition=big",
                   "--time=02:00:00", f"--output={tmp_path}/run/logs/sweep-%A_%a.log"):
        assert option in sweep, option
    i = sweep.index(str(SLURM))
    assert sweep[i:] == [str(SLURM), "sweep", f"{tmp_path}/run", "--ftbench", "/opt/ftbench/bin/ftbench",
                         "--", "--quick", "--threads", "1,2,4"]
    assert "--dependency=afterok:<sweep-job-id>" in merge and "--exclusive" not in merge
    assert "--array" not in " ".join(merge) and "--partition=big" in merge
    assert merge[merge.index(str(SLURM)):] == [str(SLURM), "merge", f"{tmp_path}/run", "--ftbench",
                                               "/opt/ftbench/bin/ftbench", "--history-db",
                                               f"{tmp_path}/h.sqlite"]
    assert not (tmp_path / "run").exists()  # a dry run creates nothing


def test_slurm_task_sweeps_with_hwloc_placement_over_the_whole_node(tmp_path):
    env = {"FTB_DRY_RUN": "1", "SLURM_ARRAY_TASK_ID": "2", "SLURM_CPUS_ON_NODE": "64"}
    done = slurm("sweep", tmp_path, "--ftbench", "/x/ftbench", "--", "--quick", env=env)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    cmd = shlex.split(line)
    host = subprocess.run(["hostname", "-s"], capture_output=True, text=True).stdout.strip()
    assert cmd == ["srun", "--nodes=1", "--ntasks=1", "--cpus-per-task=64", "--cpu-bind=none",
                   "/x/ftbench", "run", "--placement", "compact", "--out",
                   f"{tmp_path}/sweeps/task-2-{host}", "--quick"]
    # A requeued task resumes; a placement given by the user is kept.
    (tmp_path / "sweeps" / f"task-2-{host}").mkdir(parents=True)
    (tmp_path / "sweeps" / f"task-2-{host}" / "results.json").write_text("{}")
    cmd = shlex.split(slurm("sweep", tmp_path, "--ftbench", "/x/ftbench", "--", "--placement",
                            "scatter", env=env).stdout)
    assert "--resume" in cmd and cmd.count("--placement") == 1 and "scatter" in cmd
    outside = slurm("sweep", tmp_path, "--ftbench", "/x/ftbench", env={"FTB_DRY_RUN": "1",
                                                                         "SLURM_ARRAY_TASK_ID": ""})
    assert outside.returncode == 2 and "SLURM_ARRAY_TASK_ID" in outside.stderr


def test_slurm_merge_job_merges_every_sweep_and_adds_them_to_the_history(tmp_path):
    for name in ("task-0-n1", "task-1-n2"):
        (tmp_path / "sweeps" / name).mkdir(parents=True)
    done = slurm("merge", tmp_path, "--ftbench", "/x/ftbench", "--history-db", "/db/h.sqlite",
                 env={"FTB_DRY_RUN": "1"})
    assert done.returncode == 0, done.stderr
    merge, history = [shlex.split(line) for line in done.stdout.splitlines()]
    sweeps = [f"{tmp_path}/sweeps/task-0-n1", f"{tmp_path}/sweeps/task-1-n2"]
    assert merge == ["/x/ftbench", "merge", *sweeps, "--out", f"{tmp_path}/merged"]
    assert history == ["/x/ftbench", "history", "add", *sweeps, "--db", "/db/h.sqlite"]
    empty = slurm("merge", tmp_path / "none", "--ftbench", "/x/ftbench", env={"FTB_DRY_RUN": "1"})
    assert empty.returncode == 2 and "no sweeps" in empty.stderr


@pytest.mark.parametrize("args,message", [
    (["submit", "--out", "d", "--dry-run"], "--nodes takes a positive whole number"),
    (["submit", "--nodes", "0", "--out", "d", "--dry-run"], "--nodes takes a positive whole number"),
    (["submit", "--nodes", "2", "--dry-run"], "--out DIR is required"),
    (["submit", "--nodes", "2", "--out", "d", "--quick"], "ftbench run's options go after --"),
    (["frobnicate"], "unknown command"),
    ([], "usage"),
])
def test_slurm_bad_arguments_exit_2(args, message):
    done = slurm(*args, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
