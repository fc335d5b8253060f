# shellcheck shell=bash disable=SC2154 # here, W, CG_PARENT and P_* are run.sh's
# apache.sh - part "apache": Apache 2.4 calling the installed cgijail as its
# suexec, under mpm_event + mod_cgid and under mpm_prefork + mod_cgi, the
# same checks under both.
#
# Tenants: cjte1 (62801) owns the vhost of port P_SITE, DocumentRoot
# /var/www/cjte1, SuexecUserGroup cjte1; cjte2 (62802) has
# /home/cjte2/public_html/cgi-bin, reached as /~cjte2/cgi-bin/ (suexec's
# ~user form); cjte3 (62803) owns the vhost of port P_LIMITS and has a
# drop-in with [tenant] concurrency = 1 and [limits] wall = 2s.

CJTE1_UID=62801 CJTE2_UID=62802 CJTE3_UID=62803

apache_setup() {
  step "apache: tenants cjte1 (vhost), cjte2 (UserDir), cjte3 (concurrency 1, wall 2s)"
  add_user cjte1 "$CJTE1_UID" /home/cjte1
  add_user cjte2 "$CJTE2_UID" /home/cjte2
  add_user cjte3 "$CJTE3_UID" /home/cjte3
  drop_in cjte1
  drop_in cjte2
  drop_in cjte3 "$(printf '[limits]\nwall = 2s\n[tenant]\nconcurrency = 1')"
  local d
  for d in /var/www/cjte1 /var/www/cjte3; do
    install -d -m 0755 -o "${d##*/}" -g "${d##*/}" "$d"
  done
  install -d -m 0755 -o cjte2 -g cjte2 /home/cjte2/public_html /home/cjte2/public_html/cgi-bin
  for d in /var/www/cjte1 /home/cjte2/public_html/cgi-bin; do
    local u=cjte1
    [[ $d == /home/cjte2/* ]] && u=cjte2
    install_script "$u" "$here/cgi/probe.py" "$d/probe.py"
    install_script "$u" "$here/cgi/echo.py" "$d/echo.py"
    install_script "$u" "$here/cgi/status404.py" "$d/status404.py"
    install_script "$u" "$here/cgi/slow.py" "$d/slow.py"
    # group-writable: refused by cgijail's script check
    install_script "$u" "$here/cgi/probe.py" "$d/groupwritable.py" 0775
  done
  install_script cjte3 "$here/cgi/slow.py" /var/www/cjte3/slow.py
  install_script cjte3 "$here/cgi/probe.py" /var/www/cjte3/probe.py
  # 10 MB of random bytes for the POST echo
  head -c $((10 * 1024 * 1024)) /dev/urandom >"$W/post.bin"
}

# apache_conf MPM DIR VHOST... : an httpd.conf for mpm_event + mod_cgid or
# mpm_prefork + mod_cgi, with UserDir and the vhosts named (site, limits, hg).
apache_conf() {
  local mpm=$1 d=$2 cgi
  shift 2
  if [[ $mpm == event ]]; then cgi=cgid; else cgi=cgi; fi
  local m=/usr/lib/apache2/modules
  cat <<CONF
ServerName 127.0.0.1
ServerRoot $d
PidFile $d/httpd.pid
DefaultRuntimeDir $d/run
Mutex file:$d/run default
ErrorLog $d/error.log
LogLevel info
LogFormat "%h \"%r\" %>s %b %D" e2e
CustomLog $d/access.log e2e
User www-data
Group www-data
Timeout 60
KeepAlive Off

LoadModule mpm_${mpm}_module $m/mod_mpm_${mpm}.so
LoadModule ${cgi}_module $m/mod_${cgi}.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule alias_module $m/mod_alias.so
LoadModule suexec_module $m/mod_suexec.so
LoadModule userdir_module $m/mod_userdir.so
TypesConfig /etc/mime.types
$([[ $cgi == cgid ]] && echo "ScriptSock $d/run/cgid.sock")
StartServers 2

Listen 127.0.0.1:$P_SITE
Listen 127.0.0.1:$P_LIMITS
Listen 127.0.0.1:$P_HG

<Directory />
  AllowOverride None
  Options None
  Require all denied
</Directory>

# UserDir requests run through suexec's ~user form: cgijail ~cjte2 ...
UserDir public_html
UserDir disabled root
<Directory /home/*/public_html/cgi-bin>
  Options +ExecCGI
  SetHandler cgi-script
  Require all granted
</Directory>

CONF
  local v
  for v in "$@"; do
    case $v in
    site) apache_vhost "$P_SITE" cjte1 ;;
    limits) apache_vhost "$P_LIMITS" cjte3 ;;
    hg) cat <<CONF

<VirtualHost 127.0.0.1:$P_HG>
  DocumentRoot /var/www/cjte4
  SuexecUserGroup cjte4 cjte4
  ScriptAlias /hg /var/www/cjte4/cgi-bin/hgweb.cgi
  <Directory /var/www/cjte4/cgi-bin>
    Require all granted
  </Directory>
</VirtualHost>
CONF
      ;;
    esac
  done
}
apache_vhost() { # PORT USER : DocumentRoot /var/www/USER, .py files are CGIs run as USER
  cat <<CONF

<VirtualHost 127.0.0.1:$1>
  DocumentRoot /var/www/$2
  SuexecUserGroup $2 $2
  <Directory /var/www/$2>
    Options +ExecCGI
    AddHandler cgi-script .py
    Require all granted
  </Directory>
</VirtualHost>
CONF
}

# apache_start MPM VHOST... : writes the config in $W/apache-MPM, starts
# httpd in the foreground (stopped by pid at exit or by apache_stop).
apache_start() {
  local mpm=$1 d=$W/apache-$1
  install -d -m 0755 "$d" "$d/run"
  apache_conf "$mpm" "$d" "${@:2}" >"$d/httpd.conf"
  start_server "apache-$mpm" "$d/stdout.log" /usr/sbin/apache2 -f "$d/httpd.conf" -DFOREGROUND
  APACHE_DIR=$d
}
apache_stop() { stop_server "apache-$1"; }
apache_errlog() { cat "$APACHE_DIR/error.log"; }

# ---- checks (they use APACHE_DIR, MPM_LABEL) -----------------------------------------
chk_suexec_enabled() {
  grep -q 'AH01232: suEXEC mechanism enabled (wrapper: /usr/lib/apache2/suexec)' \
    "$APACHE_DIR/error.log" && return 0
  echo "error log:"; cat "$APACHE_DIR/error.log"; return 1
}
chk_get() { # NAME URL UID : a GET with a query string, echoed, run as UID
  req "$1" "$2?name=e2e&n=42" || true
  expect_code "$1" 200 && expect_line "$1" "QUERY_STRING=name=e2e&n=42" &&
    expect_line "$1" "REQUEST_METHOD=GET" && expect_line "$1" "uid=$3"
}
chk_post_form() { # NAME URL UID
  req "$1" "$2" --data 'field=hello+world&x=1' || true
  expect_code "$1" 200 && expect_line "$1" "REQUEST_METHOD=POST" &&
    expect_line "$1" "body=field=hello+world&x=1" && expect_line "$1" "uid=$3"
}
chk_post_binary() { # NAME URL : 10 MB of random bytes come back byte-exact
  req "$1" "$2" --data-binary "@$W/post.bin" -H 'Content-Type: application/octet-stream' || true
  expect_code "$1" 200 || return 1
  local want got
  want=$(sha256sum <"$W/post.bin" | cut -d' ' -f1)
  got=$(sha256sum <"$W/$1.b" | cut -d' ' -f1)
  [[ $want == "$got" ]] && return 0
  echo "sent sha256 $want ($(stat -c %s "$W/post.bin") bytes)," \
    "received $got ($(stat -c %s "$W/$1.b") bytes)"
  return 1
}
chk_headers() { # NAME URL UID : cookies and X-Foo reach the script, Proxy does not
  req "$1" "$2" -H 'Cookie: session=abc123; theme=dark' -H 'X-Foo: bar baz' \
    -H 'Proxy: http://attacker.example:8080' || true
  expect_code "$1" 200 && expect_line "$1" "HTTP_COOKIE=session=abc123; theme=dark" &&
    expect_line "$1" "HTTP_X_FOO=bar baz" && expect_line "$1" "HTTP_PROXY=<unset>" &&
    expect_line "$1" "http_proxy=<unset>" && expect_line "$1" "uid=$3"
}
chk_404() { # NAME URL
  req "$1" "$2" || true
  expect_code "$1" 404 && expect_line "$1" "no such thing here"
}
chk_refused_apache() { # NAME URL SCRIPT_PATH : generic 500, reason in Apache's error log
  local mark
  mark=$(log_mark)
  req "$1" "$2" || true
  expect_generic_500 "$1" || return 1
  local i
  for ((i = 0; i < 50; i++)); do
    grep -F 'cgijail: refused:' "$APACHE_DIR/error.log" | grep -Fq -- "$3" && break
    sleep 0.1
  done
  grep -F 'cgijail: refused:' "$APACHE_DIR/error.log" | grep -F -- "$3" || {
    echo "no 'cgijail: refused: ... $3' line in Apache's error log:"; tail -n 10 "$APACHE_DIR/error.log"
    return 1
  }
  wait_log "$mark" '"outcome":"refused"' "\"script\":\"$3\"" >/dev/null
}
# chk_wall_and_busy : cjte3 (concurrency 1, wall 2s): a request sleeping 30 s
# holds the only slot; a second one gets 503 + Retry-After; the first is
# ended at 2 s with what it wrote so far, and nothing of cjte3 is left.
chk_busy() {
  local base=http://127.0.0.1:$P_LIMITS mark
  mark=$(log_mark)
  BUSY_MARK=$mark
  BUSY_T0=$(date +%s%N)
  curl -sS -o "$W/holder.b" -D "$W/holder.h" -w '%{http_code}' --max-time 40 "$base/slow.py?sleep" \
    >"$W/holder.code" 2>"$W/holder.err" &
  HOLDER=$!
  wait_tenant_running cjte3 || return 1
  req busy "$base/probe.py" || true
  expect_code busy 503 || return 1
  grep -iq '^Retry-After: 2' "$W/busy.h" || { echo "no Retry-After: 2 header:"; cat "$W/busy.h"; return 1; }
  wait_log "$mark" '"outcome":"busy"' '"user":"cjte3"' >/dev/null
}
chk_wall() {
  local rc=0 ms
  [[ -n ${HOLDER:-} ]] || { echo "no request holds the slot (the check before failed)"; return 1; }
  wait "$HOLDER" || rc=$?
  HOLDER=""
  ms=$((($(date +%s%N) - BUSY_T0) / 1000000))
  echo "the holder's curl: exit $rc after $ms ms, status $(cat "$W/holder.code")"
  [[ $rc -eq 0 || $rc -eq 18 || $rc -eq 52 ]] || { cat "$W/holder.err"; return 1; }
  ((ms < 8000)) || { echo "took $ms ms with wall = 2s"; return 1; }
  grep -Fxq started "$W/holder.b" || { echo "the client did not get what was written:"; cat "$W/holder.b"; return 1; }
  ! grep -Fxq finished "$W/holder.b" || { echo "the script ran to its end"; return 1; }
  wait_log "$BUSY_MARK" '"user":"cjte3"' '"limit":"wall"' >/dev/null || return 1
  tenant_gone cjte3 5
}
chk_client_gone() { # NAME URL USER : curl --max-time 1 on a script writing a line every 0.2 s
  local rc=0 mark
  mark=$(log_mark)
  curl -sS -o /dev/null --max-time 1 "$2" 2>/dev/null || rc=$?
  [[ $rc -eq 28 ]] || { echo "curl --max-time 1 ended with $rc, not 28 (timeout)"; return 1; }
  tenant_gone "$3" 5 || return 1
  wait_log "$mark" "\"user\":\"$3\"" 'slow.py"' '"limit":"client-abort"' >/dev/null
}

apache_checks() { # MPM LABEL
  local mpm=$1 L=$2 site=http://127.0.0.1:$P_SITE ud=http://127.0.0.1:$P_SITE/~cjte2/cgi-bin
  step "apache ($L): starting httpd"
  apache_start "$mpm" site limits
  t "$L: httpd starts and listens" wait_port "$P_SITE" "apache-$mpm"
  t "$L: Apache found a setuid suexec (AH01232)" chk_suexec_enabled
  step "apache ($L): requests"
  t "$L: GET with a query string, echoed, run as cjte1 ($CJTE1_UID)" chk_get a-get "$site/probe.py" "$CJTE1_UID"
  t "$L: form POST, run as cjte1" chk_post_form a-form "$site/probe.py" "$CJTE1_UID"
  t "$L: 10 MB binary POST echoed byte-exact (sha256)" chk_post_binary a-bin "$site/echo.py"
  t "$L: Cookie and X-Foo reach the script, Proxy does not (no HTTP_PROXY)" \
    chk_headers a-hdr "$site/probe.py" "$CJTE1_UID"
  t "$L: a script answering Status: 404 gives 404" chk_404 a-404 "$site/status404.py"
  t "$L: a group-writable script: 500 with the generic body, the reason in Apache's error log and log_file" \
    chk_refused_apache a-gw "$site/groupwritable.py" /var/www/cjte1/groupwritable.py
  step "apache ($L): UserDir (~cjte2, suexec's ~user form)"
  t "$L: ~cjte2: GET with a query string, run as cjte2 ($CJTE2_UID)" chk_get u-get "$ud/probe.py" "$CJTE2_UID"
  t "$L: ~cjte2: form POST, run as cjte2" chk_post_form u-form "$ud/probe.py" "$CJTE2_UID"
  t "$L: ~cjte2: 10 MB binary POST echoed byte-exact" chk_post_binary u-bin "$ud/echo.py"
  t "$L: ~cjte2: Cookie and X-Foo reach the script, Proxy does not" \
    chk_headers u-hdr "$ud/probe.py" "$CJTE2_UID"
  t "$L: ~cjte2: Status: 404 gives 404" chk_404 u-404 "$ud/status404.py"
  t "$L: ~cjte2: a group-writable script: generic 500, the reason in Apache's error log" \
    chk_refused_apache u-gw "$ud/groupwritable.py" /home/cjte2/public_html/cgi-bin/groupwritable.py
  step "apache ($L): limits (cjte3: concurrency 1, wall 2s; a client that goes away)"
  t "$L: cjte3 over concurrency 1 gets 503 with Retry-After: 2" chk_busy
  t "$L: a script sleeping 30 s past wall = 2s is ended; the client gets what it wrote; nothing of cjte3 is left" \
    chk_wall
  t "$L: a client leaving mid-request (curl --max-time 1) leaves no process of cjte1, none in its cgroups (log: limit client-abort)" \
    chk_client_gone a-gone "$site/slow.py?drip" cjte1
  t "$L: ~cjte2: a client leaving mid-request leaves nothing of cjte2" \
    chk_client_gone u-gone "$ud/slow.py?drip" cjte2
  apache_stop "$mpm"
}

part_apache() {
  apache_setup
  apache_checks event "mpm_event+mod_cgid"
  apache_checks prefork "mpm_prefork+mod_cgi"
}
