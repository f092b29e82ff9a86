#!/usr/bin/env bash
# A one-machine Slurm cluster for tests and trials: munged, slurmctld and
# slurmd on 127.0.0.1 from a generated slurm.conf in DIR (no cgroups:
# proctrack/linuxproc, task/none), all state, logs and sockets in DIR.
#   scripts/slurm-local.sh start DIR   -> prints "export SLURM_CONF=DIR/slurm.conf"
#   scripts/slurm-local.sh stop DIR
# Needs root (slurmd runs jobs as their users) and Debian's slurm-wlm and
# munge (scripts/setup.sh installs them). Exits 77 with the reason when this
# machine cannot run the daemons, 1 when they run but the cluster does not
# come up in 3 tries (each reason printed).
set -euo pipefail
action="${1:?start|stop}"
dir="$(realpath -m "${2:?DIR}")"
skip() { echo "SKIP: $*" >&2; exit 77; }
# Stops the daemons named (default: all three) and waits for them to go.
# Found by their pid files, and the Slurm daemons also by their command line
# (this DIR's slurm.conf): one stopped right after it started may not have
# written its pid file yet.
stop() {
  local names=("$@")
  ((${#names[@]})) || names=(slurmd slurmctld munged)
  for name in "${names[@]}"; do
    [[ -f "$dir/$name.pid" ]] && kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
    [[ $name == munged ]] || pkill -f "^$name -f $dir/slurm.conf\$" 2>/dev/null || true
  done
  for name in "${names[@]}"; do
    for _ in $(seq 50); do
      if [[ -f "$dir/$name.pid" ]] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
        sleep 0.1
      elif [[ $name != munged ]] && pgrep -f "^$name -f $dir/slurm.conf\$" >/dev/null; then
        sleep 0.1
      else
        break
      fi
    done
    rm -f "$dir/$name.pid"
  done
}
if [[ "$action" == stop ]]; then
  stop
  exit 0
fi
[[ "$action" == start ]] || { echo "usage: slurm-local.sh start|stop DIR" >&2; exit 2; }
[[ $(id -u) == 0 ]] || skip "slurmd must run as root here"
for tool in munged slurmctld slurmd sbatch srun scontrol; do
  command -v "$tool" >/dev/null || skip "no $tool (scripts/setup.sh installs slurm-wlm and munge)"
done
mkdir -p "$dir/state" "$dir/spool"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
head -c 1024 /dev/urandom >"$dir/munge.key"
chmod 400 "$dir/munge.key"
munged --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
  --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" ||
  skip "munged refused to start: $(tail -1 "$dir/munged.log" 2>/dev/null)"
host="$(hostname)"
# The ports come from free_port, and another process may take one before the
# daemon binds it: slurmctld has already forked by then, so its start looks
# fine, then it dies ("fatal: ... Address already in use") and every client
# waits on a controller that is not there. A daemon that logs a fatal error
# ends the wait at once, and the cluster is started again on other ports,
# up to 3 times.
export SLURM_CONF="$dir/slurm.conf"
reason=""
for attempt in 1 2 3; do
  : >"$dir/slurmctld.log"
  : >"$dir/slurmd.log"
  cat >"$dir/slurm.conf" <<CONF
ClusterName=nnnlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
KillWait=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  # A fatal line in a daemon's log, or a daemon gone, ends a wait at once.
  failed() {
    grep -qh "fatal:" "$dir/slurmctld.log" "$dir/slurmd.log" 2>/dev/null && return 0
    local name
    for name in slurmctld slurmd; do
      if [[ -f "$dir/$name.pid" ]] && ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
        echo "fatal: $name exited" >>"$dir/$name.log"
        return 0
      fi
    done
    return 1
  }
  slurmctld -f "$SLURM_CONF" || { stop; skip "slurmctld refused to start: $(tail -2 "$dir/slurmctld.log" 2>/dev/null)"; }
  # slurmd registers once at start and retries only after tens of seconds:
  # it starts when the controller answers (polls, each ping bounded by 10 s).
  up=0
  for _ in $(seq 600); do
    failed && break
    if [[ "$(timeout 10 scontrol ping 2>/dev/null || true)" == *"is UP"* ]]; then
      up=1
      break
    fi
    sleep 0.1
  done
  if [[ $up == 1 ]]; then
    slurmd -f "$SLURM_CONF" || { stop; skip "slurmd refused to start: $(tail -2 "$dir/slurmd.log" 2>/dev/null)"; }
    # Ready when the node is idle (polls; each sinfo bounded by 10 s).
    for _ in $(seq 600); do
      failed && break
      [[ "$(timeout 10 sinfo -h -o %T 2>/dev/null)" == idle ]] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
      sleep 0.1
    done
  fi
  reason="$(grep -h "fatal:" "$dir/slurmctld.log" "$dir/slurmd.log" 2>/dev/null | head -1 || true)"
  if [[ -z "$reason" ]]; then
    reason="$( ((up)) && echo "the node never became idle ($(timeout 10 sinfo -h -o %T 2>&1 | head -1 || true)): $(tail -1 "$dir/slurmd.log" 2>/dev/null || true)" ||
      echo "the controller never answered: $(tail -1 "$dir/slurmctld.log" 2>/dev/null || true)")"
  fi
  echo "slurm-local: try $attempt: $reason" >&2
  stop slurmd slurmctld
done
stop
echo "slurm-local: the local Slurm cluster did not start in 3 tries: $reason" >&2
exit 1
