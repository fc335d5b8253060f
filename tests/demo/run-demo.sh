#!/usr/bin/env bash
# Demonstrate cgijail the way Apache's mod_cgi calls suexec: as www-data, in
# the script's directory, with a CGI environment, argv = USER GROUP CMD.
# Builds a demo wrapper whose compiled-in policy dir is /var/lib/cgijail-demo/etc,
# creates the demo user cjtdemo (uid 62990), runs a sample script, shows a
# refusal, then removes everything it made.  Run as root from the source tree:
#   tests/demo/run-demo.sh   (as root)
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "run as root (it installs a setuid binary and a user)"; exit 1; }
src=$(cd "$(dirname "$0")/../.." && pwd)
top=/var/lib/cgijail-demo
user=cjtdemo uid=62990

cleanup() {
  # the demo's cgroups (cgroup v1: one tree per controller; v2: one tree)
  for d in /sys/fs/cgroup/*/cgijail-test/demo /sys/fs/cgroup/cgijail-test/demo; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    rmdir "$(dirname "$d")" 2>/dev/null || true
  done
  if id -u "$user" >/dev/null 2>&1; then userdel "$user" 2>/dev/null || true; fi
  if getent group "$user" >/dev/null; then groupdel "$user" 2>/dev/null || true; fi
  rm -rf "$top"
}
trap cleanup EXIT
cleanup

echo "== building the demo wrapper (policy dir $top/etc)"
cmake -S "$src" -B "$src/build-demo" -DCGIJAIL_CONFIG_DIR="$top/etc" \
  -DCGIJAIL_RUN_DIR="$top/run" -DCGIJAIL_STATE_DIR="$top/state" -DBUILD_TESTING=OFF >/dev/null
cmake --build "$src/build-demo" -j2 --target cgijail >/dev/null

echo "== demo user $user ($uid), docroot $top/www, caller www-data"
groupadd -g "$uid" "$user"
useradd -u "$uid" -g "$uid" -M -d "$top/home" -s /usr/sbin/nologin "$user"
install -d -m 0755 -o root -g root "$top" "$top/etc" "$top/bin" "$top/www" "$top/log"
install -d -m 0755 -o "$user" -g "$user" "$top/www/demo"
# Installed like Debian's suexec: root:www-data, mode 4754 (only www-data may run it).
install -m 4754 -o root -g www-data "$src/build-demo/bin/cgijail" "$top/bin/cgijail"
cat > "$top/etc/cgijail.conf" <<CONF
[wrapper]
caller = www-data
docroot = $top/www
userdir =
min_uid = 1000
min_gid = 1000
interpreter = /usr/bin/python3
interpreter_args = -E -s -B
log_file = $top/log/cgijail.log
[limits]
wall = 3s
[sandbox]
# best-effort: the demo also runs where no cgroup subtree is delegated
cgroup = best-effort
cgroup_parent = cgijail-test/demo
CONF
chmod 0644 "$top/etc/cgijail.conf"
install -m 0755 -o "$user" -g "$user" /dev/stdin "$top/www/demo/hello.py" <<'PY'
import os, sys
print("Content-Type: text/plain")
print()
print(f"Hello, {os.environ.get('QUERY_STRING', '')}!")
print("uid/euid/suid:", os.getresuid(), " gid:", os.getresgid(), " groups:", os.getgroups())
print("cwd:", os.getcwd())
print("environment:", " ".join(sorted(os.environ)))
what = os.environ.get("QUERY_STRING", "")
if what == "escape":
    # world-readable, but outside this tenant's tree and the system defaults
    for path in ("/var/lib/cgijail-demo/etc/cgijail.conf", "/var/lib/cgijail-demo/www"):
        try:
            open(path).read() if path.endswith(".conf") else os.listdir(path)
            print("read", path, "- NOT contained")
        except OSError as e:
            print("read", path, "->", e.strerror)
    import subprocess
    try:
        subprocess.run(["/bin/sh", "-c", "id"])
    except OSError as e:
        print("exec /bin/sh ->", e.strerror)
if what == "sleep":
    import time
    time.sleep(60)
PY

run() {
  (cd "$top/www/demo" && env -i REQUEST_METHOD=GET QUERY_STRING=${1:-world} SCRIPT_NAME=/demo/hello.py \
     SERVER_NAME=localhost GATEWAY_INTERFACE=CGI/1.1 HTTP_HOST=localhost \
     setpriv --reuid=www-data --regid=www-data --clear-groups -- \
     env HTTP_PROXY=http://evil.example LD_PRELOAD=/tmp/evil.so PYTHONPATH=/tmp \
     "$top/bin/cgijail" "$user" "$user" hello.py)
}
echo
echo "== www-data runs: cgijail $user $user hello.py  (HTTP_PROXY, LD_PRELOAD, PYTHONPATH set by the caller)"
run
echo
echo "== the sandbox: the script tries to read outside its tree and to run /bin/sh"
run escape | tail -n 3
echo
echo "== a script that sleeps past [limits] wall = 3s is ended by the supervisor"
set +e; run sleep >/dev/null; rc=$?; set -e
echo "(exit status $rc = 128 + SIGKILL)"
echo
echo "== the log: one JSON record per request, with accounting and the sandbox in force"
tail -n 1 "$top/log/cgijail.log"
echo
echo "== the same request after 'chmod g+w hello.py' (suexec check 118): refused"
chmod g+w "$top/www/demo/hello.py"
set +e; run; rc=$?; set -e
echo "(exit status $rc)"
