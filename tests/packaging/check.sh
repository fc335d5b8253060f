#!/usr/bin/env bash
# check.sh - build cgijail's Debian package and RPM with
# packaging/build-packages.sh into a temporary artifacts directory and check
# what an administrator gets: owners and modes, the suexec alternative,
# conffiles, Built-Using, the policy, man pages, lintian and rpmlint
# verdicts; then install, remove and purge the Debian package in a
# throwaway overlay of this machine (install-in-overlay.sh).
#
# As root, no stdin (CI).  Prints TAP; exit status 0 when every check passed.
# The overlay part needs overlayfs and unshare; where they are missing it is
# reported as a skip, and with CI=true as a failure.
# CGIJAIL_PKG_SOURCE (head or worktree) is passed on to build-packages.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "not ok 1 - check.sh needs root (build-packages.sh does)"; exit 1; }

if ! command -v cpio >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cpio </dev/null >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cgijail-pkgcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
art=$work/artifacts

# shellcheck source=tests/packaging/tap.sh
. "$here/tap.sh"
has_line() { grep -Eq -- "$2" <<<"$1"; } # TEXT ERE
has_fixed() { grep -Fq -- "$2" <<<"$1"; } # TEXT STRING
lacks_line() { ! grep -Eq -- "$2" <<<"$1"; } # TEXT ERE

t0=$SECONDS
if bash "$top/packaging/build-packages.sh" "$art" >"$work/build.log" 2>&1 </dev/null; then
  ok 0 "build-packages.sh builds both packages ($((SECONDS - t0)) s)"
else
  sed 's/^/# /' "$work/build.log"
  ok 1 "build-packages.sh builds both packages"
  echo "1..$n"
  exit 1
fi

deb=$(ls "$art"/cgijail_*_*.deb)
rpm=$(ls "$art"/cgijail-[0-9]*.rpm)

# ---- Debian ---------------------------------------------------------------------
list=$(dpkg-deb -c "$deb")
info=$(dpkg-deb -I "$deb")
t "deb: the wrapper is 4754 root/www-data in /usr/lib/cgijail" \
  has_line "$list" '^-rwsr-xr-- root/www-data .* \./usr/lib/cgijail/cgijail$'
t "deb: cgijail-check is 0755 root/root in /usr/sbin" \
  has_line "$list" '^-rwxr-xr-x root/root .* \./usr/sbin/cgijail-check$'
t "deb: the cgroup holder is shipped" has_line "$list" ' \./usr/lib/cgijail/cgijail-cgroup-holder$'
t "deb: the zygote program is 0644 root/root in /usr/lib/cgijail (where cgijail looks)" \
  has_line "$list" '^-rw-r--r-- root/root .* \./usr/lib/cgijail/cgijail-zygote\.py$'
t "deb: cgijail.service is shipped" has_line "$list" ' \./lib/systemd/system/cgijail\.service$'
for m in man8/cgijail.8.gz man8/cgijail-check.8.gz man5/cgijail.conf.5.gz; do
  t "deb: man page $m" has_line "$list" " \./usr/share/man/$m\$"
done
for d in etc/cgijail/users.d var/lib/cgijail var/log/cgijail; do
  t "deb: /$d is a 0755 root/root directory" has_line "$list" "^drwxr-xr-x root/root .* \./$d/\$"
done
t "deb: /etc/logrotate.d/cgijail is shipped" has_line "$list" ' \./etc/logrotate\.d/cgijail$'
t "deb: the tmpfiles.d entry is shipped" has_line "$list" ' \./usr/lib/tmpfiles\.d/cgijail\.conf$'

conffiles=$(dpkg-deb -I "$deb" conffiles)
t "deb: conffiles list /etc/cgijail/cgijail.conf" has_line "$conffiles" '^/etc/cgijail/cgijail\.conf$'
want_bu=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' libcgroup-dev)
t "deb: Built-Using names libcgroup ($want_bu)" \
  has_fixed "$(sed -n 's/^ Built-Using: //p' <<<"$info")" "$want_bu"

postinst=$(dpkg-deb -I "$deb" postinst)
prerm=$(dpkg-deb -I "$deb" prerm)
prio=$(sed -n 's|.*update-alternatives --install /usr/lib/apache2/suexec suexec /usr/lib/cgijail/cgijail \([0-9]*\).*|\1|p' <<<"$postinst")
t "deb: postinst registers the suexec alternative for /usr/lib/apache2/suexec" test -n "$prio"
t "deb: ... with the man page slave suexec.8.gz -> cgijail.8.gz" \
  has_line "$postinst" '--slave /usr/share/man/man8/suexec\.8\.gz suexec\.8\.gz /usr/share/man/man8/cgijail\.8\.gz'
# Debian's own suexec packages register priority 10; read it from theirs
# when they are installed here.
theirs=10
for f in /var/lib/dpkg/info/apache2-suexec-*.postinst; do
  [[ -e $f ]] || continue
  p=$(sed -n 's|.*update-alternatives --install /usr/lib/apache2/suexec suexec [^ ]* \([0-9]*\).*|\1|p' "$f")
  [[ -n $p && $p -gt $theirs ]] && theirs=$p
done
t "deb: ... at priority ${prio:-?}, above apache2-suexec-pristine/custom ($theirs)" \
  test "${prio:-0}" -gt "$theirs"
# shellcheck disable=SC2016 # the literal line of the maintainer script
t "deb: prerm removes the alternative on remove" \
  has_fixed "$(grep -A1 -F 'if [ "$1" = "remove" ]; then' <<<"$prerm")" \
  'update-alternatives --remove suexec /usr/lib/cgijail/cgijail'

mkdir "$work/deb-root"
dpkg-deb -x "$deb" "$work/deb-root"
t "deb: the wrapper does not load libcgroup.so (static, hence Built-Using)" \
  lacks_line "$(objdump -p "$work/deb-root/usr/lib/cgijail/cgijail")" 'NEEDED.*libcgroup'
conf=$(cat "$work/deb-root/etc/cgijail/cgijail.conf")
for kv in 'caller = www-data' 'docroot = /var/www' 'userdir = public_html' 'min_uid = 1000' \
          'interpreter = /usr/bin/python3' 'log_file = /var/log/cgijail/cgijail.log' \
          'cgroup_parent = system.slice/cgijail.service/requests'; do
  t "deb: the policy sets $kv" has_line "$conf" "^$kv( |\$)"
done
key_lines=$(grep -Ec '^[a-z_]+ *=' <<<"$conf")
commented=$(grep -Ec '^[a-z_]+ *=.*#' <<<"$conf")
t "deb: every key of the policy has a comment ($commented of $key_lines)" test "$key_lines" -eq "$commented"
# cgijail-check validates the policy only in a root-owned directory that
# nobody else can write, as the wrapper does.
check_shipped_policy() { # ROOT CONF
  local cfg out
  cfg=$(mktemp -d /root/cgijail-pkgcheck.XXXXXX)
  chmod 0755 "$cfg" && mkdir -m 0755 "$cfg/users.d" && install -m 0644 "$2" "$cfg/cgijail.conf"
  out=$("$1" --config-dir "$cfg" policy 2>&1)
  rm -rf "$cfg"
  [[ $out == "$cfg/cgijail.conf: ok" ]] || { echo "# $out"; return 1; }
}
t "deb: the shipped cgijail-check accepts the shipped policy" \
  check_shipped_policy "$work/deb-root/usr/sbin/cgijail-check" "$work/deb-root/etc/cgijail/cgijail.conf"
unit=$(cat "$work/deb-root/lib/systemd/system/cgijail.service")
t "deb: cgijail.service starts the holder in /usr/lib/cgijail" \
  has_line "$unit" '^ExecStart=/usr/lib/cgijail/cgijail-cgroup-holder$'
lint=$(cat "$art/lintian.txt")
t "deb: lintian reports no error and no warning" lacks_line "$lint" '^[EW]: '
overrides=$(grep -c '^O: ' <<<"$lint" || true)
echo "# lintian: $overrides overridden tags (justified in packaging/deb/cgijail.lintian-overrides)"

# ---- RPM --------------------------------------------------------------------------
dump=$(rpm -qlp --dump "$rpm")
t "rpm: the wrapper is 4750 root apache in /usr/libexec/cgijail" \
  has_line "$dump" '^/usr/libexec/cgijail/cgijail [0-9]+ [0-9]+ [0-9a-f]+ 0104750 root apache '
t "rpm: cgijail-check is 0755 root root in /usr/sbin" \
  has_line "$dump" '^/usr/sbin/cgijail-check [0-9]+ [0-9]+ [0-9a-f]+ 0100755 root root '
for m in man8/cgijail.8.gz man8/cgijail-check.8.gz man5/cgijail.conf.5.gz; do
  t "rpm: man page $m" has_line "$dump" "^/usr/share/man/$m "
done
t "rpm: /etc/cgijail/cgijail.conf is a config file" \
  has_line "$(rpm -qp --configfiles "$rpm")" '^/etc/cgijail/cgijail\.conf$'
mkdir "$work/rpm-root"
(cd "$work/rpm-root" && rpm2cpio "$rpm" | cpio -idm --quiet)
rconf=$(cat "$work/rpm-root/etc/cgijail/cgijail.conf")
for kv in 'caller = apache' 'docroot = /var/www' 'min_uid = 1000' \
          'log_file = /var/log/cgijail/cgijail.log'; do
  t "rpm: the policy sets $kv" has_line "$rconf" "^$kv( |\$)"
done
t "rpm: cgijail.service starts the holder in /usr/libexec/cgijail" \
  has_line "$(cat "$work/rpm-root/usr/lib/systemd/system/cgijail.service")" \
  '^ExecStart=/usr/libexec/cgijail/cgijail-cgroup-holder$'
t "rpm: the zygote program is in /usr/libexec/cgijail" \
  test -f "$work/rpm-root/usr/libexec/cgijail/cgijail-zygote.py"
t "rpm: README.Fedora says how httpd is pointed at the wrapper" \
  grep -q 'BindReadOnlyPaths=/usr/libexec/cgijail/cgijail:/usr/sbin/suexec' \
  "$work/rpm-root/usr/share/doc/cgijail/README.Fedora"
reqs=$(rpm -qp --requires "$rpm")
t "rpm: requires python3" has_line "$reqs" '^python3$'
t "rpm: requires httpd-filesystem (the apache group) before install" has_line "$reqs" '^httpd-filesystem$'
t "rpm: rpmlint is clean apart from cgijail.rpmlintrc's filters" \
  grep -q ' 0 errors, 0 warnings' "$art/rpmlint.txt"

# ---- install, remove, purge (Debian) -----------------------------------------------
overlay=false
if command -v unshare >/dev/null; then
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems && overlay=true
fi
if $overlay; then
  rc=0
  unshare --mount --propagation private bash "$here/install-in-overlay.sh" "$deb" \
    >"$work/overlay.tap" 2>&1 || rc=$?
  sed 's/^/# overlay: /' "$work/overlay.tap"
  t "deb: install, takeover of the suexec alternative, removal and purge in an overlay root" \
    test "$rc" -eq 0
elif [[ ${CI:-} == true ]]; then
  ok 1 "deb: install test in an overlay root (no overlayfs or unshare here)"
else
  n=$((n + 1))
  echo "ok $n - deb: install test in an overlay root # SKIP no overlayfs or unshare here"
fi

echo "1..$n"
[[ $fails -eq 0 ]]
