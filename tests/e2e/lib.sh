# lib.sh — shared by the e2e scripts (source it after setting smug and src): a scratch folder
# $tmp removed on exit, pass/fail counters, and check, the contract every smug command keeps:
# the exit status (0 ok, 1 failure, 2 usage), the message naming what went wrong, and a
# failure told in exactly one stderr line.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skipped=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
skipped() { echo "SKIP $*"; skipped=$((skipped + 1)); } # a part this machine cannot run

check() { # name, expected status, expected stderr substring ("" for any), command...
  local name=$1 want=$2 msg=$3
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then bad "$name: exit $got, want $want"; cat "$tmp/err"; return; fi
  if [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
    bad "$name: stderr lacks '$msg'"; cat "$tmp/err"; return
  fi
  if [ "$want" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    bad "$name: error is not one line"; cat "$tmp/err"; return
  fi
  ok
}

# The summary line and the script's exit status: 1 on a failure, else 77 (ctest's
# SKIP_RETURN_CODE, tests/CMakeLists.txt) when a part was skipped, so CI shows the test as
# "Skipped" instead of passing silently (issue #15.6), else 0.
finish() {
  echo "$pass passed, $fail failed, $skipped skipped"
  [ "$fail" -eq 0 ] || return 1
  [ "$skipped" -eq 0 ] || return 77
}
