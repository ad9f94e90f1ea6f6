#!/bin/bash
# solvers.sh SOLVER FILE [TIMEOUT] — runs one benchmark file of this folder with one
# solver, without smug; the command lines were copied from smug's solvers/*.yaml.
#   bash solvers.sh z3 problems/x.b3.smt2 60
#   parallel --colsep , bash solvers.sh cvc5 {1} {3} :::: instances.csv
# TIMEOUT is CPU seconds (ulimit -t, as BenchExec's timelimit), so a loaded machine
# does not turn answers into timeouts; the solver's own (wall-clock) limit and a kill
# after that are five times longer, only against a hung run.
# Writes results/<stem>.<solver>.out (stdout, read by smug score) and .err, and appends
# file,solver,version,answer,seconds,cpu_seconds to results/runs.csv (wall-clock and
# CPU time of the solver process); answer is sat, unsat, unknown (the solver gave up),
# timeout (a limit stopped it) or error.
# MEM_MB sets the memory limit where the solver has a flag for one.
set -u
cd "$(dirname "$0")"
solver=${1:?usage: solvers.sh SOLVER FILE [TIMEOUT]} file=${2:?usage: solvers.sh SOLVER FILE [TIMEOUT]} t=${3:-60}
cpu_limit=$(awk -v t="$t" 'BEGIN { printf "%d", (t == int(t)) ? t : int(t) + 1 }')
s=$((5 * cpu_limit + 10)) ms=$(((5 * cpu_limit + 10) * 1000)) # the wall-clock limits
mb=${MEM_MB:-8192}
known=' cvc4 cvc5 z3'
case $solver in
  cvc4)
    cmd=('cvc4' '-m' '--lang=smt2' "$file" '--tlimit-per='"$ms")
    vcmd=('cvc4' '--version') ;;
  cvc5)
    cmd=('cvc5' '-m' '--lang=smt2' "$file" '--tlimit-per='"$ms")
    vcmd=('cvc5' '--version') ;;
  z3)
    cmd=('z3' '-smt2' "$file" '-t:'"$ms" '-memory:'"$mb")
    vcmd=('z3' '--version') ;;
  *) echo "solvers.sh: unknown solver '$solver' (known:$known)" >&2; exit 2 ;;
esac
[ -f "$file" ] || { echo "solvers.sh: no file $file" >&2; exit 2; }
mkdir -p results
stem=$(basename "$file" .smt2)
out=results/$stem.$solver.out
version=$("${vcmd[@]}" 2>&1 | grep -i -m 1 version | tr -d ',\r')
times >"$out.t0" # this shell's children so far: the CPU time before the run
start=$(date +%s%N)
{ (ulimit -t "$cpu_limit" && exec timeout -k 5 $((s + 10)) "${cmd[@]}") >"$out.tmp" 2>"results/$stem.$solver.err"; } 2>/dev/null # no "Killed" from bash
rc=$?
end=$(date +%s%N)
times >"$out.t1"
mv -f "$out.tmp" "$out"
first=$(grep -m 1 -v '^success$' "$out" | tr -d '\r')
if grep -q '^(error' "$out"; then answer=error
elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || [ "$rc" -eq 152 ]; then answer=timeout # the wall-clock kill, or the CPU limit (SIGKILL / SIGXCPU)
elif [ "$first" = sat ] || [ "$first" = unsat ] || [ "$first" = unknown ]; then answer=$first
else answer=error
fi
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
cpu=$(awk 'function s(x) { split(x, p, "m"); return p[1] * 60 + p[2] }
  FNR == 2 { v[FILENAME] = s($1) + s($2) } END { printf "%.3f", v[ARGV[2]] - v[ARGV[1]] }' "$out.t0" "$out.t1")
rm -f "$out.t0" "$out.t1"
printf '%s,%s,%s,%s,%s,%s\n' "$file" "$solver" "$version" "$answer" "$seconds" "$cpu" >>results/runs.csv
echo "$file $solver: $answer in $seconds s ($cpu s CPU)"
