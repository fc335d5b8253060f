# shellcheck shell=bash disable=SC2154 # here, W, CG_PARENT and P_* are run.sh's
# hg.sh - part "hg": Mercurial's hgweb (Debian's mercurial package, the
# hgweb.cgi of its examples) served through Apache and cgijail, driven by
# the hg client: clone and push.
#
# Tenant cjte4 (62804): the CGI in /var/www/cjte4/cgi-bin/hgweb.cgi
# (ScriptAlias /hg, vhost of port P_HG), the repository in
# /home/cjte4/repos/proj, outside the web tree.  What the sandbox needs for
# it (README.md, "Mercurial"): [sandbox] write = ~/repos, and [limits]
# file_size above the largest push.

CJTE4_UID=62804
HG_REPO=/home/cjte4/repos/proj
as_cjte4() { setpriv --reuid=cjte4 --regid=cjte4 --init-groups env -i HOME=/home/cjte4 PATH=/usr/bin:/bin "$@"; }

hg_setup() {
  add_user cjte4 "$CJTE4_UID" /home/cjte4
  install -d -m 0755 -o cjte4 -g cjte4 /home/cjte4/repos /var/www/cjte4 /var/www/cjte4/cgi-bin
  as_cjte4 hg init "$HG_REPO"
  printf 'hello from cjte4\n' | as_cjte4 tee "$HG_REPO/README" >/dev/null
  as_cjte4 hg -R "$HG_REPO" commit -A -q -u cjte4 -m "first commit"
  # hg push over plain HTTP: allowed for everyone (test only)
  printf '[web]\nallow-push = *\npush_ssl = false\n' | as_cjte4 tee "$HG_REPO/.hg/hgrc" >/dev/null
  # Debian's example, with the repository filled in; where dpkg was told
  # not to install /usr/share/doc (minimal images), the same script as
  # Mercurial's documentation gives it.
  local examples=(/usr/share/doc/mercurial*/examples/hgweb.cgi) example
  example=${examples[0]}
  if [[ -f $example ]]; then
    echo "hgweb.cgi: $example"
    sed "s|^config = b\"/path/to/repo/or/config\"|config = b\"$HG_REPO\"|" "$example" >"$W/hgweb.cgi"
  else
    echo "hgweb.cgi: no $example (dpkg path-exclude?): Mercurial's documented hgweb.cgi"
    cat >"$W/hgweb.cgi" <<CGI
#!/usr/bin/env python3
config = b"$HG_REPO"
from mercurial import demandimport; demandimport.enable()
from mercurial.hgweb import hgweb, wsgicgi
application = hgweb(config)
wsgicgi.launch(application)
CGI
  fi
  grep -q "^config = b\"$HG_REPO\"" "$W/hgweb.cgi" || { echo "$example: no config line"; return 1; }
  install_script cjte4 "$W/hgweb.cgi" /var/www/cjte4/cgi-bin/hgweb.cgi
}

# hg as root in $W (the clone is root's): no user config, no pager
hgc() { HGPLAIN=1 HGRCPATH=/dev/null hg "$@"; }

chk_hg_default_refused() { # the default sandbox keeps hgweb out of ~/repos
  local mark
  mark=$(log_mark)
  rm -rf "$W/hgclone0"
  if hgc clone -q "http://127.0.0.1:$P_HG/hg" "$W/hgclone0" >"$W/hg0.out" 2>&1; then
    echo "hg clone worked without a drop-in:"; cat "$W/hg0.out"; return 1
  fi
  cat "$W/hg0.out"
  grep -q 'HTTP Error 500' "$W/hg0.out" || return 1
  grep -F "PermissionError: [Errno 13] Permission denied: b'$HG_REPO/" "$APACHE_DIR/error.log" |
    tail -n 1 || { echo "no PermissionError on $HG_REPO in Apache's error log"; return 1; }
  wait_log "$mark" '"user":"cjte4"' '"status":1' >/dev/null
}
chk_hg_clone() {
  rm -rf "$W/hgclone"
  hgc clone "http://127.0.0.1:$P_HG/hg" "$W/hgclone" >"$W/hg1.out" 2>&1 || { cat "$W/hg1.out"; return 1; }
  grep -Fxq 'hello from cjte4' "$W/hgclone/README" || { echo "README not in the clone"; return 1; }
}
chk_hg_push() {
  local mark node
  mark=$(log_mark)
  printf 'pushed through cgijail\n' >>"$W/hgclone/README"
  hgc -R "$W/hgclone" commit -q -u e2e -m "pushed through cgijail" || return 1
  node=$(hgc -R "$W/hgclone" log -r tip -T '{node}')
  hgc -R "$W/hgclone" push "http://127.0.0.1:$P_HG/hg" >"$W/hg2.out" 2>&1 || { cat "$W/hg2.out"; return 1; }
  grep -q 'remote: added 1 changesets' "$W/hg2.out" || { cat "$W/hg2.out"; return 1; }
  # every request of the push ran with every layer on
  local recs
  recs=$(log_find "$mark" '"user":"cjte4"' '"outcome":"accepted"')
  [[ -n $recs ]] || { echo "no log record of the push"; return 1; }
  if grep -v '"sandbox":"cgroup=v[12] landlock=abi[0-9]* seccomp=unix-only"' <<<"$recs"; then
    echo "^ a request of the push did not run with cgroups, Landlock and seccomp"; return 1
  fi
  HG_PUSHED=$node
}
chk_hg_arrived() { # the changeset is in the tenant's repository, every file the tenant's
  local others
  others=$(find /home/cjte4/repos \( ! -user cjte4 -o ! -group cjte4 \) -printf '%u:%g %p\n')
  [[ -z $others ]] || { echo "not owned by cjte4:cjte4:"; echo "$others"; return 1; }
  [[ -n $HG_PUSHED ]] || { echo "nothing was pushed"; return 1; }
  local got
  got=$(as_cjte4 hg -R "$HG_REPO" log -r tip -T '{node} {desc}')
  [[ $got == "$HG_PUSHED pushed through cgijail" ]] || { echo "tip of $HG_REPO: $got, expected $HG_PUSHED"; return 1; }
}
chk_hg_big_push_refused() { # 20 MB in one push: past file_size = 16M (the bundle spooled to TMPDIR)
  head -c 20000000 /dev/urandom >"$W/hgclone/big.bin"
  hgc -R "$W/hgclone" commit -q -A -u e2e -m "a 20 MB file" 2>/dev/null || return 1
  if hgc -R "$W/hgclone" push "http://127.0.0.1:$P_HG/hg" >"$W/hg3.out" 2>&1; then
    echo "the push worked with file_size = 16M"; return 1
  fi
  grep -q 'HTTP Error 500' "$W/hg3.out" || { cat "$W/hg3.out"; return 1; }
  grep -F 'OSError: [Errno 27] File too large' "$APACHE_DIR/error.log" | tail -n 1 ||
    { echo "no EFBIG in Apache's error log"; return 1; }
}
chk_hg_big_push() {
  hgc -R "$W/hgclone" push "http://127.0.0.1:$P_HG/hg" >"$W/hg4.out" 2>&1 || { cat "$W/hg4.out"; return 1; }
  grep -q 'remote: added 1 changesets' "$W/hg4.out" || { cat "$W/hg4.out"; return 1; }
  cmp -s <(as_cjte4 hg --cwd "$HG_REPO" cat -r tip big.bin) "$W/hgclone/big.bin" ||
    { echo "big.bin at the tip of $HG_REPO differs"; return 1; }
}

part_hg() {
  HG_PUSHED=""
  step "hg: setting up"
  local rc=0
  hg_setup >"$W/hg-setup.out" 2>&1 || rc=$?
  t "hg: tenant cjte4 with a repository and hgweb.cgi" test "$rc" -eq 0
  sed 's/^/#   /' "$W/hg-setup.out"
  ((rc == 0)) || return 0
  drop_in cjte4
  apache_start event hg
  t "hg: httpd (mpm_event+mod_cgid) starts" wait_port "$P_HG" apache-event
  step "hg: the default sandbox, then the drop-in [sandbox] write = ~/repos"
  t "hg: with the default sandbox hgweb cannot read ~/repos (hg clone: HTTP 500, PermissionError in Apache's log)" \
    chk_hg_default_refused
  drop_in cjte4 "write = ~/repos"
  t "hg: with write = ~/repos, hg clone through Apache and cgijail" chk_hg_clone
  t "hg: hg push of a changeset (every request with cgroups, Landlock and seccomp)" chk_hg_push
  t "hg: the pushed changeset is in $HG_REPO, every file owned by cjte4" chk_hg_arrived
  step "hg: a 20 MB push against [limits] file_size"
  t "hg: a 20 MB push fails with the default file_size = 16M (EFBIG in Apache's log)" chk_hg_big_push_refused
  drop_in cjte4 "write = ~/repos
[limits]
file_size = 256M"
  t "hg: with file_size = 256M the 20 MB push arrives" chk_hg_big_push
  apache_stop event
}
