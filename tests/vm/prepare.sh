#!/bin/bash
# prepare.sh OUTDIR — make OUTDIR ready for run-in-guest.sh:
#   OUTDIR/kernel/<version>/   Debian's linux-image-<version>-amd64, unpacked (cached)
#   OUTDIR/kernel.img          symlink to the kernel image qemu boots
#   OUTDIR/initrd.gz           busybox /init + the modules for virtio, 9p, overlayfs, FUSE
# Idempotent and safe to run concurrently (flock on OUTDIR/.prepare.lock).
# Installs missing Debian packages itself (needs root then).
# Environment:
#   CGIJAIL_VM_KERNEL  pin the kernel ABI version (e.g. 6.1.0-56); default: the one
#                      already unpacked in OUTDIR, else what linux-image-amd64 depends on.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=prepare.sh

die() { echo "$prog: $*" >&2; exit 1; }
log() { echo "$prog: $*" >&2; }

[[ $# -eq 1 ]] || die "usage: $prog OUTDIR"
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
case $outdir in
  *[[:space:]\"\'\\]*) die "OUTDIR must not contain blanks, quotes or backslashes: $outdir" ;;
esac

# The modules the guest needs (with their dependencies, resolved by depmod):
# virtio PCI transport, 9p over virtio for the host root, overlayfs for the writable layer,
# FUSE for the integration tests that mount one (bindfs).
wanted_modules=(virtio_pci 9pnet_virtio 9p overlay fuse)

# ---------------------------------------------------------------- packages
# command -> package that provides it
declare -A need=(
  [qemu-system-x86_64]=qemu-system-x86
  [cpio]=cpio
  [depmod]=kmod
  [gzip]=gzip
  [xz]=xz-utils
  [setpriv]=util-linux
  [flock]=util-linux
)
apt_updated=0
apt_update() {
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq >&2
    apt_updated=1
  fi
}
ensure_packages() {
  local missing=() cmd pkg
  for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
  done
  # The initramfs needs a statically linked busybox: the package busybox-static.
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null || true)" != installed ]]; then
    missing+=(busybox-static)
  fi
  [[ ${#missing[@]} -eq 0 ]] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}); run as root or install them"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt_update
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

# ---------------------------------------------------------------- kernel
# Prints the ABI version that the metapackage linux-image-amd64 depends on.
metapackage_version() {
  local v
  v=$(apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)-amd64$/\1/p' | head -n 1)
  if [[ -z $v ]]; then
    apt_update
    v=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)-amd64$/\1/p' | head -n 1)
  fi
  [[ -n $v ]] || die "cannot tell the kernel version from linux-image-amd64"
  echo "$v"
}

kernel_complete() { [[ -f $outdir/kernel/$1/.complete ]]; }

fetch_kernel() {
  local ver=$1 pkg="linux-image-$1-amd64" dl="$outdir/kernel/.download"
  rm -rf "$dl" "$outdir/kernel/$ver"
  mkdir -p "$dl"
  log "downloading $pkg"
  # APT::Sandbox::User=root: the _apt user may not write into OUTDIR.
  if ! (cd "$dl" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2); then
    apt_update
    (cd "$dl" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2)
  fi
  log "unpacking $pkg"
  dpkg-deb -x "$dl"/"$pkg"_*.deb "$outdir/kernel/$ver.tmp"
  rm -rf "$dl"
  local kver
  kver="$ver-amd64"
  [[ -f $outdir/kernel/$ver.tmp/boot/vmlinuz-$kver ]] || die "no vmlinuz-$kver in $pkg"
  depmod -b "$outdir/kernel/$ver.tmp" "$kver"
  extract_pvh "$outdir/kernel/$ver.tmp" "$kver"
  touch "$outdir/kernel/$ver.tmp/.complete"
  mv "$outdir/kernel/$ver.tmp" "$outdir/kernel/$ver"
}

# The bzImage is XZ-compressed; decompressing it costs ~2.5 s under TCG at every
# boot. A kernel with CONFIG_PVH boots from its plain ELF image instead, which
# qemu loads directly: unpack it once here (boot/vmlinux-KVER). Best effort.
extract_pvh() {
  local root=$1 kver=$2 off
  grep -q '^CONFIG_PVH=y' "$root/boot/config-$kver" || return 0
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$root/boot/vmlinuz-$kver" | head -n 1 | cut -d: -f1)
  [[ -n $off ]] || return 0
  # Not a pipe: xz stops reading after the stream, and tail's SIGPIPE would count.
  if xz -dc --single-stream <(tail -c +"$((off + 1))" "$root/boot/vmlinuz-$kver") \
       >"$root/boot/vmlinux-$kver" 2>/dev/null &&
     [[ "$(head -c 4 "$root/boot/vmlinux-$kver")" == $'\x7fELF' ]]; then
    return 0
  fi
  log "could not unpack the ELF kernel; booting the bzImage"
  rm -f "$root/boot/vmlinux-$kver"
}

select_kernel() {
  local ver=${CGIJAIL_VM_KERNEL:-}
  if [[ -z $ver && -f $outdir/kernel/current ]]; then
    ver=$(cat "$outdir/kernel/current")
    kernel_complete "$ver" || ver=
  fi
  [[ -n $ver ]] || ver=$(metapackage_version)
  kernel_complete "$ver" || fetch_kernel "$ver"
  echo "$ver" >"$outdir/kernel/current.tmp"
  mv "$outdir/kernel/current.tmp" "$outdir/kernel/current"
  echo "$ver"
}

# Prints the module files (relative to lib/modules/KVER) to load, dependencies first.
module_load_order() {
  local moddir=$1; shift
  local -A dep=() done_=() byname=()
  local line m d base
  while IFS= read -r line; do
    m=${line%%:*}
    dep[$m]=${line#*:}
    base=${m##*/}
    byname[${base%.ko}]=$m
  done <"$moddir/modules.dep"
  local -a order=()
  visit() {
    local path=$1 i
    [[ -n ${done_[$path]:-} ]] && return 0
    local -a deps
    read -r -a deps <<<"${dep[$path]}"
    # modules.dep lists the full closure, the deepest dependency last.
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do visit "${deps[i]}"; done
    done_[$path]=1
    order+=("$path")
  }
  for m in "$@"; do
    d=${byname[$m]:-}
    if [[ -z $d ]]; then
      # Built into the kernel: nothing to load.
      grep -q "/$m.ko\$" "$moddir/modules.builtin" || die "no module $m in $moddir"
      continue
    fi
    visit "$d"
  done
  printf '%s\n' "${order[@]}"
}

# ---------------------------------------------------------------- initrd
build_initrd() {
  local ver=$1 kver="$1-amd64"
  local moddir="$outdir/kernel/$1/lib/modules/$1-amd64"
  local busybox=/bin/busybox
  local -a mods
  mapfile -t mods < <(module_load_order "$moddir" "${wanted_modules[@]}")

  # Rebuild only when an input changed.
  local stamp
  stamp=$( {
    echo "$kver ${mods[*]}"
    sha256sum "$busybox" "$here/init.sh" "$here/stage2.sh" "${BASH_SOURCE[0]}"
  } | sha256sum | cut -d' ' -f1)
  if [[ -f $outdir/initrd.gz && "$(cat "$outdir/initrd.stamp" 2>/dev/null)" == "$stamp" ]]; then
    return 0
  fi
  log "building initrd.gz (kernel $kver; modules: ${mods[*]##*/})"

  local tree="$outdir/initrd.tree"
  rm -rf "$tree"
  mkdir -p "$tree"/{bin,dev,proc,sys,host,rw,newroot,modules}
  cp "$busybox" "$tree/bin/busybox"
  ln -s busybox "$tree/bin/sh"
  install -m 0755 "$here/init.sh" "$tree/init"
  install -m 0755 "$here/stage2.sh" "$tree/stage2"
  local m n=0
  : >"$tree/modules/order"
  for m in "${mods[@]}"; do
    n=$((n + 1))
    local name
    name=$(printf '%02d-%s' "$n" "$(basename "$m")")
    cp "$moddir/$m" "$tree/modules/$name"
    echo "$name" >>"$tree/modules/order"
  done
  # No /dev/console here: the kernel's built-in initramfs already has it.
  (cd "$tree" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
     cpio --null --create --format=newc --owner=0:0 --quiet) |
    gzip -6 -n >"$outdir/initrd.gz.tmp"
  mv "$outdir/initrd.gz.tmp" "$outdir/initrd.gz"
  echo "$stamp" >"$outdir/initrd.stamp"
  rm -rf "$tree"
}

# OUTDIR/kernel.img: what qemu boots, the ELF image if there is one.
link_kernel() {
  local ver=$1 kver="$1-amd64" img
  img="kernel/$ver/boot/vmlinux-$kver"
  [[ -f $outdir/$img ]] || img="kernel/$ver/boot/vmlinuz-$kver"
  ln -sfn "$img" "$outdir/kernel.img"
}

# ---------------------------------------------------------------- main
exec 9>"$outdir/.prepare.lock"
flock 9
ensure_packages
mkdir -p "$outdir/kernel"
# Run directories left by a run-in-guest.sh that was SIGKILLed.
if [[ -d $outdir/tmp ]]; then
  find "$outdir/tmp" -mindepth 1 -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} +
fi
ver=$(select_kernel)
build_initrd "$ver"
link_kernel "$ver"
log "ready: $outdir (kernel $ver-amd64)"
