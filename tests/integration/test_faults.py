"""Faults of the host around a request: the cgroup file system missing,
read-only or its cgroups deleted, the policy replaced, another tenant's
drop-in broken, the log file unwritable or its disk full, the interpreter
missing, the target user deleted, the caller gone before the script writes.

Each fails closed: the script does not run (or runs with every layer the
policy asks for), stdout carries cgijail's generic 500 response and no
reason, stderr one line "cgijail: ..." with the reason, a POST body is
never altered, nothing of the request is left running.  Faults of the
mount table are made in a private mount namespace of the wrapper's caller
only (unshare + mount in the child before it runs the wrapper): the host's
mounts never change.  docs/reliability.md lists every fault and its test."""
import ctypes
import errno
import grp
import json
import os
import pwd
import subprocess
import time

import pytest

import cjlib
from cjlib import (EXIT_CONFIG, EXIT_REFUSED, LOG, LOGDIR, NOT_RUN_RESPONSE, POLICY, WWW,
                   assert_accepted, assert_one_stderr_line, make_probe, new_dir,
                   policy_text, run_wrapper)

A = ["cjtalice", "cjtalice", "probe.py"]
EXIT_SANDBOX = 124

# ---- a private mount namespace for the wrapper's caller ---------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS = 0x00020000
MS_RDONLY = 0x1
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2


def _ck(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def _mount(src, target, fstype, flags, data=None):
    enc = (lambda s: None if s is None else s.encode())
    _ck(_libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {target}")


def private_ns(*steps):
    """A preexec function: the child (root, before it becomes the caller and
    runs the wrapper) gets a mount namespace of its own, every mount private
    (nothing propagates back to the host), then runs steps."""
    def pre():
        _ck(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        for step in steps:
            step()
    return pre


def no_cgroup_fs():
    """Every cgroup and cgroup2 mount detached: no cgroup file system."""
    for mp in reversed(cjlib.cgroup_mounts()):
        _ck(_libc.umount2(mp.encode(), MNT_DETACH), f"umount {mp}")


def read_only_cgroup_fs():
    """Every cgroup mount bound onto itself, that bind mount read-only (a
    per-mount flag: the file system itself stays writable elsewhere)."""
    for mp in cjlib.cgroup_mounts():
        _mount(mp, mp, None, MS_BIND)
        _mount(None, mp, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def read_only(path):
    def step():
        _mount(path, path, None, MS_BIND)
        _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    return step


def full_tmpfs(path, size="64k"):
    """A tiny tmpfs over path, filled up."""
    def step():
        _mount("cgijail-faults", path, "tmpfs", 0, f"size={size},mode=0755")
        fd = os.open(os.path.join(path, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)
    return step


# ---- helpers --------------------------------------------------------------------------------

def tenant_cgroup_dirs(user="cjtalice"):
    return [os.path.join(root, user) for root in cjlib.cgroup_test_roots()
            if os.path.isdir(os.path.join(root, user))]


def remove_tenant_cgroups(user="cjtalice", end_zygotes=True):
    """rmdir the tenant's cgroups bottom-up in every hierarchy; those still
    holding a process stay (the kernel refuses: EBUSY).  Returns what is
    left.  Idle zygotes (warm mode) are ended first, as an admin deleting
    the cgroups of a live tenant must, unless end_zygotes is False."""
    if end_zygotes:
        cjlib.end_zygotes()
    left = []
    for top in tenant_cgroup_dirs(user):
        for dirpath, _, _ in os.walk(top, topdown=False):
            try:
                os.rmdir(dirpath)
            except OSError as e:
                if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                    raise
                left.append(dirpath)
    return left


def remove_test_parent():
    """The whole cgijail-test parent of this suite, where it is empty of
    processes: the test cgroup_parent as if an admin had deleted it."""
    remove_tenant_cgroups("cjtalice")
    remove_tenant_cgroups("cjtbob")
    for root in cjlib.cgroup_test_roots():
        try:
            os.rmdir(root)
        except OSError as e:   # other sessions' cgroups below it
            if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                raise


def assert_not_run(res, marker, code):
    """Fail-closed: the script did not run, the generic 500 on stdout, one
    stderr line, the given exit status."""
    assert not marker.ran, f"the script ran: {res.describe()}"
    assert res.rc == code, f"exit status {res.rc}, expected {code}: {res.describe()}"
    assert res.stdout == NOT_RUN_RESPONSE, res.describe()
    assert_one_stderr_line(res, b"cgijail: ")
    return res.stderr.decode("utf-8", "replace").strip()


def assert_confined(res, marker):
    """The script ran, with the policy's cgroups (the default test policy:
    cgroup = required)."""
    assert_accepted(res, marker)
    sandbox = res.log[0].get("sandbox", "")
    assert sandbox.startswith(("cgroup=v1", "cgroup=v2")), res.describe()
    return res.log[0]


def probe(adir):
    name = f"p{os.urandom(4).hex()}.py"
    _, m = make_probe(adir, name=name)
    return ["cjtalice", "cjtalice", name], m


# ---- the cgroup file system -------------------------------------------------------------------

@pytest.mark.parametrize("cgroups", ["existing", "fresh"])
def test_cgroup_fs_missing_refuses(adir, cgroups):
    """No cgroup file system mounted at all, with cgroup = required: the
    request is refused before the script runs (status 124), whether the
    tenant's cgroups existed or not."""
    cjlib.sandbox_required()
    args, m = probe(adir)
    if cgroups == "existing":
        assert_confined(run_wrapper(args, cwd=adir), m)
        os.unlink(m.path)
    else:
        remove_tenant_cgroups()
    res = run_wrapper(args, cwd=adir, preexec=private_ns(no_cgroup_fs))
    why = assert_not_run(res, m, EXIT_SANDBOX)
    assert "cgroup" in why, why
    recs = res.log
    assert len(recs) == 1 and recs[0]["outcome"] != "accepted", res.describe()


def test_cgroup_fs_missing_best_effort_runs_without_and_says_so(policy, adir):
    """The same with cgroup = best-effort: the script runs, without
    cgroups, and the log record says so."""
    cjlib.sandbox_required()
    policy.set(sections={"sandbox": {"cgroup": "best-effort"}})
    args, m = probe(adir)
    res = run_wrapper(args, cwd=adir, preexec=private_ns(no_cgroup_fs))
    assert_accepted(res, m)
    rec = res.log[0]
    assert rec["sandbox"].startswith("cgroup=off"), res.describe()
    assert "cgroup unavailable (best-effort)" in res.log_raw.decode(), res.describe()


@pytest.mark.parametrize("cgroups", ["existing", "fresh"])
def test_cgroup_fs_read_only_refuses(adir, cgroups):
    """Every cgroup mount read-only (in the caller's namespace): the
    tenant's cgroup cannot be created or the request cannot be put into its
    slot's cgroup: refused, status 124, the script did not run; or, on
    cgroup v2 with the cgroups already there, it runs in them, confined."""
    cjlib.sandbox_required()
    args, m = probe(adir)
    if cgroups == "existing":
        assert_confined(run_wrapper(args, cwd=adir), m)
        os.unlink(m.path)
        # Warm mode: the slot's zygote would serve it from the leaf it
        # already is in (limits read, nothing to write); starting one needs
        # the cgroup file system, as a cold request does.
        cjlib.end_zygotes()
    else:
        remove_tenant_cgroups()
    res = run_wrapper(args, cwd=adir, preexec=private_ns(read_only_cgroup_fs))
    if cgroups == "existing" and res.rc == 0 and res.log and \
            res.log[0].get("sandbox", "").startswith("cgroup=v2"):
        # cgroup v2: clone3(CLONE_INTO_CGROUP) starts the request in its
        # slot's existing leaf without writing a file, and the leaf's limits
        # read as the policy says: it runs confined exactly as the policy
        # says (the pid namespace, not cgroup.kill, ends what is left).
        assert_confined(res, m)
        return
    why = assert_not_run(res, m, EXIT_SANDBOX)
    assert "cgroup" in why, why


def test_cgroup_parent_deleted_between_requests(adir):
    """An admin deletes the whole cgroup parent between two requests: the
    next request creates it again and runs in its cgroups."""
    cjlib.sandbox_required()
    args, m = probe(adir)
    assert_confined(run_wrapper(args, cwd=adir), m)
    remove_test_parent()
    assert not tenant_cgroup_dirs(), "the tenant's cgroups are still there"
    os.unlink(m.path)
    assert_confined(run_wrapper(args, cwd=adir), m)
    assert tenant_cgroup_dirs(), "the request ran, but its tenant cgroup was not created"


def test_cgroup_parent_deleted_during_a_request(policy, adir):
    """The cgroups are deleted while a request runs: the kernel keeps the
    running request's cgroup (and its parents: EBUSY), the others go; the
    running request ends normally, a request started meanwhile and the next
    one run in their cgroups."""
    cjlib.sandbox_required()
    name = f"s{os.urandom(4).hex()}.py"
    m = cjlib.Marker()
    cjlib.write_file(os.path.join(adir, name),
                     f"import time\nopen({m.path!r}, 'w').write('ran')\ntime.sleep(2)\n"
                     "print('Content-Type: text/plain\\n\\nslept')\n")
    # a second slot's leaf exists, empty: two requests at once
    a2, m2 = probe(adir)
    slow = subprocess.Popen(
        [cjlib.SETPRIV, "--reuid=62000", "--regid=62000", "--clear-groups", "--",
         cjlib.WRAPPER, "cjtalice", "cjtalice", name],
        cwd=adir, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not m.ran and time.monotonic() < deadline:
            time.sleep(0.02)
        assert m.ran, "the slow request did not start"
        left = remove_tenant_cgroups(end_zygotes=False)
        assert left, "nothing was busy: the running request is not in a cgroup"
        assert_confined(run_wrapper(a2, cwd=adir), m2)
        out, err = slow.communicate(timeout=20)
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    assert slow.returncode == 0, (slow.returncode, out, err)
    assert out.endswith(b"slept\n") and err == b"", (out, err)
    remove_tenant_cgroups()
    os.unlink(m2.path)
    assert_confined(run_wrapper(a2, cwd=adir), m2)


# ---- the policy ---------------------------------------------------------------------------------

def _replace_policy(text, mode=0o644):
    """Replace the policy the way an editor or a deployment does: a new
    file renamed over it."""
    tmp = POLICY + ".new"
    cjlib.write_root_file(tmp, text, mode)
    os.rename(tmp, POLICY)


@pytest.mark.parametrize("fault", ["syntax-error", "group-writable", "deleted"])
def test_policy_broken_between_requests(adir, fault):
    """A request runs; the policy is replaced by a broken one (renamed over
    it), made group-writable or deleted: the next request is refused
    (status 121, the reason on one line); a good policy again: served."""
    args, m = probe(adir)
    assert_accepted(run_wrapper(args, cwd=adir), m)
    os.unlink(m.path)
    if fault == "syntax-error":
        _replace_policy(policy_text().replace("[wrapper]\n", "[wrapper]\nno equals sign\n"))
    elif fault == "group-writable":
        os.chmod(POLICY, 0o664)
    else:
        os.unlink(POLICY)
    res = run_wrapper(args, cwd=adir)
    why = assert_not_run(res, m, EXIT_CONFIG)
    assert "cgijail.conf" in why, why
    _replace_policy(policy_text())
    assert_accepted(run_wrapper(args, cwd=adir), m)


def test_policy_replaced_during_a_request(adir):
    """The policy is replaced by a broken one while a request runs: that
    request (which read the policy when it started) ends normally; the next
    is refused."""
    name = f"s{os.urandom(4).hex()}.py"
    m = cjlib.Marker()
    cjlib.write_file(os.path.join(adir, name),
                     f"import time\nopen({m.path!r}, 'w').write('ran')\ntime.sleep(1)\n"
                     "print('Content-Type: text/plain\\n\\nslept')\n")
    p = subprocess.Popen(
        [cjlib.SETPRIV, "--reuid=62000", "--regid=62000", "--clear-groups", "--",
         cjlib.WRAPPER, "cjtalice", "cjtalice", name],
        cwd=adir, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not m.ran and time.monotonic() < deadline:
            time.sleep(0.02)
        assert m.ran
        _replace_policy(policy_text() + "[surprise]\n")
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0 and out.endswith(b"slept\n") and err == b"", (p.returncode, out, err)
    args, m2 = probe(adir)
    assert_not_run(run_wrapper(args, cwd=adir), m2, EXIT_CONFIG)


def test_another_tenants_broken_dropin_refuses_only_that_tenant(policy, adir):
    """cjtbob's drop-in has a syntax error: cjtbob's requests are refused
    (status 121, his drop-in's file:line), cjtalice's and cjtcarol's are
    served as before."""
    policy.dropin("cjtbob", "[limits]\nwall 5s\n")
    bd = new_dir(f"{WWW}/cjtbob", "cjtbob")
    _, bm = make_probe(bd, owner="cjtbob")
    res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd)
    why = assert_not_run(res, bm, EXIT_CONFIG)
    assert "cjtbob.conf:2:" in why, why
    args, m = probe(adir)
    assert_confined(run_wrapper(args, cwd=adir), m)
    cd = new_dir(f"{WWW}/cjtcarol", "cjtcarol")
    _, cm = make_probe(cd, owner="cjtcarol")
    assert_accepted(run_wrapper(["cjtcarol", "cjtcarol", "probe.py"], cwd=cd), cm)


# ---- the log file -------------------------------------------------------------------------------

def test_log_file_on_read_only_file_system_refuses(adir):
    """log_file cannot be opened for writing (its directory is read-only):
    refused before anything runs, status 121, one line naming the log."""
    args, m = probe(adir)
    assert_accepted(run_wrapper(args, cwd=adir), m)   # the log file exists
    os.unlink(m.path)
    res = run_wrapper(args, cwd=adir, preexec=private_ns(read_only(LOGDIR)))
    why = assert_not_run(res, m, EXIT_CONFIG)
    assert "log" in why, why


def test_log_file_missing_on_read_only_file_system_refuses(adir):
    """The same when the log file does not exist yet and cannot be
    created."""
    if os.path.exists(LOG):
        os.unlink(LOG)
    args, m = probe(adir)
    res = run_wrapper(args, cwd=adir, preexec=private_ns(read_only(LOGDIR)))
    why = assert_not_run(res, m, EXIT_CONFIG)
    assert "log" in why, why


def test_log_disk_full(adir):
    """The log file's file system is full (a 64 KiB tmpfs, filled): the
    record cannot be written once the script has run.  The response goes
    out unchanged and cgijail says, on one stderr line (the web server's
    error log), that the record was lost; syslog still has it."""
    args, m = probe(adir)
    res = run_wrapper(args, cwd=adir, preexec=private_ns(full_tmpfs(LOGDIR)))
    if not m.ran:   # refusing before the script runs would do as well
        assert_not_run(res, m, EXIT_CONFIG)
        return
    assert_one_stderr_line(res, b"cgijail: error: ")
    assert b"log_file" in res.stderr, res.describe()
    assert res.rc == 0 and res.stdout.startswith(b"Content-Type: application/json\n\n"), \
        res.describe()
    assert res.info()["resuid"] == [62001] * 3, res.describe()


# ---- the interpreter ------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["policy", "drop-in"])
def test_interpreter_missing(policy, adir, where):
    """The interpreter named in the policy (or the tenant's drop-in) does
    not exist: refused, the script did not run, one line naming it; in the
    drop-in case other tenants are served."""
    missing = f"{cjlib.BINDIR}/no-such-python3"
    if where == "policy":
        policy.set(interpreter=missing)
    else:
        policy.dropin("cjtalice", f"[wrapper]\ninterpreter = {missing}\n")
    args, m = probe(adir)
    res = run_wrapper(args, cwd=adir)
    assert not m.ran, res.describe()
    assert res.rc in (EXIT_CONFIG, EXIT_REFUSED, cjlib.EXIT_EXEC), res.describe()
    assert res.stdout == NOT_RUN_RESPONSE, res.describe()
    assert_one_stderr_line(res, b"cgijail: ")
    assert "interpreter" in res.stderr.decode() or missing in res.stderr.decode(), res.describe()
    if where == "drop-in":
        bd = new_dir(f"{WWW}/cjtbob", "cjtbob")
        _, bm = make_probe(bd, owner="cjtbob")
        assert_accepted(run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=bd), bm)


# ---- the target user ----------------------------------------------------------------------------

GONE_USER, GONE_ID = "cjtlgone", 62720


@pytest.fixture
def gone_user():
    """A user cjtlgone (62720) with a script below the docroot; removed at
    the end whatever happened."""
    for kind, db in (("passwd", pwd.getpwuid), ("group", grp.getgrgid)):
        try:
            name = db(GONE_ID)[0]
        except KeyError:
            continue
        assert name == GONE_USER, f"{kind} id {GONE_ID} belongs to {name}"
    env = {"PATH": cjlib.SYS_PATH, "LC_ALL": "C"}

    def delete():
        cjlib.end_zygotes()   # warm mode: the user's idle zygote is its process
        subprocess.run(["userdel", GONE_USER], env=env, capture_output=True)
        subprocess.run(["groupdel", GONE_USER], env=env, capture_output=True)
    delete()
    subprocess.run(["groupadd", "-g", str(GONE_ID), GONE_USER], env=env, check=True)
    subprocess.run(["useradd", "-M", "-u", str(GONE_ID), "-g", str(GONE_ID), "-d", "/nonexistent",
                    "-s", "/usr/sbin/nologin", GONE_USER], env=env, check=True)
    d = os.path.join(WWW, GONE_USER)
    os.mkdir(d)
    os.chown(d, GONE_ID, GONE_ID)
    os.chmod(d, 0o755)
    yield d, delete
    delete()
    for top in tenant_cgroup_dirs(GONE_USER):
        for dirpath, _, _ in os.walk(top, topdown=False):
            os.rmdir(dirpath)


def test_target_user_deleted(gone_user):
    """userdel while the user's script exists: the next request for it is
    refused (status 120), the script does not run, one line."""
    d, delete = gone_user
    m = cjlib.Marker()
    path = os.path.join(d, "probe.py")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, cjlib.probe_source(m).encode())
    os.close(fd)
    os.chown(path, GONE_ID, GONE_ID)
    os.chmod(path, 0o755)
    args = [GONE_USER, GONE_USER, "probe.py"]
    assert_accepted(run_wrapper(args, cwd=d), m)
    os.unlink(m.path)
    delete()
    res = run_wrapper(args, cwd=d)
    assert_not_run(res, m, EXIT_REFUSED)
    # and by number, the form Apache's mod_suexec passes (SuexecUserGroup
    # resolved when Apache started, before the userdel)
    res = run_wrapper([str(GONE_ID), str(GONE_ID), "probe.py"], cwd=d)
    assert not m.ran, res.describe()
    assert res.rc == EXIT_REFUSED and res.stdout == NOT_RUN_RESPONSE, res.describe()


# ---- the caller's end of stdout -------------------------------------------------------------------

def test_stdout_closed_before_the_script_writes(adir):
    """The caller's read end of stdout is closed before cgijail starts (the
    client went away at once): the script's first write fails, the request
    ends within the wall limit, one log record, nothing left running (the
    autouse fixture checks the processes and cgroups)."""
    m = cjlib.Marker()
    name = f"w{os.urandom(4).hex()}.py"
    cjlib.write_file(os.path.join(adir, name),
                     f"import time\nopen({m.path!r}, 'w').write('ran')\ntime.sleep(0.3)\n"
                     "for i in range(100):\n"
                     "    print('Content-Type: text/plain\\n\\n' + 'x' * 4096, flush=True)\n"
                     "    time.sleep(0.1)\n")
    r, w = os.pipe()
    os.close(r)
    before = cjlib.log_size()
    t0 = time.monotonic()
    try:
        p = subprocess.run(
            [cjlib.SETPRIV, "--reuid=62000", "--regid=62000", "--clear-groups", "--",
             cjlib.WRAPPER, "cjtalice", "cjtalice", name],
            cwd=adir, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL, stdout=w,
            stderr=subprocess.PIPE, timeout=20)
    finally:
        os.close(w)
    took = time.monotonic() - t0
    assert took < 5, f"the request went on for {took:.1f} s after its first write failed"
    with open(LOG, "rb") as f:
        f.seek(before)
        recs = [ln for ln in f.read().split(b"\n") if ln]
    assert len(recs) == 1, (recs, p.stderr)
    rec = json.loads(recs[0])
    assert rec["outcome"] == "accepted", rec
    assert rec["limit"] == "client-abort" or rec["status"] != 0, rec
    assert p.returncode != 0, (p.returncode, p.stderr, rec)


# ---- a POST body under the faults ---------------------------------------------------------------

def test_post_body_intact_after_the_cgroups_were_deleted(policy, adir):
    """Another tenant refused (broken drop-in) and the cgroup parent deleted
    just before: a 1 MiB binary POST body reaches the script, which runs in
    its cgroups, and comes back byte for byte."""
    cjlib.sandbox_required()
    policy.dropin("cjtbob", "[limits]\nwall 5s\n")
    remove_test_parent()
    name = f"e{os.urandom(4).hex()}.py"
    cjlib.write_file(os.path.join(adir, name),
                     "import os, sys\n"
                     "n = int(os.environ['CONTENT_LENGTH'])\n"
                     "data = sys.stdin.buffer.read(n)\n"
                     "sys.stdout.buffer.write(b'Content-Type: application/octet-stream\\n\\n' + data)\n")
    body = os.urandom(1 << 20) + b"\x00\r\n\xff\n\n"
    env = cjlib.cgi_env(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body)),
                        CONTENT_TYPE="application/octet-stream")
    res = run_wrapper(["cjtalice", "cjtalice", name], cwd=adir, env=env, input=body)
    assert_confined(res, None)
    assert res.body() == body, "the POST body came back altered"

