#!/usr/bin/env bash
# Requests per second and latency of a Python CGI script served by a real
# Apache 2.4 under concurrency, through Apache's suexec-custom and through
# cgijail (every sandbox layer off; the default sandbox; the default sandbox
# in warm mode), the way users see it.
#
#   bench/apache.sh                    5 rounds x 500 requests, c = 1 2 8
#   BENCH_ROUNDS=3 BENCH_N=200 BENCH_CONC=2 bench/apache.sh   a smoke run
#   BENCH_SCRIPTS="hello heavy" bench/apache.sh   also the import-heavy script
#   BENCH_MPM=prefork bench/apache.sh  mpm_prefork + mod_cgi (default:
#                                           mpm_event + mod_cgid)
#   BENCH_DOC=docs/performance.md bench/apache.sh   also write the table
#                                           into that file, in a section of its own
#   bench/apache.sh --profile DIR      no table: load one row (the default
#                                           sandbox unless BENCH_PROFILE_ROW
#                                           says otherwise) and record where the
#                                           time goes (perf, perf sched, strace)
#                                           into DIR; same as bench/profile.sh DIR
#   bench/apache.sh --in-guest         the same in the cgroup v2 qemu guest
#                                           of tests/vm (small defaults; add
#                                           CGIJAIL_VM_ACCEL=tcg where nested
#                                           KVM fails)
# How to read the results and the profile: docs/apache-bench.md.
#
# Settings (environment):
#   BENCH_ROWS="suexec floor off default warm"  the rows to run (suexec
#                         always runs: it is what the others are compared with)
#   BENCH_ROUNDS=5        rounds; each round runs every row once per script and
#                         concurrency, the rows' order rotating by one per round
#   BENCH_N=500           requests per row, concurrency and round (hello.py)
#   BENCH_N_HEAVY=100     the same for heavy.py
#   BENCH_CONC="1 2 8"    concurrency levels (ab -c)
#   BENCH_SCRIPTS=hello   hello (4 lines) and/or heavy (imports ~150 modules
#                         of the standard library: email, json, http.cookies,
#                         urllib, xml.dom.minidom, sqlite3, logging, ...)
#   BENCH_MPM=event       event (mod_cgid) or prefork (mod_cgi)
#   BENCH_PORT=18900      the rows listen on 127.0.0.1:BENCH_PORT, +1, +2, +3
#   BENCH_AB_TIMEOUT=300  seconds one ab run may take (ab -t; the row is
#                         invalid when it did not complete its requests)
#   BENCH_IDLE_WAIT=300   wait up to this long for the 1-minute load average
#                         to drop below 1 before measuring (0: start at once)
#   BENCH_DOC=            a Markdown file to write the results section into
#   BENCH_PROFILE_SECONDS=10  --profile: seconds of each recording
#   BENCH_PROFILE_CONC=2  --profile: ab concurrency of the load
#   BENCH_PROFILE_ROW=default  --profile: the row to load (suexec, off, default, warm)
#   BENCH_PROFILE_SCRIPT=hello --profile: the script (hello, heavy)
#   BENCH_NO_BUILD=1      use build-bench/bin/cgijail as it is (the guest
#                         cannot write the tree)
#
# It builds build-bench/ exactly as bench/run.sh does (compiled-in policy dir
# /var/lib/cgijail-bench/etc, run dir /run/cgijail-bench, state dir
# /var/lib/cgijail-bench/state, zygote program
# /var/lib/cgijail-bench/lib/cgijail-zygote.py) and installs the wrapper as
# /var/lib/cgijail-bench/bin/cgijail, root:www-data 4754 like Debian's suexec,
# and the zygote program root:root 0644.
# Apache only ever runs /usr/lib/apache2/suexec, so every row runs its own
# Apache (own ServerRoot in a temporary directory) in its own mount namespace
# (unshare -m --propagation private) where the wrapper under test is
# bind-mounted over /usr/lib/apache2/suexec, a private directory over
# /etc/apache2/suexec (suexec-custom's docroot: the bench's) and another over
# /var/log/apache2 (suexec.log). The global suexec alternative and every file
# outside the bench's directories stay as they are.
#
# Rows (one bench user each, uid/gid 62900-62903, docroot
# /var/lib/cgijail-bench/www/<user>):
#   suexec   cjtabsx   Apache's suexec-custom
#   off      cjtaboff  cgijail, users.d/cjtaboff.conf: cgroup, seccomp,
#                      landlock off
#   default  cjtabdef  cgijail, the shipped defaults (no drop-in); cgroups
#                      below cgijail-test/apachebench in every hierarchy
#   floor    cjtabsx   not a wrapper: suexec-custom running floor.cgi, a
#                      static C program that answers what hello.py answers
#                      (measured with hello.py only): what the CGI path
#                      itself (ab, Apache, mod_cgid, a setuid exec) costs,
#                      the ceiling of any wrapper's req/s on this machine
#   warm     cjtabwarm cgijail, the shipped sandbox in warm mode:
#                      users.d/cjtabwarm.conf sets [warm] enabled = yes and
#                      preload = the modules heavy.py imports (every other
#                      [warm] key at its default); the tenant's zygotes
#                      start on the warm-up requests and are killed (by pid,
#                      from the bench's own cgroups) on exit
# cgijail's log_file is /var/lib/cgijail-bench/log/cgijail.log; every round
# checks that the wrapper under test wrote exactly one successful record (or
# suexec.log line) per request, and that ab saw no failed and no non-2xx
# response of the expected length; a row that fails any check is reported
# invalid, never as fast.
#
# Exit status: 0 when every row was valid, 3 when some row was invalid (the
# table says why), anything else on a setup failure. Everything it creates
# (users, Apache instances, mounts, cgroups, /var/lib/cgijail-bench,
# /run/cgijail-bench, the temporary directory) is removed on exit, failures
# and Ctrl-C included; build-bench/ stays.
# The helpers below are called through the EXIT trap and by name.
# shellcheck disable=SC2317
set -euo pipefail

prog=apache.sh
die() { echo "$prog: $*" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "run as root (bench/apache.sh as root)"
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=measure
profile_dir=""
while [ "$#" -gt 0 ]; do
  case $1 in
    --in-guest) mode=guest; shift ;;
    --profile)
      [ "$#" -ge 2 ] || die "--profile needs a directory"
      mode=profile; profile_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

top=/var/lib/cgijail-bench
rundir=/run/cgijail-bench
zygote=$top/lib/cgijail-zygote.py   # compiled into build-bench (bench/run.sh too)
cg_parent=cgijail-test/apachebench
caller=www-data
py=/usr/bin/python3
report_py=$src/bench/apache_report.py
suexec_custom=/usr/lib/apache2/suexec-custom
suexec_link=/usr/lib/apache2/suexec
suexec_confdir=/etc/apache2/suexec
apache_logdir=/var/log/apache2
apache_bin=/usr/sbin/apache2
modules=/usr/lib/apache2/modules
in_vm=${CGIJAIL_VM:-0}

rounds=${BENCH_ROUNDS:-5}
n_hello=${BENCH_N:-500}
n_heavy=${BENCH_N_HEAVY:-100}
conc=${BENCH_CONC:-1 2 8}
scripts=${BENCH_SCRIPTS:-hello}
mpm=${BENCH_MPM:-event}
port_base=${BENCH_PORT:-18900}
ab_timeout=${BENCH_AB_TIMEOUT:-300}
idle_wait=${BENCH_IDLE_WAIT:-300}
doc=${BENCH_DOC:-}
prof_secs=${BENCH_PROFILE_SECONDS:-10}
prof_conc=${BENCH_PROFILE_CONC:-2}
prof_row=${BENCH_PROFILE_ROW:-default}
prof_script=${BENCH_PROFILE_SCRIPT:-hello}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in rounds n_hello n_heavy port_base ab_timeout idle_wait prof_secs prof_conc; do
  is_uint "${!v}" || die "$v must be a number, got '${!v}'"
done
if [ "$rounds" -lt 1 ] || [ "$n_hello" -lt 1 ] || [ "$n_heavy" -lt 1 ]; then
  die "BENCH_ROUNDS, BENCH_N and BENCH_N_HEAVY must be at least 1"
fi
if [ "$port_base" -lt 1024 ] || [ "$port_base" -gt 65532 ]; then die "BENCH_PORT out of range"; fi
read -r -a conc_list <<<"$conc"
[ "${#conc_list[@]}" -ge 1 ] || die "BENCH_CONC is empty"
for c in "${conc_list[@]}"; do
  if ! is_uint "$c" || [ "$c" -lt 1 ]; then die "BENCH_CONC: '$c' is not a concurrency"; fi
done
read -r -a script_list <<<"$scripts"
[ "${#script_list[@]}" -ge 1 ] || die "BENCH_SCRIPTS is empty"
for s in "${script_list[@]}"; do
  case $s in hello|heavy) ;; *) die "BENCH_SCRIPTS: unknown script '$s' (hello, heavy)" ;; esac
done
case $mpm in
  event) cgi_module="cgid_module $modules/mod_cgid.so" ;;
  prefork) cgi_module="cgi_module $modules/mod_cgi.so" ;;
  *) die "BENCH_MPM must be event or prefork, got '$mpm'" ;;
esac

# The modules heavy.py imports (write_scripts below), and the warm row's preload.
heavy_imports=(argparse base64 calendar csv dataclasses datetime decimal
  email.message email.parser email.policy email.utils gettext hashlib hmac html
  http.client http.cookies inspect json logging mimetypes sqlite3 string textwrap
  urllib.parse urllib.request uuid xml.dom.minidom xml.etree.ElementTree)
# The rows: key, user (= group), uid (= gid), label; row_conf: the user's
# drop-in (none when empty).
rows=(
  "suexec  cjtabsx   62900 suexec-custom"
  "off     cjtaboff  62901 cgijail, sandbox layers off"
  "default cjtabdef  62902 cgijail, default sandbox"
  "warm    cjtabwarm 62903 cgijail, default sandbox, warm mode"
)
declare -A row_conf=(
  [off]=$'[sandbox]\ncgroup = off\nseccomp = off\nlandlock = off'
  [warm]=$'[warm]\nenabled = yes\npreload = '"${heavy_imports[*]}"
)
want_rows=" suexec ${BENCH_ROWS:-floor off default warm} "
row_keys=()
declare -A row_user row_uid row_label row_port row_wrapper row_pid row_sr row_ino
i=0
for r in "${rows[@]}"; do
  read -r key u id label <<<"$r"
  row_port[$key]=$((port_base + i))   # fixed per row, whichever rows run
  i=$((i + 1))
  [[ $want_rows == *" $key "* ]] || continue
  row_keys+=("$key")
  row_user[$key]=$u row_uid[$key]=$id row_label[$key]=$label
done
floor=0
for k in $want_rows; do
  if [ "$k" = floor ]; then floor=1; continue; fi
  [ -n "${row_user[$k]:-}" ] || die "BENCH_ROWS: unknown row '$k' (suexec floor off default warm)"
done
row_label[floor]="floor: suexec-custom, a static C program"
if [ "$mode" = profile ] && [ -z "${row_user[$prof_row]:-}" ]; then
  die "BENCH_PROFILE_ROW must be one of: ${row_keys[*]}"
fi
case $prof_script in hello|heavy) ;; *) die "BENCH_PROFILE_SCRIPT must be hello or heavy" ;; esac
if [ "$mode" = profile ] && [ "$prof_script" = heavy ] &&
   [[ " ${script_list[*]} " != *" heavy "* ]]; then
  script_list+=(heavy)   # checked and warmed up like the measured scripts
fi

# ---- one run at a time ---------------------------------------------------------
# bench/run.sh uses the same directories and build tree and locks its own
# file: take that lock too. The guest is private (and /work is read-only 9p
# there), so it locks nothing.
if [ "$in_vm" != 1 ]; then
  exec 9<"$src/bench/run.sh"
  flock -n 9 || die "bench/run.sh or bench/apache.sh is running"
fi

# ---- tools -----------------------------------------------------------------------
need=()
[ -x "$apache_bin" ] || need+=(apache2)
[ -x "$suexec_custom" ] || need+=(apache2-suexec-custom)
command -v ab >/dev/null || need+=(apache2-utils)
command -v curl >/dev/null || need+=(curl)
command -v unshare >/dev/null || need+=(util-linux)
if [ "${BENCH_NO_BUILD:-0}" != 1 ] &&
   { ! command -v cmake >/dev/null || ! command -v cc >/dev/null || ! command -v pkg-config >/dev/null; }; then
  need+=(build-essential cmake pkg-config libcap-dev libseccomp-dev libcgroup-dev)
fi
if [ "$mode" = profile ]; then
  command -v perf >/dev/null || need+=(linux-perf)
  command -v strace >/dev/null || need+=(strace)
fi
if [ "${#need[@]}" -gt 0 ]; then
  [ "$in_vm" != 1 ] || die "missing in the guest (install them on the host): ${need[*]}"
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -x "$py" ] || die "$py is required"
id "$caller" >/dev/null
[ -d "$suexec_confdir" ] || die "$suexec_confdir is missing (apache2-suexec-custom)"
[ -d "$apache_logdir" ] || die "$apache_logdir is missing (apache2)"
[ -e "$suexec_link" ] || die "$suexec_link is missing (apache2-suexec-custom's alternative)"

# ---- the wrapper, built like bench/run.sh's build-bench ------------------------------
build_wrapper() {
  local log
  log=$(mktemp /tmp/cgijail-apache-build.XXXXXX)
  say "building build-bench (policy dir $top/etc)"
  if ! { cmake -S "$src" -B "$src/build-bench" -DCGIJAIL_CONFIG_DIR="$top/etc" \
           -DCGIJAIL_RUN_DIR="$rundir" -DCGIJAIL_STATE_DIR="$top/state" \
           -DCGIJAIL_ZYGOTE="$zygote" -DBUILD_TESTING=OFF >"$log" 2>&1 &&
         cmake --build "$src/build-bench" -j2 --target cgijail >>"$log" 2>&1; }; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    die "the wrapper did not build"
  fi
  rm -f "$log"
}

# ---- --in-guest: build here, run this script in the cgroup v2 guest ----------------
if [ "$mode" = guest ]; then
  [ "$in_vm" != 1 ] || die "--in-guest inside the guest"
  [ -z "$doc" ] || die "BENCH_DOC does not work with --in-guest (the guest cannot write the tree)"
  build_wrapper
  vmdir=$src/build-bench/vm
  say "preparing the guest in $vmdir (tests/vm/prepare.sh)"
  "$src/tests/vm/prepare.sh" "$vmdir" >&2
  # TCG runs python3 ~50x slower than the host: small defaults.
  envs=(--env BENCH_NO_BUILD=1
        --env "BENCH_ROUNDS=${BENCH_ROUNDS:-2}"
        --env "BENCH_N=${BENCH_N:-20}"
        --env "BENCH_N_HEAVY=${BENCH_N_HEAVY:-10}"
        --env "BENCH_CONC=${BENCH_CONC:-1 2}"
        --env "BENCH_IDLE_WAIT=0")
  for v in BENCH_ROWS BENCH_SCRIPTS BENCH_MPM BENCH_PORT BENCH_AB_TIMEOUT; do
    if [ -n "${!v:-}" ]; then envs+=(--env "$v=${!v}"); fi
  done
  say "running bench/apache.sh in the guest (cgroup v2, kernel of tests/vm)"
  cd "$src"
  exec "$src/tests/vm/run-in-guest.sh" "$vmdir" --timeout "${BENCH_GUEST_TIMEOUT:-3600}" \
    --mem 2048 "${envs[@]}" -- bench/apache.sh
fi

if [ "$mode" = profile ]; then
  case $profile_dir in /*) ;; *) profile_dir=$PWD/$profile_dir ;; esac
  if [ -e "$profile_dir" ] && [ -n "$(ls -A "$profile_dir")" ]; then
    die "$profile_dir exists and is not empty"
  fi
fi

# ---- cleanup -------------------------------------------------------------------------
tmp=""
made_cg_top=()   # hierarchies whose cgijail-test this run created
bg_pids=()       # ab / perf / strace started in the background

remove_user() {
  if getent passwd "$1" >/dev/null; then userdel "$1" 2>/dev/null; fi
  if getent group "$1" >/dev/null; then groupdel "$1" 2>/dev/null; fi
}
# end_cgroup_procs: SIGKILL, by pid, whatever still runs in the bench's own
# cgroups (the warm row's idle zygotes; only the bench's requests are ever
# placed there), and wait up to 10 s for them to go.
end_cgroup_procs() {
  local h f p n=0 left
  while :; do
    left=0
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [ -d "$h/$cg_parent" ] || continue
      while read -r f; do
        while read -r p; do
          left=1
          kill -KILL "$p" 2>/dev/null
        done <"$f"
      done < <(find "$h/$cg_parent" -name cgroup.procs 2>/dev/null)
    done
    if [ "$left" -eq 0 ] || [ "$n" -ge 100 ]; then break; fi
    sleep 0.1
    n=$((n + 1))
  done
  [ "$left" -eq 0 ] || echo "$prog: processes in $cg_parent did not end in 10 s" >&2
}
remove_cgroups() {
  local h d
  end_cgroup_procs
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ -d "$h/$cg_parent" ] || continue
    find "$h/$cg_parent" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ -d "$h/$cg_parent" ] && echo "$prog: could not remove $h/$cg_parent" >&2
  done
  for d in "${made_cg_top[@]}"; do rmdir "$d" 2>/dev/null; done
  return 0
}
# stop_apache KEY: TERM to the parent (it stops its children), KILL to
# whatever of it is left after 15 s. The namespace and its mounts go with
# the last process.
stop_apache() {
  local pid=${row_pid[$1]:-} kids k n=0
  [ -n "$pid" ] || return 0
  kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$prog: Apache of row $1 (pid $pid) did not stop in 15 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  for k in $kids; do kill -KILL "$k" 2>/dev/null; done
  row_pid[$1]=""
}
cleanup() {
  local rc=$? key p
  set +e
  trap '' HUP INT TERM   # finish cleaning up whatever arrives now
  for p in "${bg_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for key in "${row_keys[@]}"; do stop_apache "$key"; done
  remove_cgroups
  for key in "${row_keys[@]}"; do remove_user "${row_user[$key]}"; done
  rm -rf "$top" "$rundir"
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- leftovers of an interrupted run ---------------------------------------------------
check_ids() {   # check_ids USER ID: ID is USER's or free
  local other
  other=$(getent passwd "$2" | cut -d: -f1 || true)
  if [ -n "$other" ] && [ "$other" != "$1" ]; then
    die "uid $2 belongs to '$other', not $1; not touching it"
  fi
  other=$(getent group "$2" | cut -d: -f1 || true)
  if [ -n "$other" ] && [ "$other" != "$1" ]; then
    die "gid $2 belongs to '$other', not $1; not touching it"
  fi
}
for key in "${row_keys[@]}"; do check_ids "${row_user[$key]}" "${row_uid[$key]}"; done
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for key in "${row_keys[@]}"; do
  ! port_open "${row_port[$key]}" || die "127.0.0.1:${row_port[$key]} is in use (BENCH_PORT)"
done
for key in "${row_keys[@]}"; do remove_user "${row_user[$key]}"; done
remove_cgroups
rm -rf "$top" "$rundir"
for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
  if [ -f "$h/cgroup.procs" ] && [ ! -e "$h/cgijail-test" ]; then
    made_cg_top+=("$h/cgijail-test")
  fi
done

tmp=$(mktemp -d /tmp/cgijail-apache.XXXXXX)
chmod 0755 "$tmp"   # www-data reaches mod_cgid's socket below it

if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
  [ -x "$src/build-bench/bin/cgijail" ] ||
    die "BENCH_NO_BUILD=1 but $src/build-bench/bin/cgijail is missing"
  say "using build-bench/bin/cgijail as built (BENCH_NO_BUILD=1)"
else
  build_wrapper
fi

# ---- users, scripts, policy ----------------------------------------------------------------
say "bench users $(for k in "${row_keys[@]}"; do printf '%s ' "${row_user[$k]}"; done)(uids 62900-62903), docroot $top/www"
install -d -m 0755 -o root -g root "$top" "$top/bin" "$top/lib" "$top/etc" "$top/etc/users.d" \
  "$top/www" "$top/log" "$top/suexec-etc"
install -d -m 0750 -o root -g adm "$top/suexec-log" 2>/dev/null ||
  install -d -m 0750 -o root -g root "$top/suexec-log"
cgijail_bin=$top/bin/cgijail
# Installed like Debian's suexec: root:www-data 4754, only the caller may run it.
install -m 4754 -o root -g "$caller" "$src/build-bench/bin/cgijail" "$cgijail_bin"
install -m 0644 -o root -g root "$src/zygote/cgijail-zygote.py" "$zygote"
cgijail_log=$top/log/cgijail.log
suexec_log=$top/suexec-log/suexec.log
cat >"$top/etc/cgijail.conf" <<EOF
[wrapper]
caller = $caller
docroot = $top/www
userdir =
min_uid = 1000
min_gid = 1000
log_file = $cgijail_log

[sandbox]
cgroup_parent = $cg_parent
EOF
chmod 0644 "$top/etc/cgijail.conf"
# suexec-custom's configuration as the suexec row's namespace sees it.
printf '%s\n%s\n' "$top/www" "public_html/cgi-bin" >"$top/suexec-etc/$caller"
chmod 0644 "$top/suexec-etc/$caller"

write_scripts() {   # write_scripts USER DIR
  install -m 0755 -o "$1" -g "$1" /dev/stdin "$2/hello.py" <<'PY'
#!/usr/bin/python3
print("Content-Type: text/plain")
print()
print("hello")
PY
  # Modules of the standard library a small web application pulls in; the
  # header says how many modules the imports loaded (the body is fixed).
  # Its imports are heavy_imports (the warm row's preload), one per line.
  {
    printf '%s\n' '#!/usr/bin/python3' 'import sys' 'before = len(sys.modules)'
    printf 'import %s  # noqa: F401\n' "${heavy_imports[@]}"
    cat <<'PY'
print("Content-Type: text/plain")
print("X-Modules: %d" % (len(sys.modules) - before))
print()
print("heavy")
PY
  } | install -m 0755 -o "$1" -g "$1" /dev/stdin "$2/heavy.py"
}
# floor.cgi: the same response as hello.py from a static C program (no
# interpreter, no dynamic loader), in the suexec row's docroot.
if [ "$floor" = 1 ]; then
  printf '%s\n' '#include <unistd.h>' \
    'int main(void) { static const char r[] = "Content-Type: text/plain\n\nhello\n";' \
    '  return write(1, r, sizeof(r) - 1) == (ssize_t)(sizeof(r) - 1) ? 0 : 1; }' >"$tmp/floor.c"
  cc -O2 -static -o "$tmp/floor.cgi" "$tmp/floor.c" || die "cannot build floor.cgi (cc -static)"
fi
for key in "${row_keys[@]}"; do
  u=${row_user[$key]} id=${row_uid[$key]}
  groupadd -K GID_MAX=62999 -g "$id" "$u"
  useradd -K UID_MAX=62999 -K GID_MAX=62999 -u "$id" -g "$id" -M -d /nonexistent \
    -s /usr/sbin/nologin "$u"
  install -d -m 0755 -o "$u" -g "$u" "$top/www/$u"
  write_scripts "$u" "$top/www/$u"
  if [ "$key" = suexec ] && [ "$floor" = 1 ]; then
    install -m 0755 -o "$u" -g "$u" "$tmp/floor.cgi" "$top/www/$u/floor.cgi"
  fi
  if [ -n "${row_conf[$key]:-}" ]; then
    printf '%s\n' "${row_conf[$key]}" >"$top/etc/users.d/$u.conf"
    chmod 0644 "$top/etc/users.d/$u.conf"
  fi
done
row_wrapper[suexec]=$suexec_custom
for key in off default warm; do row_wrapper[$key]=$cgijail_bin; done

# ---- one Apache per row, each in its own mount namespace --------------------------------
# Debian's defaults for the MPMs (mods-available/mpm_*.conf).
if [ "$mpm" = event ]; then
  mpm_conf="LoadModule mpm_event_module $modules/mod_mpm_event.so
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0"
else
  mpm_conf="LoadModule mpm_prefork_module $modules/mod_mpm_prefork.so
StartServers 5
MinSpareServers 5
MaxSpareServers 10
MaxRequestWorkers 150
MaxConnectionsPerChild 0"
fi
write_apache_conf() {   # write_apache_conf KEY
  local key=$1 sr=$tmp/httpd-$1 u=${row_user[$1]} port=${row_port[$1]}
  install -d -m 0755 "$sr" "$sr/run"
  row_sr[$key]=$sr
  cat >"$sr/httpd.conf" <<EOF
# bench/apache.sh, row $key: ${row_label[$key]}
ServerRoot "$sr"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$sr/run/httpd.pid"
DefaultRuntimeDir "$sr/run"
ErrorLog "$sr/error.log"
LogLevel notice
User $caller
Group $caller
Timeout 60
KeepAlive Off
$mpm_conf
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule alias_module $modules/mod_alias.so
LoadModule suexec_module $modules/mod_suexec.so
LoadModule $cgi_module
<IfModule cgid_module>
  ScriptSock "$sr/run/cgid.sock"
</IfModule>
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<VirtualHost 127.0.0.1:$port>
  ServerName 127.0.0.1
  DocumentRoot "$top/www/$u"
  SuexecUserGroup $u $u
  ScriptAlias /cgi/ "$top/www/$u/"
  <Directory "$top/www/$u">
    Require all granted
  </Directory>
</VirtualHost>
EOF
}
# The namespace's mounts, then Apache in the foreground: the pid we get is
# Apache's parent (unshare, sh and setsid exec it). setsid: Apache's own
# session and process group, because mpm_prefork signals its whole process
# group when it stops, which would otherwise be this script's. /usr/lib/apache2/suexec is a
# symlink (Debian's alternative, /etc/alternatives/suexec): a bind mount on
# it would land on whatever it points to at that moment, and a later change
# of the alternative would change the wrapper under Apache's feet. So the
# namespace gets its own /usr/lib/apache2: a tmpfs holding the real
# modules/ and a plain file suexec with the row's wrapper bound onto it
# (both bound first to staging points, before the tmpfs hides them).
start_apache() {   # start_apache KEY
  local key=$1 sr=$tmp/httpd-$1 stage=$top/stage/$1 pid n=0 want got
  install -d -m 0755 "$stage" "$stage/modules"
  : >"$stage/suexec"
  # shellcheck disable=SC2016  # expanded by that sh
  unshare -m --propagation private -- /bin/sh -c '
    set -e
    lib=/usr/lib/apache2
    mount --bind "$1" "$6/suexec"
    mount --bind "$lib/modules" "$6/modules"
    mount -t tmpfs -o mode=0755 cgijail-bench "$lib"
    mkdir "$lib/modules"
    : >"$lib/suexec"
    mount --bind "$6/modules" "$lib/modules"
    mount --bind "$6/suexec" "$lib/suexec"
    mount --bind "$2" /etc/apache2/suexec
    mount --bind "$3" /var/log/apache2
    exec setsid "$4" -d "$5" -f "$5/httpd.conf" -DFOREGROUND
  ' sh "${row_wrapper[$key]}" "$top/suexec-etc" "$top/suexec-log" "$apache_bin" "$sr" "$stage" \
    >"$sr/stdout.log" 2>&1 </dev/null &
  pid=$!
  row_pid[$key]=$pid
  until port_open "${row_port[$key]}"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$n" -ge 200 ]; then
      cat "$sr/stdout.log" "$sr/error.log" >&2 2>/dev/null || true
      die "Apache of row $key did not start"
    fi
    sleep 0.1
    n=$((n + 1))
  done
  # What this Apache's /usr/lib/apache2/suexec is, seen from inside (not
  # through /proc/PID/root: the absolute symlink of the alternative would
  # resolve in our namespace).
  want=$(stat -L -c '%d:%i' "${row_wrapper[$key]}")
  got=$(nsenter -t "$pid" -m stat -L -c '%d:%i' "$suexec_link")
  [ "$want" = "$got" ] || die "row $key: $suexec_link in Apache's namespace is not ${row_wrapper[$key]}"
  row_ino[$key]=$want
  n=0
  until [ -s "$sr/run/httpd.pid" ]; do
    [ "$n" -lt 50 ] || die "row $key: Apache wrote no pid file"
    sleep 0.1
    n=$((n + 1))
  done
  [ "$(cat "$sr/run/httpd.pid")" = "$pid" ] ||
    die "row $key: Apache's pid is $(cat "$sr/run/httpd.pid"), not $pid: cannot stop it by pid"
  [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ] ||
    die "row $key: Apache is not in a process group of its own"
  n=0
  until grep -q "AH01232: suEXEC mechanism enabled (wrapper: $suexec_link)" "$sr/error.log" 2>/dev/null; do
    [ "$n" -lt 50 ] || { cat "$sr/error.log" >&2; die "row $key: Apache did not enable suEXEC"; }
    sleep 0.1
    n=$((n + 1))
  done
}
global_suexec=$(stat -L -c '%d:%i' "$suexec_link")
for key in "${row_keys[@]}"; do
  write_apache_conf "$key"
  say "starting Apache ($mpm) for row $key on 127.0.0.1:${row_port[$key]}, wrapper ${row_wrapper[$key]}"
  start_apache "$key"
done
[ "$(stat -L -c '%d:%i' "$suexec_link")" = "$global_suexec" ] ||
  die "$suexec_link changed outside the namespaces"

# ---- correctness -----------------------------------------------------------------------------
expected_body() { if [ "$1" = heavy ]; then echo heavy; else echo hello; fi; }
# The file a script name stands for (floor: the static program).
script_file() { if [ "$1" = floor ]; then echo floor.cgi; else echo "$1.py"; fi; }
url() { echo "http://127.0.0.1:${row_port[$1]}/cgi/$(script_file "$2")"; }
# records KEY SCRIPT: "<successful runs of SCRIPT by the row's user> <other
# records>" in the row's wrapper log (awk, not python3: it runs after every
# request of a check and polls after every ab run).
#   cgijail: one JSON object per line; successful = outcome accepted and
#   status 0, counted when it is this user's and this script's; other =
#   every other record, whoever's (refusals, errors, failed scripts).
#   suexec-custom: "[date]: uid: (UID/USER) gid: (GID/GROUP) cmd: SCRIPT"
#   before it execs; other = every line not of that form (its errors).
records() {
  local f
  if [ "$1" = suexec ]; then
    f=$suexec_log
    [ -f "$f" ] || { echo "0 0"; return 0; }
    awk -v pre="]: uid: (${row_uid[$1]}/${row_user[$1]}) gid: (" -v suf="cmd: $(script_file "$2")" '
      /^\[[^]]*\]: uid: \([0-9]+\/.*\) gid: \([0-9]+\/.*\) cmd: / {
        if (index($0, pre) && substr($0, length($0) - length(suf) + 1) == suf) ok++
        next
      }
      { other++ }
      END { print ok + 0, other + 0 }' "$f"
  else
    f=$cgijail_log
    [ -f "$f" ] || { echo "0 0"; return 0; }
    awk -v u="\"user\":\"${row_user[$1]}\"," -v sc="/$2.py\",\"outcome\":" '
      /"outcome":"accepted"/ && /"status":0,/ {
        if (index($0, u) && index($0, sc)) ok++
        next
      }
      NF { other++ }
      END { print ok + 0, other + 0 }' "$f"
  fi
}
# check_once KEY SCRIPT: one request with curl, status and body exact, one
# more successful record in the row's wrapper log and nothing else.
check_once() {
  local key=$1 s=$2 before after code n=0
  before=$(records "$key" "$s")
  code=$(curl -sS -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 60 "$(url "$key" "$s")") ||
    die "row $key: curl $(url "$key" "$s") failed"
  if [ "$code" != 200 ] || [ "$(cat "$tmp/body")" != "$(expected_body "$s")" ]; then
    echo "$prog: row $key, $s.py: HTTP $code, body:" >&2
    head -c 2000 "$tmp/body" >&2
    echo "--- Apache's error log:" >&2
    tail -n 20 "${row_sr[$key]}/error.log" >&2
    die "row $key: $s.py did not answer 200 '$(expected_body "$s")'"
  fi
  while :; do   # the record comes after the response (up to 60 s under TCG)
    after=$(records "$key" "$s")
    [ "${after%% *}" -ne "${before%% *}" ] || [ "$n" -ge 300 ] && break
    sleep 0.2
    n=$((n + 1))
  done
  if [ "${after%% *}" -ne $(( ${before%% *} + 1 )) ] || [ "${after#* }" -ne "${before#* }" ]; then
    die "row $key: one request gave records '$before' -> '$after' in its wrapper's log"
  fi
}
say "checking every row once (status, body, the wrapper's log)"
check_list=(hello)
if [[ " ${script_list[*]} " == *" heavy "* ]]; then check_list+=(heavy); fi
for key in "${row_keys[@]}"; do
  for s in "${check_list[@]}"; do
    check_once "$key" "$s"
    # heavy.py's own count of the modules it imports: from a cold run
    # (a warm one finds them preloaded).
    if [ "$key" = suexec ] && [ "$s" = heavy ]; then cp "$tmp/headers" "$tmp/headers-heavy"; fi
  done
done
if [ "$floor" = 1 ]; then check_once suexec floor; fi
# Which layers the cgijail rows really ran with (the log's sandbox field of
# each row's last record; the warm row's says "warm").
sandbox_facts=()
for key in "${row_keys[@]}"; do
  [ "$key" != suexec ] || continue
  f=$("$py" -E -s -B "$report_py" sandbox --log "$cgijail_log" --user "${row_user[$key]}")
  say "sandbox field of row $key's records: '$f'"
  sandbox_facts+=(--fact "sandbox field, ${row_label[$key]}=$f")
done
heavy_modules=""
if [[ " ${script_list[*]} " == *" heavy "* ]]; then
  heavy_modules=$(tr -d '\r' <"$tmp/headers-heavy" | sed -n 's/^X-Modules: //p')
  say "heavy.py imports $heavy_modules modules"
fi

# ---- ab ------------------------------------------------------------------------------------------
results=$tmp/results.jsonl
: >"$results"
# run_ab KEY SCRIPT C N ROUND: one ab run, checked, one JSON line in $results
# (floor: KEY suexec, SCRIPT floor; reported as row floor of hello.py)
run_ab() {
  local key=$1 s=$2 c=$3 n=$4 round=$5 before after rc=0 k=0 out=$tmp/ab.out csv=$tmp/ab.csv wrapper_ok
  local thr0 thr1 throttled=-1 rrow=$1 rscript=$2
  if [ "$s" = floor ]; then rrow=floor rscript=hello; fi
  thr0=$(throttled_ms "$key")
  before=$(records "$key" "$s")
  rm -f "$csv"
  # -t first: it sets the request count too, which -n then overrides.
  timeout $((ab_timeout + 60)) ab -q -t "$ab_timeout" -n "$n" -c "$c" -s 60 -e "$csv" \
    "$(url "$key" "$s")" >"$out" 2>&1 || rc=$?
  # cgijail writes its record after the response went out: give it a
  # moment (up to 60 s: the guest runs on TCG).
  while :; do
    after=$(records "$key" "$s")
    [ "$(( ${after%% *} - ${before%% *} ))" -ge "$n" ] || [ "$k" -ge 300 ] && break
    sleep 0.2
    k=$((k + 1))
  done
  thr1=$(throttled_ms "$key")
  if [ "$thr0" != - ] && [ "$thr1" != - ]; then throttled=$((thr1 - thr0)); fi
  # Still the row's wrapper where Apache looks for it?
  wrapper_ok=0
  if [ "$(nsenter -t "${row_pid[$key]}" -m stat -L -c '%d:%i' "$suexec_link" 2>/dev/null)" = \
       "${row_ino[$key]}" ]; then
    wrapper_ok=1
  fi
  "$py" -E -s -B "$report_py" ab --out "$out" --csv "$csv" --rc "$rc" --n "$n" \
    --wrapper-ok "$wrapper_ok" --throttled-ms "$throttled" \
    --length "$(( $(expected_body "$s" | wc -c) ))" \
    --records "$(( ${after%% *} - ${before%% *} ))" --other "$(( ${after#* } - ${before#* } ))" \
    --row "$rrow" --script "$rscript" --conc "$c" --round "$round" >>"$results"
  if [[ $(tail -n 1 "$results") != *'"valid": true'* ]]; then
    {
      echo "$prog: row $key, $s.py, c=$c, round $round is invalid; last lines of its Apache's error log:"
      tail -n 8 "${row_sr[$key]}/error.log"
      if [ "$key" = suexec ]; then
        echo "$prog: last lines of suexec.log:"; tail -n 3 "$suexec_log"
      else
        echo "$prog: last records of cgijail's log that are not successful:"
        grep -v '"outcome":"accepted".*"status":0,' "$cgijail_log" | tail -n 3
      fi
    } >&2
  fi
}
n_for() { if [ "$1" = hello ]; then echo "$n_hello"; else echo "$n_heavy"; fi; }
# throttled_ms KEY: how long the CPU quota of the row's tenant cgroup
# ([tenant] cpu, 100% = one CPU by default) has held its scripts back, in
# ms, cumulative; "-" for a row without a tenant cgroup (v1: cpu.stat
# throttled_time in ns in the cpu hierarchy; v2: throttled_usec).
throttled_ms() {
  local h f
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    f=$h/$cg_parent/${row_user[$1]}/cpu.stat
    [ -f "$f" ] || continue
    awk '$1 == "throttled_time" { printf "%d\n", $2 / 1000000; found = 1 }
         $1 == "throttled_usec" { printf "%d\n", $2 / 1000; found = 1 }
         END { exit !found }' "$f" && return 0
  done
  echo "-"
}

# At the highest concurrency measured, so that the warm row has a zygote in
# every slot the runs use before anything is measured.
c_max=0
for c in "${conc_list[@]}"; do [ "$c" -le "$c_max" ] || c_max=$c; done
n_warm=$(( 4 * c_max > 20 ? 4 * c_max : 20 ))
say "warming up: $n_warm requests per row and script at c=$c_max"
for key in "${row_keys[@]}"; do
  for s in "${script_list[@]}"; do
    run_ab "$key" "$s" "$c_max" "$n_warm" 0
  done
done
if [ "$floor" = 1 ]; then run_ab suexec floor "$c_max" "$n_warm" 0; fi
if "$py" -E -s -B "$report_py" any-invalid "$results" >&2; then
  die "the warm-up failed (see above)"
fi
: >"$results"

if [ "$idle_wait" -gt 0 ]; then
  waited=0
  while [ "$waited" -lt "$idle_wait" ]; do
    read -r load1 _ </proc/loadavg
    if awk -v l="$load1" 'BEGIN { exit !(l < 1.0) }'; then break; fi
    if [ "$waited" -eq 0 ]; then
      say "waiting up to ${idle_wait}s for the 1-minute load average ($load1) to drop below 1 (BENCH_IDLE_WAIT)"
    fi
    sleep 5
    waited=$((waited + 5))
  done
fi

# ---- --profile: where the time of the default-sandbox row goes --------------------------------
if [ "$mode" = profile ]; then
  # shellcheck source=bench/profile.sh
  . "$src/bench/profile.sh"
  run_profile
  exit 0
fi

# ---- measure ---------------------------------------------------------------------------------------
read -r load_start <<<"$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
t0=$(date +%s)
for round in $(seq 1 "$rounds"); do
  for s in "${script_list[@]}"; do
    # hello.py's rotation has the floor row too (suexec-custom's Apache).
    keys=("${row_keys[@]}")
    if [ "$s" = hello ] && [ "$floor" = 1 ]; then keys+=(floor); fi
    nrows=${#keys[@]}
    for c in "${conc_list[@]}"; do
      line="round $round/$rounds, $s.py, c=$c:"
      for j in $(seq 0 $((nrows - 1))); do
        key=${keys[$(( (j + round - 1) % nrows ))]}
        if [ "$key" = floor ]; then
          run_ab suexec floor "$c" "$(n_for hello)" "$round"
        else
          run_ab "$key" "$s" "$c" "$(n_for "$s")" "$round"
        fi
        last=$(tail -n 1 "$results")
        if [[ $last == *'"valid": true'* ]]; then
          line+=" $key $(sed -n 's/.*"rps": \([0-9.]*\).*/\1/p' <<<"$last")/s"
        else
          line+=" $key INVALID"
        fi
      done
      say "$line"
    done
  done
done
t1=$(date +%s)
read -r load_end <<<"$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report ------------------------------------------------------------------------------------------
labels=()
for key in "${row_keys[@]}"; do labels+=(--label "$key=${row_label[$key]}"); done
if [ "$floor" = 1 ]; then labels+=(--label "floor=${row_label[floor]}"); fi
facts=(--fact "date=$started"
       --fact "load average (1/5/15 min) at start / end=$load_start / $load_end"
       --fact "measuring time=$((t1 - t0)) s"
       "${sandbox_facts[@]}")
if [ -n "$heavy_modules" ]; then facts+=(--fact "modules heavy.py imports=$heavy_modules"); fi
status=0
"$py" -E -s -B "$report_py" report "$results" --src "$src" --mpm "$mpm" \
  --rounds "$rounds" --n-hello "$n_hello" --n-heavy "$n_heavy" \
  "${labels[@]}" "${facts[@]}" >"$tmp/section.md" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || die "the report failed (status $status)"
cat "$tmp/section.md"
if [ -n "$doc" ]; then
  "$py" -E -s -B "$report_py" splice "$doc" "$tmp/section.md"
  say "wrote the section into $doc"
fi
exit "$status"
