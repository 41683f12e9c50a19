#!/usr/bin/env bash
# Start a one-node SLURM cluster on this machine (Debian's slurm-wlm) and run the workflow through
# the SLURM executor plugin on the demo's data, with one sample as FASTQ; then check the results equal
# `puente batch`'s (as workflows/test-local.sh does locally). Needs root or sudo; for anyone to
# reproduce the cluster path, not part of CI.
#   workflows/slurm-local.sh DEMO_DIR [WORK_DIR]
# DEMO_DIR from `puente demo --fastq --out DEMO_DIR`. PUENTE and SNAKEMAKE name the executables
# (snakemake with snakemake-executor-plugin-slurm, e.g. .venv-workflow/bin/snakemake).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
demo=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
PUENTE=$(command -v "${PUENTE:-puente}")
SNAKEMAKE=$(command -v "${SNAKEMAKE:-snakemake}")
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v slurmctld >/dev/null 2>&1; then
  run apt-get update -qq
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# munge authenticates the daemons to each other
if [ ! -s /etc/munge/munge.key ]; then
  run mungekey --create --keyfile=/etc/munge/munge.key
fi
run chown munge:munge /etc/munge/munge.key
run chmod 400 /etc/munge/munge.key
run mkdir -p /run/munge && run chown munge:munge /run/munge
pgrep -x munged >/dev/null || run runuser -u munge -- /usr/sbin/munged

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
run mkdir -p /etc/slurm /var/lib/slurm/slurmd /var/lib/slurm/slurmctld /var/log/slurm
run tee /etc/slurm/slurm.conf >/dev/null <<CONF
ClusterName=puente-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/lib/slurm/slurmd
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=puente Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || run slurmctld
pgrep -x slurmd >/dev/null || run slurmd
for _ in $(seq 30); do
  sinfo -h -o '%t' 2>/dev/null | grep -qE 'idle|mix' && break
  sleep 1
done
sinfo

# the same samplesheet and comparison as the local test, with the sample jobs sent to SLURM
SNAKEMAKE_ARGS="--executor slurm --jobs 4 --slurm-status-command squeue --slurm-no-account \
--default-resources slurm_partition=puente mem_mb=2000 runtime=60 --latency-wait 30" \
  PUENTE="$PUENTE" SNAKEMAKE="$SNAKEMAKE" "$here/test-local.sh" "$demo" "$work"
echo "SLURM jobs run:"
squeue -h -t all -o '%i %j %T' 2>/dev/null | head -20 || true
