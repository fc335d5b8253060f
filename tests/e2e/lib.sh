# shellcheck shell=bash
# lib.sh - helpers of the end-to-end suite (sourced by run.sh): TAP output,
# a cleanup stack, users, servers started and stopped by pid, HTTP requests
# with curl, the JSON log, tenant processes and cgroups.

# ---- TAP ---------------------------------------------------------------------------
n=0 fails=0 known=0
T0=$SECONDS
step() { printf '# == [%3d s] %s\n' "$((SECONDS - T0))" "$*"; }
diag() { printf '# %s\n' "$@"; }
ok() { # STATUS DESCRIPTION
  n=$((n + 1))
  if [[ $1 -eq 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
# t DESCRIPTION COMMAND... : one check.  The command runs in this shell (it
# may set variables); what it prints is shown only when it fails.
t() {
  local d=$1 rc=0; shift
  "$@" >"$W/check.out" 2>&1 || rc=$?
  ok "$rc" "$d"
  if ((rc != 0)); then sed 's/^/#   /' "$W/check.out" | head -n 40; fi
  return 0
}
# known_bug BUG DESCRIPTION COMMAND... : a check of the right behaviour that
# fails because of a known cgijail bug (README.md, "Known bugs").  Its
# failure is reported as a TAP TODO and not counted; once it passes it
# fails the run, so that the marker goes with the fix.
known_bug() {
  local bug=$1 d=$2 rc=0; shift 2
  "$@" >"$W/check.out" 2>&1 || rc=$?
  n=$((n + 1))
  if ((rc != 0)); then
    known=$((known + 1))
    echo "not ok $n - $d # TODO known bug: $bug"
    sed 's/^/#   /' "$W/check.out" | head -n 10
  else
    fails=$((fails + 1))
    echo "not ok $n - $d (passes: the known bug '$bug' is fixed; remove its known_bug marker)"
  fi
}
# ---- cleanup stack -------------------------------------------------------------------
CLEANUP=()
on_exit() { CLEANUP+=("$*"); }     # a command string, run at exit, last first
run_cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
    eval "${CLEANUP[i]}" || diag "cleanup step failed: ${CLEANUP[i]}"
  done
  CLEANUP=()
}

# ---- packages ----------------------------------------------------------------------
# apt_install PKG... : installs what is missing.  Service starts are denied
# while it runs (policy-rc.d), so that installing apache2, nginx or
# lighttpd on a fresh machine does not start them on port 80.
apt_install() {
  local p missing=() made_policy=0
  for p in "$@"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] ||
      missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  step "apt-get install ${missing[*]}"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local rc=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$W/apt.log" 2>&1 || rc=$?
  ((made_policy == 0)) || rm -f /usr/sbin/policy-rc.d
  if ((rc != 0)); then tail -n 30 "$W/apt.log" | sed 's/^/# /'; return 1; fi
}

# ---- users -----------------------------------------------------------------------------
# add_user NAME UID HOME : user and group NAME with id UID, shell nologin,
# HOME made 0755 and owned by the user.  Removed at exit.
add_user() {
  local name=$1 uid=$2 home=$3
  groupadd -K GID_MAX=62899 -g "$uid" "$name"
  useradd -K UID_MAX=62899 -u "$uid" -g "$uid" -M -d "$home" -s /usr/sbin/nologin "$name"
  install -d -m 0755 -o "$name" -g "$name" "$home"
  on_exit "del_user $name"
}
del_user() { # NAME : the user, its group, drop-in, home, site and cgijail state
  local name=$1
  [[ $name == cjte* ]] || return 1
  if id -u "$name" >/dev/null 2>&1; then userdel "$name" 2>/dev/null || true; fi
  if getent group "$name" >/dev/null; then groupdel "$name" 2>/dev/null || true; fi
  # Its TMPDIR is a tmpfs (tmp_size) when a request mounted it here.
  if mountpoint -q "/var/lib/cgijail/tmp/$name" 2>/dev/null; then
    umount -l "/var/lib/cgijail/tmp/$name" || true
  fi
  rm -rf "/etc/cgijail/users.d/$name.conf" "/home/${name:?}" "/var/www/${name:?}" \
    "/run/cgijail/$name" "/var/lib/cgijail/tmp/$name"
}
# The suite's users left over by a crashed run: cjte* names in 62800-62899.
stale_users() {
  getent passwd | awk -F: '$1 ~ /^cjte/ && $3 >= 62800 && $3 <= 62899 {print $1}'
}

# drop_in USER TEXT : /etc/cgijail/users.d/USER.conf, root 0644.  The
# [sandbox] cgroup_parent of the suite comes first; TEXT adds sections.
drop_in() {
  local user=$1 text=${2:-}
  {
    printf '[sandbox]\ncgroup_parent = %s\n' "$CG_PARENT"
    [[ -z $text ]] || printf '%s\n' "$text"
  } >"/etc/cgijail/users.d/$user.conf"
  chmod 0644 "/etc/cgijail/users.d/$user.conf"
}

# install_script USER SRC DEST [MODE] : a CGI script owned by USER:USER.
install_script() {
  install -m "${4:-0755}" -o "$1" -g "$1" "$2" "$3"
}

# ---- servers ------------------------------------------------------------------------
# start_server NAME LOG COMMAND... : runs COMMAND in the background (it must
# stay in the foreground), remembers its pid in SERVER_PID[NAME].
declare -A SERVER_PID=() SERVER_LOG=()
start_server() {
  local name=$1 logf=$2; shift 2
  SERVER_LOG[$name]=$logf
  # its own session: Apache prefork signals its whole process group at shutdown
  setsid "$@" >>"$logf" 2>&1 </dev/null &
  SERVER_PID[$name]=$!
  on_exit "stop_server $name"
}
# stop_server NAME : SIGTERM to its pid, SIGKILL after 10 s; then the same
# for any process left in its session (children it did not take along).
stop_server() {
  local name=$1 pid=${SERVER_PID[$1]:-} i left
  [[ -n $pid ]] || return 0
  unset "SERVER_PID[$name]"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    diag "$name (pid $pid) ignored SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    left=$(session_pids "$pid")
    [[ -n $left ]] || return 0
    ((i > 0)) || diag "$name left processes in its session: ${left//$'\n'/ }"
    # shellcheck disable=SC2086 # a list of pids
    kill -TERM $left 2>/dev/null || true
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $left 2>/dev/null || true
}
session_pids() { ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ {print $1}'; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_port PORT NAME : until something accepts on 127.0.0.1:PORT (10 s).
wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if [[ -n ${2:-} && -n ${SERVER_PID[$2]:-} ]] && ! kill -0 "${SERVER_PID[$2]}" 2>/dev/null; then
      echo "$2 exited; its output:"; tail -n 20 "${SERVER_LOG[$2]}"; return 1
    fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 10 s"; return 1
}

# ---- HTTP ----------------------------------------------------------------------------
# req NAME URL [CURL ARGS...] : one request; the headers go to $W/NAME.h,
# the body to $W/NAME.b, the status code to $W/NAME.code; curl's exit
# status is the function's.
req() {
  local name=$1 url=$2; shift 2
  local rc=0
  curl -sS -o "$W/$name.b" -D "$W/$name.h" -w '%{http_code}' --max-time "${REQ_TIMEOUT:-40}" \
    "$@" "$url" >"$W/$name.code" 2>"$W/$name.err" || rc=$?
  return "$rc"
}
code_of() { cat "$W/$1.code"; }
body_of() { cat "$W/$1.b"; }
# expect_code NAME CODE : the status was CODE (prints what came otherwise).
expect_code() {
  local got
  got=$(cat "$W/$1.code" 2>/dev/null || echo none)
  [[ $got == "$2" ]] && return 0
  echo "status $got, expected $2; headers:"; cat "$W/$1.h" 2>/dev/null
  echo "body:"; head -c 600 "$W/$1.b" 2>/dev/null; echo
  echo "curl:"; cat "$W/$1.err" 2>/dev/null
  return 1
}
# expect_line NAME LINE : the body has the line LINE.
expect_line() {
  grep -Fxq -- "$2" "$W/$1.b" && return 0
  echo "no line '$2' in the body:"; head -c 600 "$W/$1.b"; echo; return 1
}
expect_no_line_prefix() { # NAME PREFIX
  ! grep -q -- "^$2" "$W/$1.b" && return 0
  echo "the body has $(grep -- "^$2" "$W/$1.b")"; return 1
}
GENERIC_500="The script could not be run. The reason is in the server's logs."
# expect_generic_500 NAME : status 500 and cgijail's body, nothing else.
expect_generic_500() {
  expect_code "$1" 500 || return 1
  grep -Fxq -- "$GENERIC_500" "$W/$1.b" && return 0
  echo "body is not cgijail's generic one:"; head -c 600 "$W/$1.b"; return 1
}

# ---- the JSON log ----------------------------------------------------------------------
LOG_FILE=/var/log/cgijail/cgijail.log
log_mark() { wc -l <"$LOG_FILE" 2>/dev/null || echo 0; }     # lines so far
# log_since MARK : the records written after MARK.
log_since() { tail -n "+$(($1 + 1))" "$LOG_FILE" 2>/dev/null || true; }
# log_find MARK FILTER... : the records after MARK with "key":"value" or
# "key":value for every FILTER (jq-free: plain substring matches).
log_find() {
  local mark=$1; shift
  local recs f
  recs=$(log_since "$mark")
  for f in "$@"; do recs=$(grep -F -- "$f" <<<"$recs" || true); done
  printf '%s' "$recs"
}
# wait_log MARK FILTER... : like log_find, waiting up to 10 s for a record.
wait_log() {
  local i out
  for ((i = 0; i < 100; i++)); do
    out=$(log_find "$@")
    if [[ -n $out ]]; then printf '%s\n' "$out"; return 0; fi
    sleep 0.1
  done
  echo "no log record with: ${*:2}; the last records:"; log_since "$1" | tail -n 5
  return 1
}

# ---- tenant processes and cgroups -------------------------------------------------------
cgroup_mounts() { awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts | sort -u; }
# tenant_cgroup_pids USER : every pid in the tenant's cgroups (any hierarchy).
tenant_cgroup_pids() {
  local m f
  for m in $(cgroup_mounts); do
    [[ -d $m/$CG_PARENT/$1 ]] || continue
    while IFS= read -r -d '' f; do cat "$f" 2>/dev/null || true; done \
      < <(find "$m/$CG_PARENT/$1" -name cgroup.procs -print0 2>/dev/null)
  done
}
# wrapper_pids : processes running the installed wrapper (supervisors).
wrapper_pids() {
  find /proc/[0-9]*/exe -maxdepth 0 -lname /usr/lib/cgijail/cgijail 2>/dev/null | cut -d/ -f3
}
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
# tenant_gone USER SECONDS : within SECONDS no process runs as USER, none is
# in the tenant's cgroups (their request leaves included: a concurrency slot
# keeps its leaf for its next request, empty) and no cgijail supervisor
# runs.
tenant_gone() {
  local user=$1 deadline ps_out cg_out sv
  deadline=$(($(now_ms) + $2 * 1000))
  while :; do
    ps_out=$(ps -u "$user" -o pid=,args= 2>/dev/null || true)
    cg_out=$(tenant_cgroup_pids "$user")
    sv=$(wrapper_pids)
    [[ -n $ps_out || -n $cg_out || -n $sv ]] || return 0
    (($(now_ms) < deadline)) || break
    sleep 0.1
  done
  echo "after $2 s: processes of $user: ${ps_out:-none}; in its cgroups: ${cg_out:-none};" \
    "cgijail supervisors: ${sv:-none}"
  return 1
}
# wait_tenant_running USER : until a process runs as USER (10 s).
wait_tenant_running() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -z $(ps -u "$1" -o pid= 2>/dev/null || true) ]] || return 0
    sleep 0.1
  done
  echo "no process of $1 after 10 s"; return 1
}
# remove_cgroups : the suite's cgroup parent in every hierarchy, bottom-up
# (leaving anything that still has processes), then the shared
# cgijail-test parent when it is empty.
remove_cgroups() {
  local m
  for m in $(cgroup_mounts); do
    [[ -d $m/$CG_PARENT ]] || continue
    find "$m/$CG_PARENT" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [[ ! -d $m/$CG_PARENT ]] || diag "cgroup left: $m/$CG_PARENT"
    rmdir "$m/${CG_PARENT%/*}" 2>/dev/null || true
  done
}
