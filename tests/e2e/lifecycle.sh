# shellcheck shell=bash disable=SC2154 # here, W, CG_PARENT and P_* are run.sh's
# lifecycle.sh - part "lifecycle": a tenant is created, served through
# Apache (UserDir), deleted with userdel; cgijail-check tenants reports it
# as gone and cgijail-check prune removes its run directory, its TMPDIR and
# its cgroups.
#
# Tenant cjte5 (62805): /home/cjte5/public_html/cgi-bin/probe.py.

CJTE5_UID=62805
RUN_DIR=/run/cgijail STATE_TMP=/var/lib/cgijail/tmp

# tenant_cgroups USER : the tenant's cgroup directories, any hierarchy
tenant_cgroups() {
  local m
  for m in $(cgroup_mounts); do
    [[ ! -d $m/$CG_PARENT/$1 ]] || echo "$m/$CG_PARENT/$1"
  done
}
chk_lc_served() {
  req lc-get "http://127.0.0.1:$P_SITE/~cjte5/cgi-bin/probe.py?tmpfile" || true
  expect_code lc-get 200 && expect_line lc-get "uid=$CJTE5_UID" &&
    expect_line lc-get "tmpfile=$STATE_TMP/cjte5/left-behind.txt"
}
chk_lc_state() { # the tenant's state exists while it is a user
  [[ -d $RUN_DIR/cjte5 ]] || { echo "no $RUN_DIR/cjte5"; return 1; }
  [[ -f $STATE_TMP/cjte5/left-behind.txt ]] || { echo "no $STATE_TMP/cjte5/left-behind.txt"; return 1; }
  [[ -n $(tenant_cgroups cjte5) ]] || { echo "no cgroup $CG_PARENT/cjte5 in any hierarchy"; return 1; }
  tenant_cgroups cjte5
}
chk_lc_tenants_exists() {
  cgijail-check tenants >"$W/tenants1.out" 2>&1 || { cat "$W/tenants1.out"; return 1; }
  grep -Eq '^cjte5: user exists; run-dir tmpdir( cgroup)?$' "$W/tenants1.out" || { cat "$W/tenants1.out"; return 1; }
}
chk_lc_tenants_cgroup() { # the tenant's cgroup (below its drop-in's cgroup_parent) is listed
  grep -Eq '^cjte5: .* cgroup$' "$W/tenants1.out" || { cat "$W/tenants1.out"; return 1; }
}
chk_lc_tenants_gone() {
  cgijail-check tenants >"$W/tenants2.out" 2>&1 || true
  grep -Eq '^cjte5: NO SUCH USER \(prune removes it\); run-dir tmpdir( cgroup)?$' "$W/tenants2.out" ||
    { cat "$W/tenants2.out"; return 1; }
}
chk_lc_prune() {
  cgijail-check prune >"$W/prune.out" 2>&1 || true
  cat "$W/prune.out"
  grep -Eq '^removed cjte5' "$W/prune.out" || return 1
  local left=""
  [[ ! -e $RUN_DIR/cjte5 ]] || left+=" $RUN_DIR/cjte5"
  [[ ! -e $STATE_TMP/cjte5 ]] || left+=" $STATE_TMP/cjte5"
  left+=$(tenant_cgroups cjte5 | tr '\n' ' ')
  [[ -z ${left// /} ]] || { echo "left after prune:$left"; return 1; }
}
chk_lc_tenants_after() {
  cgijail-check tenants >"$W/tenants3.out" 2>&1 || true
  ! grep -E '^cjte5:' "$W/tenants3.out"
}

part_lifecycle() {
  step "lifecycle: tenant cjte5 created and served through Apache (~cjte5)"
  add_user cjte5 "$CJTE5_UID" /home/cjte5
  drop_in cjte5
  install -d -m 0755 -o cjte5 -g cjte5 /home/cjte5/public_html /home/cjte5/public_html/cgi-bin
  install_script cjte5 "$here/cgi/probe.py" /home/cjte5/public_html/cgi-bin/probe.py
  apache_start event
  t "lifecycle: httpd starts" wait_port "$P_SITE" apache-event
  t "lifecycle: a request as the new tenant cjte5 ($CJTE5_UID), leaving a file in its TMPDIR" chk_lc_served
  apache_stop event
  t "lifecycle: cjte5 has a run dir, a TMPDIR and cgroups" chk_lc_state
  t "lifecycle: cgijail-check tenants: cjte5 exists, with its run-dir and tmpdir" chk_lc_tenants_exists
  t "lifecycle: cgijail-check tenants lists cjte5's cgroup (cgroup_parent set in its drop-in)" chk_lc_tenants_cgroup
  step "lifecycle: userdel cjte5; cgijail-check tenants, prune"
  userdel cjte5
  groupdel cjte5 2>/dev/null || true
  t "lifecycle: after userdel, cgijail-check tenants shows cjte5 as gone" chk_lc_tenants_gone
  t "lifecycle: cgijail-check prune removes its run dir, TMPDIR and cgroups" chk_lc_prune
  t "lifecycle: cgijail-check tenants no longer lists cjte5" chk_lc_tenants_after
}
