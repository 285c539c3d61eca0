"""Runs many cases of ftbench_report.py / ftbench_compare.py in one process (test_fuzz.py).

usage: /usr/bin/python3 fuzz_driver.py CASES.json OUT.json
CASES.json: [[script, [args...]], ...], script "report" or "compare". Each case calls the script's
main(argv), the function its __main__ runs, with stdout and stderr captured; OUT.json gets
[[exit status, stderr], ...]. An exception escaping main() is recorded as status null and its
traceback (the test fails on it). One process for all cases: starting Python and importing numpy
and matplotlib for each would take most of the test's time.
"""
import contextlib
import importlib.util
import io
import json
import sys
import traceback
from pathlib import Path

PLOTS = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, PLOTS / f"ftbench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())
    scripts = {name: _script(name) for name in ("report", "compare")}
    results = []
    for script, argv in cases:
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = scripts[script].main(argv)
        except SystemExit as e:
            status = e.code
        except BaseException:  # noqa: BLE001 (what the test looks for)
            status, err = None, io.StringIO(err.getvalue() + traceback.format_exc())
        results.append([status, err.getvalue()])
    Path(sys.argv[2]).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
