#!/usr/bin/env bash
# One ftbench sweep per node of a Slurm cluster, then one merged report (docs/multi-machine.md).
#
#   ftbench-slurm.sh submit --nodes N --out DIR [--partition P] [--time T] [--account A]
#                           [--ftbench PATH] [--history-db FILE] [--dry-run] [-- RUN_OPTIONS...]
#       submits a job array of N tasks (sbatch --array=0-(N-1)), each on a node of its own
#       (--nodes=1 --exclusive: nothing else runs there), and a job that depends on the array
#       (--dependency=afterok:<array job>: it starts when every task succeeded) and merges.
#   ftbench-slurm.sh sweep DIR [--ftbench PATH] [-- RUN_OPTIONS...]     an array task's body
#   ftbench-slurm.sh merge DIR [--ftbench PATH] [--history-db FILE]     the dependent job's body
#
# A task sweeps into DIR/sweeps/task-<array task id>-<host>/ with `ftbench run --placement compact
# RUN_OPTIONS` (unless RUN_OPTIONS place otherwise), started by `srun --cpu-bind=none` over all the
# node's CPUs, so that ftbench's own hwloc placement pins its threads (inside the allocation hwloc
# sees the CPUs the job may use, all of the node's with --exclusive); a requeued task resumes its
# directory (--resume). The merge job runs `ftbench merge DIR/sweeps/* --out DIR/merged` and, with
# --history-db, `ftbench history add DIR/sweeps/* --db FILE`.
#
# --dry-run (or FTB_DRY_RUN=1, which the submitted jobs inherit): print each command, one line,
# shell-quoted, instead of running it; submit then prints the merge job's dependency as
# afterok:<sweep-job-id>. Exit status: 0 ok; 2 bad arguments or no sbatch/ftbench; else the
# failed command's.
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
dry=${FTB_DRY_RUN:-0}

die() { echo "ftbench-slurm: error: $*" >&2; exit 2; }
# run CMD...: runs it, or prints it (shell-quoted, one line) in a dry run.
run() {
  if [ "$dry" = 1 ]; then
    printf '%q ' "$@" | sed 's/ $//'
    echo
  else
    "$@"
  fi
}
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }

submit() {
  local nodes="" out="" partition="" time="" account="" ftbench="" history=""
  while [ $# -gt 0 ]; do
    case $1 in
      --nodes) need_value "$@"; nodes=$2; shift 2 ;;
      --out) need_value "$@"; out=$2; shift 2 ;;
      --partition) need_value "$@"; partition=$2; shift 2 ;;
      --time) need_value "$@"; time=$2; shift 2 ;;
      --account) need_value "$@"; account=$2; shift 2 ;;
      --ftbench) need_value "$@"; ftbench=$2; shift 2 ;;
      --history-db) need_value "$@"; history=$2; shift 2 ;;
      --dry-run) dry=1; shift ;;
      --) shift; break ;;
      *) die "submit: unknown argument '$1' (ftbench run's options go after --)" ;;
    esac
  done
  [[ $nodes =~ ^[1-9][0-9]*$ ]] || die "submit: --nodes takes a positive whole number, got '$nodes'"
  [ -n "$out" ] || die "submit: --out DIR is required"
  ftbench=${ftbench:-$(command -v ftbench || true)}
  [ -n "$ftbench" ] || die "submit: no ftbench on PATH: pass --ftbench PATH"
  [ "$dry" = 1 ] || command -v sbatch >/dev/null || die "submit: sbatch not found (not on a Slurm login node?)"
  out=$(realpath -m "$out")
  ftbench=$(realpath -m "$ftbench")
  [ "$dry" = 1 ] || mkdir -p "$out/logs" "$out/sweeps"
  local common=()
  [ -n "$partition" ] && common+=("--partition=$partition")
  [ -n "$time" ] && common+=("--time=$time")
  [ -n "$account" ] && common+=("--account=$account")
  export FTB_DRY_RUN=$dry
  local sweep_job
  if [ "$dry" = 1 ]; then
    run sbatch --parsable --job-name=ftbench-sweep "--array=0-$((nodes - 1))" --nodes=1 --ntasks=1 \
      --exclusive "--output=$out/logs/sweep-%A_%a.log" "${common[@]}" \
      "$self" sweep "$out" --ftbench "$ftbench" -- "$@"
    sweep_job="<sweep-job-id>"
  else
    sweep_job=$(sbatch --parsable --job-name=ftbench-sweep "--array=0-$((nodes - 1))" --nodes=1 --ntasks=1 \
      --exclusive "--output=$out/logs/sweep-%A_%a.log" "${common[@]}" \
      "$self" sweep "$out" --ftbench "$ftbench" -- "$@")
    sweep_job=${sweep_job%%;*}  # "jobid;cluster" on a federation
  fi
  local merge_args=("$self" merge "$out" --ftbench "$ftbench")
  [ -n "$history" ] && merge_args+=(--history-db "$(realpath -m "$history")")
  run sbatch --parsable --job-name=ftbench-merge "--dependency=afterok:$sweep_job" --kill-on-invalid-dep=yes \
    --nodes=1 --ntasks=1 "--output=$out/logs/merge-%j.log" "${common[@]}" "${merge_args[@]}"
  [ "$dry" = 1 ] || echo "submitted: sweep array $sweep_job on $nodes nodes, then the merge into $out/merged" >&2
}

sweep() {
  [ $# -ge 1 ] || die "sweep: DIR is required"
  local out=$1 ftbench=""
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --ftbench) need_value "$@"; ftbench=$2; shift 2 ;;
      --) shift; break ;;
      *) die "sweep: unknown argument '$1'" ;;
    esac
  done
  ftbench=${ftbench:-$(command -v ftbench || true)}
  [ -n "$ftbench" ] || die "sweep: no ftbench: pass --ftbench PATH"
  [ -n "${SLURM_ARRAY_TASK_ID:-}" ] || die "sweep: not inside a Slurm array task (no SLURM_ARRAY_TASK_ID)"
  local dir="$out/sweeps/task-${SLURM_ARRAY_TASK_ID}-$(hostname -s)"
  local options=()
  [[ " $* " == *" --placement"* ]] || options+=(--placement compact)
  [ -f "$dir/results.json" ] && options+=(--resume)  # a requeued task continues its sweep
  # All of the node's CPUs to the one task, unbound: ftbench places its threads itself (hwloc).
  run srun --nodes=1 --ntasks=1 "--cpus-per-task=${SLURM_CPUS_ON_NODE:-1}" --cpu-bind=none \
    "$ftbench" run "${options[@]}" --out "$dir" "$@"
}

merge() {
  [ $# -ge 1 ] || die "merge: DIR is required"
  local out=$1 ftbench="" history=""
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --ftbench) need_value "$@"; ftbench=$2; shift 2 ;;
      --history-db) need_value "$@"; history=$2; shift 2 ;;
      *) die "merge: unknown argument '$1'" ;;
    esac
  done
  ftbench=${ftbench:-$(command -v ftbench || true)}
  [ -n "$ftbench" ] || die "merge: no ftbench: pass --ftbench PATH"
  local sweeps=("$out"/sweeps/*/)
  [ -d "${sweeps[0]}" ] || die "merge: no sweeps in $out/sweeps"
  sweeps=("${sweeps[@]%/}")
  run "$ftbench" merge "${sweeps[@]}" --out "$out/merged"
  [ -z "$history" ] || run "$ftbench" history add "${sweeps[@]}" --db "$history"
}

[ $# -ge 1 ] || die "usage: ftbench-slurm.sh submit|sweep|merge ... (see the header of $self)"
command=$1
shift
case $command in
  submit) submit "$@" ;;
  sweep) sweep "$@" ;;
  merge) merge "$@" ;;
  *) die "unknown command '$command' (submit, sweep or merge)" ;;
esac
