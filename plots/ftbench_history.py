#!/usr/bin/python3
"""ftbench history: sweeps kept over time in one SQLite file, and their dashboard (docs/history.md).

Usage: /usr/bin/python3 plots/ftbench_history.py add RESULTS... --db FILE [--branch B] [--report URL]
       /usr/bin/python3 plots/ftbench_history.py list --db FILE [--format text|json]
       /usr/bin/python3 plots/ftbench_history.py report --db FILE --out DIR [--window N] [--commit-url T]
add stores each results directory (or results.json) in FILE, made when absent; a sweep stored
already is skipped. All of one add is one transaction: an error or an interrupt stores nothing.
Exit status (ftbplots/cli.py): 0 done; 2 unusable input (a results file that does not load, a
database that is not SQLite, not ftbench's or of a newer schema, an output path that cannot be
written), after one line `ftbench history: error: ...`; 70 internal error; 130 (143, 129)
interrupted.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import cli  # noqa: E402  (standard library only)

PROG = "ftbench history"
DEBUG_ENV = "FTB_HISTORY_DEBUG"


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a whole number, got {text!r}") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be from 1 to 1000, got {value}")
    return value


def parse_args(argv):
    parser = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="{add,list,report}")
    add = sub.add_parser("add", help="store sweeps (results directories or results.json files)")
    add.add_argument("results", nargs="+", help="results directory of `ftbench run`, or its results.json")
    add.add_argument("--db", required=True, help="the history database (made when absent)")
    add.add_argument("--branch", help="the branch the sweeps measured (compare --baseline-db --branch)")
    add.add_argument("--report", help="where the sweeps' report is (an http(s) URL or a path), linked "
                                      "from the dashboard (default RESULTS/report/report.html when it exists)")
    lst = sub.add_parser("list", help="show the stored sweeps")
    lst.add_argument("--db", required=True, help="the history database")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    rep = sub.add_parser("report", help="write the dashboard (a static site)")
    rep.add_argument("--db", required=True, help="the history database")
    rep.add_argument("--out", required=True, help="directory for index.html and the machine pages")
    rep.add_argument("--window", type=_positive, default=5,
                     help="sweeps on each side of a change point (default 5)")
    rep.add_argument("--commit-url", help="link each commit: a URL with {commit}, e.g. "
                                          "https://github.com/OWNER/REPO/commit/{commit}")
    return parser.parse_args(argv)


def _main(argv) -> int:
    from ftbplots import history_store
    args = parse_args(argv)
    if args.command == "add":
        for path, sweep_id, added in history_store.add(args.db, args.results, branch=args.branch,
                                                       report=args.report):
            what = "added as sweep" if added else "already stored as sweep"
            print(f"{history_store.printable(path)}: {what} {sweep_id}")
        return 0
    if args.command == "list":
        conn = history_store.open_db(args.db)
        try:
            stored = history_store.sweeps(conn)
        finally:
            conn.close()
        if args.format == "json":
            print(json.dumps([{
                "id": s.id, "host": s.host, "cpu_model": s.cpu_model, "cores": s.cores,
                "commit": s.git_commit, "dirty": s.git_dirty, "date": s.date, "branch": s.branch,
                "settings": s.settings, "cells": s.cells, "source": s.source, "report": s.report,
                "content_hash": s.content_hash} for s in stored], indent=1))
            return 0
        p = history_store.printable
        print(f"{len(stored)} sweep{'s' * (len(stored) != 1)} in {p(args.db)}")
        for s in stored:
            settings = ", ".join(f"{k}={v}" for k, v in s.settings.items() if v is not None)
            print(f"{s.id:5d}  {p(s.date)}  {p(s.git_commit)}{'-dirty' if s.git_dirty else ''}  "
                  f"branch {p(s.branch or '-')}  {p(s.machine)}  {s.cells} cells  [{p(settings)}]  "
                  f"{p(s.source)}")
        return 0
    from ftbplots import history_report
    page = history_report.write_site(args.db, args.out, window=args.window, commit_url=args.commit_url)
    print(page)
    return 0


def main(argv=None) -> int:
    return cli.run(PROG, lambda: _main(argv), DEBUG_ENV)


if __name__ == "__main__":
    cli.main(PROG, lambda: _main(None), DEBUG_ENV)
