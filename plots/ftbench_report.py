#!/usr/bin/python3
"""ftbench report DIR: charts and a report (report.html, report.md) from DIR/results.json.

Usage: /usr/bin/python3 plots/ftbench_report.py DIR [--out OUT] [--format png,svg]
           [--calibration-threshold 0.9]
Writes into DIR/report/ unless --out is given and prints the path of report.html. The report is
drawn in a temporary directory beside OUT and renamed into place when complete: an interrupted or
failed report leaves OUT as it was. Exit status (ftbplots/cli.py): 0 written; 2 unusable input or
output (no directory, no results.json, a file that is not JSON or is truncated, another schema
version, a field of the wrong type, no multi-thread cells, an output path that cannot be
written), after one line `ftbench report: error: ...`; 70 internal error; 130 (143, 129)
interrupted.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import cli  # noqa: E402  (standard library only; the rest is imported in run)

PROG = "ftbench report"
DEBUG_ENV = "FTB_REPORT_DEBUG"
FORMATS = ("png", "svg")  # charts.ALL_FORMATS, without importing matplotlib for --help
CALIBRATION_THRESHOLD = 0.9  # calibration.DEFAULT_THRESHOLD, without importing numpy for --help


def parse_args(argv):
    parser = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("dir", help="results directory of `ftbench run` (holds results.json)")
    parser.add_argument("--out", help="directory for the report and charts (default DIR/report)")
    parser.add_argument("--format", default=",".join(FORMATS),
                        help="chart formats, comma-separated: png, svg (default png,svg)")
    parser.add_argument("--calibration-threshold", type=float,
                        default=CALIBRATION_THRESHOLD,
                        help="flag a repetition round whose machine calibration efficiency "
                             "(speedup / threads) is below this, in (0, 1] (default "
                             f"{CALIBRATION_THRESHOLD:g})")
    args = parser.parse_args(argv)
    if not 0 < args.calibration_threshold <= 1:
        parser.error(f"--calibration-threshold must be in (0, 1], got {args.calibration_threshold:g}")
    args.formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(args.formats) - set(FORMATS))
    if unknown or not args.formats:
        parser.error(f"--format takes png and/or svg, got {args.format!r}")
    return args


def run(args) -> Path:
    from ftbplots import results

    data = results.load(args.dir)
    if data.ftbench.get("mode", "time") != "time":
        raise results.ResultsError(
            f"{data.path} holds instruction counts (ftbench run --instructions), not timings: "
            "compare two of them with ftbench compare; the report charts a timed sweep")
    data.require_multithread()
    directory = data.path.parent
    out = Path(args.out) if args.out else directory / "report"
    from ftbplots.report import write_report  # matplotlib (a second): only for input that loads
    page, notes = write_report(data, out, args.formats, micro_dir=directory,
                               calibration_threshold=args.calibration_threshold)
    for note in notes:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return page


def _main(argv) -> int:
    page = run(parse_args(argv))
    print(page)
    return cli.EXIT_OK


INTERRUPTED = "no report written (an earlier one is left as it was)"


def main(argv=None) -> int:
    return cli.run(PROG, lambda: _main(argv), DEBUG_ENV, interrupted_note=INTERRUPTED)


if __name__ == "__main__":
    cli.main(PROG, lambda: _main(None), DEBUG_ENV, interrupted_note=INTERRUPTED)
