#!/usr/bin/env bash
# ftbench merge (the C++ subcommand) runs plots/ftbench_merge.py and passes its status on. Two
# machines' sweeps (the plots' sweep fixture relabelled as a 4-core and a 16-core machine) merge
# into one report (exit 0, its path printed, a panel per machine); a missing directory, a directory
# given twice, two sweeps of one machine and an --out that is a file are exit 2 with one line.
# usage: merge_cli_test.sh FTBENCH FIXTURE_SWEEP_DIR
set -uo pipefail
ftbench=$1
fixture=$2
tmp=$(mktemp -d /tmp/ftbench-merge-cli-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$fixture/results.json" "$tmp" <<'PY' || exit 1
import json, os, sys
source, tmp = sys.argv[1], sys.argv[2]
for name, host, cores in (("small", "node-small", 4), ("big", "node-big", 16), ("twin", "node-small", 4)):
    doc = json.load(open(source))
    doc["context"]["host_name"] = host
    doc["context"]["ftbench"]["cores"] = cores
    os.makedirs(os.path.join(tmp, name))
    json.dump(doc, open(os.path.join(tmp, name, "results.json"), "w"))
PY
fail() { echo "$1"; exit 1; }
out=$("$ftbench" merge "$tmp/big" "$tmp/small" --out "$tmp/report" --format png 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] || fail "two machines: exit $rc, expected 0: $(cat "$tmp/err")"
[ "$out" = "$tmp/report/report.html" ] || fail "printed '$out', expected the path of report.html"
grep -q "M1: node-small" "$tmp/report/report.html" && grep -q "M2: node-big" "$tmp/report/report.html" ||
  fail "report.html lacks a panel per machine"
[ -s "$tmp/report/machines.png" ] && [ -s "$tmp/report/machine-2/scaling_all.png" ] || fail "charts missing"

expect_2() {  # NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  local err rc
  err=$("$ftbench" merge "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2 ($err)"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "$name: more than one line: $err"
  grep -q -- "$pattern" <<<"$err" || fail "$name: message '$err' lacks '$pattern'"
}
expect_2 "missing directory" "does not exist" "$tmp/small" "$tmp/nowhere" --out "$tmp/r2"
expect_2 "directory twice" "is given twice" "$tmp/small" "$tmp/big" "$tmp/small" --out "$tmp/r2"
expect_2 "same machine" "same machine" "$tmp/small" "$tmp/twin" --out "$tmp/r2"
expect_2 "not a results directory" "results.json not found" "$tmp/small" "$tmp" --out "$tmp/r2"
touch "$tmp/afile"
expect_2 "--out a file" "not a directory" "$tmp/small" "$tmp/big" --out "$tmp/afile"
[ ! -e "$tmp/r2" ] || fail "a refused merge wrote $tmp/r2"
echo "merge_cli: ok"
