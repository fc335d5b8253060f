#!/bin/sh
# shellcheck shell=sh
# Stage 1 of the cgijail test guest: /init of the initramfs built by prepare.sh.
# Builds the guest's root — an overlay of the host's root (9p, read-only) under a
# tmpfs — and switches to it, running stage2 there as PID 1.
# Its own messages go to the kernel console (ttyS0, a log file on the host); the
# command's output goes to ttyS1 (the host's stdout), see stage2.
export PATH=/bin
/bin/busybox --install -s /bin

fail() {
  echo "cgijail-vm init: $*"
  poweroff -f
  sleep 10
  exit 1
}

mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev || fail "mount /dev"
mount -t proc -o nosuid,nodev,noexec proc /proc || fail "mount /proc"
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || fail "mount /sys"
exec </dev/null >/dev/console 2>&1

job=
# shellcheck disable=SC2013  # the command line is whitespace separated words
for arg in $(cat /proc/cmdline); do
  case $arg in
    cgijail.job=*) job=${arg#cgijail.job=} ;;
  esac
done
[ -n "$job" ] || fail "no cgijail.job= on the kernel command line"

while read -r mod; do
  insmod "/modules/$mod" || fail "insmod $mod"
done </modules/order

# The host's root, read-only. msize: bigger 9p messages, fewer round trips.
# cache=loose: the host's files do not change under a test run.
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host; do
  n=$((n + 1))
  [ $n -lt 20 ] || fail "mount 9p host root"
  sleep 0.1
done

mount -t tmpfs -o mode=0755 rw /rw || fail "mount /rw"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  fail "mount overlay"

# /run: a fresh tmpfs that also carries stage2 and its busybox.
mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run || fail "mount /run"
mkdir -p /newroot/run/cgijail-vm/host /newroot/run/cgijail-vm/rw
cp /bin/busybox /stage2 /newroot/run/cgijail-vm/
# Copied now: the job's host path may be under /tmp, which stage2 covers.
cp "/host$job" /newroot/run/cgijail-vm/job.sh || fail "no job script $job on the host"
# Keep the mount table coherent: every mount visible under the new root.
mount --move /host /newroot/run/cgijail-vm/host || fail "move /host"
mount --move /rw /newroot/run/cgijail-vm/rw || fail "move /rw"
for d in dev proc sys; do
  mount --move "/$d" "/newroot/$d" || fail "move /$d"
done

exec switch_root /newroot /run/cgijail-vm/busybox sh /run/cgijail-vm/stage2 /run/cgijail-vm/job.sh
