#!/bin/bash
# run-in-guest.sh OUTDIR [OPTIONS] -- COMMAND...
# Boots the cgroup-v2 test guest prepared by prepare.sh in OUTDIR and runs COMMAND
# there: a shell command line (the words are joined by blanks), run as root by
# /bin/sh -c in the guest's root — the host's root under a tmpfs overlay, so the
# host's paths work and all writes are thrown away — with the host's working
# directory as its working directory.
# COMMAND's stdout and stderr are streamed to stdout; the exit status is COMMAND's.
# Exits 1 if the guest died without reporting a status, 124 on the wall timeout,
# 77 (skip) when not run as root outside CI.
# Options:
#   --timeout SECS    wall time limit for the whole run (default 900)
#   --env NAME=VALUE  set NAME in COMMAND's environment (repeatable); CI is
#                     passed through when set, CGIJAIL_VM=1 always
#   --mem MB          guest memory (default 1024; the tmpfs overlay lives in it)
#   --prepare         run prepare.sh OUTDIR first (its output goes to stderr)
# Environment: CGIJAIL_VM_KEEP=1 keeps OUTDIR/tmp/run.* (console log, job script).
#              CGIJAIL_VM_ACCEL=auto|kvm|tcg: auto (default) uses KVM when
#              /dev/kvm is usable; tcg where nested KVM fails (qemu.log in the
#              kept run directory says "KVM internal error").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=run-in-guest.sh
die() { echo "$prog: $*" >&2; exit 1; }
usage() { die "usage: $prog OUTDIR [--timeout SECS] [--env NAME=VALUE]... [--mem MB] [--prepare] -- COMMAND..."; }

[[ $# -ge 1 ]] || usage
outdir_arg=$1; shift
timeout=900 mem=1024 prepare=0
envs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --timeout) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage; timeout=$2; shift 2 ;;
    --mem) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage; mem=$2; shift 2 ;;
    --env)
      [[ $# -ge 2 && $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, got '${2:-}'"
      envs+=("$2"); shift 2 ;;
    --prepare) prepare=1; shift ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[[ $# -ge 1 ]] || usage
command_line="$*"

if [[ $(id -u) -ne 0 ]]; then
  # The guest reads the host's files through 9p with the rights of qemu's user.
  if [[ ${CI:-} == true ]]; then die "must run as root (CI=true: not skipping)"; fi
  echo "$prog: SKIP: must run as root" >&2
  exit 77
fi

if [[ $prepare -eq 1 ]]; then
  "$here/prepare.sh" "$outdir_arg" >&2
fi
outdir=$(cd "$outdir_arg" && pwd) || die "no OUTDIR $outdir_arg"
for f in kernel.img initrd.gz; do
  [[ -e $outdir/$f ]] || die "no $outdir/$f: run prepare.sh $outdir_arg first"
done

mkdir -p "$outdir/tmp"
rundir=$(mktemp -d "$outdir/tmp/run.XXXXXX")
qemu_pid='' awk_pid=''

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local pid
  for pid in $qemu_pid $awk_pid; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${CGIJAIL_VM_KEEP:-} == 1 ]]; then
    echo "$prog: kept $rundir" >&2
  else
    rm -rf "$rundir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# POSIX sh single quoting.
sq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

job=$rundir/job.sh
{
  echo "# written by $prog"
  # The guest has its own /tmp and /run: host paths under them do not exist there.
  msg="$prog: no directory $PWD in the guest (its /tmp and /run are its own)"
  echo "cd -- $(sq "$PWD") || { echo $(sq "$msg") >&2; exit 125; }"
  echo "export CGIJAIL_VM=1"
  if [[ -n ${CI+set} ]]; then echo "export CI=$(sq "$CI")"; fi
  for e in "${envs[@]}"; do
    echo "export ${e%%=*}=$(sq "${e#*=}")"
  done
  echo "exec /bin/sh -c $(sq "$command_line")"
} >"$job"

fifo=$rundir/out.fifo
mkfifo "$fifo"

case ${CGIJAIL_VM_ACCEL:-auto} in
  auto) if [[ -r /dev/kvm && -w /dev/kvm ]]; then vm_accel=kvm; else vm_accel=tcg; fi ;;
  kvm|tcg) vm_accel=$CGIJAIL_VM_ACCEL ;;
  *) die "CGIJAIL_VM_ACCEL must be auto, kvm or tcg, got '$CGIJAIL_VM_ACCEL'" ;;
esac
if [[ $vm_accel == kvm ]]; then
  accel=(-accel kvm -cpu host)
else
  # -cpu max: RDRAND seeds the guest's RNG at once (python3 wants getrandom()).
  accel=(-accel tcg -cpu max)
fi

start=$(date +%s.%N)
# --pdeathsig: qemu dies with this script even if it is SIGKILLed.
setpriv --pdeathsig KILL -- qemu-system-x86_64 \
  "${accel[@]}" -m "$mem" -smp 2 -nodefaults -display none -monitor none -no-reboot \
  -kernel "$outdir/kernel.img" -initrd "$outdir/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all cgijail.job=$job" \
  -serial "file:$rundir/console.log" \
  -chardev "file,id=cmdout,path=$fifo" -serial chardev:cmdout \
  -virtfs local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap \
  </dev/null >"$rundir/qemu.log" 2>&1 &
qemu_pid=$!

# The guest's output, a line at a time (bash's read would take a syscall per
# byte): awk streams it to stdout and notes the markers in files.
awk_flags=()
if awk -W version 2>&1 | grep -q '^mawk'; then
  awk_flags=(-W interactive) # else mawk reads the pipe in whole blocks
fi
awk "${awk_flags[@]}" -v status_file="$rundir/status" -v start_file="$rundir/started" '
  !started && $0 == "CGIJAIL-VM-START" {
    started = 1; printf "" > start_file; close(start_file); next
  }
  match($0, /CGIJAIL-VM-EXIT=[0-9]+$/) {
    printf "%s", substr($0, 1, RSTART - 1); fflush()
    print substr($0, RSTART + 16) > status_file; close(status_file); next
  }
  { print; fflush() }
' "$fifo" &
awk_pid=$!

deadline=$((SECONDS + timeout))
timed_out=0
while kill -0 "$qemu_pid" 2>/dev/null; do
  # The status is the guest's last word: it is powering off.
  [[ -e $rundir/status ]] && break
  if ((SECONDS >= deadline)); then
    timed_out=1
    break
  fi
  sleep 0.1
done
if [[ $timed_out -eq 0 ]]; then
  # Give the guest a moment to power off, no more.
  for _ in {1..50}; do
    kill -0 "$qemu_pid" 2>/dev/null || break
    sleep 0.1
  done
fi
kill -KILL "$qemu_pid" 2>/dev/null || true
qemu_rc=0
wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
qemu_pid=
# qemu was the pipe's only writer: awk sees the end of it and exits — unless
# qemu died before opening it, and awk still waits in open().
for _ in {1..20}; do
  kill -0 "$awk_pid" 2>/dev/null || break
  sleep 0.1
done
kill "$awk_pid" 2>/dev/null || true
wait "$awk_pid" 2>/dev/null || true
awk_pid=
end=$(date +%s.%N)

status=$(cat "$rundir/status" 2>/dev/null || true)
started=
[[ -e $rundir/started ]] && started=$(stat -c %.9Y "$rundir/started")
if [[ -n $started ]]; then
  awk -v s="$start" -v b="$started" -v e="$end" 'BEGIN {
    printf "run-in-guest.sh: boot %.1f s, command %.1f s, total %.1f s\n", b - s, e - b, e - s }' >&2
fi
if [[ $timed_out -eq 1 ]]; then
  echo "$prog: timed out after $timeout s; qemu killed" >&2
  tail -n 20 "$rundir/console.log" >&2 2>/dev/null || true
  exit 124
fi
if [[ -z $status ]]; then
  echo "$prog: the guest reported no exit status (qemu exit $qemu_rc); last console lines:" >&2
  tail -n 40 "$rundir/console.log" >&2 2>/dev/null || true
  cat "$rundir/qemu.log" >&2 2>/dev/null || true
  exit 1
fi
exit "$status"
