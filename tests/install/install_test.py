#!/usr/bin/python3
"""ftbench installed, then used from the installation alone.

usage: install_test.py prefix CMAKE BUILD_DIR VERSION
       install_test.py deb CPACK BUILD_DIR VERSION

  prefix  `cmake --install BUILD_DIR --prefix P` into a temporary P (with a space in its name),
          nothing else copied; from another directory, with FTBENCH_PYTHON_TOOLS unset:
          `ftbench --version` (the version, a commit, the Python tools under P), `list`, two tiny
          sweeps, `report`, `compare` and `history add` + `history report` on them, the commit of
          --version in results.json. Then the
          proof that the installed binary reads its Python tools from P and never from the source
          tree it was built from (which is still there): with P's tools moved away, `report`
          exits 2 naming where it looked under P, and --version says they are not found; with
          FTBENCH_PYTHON_TOOLS pointing at the moved tools, `report` works again.
  deb     `cpack -G DEB` into a temporary directory: the package lists the binary, its Python tools
          and its docs under /usr; its Depends name the Debian package of every shared library
          the binary needs (objdump's NEEDED entries, each resolved with ldd and dpkg -S) and
          python3 with numpy, scipy and matplotlib; the binary unpacked from it (dpkg-deb -x)
          finds its tools inside the unpacked tree.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MODE, TOOL, BUILD, VERSION = sys.argv[1:5]
FAILURES = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILURES.append(what)
    return ok


def run(argv, cwd, env=None, timeout=300):
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def version_lines(ftbench, cwd, env):
    rc, out, err = run([ftbench, "--version"], cwd, env)
    check(rc == 0, f"ftbench --version exits 0 (got {rc}: {err.strip()})")
    lines = out.splitlines()
    check(len(lines) == 3, f"--version prints three lines: {out!r}")
    lines += [""] * 3
    check(lines[0] == f"ftbench {VERSION}", f"--version's first line is 'ftbench {VERSION}': {lines[0]!r}")
    m = re.fullmatch(r"commit ((?:[0-9a-f]{4,40}(?:-dirty)?)|unknown)", lines[1])
    check(m is not None, f"--version's second line is the commit (hash[-dirty] or unknown): {lines[1]!r}")
    return (m.group(1) if m else None), lines[2]


def test_prefix():
    tmp = tempfile.mkdtemp(prefix="ftbench-install-")
    try:
        prefix = os.path.join(tmp, "pre fix")
        rc, out, err = run([TOOL, "--install", BUILD, "--prefix", prefix], tmp)
        if not check(rc == 0, f"cmake --install exits 0 ({err.strip()[-500:]})"):
            return
        ftbench = os.path.join(prefix, "bin", "ftbench")
        tools = os.path.join(prefix, "share", "ftbench", "plots")
        docs = os.path.join(prefix, "share", "doc", "ftbench")
        for path in (ftbench, os.path.join(tools, "ftbench_report.py"), os.path.join(tools, "ftbench_compare.py"),
                     os.path.join(tools, "ftbench_history.py"), os.path.join(tools, "ftbplots", "history_store.py"),
                     os.path.join(tools, "ftbplots", "__init__.py"), os.path.join(tools, "ftbplots", "report.py"),
                     os.path.join(docs, "README.md"), os.path.join(docs, "docs", "results-format.md"),
                     os.path.join(docs, "plots", "README.md")):
            check(os.path.isfile(path), f"installed: {os.path.relpath(path, prefix)}")
        check(os.access(ftbench, os.X_OK), "bin/ftbench is executable")
        check(not os.path.exists(os.path.join(tools, "tests")), "the plot tests are not installed")

        work = os.path.join(tmp, "work")  # the working directory: neither the prefix nor the source tree
        os.mkdir(work)
        env = {k: v for k, v in os.environ.items() if k != "FTBENCH_PYTHON_TOOLS"}

        commit, tools_line = version_lines(ftbench, work, env)
        check(tools_line == f"python tools {tools}", f"--version: the Python tools are under the prefix: {tools_line!r}")

        rc, out, err = run([ftbench, "list"], work, env)
        check(rc == 0 and re.search(r"^fib\b", out, re.M) is not None, f"ftbench list exits 0 and lists fib ({rc}: {err.strip()})")
        check(re.search(r"^py\.fib\b", out, re.M) is not None,
              "ftbench list lists the installed Python workloads (share/ftbench/workloads/py)")

        sweep = ["run", "--workloads", "fib,py.fib", "--variants", "gil,brc", "--threads", "1,2", "--repetitions", "2",
                 "--warmup", "0", "--work-scale", "0.05", "--no-calibration", "--seed", "1"]
        for name in ("base", "new"):
            rc, out, err = run([ftbench, *sweep, "--out", name], work, env)
            check(rc == 0 and os.path.isfile(os.path.join(work, name, "results.json")),
                  f"a tiny sweep into {name}/ exits 0 ({rc}: {err.strip()[-500:]})")
        if FAILURES:
            return
        with open(os.path.join(work, "base", "results.json")) as f:
            context = json.load(f)["context"]
        ftb = context["ftbench"]
        recorded = ftb["git_commit"] + ("-dirty" if ftb["git_dirty"] else "")
        check(recorded == commit, f"results.json records the commit of --version ({recorded} vs {commit})")
        check(context["cpu_scaling_enabled"] in (True, False, None), "cpu_scaling_enabled is true, false or null")

        rc, out, err = run([ftbench, "report", "base"], work, env)
        report = os.path.join(work, "base", "report", "report.html")
        check(rc == 0 and os.path.isfile(report), f"ftbench report exits 0 and writes report.html ({rc}: {err.strip()[-500:]})")

        rc, out, err = run([ftbench, "compare", "base", "new", "--allow-inconclusive", "--format", "json"], work, env)
        try:
            verdict = json.loads(out).get("verdict")
        except ValueError:
            verdict = None
        check(rc in (0, 1) and verdict is not None,
              f"ftbench compare exits 0 or 1 with a json verdict ({rc}, {verdict!r}: {err.strip()[-500:]})")

        rc, out, err = run([ftbench, "history", "add", "base", "new", "--db", "history.db"], work, env)
        check(rc == 0 and out.count("added as sweep") == 2, f"ftbench history add exits 0 ({rc}: {err.strip()[-500:]})")
        rc, out, err = run([ftbench, "history", "report", "--db", "history.db", "--out", "site"], work, env)
        check(rc == 0 and os.path.isfile(os.path.join(work, "site", "index.html")),
              f"ftbench history report writes site/index.html ({rc}: {err.strip()[-500:]})")

        # The installed binary uses the installed tools and no others: moved away, they are missed.
        hidden = os.path.join(tmp, "hidden-tools")
        os.rename(tools, hidden)
        rc, out, err = run([ftbench, "report", "base", "--out", "again"], work, env)
        check(rc == 2 and f"not at {tools}" in err,
              f"without the installed tools, report exits 2 naming {tools} ({rc}: {err.strip()})")
        _, tools_line = version_lines(ftbench, work, env)
        check(tools_line.startswith("python tools not found:"), f"--version says the tools are missing: {tools_line!r}")
        rc, out, err = run([ftbench, "report", "base", "--out", "again"], work, {**env, "FTBENCH_PYTHON_TOOLS": hidden})
        check(rc == 0 and os.path.isfile(os.path.join(work, "again", "report.html")),
              f"FTBENCH_PYTHON_TOOLS points report at moved tools ({rc}: {err.strip()[-500:]})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def field(control, name):
    m = re.search(rf"^ {name}: (.*)$", control, re.M)
    return m.group(1).strip() if m else ""


def test_deb():
    tmp = tempfile.mkdtemp(prefix="ftbench-deb-")
    try:
        rc, out, err = run([TOOL, "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", tmp], tmp)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if not check(rc == 0 and len(debs) == 1, f"cpack -G DEB makes one .deb ({rc}: {err.strip()[-500:]})"):
            return
        deb = os.path.join(tmp, debs[0])
        check(debs[0].startswith(f"ftbench_{VERSION}_"), f"the package file is named ftbench_{VERSION}_<arch>.deb: {debs[0]}")
        rc, control, err = run(["dpkg-deb", "-I", deb], tmp)
        check(rc == 0, f"dpkg-deb -I reads it ({err.strip()})")
        print(control)
        check(field(control, "Package") == "ftbench" and field(control, "Version") == VERSION,
              "Package: ftbench, Version: the project's")
        depends = {d.strip().split(" ")[0] for d in field(control, "Depends").split(",") if d.strip()}
        for package in ("python3", "python3-numpy", "python3-scipy", "python3-matplotlib"):
            check(package in depends, f"Depends names {package}")
        binary = os.path.join(BUILD, "harness", "ftbench")
        rc, dump, _ = run(["objdump", "-p", binary], tmp)
        needed = re.findall(r"^\s*NEEDED\s+(\S+)", dump, re.M)
        check(len(needed) >= 5, f"objdump finds the binary's NEEDED libraries: {needed}")
        rc, ldd, _ = run(["ldd", binary], tmp)
        for lib in needed:
            m = re.search(rf"^\s*{re.escape(lib)} => (\S+)", ldd, re.M)
            if not check(m is not None, f"ldd resolves {lib}"):
                continue
            rc, owner, _ = run(["dpkg", "-S", os.path.realpath(m.group(1))], tmp)
            if rc != 0:  # a merged-/usr path that dpkg knows under /lib
                rc, owner, _ = run(["dpkg", "-S", m.group(1)], tmp)
            package = owner.split(":")[0].strip() if rc == 0 else "?"
            check(package in depends, f"{lib} comes from {package}, which Depends names")
        rc, listing, err = run(["dpkg-deb", "-c", deb], tmp)
        files = {line.split()[-1] for line in listing.splitlines() if line.strip()}
        for path in ("./usr/bin/ftbench", "./usr/share/ftbench/plots/ftbench_report.py",
                     "./usr/share/ftbench/plots/ftbench_compare.py", "./usr/share/ftbench/plots/ftbplots/compare.py",
                     "./usr/share/doc/ftbench/README.md", "./usr/share/doc/ftbench/docs/results-format.md"):
            check(path in files, f"the package holds {path}")
        root = os.path.join(tmp, "root")
        rc, _, err = run(["dpkg-deb", "-x", deb, root], tmp)
        if check(rc == 0, f"dpkg-deb -x unpacks it ({err.strip()})"):
            env = {k: v for k, v in os.environ.items() if k != "FTBENCH_PYTHON_TOOLS"}
            _, tools_line = version_lines(os.path.join(root, "usr", "bin", "ftbench"), tmp, env)
            check(tools_line == "python tools " + os.path.join(root, "usr", "share", "ftbench", "plots"),
                  f"the unpacked binary finds the unpacked tools: {tools_line!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


{"prefix": test_prefix, "deb": test_deb}[MODE]()
if FAILURES:
    print(f"{len(FAILURES)} check(s) failed")
    sys.exit(1)
print("all checks passed")
