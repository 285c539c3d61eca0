#!/usr/bin/env bash
# scripts/slurm/ftbench-slurm.sh on a real, one-node Slurm cluster (scripts/slurm/local-cluster.sh:
# Debian's slurm-wlm, started in a few seconds): `submit --nodes 1` runs a job array of one task
# that sweeps (a tiny sweep: fib, gil and brc, 1 and 2 threads, 3 repetitions) through srun, then
# the job that depends on it merges; both must succeed and leave the sweep and the merged report.
# Exit 77 (skipped, and ctest says so) when not root or slurm-wlm is not installed.
# usage: slurm_local_test.sh FTBENCH SOURCE_DIR
set -uo pipefail
ftbench=$1
source=$2
if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null && ! [ -x /usr/sbin/slurmctld ]; then
  echo "skipped: needs root and Debian's slurm-wlm (scripts/setup-debian.sh)"; exit 77
fi
tmp=$(mktemp -d /tmp/ftbench-slurm-XXXXXX) || exit 1
cleanup() { "$source/scripts/slurm/local-cluster.sh" stop "$tmp/cluster"; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "$1"; for f in "$tmp"/run/logs/* "$tmp"/cluster/log/*; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; }; done; exit 1; }
chmod 755 "$tmp"  # munged runs as munge and must reach its socket directory
started=$("$source/scripts/slurm/local-cluster.sh" start "$tmp/cluster") || fail "the local cluster did not start"
eval "$started"
"$source/scripts/slurm/ftbench-slurm.sh" submit --nodes 1 --out "$tmp/run" --ftbench "$ftbench" -- \
  --workloads fib --variants gil,brc --threads 1,2 --repetitions 3 --work-scale 0.1 --no-calibration ||
  fail "submit failed"
for _ in $(seq 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 300 s: $(squeue)"
host=$(hostname -s)
[ -s "$tmp/run/sweeps/task-0-$host/results.json" ] || fail "the array task left no sweep"
[ -s "$tmp/run/merged/report.html" ] || fail "the dependent job did not merge"
grep -q "M1: " "$tmp/run/merged/report.html" || fail "the merged report has no machine panel"
grep -q '"placement": "compact"' "$tmp/run/sweeps/task-0-$host/results.json" || fail "the sweep was not placed compact"
echo "slurm_local: ok"
