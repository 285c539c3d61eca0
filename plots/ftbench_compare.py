#!/usr/bin/python3
"""ftbench compare BASE NEW: did NEW regress against BASE? (docs/compare.md)

Usage: /usr/bin/python3 plots/ftbench_compare.py BASE NEW [--threshold 0.05] [--alpha 0.01]
           [--noise-factor 2] [--memory-threshold 0.10] [--format text|markdown|json] [--allow-mismatch]
           [--chart PATH] [--allow-inconclusive]
       /usr/bin/python3 plots/ftbench_compare.py --baseline-db FILE [--branch B] [--window N] NEW ...
       /usr/bin/python3 plots/ftbench_compare.py --paired DIR [--threshold 0.05] [--alpha 0.05]
           [--sweep-threshold 0.02] [--measure wall|cpu|both] [--format text|markdown|json]
           [--allow-inconclusive]
BASE and NEW are results directories of `ftbench run` or results.json files; with --baseline-db
the base is the last N sweeps of NEW's machine in a history database, pooled (docs/history.md).
DIR is a paired sweep (`ftbench run --baseline-binary`; ftbplots/paired.py); a single DIR that is
one is compared paired without --paired too. Exit status
(ftbplots/cli.py): 0 no regression, 1 a regression (in time, or in memory beyond
--memory-threshold), 2 unusable input or an inconclusive comparison (one line
`ftbench compare: error: ...`; --allow-inconclusive makes an inconclusive comparison exit 0),
70 an internal error, 130 (143, 129) interrupted.
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ftbplots import cli  # noqa: E402  (standard library only)

# ftbplots.compare (the analysis), .compare_render (its output) and .results, imported by _main
# under cli.run.
compare = compare_render = paired = results = None

PROG = "ftbench compare"
DEBUG_ENV = "FTB_COMPARE_DEBUG"
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
    parser = cli.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("base", help="base results directory (or its results.json); with "
                                     "--baseline-db, the new one alone")
    parser.add_argument("new", nargs="?", help="new results directory (or its results.json)")
    parser.add_argument("--baseline-db", help="compare NEW with the recent sweeps of its machine in "
                                              "this history database (ftbench history add)")
    parser.add_argument("--branch", help="with --baseline-db: only sweeps stored with this branch")
    parser.add_argument("--window", type=int, default=5,
                        help="with --baseline-db: how many recent sweeps to pool (default 5)")
    parser.add_argument("--paired", action="store_true",
                        help="BASE is one paired sweep (ftbench run --baseline-binary): test the "
                             "per-round ratios of its two builds (docs/compare.md, \"Paired sweeps\")")
    parser.add_argument("--threshold", type=_number("--threshold", 0, 1),
                        default=None,
                        help="relative change that counts: 0.05 = 5%% slower (default 0.05 for "
                             "wall times, 0.01 for instruction counts)")
    parser.add_argument("--alpha", type=_number("--alpha", 0, 1, low_open=True), default=None,
                        help="significance level after the Holm-Bonferroni correction (default "
                             f"{compare.DEFAULT_ALPHA:g}; paired {paired.DEFAULT_ALPHA:g})")
    parser.add_argument("--sweep-threshold", type=_number("--sweep-threshold", 0, 1), default=None,
                        help="paired only: the change of the whole sweep (geometric mean over "
                             "cells) that counts (default "
                             f"{paired.DEFAULT_SWEEP_THRESHOLD:g})")
    parser.add_argument("--measure", choices=("wall", "cpu", "both"), default=None,
                        help="paired only: test the pairs' wall time, their CPU time, or both in "
                             "one Holm family (default both)")
    parser.add_argument("--noise-factor", type=_number("--noise-factor", 0, 100),
                        default=compare.DEFAULT_NOISE_FACTOR,
                        help="a change must also exceed this many times the cell's own spread "
                             f"(robust CV); 0 turns it off (default {compare.DEFAULT_NOISE_FACTOR:g})")
    parser.add_argument("--memory-threshold", type=_number("--memory-threshold", 0, 10),
                        default=compare.DEFAULT_MEMORY_THRESHOLD,
                        help="relative change of a cell's median peak RSS or peak live object "
                             "bytes that is a memory finding; an increase exits 1 (default "
                             f"{compare.DEFAULT_MEMORY_THRESHOLD:g})")
    parser.add_argument("--format", choices=sorted(compare_render.RENDERERS), default="text",
                        help="output format (default text)")
    parser.add_argument("--allow-mismatch", action="store_true",
                        help="compare results from different machines or run parameters "
                             "(the differences are flagged in the output)")
    parser.add_argument("--allow-inconclusive", action="store_true",
                        help="exit 0, not 2, when the comparison cannot reach a verdict (too few "
                             "repetitions for any cell to be significant, no repetition rows); "
                             "the output still says why")
    parser.add_argument("--chart", help="also write the comparison chart (new / base) here: "
                                        ".png or .svg; markdown output links it")
    args = parser.parse_args(argv)
    if args.baseline_db:
        if args.paired:
            parser.error("--paired and --baseline-db do not go together")
        if args.new is not None:
            parser.error("with --baseline-db give only NEW (the base comes from the database)")
        args.base, args.new = None, args.base
        if not 1 <= args.window <= 1000:
            parser.error(f"--window must be from 1 to 1000, got {args.window}")
    elif args.new is None and not args.paired:
        if not paired.is_paired(args.base):
            parser.error("give BASE and NEW, --paired DIR for a paired sweep (ftbench run "
                         "--baseline-binary), or --baseline-db FILE NEW")
        args.paired = True
    if args.branch is not None and not args.baseline_db:
        parser.error("--branch goes with --baseline-db")
    if args.paired:
        if args.new is not None:
            parser.error("--paired takes one directory, the paired sweep: drop NEW")
        for option, given in (("--chart", args.chart), ("--allow-mismatch", args.allow_mismatch)):
            if given:
                parser.error(f"{option} does not apply to a paired sweep (both builds ran in it)")
    else:
        for option, given in (("--sweep-threshold", args.sweep_threshold), ("--measure", args.measure)):
            if given is not None:
                parser.error(f"{option} applies to a paired sweep only (--paired DIR)")
    if args.alpha is None:
        args.alpha = paired.DEFAULT_ALPHA if args.paired else compare.DEFAULT_ALPHA
    if args.chart and Path(args.chart).suffix.lower() not in CHART_SUFFIXES:
        parser.error(f"--chart takes a .png or .svg path, got {args.chart!r}")
    return args


def run(args) -> "compare.Comparison":
    base = args.base
    if args.baseline_db:  # the recent history of NEW's machine, pooled (docs/history.md)
        from ftbplots import history_baseline
        args.new = results.load(args.new)
        base = history_baseline.baseline(args.baseline_db, args.new, args.branch, args.window)
    cmp = compare.compare(base, args.new, threshold=args.threshold, alpha=args.alpha,
                          noise_factor=args.noise_factor,
                          memory_threshold=args.memory_threshold,
                          allow_mismatch=args.allow_mismatch,
                          allow_inconclusive=args.allow_inconclusive)
    if args.chart and cmp.measure == "instructions":
        raise results.ResultsError("--chart draws wall times; these are instruction counts "
                                   "(ftbench run --instructions): drop --chart")
    if args.chart:
        _write_chart(cmp, Path(args.chart), base if args.baseline_db else None)
        cmp.chart = args.chart
    return cmp


def _write_chart(cmp: "compare.Comparison", path: Path, base=None) -> None:
    """Draws the chart under a temporary name beside path and renames it: never half a file."""
    from ftbplots import compare_chart  # matplotlib only when a chart is asked for
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix,
                                       dir=path.parent if str(path.parent) else ".")
        os.close(fd)
    except OSError as e:
        raise results.ResultsError(f"cannot write the chart {path}: {e.strerror or e}") from None
    try:
        compare_chart.comparison_chart(base or results.load(cmp.base), results.load(cmp.new), partial,
                                       comparison=cmp)
        os.replace(partial, path)
    except OSError as e:
        raise results.ResultsError(f"cannot write the chart {path}: {e.strerror or e}") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _main(argv) -> int:
    global compare, compare_render, paired, results
    from ftbplots import compare, compare_render, paired, results  # noqa: F811
    args = parse_args(argv)
    if args.paired:
        cmp = paired.compare_paired(args.base, threshold=paired.DEFAULT_THRESHOLD if args.threshold is None
                                    else args.threshold, alpha=args.alpha,
                                    allow_inconclusive=args.allow_inconclusive,
                                    sweep_threshold=paired.DEFAULT_SWEEP_THRESHOLD
                                    if args.sweep_threshold is None else args.sweep_threshold,
                                    measures=paired.DEFAULT_MEASURES if args.measure in (None, "both")
                                    else (args.measure,))
        text = paired.RENDERERS[args.format](cmp)
    else:
        cmp = run(args)
        text = compare_render.RENDERERS[args.format](cmp)
    sys.stdout.write(text)
    if cmp.inconclusive and not cmp.allow_inconclusive:
        print(f"{PROG}: error: inconclusive: {'; '.join(cmp.inconclusive)} "
              "(--allow-inconclusive to accept that)", file=sys.stderr)
    return cmp.exit_status


def main(argv=None) -> int:
    return cli.run(PROG, lambda: _main(argv), DEBUG_ENV)


if __name__ == "__main__":
    cli.main(PROG, lambda: _main(None), DEBUG_ENV)
