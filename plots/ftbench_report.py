#!/usr/bin/python3
"""ftbench report DIR: charts and a report (report.html, report.md) from DIR/results.json.

Usage: /usr/bin/python3 plots/ftbench_report.py DIR [--out OUT] [--format png,svg]
           [--calibration-threshold 0.9]
Writes into DIR/report/ unless --out is given and prints the path of report.html. Bad input
(no directory, no results.json, malformed or truncated JSON, another schema version, no
multi-thread cells) ends with one line `ftbench report: error: ...` and exit code 2.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import calibration, charts, results  # noqa: E402
from ftbplots.report import write_report  # noqa: E402

PROG = "ftbench report"
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def parse_args(argv):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("dir", help="results directory of `ftbench run` (holds results.json)")
    parser.add_argument("--out", help="directory for the report and charts (default DIR/report)")
    parser.add_argument("--format", default=",".join(charts.ALL_FORMATS),
                        help="chart formats, comma-separated: png, svg (default png,svg)")
    parser.add_argument("--calibration-threshold", type=float,
                        default=calibration.DEFAULT_THRESHOLD,
                        help="flag a repetition round whose machine calibration efficiency "
                             "(speedup / threads) is below this, in (0, 1] (default "
                             f"{calibration.DEFAULT_THRESHOLD:g})")
    args = parser.parse_args(argv)
    if not 0 < args.calibration_threshold <= 1:
        parser.error(f"--calibration-threshold must be in (0, 1], got {args.calibration_threshold:g}")
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(args.formats) - set(charts.ALL_FORMATS))
    if unknown or not args.formats:
        parser.error(f"--format takes png and/or svg, got {args.format!r}")
    return args


def run(args) -> Path:
    data = results.load(args.dir)
    if data.ftbench.get("mode", "time") != "time":
        raise results.ResultsError(
            f"{data.path} holds instruction counts (ftbench run --instructions), not timings: "
            "compare two of them with ftbench compare; the report charts a timed sweep")
    data.require_multithread()
    directory = data.path.parent
    out = Path(args.out) if args.out else directory / "report"
    page, notes = write_report(data, out, args.formats, micro_dir=directory,
                               calibration_threshold=args.calibration_threshold)
    for note in notes:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return page


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        page = run(args)
    except results.ResultsError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:  # the output directory cannot be written, the disk is full, ...
        where = f": {e.filename}" if e.filename else ""
        print(f"{PROG}: error: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as e:  # a bug: one line, unless FTB_REPORT_DEBUG asks for the traceback
        if os.environ.get("FTB_REPORT_DEBUG"):
            raise
        print(f"{PROG}: error: internal error ({type(e).__name__}: {e}); "
              "rerun with FTB_REPORT_DEBUG=1 for the traceback", file=sys.stderr)
        return EXIT_FAILURE
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
