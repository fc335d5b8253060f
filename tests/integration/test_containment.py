"""What cgijail never takes on trust.  Refused like any other check (status
120, one 'cgijail: refused: ' line, the script not run):

- the kernel's overflow uid/gid 65534 (nobody/nogroup: what every file and
  process of an unmapped id shows) and -1, as a target, even though they are
  above min_uid/min_gid;
- a script, or a directory on its path, on a FUSE file system: its owner is
  whatever the mount's daemon reports.  bindfs --force-user presents a
  tenant's tree as another tenant's; the accepted twin is the same tree on
  a file system root mounted (tmpfs), which cgijail trusts as it trusts root.

And dropped from the environment: of SSL_*, anything but Apache mod_ssl's
own variables (SSL_CERT_FILE and SSL_CERT_DIR would move the script's
OpenSSL trust store).

The FUSE tests need /dev/fuse and bindfs (tests/run-all.sh installs bindfs
and fuse3): outside CI they are skipped without them; with CI=true that is
a failure."""
import grp
import json
import os
import pwd
import shutil
import subprocess
import time

import pytest

import cjlib
from cjlib import OUTSIDE, SYS_PATH, WWW, assert_accepted, assert_refused, make_probe, \
    new_dir, run_wrapper

NOBODY = 65534
NOGROUP = 65534


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def nobody_tree():
    """A directory below the docroot owned by nobody:nogroup with a probe
    owned by nobody:nogroup (as a site whose files were made by an unmapped
    id would look)."""
    d = new_dir(WWW, NOBODY, NOGROUP)
    _, m = make_probe(d, owner=NOBODY, group=NOGROUP)
    return d, m


def test_nobody_is_above_min_uid():
    """The premise: without the overflow rule, min_uid would let it pass."""
    policy = dict(cjlib.POLICY_KEYS)
    assert NOBODY >= int(policy["min_uid"]) and NOGROUP >= int(policy["min_gid"])
    assert pwd.getpwnam("nobody").pw_uid == NOBODY
    assert grp.getgrnam("nogroup").gr_gid == NOGROUP


@pytest.mark.parametrize("user,group", [("nobody", "nogroup"), ("65534", "65534"),
                                        ("nobody", "65534")])
def test_nobody_suexec_form_refused(user, group):
    d, m = nobody_tree()
    res = run_wrapper([user, group, "probe.py"], cwd=d)
    why = assert_refused(res, m)
    assert "overflow uid" in why, res.describe()


def test_nobody_interpreter_form_refused():
    d, m = nobody_tree()
    res = run_wrapper([f"{d}/probe.py"], cwd=OUTSIDE)
    why = assert_refused(res, m)
    assert "overflow uid" in why, res.describe()


def test_nogroup_as_the_group_refused():
    """cjtalice with the overflow gid (a gid she is made a member of is not
    needed: the rule comes first)."""
    d = new_dir(f"{WWW}/cjtalice", "cjtalice", NOGROUP)
    _, m = make_probe(d, owner="cjtalice", group=NOGROUP)
    res = run_wrapper(["cjtalice", "65534", "probe.py"], cwd=d)
    why = assert_refused(res, m)
    assert "overflow gid" in why, res.describe()


# ---- FUSE ---------------------------------------------------------------------

def _fuse_usable():
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing"
    for tool in ("bindfs", "fusermount3"):
        if shutil.which(tool, path=SYS_PATH) is None:
            return f"{tool} is not installed (apt-get install bindfs fuse3)"
    return None


def _is_mount(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def _unmount(path):
    for cmd in (["fusermount3", "-u", path], ["umount", path], ["umount", "-l", path]):
        if not _is_mount(path):
            return
        subprocess.run(cmd, capture_output=True, timeout=20,
                       env={"PATH": SYS_PATH, "LC_ALL": "C"})
    assert not _is_mount(path), f"cannot unmount {path}"


@pytest.fixture
def mounts():
    """mount(cmd, mountpoint): run a mount command (as root) and unmount the
    mountpoint at teardown, whatever the test did."""
    done = []

    def mount(cmd, mountpoint):
        done.append(mountpoint)
        p = subprocess.run(cmd, capture_output=True, timeout=30,
                           env={"PATH": SYS_PATH, "LC_ALL": "C"})
        assert p.returncode == 0, f"{cmd}: {p.returncode} {p.stderr!r}"
        for _ in range(100):
            if _is_mount(mountpoint):
                return
            time.sleep(0.05)
        raise AssertionError(f"{mountpoint} is not a mount point after {cmd}")
    yield mount
    for mp in reversed(done):
        _unmount(mp)


@pytest.fixture
def fuse():
    why = _fuse_usable()
    if why is not None:
        if in_ci():
            pytest.fail(f"FUSE tests: {why}; CI=true, so this is not a skip", pytrace=False)
        pytest.skip(f"FUSE tests: {why}")


def alice_tree_as_bob(mount):
    """cjtalice's own tree (source, below no docroot), bind-mounted with
    bindfs --force-user=cjtbob onto a directory cjtalice owns just below the
    docroot (a directory a tenant may mount on): through the mount, the
    directory and her script look like cjtbob's."""
    src = new_dir(OUTSIDE, "cjtalice")
    _, m = make_probe(src)
    mp = new_dir(WWW, "cjtalice")
    mount(["bindfs", "--force-user=cjtbob", "--force-group=cjtbob", "-o", "allow_other",
           src, mp], mp)
    return src, mp, m


def test_fuse_mount_lies_about_ownership(fuse, mounts):
    """The attack, without cgijail: through the mount, stat() reports the
    tree as cjtbob's, though cjtalice owns (and can rewrite) the script."""
    src, mp, _ = alice_tree_as_bob(mounts)
    bob, alice = cjlib.uid_of("cjtbob"), cjlib.uid_of("cjtalice")
    # cjtalice decides what "cjtbob's" script does (before anything of the
    # mount is looked at: the kernel caches FUSE attributes for a while).
    p = subprocess.run([cjlib.SETPRIV, f"--reuid={alice}", f"--regid={alice}", "--clear-groups",
                        "--", "/bin/sh", "-c", f"echo '# changed by cjtalice' >> {src}/probe.py"],
                       capture_output=True, timeout=20, env={"PATH": SYS_PATH})
    assert p.returncode == 0, p.stderr
    real = os.stat(f"{src}/probe.py")
    seen = os.stat(f"{mp}/probe.py")
    assert real.st_uid == alice and seen.st_uid == bob, (real, seen)
    assert seen.st_gid == cjlib.gid_of("cjtbob")
    assert os.stat(mp).st_uid == bob and os.stat(mp).st_gid == cjlib.gid_of("cjtbob")
    with open(f"{mp}/probe.py") as f:
        assert f.read().endswith("# changed by cjtalice\n")


def test_fuse_suexec_form_refused(fuse, mounts):
    _, mp, m = alice_tree_as_bob(mounts)
    res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=mp)
    why = assert_refused(res, m)
    assert why == f"directory '{mp}' is on a FUSE file system, whose ownership its " \
                  "daemon chooses", res.describe()


def test_fuse_interpreter_form_refused(fuse, mounts):
    _, mp, m = alice_tree_as_bob(mounts)
    res = run_wrapper([f"{mp}/probe.py"], cwd=OUTSIDE)
    why = assert_refused(res, m)
    assert "is on a FUSE file system" in why, res.describe()


def test_fuse_below_a_real_directory_refused(fuse, mounts):
    """The mount deeper in the tree: cjtbob's real directory, a FUSE
    subdirectory in it (mounted by root here; the walk must find it)."""
    src = new_dir(OUTSIDE, "cjtbob")
    _, m = make_probe(src, owner="cjtbob")
    top = new_dir(WWW, "cjtbob")
    mp = new_dir(top, "cjtbob")
    mounts(["bindfs", "-o", "allow_other", src, mp], mp)
    res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=mp)
    why = assert_refused(res, m)
    assert f"directory '{mp}' is on a FUSE file system" in why, res.describe()


def test_check_tool_names_the_fuse_mount(fuse, mounts):
    _, mp, _ = alice_tree_as_bob(mounts)
    rc, out, err = cjlib.run_check(["explain", "cjtbob", "cjtbob", f"{mp}/probe.py"])
    assert rc != 0, out
    assert "is on a FUSE file system" in out + err, (out, err)


def test_root_mounted_file_system_accepted(mounts):
    """The twin: the same kind of tree on a file system root mounted
    (tmpfs, owned cjtbob) runs: only FUSE is refused."""
    mp = new_dir(WWW, "cjtbob")
    bob, bobg = cjlib.uid_of("cjtbob"), cjlib.gid_of("cjtbob")
    mounts(["mount", "-t", "tmpfs", "-o", f"uid={bob},gid={bobg},mode=0755,size=4m",
            "cjt-tmpfs", mp], mp)
    _, m = make_probe(mp, owner="cjtbob")
    res = run_wrapper(["cjtbob", "cjtbob", "probe.py"], cwd=mp)
    assert_accepted(res, m)


# ---- SSL_*: mod_ssl's variables only ------------------------------------------

SSL_KEPT = {
    "HTTPS": "on",
    "SSL_PROTOCOL": "TLSv1.3",
    "SSL_CIPHER": "TLS_AES_256_GCM_SHA384",
    "SSL_CLIENT_VERIFY": "SUCCESS",
    "SSL_CLIENT_S_DN": "CN=client,O=Example",
    "SSL_CLIENT_S_DN_CN": "client",
    "SSL_CLIENT_S_DN_Email": "client@example.org",
    "SSL_CLIENT_S_DN_OU_1": "second unit",
    "SSL_CLIENT_SAN_DNS_0": "client.example.org",
    "SSL_CLIENT_SAN_OTHER_msUPN_0": "client@example.org",
    "SSL_CLIENT_CERT_CHAIN_0": "-----BEGIN CERTIFICATE-----",
    "SSL_SERVER_SAN_OTHER_dnsSRV_0": "_https.example.org",
    "SSL_TLS_SNI": "www.example.org",
}
SSL_DROPPED = {
    "SSL_CERT_FILE": "/var/lib/cgijail-test/outside/evil-ca.pem",
    "SSL_CERT_DIR": "/var/lib/cgijail-test/outside/evil-certs",
    "SSL_CTX": "x",
    "SSL_KEYLOGFILE": "/tmp/keys",
    "SSLKEYLOGFILE": "/tmp/keys",
    "OPENSSL_CONF": "/var/lib/cgijail-test/outside/openssl.cnf",
    "SSL_CLIENT_CERT_CHAIN_01": "x",
    "SSL_CLIENT_S_DN_EMAIL": "x",
}

TRUST_STORE = r'''
import json, ssl
p = ssl.get_default_verify_paths()
print(json.dumps({"cafile": p.cafile, "capath": p.capath}))
'''


def test_ssl_variables_through_the_wrapper():
    """What a front end hands over: mod_ssl's variables reach the script,
    a trust store or OpenSSL configuration of the caller's does not."""
    d = new_dir(f"{WWW}/cjtalice", "cjtalice")
    _, m = make_probe(d)
    env = cjlib.cgi_env(**SSL_KEPT, **SSL_DROPPED)
    res = run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=d, env=env)
    assert_accepted(res, m)
    seen = res.info()["env"]
    for k, v in SSL_KEPT.items():
        assert seen.get(k) == v, f"{k} dropped: {sorted(seen)}"
    for k in SSL_DROPPED:
        assert k not in seen, f"{k}={seen[k]!r} reached the script"


def test_ssl_cert_file_moves_the_trust_store():
    """Why SSL_CERT_FILE/SSL_CERT_DIR are dropped: run unconfined, they
    replace the CA file and directory every OpenSSL client of the script
    trusts (CPython's ssl here); through cgijail the defaults stay."""
    d = new_dir(f"{WWW}/cjtalice", "cjtalice")
    cjlib.write_file(f"{d}/trust.py", "#!/usr/bin/python3\n"
                            "print('Content-Type: text/plain')\nprint()\n" + TRUST_STORE)
    alice = cjlib.uid_of("cjtalice")
    # A CA file and directory the tenant can read (Python reports them only
    # when they exist).
    mine = new_dir(OUTSIDE, "cjtalice")
    cjlib.write_file(f"{mine}/evil-ca.pem", "not a real CA\n", mode=0o644)
    new_dir(mine, "cjtalice", name="evil-certs")
    evil = {"SSL_CERT_FILE": f"{mine}/evil-ca.pem", "SSL_CERT_DIR": f"{mine}/evil-certs"}
    p = subprocess.run([cjlib.SETPRIV, f"--reuid={alice}", f"--regid={alice}", "--clear-groups",
                        "--", cjlib.PYTHON, "-c", TRUST_STORE],
                       capture_output=True, timeout=20, env={"PATH": SYS_PATH, **evil})
    assert p.returncode == 0, p.stderr
    direct = json.loads(p.stdout)
    assert direct == {"cafile": evil["SSL_CERT_FILE"], "capath": evil["SSL_CERT_DIR"]}, direct
    res = run_wrapper(["cjtalice", "cjtalice", "trust.py"], cwd=d,
                      env=cjlib.cgi_env(**evil))
    assert_accepted(res)
    jailed = json.loads(res.body())
    assert jailed["cafile"] != evil["SSL_CERT_FILE"] and jailed["capath"] != evil["SSL_CERT_DIR"], \
        jailed
