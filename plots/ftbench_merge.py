#!/usr/bin/python3
"""ftbench merge DIR... --out OUT: sweeps from several machines in one report (docs/multi-machine.md).

Usage: /usr/bin/python3 plots/ftbench_merge.py DIR [DIR...] --out OUT [--format png,svg]
Each DIR is a results directory of `ftbench run` (or its results.json), one per machine. Writes
OUT/report.html (self-contained), OUT/report.md, the chart across machines (machines.png/.svg)
and each machine's charts under OUT/machine-<n>/, then prints the path of report.html. Drawn in
a temporary directory beside OUT and moved into place when complete. Exit status
(ftbplots/cli.py): 0 written; 2 unusable input or output (a missing directory, no results.json,
a directory given twice, two sweeps of one machine, an instruction-count sweep, a sweep without
multi-thread cells, a malformed file, an output path that cannot be written), after one line
`ftbench merge: error: ...`; 70 internal error; 130 (143, 129) interrupted.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import cli  # noqa: E402  (standard library only; the rest is imported in _main)

PROG = "ftbench merge"
DEBUG_ENV = "FTB_MERGE_DEBUG"
FORMATS = ("png", "svg")


def parse_args(argv):
    parser = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", metavar="DIR",
                        help="results directory of `ftbench run` (or its results.json), one per machine")
    parser.add_argument("--out", required=True, help="directory for the merged report")
    parser.add_argument("--format", default=",".join(FORMATS),
                        help="chart formats, comma-separated: png, svg (default png,svg)")
    args = parser.parse_args(argv)
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(args.formats) - set(FORMATS))
    if unknown or not args.formats:
        parser.error(f"--format takes png and/or svg, got {args.format!r}")
    return args


def _main(argv) -> int:
    args = parse_args(argv)
    from ftbplots.merge import write_merge  # numpy, matplotlib: under cli.run
    print(write_merge(args.dirs, Path(args.out), args.formats))
    return cli.EXIT_OK


INTERRUPTED = "no merged report written (an earlier one is left as it was)"


def main(argv=None) -> int:
    return cli.run(PROG, lambda: _main(argv), DEBUG_ENV, interrupted_note=INTERRUPTED)


if __name__ == "__main__":
    cli.main(PROG, lambda: _main(None), DEBUG_ENV, interrupted_note=INTERRUPTED)
