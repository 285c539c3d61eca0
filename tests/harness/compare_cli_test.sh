#!/usr/bin/env bash
# ftbench compare (the C++ subcommand) forwards its options to plots/ftbench_compare.py and
# passes the exit status on. RESULTS_DIR is a quick sweep of 5 repetitions and 168 cells, too few
# for any cell to be significant: against itself it is inconclusive (exit 2, the reason on
# stderr), exit 0 with --allow-inconclusive; a missing file is exit 2. Two different sweeps: one
# cell of RESULTS_DIR, and the same cell with every time 1.5 times longer (5 against 5
# repetitions of one cell can reach p = 0.0079): slower is a regression (exit 1) naming the cell,
# the other way round an improvement (exit 0).
# usage: compare_cli_test.sh FTBENCH RESULTS_DIR
# (grep reads here-strings, not a pipe from echo: grep -q stops at the first match, and echo then
# dies of SIGPIPE on a long output, which pipefail reports as a failure.)
set -uo pipefail
ftbench=$1
results=$2
err=$("$ftbench" compare "$results" "$results" --format markdown 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "5 repetitions, 168 cells: exit $rc, expected 2 (inconclusive)"; exit 1; }
grep -q "ftbench compare: error: inconclusive: with 5 vs 5 repetitions" <<<"$err" ||
  { echo "no reason given: $err"; exit 1; }
out=$("$ftbench" compare "$results" "$results" --format markdown --allow-inconclusive); rc=$?
[ $rc -eq 0 ] || { echo "same results, --allow-inconclusive: exit $rc, expected 0"; echo "$out"; exit 1; }
grep -q "Inconclusive" <<<"$out" || { echo "markdown output lacks its verdict"; echo "$out"; exit 1; }
err=$("$ftbench" compare "$results" /nonexistent/results 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "missing results: exit $rc, expected 2"; exit 1; }
grep -q "ftbench compare: error:" <<<"$err" || { echo "no clear message: $err"; exit 1; }

tmp=$(mktemp -d /tmp/ftbench-compare-cli-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
cell=fib/gil/threads:1/strong/compact
/usr/bin/python3 - "$results/results.json" "$cell" "$tmp" <<'PY' || exit 1
import json, os, sys
source, cell, tmp = sys.argv[1:4]
with open(source) as f:
    doc = json.load(f)
for name, factor in (("base", 1.0), ("slower", 1.5)):
    rows = []
    for row in doc["benchmarks"]:
        if row.get("run_name") != cell:
            continue
        row = dict(row)
        if row.get("aggregate_unit", "time") == "time":
            for field in ("real_time", "cpu_time", "wall_seconds"):
                if isinstance(row.get(field), (int, float)):
                    row[field] *= factor
        rows.append(row)
    assert rows, f"{source} has no rows of {cell}"
    os.makedirs(os.path.join(tmp, name))
    with open(os.path.join(tmp, name, "results.json"), "w") as f:
        json.dump(dict(doc, benchmarks=rows), f)
PY
verdict() {  # verdict BASE NEW EXPECTED_RC: the regressions and improvements compare names
  "$ftbench" compare "$tmp/$1" "$tmp/$2" --format json >"$tmp/out.json" 2>"$tmp/err"; local rc=$?
  [ $rc -eq "$3" ] || { echo "$1 -> $2: exit $rc, expected $3"; cat "$tmp/err" "$tmp/out.json"; exit 1; }
  /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["regressions"], d["improvements"])' \
    "$tmp/out.json" || exit 1
}
got=$(verdict base slower 1) || { echo "$got"; exit 1; }
[ "$got" = "['$cell'] []" ] || { echo "base -> 1.5x slower: regressions, improvements = $got; expected ['$cell'] []"; exit 1; }
got=$(verdict slower base 0) || { echo "$got"; exit 1; }
[ "$got" = "[] ['$cell']" ] || { echo "1.5x slower -> base: regressions, improvements = $got; expected [] ['$cell']"; exit 1; }
echo "ok: compare exits 2 when inconclusive, 0 with --allow-inconclusive, 2 on a missing file; 1 naming the" \
     "regressed cell of two different sweeps, 0 naming it improved the other way round"
