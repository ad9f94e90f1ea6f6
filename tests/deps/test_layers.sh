#!/usr/bin/env bash
# test_layers.sh SOURCE_ROOT — every #include follows the module DAG of design.md §9
# (issue #15.1), and the check itself catches a bad edge and a stale exception (fixture).
set -uo pipefail
src=$1
check="$src/tests/deps/check_layers.py"
status=0
if ! python3 "$check" "$src"; then
  echo "FAIL: includes against the module DAG (fix them, or say why in tests/deps/layers_debt.txt)"
  status=1
fi
out=$(python3 "$check" "$src/tests/data/layers" 2>&1)
rc=$?
if [ $rc -ne 1 ] ||
  ! grep -q "src/smt/solve.c:2: smt includes nn's smug/forward.h" <<<"$out" ||
  ! grep -q "layers_debt.txt:2: src/smt/solve.c no longer includes smug/net.h" <<<"$out"; then
  echo "FAIL: the check missed the fixture's bad edge or stale exception (exit $rc):"
  echo "$out"
  status=1
fi
[ $status -eq 0 ] && echo "test_layers: ok"
exit $status
