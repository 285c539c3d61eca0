#!/usr/bin/env bash
# ftbench compare (the C++ subcommand) forwards its options to plots/ftbench_compare.py and
# passes the exit status on. RESULTS_DIR is a quick sweep of 5 repetitions and 168 cells, too few
# for any cell to be significant: against itself it is inconclusive (exit 2, the reason on
# stderr), exit 0 with --allow-inconclusive; a missing file is exit 2.
# usage: compare_cli_test.sh FTBENCH RESULTS_DIR
set -uo pipefail
ftbench=$1
results=$2
err=$("$ftbench" compare "$results" "$results" --format markdown 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "5 repetitions, 168 cells: exit $rc, expected 2 (inconclusive)"; exit 1; }
echo "$err" | grep -q "ftbench compare: error: inconclusive: with 5 vs 5 repetitions" ||
  { echo "no reason given: $err"; exit 1; }
out=$("$ftbench" compare "$results" "$results" --format markdown --allow-inconclusive); rc=$?
[ $rc -eq 0 ] || { echo "same results, --allow-inconclusive: exit $rc, expected 0"; echo "$out"; exit 1; }
echo "$out" | grep -q "Inconclusive" || { echo "markdown output lacks its verdict"; echo "$out"; exit 1; }
err=$("$ftbench" compare "$results" /nonexistent/results 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "missing results: exit $rc, expected 2"; exit 1; }
echo "$err" | grep -q "ftbench compare: error:" || { echo "no clear message: $err"; exit 1; }
echo "ok: compare exits 2 when inconclusive, 0 with --allow-inconclusive, 2 on a missing file"
