"""Driving cgijail-zygote.py directly, the way cgijail's supervisor does
(docs/warm-mode.md: the frame, the descriptors, the answers), and running
the same script cold, so that tests can compare the two.  Root only: the
zygote serves only uid 0, and runs here as `nobody`, the init of a pid
namespace of its own (unshare), as cgijail starts it."""
import array
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ZYGOTE = os.path.join(HERE, "..", "..", "zygote", "cgijail-zygote.py")
PYTHON = "/usr/bin/python3"
INTERP_ARGS = ["-E", "-s", "-B"]
NOBODY = 65534
MAGIC = b"CJW1"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
# The environment cgijail gives the interpreter it starts (no locale).
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin"}

# Puts the listening socket on descriptor 3 and execs the zygote with
# exactly BASE_ENV (without the locale coercion this interpreter added).
LAUNCH = ("import os, sys; fd = int(sys.argv[1]); fd == 3 or (os.dup2(fd, 3), os.close(fd));"
          "os.environ.pop('LC_CTYPE', None); os.execv(sys.argv[2], sys.argv[2:])")


def _field(b):
    return struct.pack("<I", len(b)) + b


def frame(key, umask, script, argv, env):
    body = (_field(key) + _field(struct.pack("<I", umask)) + _field(script) +
            struct.pack("<I", len(argv)) + b"".join(_field(a) for a in argv) +
            struct.pack("<I", len(env)) + b"".join(_field(e) for e in env))
    return MAGIC + struct.pack("<I", len(body)) + body


class Result:
    def __init__(self, status, stdout, stderr, answers=()):
        self.status, self.stdout, self.stderr = status, stdout, stderr
        self.answers = list(answers)

    @property
    def exit(self):
        """The shell's view: the exit code, or 128 + the signal."""
        if os.WIFSIGNALED(self.status):
            return 128 + os.WTERMSIG(self.status)
        return os.WEXITSTATUS(self.status)

    def __repr__(self):
        return (f"Result(exit={self.exit}, stdout={self.stdout[:2000]!r}, "
                f"stderr={self.stderr[:2000]!r}, answers={self.answers!r})")


def _pump(proc_in, data, outs):
    """Feed data to proc_in and collect each fd of outs, in threads."""
    got = {fd: bytearray() for fd in outs}

    def reader(fd):
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            got[fd] += b
        os.close(fd)

    def writer():
        try:
            if data:
                os.write(proc_in, data) if len(data) < 65536 else _write_all(proc_in, data)
        except BrokenPipeError:
            pass
        finally:
            os.close(proc_in)

    ts = [threading.Thread(target=reader, args=(fd,)) for fd in outs]
    ts.append(threading.Thread(target=writer))
    for t in ts:
        t.start()
    return ts, got


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _answers(buf):
    """The zygote's complete answers at the start of buf, in order (an
    unknown one is ("?", rest) and ends the list)."""
    out = []
    size_s = struct.calcsize("<iQQQ")
    while buf:
        kind = buf[:1]
        if kind == b"P" and len(buf) >= 5:
            out.append(("P", struct.unpack_from("<I", buf, 1)[0]))
            buf = buf[5:]
        elif kind == b"S" and len(buf) >= 1 + size_s:
            out.append(("S", *struct.unpack_from("<iQQQ", buf, 1)))
            buf = buf[1 + size_s:]
        elif kind == b"K":
            out.append(("K",))
            buf = buf[1:]
        elif kind == b"E" and len(buf) >= 5 and len(buf) >= 5 + struct.unpack_from("<I", buf, 1)[0]:
            (ln,) = struct.unpack_from("<I", buf, 1)
            out.append(("E", buf[5:5 + ln].decode()))
            buf = buf[5 + ln:]
        elif kind in (b"P", b"S", b"E"):
            break                     # not all of it yet
        else:
            out.append(("?", buf))
            break
    return out


def _final(answers):
    """The answers end with the last one the zygote sends: S, K or E."""
    return bool(answers) and answers[-1][0] in ("S", "K", "E", "?")


class Zygote:
    """One zygote: started with start(), driven with request(), ended
    with stop()."""

    def __init__(self, key=b"k1", max_requests=1000, max_age=3600, idle=60, preload=(),
                 reachable_by_all=False, pidns=True):
        self.key = key
        self.dir = tempfile.mkdtemp(prefix="cjt-zygote-")
        os.chmod(self.dir, 0o755 if reachable_by_all else 0o700)
        self.path = os.path.join(self.dir, "s0")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        if reachable_by_all:
            os.chmod(self.path, 0o777)
        self.listener.listen(8)
        self.errlog = open(os.path.join(self.dir, "stderr"), "w+b")
        fd = self.listener.fileno()
        ns = [UNSHARE, "--pid", "--fork", "--kill-child", "--"] if pidns else []
        cmd = [*ns, SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
               PYTHON, "-c", LAUNCH, str(fd), PYTHON, *INTERP_ARGS, ZYGOTE,
               str(max_requests), str(max_age), str(idle), *preload]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.errlog, pass_fds=(fd,), cwd="/",
                                     env=dict(BASE_ENV))

    def stderr(self):
        self.errlog.seek(0)
        return self.errlog.read()

    def connect(self, timeout=30):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn.connect(self.path)
                return conn
            except (ConnectionRefusedError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def namespace_pids(self):
        """Host pids of every process in the zygote's pid namespace."""
        try:
            ns = os.readlink(f"/proc/{self.init_pid()}/ns/pid")
        except (FileNotFoundError, ProcessLookupError, TypeError):
            return []
        pids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.readlink(f"/proc/{d}/ns/pid") == ns:
                        pids.append(int(d))
                except OSError:
                    pass
        return pids

    def init_pid(self):
        """Host pid of the zygote (unshare's child)."""
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                kids = f.read().split()
        except OSError:
            return None
        return int(kids[0]) if kids else None

    def wait(self, timeout=30):
        return self.proc.wait(timeout)

    def request(self, script, args=(), env=None, stdin=b"", umask=0o022, key=None,
                timeout=30, hang_up_after_start=False):
        """One request; a Result (status from the zygote's "S" answer), or
        a Result with status None and the answers when there is no "S"."""
        script = os.path.abspath(script)
        d, name = os.path.split(script)
        env = dict(env or {})
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        dirfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        conn = self.connect(timeout)
        data = frame(key or self.key, umask, name.encode(),
                     [name.encode(), *(a.encode() for a in args)],
                     [f"{k}={v}".encode() for k, v in env.items()])
        n = conn.sendmsg([data[:8]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                       array.array("i", [in_r, out_w, err_w, dirfd]))])
        assert n == 8
        conn.sendall(data[8:])
        for fd in (in_r, out_w, err_w, dirfd):
            os.close(fd)
        ts, got = _pump(in_w, stdin, [out_r, err_r])
        buf = b""
        try:
            # As cgijail's supervisor: read until the last answer (or the
            # end of the connection), then hang up, which the zygote waits
            # for before it forks its next request process.
            while not _final(_answers(buf)):
                b = conn.recv(4096)
                if not b:
                    break
                buf += b
                if hang_up_after_start and buf[:1] == b"P" and len(buf) >= 5:
                    break
        finally:
            conn.close()
        answers = _answers(buf)
        status = next((a[1] for a in answers if a[0] == "S"), None)
        for t in ts:
            t.join(timeout)
        return Result(status, bytes(got[out_r]), bytes(got[err_r]), answers)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        # The zygote first, by pid: it changed its uid, which cleared the
        # parent-death signal unshare --kill-child gave it.
        zpid = self.init_pid()
        if zpid is not None:
            try:
                os.kill(zpid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        self.listener.close()
        self.errlog.close()
        shutil.rmtree(self.dir)


def run_cold(script, args=(), env=None, stdin=b"", umask=0o022, timeout=30):
    """The same script the way cgijail runs it cold: the interpreter with
    its arguments, as nobody, in a pid namespace, cwd the script's
    directory, exactly env."""
    script = os.path.abspath(script)
    d, name = os.path.split(script)
    cmd = [UNSHARE, "--pid", "--fork", "--kill-child", "--",
           SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
           PYTHON, *INTERP_ARGS, name, *args]
    p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=d, env=dict(env or {}),
                       timeout=timeout, preexec_fn=lambda: os.umask(umask))
    status = (p.returncode << 8) if p.returncode >= 0 else -p.returncode
    return Result(status, p.stdout, p.stderr)
