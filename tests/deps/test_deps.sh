#!/usr/bin/env bash
# test_deps.sh SOURCE_ROOT — every program the project's scripts call is installed by
# scripts/install-deps.sh or is part of every Debian 12 system (issue #10: the README's test
# command failed on a fresh machine for want of clang-format and git). The check must also
# catch a forgotten package: it is run on a fixture project that forgets clang-format.
set -uo pipefail
src=$1
check="$src/tests/deps/check_commands.py"
status=0
if ! python3 "$check" "$src"; then
  echo "FAIL: the project's scripts call programs install-deps.sh does not install"
  status=1
fi
out=$(python3 "$check" "$src/tests/data/deps/unlisted_program" 2>&1)
rc=$?
if [ $rc -ne 1 ] || ! grep -q "check-format.sh:3: 'clang-format' comes from package 'clang-format'" <<<"$out"; then
  echo "FAIL: the check missed an unlisted program (exit $rc):"
  echo "$out"
  status=1
fi
[ $status -eq 0 ] && echo "test_deps: ok"
exit $status
