#!/bin/sh
# shellcheck shell=sh
# Stage 2 of the cgijail test guest: PID 1 in the overlay root, run by busybox
# from /run/cgijail-vm. Mounts what a systemd host would have, runs the job
# script written by run-in-guest.sh with its output on ttyS1, prints
# CGIJAIL-VM-EXIT=<status> there and powers off.
# Argument: the job script's path (stage1 copied it to /run/cgijail-vm/job.sh).
bb=/run/cgijail-vm/busybox
job=$1
out=/dev/ttyS1

fail() {
  echo "cgijail-vm stage2: $*"
  $bb poweroff -f
  $bb sleep 10
  exit 1
}

m() { $bb mount "$@" || fail "mount $*"; }

$bb mkdir -p /dev/pts
m -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts /dev/pts
$bb ln -sfn pts/ptmx /dev/ptmx
$bb mkdir -p /dev/shm
m -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
$bb ln -sfn /proc/self/fd /dev/fd
$bb ln -sfn /proc/self/fd/0 /dev/stdin
$bb ln -sfn /proc/self/fd/1 /dev/stdout
$bb ln -sfn /proc/self/fd/2 /dev/stderr
m -t tmpfs -o mode=1777,nosuid,nodev tmp /tmp
m -t securityfs -o nosuid,nodev,noexec securityfs /sys/kernel/security
# As systemd mounts it on the production hosts.
m -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control ||
  fail "enable cgroup controllers"

$bb hostname cgijail-vm
echo "127.0.1.1 cgijail-vm" >>/etc/hosts
$bb ip link set lo up || fail "lo up"

[ -f "$job" ] || fail "no job script $job"
$bb stty -F $out raw -echo || fail "stty $out"

read -r up _ </proc/uptime
echo "cgijail-vm: command starts at uptime $up s"
echo "CGIJAIL-VM-START" >$out
cd / || fail "cd /"
$bb env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb LANG=C.UTF-8 \
  /bin/sh "$job" </dev/null >$out 2>&1
rc=$?
read -r up _ </proc/uptime
echo "cgijail-vm: command exited $rc at uptime $up s"

# Stop whatever the command left behind, then make sure nobody else holds the
# serial port: its last close waits until all output has left the guest.
$bb kill -KILL -1 2>/dev/null
n=0
while $bb fuser -s $out 2>/dev/null && [ $n -lt 100 ]; do
  $bb sleep 0.05
  n=$((n + 1))
done
echo "CGIJAIL-VM-EXIT=$rc" >$out
$bb poweroff -f
