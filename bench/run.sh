#!/usr/bin/env bash
# Per-request cost of a trivial Python CGI script: direct, through Apache's
# suexec-custom, and through cgijail; all spawned by one driver running as
# www-data from the script's directory (see bench/driver.py for the method).
#
#   sudo bench/run.sh                 BENCH_N=200 timed rounds (default)
#   sudo BENCH_N=1000 bench/run.sh
#   sudo BENCH_HYPERFINE=0 bench/run.sh   skip the hyperfine cross-check
#   sudo BENCH_DOC= bench/run.sh      print only, leave docs/performance.md
#   sudo BENCH_IDLE_WAIT=0 bench/run.sh   don't wait (default: up to 300 s) for
#                                     the load average to drop below 1
#
# It builds build-bench/ (a wrapper whose compiled-in policy dir is
# /var/lib/cgijail-bench/etc), creates the user cjtbench (uid/gid 62980),
# /var/lib/cgijail-bench, and points suexec-custom at that docroot; all of it
# except build-bench/ is undone on exit, failures and Ctrl-C included.
# Exit status: 0 when every row was measured, 3 when some row was not (the
# table says which and why), anything else on a setup failure.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (sudo bench/run.sh)" >&2; exit 1; }
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One run at a time: they share the user, the tree and suexec's config.
exec 9<"${BASH_SOURCE[0]}"
flock -n 9 || { echo "run.sh: another bench/run.sh is running" >&2; exit 1; }
top=/var/lib/cgijail-bench
user=cjtbench
uid=62980
caller=www-data
site=$top/www/site
suexec=/usr/lib/apache2/suexec-custom
suexec_conf=/etc/apache2/suexec/$caller
suexec_orig=$suexec_conf.cgijail-bench-orig   # survives a SIGKILLed run
suexec_logdir=/var/log/apache2
doc=${BENCH_DOC-$src/docs/performance.md}
export BENCH_N=${BENCH_N:-200}
export BENCH_HYPERFINE=${BENCH_HYPERFINE:-1}
py=/usr/bin/python3

say() { printf '== %s\n' "$*" >&2; }

tmp=""
made_logdir=0
suexec_conf_existed=0

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  if [ -e "$suexec_orig" ]; then
    if [ "$suexec_conf_existed" -eq 1 ] || [ -s "$suexec_orig" ]; then
      cp -p "$suexec_orig" "$suexec_conf" && rm -f "$suexec_orig"
    else
      rm -f "$suexec_conf" "$suexec_orig"
    fi
  fi
  if [ "$made_logdir" -eq 1 ]; then rm -rf "$suexec_logdir"; fi
  if getent passwd "$user" >/dev/null; then userdel "$user" 2>/dev/null; fi
  if getent group "$user" >/dev/null; then groupdel "$user" 2>/dev/null; fi
  rm -rf "$top"
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- tools ------------------------------------------------------------------
need=()
[ -x "$suexec" ] || need+=(apache2-suexec-custom)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v shellcheck >/dev/null || need+=(shellcheck)
if ! command -v cmake >/dev/null || ! command -v cc >/dev/null || ! command -v pkg-config >/dev/null; then
  need+=(build-essential cmake pkg-config)
fi
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" libcap-dev libseccomp-dev >/dev/null
fi
[ -x "$py" ] || { echo "run.sh: $py is required" >&2; exit 1; }
id "$caller" >/dev/null

# ---- leftovers of an interrupted run -------------------------------------------
if [ -e "$suexec_orig" ]; then
  say "restoring $suexec_conf left modified by an interrupted run"
  if [ -s "$suexec_orig" ]; then cp -p "$suexec_orig" "$suexec_conf"; else rm -f "$suexec_conf"; fi
  rm -f "$suexec_orig"
fi
other=$(getent passwd "$uid" | cut -d: -f1 || true)
if [ -n "$other" ] && [ "$other" != "$user" ]; then
  echo "run.sh: uid $uid belongs to '$other', not $user; not touching it" >&2; exit 1
fi
other=$(getent group "$uid" | cut -d: -f1 || true)
if [ -n "$other" ] && [ "$other" != "$user" ]; then
  echo "run.sh: gid $uid belongs to '$other', not $user; not touching it" >&2; exit 1
fi
if getent passwd "$user" >/dev/null; then userdel "$user"; fi
if getent group "$user" >/dev/null; then groupdel "$user"; fi
rm -rf "$top"

tmp=$(mktemp -d /tmp/cgijail-bench.XXXXXX)

# ---- the bench-only wrapper ------------------------------------------------------
cgijail_bin=""
cgijail_missing=""
say "building build-bench (policy dir $top/etc)"
if cmake -S "$src" -B "$src/build-bench" -DCGIJAIL_CONFIG_DIR="$top/etc" \
       -DBUILD_TESTING=OFF >"$tmp/build.log" 2>&1 &&
   cmake --build "$src/build-bench" -j2 --target cgijail >>"$tmp/build.log" 2>&1; then
  cgijail_bin=$top/bin/cgijail
else
  cgijail_missing="the wrapper did not build at this commit"
  say "build failed; cgijail is not measured. Last lines of the build log:"
  tail -n 15 "$tmp/build.log" >&2
fi

# ---- user, tree, policy, script ---------------------------------------------------
say "bench user $user ($uid), docroot $top/www"
groupadd -K GID_MAX=62999 -g "$uid" "$user"
useradd -K UID_MAX=62999 -K GID_MAX=62999 -u "$uid" -g "$uid" -M -d /nonexistent -s /usr/sbin/nologin "$user"
install -d -m 0755 -o root -g root "$top" "$top/etc" "$top/bin" "$top/www"
install -d -m 0755 -o "$user" -g "$user" "$site"
if [ -n "$cgijail_bin" ]; then
  # Installed like Debian's suexec: root:www-data 4754, only the caller may run it.
  install -m 4754 -o root -g "$caller" "$src/build-bench/bin/cgijail" "$cgijail_bin"
fi
cat >"$top/etc/cgijail.conf" <<CONF
[wrapper]
caller = $caller
docroot = $top/www
userdir =
min_uid = 1000
min_gid = 1000
CONF
chown root:root "$top/etc/cgijail.conf"
chmod 0644 "$top/etc/cgijail.conf"
install -m 0755 -o "$user" -g "$user" /dev/stdin "$site/hello.py" <<'PY'
#!/usr/bin/python3
print("Content-Type: text/plain")
print()
print("hello")
PY

# ---- suexec-custom: same docroot, backed up first ---------------------------------
if [ -e "$suexec_conf" ]; then
  suexec_conf_existed=1
  cp -p "$suexec_conf" "$suexec_orig"
else
  install -d -m 0755 "$(dirname "$suexec_conf")"
  : >"$suexec_orig"             # empty backup = "there was no file"
fi
printf '%s\n%s\n' "$top/www" "public_html/cgi-bin" >"$suexec_conf"
chmod 0644 "$suexec_conf"
if [ ! -d "$suexec_logdir" ]; then
  install -d -m 0750 -o root -g adm "$suexec_logdir" 2>/dev/null ||
    install -d -m 0750 -o root -g root "$suexec_logdir"
  made_logdir=1
fi

# ---- measure ----------------------------------------------------------------------
# On a shared machine, let other work (and our own build) calm down first.
idle_wait=${BENCH_IDLE_WAIT:-300}
waited=0
while [ "$waited" -lt "$idle_wait" ]; do
  read -r load1 _ </proc/loadavg
  if awk -v l="$load1" 'BEGIN { exit !(l < 1.0) }'; then break; fi
  if [ "$waited" -eq 0 ]; then
    say "waiting up to ${idle_wait}s for the 1-minute load average ($load1) to drop below 1"
  fi
  sleep 5
  waited=$((waited + 5))
done
say "measuring: BENCH_N=$BENCH_N rounds after 20 warm-up rounds, as $caller"
drv_args=(measure --caller "$caller" --docroot "$top/www" --script-dir "$site"
          --script hello.py --target-user "$user" --target-group "$user"
          --n "$BENCH_N" --warmup 20 --hyperfine "$BENCH_HYPERFINE"
          --suexec "$suexec")
if [ -n "$cgijail_bin" ]; then
  drv_args+=(--cgijail "$cgijail_bin")
else
  drv_args+=(--cgijail-missing "$cgijail_missing")
fi
status=0
"$py" -E -s -B "$src/bench/driver.py" "${drv_args[@]}" >"$tmp/results.json" 9<&- || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  echo "run.sh: the driver failed (status $status)" >&2
  exit "$status"
fi
if [ "$status" -eq 3 ] && [ -f "$suexec_logdir/suexec.log" ]; then
  say "last lines of $suexec_logdir/suexec.log:"
  tail -n 5 "$suexec_logdir/suexec.log" >&2
fi

"$py" -E -s -B "$src/bench/driver.py" report "$tmp/results.json" --src "$src" >"$tmp/performance.md"
cat "$tmp/performance.md"
if [ -n "$doc" ]; then
  install -m 0644 "$tmp/performance.md" "$doc"
  say "wrote $doc"
fi
exit "$status"
