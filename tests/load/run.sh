#!/usr/bin/env bash
# run.sh - load test of cgijail behind a real Apache 2.4 (mpm_event +
# mod_cgid), cgijail in place of suexec: N requests at concurrency C of a
# mix of request classes, every response checked, then what must be left.
#
#   bash tests/load/run.sh [--requests N] [--concurrency C] [--seed S]
#                          [--deadline SECONDS] [--build-dir DIR]
#
# As root; default 2000 requests at concurrency 32. --deadline stops
# starting requests after that many seconds (the summary says how many ran).
#
# The mix (tests/load/driver.py; per mille): hello 470, slow 150 (sleeps
# 0.2-1 s), post 150 (0-256 KiB echoed, compared byte for byte), refused 80
# (a group-writable script: 500 and cgijail's generic body), abort 100 (the
# client resets the connection after the first body bytes), and killed by a
# limit: memory 25, wall 15, cpu 10 (the client gets exactly the first line
# the script wrote).
#
# Afterwards, each a check of its own:
#   - cgijail's log has exactly one record per request that reached it, with
#     the outcome its class must give (accepted with status 0; refused;
#     limit memory, wall or client-abort; cpu or wall for the spinning
#     script, whose tenant gets only its share of a busy CPU);
#   - no process of the tenants, none in their cgroups, no cgijail
#     supervisor left;
#   - below each tenant's cgroup only the concurrency slots' leaves
#     (cgroup_parent/USER/sN), each empty;
#   - no slot lock held (flock on every slot file of the run directory);
#   - no Apache process (the parent, mod_cgid's daemon, the workers) has more
#     open descriptors than the most any of its kind had before the run,
#     after a warm-up at the same concurrency.
# Output: progress lines, a summary, and last the line "N passed, N failed"
# (a request counts once; each check after the run counts once). Exit status
# 0 when nothing failed, 1 when something failed, 77 when not root outside
# CI.
#
# It builds the wrapper into its own build directory (default build-load/)
# with its own compiled-in directories: policy /var/lib/cgijail-load/etc,
# run directory /run/cgijail-load, state /var/lib/cgijail-load/state;
# installs it as /var/lib/cgijail-load/bin/cgijail (root:www-data 4754,
# like Debian's suexec). Apache runs with its own ServerRoot in a private
# mount namespace where that wrapper is bound over /usr/lib/apache2/suexec;
# nothing outside the test's directories changes. Tenants cjtl1 (62701),
# cjtl2 (62702: memory 32M, wall 3s), cjtl3 (62703: cpu 1s); cgroups below
# cgijail-test/load. Everything it creates is removed at exit, on failure
# and interruption too.
# shellcheck disable=SC2317  # functions called from the EXIT trap
set -euo pipefail

prog=tests/load/run.sh
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$src/tests/load

requests=2000 conc=32 seed=1 deadline=0 build=$src/build-load
usage() { sed -n '2,/^# shellcheck/p' "${BASH_SOURCE[0]}" | sed '$d'; }
while (($#)); do
  case $1 in
    --requests) requests=${2:?}; shift 2 ;;
    --concurrency) conc=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --deadline) deadline=${2:?}; shift 2 ;;
    --build-dir) build=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in requests conc seed deadline; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$prog: --$v must be a number" >&2; exit 2; }
done
((requests >= 1 && conc >= 1)) || { echo "$prog: --requests and --concurrency >= 1" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then
  if [[ ${CI:-} == true ]]; then echo "$prog: needs root" >&2; exit 1; fi
  echo "$prog: needs root: skipped" >&2; exit 77
fi

TOP=/var/lib/cgijail-load
RUNDIR=/run/cgijail-load
CG_PARENT=cgijail-test/load
CALLER=www-data
BIN=$TOP/bin/cgijail
LOGF=$TOP/log/cgijail.log
T1=cjtl1 T1_ID=62701
T2=cjtl2 T2_ID=62702
T3=cjtl3 T3_ID=62703
MODS=/usr/lib/apache2/modules

W=$(mktemp -d /tmp/cgijail-load.XXXXXX)
chmod 0755 "$W"   # www-data reaches mod_cgid's socket below it
# shellcheck source=tests/e2e/lib.sh
. "$src/tests/e2e/lib.sh"

passed=0 failed=0
check() { # DESCRIPTION COMMAND... : one check after the run
  local d=$1 rc=0; shift
  "$@" >"$W/check.out" 2>&1 || rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1)); echo "ok - $d"
  else
    failed=$((failed + 1)); echo "FAILED - $d"
  fi
  sed 's/^/    /' "$W/check.out" | head -n 30
}
die() { echo "$prog: $*" >&2; exit 1; }

# ---- cleanup: everything this run made, whatever happens ----------------------
remove_user() {
  local u=$1 id=$2
  [[ $(getent passwd "$u" | cut -d: -f3) == "$id" ]] && userdel "$u" 2>/dev/null
  [[ $(getent group "$u" | cut -d: -f3) == "$id" ]] && groupdel "$u" 2>/dev/null
  return 0
}
tenant_uids_pids() {
  ps -e -o pid=,uid= | awk -v a="$T1_ID" -v b="$T2_ID" -v c="$T3_ID" '$2 == a || $2 == b || $2 == c {print $1}'
}
kill_tenants() { # SIGKILL what runs as a tenant (by pid: only theirs)
  local p
  for p in $(tenant_uids_pids); do kill -KILL "$p" 2>/dev/null || true; done
}
final_cleanup() {
  local rc=$?
  set +e
  trap '' HUP INT TERM
  run_cleanup              # Apache (lib.sh's stack)
  kill_tenants
  sleep 0.2
  remove_cgroups           # lib.sh: $CG_PARENT in every hierarchy
  remove_user "$T1" "$T1_ID"
  remove_user "$T2" "$T2_ID"
  remove_user "$T3" "$T3_ID"
  rm -rf "$TOP" "$RUNDIR"
  if [[ ${CGIJAIL_LOAD_KEEP_TMP:-0} == 1 ]]; then echo "$prog: kept $W" >&2; else rm -rf "$W"; fi
  exit "$rc"
}
trap final_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- refuse to touch what is not ours ---------------------------------------------
for pair in "$T1:$T1_ID" "$T2:$T2_ID" "$T3:$T3_ID"; do
  u=${pair%%:*} id=${pair##*:}
  o=$(getent passwd "$id" | cut -d: -f1 || true)
  [[ -z $o || $o == "$u" ]] || die "uid $id belongs to $o"
  o=$(getent group "$id" | cut -d: -f1 || true)
  [[ -z $o || $o == "$u" ]] || die "gid $id belongs to $o"
done
# leftovers of an interrupted run
kill_tenants
remove_user "$T1" "$T1_ID"; remove_user "$T2" "$T2_ID"; remove_user "$T3" "$T3_ID"
remove_cgroups
rm -rf "$TOP" "$RUNDIR"

apt_install apache2 curl || die "cannot install apache2 and curl"
id "$CALLER" >/dev/null || die "no user $CALLER"

# ---- the wrapper ---------------------------------------------------------------------
step "building $build (policy $TOP/etc, run dir $RUNDIR)"
if ! { cmake -S "$src" -B "$build" -DCGIJAIL_CONFIG_DIR="$TOP/etc" -DCGIJAIL_RUN_DIR="$RUNDIR" \
         -DCGIJAIL_STATE_DIR="$TOP/state" -DCGIJAIL_TESTS=OFF -DBUILD_TESTING=OFF \
         >"$W/build.log" 2>&1 &&
       cmake --build "$build" -j2 --target cgijail >>"$W/build.log" 2>&1; }; then
  tail -n 30 "$W/build.log" >&2
  die "the wrapper did not build"
fi
install -d -m 0755 "$TOP" "$TOP/bin" "$TOP/etc" "$TOP/etc/users.d" "$TOP/www" "$TOP/log" "$TOP/stage"
install -m 4754 -o root -g "$CALLER" "$build/bin/cgijail" "$BIN"

# ---- tenants, scripts, policy ------------------------------------------------------------
step "tenants $T1 ($T1_ID), $T2 ($T2_ID), $T3 ($T3_ID), policy $TOP/etc"
for pair in "$T1:$T1_ID" "$T2:$T2_ID" "$T3:$T3_ID"; do
  u=${pair%%:*} id=${pair##*:}
  groupadd -K GID_MAX=62799 -g "$id" "$u"
  useradd -K UID_MAX=62799 -K GID_MAX=62799 -u "$id" -g "$id" -M -d /nonexistent \
    -s /usr/sbin/nologin "$u"
  install -d -m 0755 -o "$u" -g "$u" "$TOP/www/$u"
done
for s in hello slow echo stream; do
  install_script "$T1" "$here/cgi/$s.py" "$TOP/www/$T1/$s.py"
done
install_script "$T1" "$here/cgi/hello.py" "$TOP/www/$T1/badperm.py" 0775   # refused: group-writable
for s in mem wall; do
  install_script "$T2" "$here/cgi/$s.py" "$TOP/www/$T2/$s.py"
done
install_script "$T3" "$here/cgi/cpu.py" "$TOP/www/$T3/cpu.py"
cat >"$TOP/etc/cgijail.conf" <<EOF
[wrapper]
caller = $CALLER
docroot = $TOP/www
userdir =
log_file = $LOGF

[sandbox]
cgroup_parent = $CG_PARENT
EOF
# Enough slots for every request of the run at once (no 503 in the mix); the
# stream of an aborted request would run 15 s, the default wall is 30 s.
cat >"$TOP/etc/users.d/$T1.conf" <<EOF
[tenant]
concurrency = 64
EOF
cat >"$TOP/etc/users.d/$T2.conf" <<EOF
[limits]
memory = 32M
wall = 3s
[tenant]
concurrency = 64
EOF
# cpu: 1 s of CPU can take several seconds of wall time under load
cat >"$TOP/etc/users.d/$T3.conf" <<EOF
[limits]
cpu = 1s
[tenant]
concurrency = 64
EOF
chmod 0644 "$TOP/etc/cgijail.conf" "$TOP/etc/users.d/"*.conf

# ---- Apache in its own mount namespace -----------------------------------------------------
port=""
for p in $(seq 18700 18799); do
  if port_free "$p"; then port=$p; break; fi
done
[[ -n $port ]] || die "no free port in 127.0.0.1:18700-18799"
sr=$W/httpd
install -d -m 0755 "$sr" "$sr/run"
vhost() { # NAME USER
  cat <<EOF
<VirtualHost 127.0.0.1:$port>
  ServerName $1
  DocumentRoot "$TOP/www/$2"
  SuexecUserGroup $2 $2
  ScriptAlias /cgi/ "$TOP/www/$2/"
  <Directory "$TOP/www/$2">
    Require all granted
  </Directory>
</VirtualHost>
EOF
}
cat >"$sr/httpd.conf" <<EOF
ServerRoot "$sr"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$sr/run/httpd.pid"
DefaultRuntimeDir "$sr/run"
Mutex file:$sr/run default
ErrorLog "$sr/error.log"
LogLevel notice
User $CALLER
Group $CALLER
Timeout 60
KeepAlive Off
LoadModule mpm_event_module $MODS/mod_mpm_event.so
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule suexec_module $MODS/mod_suexec.so
LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock "$sr/run/cgid.sock"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
$(vhost t1 "$T1")
$(vhost t2 "$T2")
$(vhost t3 "$T3")
EOF
# /usr/lib/apache2/suexec is Debian's alternative (a symlink): the namespace
# gets its own /usr/lib/apache2, a tmpfs with the real modules/ and a plain
# file suexec with the wrapper bound onto it (both bound to staging points
# first, before the tmpfs hides them).
stage=$TOP/stage
install -d -m 0755 "$stage/modules"
: >"$stage/suexec"
step "Apache (mpm_event, mod_cgid) on 127.0.0.1:$port, suexec = $BIN"
# shellcheck disable=SC2016  # expanded by that sh
start_server apache "$sr/stdout.log" unshare -m --propagation private -- /bin/sh -c '
  set -e
  lib=/usr/lib/apache2
  mount --bind "$1" "$4/suexec"
  mount --bind "$lib/modules" "$4/modules"
  mount -t tmpfs -o mode=0755 cgijail-load "$lib"
  mkdir "$lib/modules"
  : >"$lib/suexec"
  mount --bind "$4/modules" "$lib/modules"
  mount --bind "$4/suexec" "$lib/suexec"
  exec "$2" -d "$3" -f "$3/httpd.conf" -DFOREGROUND
' sh "$BIN" /usr/sbin/apache2 "$sr" "$stage"
wait_port "$port" apache >&2 || die "Apache did not start"
apid=${SERVER_PID[apache]}
for _ in $(seq 50); do
  grep -q 'AH01232: suEXEC mechanism enabled' "$sr/error.log" 2>/dev/null && break
  sleep 0.1
done
grep -q 'AH01232: suEXEC mechanism enabled' "$sr/error.log" ||
  { cat "$sr/error.log" >&2; die "Apache did not enable suEXEC"; }
[[ $(nsenter -t "$apid" -m stat -L -c '%d:%i' /usr/lib/apache2/suexec) == \
   $(stat -L -c '%d:%i' "$BIN") ]] || die "Apache's suexec is not $BIN"

# ---- helpers of the checks ---------------------------------------------------------------
apache_pids() { echo "$apid"; ps -o pid= --ppid "$apid" | tr -d ' '; }
# fd counts: "PID COMM FDS" of every Apache process
apache_fds() {
  local p
  for p in $(apache_pids); do
    [[ -d /proc/$p/fd ]] || continue
    echo "$p $(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  done
}
wrapper_procs() { # processes running the wrapper under test (supervisors)
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == "$BIN" ]] && echo "${p#/proc/}"
  done
  return 0
}
# quiet SECONDS: until no tenant process and no supervisor runs
quiet() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    [[ -z $(tenant_uids_pids) && -z $(wrapper_procs) ]] && return 0
    sleep 0.1
  done
  return 1
}
# the driver
drive() { # N C SEED OUT [more driver args]
  python3 "$here/driver.py" --port "$port" --requests "$1" --concurrency "$2" --seed "$3" \
    --out "$4" "${@:5}"
}

# ---- warm-up, then the fds before ------------------------------------------------------------
# The warm-up starts cold: the tenants' first requests arrive together and
# create their state directories (TMPDIR) concurrently.
warm=$((conc * 4))
step "warm-up: $warm requests at concurrency $conc"
drive "$warm" "$conc" 999 "$W/warm.json" --quiet || {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); [print(f) for f in r["failures"][:10]]' \
    "$W/warm.json" 2>/dev/null || true
  die "the warm-up failed: the setup is broken (Apache's error log: $(tail -n 5 "$sr/error.log"))"
}
quiet 30 || die "tenant processes still running 30 s after the warm-up"
sleep 1
apache_fds >"$W/fds.before"
diag "Apache's processes and open fds before the run:" "$(tr '\n' ';' <"$W/fds.before")"
log_mark=$(wc -l <"$LOGF")

# ---- the run -------------------------------------------------------------------------------------
step "the run: $requests requests at concurrency $conc (seed $seed)"
dl=()
((deadline == 0)) || dl=(--deadline "$deadline")
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
drv_rc=0
drive "$requests" "$conc" "$seed" "$W/run.json" "${dl[@]}" || drv_rc=$?
[[ -s $W/run.json ]] || die "the driver wrote no result (exit status $drv_rc)"

step "after the run"
quiet 40 || true
sleep 2
apache_fds >"$W/fds.after"
tail -n "+$((log_mark + 1))" "$LOGF" >"$W/run.log"

# ---- the checks after the run ------------------------------------------------------------------
check_log() {
  python3 - "$W/run.json" "$W/run.log" "$T1" "$T2" "$T3" <<'PY'
import json, sys, collections
res = json.load(open(sys.argv[1]))
t1, t2, t3 = sys.argv[3], sys.argv[4], sys.argv[5]
started = {c: res["passed"][c] + res["failed"][c] for c in res["passed"]}
# class -> (user, script, what the record must say)
want = {
    "hello": (t1, "hello.py", "ok"), "slow": (t1, "slow.py", "ok"),
    "post": (t1, "echo.py", "ok"), "refused": (t1, "badperm.py", "refused"),
    "abort": (t1, "stream.py", "client-abort"), "memory": (t2, "mem.py", "memory"),
    "cpu": (t3, "cpu.py", "cpu"), "wall": (t2, "wall.py", "wall"),
}
got = collections.Counter()
bad = []
n = 0
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    n += 1
    try:
        r = json.loads(line)
    except ValueError:
        bad.append("not JSON: " + line[:200])
        continue
    script = str(r.get("script", "")).rsplit("/", 1)[-1]
    if r.get("outcome") == "accepted":
        kind = r.get("limit") or ("ok" if r.get("status") == 0 else f"status {r.get('status')}")
    else:
        kind = r.get("outcome")
    got[(r.get("user"), script, kind)] += 1
fail = False
# A spinning script competes for the CPU with everything else (its tenant's
# cgroup gets a share, not a core): on a busy host it may reach the wall
# limit before 1 s of CPU time. Either limit ended it.
also = {"cpu": "wall"}
for cls, (u, s, k) in want.items():
    exp, have = started[cls], got.pop((u, s, k), 0)
    line = f"{cls:8s} {u}/{s}: {k}: {have} records for {exp} requests"
    if cls in also:
        extra = got.pop((u, s, also[cls]), 0)
        have += extra
        line = f"{cls:8s} {u}/{s}: {k}: {have - extra}, {also[cls]}: {extra} records for {exp} requests"
    if have != exp:
        fail = True
        line += "  <- MISMATCH"
    print(line)
for key, c in sorted(got.items(), key=lambda kv: -kv[1]):
    fail = True
    print(f"unexpected records: {key}: {c}")
for b in bad[:5]:
    fail = True
    print(b)
print(f"{n} records in all")
sys.exit(1 if fail else 0)
PY
}
check_no_processes() {
  local ps_out sv cg
  ps_out=$(ps -u "$T1_ID,$T2_ID,$T3_ID" -o pid=,user=,args= 2>/dev/null || true)
  sv=$(wrapper_procs)
  cg=$(for m in $(cgroup_mounts); do
         [[ -d $m/$CG_PARENT ]] || continue
         find "$m/$CG_PARENT" -name cgroup.procs -exec cat {} + 2>/dev/null
       done)
  [[ -z $ps_out && -z $sv && -z $cg ]] && return 0
  echo "tenant processes: ${ps_out:-none}"
  echo "supervisors: ${sv:-none}"
  echo "pids in the load cgroups: ${cg:-none}"
  return 1
}
check_cgroups() {
  local m d bad=0 leaves=0 rel
  for m in $(cgroup_mounts); do
    [[ -d $m/$CG_PARENT ]] || continue
    while IFS= read -r d; do
      rel=${d#"$m/$CG_PARENT/"}
      case $rel in
        "$T1" | "$T2" | "$T3") ;;
        "$T1"/s[0-9]* | "$T2"/s[0-9]* | "$T3"/s[0-9]*)
          if [[ ! $rel =~ ^[a-z0-9]+/s[0-9]+$ ]]; then echo "not a slot leaf: $d"; bad=1; fi
          leaves=$((leaves + 1)) ;;
        *) echo "unexpected cgroup: $d"; bad=1 ;;
      esac
    done < <(find "$m/$CG_PARENT" -mindepth 1 -type d)
  done
  echo "$leaves slot leaves (all hierarchies)"
  return "$bad"
}
check_slots() {
  local f n=0 held=0
  while IFS= read -r f; do
    n=$((n + 1))
    if ! flock -n -x "$f" true; then echo "held: $f"; held=$((held + 1)); fi
  done < <(find "$RUNDIR" -name 'slot.*' -type f)
  echo "$n slot files, $held held"
  ((n > 0 && held == 0))
}
check_fds() {
  python3 - "$W/fds.before" "$W/fds.after" "$apid" <<'PY'
import sys
def load(p):
    return {int(a): int(b) for a, b in (l.split() for l in open(p) if l.strip())}
before, after, parent = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
# the parent against itself; a child against the most any child had before
# (mpm_event may replace its workers; mod_cgid's daemon is one of them)
most_child = max((v for k, v in before.items() if k != parent), default=0)
bad = False
for pid, n in sorted(after.items()):
    limit = before[parent] if pid == parent else max(before.get(pid, 0), most_child)
    what = "parent" if pid == parent else "child"
    print(f"{what} {pid}: {before.get(pid, '-')} fds before, {n} after (at most {limit})")
    if n > limit:
        bad = True
sys.exit(1 if bad else 0)
PY
}
check "cgijail's log: one record per request, the outcome its class must give" check_log
check "no tenant process, none in the load cgroups, no cgijail supervisor" check_no_processes
check "below the tenants' cgroups only the slots' leaves" check_cgroups
check "no slot lock held" check_slots
check "Apache's processes hold no more fds than before the run" check_fds
if grep -q 'AH00052\|segmentation\|AH00051' "$sr/error.log"; then
  check "Apache's error log: no crashed child" false
fi

# ---- summary ------------------------------------------------------------------------------------
python3 - "$W/run.json" "$started" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"\nstarted {sys.argv[2]}; {r['requests_done']} of {r['requests_planned']} requests at "
      f"concurrency {r['concurrency']} (seed {r['seed']}) in {r['seconds']} s: {r['req_per_s']} req/s"
      + ("  (stopped by --deadline)" if r["stopped_by_deadline"] else ""))
print(f"{'class':10s} {'passed':>8s} {'failed':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
for c in r["passed"]:
    l = r["latency_ms"][c] or {"p50": "-", "p99": "-", "max": "-"}
    print(f"{c:10s} {r['passed'][c]:8d} {r['failed'][c]:8d} {l['p50']:>8} {l['p99']:>8} {l['max']:>8}")
for f in r["failures"][:20]:
    print(f"  failed: request {f['request']} ({f['class']}, {f['ms']} ms): {f['why']}")
PY
rp=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(r["passed"].values()), sum(r["failed"].values()))' "$W/run.json")
read -r req_pass req_fail <<<"$rp"
echo "requests: $req_pass passed, $req_fail failed; checks after the run: $passed passed, $failed failed"
echo "$((req_pass + passed)) passed, $((req_fail + failed)) failed"
((req_fail + failed == 0))
