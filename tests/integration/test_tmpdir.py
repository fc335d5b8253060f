"""The tenant's TMPDIR, <state>/tmp/<user>: with [tenant] tmp_size a tmpfs
of that size of its own (mounted by the wrapper before the privilege drop),
with tmp_size = none a plain directory on the state file system, where
RLIMIT_FSIZE (limits.file_size) bounds one file but nothing bounds the
total: one tenant's scripts could fill the disk that holds cgijail's state."""
import os
import shutil
import subprocess
import time

import pytest

import cjlib
from cjlib import assert_accepted, new_dir, run_wrapper, write_file
from test_check_tool import gone_user, prune_policy, run_as_tenant  # noqa: F401 (fixtures)

M = 1 << 20

# Writes NFILES files of FILE_MB MiB each (each below limits.file_size, the
# per-file bound) into TMPDIR with os.write, counting what the kernel took;
# reports the bytes written and the errno that stopped it, as JSON.
FILL = """import errno, json, os
tmp = os.environ["TMPDIR"]
written, error = 0, None
buf = b"x" * 65536
try:
    for i in range(@NFILES@):
        fd = os.open(os.path.join(tmp, "fill%d" % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            left = @FILE_MB@ << 20
            while left:
                n = os.write(fd, buf[:min(left, len(buf))])
                written += n
                left -= n
        finally:
            os.close(fd)
except OSError as e:
    error = errno.errorcode.get(e.errno, str(e.errno))
print("Content-Type: application/json\\n")
print(json.dumps({"written": written, "error": error, "tmpdir": tmp,
                  "files": sorted(os.listdir(tmp))}))
"""

# Runs BODY (which sets `out`), prints it as JSON.
SCRIPT = """import errno, json, os
tmp = os.environ["TMPDIR"]
out = {}
@BODY@
print("Content-Type: application/json\\n")
print(json.dumps(out))
"""


def fill_script(d, nfiles, file_mb, name="fill.py", owner="cjtalice"):
    src = FILL.replace("@NFILES@", str(nfiles)).replace("@FILE_MB@", str(file_mb))
    write_file(os.path.join(d, name), src, owner=owner)
    return name


def script(d, name, body, owner="cjtalice"):
    write_file(os.path.join(d, name), SCRIPT.replace("@BODY@", body), owner=owner)
    return name


def run_json(user, d, name):
    res = assert_accepted(run_wrapper([user, user, name], cwd=d))
    return res.info(), res


def tmpfs_at(path, pid="self"):
    return [m for m in cjlib.mounts_at(path, pid) if m["fstype"] == "tmpfs"]


def super_opt(m, key):
    for o in m["super"]:
        if o.startswith(key + "="):
            return o.split("=", 1)[1]
    return None


def clear_tmp(user):
    """The tenant's TMPDIR as a first request finds it: not mounted, empty."""
    path = cjlib.tenant_tmpdir(user)
    cjlib.unmount_below(path)
    if os.path.isdir(path):
        for e in os.listdir(path):
            p = os.path.join(path, e)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)


@pytest.fixture
def fresh_tmp():
    cjlib.sandbox_required()
    users = ("cjtalice", "cjtbob")
    for u in users:
        clear_tmp(u)
    yield
    for u in users:
        clear_tmp(u)


def test_without_tmp_size_a_tenant_fills_the_state_file_system(policy, adir, fresh_tmp):
    """The attack: 4 files of 4M (each below limits.file_size 16M), 16M in
    all, land on the file system of cgijail's state."""
    policy.set(sections={"tenant": {"tmp_size": "none"}})
    info, _ = run_json("cjtalice", adir, fill_script(adir, 4, 4))
    tmp = cjlib.tenant_tmpdir("cjtalice")
    assert info["error"] is None and info["written"] == 16 * M, info
    assert cjlib.mounts_at(tmp) == [], "tmp_size = none mounts nothing"
    on_disk = sum(os.stat(os.path.join(tmp, f)).st_blocks * 512 for f in os.listdir(tmp))
    assert on_disk >= 16 * M, on_disk
    assert os.stat(tmp).st_dev == os.stat(os.path.dirname(tmp)).st_dev


def test_tmp_size_bounds_what_a_tenant_writes(policy, adir, fresh_tmp):
    policy.set(sections={"tenant": {"tmp_size": "8M"}})
    info, _ = run_json("cjtalice", adir, fill_script(adir, 4, 4))
    assert info["error"] == "ENOSPC", info
    assert 7 * M <= info["written"] <= 8 * M, info
    tmp = cjlib.tenant_tmpdir("cjtalice")
    (m,) = tmpfs_at(tmp)
    assert super_opt(m, "size") == "8192k", m
    assert super_opt(m, "mode") == "700", m
    assert super_opt(m, "uid") == str(cjlib.uid_of("cjtalice")), m
    assert super_opt(m, "gid") == str(cjlib.primary_gid("cjtalice")), m
    assert {"nosuid", "nodev", "noexec"} <= set(m["options"]), m
    st = os.stat(tmp)
    assert (st.st_uid, st.st_mode & 0o7777) == (cjlib.uid_of("cjtalice"), 0o700)
    # Nothing of it on the state file system.
    assert st.st_dev != os.stat(os.path.dirname(tmp)).st_dev
    # Later requests run; what the first wrote is still there; freed space
    # can be written again.
    info, _ = run_json("cjtalice", adir, script(adir, "again.py", (
        "out['before'] = sorted(os.listdir(tmp))\n"
        "for f in out['before']:\n    os.unlink(os.path.join(tmp, f))\n"
        "fd = os.open(os.path.join(tmp, 'small'), os.O_WRONLY | os.O_CREAT, 0o600)\n"
        "out['written'] = os.write(fd, b'y' * (6 << 20))\nos.close(fd)\n")))
    assert {"fill0", "fill1"} <= set(info["before"]), info
    assert info["written"] == 6 * M, info
    assert len(tmpfs_at(tmp)) == 1


def test_tmp_inodes_bounds_the_number_of_files(policy, adir, fresh_tmp):
    policy.set(sections={"tenant": {"tmp_size": "8M", "tmp_inodes": "32"}})
    info, _ = run_json("cjtalice", adir, script(adir, "many.py", (
        "out['made'] = 0\n"
        "try:\n"
        "    for i in range(100):\n"
        "        open(os.path.join(tmp, 'f%d' % i), 'w').close()\n"
        "        out['made'] += 1\n"
        "except OSError as e:\n"
        "    out['error'] = errno.errorcode[e.errno]\n")))
    assert info.get("error") == "ENOSPC" and 16 <= info["made"] < 32, info


def test_tmpdir_persists_and_is_private(policy, adir, fresh_tmp):
    tmp_a, tmp_b = cjlib.tenant_tmpdir("cjtalice"), cjlib.tenant_tmpdir("cjtbob")
    info, _ = run_json("cjtalice", adir, script(adir, "put.py", (
        "with open(os.path.join(tmp, 'secret'), 'w') as f:\n    f.write('alice')\n"
        "out['tmp'] = tmp\n")))
    assert info["tmp"] == tmp_a
    info, _ = run_json("cjtalice", adir, script(adir, "get.py", (
        "with open(os.path.join(tmp, 'secret')) as f:\n    out['got'] = f.read()\n")))
    assert info["got"] == "alice", "TMPDIR keeps its content across requests"
    bdir = new_dir(f"{cjlib.WWW}/cjtbob", "cjtbob")
    info, _ = run_json("cjtbob", bdir, script(bdir, "peek.py", (
        f"out['tmp'] = tmp\nout['mine'] = sorted(os.listdir(tmp))\n"
        f"for what, f in (('list', lambda: os.listdir({tmp_a!r})),\n"
        f"                ('read', lambda: open({tmp_a!r} + '/secret').read())):\n"
        "    try:\n        out[what] = f()\n"
        "    except OSError as e:\n        out[what] = errno.errorcode[e.errno]\n"), owner="cjtbob"))
    assert info["tmp"] == tmp_b and info["mine"] == [], info
    assert info["list"] in ("EACCES", "EPERM") and info["read"] in ("EACCES", "EPERM"), info
    assert len(tmpfs_at(tmp_a)) == 1 and len(tmpfs_at(tmp_b)) == 1


def test_concurrent_first_requests_mount_one_tmpfs(policy, adir, fresh_tmp):
    policy.set(sections={"tenant": {"tmp_size": "8M"}})
    name = script(adir, "c.py", "out['ok'] = os.path.isdir(tmp)\n")
    tmp = cjlib.tenant_tmpdir("cjtalice")
    assert tmpfs_at(tmp) == []
    cmd = [cjlib.SETPRIV, f"--reuid={cjlib.uid_of('cjtweb')}",
           f"--regid={cjlib.primary_gid('cjtweb')}", "--clear-groups", "--",
           cjlib.WRAPPER, "cjtalice", "cjtalice", name]
    procs = [subprocess.Popen(cmd, cwd=adir, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(8)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, results
    assert all(out.endswith(b'{"ok": true}\n') for out, _ in results), results
    assert len(cjlib.mounts_at(tmp)) == 1, cjlib.mounts_at(tmp)


def test_a_changed_size_is_applied_to_the_mounted_tmpfs(policy, adir, fresh_tmp):
    tmp = cjlib.tenant_tmpdir("cjtalice")
    policy.set(sections={"tenant": {"tmp_size": "8M"}})
    info, _ = run_json("cjtalice", adir, fill_script(adir, 1, 4))
    assert info["error"] is None
    policy.set(sections={"tenant": {"tmp_size": "16M", "tmp_inodes": "100"}})
    info, _ = run_json("cjtalice", adir, fill_script(adir, 3, 4, name="fill3.py"))
    assert info["error"] is None and info["written"] == 12 * M, info
    (m,) = tmpfs_at(tmp)
    assert super_opt(m, "size") == "16384k" and super_opt(m, "nr_inodes") == "100", m
    # Below what is in use (12M): the kernel cannot shrink it; the mounted
    # (earlier, also bounded) size stays and the log record says so.
    policy.set(sections={"tenant": {"tmp_size": "8M"}})
    info, res = run_json("cjtalice", adir, script(adir, "n.py", "out['n'] = len(os.listdir(tmp))\n"))
    assert "TMPDIR kept at 16M, 100 inodes: 12M" in res.log[0]["sandbox"], res.log[0]
    (m,) = tmpfs_at(tmp)
    assert super_opt(m, "size") == "16384k", m
    # Emptied, it shrinks at the next request.
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    run_json("cjtalice", adir, "n.py")
    (m,) = tmpfs_at(tmp)
    assert super_opt(m, "size") == "8192k", m


def test_another_mount_namespace_has_its_own_tmpfs(policy, adir, fresh_tmp):
    """A web server with a mount namespace of its own (systemd PrivateTmp)
    gets the tmpfs there: it lives as long as that namespace."""
    tmp = cjlib.tenant_tmpdir("cjtalice")
    name = script(adir, "ns.py", (
        "open(os.path.join(tmp, 'in-ns'), 'w').close()\nout['files'] = os.listdir(tmp)\n"))
    cmd = ["unshare", "--mount", "--propagation", "slave", "--", cjlib.SETPRIV,
           f"--reuid={cjlib.uid_of('cjtweb')}", f"--regid={cjlib.primary_gid('cjtweb')}",
           "--clear-groups", "--", cjlib.WRAPPER, "cjtalice", "cjtalice", name]
    p = subprocess.run(cmd, cwd=adir, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stdout.endswith(b'{"files": ["in-ns"]}\n'), p
    assert cjlib.mounts_at(tmp) == [], "not mounted in this namespace"
    assert os.listdir(tmp) == [], "the file went to that namespace's tmpfs"


@pytest.fixture
def ns_holder():
    """A mount namespace of its own, kept by a sleeping root process."""
    p = subprocess.Popen(["unshare", "--mount", "--propagation", "slave", "--",
                          "sleep", "120"])
    try:
        deadline = time.monotonic() + 10
        while os.readlink(f"/proc/{p.pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt"):
            assert time.monotonic() < deadline, "unshare did not start"
            time.sleep(0.05)
        yield p.pid
    finally:
        p.kill()
        p.wait()


def test_prune_unmounts_the_tmpfs(prune_policy, gone_user):
    d = run_as_tenant(gone_user)
    res = run_wrapper([gone_user, gone_user, "s.py"], cwd=d)
    assert res.rc == 0, res.describe()
    tmp = cjlib.tenant_tmpdir(gone_user)
    assert len(tmpfs_at(tmp)) == 1
    cjlib.end_zygotes()   # warm mode: the user's idle zygote is its process
    cjlib._run(["userdel", gone_user])
    # In use (a process's cwd in it): kept, nothing removed.
    busy = subprocess.Popen(["sleep", "60"], cwd=tmp)
    try:
        rc, out, err = cjlib.run_check(["prune"])
        assert rc != 0 and f"kept  {gone_user}:" in out, (out, err)
        assert len(tmpfs_at(tmp)) == 1
    finally:
        busy.kill()
        busy.wait()
    rc, out, err = cjlib.run_check(["prune", "--dry-run"])
    assert rc == 0 and f"would unmount the tmpfs of {gone_user}" in out, (out, err)
    assert len(tmpfs_at(tmp)) == 1, "a dry run unmounts nothing"
    rc, out, err = cjlib.run_check(["prune"])
    assert rc == 0 and f"unmounted the tmpfs of {gone_user}" in out, (out, err)
    assert f"removed {gone_user}" in out, (out, err)
    assert tmpfs_at(tmp) == [] and not os.path.exists(tmp)


def test_prune_from_another_namespace_detaches_the_tmpfs(prune_policy, gone_user, ns_holder):
    """The web server's namespace has the tmpfs, prune (run from a shell)
    does not see it: removing the directory detaches it there too."""
    d = run_as_tenant(gone_user)
    cmd = ["nsenter", "-t", str(ns_holder), "-m", f"--wd={d}", "--", cjlib.SETPRIV,
           f"--reuid={cjlib.uid_of('cjtweb')}", f"--regid={cjlib.primary_gid('cjtweb')}",
           "--clear-groups", "--", cjlib.WRAPPER, gone_user, gone_user, "s.py"]
    p = subprocess.run(cmd, cwd=d, env=cjlib.cgi_env(), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p
    tmp = cjlib.tenant_tmpdir(gone_user)
    assert len(tmpfs_at(tmp, ns_holder)) == 1 and tmpfs_at(tmp) == []
    cjlib.end_zygotes()   # warm mode: the user's idle zygote is its process
    cjlib._run(["userdel", gone_user])
    rc, out, err = cjlib.run_check(["prune", "--dry-run"])
    assert rc == 0 and "would unmount" not in out and f"would remove {gone_user}" in out, out
    rc, out, err = cjlib.run_check(["prune"])
    assert rc == 0 and f"removed {gone_user}" in out, (out, err)
    assert not os.path.exists(tmp)
    assert tmpfs_at(tmp, ns_holder) == [], "the kernel detached it in the other namespace"


def test_a_drop_in_sets_one_tenants_tmp_size(policy, adir, fresh_tmp):
    policy.dropin("cjtalice", "[tenant]\ntmp_size = 8M\ntmp_inodes = 64\n")
    script(adir, "a.py", "out['ok'] = True\n")
    rc, out, err = cjlib.run_check(["explain", "cjtalice", "cjtalice", f"{adir}/a.py"])
    assert rc == 0, (out, err)
    assert "tenant.tmp_size = 8M (TMPDIR is a tmpfs of this size" in out, out
    assert "tenant.tmp_inodes = 64 " in out, out
    run_json("cjtalice", adir, "a.py")
    bdir = new_dir(f"{cjlib.WWW}/cjtbob", "cjtbob")
    run_json("cjtbob", bdir, script(bdir, "b.py", "out['ok'] = True\n", owner="cjtbob"))
    (a,) = tmpfs_at(cjlib.tenant_tmpdir("cjtalice"))
    (b,) = tmpfs_at(cjlib.tenant_tmpdir("cjtbob"))
    assert (super_opt(a, "size"), super_opt(a, "nr_inodes")) == ("8192k", "64"), a
    assert (super_opt(b, "size"), super_opt(b, "nr_inodes")) == ("65536k", "4096"), b
    policy.dropin("cjtalice", "[tenant]\ntmp_size = none\n")
    rc, out, err = cjlib.run_check(["explain", "cjtalice", "cjtalice", f"{adir}/a.py"])
    assert "tenant.tmp_size = none (TMPDIR is a directory on the state file system" in out, out
