"""The exit-code table of report and compare (ftbplots/cli.py): 2 for unusable input or output,
70 for an internal error, 128 + signal when interrupted, with one line and no traceback; and an
interrupted report or chart leaves what was there before."""
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CLI, FIXTURES, PLOTS, PYTHON

from ftbplots import cli

COMPARE_CLI = PLOTS / "ftbench_compare.py"


@pytest.fixture(autouse=True)
def _restore_signal_handlers():
    """cli.run installs its handlers in this process too: put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in cli.HANDLED_SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run(script, *args):
    return subprocess.run([PYTHON, str(script), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _one_error_line(done, prog="ftbench report"):
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"{prog}: error: ")


def test_a_plain_text_file_is_not_json_not_truncated(tmp_path):
    text = tmp_path / "afile"
    text.write_text("hello, this is not a results file\n")
    done = run(CLI, text, "--out", tmp_path / "r")
    assert done.returncode == 2
    _one_error_line(done)
    assert "is not JSON (it starts with 'hello, this is not a results file')" in done.stderr
    assert "truncated" not in done.stderr
    done = run(COMPARE_CLI, text, FIXTURES / "sweep")
    assert done.returncode == 2 and "is not JSON" in done.stderr


def test_a_truncated_results_file_is_still_called_truncated(tmp_path):
    done = run(CLI, FIXTURES / "truncated", "--out", tmp_path / "r")
    assert done.returncode == 2 and "is truncated" in done.stderr


def test_an_output_path_that_is_a_file_exits_2(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("")
    done = run(CLI, FIXTURES / "sweep", "--out", blocker)
    assert done.returncode == 2
    _one_error_line(done)
    assert "not a directory" in done.stderr and str(blocker) in done.stderr
    assert blocker.read_text() == ""
    done = run(COMPARE_CLI, FIXTURES / "sweep", FIXTURES / "sweep", "--allow-inconclusive",
               "--chart", blocker / "c.png")
    assert done.returncode == 2
    _one_error_line(done, "ftbench compare")


def test_a_null_context_field_is_bad_input(tmp_path):
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    doc["context"]["ftbench"]["workloads"] = None
    (tmp_path / "null").mkdir()
    (tmp_path / "null" / "results.json").write_text(json.dumps(doc))
    for done in (run(COMPARE_CLI, FIXTURES / "sweep", tmp_path / "null"),
                 run(CLI, tmp_path / "null", "--out", tmp_path / "r")):
        assert done.returncode == 2
        assert "context.ftbench.workloads is null, expected a list of workload names" in done.stderr


def test_an_internal_error_exits_70_with_one_line_saying_where(capsys, monkeypatch):
    monkeypatch.delenv("FTB_DEBUG", raising=False)
    monkeypatch.delenv("FTB_X_DEBUG", raising=False)

    def buggy():
        return {}["missing"]
    assert cli.run("ftbench x", buggy, "FTB_X_DEBUG") == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.startswith("ftbench x: error: internal error: KeyError: 'missing' (at "
                          "test_exit_codes.py:")
    assert "in buggy); rerun with FTB_X_DEBUG=1 for the traceback" in err
    assert len(err.strip().splitlines()) == 1


def test_internal_errors_and_interrupts_are_never_0_or_1(capsys):
    def interrupted():
        raise KeyboardInterrupt
    assert cli.run("p", interrupted, "D") == 130
    assert cli.run("p", lambda: (_ for _ in ()).throw(RuntimeError("x")), "D") == 70
    assert cli.run("p", lambda: open("/nonexistent/dir/file", "w"), "D") == 2
    err = capsys.readouterr().err
    assert "p: error: interrupted by SIGINT" in err and "No such file or directory" in err


def test_a_missing_third_party_module_is_the_environment(capsys):
    def needs_numpy():
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")
    assert cli.run("p", needs_numpy, "D") == 2
    assert "cannot import numpy" in capsys.readouterr().err


# --- interrupts ---------------------------------------------------------------------------------

def _staging(parent: Path, name: str) -> list:
    return list(parent.glob(f".{name}.*"))


def _interrupt_report_while_charts_are_written(tmp_path, out, sig):
    """Starts a report of the whole sweep fixture (seconds of charts) and sends sig once the first
    chart is in the staging directory. Returns the finished process."""
    proc = subprocess.Popen([PYTHON, str(CLI), str(FIXTURES / "sweep"), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(any(d.iterdir()) for d in _staging(out.parent, out.name) if d.is_dir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no chart was written within 60 s"
        time.sleep(0.01)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_report_leaves_nothing(tmp_path, sig):
    out = tmp_path / "report"
    code, stdout, stderr = _interrupt_report_while_charts_are_written(tmp_path, out, sig)
    assert code == 128 + sig
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip() == (f"ftbench report: error: interrupted by {signal.Signals(sig).name}; "
                              "no report written (an earlier one is left as it was)")
    assert stdout == ""
    assert not out.exists() and _staging(tmp_path, "report") == []


def test_an_interrupted_report_leaves_the_previous_one(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("previous report")
    (out / "overhead.png").write_text("previous chart")
    (out / "notes.txt").write_text("the user's")
    code, _, stderr = _interrupt_report_while_charts_are_written(tmp_path, out, signal.SIGINT)
    assert code == 130 and "Traceback" not in stderr
    assert (out / "report.html").read_text() == "previous report"
    assert (out / "overhead.png").read_text() == "previous chart"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "overhead.png", "report.html"]
    assert _staging(tmp_path, "report") == []


def test_a_report_over_a_previous_one_replaces_it_and_keeps_other_files(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("previous report")
    (out / "notes.txt").write_text("the user's")
    done = run(CLI, FIXTURES / "sweep", "--out", out, "--format", "svg")
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").read_text() != "previous report"
    assert (out / "notes.txt").read_text() == "the user's" and (out / "overhead.svg").is_file()
    assert _staging(tmp_path, "report") == []


def test_an_interrupted_compare_chart_leaves_no_file(tmp_path):
    chart = tmp_path / "cmp.png"
    proc = subprocess.Popen([PYTHON, str(COMPARE_CLI), str(FIXTURES / "sweep"),
                             str(FIXTURES / "sweep_new"), "--allow-inconclusive", "--chart",
                             str(chart)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _staging(tmp_path, "cmp.png"):  # the chart's temporary file: matplotlib is loaded
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "ftbench compare: error: interrupted by SIGINT"
    assert not chart.exists() and _staging(tmp_path, "cmp.png") == []
