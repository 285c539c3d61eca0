#!/usr/bin/python3
"""ftbench history and compare --baseline-db through the binary (the C++ subcommands forward to
plots/ftbench_history.py and plots/ftbench_compare.py and pass the exit status on).

Stores six synthetic sweeps of one machine on main (plots/ftbplots/history_synth.py) and the
shipped quick sweep, adds one of them again (a no-op), lists them, writes the dashboard, and
compares a seventh sweep, unchanged and with one cell 30% slower, against the pooled last five.
A file that is not a database, a foreign SQLite database and a newer schema are exit 2 with one
line; compare --baseline-db without history for the machine is exit 2.
usage: history_cli_test.py FTBENCH PLOTS_DIR RESULTS_DIR
"""
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ftbench, plots, shipped = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
sys.path.insert(0, str(plots))
from ftbplots import history_synth  # noqa: E402


def run(*args, expect, one_line=True):
    proc = subprocess.run([ftbench, *map(str, args)], capture_output=True, text=True, timeout=600)
    if proc.returncode != expect:
        sys.exit(f"ftbench {' '.join(map(str, args))}: exit {proc.returncode}, expected {expect}\n"
                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    if expect == 2 and one_line:  # (argparse's usage errors add a usage line)
        lines = proc.stderr.strip().splitlines()
        if len(lines) != 1 or "error:" not in lines[0] or "Traceback" in proc.stderr:
            sys.exit(f"ftbench {' '.join(map(str, args))}: not one error line:\n{proc.stderr}")
    return proc


def sweep(tmp, name, commit, steps=()):
    doc = history_synth.sweep_document(0, commit, ["fib", "nbody"], threads=(1, 2), repetitions=7,
                                       steps=steps, rng=random.Random(commit), slow_every=0)
    path = tmp / name / "results.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    return path.parent


with tempfile.TemporaryDirectory(prefix="ftbench-history-") as name:
    tmp = Path(name)
    db = tmp / "history.db"
    sweeps = [sweep(tmp, f"s{i}", i) for i in range(6)]
    out = run("history", "add", *sweeps, shipped, "--db", db, "--branch", "main", expect=0).stdout
    assert out.count("added as sweep") == 7, out
    out = run("history", "add", sweeps[2], "--db", db, expect=0).stdout
    assert "already stored as sweep 3" in out, out
    listed = json.loads(run("history", "list", "--db", db, "--format", "json", expect=0).stdout)
    assert len(listed) == 7 and {s["branch"] for s in listed} == {"main"}, listed
    text = run("history", "list", "--db", db, expect=0).stdout
    assert text.startswith("7 sweeps in ") and "synthetic-0" in text, text
    site = tmp / "site"
    page = run("history", "report", "--db", db, "--out", site, expect=0).stdout.strip()
    assert Path(page) == site / "index.html" and (site / "series-1.html").is_file(), page

    new = sweep(tmp, "new", 10)
    out = run("compare", "--baseline-db", db, "--branch", "main", new, expect=0).stdout
    assert "last 5 sweeps on main" in out, out
    slower = sweep(tmp, "slower", 11, steps=(history_synth.Step(0, 0, "nbody", "gil", 2, 1.3),))
    out = run("compare", "--baseline-db", db, "--branch", "main", "--window", "4", slower, expect=1).stdout
    assert "REGRESSION: 1 cell slower" in out and "last 4 sweeps on main" in out, out

    other = history_synth.sweep_document(3, 1, ["fib"], threads=(1, 2), repetitions=3)
    (tmp / "other").mkdir()
    (tmp / "other" / "results.json").write_text(json.dumps(other))
    run("compare", "--baseline-db", db, tmp / "other", expect=2)
    run("compare", "--baseline-db", db, "--branch", "release", new, expect=2)
    run("compare", "--baseline-db", db, sweeps[0], new, expect=2)

    (tmp / "junk.db").write_bytes(b"not a database at all" * 100)
    run("history", "list", "--db", tmp / "junk.db", expect=2)
    run("history", "add", new, "--db", tmp / "junk.db", expect=2)
    foreign = sqlite3.connect(tmp / "foreign.db")
    foreign.execute("CREATE TABLE t (x)")
    foreign.commit()
    foreign.close()
    run("history", "add", new, "--db", tmp / "foreign.db", expect=2)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    err = run("history", "report", "--db", db, "--out", site, expect=2).stderr
    assert "newer" in err, err
    err = run("history", "bogus", expect=2, one_line=False).stderr
    assert "ftbench history: error: argument" in err and "Traceback" not in err, err
print("history through the binary: add, no-op add, list, report, compare --baseline-db, bad databases: ok")
