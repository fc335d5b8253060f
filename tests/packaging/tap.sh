# shellcheck shell=bash
# tap.sh - TAP output for the packaging checks (sourced by check.sh and
# install-in-overlay.sh): ok STATUS DESCRIPTION, t DESCRIPTION COMMAND...;
# n and fails count the checks and the failures.
n=0 fails=0
ok() { # STATUS DESCRIPTION
  n=$((n + 1))
  if [[ $1 -eq 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
t() { # DESCRIPTION COMMAND... : one check
  local d=$1; shift
  if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
