"""Shared helpers of the cgijail integration tests (root only).

The world (users, groups, directory tree, setuid copy of the wrapper, policy)
is built by conftest.py's session fixture with build_world() and removed
with cleanup_world().  Everything lives under TOP; the test users are the
cjt* names in USERS/GROUPS (uids/gids 62000-62999).

Identities:
  cjtweb   62000  the caller (web server); as a target it is below min_uid;
                  also in cjtwebx (62012), to isolate the min_uid check
  cjtalice 62001  the normal script owner; also in cjtshared
  cjtbob   62002  another user; also in cjtnobody
  cjtcarol 62003  also in group cjtweb (62000, below min_gid)
"""
import errno
import grp
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import uuid

import pytest

TOP = "/var/lib/cgijail-test"
ETC = TOP + "/etc"
POLICY = ETC + "/cgijail.conf"
USERSD = ETC + "/users.d"
BINDIR = TOP + "/bin"
WRAPPER = BINDIR + "/cgijail"
CHECK = BINDIR + "/cgijail-check"   # not setuid: the unprivileged admin tool
# Warm mode's zygote program, where cgijail-testcfg looks for it (CMake:
# CGIJAIL_TEST_ZYGOTE), installed from the source tree.
ZYGOTE = TOP + "/lib/cgijail-zygote.py"
ZYGOTE_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "zygote",
                          "cgijail-zygote.py")
WWW = TOP + "/www"
WWW2 = TOP + "/www2"          # the docroot prefix trick: not below WWW
OUTSIDE = TOP + "/outside"    # below no docroot and no userdir
HOMES = TOP + "/home"
MARKERS = TOP + "/markers"
# cgijail-testcfg's state and run directories (CMake: CGIJAIL_TEST_STATE_DIR,
# CGIJAIL_TEST_RUN_DIR): per-tenant TMPDIRs below STATE, slot locks below RUN.
STATE = TOP + "/state"
RUN = os.environ.get("CGIJAIL_TEST_RUN_DIR", "/run/cgijail-test")
LOGDIR = TOP + "/log"
LOG = LOGDIR + "/cgijail.log"
# Serialises concurrent runs of this suite on the shared machine (the tree
# and the users are fixed names).  Outside TOP so it survives its removal.
LOCK = next((d for d in ("/run/lock", "/var/lock", "/tmp") if os.path.isdir(d)), "/tmp") \
    + "/cgijail-integration-test.lock"

SYS_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
SETPRIV = shutil.which("setpriv", path=SYS_PATH) or "/usr/bin/setpriv"
PYTHON = "/usr/bin/python3"
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"

GROUPS = {
    "cjtweb": 62000,
    "cjtalice": 62001,
    "cjtbob": 62002,
    "cjtcarol": 62003,
    "cjtshared": 62010,
    "cjtnobody": 62011,
    "cjtwebx": 62012,
}
# name: (uid, primary group, supplementary groups)
USERS = {
    "cjtweb": (62000, "cjtweb", ["cjtwebx"]),
    "cjtalice": (62001, "cjtalice", ["cjtshared"]),
    "cjtbob": (62002, "cjtbob", ["cjtnobody"]),
    "cjtcarol": (62003, "cjtcarol", ["cjtweb"]),
}
UNUSED_UID = 62999   # asserted free: no such user
UNUSED_GID = 62998   # asserted free: no such group

# Contract violations found by this suite, still present in the wrapper.  Each
# test that shows one is marked xfail(strict=True): it fails the run as soon
# as the wrapper is fixed, so the marker gets removed with the fix.
KNOWN_BUGS = {}


def known_bug(key):
    return pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])


EXIT_REFUSED = 120
EXIT_CONFIG = 121
EXIT_PRIV = 123
EXIT_EXEC = 127
# What every front end gets on stdout when the script did not run (refused,
# or its child failed before the exec): the reason is only in the logs.
NOT_RUN_RESPONSE = (b"Status: 500 Internal Server Error\n"
                    b"Content-Type: text/plain; charset=utf-8\n"
                    b"Cache-Control: no-store\n"
                    b"\n"
                    b"The script could not be run. The reason is in the server's logs.\n")

POLICY_KEYS = [
    ("caller", "cjtweb"),
    ("docroot", WWW),
    ("userdir", "public_html"),
    ("min_uid", "62001"),
    ("min_gid", "62001"),
    ("interpreter", PYTHON),
    ("interpreter_args", "-E -s -B"),
    ("safe_path", SAFE_PATH),
    ("umask", "022"),
    ("log_file", LOG),
]

# A CGI/1.1 environment as a web server would pass it.
BASE_CGI_ENV = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "REQUEST_METHOD": "GET",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "SERVER_NAME": "localhost",
    "SERVER_PORT": "80",
    "SERVER_SOFTWARE": "cgijail-tests",
    "REMOTE_ADDR": "127.0.0.1",
    "SCRIPT_NAME": "/probe.py",
    "QUERY_STRING": "a=1&b=2",
    "HTTP_HOST": "localhost",
}


def uid_of(user):
    return 0 if user == "root" else USERS[user][0]


def gid_of(group):
    return 0 if group == "root" else GROUPS[group]


def primary_gid(user):
    return 0 if user == "root" else GROUPS[USERS[user][1]]


def expected_groups(user, primary=None):
    """The supplementary groups initgroups() gives user (sorted)."""
    pw = pwd.getpwnam(user)
    return sorted(set(os.getgrouplist(user, pw.pw_gid if primary is None else primary)))


# --------------------------------------------------------------------------
# policy

# The sandbox sections of every policy the harness writes.  House
# rule: tests create cgroups only beneath a cgijail-test parent they own, so
# cgroup_parent is never the default.  The probe and marker scripts write
# their markers (and HTTP_X_PROBE_OUT files) into MARKERS: exactly that is
# granted beyond the sandbox's defaults.
TEST_CGROUP_PARENT = "cgijail-test"
SANDBOX_SECTIONS = ("limits", "tenant", "sandbox", "warm")
SANDBOX_DEFAULTS = {
    "sandbox": {"cgroup_parent": TEST_CGROUP_PARENT, "write": MARKERS},
}
# The suites run a second time in warm mode (ctest integration.warm,
# attacks.warm): every policy the harness writes enables it.
WARM = os.environ.get("CGIJAIL_TEST_WARM") == "1"
if WARM:
    SANDBOX_DEFAULTS["warm"] = {"enabled": "yes"}
# False while the wrapper under test predates the [limits]/[tenant]/[sandbox]
# sections (build_world() finds out with the check tool): policies are then
# written without them, and sandbox_required() fails tests that need them.
SANDBOX_POLICY = True


def tenant_tmpdir(user):
    """The private TMPDIR cgijail gives user's scripts (None without the
    sandbox policy)."""
    return f"{STATE}/tmp/{user}" if SANDBOX_POLICY else None


def _unescape_mount_path(p):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), p)


def mounts(pid="self"):
    """/proc/<pid>/mountinfo as dicts: point, options (per mount), fstype,
    super (the file system's options)."""
    out = []
    with open(f"/proc/{pid}/mountinfo") as f:
        for line in f:
            head, _, tail = line.rstrip("\n").partition(" - ")
            h, t = head.split(" "), tail.split(" ")
            out.append({"point": _unescape_mount_path(h[4]), "options": h[5].split(","),
                        "fstype": t[0], "super": t[2].split(",") if len(t) > 2 else []})
    return out


def mounts_at(path, pid="self"):
    return [m for m in mounts(pid) if m["point"] == path]


def unmount_below(top):
    """Lazily unmount everything mounted at or below top (deepest first):
    the tenants' tmpfs TMPDIRs, so that the tree can be removed."""
    points = sorted({m["point"] for m in mounts()
                     if m["point"] == top or m["point"].startswith(top + "/")},
                    key=len, reverse=True)
    for p in points:
        while mounts_at(p):
            _run(["umount", "-l", p])


def sandbox_required():
    if not SANDBOX_POLICY:
        pytest.fail("the wrapper under test does not accept the [sandbox] policy "
                    "sections: cannot test the sandbox", pytrace=False)


def policy_text(sections=None, **over):
    """Render the policy: the sandbox sections (SANDBOX_DEFAULTS, updated per
    section by `sections`, e.g. {"limits": {"wall": "3s"}}; a value None drops
    a key) first, then [wrapper] last, so that text a test appends lands in
    [wrapper].  A keyword overrides a [wrapper] key (None drops it)."""
    lines = ["# cgijail integration-test policy (generated)"]
    if sections and not SANDBOX_POLICY:
        sandbox_required()
    if SANDBOX_POLICY:
        for name in SANDBOX_SECTIONS:
            keys = dict(SANDBOX_DEFAULTS.get(name, {}))
            keys.update((sections or {}).get(name, {}))
            keys = {k: v for k, v in keys.items() if v is not None}
            if keys:
                lines.append(f"[{name}]")
                lines += [f"{k} = {v}" for k, v in keys.items()]
    lines.append("[wrapper]")
    for k, v in POLICY_KEYS:
        if k in over:
            v = over.pop(k)
            if v is None:
                continue
        lines.append(f"{k} = {v}")
    for k, v in over.items():
        lines.append(f"{k} = {v}")
    return "\n".join(lines) + "\n"


def write_root_file(path, text, mode=0o644, uid=0, gid=0):
    """(Re)create path as a regular file, replacing whatever was there."""
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    data = text.encode() if isinstance(text, str) else text
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def write_policy(text=None, sections=None, **over):
    write_root_file(POLICY, policy_text(sections, **over) if text is None else text)


def restore_config_tree():
    """Undo whatever a test did to the policy tree (modes, owners, files)."""
    for d in (TOP, ETC):
        os.chown(d, 0, 0)
        os.chmod(d, 0o755)
    if os.path.lexists(USERSD) and (os.path.islink(USERSD) or not os.path.isdir(USERSD)):
        os.unlink(USERSD)
    if os.path.isdir(USERSD):
        shutil.rmtree(USERSD)
    os.mkdir(USERSD, 0o755)
    os.chmod(USERSD, 0o755)
    for name in os.listdir(ETC):
        if name not in ("cgijail.conf", "users.d"):
            p = os.path.join(ETC, name)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
    write_policy()


# --------------------------------------------------------------------------
# world

def _run(cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=60,
                          env={"PATH": SYS_PATH, "LC_ALL": "C"})


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def cleanup_world():
    """Remove this suite's users, groups and tree (also a crashed run's).
    Only the cjt* names this suite defines, and only in 62000-62999."""
    for name in USERS:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if name.startswith("cjt") and 62000 <= pw.pw_uid <= 62999:
            _run(["userdel", "-f", name], check=False)
    for name in GROUPS:
        try:
            gr = grp.getgrnam(name)
        except KeyError:
            continue
        if name.startswith("cjt") and 62000 <= gr.gr_gid <= 62999:
            _run(["groupdel", name], check=False)
    if os.path.lexists(TOP):
        unmount_below(TOP)
        if os.path.islink(TOP) or not os.path.isdir(TOP):
            os.unlink(TOP)
        else:
            # Tests may leave read-only or odd modes behind: make it removable.
            for root, dirs, files in os.walk(TOP):
                for d in dirs:
                    p = os.path.join(root, d)
                    if not os.path.islink(p):
                        os.chmod(p, 0o700)
            shutil.rmtree(TOP)
    # The test wrapper's slot locks (its run directory is test-only).
    if os.path.lexists(RUN):
        if os.path.islink(RUN) or not os.path.isdir(RUN):
            os.unlink(RUN)
        else:
            shutil.rmtree(RUN)
    left = [n for n in USERS if _user_exists(n)] + [n for n in GROUPS if _group_exists(n)]
    return left


def new_dir(parent, owner="cjtalice", group=None, mode=0o755, name=None):
    """Create a fresh directory below parent, owned owner:group (group
    defaults to the owner's primary group)."""
    name = name or "d" + uuid.uuid4().hex[:10]
    path = os.path.join(parent, name)
    os.mkdir(path)
    os.chown(path, uid_of(owner) if isinstance(owner, str) else owner,
             (primary_gid(owner) if group is None else
              gid_of(group) if isinstance(group, str) else group))
    os.chmod(path, mode)
    return path


def chown_name(path, owner, group=None, follow=True):
    uid = uid_of(owner) if isinstance(owner, str) else owner
    if group is None:
        gid = primary_gid(owner)
    else:
        gid = gid_of(group) if isinstance(group, str) else group
    os.chown(path, uid, gid, follow_symlinks=follow)


def build_world(wrapper_src, check_src):
    if UNUSED_UID in [p.pw_uid for p in pwd.getpwall()]:
        raise RuntimeError(f"uid {UNUSED_UID} must not exist for the tests")
    if UNUSED_GID in [g.gr_gid for g in grp.getgrall()]:
        raise RuntimeError(f"gid {UNUSED_GID} must not exist for the tests")
    for name, gid in GROUPS.items():
        _run(["groupadd", "-g", str(gid), name])
    for name, (uid, prim, sup) in USERS.items():
        cmd = ["useradd", "--no-create-home", "-u", str(uid), "-g", prim,
               "-d", f"{HOMES}/{name}", "-s", "/usr/sbin/nologin"]
        if sup:
            cmd += ["-G", ",".join(sup)]
        _run(cmd + [name])
    # The policy directory and everything above it: root-owned, 0755.
    d = "/"
    for comp in TOP.strip("/").split("/")[:-1]:
        d = os.path.join(d, comp)
        st = os.lstat(d)
        if st.st_uid != 0 or st.st_mode & 0o022 or not stat.S_ISDIR(st.st_mode):
            raise RuntimeError(f"{d} must be a root-owned directory not writable by group/other")
    for path in (TOP, BINDIR, ETC, USERSD, LOGDIR, WWW, WWW2, OUTSIDE, HOMES, MARKERS,
                 WWW + "/root"):
        os.mkdir(path)
        os.chmod(path, 0o755)
    os.chmod(MARKERS, 0o1777)
    for user in USERS:
        new_dir(WWW, user, name=user)
        new_dir(WWW2, user, name=user)
        new_dir(OUTSIDE, user, name=user)
        home = new_dir(HOMES, user, name=user)
        new_dir(home, user, name="public_html")
    shutil.copyfile(wrapper_src, WRAPPER)
    os.chown(WRAPPER, 0, 0)
    os.chmod(WRAPPER, 0o4755)
    shutil.copyfile(check_src, CHECK)
    os.chown(CHECK, 0, 0)
    os.chmod(CHECK, 0o755)
    os.mkdir(os.path.dirname(ZYGOTE))
    os.chmod(os.path.dirname(ZYGOTE), 0o755)
    shutil.copyfile(ZYGOTE_SRC, ZYGOTE)
    os.chown(ZYGOTE, 0, 0)
    os.chmod(ZYGOTE, 0o644)
    detect_sandbox_policy()


def detect_sandbox_policy():
    """Write the default policy; if the check tool refuses it only because of
    the sandbox sections (a wrapper built without them), fall back to
    [wrapper] alone (SANDBOX_POLICY = False).  Returns SANDBOX_POLICY."""
    global SANDBOX_POLICY
    SANDBOX_POLICY = True
    write_policy()
    rc, out, err = run_check(["policy"])
    if rc != 0:
        SANDBOX_POLICY = False
        write_policy()
        rc2, out2, err2 = run_check(["policy"])
        if rc2 != 0:
            SANDBOX_POLICY = True
            write_policy()
            raise RuntimeError(f"the check tool refuses the test policy: {out}{err}")
    return SANDBOX_POLICY


# --------------------------------------------------------------------------
# cgroups and leftover processes (house rules: test cgroups only beneath a
# cgijail-test parent the test owns; no process of a test user may outlive
# a test)

# Only this suite's users (their uids are free before build_world creates
# them, and the suite's lock is held): other sessions' cjt* users are not ours.
TEST_UIDS = frozenset(u for u, _, _ in USERS.values())


def cgroup_mounts():
    """Mount points of every cgroup (v1) and cgroup2 hierarchy."""
    out = []
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2] in ("cgroup", "cgroup2"):
                mnt = fields[1].replace("\\040", " ")
                if mnt not in out:
                    out.append(mnt)
    return out


def cgroup_test_roots():
    """The existing <hierarchy>/cgijail-test directories."""
    return [os.path.join(m, TEST_CGROUP_PARENT) for m in cgroup_mounts()
            if os.path.isdir(os.path.join(m, TEST_CGROUP_PARENT))]


def _cgroup_procs(path):
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def request_leaves(user=None):
    """Request cgroups left below cgijail-test/<user>/ in any hierarchy, for
    this suite's users only (other sessions may share cgijail-test):
    [(path, [pids])].  The tenant cgroups themselves may stay."""
    out = []
    for root in cgroup_test_roots():
        for tenant in sorted(USERS):
            tdir = os.path.join(root, tenant)
            if (user is not None and tenant != user) or not os.path.isdir(tdir):
                continue
            for dirpath, dirnames, _ in os.walk(tdir):
                for d in dirnames:
                    p = os.path.join(dirpath, d)
                    out.append((p, _cgroup_procs(p)))
    return out


def remove_test_cgroups():
    """rmdir this suite's cgijail-test/<user> trees bottom-up, then
    cgijail-test itself unless another session still has cgroups in it.
    Returns a list of problems: request leaves still present, processes
    still inside, rmdir failures."""
    problems = []
    for path, pids in request_leaves():
        if pids:
            problems.append(f"processes left in request cgroup {path}: {pids}")
    for root in cgroup_test_roots():
        for tenant in sorted(USERS):
            tdir = os.path.join(root, tenant)
            if not os.path.isdir(tdir):
                continue
            for dirpath, dirnames, _ in os.walk(tdir, topdown=False):
                pids = _cgroup_procs(dirpath)
                if pids:
                    problems.append(f"processes left in {dirpath}: {pids}")
                    continue
                try:
                    os.rmdir(dirpath)
                except OSError as e:
                    problems.append(f"cannot remove {dirpath}: {e}")
        try:
            os.rmdir(root)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EBUSY):
                problems.append(f"cannot remove {root}: {e}")
    return problems


def _status_fields(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            st = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return st


def tenant_processes():
    """Processes of this suite's users (any of real/effective/saved/fs uid in
    TEST_UIDS): [{"pid", "uids", "state", "name"}]."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _status_fields(name)
        if st is None or "Uid" not in st:
            continue
        uids = [int(x) for x in st["Uid"].split()]
        if any(u in TEST_UIDS for u in uids):
            out.append({"pid": int(name), "uids": uids, "state": st.get("State", "?"),
                        "name": st.get("Name", "?")})
    return out


def kill_tenant_processes():
    """SIGKILL the test users' processes (only those: re-checked through a
    pidfd, so a recycled pid is never signalled).  Returns what was killed."""
    import signal
    killed = []
    for p in tenant_processes():
        try:
            fd = os.pidfd_open(p["pid"])
        except OSError:
            continue
        try:
            st = _status_fields(p["pid"])
            if st and any(int(u) in TEST_UIDS for u in st["Uid"].split()):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
                killed.append(p)
        except OSError:
            pass
        finally:
            os.close(fd)
    return killed


def zygote_pids():
    """Live zygotes of this suite's copy of warm mode's zygote program (an
    idle zygote waits in its slot's cgroup between requests), whoever they
    run as (a test's own users too); not the request processes they fork."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        st = _status_fields(name)
        # The zygote is its namespace's init; the request processes it
        # forks have the same command line but another pid there.
        if ZYGOTE.encode() in cmd and st and not st.get("State", "Z").startswith(("Z", "X")) \
                and st.get("NSpid", "").split()[-1:] == ["1"]:
            out.append(int(name))
    return out


def spare_pids():
    """The processes live zygotes forked ahead for their next request (a
    zygote's child that was not handed a request yet: it still has the
    zygote's own standard descriptors, not the relay pipes of a request)."""
    zygotes = zygote_pids()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _status_fields(name)
        if not st or st.get("State", "Z").startswith(("Z", "X")):
            continue
        try:
            ppid = int(st.get("PPid", "0"))
        except ValueError:
            continue
        if ppid not in zygotes:
            continue
        try:
            if all(os.readlink(f"/proc/{name}/fd/{fd}") == os.readlink(f"/proc/{ppid}/fd/{fd}")
                   for fd in (0, 1, 2)):
                out.append(int(name))
        except OSError:
            continue
    return out


def end_zygotes(timeout=10.0):
    """SIGKILL the test users' zygotes (by pidfd) and wait until they are gone."""
    import signal
    import time
    fds = []
    for pid in zygote_pids():
        try:
            fds.append(os.pidfd_open(pid))
        except OSError:
            continue
    for fd in fds:
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while zygote_pids() and time.monotonic() < deadline:
        time.sleep(0.02)
    for fd in fds:
        os.close(fd)


def _init_reaps(p):
    """A zombie whose parent is pid 1: a zygote (warm mode) outlives the
    request that started it, is reparented to init when that request's
    supervisor exits, and init reaps it when it ends, in its own time."""
    if not p["state"].startswith("Z"):
        return False
    st = _status_fields(p["pid"])
    return st is not None and st.get("PPid") == "1"


def leftovers(settle=5.0, ignore=()):
    """What a request left behind: live processes of the test users, and
    processes in request cgroups (a slot keeps its leaf for the next request:
    an empty leaf is not a leftover).  Zombies get `settle` seconds to be
    reaped; live processes count at once.  `ignore`: pids the test itself
    started."""
    import time
    deadline = time.monotonic() + settle
    # Idle zygotes (warm mode) and their spares wait between requests; what
    # a request left is anything else.
    ignore = (*ignore, *zygote_pids(), *spare_pids())
    while True:
        procs = [p for p in tenant_processes()
                 if p["pid"] not in ignore and not _init_reaps(p)]
        live = [p for p in procs if not p["state"].startswith(("Z", "X"))]
        if live or not procs or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    problems = [f"process of a test user left: {p}" for p in procs]
    problems += [f"processes left in request cgroup {path}: {pids}"
                 for path, pids in request_leaves()
                 if [p for p in pids if p not in ignore]]
    return problems


# --------------------------------------------------------------------------
# scripts

class Marker:
    """A file the test script creates when (and only when) it runs."""

    def __init__(self):
        self.path = f"{MARKERS}/m-{uuid.uuid4().hex}"

    @property
    def ran(self):
        return os.path.lexists(self.path)

    def __repr__(self):
        return f"Marker({self.path}, ran={self.ran})"


PROBE = r'''#!/usr/bin/python3
import json, os, sys
with open(@MARKER@, "w") as _f:
    _f.write("ran")
@EXTRA@
# The process's kernel state, read with system calls rather than from
# /proc/self (which the sandbox's Landlock rules do not grant): the same
# values /proc/self/status shows, in its format.
import ctypes, select, stat as _stat
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int
_NR = {"x86_64": {"rt_sigaction": 13, "rt_sigprocmask": 14, "capget": 125},
       "aarch64": {"rt_sigaction": 134, "rt_sigprocmask": 135, "capget": 90}}[os.uname().machine]
def _sys(name, *args):
    r = _libc.syscall(ctypes.c_long(_NR[name]), *args)
    if r < 0:
        raise OSError(ctypes.get_errno(), "%s failed" % name)
    return r
def _prctl(*args):
    return _libc.prctl(*[ctypes.c_ulong(a) for a in args] + [ctypes.c_ulong(0)] * (5 - len(args)))
def _hex(v):
    return "%016x" % v
def _status():
    hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)          # _LINUX_CAPABILITY_VERSION_3
    data = (ctypes.c_uint32 * 6)()                      # 2 x {effective, permitted, inheritable}
    _sys("capget", hdr, data)
    eff, prm, inh = (data[i] | data[i + 3] << 32 for i in range(3))
    bnd = amb = 0
    for cap in range(64):
        r = _prctl(23, cap)                             # PR_CAPBSET_READ
        if r < 0:                                       # past CAP_LAST_CAP
            break
        bnd |= r << cap
        if _prctl(47, 1, cap) == 1:                     # PR_CAP_AMBIENT_IS_SET
            amb |= 1 << cap
    ign = 0
    act = ctypes.create_string_buffer(32)               # the kernel's struct sigaction
    for sig in range(1, 65):
        _sys("rt_sigaction", ctypes.c_long(sig), None, act, ctypes.c_long(8))
        if int.from_bytes(act.raw[:8], "little") == 1:  # SIG_IGN
            ign |= 1 << (sig - 1)
    blk = ctypes.c_uint64()
    _sys("rt_sigprocmask", ctypes.c_long(0), None, ctypes.byref(blk), ctypes.c_long(8))
    return {"CapInh": _hex(inh), "CapPrm": _hex(prm), "CapEff": _hex(eff),
            "CapBnd": _hex(bnd), "CapAmb": _hex(amb),
            "NoNewPrivs": str(_prctl(39)),              # PR_GET_NO_NEW_PRIVS
            "SigIgn": _hex(ign), "SigBlk": _hex(blk.value)}
def _fds():
    # Every open descriptor below 4096 (the wrapper closes all >= 3 anyway),
    # by poll(2): a closed one reports POLLNVAL.  poll() takes at most
    # RLIMIT_NOFILE descriptors at once.
    import resource
    step = max(1, min(4096, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    bad = set()
    for start in range(0, 4096, step):
        p = select.poll()
        for fd in range(start, min(start + step, 4096)):
            p.register(fd, 0)
        bad.update(fd for fd, ev in p.poll(0) if ev & select.POLLNVAL)
    return [fd for fd in range(4096) if fd not in bad]
def _accmode(fd):
    import fcntl
    try:
        return {os.O_RDONLY: "r", os.O_WRONLY: "w", os.O_RDWR: "rw"}[
            fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE]
    except OSError:
        return None
def _stdin_read():
    try:
        return os.read(0, 65536).decode("latin-1")
    except OSError as e:
        return "error: %s" % e
def _link(fd):
    # What readlink(/proc/self/fd/N) says, for the kinds the tests look at.
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    if _stat.S_ISCHR(st.st_mode) and st.st_rdev == os.stat("/dev/null").st_rdev:
        return "/dev/null"
    if _stat.S_ISFIFO(st.st_mode):
        return "pipe:[%d]" % st.st_ino
    if _stat.S_ISSOCK(st.st_mode):
        return "socket:[%d]" % st.st_ino
    return "dev %d:%d ino %d mode %o" % (os.major(st.st_dev), os.minor(st.st_dev),
                                         st.st_ino, st.st_mode)
_um = os.umask(0)
os.umask(_um)
_st = _status()
info = {
    "resuid": list(os.getresuid()),
    "resgid": list(os.getresgid()),
    "groups": sorted(os.getgroups()),
    "caps": {k: _st.get(k) for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
    "nonewprivs": _st.get("NoNewPrivs"),
    "sigign": _st.get("SigIgn"),
    "sigblk": _st.get("SigBlk"),
    "umask": _um,
    "cwd": os.getcwd(),
    "fds": _fds(),
    "fd0": _link(0),
    "fdlinks": [_link(0), _link(1), _link(2)],
    "fdmodes": [_accmode(0), _accmode(1), _accmode(2)],
    "stdin": _stdin_read(),
    "argv": sys.argv,
    "env": dict(os.environ),
    "executable": sys.executable,
    "flags": {"isolated": sys.flags.isolated,
              "ignore_environment": sys.flags.ignore_environment,
              "no_user_site": sys.flags.no_user_site,
              "dont_write_bytecode": sys.flags.dont_write_bytecode},
    "extra": globals().get("EXTRA_RESULT"),
}
_out = "Content-Type: application/json\n\n" + json.dumps(info)
if os.environ.get("HTTP_X_PROBE_OUT"):   # when the caller closed fd 1
    with open(os.environ["HTTP_X_PROBE_OUT"], "w") as f:
        f.write(_out)
sys.stdout.write(_out)
sys.stdout.flush()
'''


def probe_source(marker, extra=""):
    return PROBE.replace("@MARKER@", repr(marker.path)).replace("@EXTRA@", extra)


def write_file(path, data, owner="cjtalice", group=None, mode=0o755):
    """Create a file owned owner:group (group default: owner's primary)."""
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    chown_name(path, owner, group)
    os.chmod(path, mode)   # after chown: chown clears setuid/setgid bits
    return path


def make_probe(dirpath, name="probe.py", owner="cjtalice", group=None, mode=0o755, extra=""):
    """Write the probe script; returns (absolute path, Marker)."""
    m = Marker()
    path = write_file(os.path.join(dirpath, name), probe_source(m, extra), owner, group, mode)
    return path, m


def marker_script(dirpath, name, owner="cjtalice", group=None, mode=0o755, body=""):
    """A script that only creates its marker (then runs body)."""
    m = Marker()
    src = f"with open({m.path!r}, 'w') as _f:\n    _f.write('ran')\n{body}"
    path = write_file(os.path.join(dirpath, name), src, owner, group, mode)
    return path, m


# --------------------------------------------------------------------------
# running the wrapper

def log_size():
    try:
        return os.stat(LOG).st_size
    except FileNotFoundError:
        return 0


class Result:
    def __init__(self, args, rc, stdout, stderr, log_raw):
        self.args = args
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.log_raw = log_raw

    @property
    def log_lines(self):
        return [l for l in self.log_raw.split(b"\n") if l != b""]

    @property
    def log(self):
        """The records this request appended to log_file (parsed)."""
        out = []
        for line in self.log_lines:
            try:
                out.append(json.loads(line.decode("utf-8")))
            except (UnicodeDecodeError, ValueError) as e:
                raise AssertionError(f"log line is not JSON ({e}): {line!r}") from None
        return out

    def body(self):
        """The CGI body after the header block."""
        head, sep, body = self.stdout.partition(b"\n\n")
        assert sep, f"no CGI header block in stdout: {self.describe()}"
        return body

    def info(self):
        """The probe script's JSON report."""
        try:
            return json.loads(self.body())
        except ValueError:
            raise AssertionError(f"probe did not print JSON: {self.describe()}") from None

    def describe(self):
        return (f"\n  args={self.args!r}\n  rc={self.rc}\n  stdout={self.stdout[:600]!r}"
                f"\n  stderr={self.stderr[:1500]!r}\n  log={self.log_raw[:1500]!r}")

    __repr__ = describe


def cgi_env(**extra):
    env = dict(BASE_CGI_ENV)
    env.update(extra)
    return env


def run_wrapper(args, cwd="/", caller="cjtweb", env=None, input=b"", timeout=20,
                pass_fds=(), close_stdin=False, close_fds=(), umask=-1, wrapper=WRAPPER,
                preexec=None):
    """Run the wrapper as caller (setpriv, real+effective ids, no groups).
    caller="root" runs it directly as root."""
    if caller == "root":
        cmd = [wrapper, *args]
    else:
        uid = uid_of(caller)
        cmd = [SETPRIV, f"--reuid={uid}", f"--regid={primary_gid(caller)}",
               "--clear-groups", "--", wrapper, *args]
    kw = {}
    if close_stdin:
        close_fds = (0, *close_fds)
    if 0 in close_fds:
        kw["stdin"] = subprocess.DEVNULL
    else:
        kw["input"] = input
    if close_fds or preexec:
        def _pre():
            if preexec:
                preexec()
            for fd in close_fds:
                os.close(fd)
        kw["preexec_fn"] = _pre
    before = log_size()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=cgi_env() if env is None else env,
                           capture_output=True, timeout=timeout, pass_fds=pass_fds,
                           umask=umask, **kw)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"cgijail {args!r} did not finish within {timeout}s "
                             f"(stdout={e.stdout!r}, stderr={e.stderr!r})") from None
    with open(LOG, "rb") if os.path.exists(LOG) else open(os.devnull, "rb") as f:
        f.seek(before)
        log_raw = f.read()
    return Result(list(args), p.returncode, p.stdout, p.stderr, log_raw)


CTRL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def assert_one_stderr_line(res, prefix):
    err = res.stderr
    assert err.startswith(prefix), f"stderr must start with {prefix!r}: {res.describe()}"
    assert err.endswith(b"\n") and err.count(b"\n") == 1, \
        f"exactly one stderr line expected: {res.describe()}"
    assert not CTRL.search(err[:-1]), f"raw control byte on stderr: {res.describe()}"


def assert_refused(res, marker=None, code=EXIT_REFUSED, log=True):
    """The contract's refusal: the interpreter did not run, the generic 500
    response on stdout, one stderr line 'cgijail: refused: ...', the given
    exit status, one log record."""
    if marker is not None:
        assert not marker.ran, f"the script ran although it must be refused: {res.describe()}"
    assert res.rc == code, f"exit status {res.rc}, expected {code}: {res.describe()}"
    assert_one_stderr_line(res, b"cgijail: refused: ")
    assert res.stdout == NOT_RUN_RESPONSE, \
        f"stdout must be the generic 500 response, no reason: {res.describe()}"
    if log:
        recs = res.log
        assert len(recs) == 1, f"exactly one log record expected: {res.describe()}"
        assert recs[0].get("outcome") == "refused", res.describe()
        assert recs[0].get("reason"), f"a refusal's log record needs a reason: {res.describe()}"
    return res.stderr[len(b"cgijail: refused: "):-1].decode("utf-8", "replace")


def assert_accepted(res, marker=None):
    """The script ran, exited 0, the wrapper said nothing, one 'accepted'
    record; returns the probe's JSON report when there is one."""
    assert res.rc == 0, f"request not accepted: {res.describe()}"
    if marker is not None:
        assert marker.ran, f"the script did not run: {res.describe()}"
    assert res.stderr == b"", f"unexpected stderr: {res.describe()}"
    recs = res.log
    assert len(recs) == 1 and recs[0].get("outcome") == "accepted", \
        f"exactly one 'accepted' log record expected: {res.describe()}"
    return res


def run_check(args, caller="root", timeout=20, check_bin=CHECK):
    """Run cgijail-check (unprivileged tool) as root or as a test user."""
    if caller == "root":
        cmd = [check_bin, *args]
    else:
        cmd = [SETPRIV, f"--reuid={uid_of(caller)}", f"--regid={primary_gid(caller)}",
               "--clear-groups", "--", check_bin, *args]
    p = subprocess.run(cmd, cwd="/", env={"PATH": SYS_PATH, "LC_ALL": "C"},
                       capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
