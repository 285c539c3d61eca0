#!/usr/bin/python3
"""A synthetic history database, for sizing the dashboard and for screenshots (docs/history.md).

Usage: /usr/bin/python3 scripts/synthetic-history.py --db FILE [--machines 5] [--commits 300]
           [--workloads 35] [--steps]
Stores machines x commits sweeps of workloads x {gil, brc} x {1, 2, 4, 8} threads (35 workloads:
280 cells, the full suite's size) with 5 repetitions each, through the same loading and insertion
as `ftbench history add`, and prints how long that took (wall and CPU time) and the database's size. --steps adds a
few known steps (ftbplots.history_synth.Step) for the change points to show.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plots"))

from ftbplots import history_synth  # noqa: E402
from ftbplots.history_synth import Step  # noqa: E402

DEMO_STEPS = (Step(0, 120, "w03", "brc", None, 1.20), Step(0, 200, "w05", "gil", 1, 0.85),
              Step(1, 150, "w00", "brc", 8, 1.25), Step(2, 90, "w10", "brc", None, 1.15),
              Step(3, 240, "w01", "gil", None, 1.10), Step(4, 60, "w07", "brc", 2, 0.80))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--machines", type=int, default=5)
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--workloads", type=int, default=35)
    parser.add_argument("--steps", action="store_true", help="add the demo steps")
    args = parser.parse_args()
    if Path(args.db).exists():
        parser.error(f"{args.db} exists: give a new path")
    start, cpu = time.monotonic(), time.process_time()
    added = history_synth.generate(
        args.db, args.machines, args.commits, args.workloads, steps=DEMO_STEPS if args.steps else (),
        progress=lambda m, n: print(f"machine {m}/{n} stored ({time.monotonic() - start:.0f} s)", flush=True))
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    size = Path(args.db).stat().st_size
    print(f"{added} sweeps stored in {elapsed:.1f} s ({cpu:.1f} s of CPU); {args.db}: "
          f"{size / 1048576:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
