"""harness/python/cell_driver.py loads a workload as an import from its bytecode cache does.

    cell_driver_load_test.py [PYTHON]

Free-threaded CPython leaves the int and float constants of code made by the builtin compile()
mortal, and importlib compiles with it whenever it finds no usable cache, so the driver compiles
the file and passes the code through marshal (as a .pyc is read) and writes no cache. Checked
here with PYTHON (default Debian's /usr/bin/python3), in any build: a run of the driver with
bytecode writing allowed leaves no __pycache__ beside the workload and gives the checksum of the
workload run directly; and the driver's load() hands the code it executes to marshal.loads (a
wrapper records the call) and returns a module whose functions work. Exit 0, or 1 naming what
failed.
"""
import importlib.util
import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # this test imports the driver and a workload: no cache in the tree

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "..", "..", "harness", "python", "cell_driver.py")
WORKLOAD = os.path.join(HERE, "..", "..", "workloads", "py", "mult_constant.py")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/python3"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mult_constant.py")
        shutil.copy(WORKLOAD, path)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        proc = subprocess.run([python, DRIVER, path, "--threads", "2", "--size", "8"], env=env,
                              capture_output=True, text=True, timeout=120)
        check(proc.returncode == 0, f"the driver exited {proc.returncode}: {proc.stderr.strip()}")
        check(not os.path.exists(os.path.join(tmp, "__pycache__")),
              f"the driver wrote a bytecode cache: {os.listdir(tmp)}")
        if proc.returncode == 0:
            got = json.loads(proc.stdout.strip().splitlines()[-1])["checksum"]
            spec = importlib.util.spec_from_file_location("direct", path)
            direct = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(direct)
            want = direct.finish(None, [direct.worker(None, 0, 0, 4), direct.worker(None, 1, 4, 8)])
            check(got == want, f"checksum {got}, the workload run directly gives {want}")

        # load() in this process: its code goes through marshal.loads.
        spec = importlib.util.spec_from_file_location("ftbench_cell_driver", DRIVER)
        driver = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(driver)
        seen = []
        real_loads = marshal.loads

        def recording_loads(data, *args):
            code = real_loads(data, *args)
            seen.append(code)
            return code

        driver.marshal = type("Marshal", (), {"loads": staticmethod(recording_loads), "dumps": staticmethod(marshal.dumps)})
        module = driver.load(path)
        check(len(seen) == 1 and getattr(seen[0], "co_filename", None) == path,
              f"load() did not read its code back through marshal.loads (calls: {len(seen)})")
        check(module.multiply() > 1.0, "the loaded module's multiply() does not work")
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
