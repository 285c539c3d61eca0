#!/usr/bin/python3
"""`ftbench run --resume` on broken results files: exit 0 or 2 only, one line, never a crash.

usage: resume_fuzz_test.py FTBENCH

Runs one tiny finished sweep, then for every field of context.ftbench and of one iteration row,
VALUES_PER_PATH values of VALUES drawn with a fixed seed (wrong types, null, NaN, huge numbers,
nesting 100000 deep, a missing key), the cases a user met (ALWAYS), and a few whole-file
breakages (rows duplicated, no rows, not JSON), resumes a copy. Resume must refuse with exit 2
and a last line "ftbench: error: ..." (not a raw JSON library exception), or complete with exit
0 and leave a results.json that parses. Each resume runs under a 2 GiB address-space limit and a 30 s timeout:
a planner that believes `repetitions: 100000000` fails the test instead of the machine. Not
random: the same cases every run. The plots' own fuzz (plots/tests/test_fuzz.py) covers report
and compare; this one needs the binary, so it is a ctest.
"""
import copy
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile

DEEP = 100_000
HUGE_INT, DEEP_LIST, NAN = "@@huge-int@@", "@@deep-list@@", "@@nan@@"
VALUES = [None, "text", [], {}, True, -1, 0, 1.5, 1e308, 100_000_000, 2 ** 64 + 1, HUGE_INT,
          DEEP_LIST, NAN, ["text"], [None]]
DELETE = object()
SEED = 20261201
VALUES_PER_PATH = 3
ALWAYS = [(("context", "ftbench", "repetitions"), 100_000_000),
          (("context", "ftbench", "variants"), DELETE),
          (("context", "ftbench", "workloads"), ["no_such_workload"]),
          (("context", "ftbench", "work_scale"), None)]
TIMEOUT_S = 30
MEMORY_LIMIT = 2 << 30
BAD_OUTPUT = ("Traceback", "terminate called", "error: [json.exception", "what():")


def dump(doc) -> str:
    text = json.dumps(doc)
    return (text.replace(json.dumps(HUGE_INT), "1" + "0" * 400)
            .replace(json.dumps(DEEP_LIST), "[" * DEEP + "]" * DEEP)
            .replace(json.dumps(NAN), "NaN"))


def mutated(doc, path, value):
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def cases(doc):
    rows = doc["benchmarks"]
    first = next(i for i, r in enumerate(rows) if r["run_type"] == "iteration")
    paths = [("context", "ftbench", k) for k in doc["context"]["ftbench"]]
    paths += [("benchmarks", first, k) for k in rows[first]]
    paths += [("context",), ("context", "ftbench"), ("benchmarks",), ("benchmarks", first)]
    rng = random.Random(SEED)
    chosen = [(path, value) for path in paths
              for value in rng.sample(VALUES + [DELETE], VALUES_PER_PATH)] + ALWAYS
    for path, value in chosen:
        label = "/".join(map(str, path)) + " = " + ("(deleted)" if value is DELETE else repr(value))
        yield label, dump(mutated(doc, path, value))
    text = dump(doc)
    yield "every row twice", dump(dict(doc, benchmarks=rows + rows))
    yield "no rows", dump(dict(doc, benchmarks=[]))
    yield "only the context", dump({"context": doc["context"]})
    yield "nested 100000 deep", "[" * DEEP + "]" * DEEP
    yield "plain text", "this is not a results file\n"
    yield "truncated", text[: len(text) // 2]
    yield "empty", ""


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def resume(ftbench, directory):
    try:
        done = subprocess.run([ftbench, "run", "--resume", directory], capture_output=True,
                              text=True, timeout=TIMEOUT_S, preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        return None, f"still running after {TIMEOUT_S} s"
    return done.returncode, done.stderr


def main():
    ftbench = sys.argv[1]
    work = tempfile.mkdtemp(prefix="ftbench-resume-fuzz-")
    try:
        original = os.path.join(work, "original")
        subprocess.run([ftbench, "run", "--workloads", "fib", "--variants", "gil", "--threads", "1",
                        "--repetitions", "2", "--warmup", "0", "--work-scale", "0.01", "--seed", "1",
                        "--out", original], check=True, capture_output=True, timeout=120)
        with open(os.path.join(original, "results.json")) as f:
            doc = json.load(f)
        problems, count = [], 0
        for label, text in cases(doc):
            count += 1
            directory = os.path.join(work, "case")
            shutil.rmtree(directory, ignore_errors=True)
            shutil.copytree(original, directory)
            with open(os.path.join(directory, "results.json"), "w") as f:
                f.write(text)
            code, err = resume(ftbench, directory)
            lines = err.strip().splitlines() or [""]
            if code not in (0, 2) or any(bad in err for bad in BAD_OUTPUT):
                problems.append(f"{label}: exit {code}: {err.strip()[-300:]}")
            elif code == 2 and not lines[-1].startswith("ftbench: error: "):
                problems.append(f"{label}: exit 2 without an error line: {err.strip()[-300:]}")
            elif code == 0:
                try:
                    with open(os.path.join(directory, "results.json")) as f:
                        json.load(f)
                except ValueError as e:
                    problems.append(f"{label}: exit 0 but results.json does not parse: {e}")
        if problems:
            print(f"{len(problems)} of {count} broken results files were not refused cleanly:")
            print("\n".join(problems))
            sys.exit(1)
        print(f"ok: {count} broken results files, each resumed or refused with exit 2")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
