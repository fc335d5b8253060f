# shellcheck shell=bash disable=SC2154 # here, W, CG_PARENT and P_* are run.sh's
# frontends.sh - part "frontends": cgijail's interpreter form behind
# lighttpd (cgi.assign), nginx + fcgiwrap (a #!/usr/lib/cgijail/cgijail
# line) and python3 -m http.server --cgi (the same line), each server
# started with its own config in $W.  Per front end: a GET and a POST run as
# the script's owner, and for a refused script what the client gets and
# where the reason is (docs/frontends.md is written from these checks).
#
# Tenant cjte6 (62806): /var/www/cjte6/fe (lighttpd's and nginx's document
# root) and /var/www/cjte6/hs/cgi-bin (http.server's).

CJTE6_UID=62806

frontends_setup() {
  step "frontends: tenant cjte6, scripts with #!/usr/lib/cgijail/cgijail"
  add_user cjte6 "$CJTE6_UID" /home/cjte6
  drop_in cjte6
  local d
  install -d -m 0755 -o cjte6 -g cjte6 /var/www/cjte6 /var/www/cjte6/fe /var/www/cjte6/hs \
    /var/www/cjte6/hs/cgi-bin
  for d in /var/www/cjte6/fe /var/www/cjte6/hs/cgi-bin; do
    install_script cjte6 "$here/cgi/probe.py" "$d/probe.py"
    install_script cjte6 "$here/cgi/probe.py" "$d/groupwritable.py" 0775
  done
  # A CGI that does not go through cgijail (run as www-data by fcgiwrap):
  # shows what nginx + fcgiwrap pass on their own.
  install -d -m 0755 "$W/plain"
  sed '1s|.*|#!/usr/bin/python3|' "$here/cgi/probe.py" >"$W/plain/plain.py"
  chmod 0755 "$W/plain/plain.py"
}

# a log file the server opens after dropping to www-data
www_log() { install -m 0644 -o www-data -g www-data /dev/null "$1"; }

# fe_front_checks LABEL BASE SCRIPT_DIR : GET and POST through a front end,
# run as cjte6, with the request's own headers checks.
fe_front_checks() {
  local L=$1 base=$2
  t "$L: GET with a query string, run as cjte6 ($CJTE6_UID)" chk_get "$L-get" "$base/probe.py" "$CJTE6_UID"
  t "$L: form POST, run as cjte6" chk_post_form "$L-post" "$base/probe.py" "$CJTE6_UID"
}
# chk_refused_generic NAME URL SCRIPT : 500 with the generic body, a
# "refused" record for SCRIPT in log_file.
chk_refused_generic() {
  local mark
  mark=$(log_mark)
  req "$1" "$2" || true
  expect_generic_500 "$1" || return 1
  wait_log "$mark" '"outcome":"refused"' "\"script\":\"$3\"" '"mode":"interpreter"' >/dev/null
}
# has_refusal FILE SCRIPT : the "cgijail: refused:" line for SCRIPT is in FILE
has_refusal() {
  local i
  for ((i = 0; i < 50; i++)); do
    grep -F 'cgijail: refused: ' "$1" 2>/dev/null | grep -Fq -- "$2" && return 0
    sleep 0.1
  done
  echo "no 'cgijail: refused: ... $2' in $1:"; tail -n 5 "$1"; return 1
}
lacks_refusal() { # FILE SCRIPT
  ! grep -F 'cgijail: refused: ' "$1" 2>/dev/null | grep -F -- "$2"
}

# ---- lighttpd ------------------------------------------------------------------------
lighttpd_conf() { # DIR [BREAKAGELOG]
  cat <<CONF
server.document-root = "/var/www/cjte6/fe"
server.bind = "127.0.0.1"
server.port = $P_LIGHTTPD
server.username = "www-data"
server.groupname = "www-data"
server.pid-file = "$1/lighttpd.pid"
server.errorlog = "$1/error.log"
server.modules = ("mod_cgi")
cgi.assign = (".py" => "/usr/lib/cgijail/cgijail")
CONF
  [[ -z ${2:-} ]] || printf 'server.breakagelog = "%s"\n' "$2"
}
lighttpd_run() { # LABEL DIR [BREAKAGELOG] : starts lighttpd -D, its stderr in DIR/stderr.log
  install -d -m 0755 "$2"
  www_log "$2/error.log"
  [[ -z ${3:-} ]] || www_log "$3"
  lighttpd_conf "$2" "${3:-}" >"$2/lighttpd.conf"
  start_server "$1" "$2/stderr.log" /usr/sbin/lighttpd -D -f "$2/lighttpd.conf"
  t "$1: lighttpd starts" wait_port "$P_LIGHTTPD" "$1"
}
part_lighttpd() {
  local d=$W/lighttpd gw=/var/www/cjte6/fe/groupwritable.py base=http://127.0.0.1:$P_LIGHTTPD
  step "frontends: lighttpd, cgi.assign = (\".py\" => \"/usr/lib/cgijail/cgijail\")"
  lighttpd_run lighttpd "$d"
  fe_front_checks lighttpd "$base"
  t "lighttpd: Cookie and X-Foo reach the script, Proxy does not" chk_headers lt-hdr "$base/probe.py" "$CJTE6_UID"
  t "lighttpd: a group-writable script: 500 with the generic body; log_file has the reason" \
    chk_refused_generic lt-gw "$base/groupwritable.py" "$gw"
  t "lighttpd without server.breakagelog: the reason is on lighttpd's own stderr" has_refusal "$d/stderr.log" "$gw"
  t "lighttpd without server.breakagelog: not in server.errorlog" lacks_refusal "$d/error.log" "$gw"
  stop_server lighttpd
  step "frontends: lighttpd with server.breakagelog"
  lighttpd_run lighttpd-breakagelog "$d-b" "$d-b/breakage.log"
  t "lighttpd+breakagelog: a group-writable script: 500 with the generic body" \
    chk_refused_generic ltb-gw "$base/groupwritable.py" "$gw"
  t "lighttpd+breakagelog: the reason is in server.breakagelog" has_refusal "$d-b/breakage.log" "$gw"
  t "lighttpd+breakagelog: not on lighttpd's stderr" lacks_refusal "$d-b/stderr.log" "$gw"
  stop_server lighttpd-breakagelog
  step "frontends: lighttpd daemonized (no -D), without server.breakagelog"
  lighttpd_daemon "$d-d"
  t "lighttpd daemonized: a group-writable script: 500 with the generic body; log_file has the reason" \
    chk_refused_generic ltd-gw "$base/groupwritable.py" "$gw"
  t "lighttpd daemonized: its stderr is /dev/null (the reason is lost there), not in server.errorlog" \
    chk_lighttpd_daemon_stderr "$d-d" "$gw"
  lighttpd_daemon_stop
}
# lighttpd_daemon DIR : lighttpd as an init script starts it (it forks and
# detaches); stopped by the pid in its pid file.
LIGHTTPD_DAEMON_PID=""
lighttpd_daemon() {
  install -d -m 0755 "$1"
  www_log "$1/error.log"
  lighttpd_conf "$1" >"$1/lighttpd.conf"
  on_exit lighttpd_daemon_stop
  /usr/sbin/lighttpd -f "$1/lighttpd.conf" </dev/null >"$1/start.log" 2>&1 || { cat "$1/start.log"; return 1; }
  LIGHTTPD_DAEMON_PID=$(cat "$1/lighttpd.pid")
  wait_port "$P_LIGHTTPD" >/dev/null
}
lighttpd_daemon_stop() {
  local pid=$LIGHTTPD_DAEMON_PID i
  [[ -n $pid ]] || return 0
  LIGHTTPD_DAEMON_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
chk_lighttpd_daemon_stderr() { # DIR SCRIPT
  local fd2
  fd2=$(readlink "/proc/$LIGHTTPD_DAEMON_PID/fd/2" 2>/dev/null || echo "?")
  [[ $fd2 == /dev/null ]] || { echo "lighttpd's stderr is $fd2"; return 1; }
  lacks_refusal "$1/error.log" "$2"
}

# ---- nginx + fcgiwrap ------------------------------------------------------------------
nginx_conf() { # DIR
  cat <<CONF
daemon off;
user www-data;
pid $1/nginx.pid;
error_log $1/error.log info;
events { worker_connections 64; }
http {
  access_log $1/access.log;
  client_body_temp_path $1/tmp/body;
  fastcgi_temp_path $1/tmp/fastcgi;
  proxy_temp_path $1/tmp/proxy;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  server {
    listen 127.0.0.1:$P_NGINX;
    root /var/www/cjte6/fe;
    location ~ \.py\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$1/fcgiwrap/fcgiwrap.sock;
    }
    location = /plain/plain.py {
      root $W;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $W/plain/plain.py;
      fastcgi_pass unix:$1/fcgiwrap/fcgiwrap.sock;
    }
  }
}
CONF
}
chk_nginx_passes_proxy() { # without cgijail, HTTP_PROXY reaches the CGI
  req ng-plain "http://127.0.0.1:$P_NGINX/plain/plain.py" -H 'Proxy: http://attacker.example:8080' || true
  expect_code ng-plain 200 && expect_line ng-plain "HTTP_PROXY=http://attacker.example:8080"
}
fcgiwrap_run() { # NAME DIR [-f]
  start_server "$1" "$2/$1.stderr.log" setpriv --reuid=www-data --regid=www-data --init-groups \
    /usr/sbin/fcgiwrap ${3:+"$3"} -s "unix:$2/fcgiwrap/fcgiwrap.sock"
}
wait_socket() { # PATH
  local i
  for ((i = 0; i < 100; i++)); do
    [[ ! -S $1 ]] || return 0
    sleep 0.1
  done
  echo "no socket $1 after 10 s"; return 1
}
part_nginx() {
  local d=$W/nginx gw=/var/www/cjte6/fe/groupwritable.py base=http://127.0.0.1:$P_NGINX
  step "frontends: nginx + fcgiwrap -f (Debian's default), scripts with #!/usr/lib/cgijail/cgijail"
  install -d -m 0755 "$d" "$d/tmp"
  install -d -m 0755 -o www-data -g www-data "$d/fcgiwrap"
  nginx_conf "$d" >"$d/nginx.conf"
  fcgiwrap_run fcgiwrap-f "$d" -f
  start_server nginx "$d/nginx.stderr.log" /usr/sbin/nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
  t "nginx: nginx and fcgiwrap start" wait_port "$P_NGINX" nginx
  fe_front_checks nginx "$base"
  t "nginx: without cgijail, fcgiwrap passes a Proxy header on as HTTP_PROXY" chk_nginx_passes_proxy
  t "nginx: through cgijail, Cookie and X-Foo reach the script, Proxy does not" \
    chk_headers ng-hdr "$base/probe.py" "$CJTE6_UID"
  t "nginx: a group-writable script: 500 with the generic body; log_file has the reason" \
    chk_refused_generic ng-gw "$base/groupwritable.py" "$gw"
  t "nginx+fcgiwrap -f: the reason is in nginx's error_log (FastCGI sent in stderr)" \
    has_refusal "$d/error.log" "$gw"
  stop_server fcgiwrap-f
  step "frontends: nginx + fcgiwrap without -f"
  rm -f "$d/fcgiwrap/fcgiwrap.sock"
  fcgiwrap_run fcgiwrap "$d"
  t "nginx: fcgiwrap without -f starts" wait_socket "$d/fcgiwrap/fcgiwrap.sock"
  cp "$d/error.log" "$d/error-fcgiwrap-f.log"
  : >"$d/error.log"
  t "nginx+fcgiwrap: a group-writable script: 500 with the generic body" \
    chk_refused_generic ng-gw2 "$base/groupwritable.py" "$gw"
  t "nginx+fcgiwrap: the reason is on fcgiwrap's stderr" has_refusal "$d/fcgiwrap.stderr.log" "$gw"
  t "nginx+fcgiwrap: not in nginx's error_log" lacks_refusal "$d/error.log" "$gw"
  stop_server nginx
  stop_server fcgiwrap
}

# ---- python3 -m http.server --cgi ---------------------------------------------------------
httpserver_run() { # NAME USER
  local d=$W/$1 as=()
  install -d -m 0755 "$d"
  [[ $2 == root ]] || as=(setpriv --reuid="$2" --regid="$2" --init-groups)
  start_server "$1" "$d/stderr.log" "${as[@]}" /usr/bin/python3 -m http.server --cgi \
    --directory /var/www/cjte6/hs --bind 127.0.0.1 "$P_HTTPSERVER"
}
chk_hs_refused() { # NAME URL SCRIPT : 200, the Status: 500 line as a header, the generic body
  local mark
  mark=$(log_mark)
  req "$1" "$2" || true
  expect_code "$1" 200 || return 1
  grep -q '^Status: 500 Internal Server Error' "$W/$1.h" || { echo "no Status: 500 header:"; cat "$W/$1.h"; return 1; }
  grep -Fxq -- "$GENERIC_500" "$W/$1.b" || { echo "body:"; cat "$W/$1.b"; return 1; }
  wait_log "$mark" '"outcome":"refused"' "\"script\":\"$3\"" >/dev/null
}
chk_hs_root() { # as root http.server runs CGIs as nobody, who may not execute cgijail
  local mark
  mark=$(log_mark)
  req hs-root "http://127.0.0.1:$P_HTTPSERVER/cgi-bin/probe.py" || true
  expect_code hs-root 200 || return 1
  [[ ! -s $W/hs-root.b ]] || { echo "a body:"; cat "$W/hs-root.b"; return 1; }
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q "PermissionError: \[Errno 13\] Permission denied: '/var/www/cjte6/hs/cgi-bin/probe.py'" \
      "$W/httpserver-root/stderr.log" && break
    sleep 0.1
  done
  grep -F 'PermissionError' "$W/httpserver-root/stderr.log" || { cat "$W/httpserver-root/stderr.log"; return 1; }
  [[ -z $(log_since "$mark") ]] || { echo "cgijail ran:"; log_since "$mark"; return 1; }
}
part_httpserver() {
  local gw=/var/www/cjte6/hs/cgi-bin/groupwritable.py base=http://127.0.0.1:$P_HTTPSERVER/cgi-bin
  step "frontends: python3 -m http.server --cgi as www-data"
  httpserver_run httpserver www-data
  t "http.server: starts as www-data" wait_port "$P_HTTPSERVER" httpserver
  fe_front_checks http.server "$base"
  t "http.server: a group-writable script: status 200 with 'Status: 500' as a header and the generic body; log_file has the reason" \
    chk_hs_refused hs-gw "$base/groupwritable.py" "$gw"
  t "http.server: the reason is on the server's stderr" has_refusal "$W/httpserver/stderr.log" "$gw"
  stop_server httpserver
  step "frontends: python3 -m http.server --cgi as root"
  httpserver_run httpserver-root root
  t "http.server as root: starts" wait_port "$P_HTTPSERVER" httpserver-root
  t "http.server as root: the CGI child (nobody) cannot execute cgijail: 200, empty body, nothing logged by cgijail" \
    chk_hs_root
  stop_server httpserver-root
}

part_frontends() {
  frontends_setup
  part_lighttpd
  part_nginx
  part_httpserver
}
