#!/usr/bin/env bash
# apache-demo.sh - cgijail in front of Apache, from this source tree, in one
# command.  As root on Debian 12:
#
#   demo/apache-demo.sh [--port N]     build, install, configure, show
#   demo/apache-demo.sh --remove       remove everything the demo made
#
# It installs apache2, curl and python3 with apt-get, builds the Debian
# package with packaging/build-packages.sh (which installs the build
# dependencies it misses), installs it (cgijail becomes Apache's suexec),
# creates two demo tenants, cjtdemo1 (uid 62880, a vhost with
# SuexecUserGroup) and cjtdemo2 (uid 62881, ~cjtdemo2/cgi-bin through
# UserDir), each with a small Python CGI script, starts an Apache instance
# of its own on 127.0.0.1 (port 8080, or the next free one up to 8099; the
# system's Apache and its configuration are not touched), and shows with
# curl: a page run as its tenant, a form POST, a script attacking the other
# tenant and the system (contained by the sandbox) and a refused script
# (500, and the reason from the logs).  Apache keeps running for you to
# try; --remove stops it and removes the tenants, their sites, the Apache
# configuration and the cgijail package (not apache2, curl or the build
# dependencies).
set -euo pipefail
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive

src=$(cd "$(dirname "$0")/.." && pwd)
demo=/var/lib/cgijail-apache-demo         # the demo's Apache config, logs, packages
users=(cjtdemo1 cjtdemo2) uids=(62880 62881)
cg_parent=${DEMO_CGROUP_PARENT:-cgijail-test/apache-demo}
t_start=$SECONDS

step() { printf '\n== [%3d s] %s\n' "$((SECONDS - t_start))" "$*"; }
say() { printf '   %s\n' "$*"; }
die() { printf 'apache-demo.sh: %s\n' "$*" >&2; exit 1; }
show() { printf '\n$ %s\n' "$*"; "$@" || true; }   # a command and its output

[[ $(id -u) -eq 0 ]] || die "run as root (it installs a package, users and an Apache instance)"
command -v apt-get >/dev/null || die "needs Debian 12 (apt-get)"

# ---- --remove --------------------------------------------------------------------------
remove() {
  step "stopping the demo's Apache"
  if [[ -f $demo/apache/httpd.pid ]]; then
    local pid
    pid=$(cat "$demo/apache/httpd.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      say "stopped (pid $pid)"
    fi
  else
    say "not running"
  fi
  step "removing the demo tenants and their sites"
  local u
  for u in "${users[@]}"; do
    if id -u "$u" >/dev/null 2>&1; then userdel "$u"; say "user $u removed"; fi
    if getent group "$u" >/dev/null; then groupdel "$u"; fi
    rm -rf "/var/www/${u:?}" "/home/${u:?}" "/etc/cgijail/users.d/$u.conf"
  done
  local m
  while IFS= read -r m; do
    for u in "${users[@]}"; do
      [[ ! -d $m/$cg_parent/$u ]] || find "$m/$cg_parent/$u" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    # the parent too, when nothing else uses it
    rmdir "$m/$cg_parent" 2>/dev/null || true
    [[ $cg_parent != */* ]] || rmdir "$m/${cg_parent%%/*}" 2>/dev/null || true
  done < <(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts | sort -u)
  step "removing the cgijail package (apt-get purge cgijail)"
  if [[ -f $demo/installed-by-demo ]] && dpkg-query -W cgijail >/dev/null 2>&1; then
    apt-get purge -y -qq cgijail </dev/null >/dev/null
    say "purged; /usr/lib/apache2/suexec: $(update-alternatives --query suexec 2>/dev/null |
      sed -n 's/^Value: //p' || true)"
  else
    say "not installed by the demo: left alone"
  fi
  rm -rf "$demo"
  step "done in $((SECONDS - t_start)) s (apache2, curl and the build dependencies stay installed)"
}

port=""
case ${1:-} in
--remove) remove; exit 0 ;;
--port) port=${2:?--port needs a number} ;;
"") ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (--port N, --remove)" ;;
esac

if dpkg-query -W -f='${db:Status-Status}' cgijail 2>/dev/null | grep -q installed &&
   [[ ! -f $demo/installed-by-demo ]]; then
  die "cgijail is already installed (not by this demo): the demo installs its own build; remove it first"
fi
if [[ -d $demo ]]; then
  step "an earlier demo is still set up: removing it first"
  remove
  t_start=$SECONDS
fi

free_port() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z $port ]]; then
  for p in $(seq 8080 8099); do
    if free_port "$p"; then port=$p; break; fi
  done
  [[ -n $port ]] || die "ports 8080-8099 are all in use: give one with --port N"
else
  free_port "$port" || die "port $port is in use"
fi

# ---- packages --------------------------------------------------------------------------
step "apt-get install apache2 curl python3 (what is missing)"
need=(apache2 curl python3 git)
missing=()
for p in "${need[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
else
  say "all there"
fi

step "building the Debian package (packaging/build-packages.sh: build dependencies, dpkg-buildpackage, lintian, RPM)"
install -d -m 0755 "$demo" "$demo/artifacts"
t0=$SECONDS
if ! bash "$src/packaging/build-packages.sh" "$demo/artifacts" >"$demo/build.log" 2>&1 </dev/null; then
  tail -n 30 "$demo/build.log"
  die "the build failed (log: $demo/build.log)"
fi
deb=$(ls "$demo"/artifacts/cgijail_*_*.deb)
say "built $(basename "$deb") in $((SECONDS - t0)) s (log: $demo/build.log)"

step "apt-get install $deb"
apt-get install -y -qq "$deb" </dev/null >"$demo/install.log" 2>&1 || { cat "$demo/install.log"; die "install failed"; }
touch "$demo/installed-by-demo"
say "/usr/lib/apache2/suexec -> $(update-alternatives --query suexec | sed -n 's/^Value: //p')"
say "$(ls -l /usr/lib/cgijail/cgijail)"
say "policy: /etc/cgijail/cgijail.conf; JSON log: /var/log/cgijail/cgijail.log"

# ---- tenants ---------------------------------------------------------------------------
step "demo tenants: cjtdemo1 (${uids[0]}, vhost /var/www/cjtdemo1), cjtdemo2 (${uids[1]}, ~cjtdemo2/cgi-bin)"
for i in 0 1; do
  groupadd -K GID_MAX=62899 -g "${uids[i]}" "${users[i]}"
  useradd -K UID_MAX=62899 -u "${uids[i]}" -g "${uids[i]}" -M -d "/home/${users[i]}" \
    -s /usr/sbin/nologin "${users[i]}"
  install -d -m 0755 -o "${users[i]}" -g "${users[i]}" "/home/${users[i]}"
done
mkdir -p /var/www
install -d -m 0755 -o cjtdemo1 -g cjtdemo1 /var/www/cjtdemo1
install -d -m 0755 -o cjtdemo2 -g cjtdemo2 /home/cjtdemo2/public_html /home/cjtdemo2/public_html/cgi-bin

# cgroups: the packaged policy's cgroup_parent is cgijail.service's subtree
# (systemd, cgroup v2).  Without that service, a per-tenant drop-in gives
# the demo tenants a parent of their own.
if [[ -d /run/systemd/system ]] && systemctl is-active --quiet cgijail.service 2>/dev/null; then
  say "cgroups: below cgijail.service (systemd), the packaged cgroup_parent"
else
  for u in "${users[@]}"; do
    printf '# demo: no cgijail.service (systemd) on this host\n[sandbox]\ncgroup_parent = %s\n' \
      "$cg_parent" >"/etc/cgijail/users.d/$u.conf"
    chmod 0644 "/etc/cgijail/users.d/$u.conf"
  done
  say "cgroups: no cgijail.service here, so /etc/cgijail/users.d/cjtdemo{1,2}.conf set cgroup_parent = $cg_parent"
fi

cat >"$demo/hello.py" <<'PY'
#!/usr/bin/python3
# hello.py - who runs me, and a form.
import os
import pwd
import sys
from urllib.parse import parse_qs

print("Content-Type: text/plain; charset=utf-8")
print()
me = pwd.getpwuid(os.getuid()).pw_name
print(f"Hello from {me}: uid={os.getuid()} gid={os.getgid()} groups={os.getgroups()}")
print(f"script {os.environ.get('SCRIPT_FILENAME')}, TMPDIR {os.environ.get('TMPDIR')}")
if os.environ.get("REQUEST_METHOD") == "POST":
    body = sys.stdin.read(int(os.environ.get("CONTENT_LENGTH") or 0))
    form = {k: v[0] for k, v in parse_qs(body).items()}
    print(f"Thank you, {form.get('name', 'stranger')}: you said {form.get('message', '')!r}")
PY
cat >"$demo/attack.py" <<'PY'
#!/usr/bin/python3
# attack.py - what a compromised script of cjtdemo2 would try.
import os
import socket
import subprocess

print("Content-Type: text/plain; charset=utf-8")
print()
print(f"running as uid {os.getuid()}")


def attempt(what, fn):
    try:
        result = fn()
        print(f"{what}: SUCCEEDED {result!r}"[:200])
    except OSError as e:
        print(f"{what}: {type(e).__name__}: {e.strerror}")


attempt("read cjtdemo1's secret.txt (mode 0644)", lambda: open("/var/www/cjtdemo1/secret.txt").read())
attempt("read /etc/shadow", lambda: open("/etc/shadow").read())
attempt("list /home", lambda: os.listdir("/home"))
attempt("run /bin/sh -c id", lambda: subprocess.run(["/bin/sh", "-c", "id"], capture_output=True).stdout)
attempt("open a TCP socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
attempt("write /var/www/cjtdemo1/defaced.html", lambda: open("/var/www/cjtdemo1/defaced.html", "w"))
attempt("write in my own TMPDIR", lambda: open(os.path.join(os.environ["TMPDIR"], "ok.txt"), "w").close())
PY
install -m 0755 -o cjtdemo1 -g cjtdemo1 "$demo/hello.py" /var/www/cjtdemo1/hello.py
install -m 0644 -o cjtdemo1 -g cjtdemo1 /dev/stdin /var/www/cjtdemo1/secret.txt <<<"cjtdemo1's database password: hunter2"
install -m 0755 -o cjtdemo2 -g cjtdemo2 "$demo/hello.py" /home/cjtdemo2/public_html/cgi-bin/hello.py
install -m 0755 -o cjtdemo2 -g cjtdemo2 "$demo/attack.py" /home/cjtdemo2/public_html/cgi-bin/attack.py
# group-writable: cgijail refuses to run it (as suexec does)
install -m 0775 -o cjtdemo1 -g cjtdemo1 "$demo/hello.py" /var/www/cjtdemo1/broken.py
say "$(stat -c '%A %U %n' /var/www/cjtdemo1/* | paste -sd' ')"

# ---- Apache ----------------------------------------------------------------------------
step "an Apache instance of the demo on 127.0.0.1:$port ($demo/apache/httpd.conf)"
a=$demo/apache
m=/usr/lib/apache2/modules
install -d -m 0755 "$a" "$a/run"
cat >"$a/httpd.conf" <<CONF
# The demo's own Apache (mpm_event + mod_cgid, Debian's default); the lines
# an admin adds to a site are the SuexecUserGroup vhost and the UserDir part.
ServerName 127.0.0.1
ServerRoot $a
PidFile $a/httpd.pid
DefaultRuntimeDir $a/run
Mutex file:$a/run default
ErrorLog $a/error.log
LogLevel notice
User www-data
Group www-data
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule cgid_module $m/mod_cgid.so
ScriptSock $a/run/cgid.sock
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule suexec_module $m/mod_suexec.so
LoadModule userdir_module $m/mod_userdir.so
TypesConfig /etc/mime.types
Listen 127.0.0.1:$port
<Directory />
  AllowOverride None
  Require all denied
</Directory>

# ~user/cgi-bin: run through suexec (cgijail) as that user
UserDir public_html
UserDir disabled root
<Directory /home/*/public_html/cgi-bin>
  Options +ExecCGI
  SetHandler cgi-script
  Require all granted
</Directory>

# the site of cjtdemo1: every CGI runs as cjtdemo1
<VirtualHost 127.0.0.1:$port>
  DocumentRoot /var/www/cjtdemo1
  SuexecUserGroup cjtdemo1 cjtdemo1
  <Directory /var/www/cjtdemo1>
    Options +ExecCGI
    AddHandler cgi-script .py
    Require all granted
  </Directory>
</VirtualHost>
CONF
/usr/sbin/apache2 -f "$a/httpd.conf" -k start
for _ in $(seq 1 50); do
  if ! free_port "$port"; then break; fi
  sleep 0.1
done
free_port "$port" && die "Apache did not start: $(tail -n 5 "$a/error.log")"
say "$(grep -o 'AH01232: suEXEC mechanism enabled.*' "$a/error.log" | tail -n 1)"

# ---- the show ----------------------------------------------------------------------------
base=http://127.0.0.1:$port
step "1. a page: cjtdemo1's hello.py runs as cjtdemo1, cjtdemo2's as cjtdemo2"
show curl -sS "$base/hello.py"
show curl -sS "$base/~cjtdemo2/cgi-bin/hello.py"

step "2. a form POST"
show curl -sS --data-urlencode "name=Ada" --data-urlencode "message=hello, cgijail" "$base/hello.py"

step "3. a contained attack: cjtdemo2's attack.py goes after cjtdemo1's files and the system"
say "(secret.txt is world-readable: with plain suexec the first read would succeed)"
show curl -sS "$base/~cjtdemo2/cgi-bin/attack.py"

step "4. a refusal: broken.py is group-writable"
show curl -sS -i "$base/broken.py"
say ""
say "the reason, in Apache's error log ($a/error.log):"
{ grep -F 'cgijail: refused:' "$a/error.log" || true; } | tail -n 1 | sed 's/^/     /'
say "and in cgijail's JSON log (/var/log/cgijail/cgijail.log; syslog authpriv too, when a syslog daemon runs):"
{ grep -F '"outcome":"refused"' /var/log/cgijail/cgijail.log || true; } | tail -n 1 | sed 's/^/     /'
say "cgijail-check explains it:"
{ cgijail-check explain cjtdemo1 cjtdemo1 /var/www/cjtdemo1/broken.py || true; } |
  { grep -E 'FAIL|refused' || true; } | sed 's/^/     /'

step "done in $((SECONDS - t_start)) s"
cat <<EOF
   Apache keeps running on $base for you to try, e.g.
     curl $base/hello.py
     tail -f /var/log/cgijail/cgijail.log
   Remove everything the demo made (Apache instance, users, sites, the cgijail package):
     $src/demo/apache-demo.sh --remove
EOF
