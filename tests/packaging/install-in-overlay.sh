#!/usr/bin/env bash
# install-in-overlay.sh DEB - install, remove and purge the Debian package in
# a throwaway copy-on-write view of this machine, and check what dpkg, the
# maintainer scripts and the installed wrapper do.  Called by check.sh as
#   unshare --mount --propagation private bash install-in-overlay.sh DEB
# The view is an overlayfs mount whose lower layer is / (read-only) and whose
# upper layer is a scratch directory, visible only in this private mount
# namespace: dpkg's database, the alternatives and every file the package
# installs land in the scratch directory, which is deleted at the end.
# Nothing of the machine's own installation changes.  The view has no
# systemd running (/run/systemd is hidden), as on hosts without systemd.
# Prints TAP lines; exit status 0 when every check passed.
set -euo pipefail

deb=$(realpath "$1")
other_uid=62701   # from the test range: a user that is not www-data

[[ $(id -u) -eq 0 ]] || { echo "not ok 1 - needs root"; exit 1; }
# Refuse to run in the machine's own mount namespace: the mounts below must
# vanish with this process.
[[ $(readlink /proc/self/ns/mnt) != "$(readlink /proc/1/ns/mnt)" ]] ||
  { echo "not ok 1 - run me under unshare --mount --propagation private"; exit 1; }

# The upper layer on a tmpfs of this namespace: the lower layer (/) then
# shows the mount point as the empty directory it is on disk.
scratch=$(mktemp -d /var/tmp/cgijail-overlay.XXXXXX)
cleanup() {
  umount -R "$scratch" 2>/dev/null || true
  rmdir "$scratch"
}
trap cleanup EXIT
mount -t tmpfs -o mode=0700 cgijail-overlay "$scratch"
root=$scratch/root
mkdir "$scratch/upper" "$scratch/work" "$root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
rm -rf "$root/run/systemd"

# shellcheck source=tests/packaging/tap.sh
. "$(dirname "$0")/tap.sh"
in_root() { chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
alt_value() { in_root update-alternatives --query suexec 2>/dev/null | sed -n 's/^Value: //p'; }
mode_is() { [[ $(stat -c '%a %U %G' "$root/$1") == "$2" ]]; }
leads_to() { [[ $(in_root readlink -f "$1") == "$2" ]]; }
dpkg_logged() { # NAME ARGS...: dpkg in the view, its output as TAP comments on failure
  local name=$1; shift
  if in_root dpkg "$@" >"$scratch/$name.log" 2>&1 </dev/null; then return 0; fi
  sed 's/^/# /' "$scratch/$name.log"
  return 1
}

# Something for cgijail to take over from: Debian's suexec-custom or
# -pristine when installed here, otherwise a stand-in registered as they
# register themselves (priority 10).
if [[ -z $(alt_value) ]]; then
  mkdir -p "$root/usr/lib/apache2"
  install -m 4754 -o root -g www-data /dev/null "$root/usr/lib/apache2/suexec-standin"
  in_root update-alternatives --quiet --install /usr/lib/apache2/suexec suexec \
    /usr/lib/apache2/suexec-standin 10
fi
before=$(alt_value)
echo "# suexec alternative before: $before"
cp "$deb" "$root/tmp/cgijail.deb"

t "dpkg -i succeeds without systemd" dpkg_logged install -i /tmp/cgijail.deb
alt_is_cgijail() {
  local q
  q=$(in_root update-alternatives --query suexec) &&
    grep -qx 'Value: /usr/lib/cgijail/cgijail' <<<"$q" && grep -qx 'Status: auto' <<<"$q"
}
t "the suexec alternative is cgijail, in auto mode (was '$before')" alt_is_cgijail
t "/usr/lib/apache2/suexec leads to /usr/lib/cgijail/cgijail" \
  leads_to /usr/lib/apache2/suexec /usr/lib/cgijail/cgijail
t "the suexec.8.gz slave leads to cgijail.8.gz" \
  leads_to /usr/share/man/man8/suexec.8.gz /usr/share/man/man8/cgijail.8.gz
t "the installed wrapper is 4754 root:www-data" mode_is usr/lib/cgijail/cgijail "4754 root www-data"
for d in etc/cgijail etc/cgijail/users.d var/lib/cgijail var/log/cgijail; do
  t "/$d is 0755 root:root" mode_is "$d" "755 root root"
done
t "cgijail.service is enabled for the next boot with systemd" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/cgijail.service"
conffile_recorded() {
  # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
  in_root dpkg-query -W -f='${Conffiles}\n' cgijail | grep -q '^ /etc/cgijail/cgijail.conf '
}
t "dpkg records /etc/cgijail/cgijail.conf as a conffile" conffile_recorded

policy_ok() { [[ $(in_root cgijail-check policy 2>&1) == "/etc/cgijail/cgijail.conf: ok" ]]; }
t "cgijail-check policy accepts the shipped policy" policy_ok
# As USER (no capabilities: setpriv keeps root's until its own exec, so the
# wrapper is started by a shell running as USER, as Apache starts it).
as_user() { # USER GROUP PROGRAM ARGS...
  local u=$1 g=$2; shift 2
  in_root setpriv --reuid "$u" --regid "$g" --clear-groups /bin/sh -c 'exec "$@"' sh "$@"
}
version_as_www_data() {
  local out
  out=$(as_user www-data www-data /usr/lib/apache2/suexec -V) &&
    grep -qx 'policy: /etc/cgijail/cgijail.conf' <<<"$out" &&
    grep -qx 'state_dir: /var/lib/cgijail' <<<"$out"
}
t "www-data runs the wrapper through the alternative (-V)" version_as_www_data
exec_denied_to_others() {
  local rc=0
  as_user "$other_uid" "$other_uid" /usr/lib/apache2/suexec -V >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 126 ]]
}
t "a user outside group www-data cannot execute it" exec_denied_to_others

t "dpkg -r succeeds" dpkg_logged remove -r cgijail
alt_restored() { [[ $(alt_value) == "$before" ]]; }
t "removal gives the suexec alternative back to '$before'" alt_restored
removed_kept() { [[ ! -e $root/usr/lib/cgijail/cgijail && -f $root/etc/cgijail/cgijail.conf ]]; }
t "removal takes the wrapper and keeps the policy" removed_kept

t "dpkg -P succeeds" dpkg_logged purge -P cgijail
purged() {
  [[ ! -e $root/etc/cgijail && ! -e $root/var/log/cgijail && ! -e $root/var/lib/cgijail &&
     ! -e $root/etc/systemd/system/multi-user.target.wants/cgijail.service ]]
}
t "purge leaves no /etc/cgijail, /var/log/cgijail, /var/lib/cgijail or unit link" purged

# A host without Apache: no suexec alternative, no /usr/lib/apache2.
in_root update-alternatives --remove-all suexec >/dev/null 2>&1 || true
rm -rf "$root/usr/lib/apache2"
t "without Apache: dpkg -i succeeds" dpkg_logged install-noapache -i /tmp/cgijail.deb
t "without Apache: the suexec alternative is cgijail" alt_is_cgijail
t "without Apache: dpkg -P succeeds" dpkg_logged purge-noapache -P cgijail
alt_gone() { ! in_root update-alternatives --query suexec >/dev/null 2>&1; }
t "without Apache: purge leaves no suexec alternative" alt_gone

echo "1..$n"
[[ $fails -eq 0 ]]
