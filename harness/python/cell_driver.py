"""Runs one ftbench Python workload cell on a real Python interpreter (CPython 3.11 or newer).

    python3 cell_driver.py FILE --threads N [--size S] [--scaling strong|weak] [--validate] [--warmup W]

The same contract ftbench's own interpreter follows (workloads/README.md): setup(threads, size,
scaling) runs first, untimed; N threads from `threading` wait on one Barrier, then each runs
worker(state, index, begin, end) on its unit range (the harness's split: contiguous ranges, the
first size % N threads one unit longer; weak scaling gives every thread all units); finish(state,
results) returns the checksum. Prints one JSON object: checksum, seconds (the timed region, from
the barrier's release to the last worker's return), python version and whether the GIL is on.

Exit status: 0, or 2 with a one-line message for bad input (no such file, a workload missing
setup/worker/finish, a bad option); a workload that raises prints its traceback and exits 1.
"""
import argparse
import importlib.util
import json
import os
import sys
import threading
import time
import traceback


def header(path):
    """The workload's `# key: value` header lines, as a dict."""
    fields = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            text = line[1:].strip()
            key, sep, value = text.partition(":")
            if sep and key and " " not in key.strip():
                fields[key.strip()] = value.strip()
    return fields


def unit_range(size, threads, index, scaling):
    if scaling == "weak":
        return 0, size
    base, extra = divmod(size, threads)
    begin = index * base + min(index, extra)
    return begin, begin + base + (1 if index < extra else 0)


def load(path):
    name = "ftbench_workload_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for fn in ("setup", "worker", "finish"):
        if not callable(getattr(module, fn, None)):
            raise SystemExit(f"error: {path} has no function {fn}() (the workload contract: setup, worker, finish)")
    return module


def run(module, threads, size, scaling):
    state = module.setup(threads, size, scaling)
    results = [None] * threads
    errors = []
    barrier = threading.Barrier(threads + 1)
    finished = [0.0] * threads

    def body(index):
        begin, end = unit_range(size, threads, index, scaling)
        try:
            barrier.wait()
            results[index] = module.worker(state, index, begin, end)
        except BaseException:  # reported by the main thread
            errors.append(traceback.format_exc())
        finished[index] = time.perf_counter()

    workers = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in workers:
        t.join()
    if errors:
        sys.stderr.write(errors[0])
        raise SystemExit(1)
    seconds = max(finished) - start
    if scaling == "weak":
        if any(r != results[0] for r in results):
            return 0, seconds  # threads disagree: a wrong answer, as the harness reports it
        results = [results[0]]
    return module.finish(state, results), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--size", type=int)
    parser.add_argument("--scaling", choices=("strong", "weak"), default="strong")
    parser.add_argument("--validate", action="store_true", help="use the header's validate-size")
    parser.add_argument("--warmup", type=int, default=0, help="unmeasured runs of the whole cell first")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.file):
        print(f"error: no such workload file: {args.file}", file=sys.stderr)
        return 2
    if args.threads < 1:
        print("error: --threads must be at least 1", file=sys.stderr)
        return 2
    fields = header(args.file)
    size = args.size
    if size is None:
        key = "validate-size" if args.validate else "size"
        if key not in fields:
            print(f"error: {args.file} has no '# {key}:' header line", file=sys.stderr)
            return 2
        size = int(fields[key])
    module = load(args.file)
    try:
        for _ in range(max(0, args.warmup)):
            run(module, args.threads, size, args.scaling)
        checksum, seconds = run(module, args.threads, size, args.scaling)
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        return 1
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(json.dumps({"checksum": int(checksum), "seconds": seconds, "threads": args.threads, "size": size,
                      "python": "%d.%d.%d" % sys.version_info[:3], "gil_enabled": gil}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
