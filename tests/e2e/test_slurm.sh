#!/usr/bin/env bash
# test_slurm.sh SMUG SOURCE_DIR — a bundle on a real single-node Slurm cluster (issue #14.6):
#  - munged, slurmctld and slurmd are started here on localhost (own key, socket, ports, spool
#    and state folders under a scratch directory) and stopped again on exit;
#  - a --family bundle is emitted, then moved (nothing in it may name its old path);
#  - solve.slurm: `sbatch --wait` runs smug solve as a job array, one shard per task, then
#    `smug score` proves every optimum;
#  - run.slurm: the same bundle on nodes without smug (PATH without it), every line of
#    instances.csv through solvers.sh as an array task; each answer is the expected status;
#  - GNU parallel over instances.csv with another solver; smug family then confirms every
#    status with the two solvers' runs.
# Exit 77 (ctest: skipped, with the reason printed) only where it cannot run: not root,
# Slurm/munge/parallel not installed (scripts/install-deps.sh installs them), or no cgroup
# filesystem for slurmd (a bare chroot or container).
set -u
smug=$1 src=$2
. "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }

skip() {
  echo "SKIPPED: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "starting munged, slurmctld and slurmd needs root"
for c in munged slurmctld slurmd sbatch sinfo parallel z3 cvc5 cvc4; do
  command -v "$c" >/dev/null || skip "$c is not installed (bash scripts/install-deps.sh)"
done

# ---- the cluster: everything under $tmp/slurm, ports nobody listens on
s=$tmp/slurm
mkdir -p "$s/state" "$s/spool" "$s/log" "$s/munge"
chmod 700 "$s/munge"
head -c 1024 /dev/urandom >"$s/munge/key"
chmod 600 "$s/munge/key"
stop_cluster() { # the daemons by their pid files, then wait until they are gone
  local f pid pids=()
  for f in "$s/slurmd.pid" "$s/slurmctld.pid" "$s/munge/pid"; do
    [ -s "$f" ] && pid=$(cat "$f") && kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  rm -rf "$tmp"
}
trap stop_cluster EXIT
listening() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
port=$((20000 + $$ % 20000))
while listening "$port" || listening $((port + 1)); do port=$((port + 2)); done
node=$(hostname -s)
cat >"$s/slurm.conf" <<EOF
ClusterName=smugtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$s/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/log/slurmctld.log
SlurmdLogFile=$s/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=smug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$s/slurm.conf
munged --force --socket="$s/munge/socket" --key-file="$s/munge/key" \
  --pid-file="$s/munge/pid" --seed-file="$s/munge/seed" --log-file="$s/log/munged.log" ||
  { bad "munged did not start"; cat "$s/log/munged.log"; exit 1; }
if ! slurmctld -f "$SLURM_CONF" || ! slurmd -f "$SLURM_CONF"; then
  # slurmd 22.05 initialises its cgroup plugin even with proctrack/linuxproc and task/none,
  # so a machine (or container) without the cgroup filesystem cannot run a node at all
  grep -q "cgroup filesystem not mounted" "$s"/log/slurmd.log 2>/dev/null &&
    skip "slurmd cannot start: the cgroup filesystem is not mounted on /sys/fs/cgroup"
  bad "slurmctld/slurmd did not start"; cat "$s"/log/*.log; exit 1
fi
# addresses, not names: a fresh machine's hostname need not resolve (no DNS, no /etc/hosts
# line), and each sinfo is bounded so a controller that never answers cannot hang the test
for _ in $(seq 1 60); do
  timeout 5 sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 0.5
done
timeout 5 sinfo -h -o %T | grep -q idle && ok || { bad "the node never became idle"; tail "$s"/log/*.log; exit 1; }

# ---- a family bundle, moved after emit
cd "$src"
check "emit" 0 "" "$smug" emit --model models/fashion_fc.onnx --input data/fashion/0004_shirt.png \
  --input data/fashion/0008_sandal.png --top-k 4 --window 4 --timeout 30 --family \
  --form decision --slurm 2 --out "$tmp/at-first/B"
mkdir -p "$tmp/moved" && mv "$tmp/at-first/B" "$tmp/moved/B" && rm -rf "$tmp/at-first"
b=$tmp/moved/B
! grep -rq "at-first" "$b"/*.slurm "$b"/*.sh "$b"/*.csv "$b"/problems && ok ||
  bad "the bundle names the folder it was emitted into"
n=$(wc -l <"$b/instances.csv")
[ "$n" -eq 4 ] && ok || bad "instances.csv: $n lines, want 4"

# ---- smug on the nodes: solve.slurm as an array, then score
(cd "$b" && SMUG=$smug SOLVER=z3 sbatch --wait --quiet solve.slurm) >"$tmp/sb1" 2>&1 && ok ||
  { bad "sbatch solve.slurm"; cat "$tmp/sb1" "$b"/results/slurm-*.log; }
[ "$(ls "$b"/results/slurm-*_0.log "$b"/results/slurm-*_1.log 2>/dev/null | wc -l)" -eq 2 ] && ok ||
  bad "solve.slurm did not run as two array tasks"
[ "$(ls "$b"/results/*.z3.json 2>/dev/null | wc -l)" -eq 2 ] && ok || bad "solve.slurm: no results"
check "score after Slurm" 0 "" "$smug" score "$b"
py "
import json
ins = json.load(open('$b/scored/report.json'))['inputs']
assert len(ins) == 2 and all(i['status'] == 'optimal' and i['verified'] for i in ins), ins
" && ok || bad "score after solve.slurm: not every problem optimal"

# ---- no smug on the nodes: run.slurm through solvers.sh, then GNU parallel
(cd "$b" && env -u SMUG PATH=/usr/bin:/bin SOLVER=cvc5 sbatch --wait --quiet run.slurm) \
  >"$tmp/sb2" 2>&1 && ok || { bad "sbatch run.slurm"; cat "$tmp/sb2"; }
(cd "$b" && PATH=/usr/bin:/bin parallel --will-cite --colsep , bash solvers.sh cvc4 {1} {3} \
  :::: instances.csv) >"$tmp/par" 2>&1 && ok || { bad "parallel"; cat "$tmp/par"; }
for solver in cvc5 cvc4; do
  while IFS=, read -r file status _; do
    got=$(grep "^$file,$solver," "$b/results/runs.csv" | cut -d, -f4)
    [ "$got" = "$status" ] && ok || bad "$solver on $file: '$got', expected $status"
  done <"$b/instances.csv"
done
check "score with raw outputs" 0 "" "$smug" score "$b"
check "family from the cluster's runs" 0 "4 files (4 with a confirmed status)" \
  "$smug" family --out "$tmp/fam" "$b"
py "
import json
for f in json.load(open('$tmp/fam/index.json'))['files']:
    assert f['confirmed_by'] == ['cvc4', 'cvc5'] and f['status'] == f['claimed'], f
" && ok || bad "smug family: statuses not confirmed by the cluster's runs"
finish
