#!/usr/bin/env bash
# ftbench run --instructions end to end: callgrind counts the measured region of single-thread
# cells; two counting runs of one build agree within compare's 1% (exit 0); 20% more work is
# flagged (exit 1); counts against wall times are refused (exit 2).
# usage: instructions_test.sh FTBENCH TIMED_RESULTS_DIR
set -uo pipefail
ftbench=$1
timed=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
count() { "$ftbench" run --instructions --workloads fib,list_ops,create_dict --variants gil,brc --seed 1 "$@"; }

count --out "$tmp/a" >"$tmp/a.log" 2>&1 || { cat "$tmp/a.log"; fail "counting run exited $?"; }
/usr/bin/python3 - "$tmp/a/results.json" <<'PY' || fail "results of a counting run"
import json, sys
doc = json.load(open(sys.argv[1]))
ft = doc["context"]["ftbench"]
assert ft["mode"] == "instructions" and ft["threads"] == [1] and ft["repetitions"] == 1, ft
rows = [r for r in doc["benchmarks"] if r["run_type"] == "iteration"]
assert len(rows) == 6, len(rows)
for r in rows:
    assert isinstance(r["instructions"], int) and r["instructions"] > 100_000, r
medians = [r for r in doc["benchmarks"] if r.get("aggregate_name") == "median"]
assert all(m["instructions"] > 0 for m in medians) and len(medians) == 6
PY
ls "$tmp/a/callgrind/"fib.brc.t1.r0.out >/dev/null || fail "callgrind's output file was not kept"

count --out "$tmp/b" >/dev/null 2>&1 || fail "second counting run"
"$ftbench" compare "$tmp/a" "$tmp/b" >"$tmp/ab.txt"; rc=$?
[ $rc -eq 0 ] || { cat "$tmp/ab.txt"; fail "the same build counted twice: exit $rc, expected 0"; }

count --work-scale 1.2 --out "$tmp/c" >/dev/null 2>&1 || fail "counting run at 1.2"
"$ftbench" compare "$tmp/a" "$tmp/c" --allow-mismatch >"$tmp/ac.txt"; rc=$?
[ $rc -eq 1 ] || { cat "$tmp/ac.txt"; fail "20% more work: exit $rc, expected 1"; }

err=$("$ftbench" compare "$timed" "$tmp/a" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "wall times against counts: exit $rc, expected 2"
grep -q "holds wall times and" <<<"$err" || fail "unclear message: $err"
echo "ok: counts agree across runs, 20% more work flagged, mixed inputs refused"
grep -E "^(fib|list_ops|create_dict) " "$tmp/ab.txt"
