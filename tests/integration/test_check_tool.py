"""cgijail-check, the unprivileged admin tool (same compiled policy dir)."""
import os
import pwd
import subprocess
import time

import pytest

import cjlib
from cjlib import (ETC, OUTSIDE, POLICY, assert_refused, make_probe, new_dir, policy_text,
                   run_check, run_wrapper)


def lines_starting(out, word):
    return [l for l in out.splitlines() if l.split(" ", 1)[0].rstrip(":") == word]


# ---- policy ------------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["root", "cjtbob"])
def test_policy_valid(caller):
    rc, out, err = run_check(["policy"], caller=caller)
    assert rc == 0, (out, err)


def test_policy_invalid_reports_file_and_line(policy):
    text = policy_text() + "frobnicate = yes\n"
    policy.write(text)
    rc, out, err = run_check(["policy"])
    assert rc != 0, (out, err)
    line = text.split("\n").index("frobnicate = yes") + 1
    assert f"{POLICY}:{line}:" in out + err, (out, err)


def test_policy_and_wrapper_agree_on_the_error(policy, adir):
    text = policy_text().replace("[wrapper]\n", "[wrapper]\nmin_uid = nope\n", 1)
    text = text.replace("min_uid = 62001\n", "")
    policy.write(text)
    rc, out, err = run_check(["policy"])
    assert rc != 0
    _, m = make_probe(adir)
    why = assert_refused(run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir), m,
                         code=cjlib.EXIT_CONFIG, log=False)
    assert why in out + err, (why, out, err)


def test_policy_unsafe_file(policy):
    os.chmod(POLICY, 0o666)
    rc, out, err = run_check(["policy"])
    assert rc != 0, (out, err)


def test_config_dir_option(policy):
    alt = f"{ETC}/alt"
    os.mkdir(alt, 0o755)
    cjlib.write_root_file(f"{alt}/cgijail.conf", policy_text())
    rc, out, err = run_check(["--config-dir", alt, "policy"])
    assert rc == 0, (out, err)
    cjlib.write_root_file(f"{alt}/cgijail.conf", policy_text() + "\n\nbroken line\n")
    rc, out, err = run_check(["--config-dir", alt, "policy"])
    assert rc != 0, (out, err)
    n = (policy_text() + "\n\nbroken line\n").split("\n").index("broken line") + 1
    assert f"{alt}/cgijail.conf:{n}:" in out + err, (out, err)
    # the compiled-in policy is still the good one
    assert run_check(["policy"])[0] == 0


# ---- explain -----------------------------------------------------------------------

def test_explain_suexec_ok(adir):
    path, m = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path])
    assert rc == 0, (out, err)
    assert not lines_starting(out, "FAIL"), out
    assert len(lines_starting(out, "ok")) >= 3, out
    assert "/usr/bin/python3" in out and "-E -s -B" in out, out
    assert not m.ran, "explain must not run the script"


def test_explain_interp_ok(adir):
    path, m = make_probe(adir)
    rc, out, err = run_check(["explain", path])
    assert rc == 0, (out, err)
    assert not lines_starting(out, "FAIL"), out
    assert "/usr/bin/python3" in out
    assert not m.ran


def test_explain_as_unprivileged_user(adir):
    path, _ = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path], caller="cjtbob")
    assert rc == 0, (out, err)
    assert not lines_starting(out, "FAIL"), out


def test_explain_shows_dropin_settings(policy, adir):
    policy.dropin("cjtalice", "[wrapper]\ninterpreter_args = -I\n")
    path, _ = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path])
    assert rc == 0, (out, err)
    assert f"/usr/bin/python3 -I {path}" in out, out


def test_explain_shows_effective_sandbox(policy, adir):
    """The [limits]/[tenant]/[sandbox] a request would get, after the drop-in,
    and the tenant tree Landlock would make readable."""
    policy.dropin("cjtalice", "[limits]\nmemory = 96M\n[tenant]\nconcurrency = 3\n"
                              "[sandbox]\nnetwork = tcp:5432\nread = ~/lib\n")
    path, _ = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path])
    assert rc == 0, (out, err)
    assert "limits.memory = 96M (100663296 bytes, swap included)" in out, out
    assert "tenant.concurrency = 3 " in out, out
    assert "sandbox.network = tcp:5432" in out, out
    home = pwd.getpwnam("cjtalice").pw_dir
    assert f"sandbox.read = ~/lib ({home}/lib)" in out, out
    # the highest directory below the docroot that cjtalice owns
    tree, uid = adir, cjlib.uid_of("cjtalice")
    while os.path.dirname(tree) != cjlib.WWW and os.stat(os.path.dirname(tree)).st_uid == uid:
        tree = os.path.dirname(tree)
    assert f"sandbox tenant tree (read-only): {tree}\n" in out, out
    assert "limits.wall = 30s" in out, "the main policy's default stays" + out


def test_explain_shows_warm_mode(policy, adir):
    policy.dropin("cjtalice", "[warm]\nenabled = yes\npreload = json urllib.parse\n"
                              "max_requests = 50\nidle_timeout = 2m\n")
    path, _ = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path])
    assert rc == 0, (out, err)
    assert "warm.enabled = yes" in out, out
    assert "warm.preload = json urllib.parse\n" in out, out
    assert "warm.max_requests = 50\n" in out and "warm.idle_timeout = 120 s\n" in out, out
    assert f"warm zygote program: {cjlib.ZYGOTE}\n" in out, out


def _bad_mode(d):
    path, m = make_probe(d, mode=0o775)
    return ["cjtalice", "cjtalice"], path, m


def _bad_not_exec(d):
    path, m = make_probe(d, mode=0o644)
    return ["cjtalice", "cjtalice"], path, m


def _bad_group(d):
    path, m = make_probe(d, group="cjtshared")
    return ["cjtalice", "cjtalice"], path, m


def _bad_not_member(d):
    path, m = make_probe(d)
    return ["cjtalice", "cjtnobody"], path, m


def _bad_outside(d):
    o = new_dir(f"{OUTSIDE}/cjtalice", "cjtalice")
    path, m = make_probe(o)
    return ["cjtalice", "cjtalice"], path, m


def _bad_below_min(d):
    o = new_dir(f"{cjlib.WWW}/cjtweb", "cjtweb")
    path, m = make_probe(o, owner="cjtweb")
    return ["cjtweb", "cjtweb"], path, m


def _bad_symlink(d):
    real, m = make_probe(d, name="real.py")
    os.symlink("real.py", f"{d}/probe.py")
    os.lchown(f"{d}/probe.py", 62001, 62001)
    return ["cjtalice", "cjtalice"], f"{d}/probe.py", m


BAD = [_bad_mode, _bad_not_exec, _bad_group, _bad_not_member, _bad_outside, _bad_below_min,
       _bad_symlink]
EXPLAIN_CASES = [pytest.param(b, form, id=f"{form}-{b.__name__[5:]}")
                 for form in ("suexec", "interp") for b in BAD
                 if not (form == "interp" and b is _bad_not_member)]  # no group argument


@pytest.mark.parametrize("bad,form", EXPLAIN_CASES)
def test_explain_reports_the_failing_check(adir, bad, form):
    ug, path, m = bad(adir)
    if form == "interp":
        req, check_args = [path], ["explain", path]
    else:
        req = ug + [os.path.basename(path)]
        check_args = ["explain", *ug, path]
    res = run_wrapper(req, cwd=os.path.dirname(path) if form == "suexec" else "/")
    why = assert_refused(res, m)
    rc, out, err = run_check(check_args)
    assert rc != 0, (out, err)
    fails = lines_starting(out, "FAIL")
    assert fails, out
    assert why in out, f"the wrapper's reason {why!r} is not in explain's output:\n{out}"


def test_explain_fifo_does_not_block(adir):
    p = f"{adir}/probe.py"
    os.mkfifo(p)
    cjlib.chown_name(p, "cjtalice")
    os.chmod(p, 0o755)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", p], timeout=10)
    assert rc != 0 and lines_starting(out, "FAIL"), (out, err)


def test_explain_with_invalid_policy(policy, adir):
    text = policy_text() + "what = ever\n"
    policy.write(text)
    path, _ = make_probe(adir)
    rc, out, err = run_check(["explain", "cjtalice", "cjtalice", path])
    assert rc != 0
    line = text.split("\n").index("what = ever") + 1
    assert f"cgijail.conf:{line}:" in out + err, (out, err)


@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_config_dir_option_unsafe_dir(policy, mode):
    alt = f"{ETC}/alt"
    os.mkdir(alt)
    os.chmod(alt, mode)
    cjlib.write_root_file(f"{alt}/cgijail.conf", policy_text())
    rc, out, err = run_check(["--config-dir", alt, "policy"])
    assert rc != 0, (out, err)
    assert alt in out + err, (out, err)


# ---- tenants, prune ----------------------------------------------------------------

GONE_USER, GONE_UID = "cjtgone", 62020


@pytest.fixture
def gone_user():
    """A tenant made for one test and deleted by it (userdel), as an admin
    removes a customer; removed here too if the test stopped early."""
    cjlib._run(["groupadd", "-g", str(GONE_UID), GONE_USER])
    cjlib._run(["useradd", "--no-create-home", "-u", str(GONE_UID), "-g", GONE_USER,
                "-d", f"{cjlib.HOMES}/{GONE_USER}", "-s", "/usr/sbin/nologin", GONE_USER])
    try:
        yield GONE_USER
    finally:
        if cjlib._user_exists(GONE_USER):
            cjlib._run(["userdel", "-f", GONE_USER], check=False)
        if cjlib._group_exists(GONE_USER):
            cjlib._run(["groupdel", GONE_USER], check=False)


# Other sessions may keep cgroups of their own below cgijail-test: these
# tests give their requests a cgroup parent of their own, so that prune
# sees (and may remove) only what they made.
PRUNE_PARENT = f"{cjlib.TEST_CGROUP_PARENT}/prune{os.getpid()}"


def remove_cgroup_tree(parent):
    for m in cjlib.cgroup_mounts():
        top = os.path.join(m, parent)
        for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


@pytest.fixture
def prune_policy(policy):
    policy.set(sections={"sandbox": {"cgroup_parent": PRUNE_PARENT}})
    try:
        yield policy
    finally:
        remove_cgroup_tree(PRUNE_PARENT)


def tenant_state(user, parent=PRUNE_PARENT):
    """What cgijail keeps of user: run dir, TMPDIR, cgroups (any hierarchy)."""
    cg = [os.path.join(m, parent, user) for m in cjlib.cgroup_mounts()
          if os.path.isdir(os.path.join(m, parent, user))]
    return {"run": os.path.isdir(f"{cjlib.RUN}/{user}"),
            "tmp": os.path.isdir(f"{cjlib.STATE}/tmp/{user}"),
            "cgroup": cg}


def leaves_with_procs(user, parent=PRUNE_PARENT):
    return [path for m in cjlib.cgroup_mounts()
            for path, _, _ in os.walk(os.path.join(m, parent, user))
            if cjlib._cgroup_procs(path)]


def run_as_tenant(user, body="print('Content-Type: text/plain\\n\\nok')\n"):
    d = new_dir(cjlib.WWW, GONE_UID, group=GONE_UID)
    cjlib.write_file(f"{d}/s.py", "#!/usr/bin/python3\n" + body, owner=GONE_UID,
                     group=GONE_UID)
    return d


def test_prune_removes_only_users_that_are_gone(prune_policy, gone_user):
    cjlib.sandbox_required()
    d = run_as_tenant(gone_user)
    # TMPDIR gets a file and a subdirectory, as a script would leave them.
    res = run_wrapper([gone_user, gone_user, "s.py"], cwd=d)
    assert res.rc == 0, res.describe()
    tmp = f"{cjlib.STATE}/tmp/{gone_user}"
    os.makedirs(f"{tmp}/sub/deeper")
    with open(f"{tmp}/sub/deeper/f", "w") as f:
        f.write("x")
    os.symlink("/etc/passwd", f"{tmp}/sub/link")   # never followed
    before = tenant_state(gone_user)
    assert before["run"] and before["tmp"] and before["cgroup"], before
    # An existing tenant's state, which prune must keep.
    adir = cjlib.new_dir(f"{cjlib.WWW}/cjtalice", "cjtalice")
    make_probe(adir)
    assert run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir).rc == 0
    alice = tenant_state("cjtalice")

    rc, out, err = run_check(["tenants"])
    assert rc == 0, (out, err)
    assert f"{gone_user}: user exists;" in out, out

    cjlib.end_zygotes()   # warm mode: a user's idle zygotes are its processes
    cjlib._run(["userdel", gone_user])
    rc, out, err = run_check(["tenants"])
    assert f"{gone_user}: NO SUCH USER" in out, out
    rc, out, err = run_check(["prune", "--dry-run"])
    assert rc == 0 and f"would remove {gone_user}" in out, (out, err)
    assert tenant_state(gone_user) == before, "a dry run removes nothing"

    rc, out, err = run_check(["prune"])
    assert rc == 0 and f"removed {gone_user}" in out, (out, err)
    assert tenant_state(gone_user) == {"run": False, "tmp": False, "cgroup": []}
    assert os.path.exists("/etc/passwd"), "the symlink's target is untouched"
    assert "cjtalice" not in out
    assert tenant_state("cjtalice") == alice, "an existing user's state is kept"
    rc, out, err = run_check(["prune"])
    assert rc == 0 and gone_user not in out, (out, err)


def test_prune_keeps_a_tenant_with_a_running_request(prune_policy, gone_user):
    cjlib.sandbox_required()
    prune_policy.set(sections={"limits": {"wall": "20s"},
                               "sandbox": {"cgroup_parent": PRUNE_PARENT}})
    d = run_as_tenant(gone_user, body="import time\nprint('Content-Type: text/plain\\n')\n"
                      "import sys; sys.stdout.flush(); time.sleep(15)\n")
    cmd = [cjlib.SETPRIV, f"--reuid={cjlib.uid_of('cjtweb')}",
           f"--regid={cjlib.primary_gid('cjtweb')}", "--clear-groups", "--",
           cjlib.WRAPPER, gone_user, gone_user, "s.py"]
    proc = subprocess.Popen(cmd, cwd=d, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline(), "the script started its response"
        assert leaves_with_procs(gone_user), "the request runs in its cgroup"
        cjlib._run(["userdel", "-f", gone_user])   # -f: it has a running process
        rc, out, err = run_check(["prune"])
        assert rc == 1, (out, err)
        assert f"kept  {gone_user}: a request of this user is still running" in out, out
        state = tenant_state(gone_user)
        assert state["run"] and state["tmp"] and state["cgroup"], state
    finally:
        proc.terminate()   # the supervisor ends the request and removes its leaf
        proc.communicate(timeout=20)
    deadline = time.monotonic() + 10
    while leaves_with_procs(gone_user) and time.monotonic() < deadline:
        time.sleep(0.05)
    rc, out, err = run_check(["prune"])
    assert rc == 0 and f"removed {gone_user}" in out, (out, err)
    assert tenant_state(gone_user) == {"run": False, "tmp": False, "cgroup": []}


def test_prune_finds_cgroups_below_a_dropin_parent(prune_policy, gone_user):
    """A tenant whose drop-in sets its own cgroup_parent: its cgroups are
    listed and pruned there; the drop-in is named, not removed."""
    cjlib.sandbox_required()
    parent = f"{PRUNE_PARENT}-dropin"
    dropin = f"{cjlib.USERSD}/{gone_user}.conf"
    cjlib.write_root_file(dropin, f"[sandbox]\ncgroup_parent = {parent}\n")
    try:
        d = run_as_tenant(gone_user)
        res = run_wrapper([gone_user, gone_user, "s.py"], cwd=d)
        assert res.rc == 0, res.describe()
        below = [os.path.join(m, parent, gone_user) for m in cjlib.cgroup_mounts()
                 if os.path.isdir(os.path.join(m, parent, gone_user))]
        assert below, "the request's tenant cgroup is below the drop-in's parent"
        cjlib.end_zygotes()
        cjlib._run(["userdel", gone_user])
        rc, out, err = run_check(["tenants"])
        line = next((l for l in out.splitlines() if l.startswith(gone_user + ":")), "")
        assert "NO SUCH USER" in line and "cgroup" in line, out
        rc, out, err = run_check(["prune"])
        assert rc == 0 and f"removed {gone_user}" in out, (out, err)
        assert f"{dropin} is left in place" in out, out
        assert not any(os.path.isdir(b) for b in below), below
        assert os.path.exists(dropin)
    finally:
        if os.path.exists(dropin):
            os.unlink(dropin)
        remove_cgroup_tree(parent)
