#!/usr/bin/env bash
# ftbench compare (the C++ subcommand) forwards its options to plots/ftbench_compare.py and
# passes the exit status on: 0 for a results file against itself, 2 for a missing one.
# usage: compare_cli_test.sh FTBENCH RESULTS_DIR
set -uo pipefail
ftbench=$1
results=$2
out=$("$ftbench" compare "$results" "$results" --format markdown); rc=$?
[ $rc -eq 0 ] || { echo "same results: exit $rc, expected 0"; echo "$out"; exit 1; }
echo "$out" | grep -q "no regression" || { echo "markdown output lacks its verdict"; echo "$out"; exit 1; }
err=$("$ftbench" compare "$results" /nonexistent/results 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "missing results: exit $rc, expected 2"; exit 1; }
echo "$err" | grep -q "ftbench compare: error:" || { echo "no clear message: $err"; exit 1; }
echo "ok: compare exits 0 on identical results and 2 on a missing file"
