#!/bin/sh
# liar.sh MODE — a "solver" that answers unsat to every problem without looking at it, the
# lying solver of issue 13. Modes: exit1 (unsat, then exit status 1), clean (unsat, status 0:
# a lie no exit status can reveal), satunsat (sat, then unsat, status 0).
cat >/dev/null # read the whole problem, as a solver would
case "$1" in
  exit1) echo unsat; exit 1 ;;
  clean) echo unsat; exit 0 ;;
  satunsat) printf 'sat\nunsat\n'; exit 0 ;;
esac
echo "(error \"liar.sh: unknown mode $1\")"
exit 2
