#!/usr/bin/env bash
# regen.sh — reruns every solver command of README.md in this directory and rewrites the
# <solver>_<case>.out transcripts (stdout only; stderr is dropped, as smug parses stdout).
# For a human after a solver upgrade: review the diff, then update README.md and
# tests/unit/test_sexpr.c. Never run by the tests. Timeouts make a few transcripts
# machine-dependent (see README.md); the canceled case is retried until z3 prints it.
set -uo pipefail
cd "$(dirname "$0")"
status=0

# run NAME EXPECTED_EXIT COMMAND... — writes NAME.out, warns when the exit code changed
run() {
    local name=$1 expect=$2
    shift 2
    "$@" >"$name.out" 2>/dev/null
    local rc=$?
    printf '%-32s exit %-3s %s\n' "$name" "$rc" "$*"
    if [ "$rc" != "$expect" ]; then
        echo "  warning: README.md says exit $expect" >&2
        status=1
    fi
}

run z3_sat 0 z3 sat.smt2
run cvc5_sat 0 cvc5 -m sat.smt2
run cvc5_sat_nomodels 0 cvc5 sat.smt2
run z3_unsat 1 z3 unsat.smt2
run cvc5_unsat 0 cvc5 -m unsat.smt2
run z3_model 0 z3 model.smt2
run cvc5_model 0 cvc5 -m model.smt2
run z3_values 0 z3 values.smt2
run cvc5_values 0 cvc5 -m values.smt2
run z3_optimize 0 z3 optimize.smt2
run z3_optimize_definefun 0 z3 optimize_definefun.smt2
run cvc5_optimize 1 cvc5 -m optimize.smt2
run z3_hard 1 z3 -t:100 hard.smt2
run cvc5_hard 0 cvc5 -m --tlimit-per=100 hard.smt2
run cvc5_hard_tlimit 134 cvc5 -m --tlimit=100 hard.smt2
run z3_hard_optimize 0 z3 -t:50 hard_optimize.smt2
# z3 -t:2 prints "(error … canceled)" instead of "unknown" about half of the time
for _ in $(seq 50); do
    z3 -t:2 hard_optimize.smt2 2>/dev/null | head -1 | grep -q canceled && break
done
run z3_hard_optimize_canceled 1 z3 -t:2 hard_optimize.smt2
grep -q canceled z3_hard_optimize_canceled.out || {
    echo "  warning: z3_hard_optimize_canceled.out does not show the canceled form" >&2
    status=1
}
run z3_parse_error_exponent 1 z3 parse_error_exponent.smt2
run cvc5_parse_error_exponent 1 cvc5 -m parse_error_exponent.smt2
run z3_parse_error_negative 0 z3 parse_error_negative.smt2
run cvc5_parse_error_negative 1 cvc5 -m parse_error_negative.smt2
run z3_incremental 0 z3 incremental.smt2
run cvc5_incremental 0 cvc5 -m --incremental incremental.smt2
run cvc5_incremental_noflag 1 cvc5 -m incremental.smt2
run z3_print_success 0 z3 print_success.smt2
run cvc5_print_success 0 cvc5 -m print_success.smt2
exit $status
