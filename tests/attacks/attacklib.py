"""Helpers of the attack suite: installing the attack scripts for a tenant,
running them unconfined (directly as the tenant, to prove the attack is
real) and through the setuid wrapper (contained), loopback servers, and the
small sandbox policy the attacks run under.  The world (users, wrapper,
policy tree, leftover checks) is the integration suite's: cjlib.py and
cjfixtures.py in tests/integration."""
import ctypes
import json
import os
import platform
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

import cjlib
from cjlib import PYTHON, SETPRIV, WWW, cgi_env, primary_gid, uid_of

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "scripts")
TENANT = "cjtalice"
OTHER = "cjtbob"

# Time limits and bounds are scaled in the qemu guest, which emulates its
# CPUs (TCG): there CPython's start alone costs over a second of CPU time.
TIME_SCALE = float(os.environ.get("CGIJAIL_ATTACK_TIME_SCALE") or
                   (5 if os.environ.get("CGIJAIL_VM") else 1))


def secs(n):
    """n seconds, scaled, as a policy duration."""
    return f"{max(1, round(n * TIME_SCALE))}s"


# The attack policy: small limits so that the suite stays short.  The
# sandbox keys are the contract's defaults, spelled out.
LIMITS = {"cpu": secs(2), "wall": secs(3), "memory": "64M", "tasks": "16",
          "open_files": "64", "file_size": "4M"}
TENANT_LIMITS = {"memory": "256M", "tasks": "64", "cpu": "100%", "concurrency": "2"}
SANDBOX = {"cgroup": "required", "seccomp": "on", "landlock": "required", "network": "none"}
WALL_S = 3.0 * TIME_SCALE
# For requests the test ends itself (client gone, SIGTERM, concurrency).
LONG_WALL = secs(30)
FILE_SIZE = 4 << 20
MEMORY = 64 << 20
TASKS = 16
CONCURRENCY = 2
# How long after `wall` a request may still be running (killing a cgroup
# and reaping it), and how long a request may take to end after the event
# that ends it (client gone, SIGTERM).  Bounds, not measurements.
WALL_GRACE_S = 5.0 * TIME_SCALE
END_BOUND_S = 10.0 * TIME_SCALE
# How long a started request may take to reach its script.
START_S = 20.0 * TIME_SCALE

EXIT_BUSY = 122


def attack_sections(limits=None, tenant=None, sandbox=None):
    def merged(base, over):
        d = dict(base)
        d.update(over or {})
        return d
    return {"limits": merged(LIMITS, limits), "tenant": merged(TENANT_LIMITS, tenant),
            "sandbox": merged(dict(cjlib.SANDBOX_DEFAULTS["sandbox"], **SANDBOX), sandbox)}


def write_attack_policy(limits=None, tenant=None, sandbox=None):
    """The attack policy; nothing while the wrapper has no sandbox sections
    (the unconfined proofs still run then; every contained run fails)."""
    if cjlib.SANDBOX_POLICY:
        cjlib.write_policy(sections=attack_sections(limits, tenant, sandbox))


# --------------------------------------------------------------------------
# the kernel

def landlock_abi():
    """The running kernel's Landlock ABI (0: none)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr = {"x86_64": 444, "aarch64": 444}[platform.machine()]
    v = libc.syscall(ctypes.c_long(nr), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(1))
    return max(int(v), 0)


def kernel_version():
    rel = platform.release().split("-")[0].split(".")
    return tuple(int(x) for x in rel[:2])


# --------------------------------------------------------------------------
# scripts

def install_scripts(owner=TENANT):
    """A fresh directory below the owner's docroot with every attack script
    (owner:owner, 0755) and their helper module (0644)."""
    d = cjlib.new_dir(f"{WWW}/{owner}", owner)
    for name in sorted(os.listdir(SCRIPTS)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(SCRIPTS, name), "rb") as f:
            data = f.read()
        cjlib.write_file(os.path.join(d, name), data, owner=owner,
                         mode=0o644 if name.startswith("_") else 0o755)
    return d


def query(**params):
    return urllib.parse.urlencode({k: str(v) for k, v in params.items()})


class Run:
    """One run of an attack script: exit status, output, the JSON report
    (None when the script printed none, e.g. because it was killed), the
    log record (through cgijail only) and the wall time."""

    def __init__(self, how, rc, stdout, stderr, seconds, result=None):
        self.how = how
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.result = result          # cjlib.Result for contained runs

    @property
    def report(self):
        head, sep, body = self.stdout.partition(b"\n\n")
        if not sep:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None

    @property
    def record(self):
        """The one log record of the request (contained runs)."""
        recs = self.result.log
        assert len(recs) == 1, f"exactly one log record expected: {self.describe()}"
        return recs[0]

    def attempts(self):
        rep = self.report
        assert rep is not None and "attempts" in rep, f"no report: {self.describe()}"
        return rep["attempts"]

    def describe(self):
        log = self.result.log_raw[:1500] if self.result is not None else b""
        return (f"\n  {self.how}: rc={self.rc} after {self.seconds:.2f}s"
                f"\n  stdout={self.stdout[:800]!r}\n  stderr={self.stderr[:1500]!r}"
                f"\n  log={log!r}")

    __repr__ = describe


def finished(run):
    """A contained run that ended normally (status 0, one "accepted" record,
    no limit hit, nothing of the tenant left): the script's attempts."""
    assert run.rc == 0, f"the attack script failed: {run.describe()}"
    rec = run.record
    assert rec["outcome"] == "accepted" and rec.get("limit") is None, run.describe()
    assert cjlib.leftovers() == [], run.describe()
    return run.attempts()


def _drop_to(user):
    """preexec: become user (ids and groups) without setpriv's help."""
    uid, gid = uid_of(user), primary_gid(user)

    def pre():
        os.setgroups(os.getgrouplist(user, gid))
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    return pre


def run_unconfined(d, script, params=None, user=TENANT, timeout=60):
    """Run the script directly as its owner (setpriv: ids and groups, no
    cgijail), the way the interpreter would run it: the proof that the
    attempt works where nothing contains it."""
    uid, gid = uid_of(user), primary_gid(user)
    cmd = [SETPRIV, f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--",
           PYTHON, "-E", "-s", "-B", os.path.join(d, script)]
    env = cgi_env(QUERY_STRING=query(**(params or {})), SCRIPT_NAME="/" + script)
    env["PATH"] = cjlib.SAFE_PATH
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=d, env=env, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"unconfined {script} did not finish within {timeout}s "
                             f"(stdout={e.stdout!r}, stderr={e.stderr!r})") from None
    return Run(f"unconfined {script}", p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def run_contained(d, script, params=None, user=TENANT, timeout=60, **kw):
    """Run the script through the setuid wrapper (suexec form, caller cjtweb)."""
    cjlib.sandbox_required()
    env = cgi_env(QUERY_STRING=query(**(params or {})), SCRIPT_NAME="/" + script)
    t0 = time.monotonic()
    res = cjlib.run_wrapper([user, user, script], cwd=d, env=env, timeout=timeout, **kw)
    return Run(f"cgijail {script}", res.rc, res.stdout, res.stderr, time.monotonic() - t0, res)


def popen_contained(d, script, params=None, user=TENANT, caller="cjtweb"):
    """Start a request through the wrapper without waiting for it: stdout
    and stderr are pipes, stdin /dev/null.  The caller waits."""
    cjlib.sandbox_required()
    env = cgi_env(QUERY_STRING=query(**(params or {})), SCRIPT_NAME="/" + script)
    cmd = [SETPRIV, f"--reuid={uid_of(caller)}", f"--regid={primary_gid(caller)}",
           "--clear-groups", "--", cjlib.WRAPPER, user, user, script]
    p = subprocess.Popen(cmd, cwd=d, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    STARTED.append(p)
    return p


# Requests started with popen_contained() in the current test: the conftest
# ends (SIGKILL, by pid) and reaps whatever a failing test left running, so
# that no zombie of it lingers into the next test.
STARTED = []


def reap_started():
    while STARTED:
        p = STARTED.pop()
        if p.poll() is None:
            p.kill()
        try:
            p.communicate(timeout=30)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            p.wait()


def signal_as(user, pid, sig):
    """Send sig to pid with user's ids (as a web server would); returns
    None or the errno name of the failure."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        code = 0
        try:
            os.close(r)
            if user != "root":
                _drop_to(user)()
            try:
                os.kill(pid, sig)
            except OSError as e:
                code = e.errno
            os.write(w, str(code).encode())
        finally:
            os._exit(0)
    os.close(w)
    out = os.read(r, 32)
    os.close(r)
    os.waitpid(child, 0)
    code = int(out or b"-1")
    if code == 0:
        return None
    import errno
    return errno.errorcode.get(code, str(code))


def wait_for(path, timeout, proc=None):
    """Wait until path exists (a script's "started" marker); fails early
    when proc ends first."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"request ended before {path} appeared: rc={proc.returncode} "
                                 f"stdout={proc.stdout.read()[:500]!r} "
                                 f"stderr={proc.stderr.read()[:1000]!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear within {timeout}s")
        time.sleep(0.02)


def new_log_records(before):
    with open(cjlib.LOG, "rb") as f:
        f.seek(before)
        raw = f.read()
    return [json.loads(line) for line in raw.split(b"\n") if line.strip()]


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def host_pid(ns_pid, uid):
    """The pid, as this (the host's) pid namespace sees it, of the live
    process of uid whose pid is ns_pid in its own, innermost namespace: a
    contained script is the init of a pid namespace of its own, so the pids
    it reports are that namespace's.  None when there is none."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue
        nspid = fields.get("NSpid", "").split()
        if (nspid and int(nspid[-1]) == ns_pid and len(nspid) > 1 and
                int(fields.get("Uid", "-1").split()[0]) == uid):
            return int(name)
    return None


def tenant_pids(uid):
    """Host pids of every live process of uid (zombies excluded), but the
    slot's idle zygote (warm mode) and its spare, which outlive requests by
    design."""
    idle = (*cjlib.zygote_pids(), *cjlib.spare_pids())
    return [p["pid"] for p in cjlib.tenant_processes()
            if p["uids"][0] == uid and p["state"][0] not in "ZX" and p["pid"] not in idle]


def pid_uid(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def kill_pid(pid, uid, timeout=10.0):
    """SIGKILL pid (a process this test started) if it still belongs to uid,
    and wait until it has exited (its pidfd becomes readable)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        if pid_uid(pid) == uid:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
            p = select.poll()
            p.register(fd, select.POLLIN)
            p.poll(int(timeout * 1000))
    finally:
        os.close(fd)


def start_as(user, argv):
    """A process of user started by the test (e.g. a sibling to ptrace)."""
    return subprocess.Popen(argv, preexec_fn=_drop_to(user), cwd="/",
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={"PATH": cjlib.SAFE_PATH})


# --------------------------------------------------------------------------
# loopback servers

class TcpServer:
    """A TCP server on 127.0.0.1 (an ephemeral port) recording the first
    line of every connection; stopped with stop()."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\n" not in data:
                        b = conn.recv(256)
                        if not b:
                            break
                        data += b
                except OSError:
                    pass
                self.lines.append(data.split(b"\n")[0].decode("latin-1"))

    def saw(self, token, wait=2.0):
        """Whether a connection sent token (waits a little for the thread)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if token in self.lines:
                return True
            time.sleep(0.02)
        return token in self.lines

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

