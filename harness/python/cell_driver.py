"""Runs one ftbench Python workload cell on a real Python interpreter (CPython 3.11 or newer).

    python3 cell_driver.py FILE --threads N [--size S] [--scaling strong|weak] [--validate] [--warmup W]
                           [--pus P0,P1,...] [--record VARIANT]

The same contract ftbench's own interpreter follows (workloads/README.md): setup(threads, size,
scaling) runs first, untimed; N threads from `threading` wait on one Barrier, then each runs
worker(state, index, begin, end) on its unit range (the harness's split: contiguous ranges, the
first size % N threads one unit longer; weak scaling gives every thread all units); finish(state,
results) returns the checksum. Prints one JSON object: checksum, seconds (the timed region, from
the barrier's release, read by its action in the last thread to arrive, to the last worker's
return), python version and whether the GIL is on.

--pus: worker thread i pins itself (os.sched_setaffinity of its own thread) to PU pus[i % len]
before the barrier, as ftbench binds the model's threads to its placement plan.
--record VARIANT: prints instead a cell record in `ftbench cell`'s format, for `ftbench run
--python` (harness/src/python_variants.h): variant, workload (py.<stem>), configuration,
wall_seconds, checksum (modulo 2^64, as ftbench keeps it), gil_enabled_after and per thread
work_units, cpu_seconds (time.thread_time, read before the barrier and after the worker), voluntary
and involuntary context switches (/proc/thread-self/status, read at the same two points: the wait
at the barrier adds one), cpu_placed and cpu_observed
(/proc/thread-self/stat). What only ftbench's runtime knows (leaked objects, memory tallies,
runtime counters) is left out, not written as zero: "counters" is empty.

Exit status: 0, or 2 with a one-line message for bad input (no such file, a workload missing
setup/worker/finish, a bad option); a workload that raises prints its traceback and exits 1.
"""
import argparse
import importlib.util
import json
import marshal
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
    """The workload's module, its code loaded as an import from a bytecode cache (.pyc) loads it.

    Free-threaded CPython interns and immortalises a code object's constants, except in code made
    by the builtin compile(), whose int, float and other non-str constants stay mortal
    (tstate->suppress_co_const_immortalization, Python/bltinmodule.c: frozen output must not
    differ between the builds); importlib compiles a source file with compile() whenever it finds
    no usable cache (PYTHONDONTWRITEBYTECODE, a read-only directory, the first import). Code read
    back by marshal, as from a .pyc, has them immortal, as the main script's code does. So that a
    cell does not depend on the environment or on a cache an earlier run left, the driver compiles
    the file and passes the code through marshal, as every later import of an unchanged module
    does, and writes nothing. (In a GIL build the round trip changes nothing.)
    """
    name = "ftbench_workload_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    code = marshal.loads(marshal.dumps(spec.loader.source_to_code(spec.loader.get_data(path), path)))
    exec(code, module.__dict__)
    for fn in ("setup", "worker", "finish"):
        if not callable(getattr(module, fn, None)):
            raise SystemExit(f"error: {path} has no function {fn}() (the workload contract: setup, worker, finish)")
    return module


def switches():
    """This thread's (voluntary, involuntary) context switches; (0, 0) where /proc cannot tell."""
    counts = {}
    try:
        with open("/proc/thread-self/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                    counts[key] = int(value)
    except OSError:
        pass
    return counts.get("voluntary_ctxt_switches", 0), counts.get("nonvoluntary_ctxt_switches", 0)


def current_pu():
    """The PU this thread last ran on (field 39 of /proc/thread-self/stat), or -1."""
    try:
        with open("/proc/thread-self/stat", encoding="ascii") as f:
            return int(f.read().rpartition(")")[2].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


def run(module, threads, size, scaling, pus=None):
    state = module.setup(threads, size, scaling)
    results = [None] * threads
    errors = []
    # The region starts at the barrier's release: its action runs in the last thread to arrive,
    # before any is released (a main thread reading the clock after its own wait could be
    # scheduled late, after a short worker had already finished).
    started = []
    barrier = threading.Barrier(threads, action=lambda: started.append(time.perf_counter()))
    finished = [0.0] * threads
    stats = [None] * threads  # per thread: units, cpu seconds, switches, PU placed, PU observed

    def body(index):
        begin, end = unit_range(size, threads, index, scaling)
        placed = -1
        try:
            if pus:
                placed = pus[index % len(pus)]
                try:
                    os.sched_setaffinity(0, {placed})  # 0: the calling thread
                except OSError as e:
                    sys.stderr.write(f"warning: cannot bind thread {index} to PU {placed}: {e}\n")
                    placed = -1
            vol, invol = switches()  # read before the region: /proc is slow to read
            cpu = time.thread_time()
            barrier.wait()
            results[index] = module.worker(state, index, begin, end)
            finished[index] = time.perf_counter()
            cpu = time.thread_time() - cpu
            vol2, invol2 = switches()
            stats[index] = (end - begin, cpu, vol2 - vol, invol2 - invol, placed, current_pu())
        except threading.BrokenBarrierError:  # another thread failed before the release
            finished[index] = time.perf_counter()
        except BaseException:  # reported by the main thread
            errors.append(traceback.format_exc())
            finished[index] = time.perf_counter()
            barrier.abort()  # no thread waits forever for this one (a no-op once released)

    workers = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if errors:
        sys.stderr.write(errors[0])
        raise SystemExit(1)
    seconds = max(finished) - started[0]
    run.thread_stats = stats
    if scaling == "weak":
        if any(r != results[0] for r in results):
            return 0, seconds  # threads disagree: a wrong answer, as the harness reports it
        results = [results[0]]
    return module.finish(state, results), seconds


def pu_list(text):
    try:
        pus = [int(p) for p in text.split(",") if p != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of PU numbers: {text!r}")
    if any(p < 0 for p in pus):
        raise argparse.ArgumentTypeError(f"not a list of PU numbers: {text!r}")
    return pus


def record(variant, path, threads, size, scaling, checksum, seconds, gil):
    """The cell record `ftbench cell` prints, less what only ftbench's runtime measures."""
    per_thread = []
    for units, cpu, vol, invol, placed, observed in run.thread_stats:
        per_thread.append({"work_units": units, "cpu_seconds": cpu, "voluntary_switches": vol,
                           "involuntary_switches": invol, "cpu_placed": placed, "cpu_observed": observed,
                           "latencies_ns": []})
    return {"variant": variant, "workload": "py." + os.path.splitext(os.path.basename(path))[0],
            "threads_requested": threads, "size": size, "weak": scaling == "weak", "knobs": {},
            "wall_seconds": seconds, "checksum": int(checksum) % (1 << 64), "gil_enabled_after": gil,
            "counters": {}, "threads": per_thread, "python": "%d.%d.%d" % sys.version_info[:3]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--size", type=int)
    parser.add_argument("--scaling", choices=("strong", "weak"), default="strong")
    parser.add_argument("--validate", action="store_true", help="use the header's validate-size")
    parser.add_argument("--warmup", type=int, default=0, help="unmeasured runs of the whole cell first")
    parser.add_argument("--pus", type=pu_list, help="PU numbers the worker threads pin themselves to, in turn")
    parser.add_argument("--record", metavar="VARIANT", help="print an ftbench cell record for this variant name")
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
            run(module, args.threads, size, args.scaling, args.pus)
        checksum, seconds = run(module, args.threads, size, args.scaling, args.pus)
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        return 1
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    if args.record:
        print(json.dumps(record(args.record, args.file, args.threads, size, args.scaling, checksum, seconds, gil)))
        return 0
    print(json.dumps({"checksum": int(checksum), "seconds": seconds, "threads": args.threads, "size": size,
                      "python": "%d.%d.%d" % sys.version_info[:3], "gil_enabled": gil}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
