"""plots/ftbench_report.py as a user runs it: the path printed, and clear errors on bad input."""
import subprocess

import pytest
from conftest import CLI, FIXTURES, PYTHON


def run_cli(*args):
    return subprocess.run([PYTHON, str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_writes_the_report_into_dir_report_and_prints_its_path(sweep_copy):
    done = run_cli(sweep_copy)
    assert done.returncode == 0, done.stderr
    page = sweep_copy / "report" / "report.html"
    assert done.stdout.strip().splitlines()[-1] == str(page)
    assert page.is_file() and (sweep_copy / "report" / "report.md").is_file()
    assert (sweep_copy / "report" / "scaling_all.svg").is_file()
    assert done.stderr == ""


def test_out_and_format(tmp_path):
    done = run_cli(FIXTURES / "sweep", "--out", tmp_path / "r", "--format", "svg")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "r" / "report.html")
    assert (tmp_path / "r" / "overhead.svg").is_file()
    assert not (tmp_path / "r" / "overhead.png").exists()


@pytest.mark.parametrize("target, message", [
    (FIXTURES / "does_not_exist", "does not exist"),
    (FIXTURES, "results.json not found"),
    (FIXTURES / "truncated", "is truncated"),
    (FIXTURES / "malformed", "is not valid JSON"),
    (FIXTURES / "wrong_schema", "schema version 99"),
    (FIXTURES / "single_thread", "no multi-thread cells"),
])
def test_bad_input_gives_one_clear_line_and_exit_2(target, message, tmp_path):
    done = run_cli(target, "--out", tmp_path / "r")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("ftbench report: error: ")
    assert message in done.stderr
    assert done.stdout == ""


def test_bad_format_is_a_usage_error(tmp_path):
    done = run_cli(FIXTURES / "sweep", "--out", tmp_path, "--format", "gif")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "--format takes png and/or svg" in done.stderr


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run_cli(FIXTURES / "sweep", "--out", blocker / "r")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stderr.startswith("ftbench report: error: ")


def test_instruction_counts_are_not_charted(tmp_path):
    import json
    doc = json.loads((FIXTURES / "sweep" / "results.json").read_text())
    doc["context"]["ftbench"]["mode"] = "instructions"
    (tmp_path / "counts").mkdir()
    (tmp_path / "counts" / "results.json").write_text(json.dumps(doc))
    done = run_cli(tmp_path / "counts", "--out", tmp_path / "r")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "holds instruction counts" in done.stderr and "ftbench compare" in done.stderr
