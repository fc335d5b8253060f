#!/bin/bash
# smoke.sh — run inside the test guest (run-in-guest.sh): checks that the guest
# gives the later cgroup-v2 / Landlock tests what they need.
# Prints one line per check and "N passed, N failed"; exits 1 if any failed.
set -euo pipefail

if [[ ${CGIJAIL_VM:-} != 1 ]]; then
  echo "smoke.sh: run me in the guest: tests/vm/run-in-guest.sh OUTDIR -- tests/vm/smoke.sh" >&2
  exit 2
fi

passed=0 failed=0
# check NAME COMMAND...: runs COMMAND, counts and reports the result.
check() {
  local name=$1; shift
  local out st
  # set -e inside: a check stops at its first failing command (a function run
  # in an if condition would ignore -e).
  set +e
  out=$(set -e; "$@" 2>&1)
  st=$?
  set -e
  if [[ $st -eq 0 ]]; then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    [[ -z $out ]] || printf '%s\n' "$out" | sed 's/^/    /'
  fi
}

cg=/sys/fs/cgroup
top=$cg/cgijail-test

cgroup2_mounted() {
  [[ "$(stat -f -c %T $cg)" == cgroup2fs ]] || { echo "$cg is $(stat -f -c %T $cg)"; return 1; }
}

controllers_enabled() {
  local c ctl sub
  ctl=$(cat $cg/cgroup.controllers)
  sub=$(cat $cg/cgroup.subtree_control)
  for c in memory pids cpu; do
    [[ " $ctl " == *" $c "* ]] || { echo "$c not in cgroup.controllers: $ctl"; return 1; }
    [[ " $sub " == *" $c "* ]] || { echo "$c not in root subtree_control: $sub"; return 1; }
  done
}

# Waits up to 10 s until FILE has the line "KEY VALUE".
wait_for() {
  local file=$1 want=$2 i
  for ((i = 0; i < 100; i++)); do
    grep -qx "$want" "$file" && return 0
    sleep 0.1
  done
  echo "$file never showed '$want':"; cat "$file"
  return 1
}

cgroup_lifecycle() {
  mkdir $top
  echo "+memory +pids +cpu" >$top/cgroup.subtree_control
  mkdir $top/x
  echo $((64 * 1024 * 1024)) >$top/x/memory.max
  echo 16 >$top/x/pids.max
  echo "50000 100000" >$top/x/cpu.max
  [[ "$(cat $top/x/memory.max)" == 67108864 ]] || { echo "memory.max: $(cat $top/x/memory.max)"; return 1; }
  [[ "$(cat $top/x/pids.max)" == 16 ]] || { echo "pids.max: $(cat $top/x/pids.max)"; return 1; }
  [[ "$(cat $top/x/cpu.max)" == "50000 100000" ]] || { echo "cpu.max: $(cat $top/x/cpu.max)"; return 1; }
  grep -qx "populated 0" $top/x/cgroup.events || { echo "populated before"; return 1; }

  # A sleeping child shell; what it forks later is born in x.
  sh -c 'while :; do sleep 1; done' &
  local pid=$!
  echo $pid >$top/x/cgroup.procs
  grep -qx "0::/cgijail-test/x" /proc/$pid/cgroup || { cat /proc/$pid/cgroup; return 1; }
  wait_for $top/x/cgroup.events "populated 1" || return 1
  sleep 1.2 # let it fork a sleep inside x
  local n
  n=$(cat $top/x/pids.current)
  [[ $n -ge 1 && $n -le 16 ]] || { echo "pids.current: $n"; return 1; }
  [[ "$(cat $top/x/memory.current)" -gt 0 ]] || { echo "memory.current is 0"; return 1; }

  echo 1 >$top/x/cgroup.kill
  wait_for $top/x/cgroup.events "populated 0" || return 1
  local st=0
  wait $pid || st=$?
  [[ $st -eq 137 ]] || { echo "child shell exit status $st, want 137 (SIGKILL)"; return 1; }
  rmdir $top/x
  rmdir $top
}

cleanup_cgroups() {
  [[ -d $top ]] || return 0
  [[ -d $top/x ]] && echo 1 >$top/x/cgroup.kill && sleep 0.5
  rmdir $top/x 2>/dev/null || true
  rmdir $top 2>/dev/null || true
}

landlock_abi() {
  local abi
  # landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) = ABI version
  abi=$(python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
r = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
print(r if r >= 0 else "errno %d" % ctypes.get_errno())
')
  [[ $abi == 2 ]] || { echo "Landlock ABI: $abi, want 2"; return 1; }
}

etc_writable() {
  local user=cgijailvmsmoke
  touch /etc/cgijail-vm-smoke && rm /etc/cgijail-vm-smoke
  useradd --system --no-create-home --shell /usr/sbin/nologin $user
  id $user >/dev/null
  userdel $user
}

python_runs() {
  [[ "$(python3 -c 'import sys; print(sys.version_info >= (3, 7))')" == True ]]
}

guest_basics() {
  [[ "$(hostname)" == cgijail-vm ]] || { echo "hostname $(hostname)"; return 1; }
  [[ "$(stat -f -c %T /tmp)" == tmpfs ]] || { echo "/tmp is not tmpfs"; return 1; }
  [[ "$(stat -f -c %T /run)" == tmpfs ]] || { echo "/run is not tmpfs"; return 1; }
  [[ -c /dev/null && -c /dev/pts/ptmx && -d /dev/shm && -e /dev/fd/0 ]] || { echo "/dev incomplete"; return 1; }
  (($(cat /sys/class/net/lo/flags) & 1)) || { echo "lo is down"; return 1; } # IFF_UP
}

check "cgroup2 mounted at $cg" cgroup2_mounted
check "memory, pids and cpu controllers enabled" controllers_enabled
check "cgroup lifecycle: limits, populated, cgroup.kill, rmdir" cgroup_lifecycle
cleanup_cgroups
check "Landlock ABI is 2" landlock_abi
check "/etc is writable (useradd, userdel)" etc_writable
check "python3 runs" python_runs
check "hostname, tmpfs /tmp and /run, /dev, lo up" guest_basics

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
