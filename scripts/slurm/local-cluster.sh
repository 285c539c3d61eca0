#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying (and testing) ftbench-slurm.sh: Debian's
# slurm-wlm (slurmctld, slurmd, sbatch) and munge, every file and socket under DIR, nothing in
# /etc changed. Run as root (slurmd runs jobs as their users; munged runs as munge).
#
#   local-cluster.sh start DIR   writes DIR/slurm.conf, starts munged, slurmctld and slurmd, waits
#                                until the node is idle (a few seconds) and prints
#                                "export SLURM_CONF=DIR/slurm.conf" for the commands to use it
#   local-cluster.sh stop DIR    stops the three daemons it started (by their pid files)
#
# The node is this host with all its CPUs, in one partition "local"; no accounting, no cgroups
# (proctrack/linuxproc, task/none: srun then says the cluster "lacks support for cpu binding",
# which is what ftbench-slurm.sh asks for anyway, --cpu-bind=none). Ports 26817 and 26818.
# Exit status: 0 ok; 2 not root, slurm-wlm or munge missing, or the node not idle within 60 s.
set -euo pipefail
die() { echo "local-cluster: error: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: local-cluster.sh start|stop DIR"
command=$1
dir=$(realpath -m "$2")

stop() {  # each daemon by its pid file, waiting (up to 15 s) until it has exited
  local f pid
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

case $command in
  stop) stop; exit 0 ;;
  start) ;;
  *) die "unknown command '$command' (start or stop)" ;;
esac
[ "$(id -u)" -eq 0 ] || die "run as root"
for tool in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd sinfo; do
  command -v "$tool" >/dev/null || die "$tool not found: install Debian's slurm-wlm (scripts/setup-debian.sh)"
done
[ -r /etc/munge/munge.key ] || die "/etc/munge/munge.key missing (Debian's munge package creates it)"
mkdir -p "$dir"/{state,spool,log,munge}
chmod 755 "$dir"
chown munge:munge "$dir/munge"
runuser -u munge -- test -x "$dir/munge" || die "$dir is not reachable by the user munge (a parent directory of mode 700?)"
host=$(hostname -s)
cat >"$dir/slurm.conf" <<CONF
ClusterName=ftbench-local
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=26817
SlurmdPort=26818
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed"
export SLURM_CONF=$dir/slurm.conf
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 1
done
stop
die "the node did not become idle within 60 s (logs in $dir/log)"
