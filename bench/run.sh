#!/usr/bin/env bash
# Per-request cost of a trivial Python CGI script: direct, through Apache's
# suexec-custom, through the bare cgijail wrapper (no sandbox), and through today's cgijail
# with its sandbox layers off, one at a time, and all on; all spawned by one
# driver running as www-data from the script's directory (see
# bench/driver.py for the method).
#
#   bench/run.sh                 BENCH_N=200 timed rounds (default)
#   BENCH_N=1000 bench/run.sh
#   BENCH_HYPERFINE=0 bench/run.sh   skip the hyperfine cross-check
#   BENCH_DOC= bench/run.sh      print only, leave docs/performance.md
#                                     (rewritten except the section that
#                                     bench/apache.sh keeps there)
#   BENCH_IDLE_WAIT=0 bench/run.sh   don't wait (default: up to 300 s) for
#                                     the load average to drop below 1
#   BENCH_BASE_REV=<commit> bench/run.sh   the bare reference wrapper
#                                     (default: the last commit before the
#                                     sandbox was wired into the wrapper)
#
# It builds build-bench/ (a wrapper whose compiled-in policy dir is
# /var/lib/cgijail-bench/etc, run dir /run/cgijail-bench, state dir
# /var/lib/cgijail-bench/state) and build-bench-base/ (the bare wrapper from
# `git archive BENCH_BASE_REV`, policy dir /var/lib/cgijail-bench/etc-base),
# creates the users cjtbench and cjtbsb* (uid/gid 62980-62984), one drop-in
# per user that switches the sandbox layers, /var/lib/cgijail-bench, the
# cgroups cgijail-test/bench/<user> in every hierarchy, and points
# suexec-custom at that docroot; all of it except the build directories is
# undone on exit, failures and Ctrl-C included.
# Exit status: 0 when every row was measured, 3 when some row was not (the
# table says which and why), anything else on a setup failure.
# The helpers below are called through the EXIT trap and for_each_user.
# shellcheck disable=SC2317
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (bench/run.sh as root)" >&2; exit 1; }
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One run at a time: they share the user, the tree and suexec's config.
exec 9<"${BASH_SOURCE[0]}"
flock -n 9 || { echo "run.sh: another bench/run.sh is running" >&2; exit 1; }
top=/var/lib/cgijail-bench
user=cjtbench
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
# The bare wrapper: e0c1833 is the last commit before 8049b9f wired the
# supervisor and the sandbox layers into wrapper/main.c.
base_rev=${BENCH_BASE_REV:-e0c1833bd2d2a466cbed29acd80a9ca95600367c}
rundir=/run/cgijail-bench
cg_parent=cgijail-test/bench
# The sandbox rows: driver key, user, uid, the drop-in's [sandbox] lines.
# The full-sandbox row is the user cjtbench (the same user as the other rows).
layer_rows=(
  "sb_none     cjtbsbnone 62981 cgroup=off seccomp=off landlock=off"
  "sb_seccomp  cjtbsbsecc 62982 cgroup=off seccomp=on  landlock=off"
  "sb_landlock cjtbsbland 62983 cgroup=off seccomp=off landlock=required"
  "sb_cgroup   cjtbsbcgrp 62984 cgroup=required seccomp=off landlock=off"
  "cgijail     cjtbench   62980 cgroup=required seccomp=on landlock=required"
)

say() { printf '== %s\n' "$*" >&2; }

tmp=""
made_logdir=0
suexec_conf_existed=0
made_cg_top=()    # cgroup hierarchies whose cgijail-test this run created

remove_user() {
  if getent passwd "$1" >/dev/null; then userdel "$1" 2>/dev/null; fi
  if getent group "$1" >/dev/null; then groupdel "$1" 2>/dev/null; fi
}
for_each_user() {   # for_each_user CMD: CMD USER UID [KEY [DROP-IN WORDS]]
  local row key u id rest
  for row in "${layer_rows[@]}"; do
    read -r key u id rest <<<"$row"
    "$1" "$u" "$id" "$key" "$rest"
  done
}
# This run's cgroups: cgijail-test/bench/... in every hierarchy, bottom-up
# (a request's leaf is gone when cgijail returns; the tenants' stay), then
# cgijail-test itself where this run created it and it is empty.
remove_cgroups() {
  local h d
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ -d "$h/$cg_parent" ] || continue
    find "$h/$cg_parent" -depth -type d -exec rmdir {} \; 2>/dev/null
    [ -d "$h/$cg_parent" ] && echo "run.sh: could not remove $h/$cg_parent" >&2
  done
  for d in "${made_cg_top[@]}"; do rmdir "$d" 2>/dev/null; done
  return 0
}
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
  remove_cgroups
  for_each_user remove_user
  # The tenants' TMPDIR tmpfs (the wrapper mounts one per tenant below the
  # run directory, in the driver's mount namespace, which is this one).
  findmnt -rn -o TARGET | grep "^$rundir/" | sort -r | while read -r m; do
    umount "$m" || echo "bench/run.sh: could not unmount $m" >&2
  done
  rm -rf "$top" "$rundir"
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
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" \
    libcap-dev libseccomp-dev libcgroup-dev >/dev/null
fi
[ -x "$py" ] || { echo "run.sh: $py is required" >&2; exit 1; }
id "$caller" >/dev/null

# ---- leftovers of an interrupted run -------------------------------------------
if [ -e "$suexec_orig" ]; then
  say "restoring $suexec_conf left modified by an interrupted run"
  if [ -s "$suexec_orig" ]; then cp -p "$suexec_orig" "$suexec_conf"; else rm -f "$suexec_conf"; fi
  rm -f "$suexec_orig"
fi
check_ids() {
  local other
  other=$(getent passwd "$2" | cut -d: -f1 || true)
  if [ -n "$other" ] && [ "$other" != "$1" ]; then
    echo "run.sh: uid $2 belongs to '$other', not $1; not touching it" >&2; exit 1
  fi
  other=$(getent group "$2" | cut -d: -f1 || true)
  if [ -n "$other" ] && [ "$other" != "$1" ]; then
    echo "run.sh: gid $2 belongs to '$other', not $1; not touching it" >&2; exit 1
  fi
}
for_each_user check_ids
for_each_user remove_user
remove_cgroups
rm -rf "$top" "$rundir"
for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
  if [ -f "$h/cgroup.procs" ] && [ ! -e "$h/cgijail-test" ]; then
    made_cg_top+=("$h/cgijail-test")
  fi
done

tmp=$(mktemp -d /tmp/cgijail-bench.XXXXXX)

# ---- the bench-only wrapper ------------------------------------------------------
cgijail_bin=""
cgijail_missing=""
say "building build-bench (policy dir $top/etc)"
if cmake -S "$src" -B "$src/build-bench" -DCGIJAIL_CONFIG_DIR="$top/etc" \
       -DCGIJAIL_RUN_DIR="$rundir" -DCGIJAIL_STATE_DIR="$top/state" \
       -DCGIJAIL_ZYGOTE="$top/lib/cgijail-zygote.py" \
       -DBUILD_TESTING=OFF >"$tmp/build.log" 2>&1 &&
   cmake --build "$src/build-bench" -j2 --target cgijail >>"$tmp/build.log" 2>&1; then
  cgijail_bin=$top/bin/cgijail
else
  cgijail_missing="the wrapper did not build at this commit"
  say "build failed; cgijail is not measured. Last lines of the build log:"
  tail -n 15 "$tmp/build.log" >&2
fi
# The bare wrapper, the reference of the sandbox rows: its sources from git
# (a fresh copy each run), its own policy dir.
base_bin=""
base_missing=""
base_full=$(git -C "$src" rev-parse --verify --quiet "$base_rev^{commit}" || true)
if [ -z "$base_full" ]; then
  base_missing="commit $base_rev is not in this clone"
  say "$base_missing; the bare wrapper is not measured"
else
  say "building build-bench-base (the bare wrapper, ${base_full:0:12})"
  rm -rf "$src/build-bench-base/src"
  install -d "$src/build-bench-base/src"
  if git -C "$src" archive "$base_full" | tar -x -C "$src/build-bench-base/src" &&
     cmake -S "$src/build-bench-base/src" -B "$src/build-bench-base/build" \
       -DCGIJAIL_CONFIG_DIR="$top/etc-base" -DBUILD_TESTING=OFF >"$tmp/base.log" 2>&1 &&
     cmake --build "$src/build-bench-base/build" -j2 --target cgijail >>"$tmp/base.log" 2>&1; then
    base_bin=$top/bin/cgijail-base
  else
    base_missing="the bare wrapper did not build"
    say "$base_missing. Last lines of its build log:"
    tail -n 15 "$tmp/base.log" >&2
  fi
fi

# ---- user, tree, policy, script ---------------------------------------------------
say "bench users cjtbench, cjtbsb* (62980-62984), docroot $top/www"
install -d -m 0755 -o root -g root "$top" "$top/etc" "$top/etc/users.d" \
  "$top/etc-base" "$top/bin" "$top/www"
if [ -n "$cgijail_bin" ]; then
  # Installed like Debian's suexec: root:www-data 4754, only the caller may run it.
  install -m 4754 -o root -g "$caller" "$src/build-bench/bin/cgijail" "$cgijail_bin"
fi
if [ -n "$base_bin" ]; then
  install -m 4754 -o root -g "$caller" "$src/build-bench-base/build/bin/cgijail" "$base_bin"
fi
wrapper_conf="[wrapper]
caller = $caller
docroot = $top/www
userdir =
min_uid = 1000
min_gid = 1000"
printf '%s\n' "$wrapper_conf" >"$top/etc-base/cgijail.conf"
printf '%s\n\n[sandbox]\ncgroup_parent = %s\n' "$wrapper_conf" "$cg_parent" \
  >"$top/etc/cgijail.conf"
chmod 0644 "$top/etc-base/cgijail.conf" "$top/etc/cgijail.conf"
layer_args=()
# add_user USER UID KEY "k=v k=v ...": the user, its script dir, its drop-in.
add_user() {
  local dir kv
  groupadd -K GID_MAX=62999 -g "$2" "$1"
  useradd -K UID_MAX=62999 -K GID_MAX=62999 -u "$2" -g "$2" -M -d /nonexistent \
    -s /usr/sbin/nologin "$1"
  dir=$top/www/$1
  [ "$1" = "$user" ] && dir=$site
  install -d -m 0755 -o "$1" -g "$1" "$dir"
  install -m 0755 -o "$1" -g "$1" /dev/stdin "$dir/hello.py" <<'PY'
#!/usr/bin/python3
print("Content-Type: text/plain")
print()
print("hello")
PY
  {
    echo "[sandbox]"
    for kv in $4; do echo "${kv%%=*} = ${kv#*=}"; done
  } >"$top/etc/users.d/$1.conf"
  chmod 0644 "$top/etc/users.d/$1.conf"
  layer_args+=(--layer "$3=$1:$dir")
}
for_each_user add_user

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
if [ -n "$base_bin" ]; then
  drv_args+=(--base "$base_bin" --base-rev "${base_full:0:12}")
else
  drv_args+=(--base-missing "$base_missing" --base-rev "$base_rev")
fi
drv_args+=("${layer_args[@]}")
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
# The section bench/apache.sh writes into the same file (between its
# markers) stays.
if [ -n "$doc" ] && [ -f "$doc" ]; then
  awk '/^<!-- BEGIN bench\/apache.sh/ { p = 1 } p { print } /^<!-- END bench\/apache.sh/ { p = 0 }' \
    "$doc" >"$tmp/apache-section.md"
  if [ -s "$tmp/apache-section.md" ]; then
    { echo; cat "$tmp/apache-section.md"; } >>"$tmp/performance.md"
  fi
fi
cat "$tmp/performance.md"
if [ -n "$doc" ]; then
  install -m 0644 "$tmp/performance.md" "$doc"
  say "wrote $doc"
fi
exit "$status"
