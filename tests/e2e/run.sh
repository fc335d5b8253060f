#!/usr/bin/env bash
# run.sh - cgijail's end-to-end suite: the Debian package as an admin
# installs it, behind real web servers on 127.0.0.1, driven by real clients.
#
#   bash tests/e2e/run.sh [--keep] [--replace] [--deb FILE] [PART...]
#
# As root on Debian 12.  Builds the Debian package with
# packaging/build-packages.sh into a temporary directory (or takes --deb
# FILE), installs it with apt-get (which makes it Apache's suexec), runs the
# parts (default: all, in this order):
#   apache     Apache 2.4, mpm_event + mod_cgid and mpm_prefork + mod_cgi
#   hg         Mercurial's hgweb through Apache: hg clone and hg push
#   frontends  lighttpd, nginx + fcgiwrap, python3 -m http.server --cgi
#   lifecycle  a tenant created, served, deleted, pruned
# and purges the package again (--keep leaves it installed).  An installed
# cgijail package stops the suite, unless --replace: then it is purged
# first, with its policy.  Installs the web servers and tools it needs with
# apt-get.  Everything it makes (users cjte*, uids 62800-62899, ports
# 18800-18899, drop-ins, cgroups below cgijail-test/e2e, servers, temporary
# files) is removed at exit, on failure and interruption too.  Prints TAP
# and "N passed, N failed"; exits 1 when a check failed.  No check is
# skipped: one that cannot run fails (CI=true or not).  tests/e2e/README.md
# has the details.
set -euo pipefail
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
keep=0 replace=0 deb="" parts=()
while (($#)); do
  case $1 in
  --keep) keep=1 ;;
  --replace) replace=1 ;;
  --deb) deb=${2:?--deb needs a file}; shift ;;
  -h | --help) usage; exit 0 ;;
  apache | hg | frontends | lifecycle) parts+=("$1") ;;
  *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
((${#parts[@]})) || parts=(apache hg frontends lifecycle)
[[ $(id -u) -eq 0 ]] || { echo "run.sh: run as root (it installs a package, users and servers)" >&2; exit 2; }
command -v dpkg-query >/dev/null || { echo "run.sh: needs Debian (dpkg, apt-get)" >&2; exit 2; }
if [[ -n $deb ]]; then deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb"); fi

W=$(mktemp -d /tmp/cgijail-e2e.XXXXXX)
chmod 0755 "$W" # the web servers' users reach their sockets and configs here
CG_PARENT=cgijail-test/e2e
# 127.0.0.1 ports: Apache's three vhosts, lighttpd, nginx, http.server
P_SITE=18801 P_LIMITS=18802 P_HG=18803 P_LIGHTTPD=18811 P_NGINX=18821 P_HTTPSERVER=18831
PORTS=("$P_SITE" "$P_LIMITS" "$P_HG" "$P_LIGHTTPD" "$P_NGINX" "$P_HTTPSERVER")
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
for f in apache hg frontends lifecycle; do
  # shellcheck source=/dev/null
  . "$here/$f.sh"
done

finished=0
exec 5>&1 6>&2 # the suite's stdout and stderr, for finish (a check redirects them)
finish() {
  local rc=$?
  trap - EXIT INT TERM
  exec 1>&5 2>&6
  if ((finished == 0)); then
    ((rc == 0)) || ok 1 "the suite ran to its end (it stopped with status $rc)"
    step "cleaning up"
    run_cleanup
  fi
  remove_cgroups
  if [[ -n ${CGIJAIL_E2E_KEEP_TMP:-} ]]; then diag "kept $W"; else rm -rf "$W"; fi
  echo "1..$n"
  local extra=""
  ((known == 0)) || extra+=", $known known bugs (TODO)"
  echo "$((n - fails - known)) passed, $fails failed$extra ($((SECONDS - T0)) s)"
  ((fails == 0)) || exit 1
  exit 0
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- preconditions --------------------------------------------------------------------
step "preconditions"
pkg_status=$(dpkg-query -W -f='${db:Status-Status}' cgijail 2>/dev/null || true)
if [[ -n $pkg_status && $pkg_status != not-installed ]]; then
  if ((replace == 0)); then
    echo "run.sh: the cgijail package is already installed ($pkg_status); the suite installs" \
      "and purges its own build: remove it first (apt-get purge cgijail) or use --replace" >&2
    exit 2
  fi
  step "--replace: apt-get purge cgijail"
  rm -f /etc/cgijail/users.d/cjte*.conf
  apt-get purge -y -qq cgijail </dev/null >"$W/purge0.log" 2>&1 || { cat "$W/purge0.log"; exit 2; }
fi
mapfile -t stale < <(stale_users)
for u in "${stale[@]}"; do
  diag "removing user $u left by an earlier run"
  del_user "$u"
done
for p in "${PORTS[@]}"; do
  port_free "$p" || { echo "run.sh: port $p is in use" >&2; exit 2; }
done
apt_install apache2 apache2-suexec-custom mercurial lighttpd nginx fcgiwrap curl python3 \
  procps util-linux passwd

# ---- the package ---------------------------------------------------------------------
if [[ -z $deb ]]; then
  step "building the packages (packaging/build-packages.sh; 30-90 s)"
  t0=$SECONDS
  if bash "$top/packaging/build-packages.sh" "$W/artifacts" >"$W/build.log" 2>&1 </dev/null; then
    ok 0 "packaging/build-packages.sh builds the packages ($((SECONDS - t0)) s)"
  else
    tail -n 40 "$W/build.log" | sed 's/^/# /'
    ok 1 "packaging/build-packages.sh builds the packages"
    exit 1
  fi
  deb=$(ls "$W"/artifacts/cgijail_*_*.deb)
fi
step "apt-get install $deb"
on_exit "purge_package"
if apt-get install -y -qq "$deb" </dev/null >"$W/install.log" 2>&1; then
  ok 0 "apt-get install ./$(basename "$deb") succeeds"
else
  tail -n 30 "$W/install.log" | sed 's/^/# /'
  ok 1 "apt-get install ./$(basename "$deb") succeeds"
  exit 1
fi
purge_package() {
  rm -f /etc/cgijail/users.d/cjte*.conf
  if ((keep)); then
    diag "--keep: the cgijail package stays installed"
    return 0
  fi
  step "apt-get purge cgijail"
  local alt
  if apt-get purge -y -qq cgijail </dev/null >"$W/purge.log" 2>&1; then
    ok 0 "apt-get purge cgijail succeeds"
  else
    sed 's/^/# /' "$W/purge.log"; ok 1 "apt-get purge cgijail succeeds"
  fi
  alt=$(update-alternatives --query suexec 2>/dev/null | sed -n 's/^Value: //p')
  t "after the purge /usr/lib/apache2/suexec is suexec-custom again (it is: $alt)" \
    test "$alt" = /usr/lib/apache2/suexec-custom
}
alt=$(update-alternatives --query suexec | sed -n 's/^Value: //p')
t "the package's suexec alternative wins over suexec-custom (/usr/lib/apache2/suexec -> $alt)" \
  test "$alt" = /usr/lib/cgijail/cgijail
t "the wrapper is installed 4754 root:www-data" \
  test "$(stat -c '%a %U:%G' /usr/lib/cgijail/cgijail)" = "4754 root:www-data"
t "cgijail-check policy accepts the packaged policy" cgijail-check policy
t "the packaged policy logs to $LOG_FILE" grep -Eq "^log_file = $LOG_FILE( |$)" /etc/cgijail/cgijail.conf
if [[ -S /dev/log ]]; then
  diag "a syslog daemon listens on /dev/log: cgijail's authpriv records go there too"
else
  diag "no syslog daemon (/dev/log is missing): the reasons are in $LOG_FILE and the servers' logs"
fi

# ---- the parts ---------------------------------------------------------------------------
for part in "${parts[@]}"; do
  "part_$part"
done

step "cleaning up"
finished=1
run_cleanup
