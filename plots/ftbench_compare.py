#!/usr/bin/python3
"""ftbench compare BASE NEW: did NEW regress against BASE? (docs/compare.md)

Usage: /usr/bin/python3 plots/ftbench_compare.py BASE NEW [--threshold 0.05] [--alpha 0.01]
           [--noise-factor 2] [--memory-threshold 0.10] [--format text|markdown|json] [--allow-mismatch] [--chart PATH]
BASE and NEW are results directories of `ftbench run` or results.json files. Exit status: 0 no
regression, 1 a regression, 2 unusable input (one line `ftbench compare: error: ...`), 3 an
internal error.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import compare, results  # noqa: E402

PROG = "ftbench compare"
EXIT_INTERNAL = 3
CHART_SUFFIXES = (".png", ".svg")


def _number(name, low, high, low_open=False):
    """An argparse type: a number in [low, high), or (low, high) when low_open."""
    interval = f"{'(' if low_open else '['}{low:g}, {high:g})"

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a number, got {text!r}") from None
        if not ((low < value if low_open else low <= value) and value < high):
            raise argparse.ArgumentTypeError(f"{name} must be in {interval}, got {text}")
        return value
    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("base", help="base results directory (or its results.json)")
    parser.add_argument("new", help="new results directory (or its results.json)")
    parser.add_argument("--threshold", type=_number("--threshold", 0, 1),
                        default=None,
                        help="relative change that counts: 0.05 = 5%% slower (default 0.05 for "
                             "wall times, 0.01 for instruction counts)")
    parser.add_argument("--alpha", type=_number("--alpha", 0, 1, low_open=True), default=compare.DEFAULT_ALPHA,
                        help="significance level after the Holm-Bonferroni correction (default "
                             f"{compare.DEFAULT_ALPHA:g})")
    parser.add_argument("--noise-factor", type=_number("--noise-factor", 0, 100),
                        default=compare.DEFAULT_NOISE_FACTOR,
                        help="a change must also exceed this many times the cell's own spread "
                             f"(robust CV); 0 turns it off (default {compare.DEFAULT_NOISE_FACTOR:g})")
    parser.add_argument("--memory-threshold", type=_number("--memory-threshold", 0, 10),
                        default=compare.DEFAULT_MEMORY_THRESHOLD,
                        help="relative change of a cell's median peak RSS or peak live object "
                             "bytes that is a memory finding; an increase exits 1 (default "
                             f"{compare.DEFAULT_MEMORY_THRESHOLD:g})")
    parser.add_argument("--format", choices=sorted(compare.RENDERERS), default="text",
                        help="output format (default text)")
    parser.add_argument("--allow-mismatch", action="store_true",
                        help="compare results from different machines or run parameters "
                             "(the differences are flagged in the output)")
    parser.add_argument("--chart", help="also write the comparison chart (new / base) here: "
                                        ".png or .svg; markdown output links it")
    args = parser.parse_args(argv)
    if args.chart and Path(args.chart).suffix.lower() not in CHART_SUFFIXES:
        parser.error(f"--chart takes a .png or .svg path, got {args.chart!r}")
    return args


def run(args) -> compare.Comparison:
    cmp = compare.compare(args.base, args.new, threshold=args.threshold, alpha=args.alpha,
                          noise_factor=args.noise_factor,
                          memory_threshold=args.memory_threshold,
                          allow_mismatch=args.allow_mismatch)
    if args.chart and cmp.measure == "instructions":
        raise results.ResultsError("--chart draws wall times; these are instruction counts "
                                   "(ftbench run --instructions): drop --chart")
    if args.chart:
        from ftbplots import charts  # matplotlib only when a chart is asked for
        try:
            charts.comparison_chart(results.load(cmp.base), results.load(cmp.new), args.chart)
        except OSError as e:
            raise results.ResultsError(f"cannot write the chart {args.chart}: "
                                       f"{e.strerror or e}") from None
        cmp.chart = args.chart
    return cmp


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cmp = run(args)
        text = compare.RENDERERS[args.format](cmp)
    except results.ResultsError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return compare.EXIT_BAD_INPUT
    except Exception as e:  # a bug: one line, unless FTB_COMPARE_DEBUG asks for the traceback
        if os.environ.get("FTB_COMPARE_DEBUG"):
            raise
        print(f"{PROG}: error: internal error ({type(e).__name__}: {e}); "
              "rerun with FTB_COMPARE_DEBUG=1 for the traceback", file=sys.stderr)
        return EXIT_INTERNAL
    sys.stdout.write(text)
    return cmp.exit_status


if __name__ == "__main__":
    sys.exit(main())
