"""cgijail-zygote - the warm interpreter of one concurrency slot of a tenant
(docs/warm-mode.md).

cgijail starts it through the cold path, fully confined (the tenant's ids,
the slot's cgroup leaf, a pid namespace of which it is the init, rlimits,
Landlock, seccomp), as

    <interpreter> <interpreter_args> cgijail-zygote.py MAX_REQUESTS \
        MAX_AGE_S IDLE_S [MODULE ...]

with descriptor 3 a listening unix stream socket that only root can reach.
It imports the MODULEs and nothing of the tenant's, then serves one request
per connection, one at a time (the slot's lock serialises them):

  request (root -> zygote), one frame, descriptors stdin, stdout, stderr and
  the script's directory attached (SCM_RIGHTS) to its first byte:
      b"CJW1" u32 length, then the fields, each u32 length + bytes:
      key, umask (4 bytes), script path, argc + argv[0..], envc + "NAME=value"...
  answers (zygote -> root):
      b"P" u32 pid             the request process started (pid in the
                               slot's namespace)
      b"S" i32 status u64 utime_us u64 stime_us u64 maxrss_kib
                               it was reaped: wait status and its rusage
      b"K"                     the key differs from the one of the first
                               request this zygote served (the request of
                               the supervisor that started it): this
                               zygote ends, unused
      b"E" u32 length, text    the request was malformed (nothing ran)

Each request runs in a process forked ahead of it, the spare (see Spare):
forked when the zygote starts and after each request once the supervisor has
hung up, it does what does not depend on the request, then waits for the
zygote to hand it the request (frame and descriptors) over a socket pair.
After each request every other process of the namespace is SIGKILLed and
reaped: nothing of a request outlives it.  A peer that is not root, a
request process that dies of a crash signal, max_requests, max_age, the idle
timeout or half of RLIMIT_CPU used by the zygote itself end the zygote.

This program never runs tenant code in the zygote; the request process (a
fork) rebuilds what a fresh interpreter has before it runs the script.
No request's code runs beside a spare: the spare is forked after the last
request's processes are gone, and becomes the next request's process.
"""
import array
import atexit
import errno
import gc
import io
import os
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time

# Before anything else: no exit handler of the zygote's own start-up may run
# in a request process.  The modules preloaded below register theirs (e.g.
# logging's shutdown) as they would in a fresh interpreter that imported
# them, and those run at the end of each request; the zygote registers none.
atexit._clear()

MAGIC = b"CJW1"
MAX_FRAME = 4 << 20          # argv + environment: cgijail sends at most ~2 MiB
MAX_FIELDS = 8192
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL,
                 signal.SIGSYS, signal.SIGFPE}
LISTEN_FD = 3


class BadRequest(Exception):
    pass


def parse_frame(body):
    """The request's fields from a frame body (after magic and length)."""
    off = 0

    def field():
        nonlocal off
        if off + 4 > len(body):
            raise BadRequest("truncated field length")
        (n,) = struct.unpack_from("<I", body, off)
        off += 4
        if n > len(body) - off:
            raise BadRequest("truncated field")
        v = body[off:off + n]
        off += n
        return v

    def count():
        nonlocal off
        if off + 4 > len(body):
            raise BadRequest("truncated count")
        (n,) = struct.unpack_from("<I", body, off)
        off += 4
        if n > MAX_FIELDS:
            raise BadRequest("too many fields")
        return n

    key = field()
    um = field()
    if len(um) != 4:
        raise BadRequest("bad umask")
    (umask,) = struct.unpack("<I", um)
    if umask > 0o777:
        raise BadRequest("bad umask")
    script = field()
    argv = [field() for _ in range(count())]
    env = [field() for _ in range(count())]
    if off != len(body):
        raise BadRequest("trailing bytes")
    if not script or b"\0" in script or not argv:
        raise BadRequest("bad script")
    for e in env:
        if b"=" not in e[1:] or b"\0" in e:
            raise BadRequest("bad environment entry")
    return key, umask, script, argv, env


def recv_request(conn):
    """One frame (its fields and its body) and its four descriptors, or
    raises BadRequest."""
    fds = array.array("i")
    msg, anc, flags, _ = conn.recvmsg(8, socket.CMSG_SPACE(8 * fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    got = list(fds)
    try:
        if flags & socket.MSG_CTRUNC or len(got) != 4:
            raise BadRequest("expected 4 descriptors")
        if len(msg) < 8 or msg[:4] != MAGIC:
            raise BadRequest("bad magic")
        (length,) = struct.unpack_from("<I", msg, 4)
        if length > MAX_FRAME:
            raise BadRequest("frame too large")
        body = bytearray(msg[8:])
        while len(body) < length:
            chunk = conn.recv(min(1 << 20, length - len(body)))
            if not chunk:
                raise BadRequest("connection closed mid-frame")
            body += chunk
        if len(body) != length:
            raise BadRequest("frame longer than announced")
        body = bytes(body)
        return parse_frame(body), body, got
    except BaseException:
        for fd in got:
            os.close(fd)
        raise


# ---- the request process -----------------------------------------------------------------

def fresh_environment(env):
    """The environment a fresh interpreter started with env would have: the
    C locale coerced as CPython does (PEP 538: LC_CTYPE=C.UTF-8 when no
    locale variable names another)."""
    d = {}
    for e in env:
        k, _, v = e.partition(b"=")
        d[k] = v
    if sys.flags.utf8_mode and os.environ.get("LC_CTYPE") == "C.UTF-8":
        loc = d.get(b"LC_ALL") or d.get(b"LC_CTYPE") or d.get(b"LANG") or b"C"
        if loc in (b"C", b"POSIX"):
            d[b"LC_CTYPE"] = b"C.UTF-8"
    return d


def reset_signals():
    """Dispositions and mask as a fresh CPython has them."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.alarm(0)
    for s in signal.valid_signals():
        if s in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(s, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


STDIO_NAMES = {0: "<stdin>", 1: "<stdout>", 2: "<stderr>"}


def new_stdio(fd, mode, like):
    """A text stream on fd configured as CPython's start-up configures it
    (create_stdio: buffered binary layer, raw named "<stdout>" and so on,
    newline "\\n", line-buffered on a terminal and for stderr): the
    zygote's own stream of the same fd was made by the same interpreter with
    the same flags and environment, so its encoding and errors are the ones
    a fresh interpreter would choose."""
    buf = io.open(fd, mode + "b", buffering=-1, closefd=False)
    buf.raw.name = STDIO_NAMES[fd]
    line = fd == 2 or buf.raw.isatty()
    stream = io.TextIOWrapper(buf, encoding=like.encoding, errors=like.errors,
                              newline="\n", line_buffering=line, write_through=False)
    stream.mode = mode
    return stream


def exit_status_of(exc):
    """How CPython turns an uncaught SystemExit into the process status."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def run_script(script, argv):
    """Run the script as __main__; the status a fresh interpreter exits with."""
    import builtins
    import importlib.machinery
    import types

    path = os.path.abspath(os.fsdecode(script))
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = [os.fsdecode(a) for a in argv]
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    try:
        with open(path, "rb") as f:
            source = f.read()
        code = compile(source, path, "exec", dont_inherit=True)
    except SystemExit as e:
        return exit_status_of(e)
    except BaseException as e:
        # As CPython reports a script it cannot read or compile: no
        # traceback of its own frames (here: the zygote's).
        e.__traceback__ = None
        sys.excepthook(type(e), e, None)
        return 1
    try:
        exec(code, main.__dict__)
        status = 0
    except SystemExit as e:
        status = exit_status_of(e)
    except BaseException as e:
        # The traceback starts at the script's frame, as in a fresh
        # interpreter: this function's frame is not the script's.
        tb = e.__traceback__.tb_next
        e.__traceback__ = tb
        sys.excepthook(type(e), e, tb)
        status = -signal.SIGINT if isinstance(e, KeyboardInterrupt) else 1
    return status


class _Unraisable:
    """The argument sys.unraisablehook gets when flushing stdout fails at
    exit ("Exception ignored in: <stdout>")."""

    def __init__(self, exc, obj):
        self.exc_type, self.exc_value = type(exc), exc
        self.exc_traceback = exc.__traceback__
        self.err_msg, self.object = None, obj


def finalize(status):
    """Py_FinalizeEx's visible steps, in its order: non-daemon threads
    joined, exit handlers run, standard streams flushed (status 120 when
    stdout cannot be flushed, as Py_RunMain gives).  Then the process ends
    without the zygote's own clean-up."""
    try:
        threading._shutdown()
    except BaseException:
        pass
    atexit._run_exitfuncs()
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None:
            continue
        try:
            stream.flush()
        except BaseException as e:
            if name == "stdout":
                sys.unraisablehook(_Unraisable(e, stream))
                status = 120
    if status == -signal.SIGINT:
        # After an uncaught KeyboardInterrupt CPython sends itself SIGINT;
        # a cold script is its namespace's init, which the kernel does not
        # let that signal kill, so it exits with 128 + SIGINT instead.
        status = 128 + signal.SIGINT
    os._exit(status)


def request_process(fds, umask, script, argv, env):
    """In the spare, once its request arrived: become the fresh interpreter
    of this request.  Never returns."""
    try:
        stdin, stdout, stderr, dirfd = fds
        for src, dst in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(src, dst, inheritable=True)
        os.fchdir(dirfd)
        os.closerange(3, 1 << 20)     # the spare's socket, the request's fds
        os.umask(umask)
        environ = fresh_environment(env)
        os.environb.clear()
        os.environb.update(environ)
        sys.stdin = sys.__stdin__ = new_stdio(0, "r", sys.__stdin__)
        sys.stdout = sys.__stdout__ = new_stdio(1, "w", sys.__stdout__)
        sys.stderr = sys.__stderr__ = new_stdio(2, "w", sys.__stderr__)
    except BaseException:
        os._exit(127)
    finalize(run_script(script, argv))


# ---- the spare: the next request process, forked ahead ---------------------------------

def prefault():
    """Write, while the slot is idle, to the memory a request process
    writes first: after fork() each first write to a page copies it
    (copy-on-write), and doing it here takes that time off the request's.
    The pages: the interpreter's own, the modules' import records that an
    import statement of a preloaded module touches, the io and compiler
    machinery.  Only this program's own code runs (the module records are
    read from the modules' dictionaries, never through an attribute lookup
    a module or an object in sys.modules could hook); nothing it does is
    left for a script to see."""
    import types
    for m in list(sys.modules.values()):
        if issubclass(type(m), types.ModuleType):
            m.__dict__.get("__spec__")
    fresh_environment(())
    like = sys.__stdout__
    stream = io.TextIOWrapper(io.BytesIO(), encoding=like.encoding, errors=like.errors,
                              newline="\n")
    stream.write("prefault\n")
    stream.flush()
    stream.detach()
    exec(compile("x = 1\n", "<prefault>", "exec", dont_inherit=True), {})


def spare_process(sock):
    """In the spare: everything a request process does that does not depend
    on its request, then wait for the request (the frame and its
    descriptors, which the zygote checked and passes on as it got them) and
    run it.  Never returns."""
    try:
        fd = sock.fileno()
        os.closerange(3, fd)          # the listening socket, all but sock
        os.closerange(fd + 1, 1 << 20)
        # The one disposition the zygote keeps apart (see main()).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import random
        random.seed()
        prefault()
        (_key, umask, script, argv, env), _body, fds = recv_request(sock)
    except BaseException:
        os._exit(127)                 # no request (the zygote ended), or a bad one
    request_process(fds, umask, script, argv, env)


class Spare:
    """The next request process, forked while the slot is idle: the fork,
    and the preparation that does not depend on the request, are done
    before the request arrives (the request's CPU time includes them)."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            spare_process(theirs)
        theirs.close()
        self.sock = ours
        self.pidfd = os.pidfd_open(self.pid)

    def hand_off(self, body, fds):
        """Give it its request; False when it is gone (it is reaped, and
        its wait status is in self.status)."""
        try:
            self.sock.sendmsg([MAGIC + struct.pack("<I", len(body))],
                              [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            self.sock.sendall(body)
            return True
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ECONNREFUSED):
                raise
        self.sock.close()
        _, self.status = os.waitpid(self.pid, 0)
        os.close(self.pidfd)
        return False


# ---- the zygote --------------------------------------------------------------------------

def send(conn, data):
    conn.sendall(data)


def kill_the_rest():
    """SIGKILL every other process of the namespace (this process is its
    init) and reap them all."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def serve(conn, state):
    """One request on conn; returns False when the zygote must end."""
    try:
        (rkey, _umask, _script, _argv, _env), body, fds = recv_request(conn)
    except BadRequest as e:
        text = str(e).encode()
        send(conn, b"E" + struct.pack("<I", len(text)) + text)
        return False
    try:
        if state.get("key") is None:
            state["key"] = rkey
        if rkey != state["key"]:
            send(conn, b"K")
            return False
        spare = take_spare(state)
        if not spare.hand_off(body, fds):
            if os.WIFSIGNALED(spare.status) and os.WTERMSIG(spare.status) in CRASH_SIGNALS:
                # It crashed before any request reached it: as a crash of
                # a request, this zygote is not used again.
                send(conn, b"K")
                return False
            spare = Spare()           # it was killed: a new one, once
            if not spare.hand_off(body, fds):
                raise OSError(errno.ECHILD, "the request process ended before its request")
    finally:
        for fd in fds:
            os.close(fd)
    spare.sock.close()
    pid, pidfd = spare.pid, spare.pidfd
    send(conn, b"P" + struct.pack("<I", pid))
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(conn.fileno(), select.POLLIN | select.POLLHUP)
        while True:
            events = dict(poller.poll())
            if pidfd in events:
                break
            if conn.fileno() in events:
                # Only the hang-up is meaningful: root sent everything.
                kill_the_rest()
                return False
    finally:
        os.close(pidfd)
    _, status, ru = os.wait4(pid, 0)
    kill_the_rest()
    crashed = os.WIFSIGNALED(status) and os.WTERMSIG(status) in CRASH_SIGNALS
    if crashed or state["last"]:
        # Stop listening before the answer: the slot's next request must
        # not reach a zygote that is about to end.
        state["listener"].close()
    send(conn, b"S" + struct.pack("<iQQQ", status,
                                  int(ru.ru_utime * 1e6), int(ru.ru_stime * 1e6),
                                  ru.ru_maxrss))
    return not crashed


def take_spare(state):
    """The spare forked ahead, or one forked now."""
    spare = state["spare"]
    state["spare"] = None
    return spare if spare is not None else Spare()


def hung_up(conn, timeout):
    """Wait until the supervisor closes the connection (after it checked
    that the slot's cgroup holds this process and nothing else): True; or
    False when it did not within timeout seconds, or sent something."""
    ready, _, _ = select.select([conn], [], [], timeout)
    return bool(ready) and conn.recv(1) == b""


def cpu_exhausted():
    soft, _ = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY:
        return False
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime >= soft / 2


def main(args):
    if len(args) < 3:
        print("usage: cgijail-zygote.py MAX_REQUESTS MAX_AGE_S IDLE_S [MODULE ...]",
              file=sys.stderr)
        return 2
    if os.getpid() != 1:
        # kill(-1) after each request is safe only from a namespace's init.
        print("cgijail-zygote.py: must be the init of a pid namespace", file=sys.stderr)
        return 2
    max_requests, max_age, idle = int(args[0]), float(args[1]), float(args[2])
    for name in args[3:]:
        __import__(name)
    # What every request process must start with, set once here and
    # inherited through fork(): nothing below changes it. The dispositions
    # and mask of a fresh interpreter (whatever a preloaded module set).
    reset_signals()
    # Except SIGINT, which the zygote ignores: as its namespace's init it
    # gets from a request only the signals it handles, and Python's SIGINT
    # handler would let a request end it. Each request process puts
    # Python's handler back.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The preloaded objects move to the collector's permanent generation:
    # a collection in a request process does not walk (and so copy) the
    # pages they live on.
    gc.freeze()
    listener = socket.socket(fileno=LISTEN_FD)
    if listener.family != socket.AF_UNIX or listener.type != socket.SOCK_STREAM:
        return 2
    # cgijail bound it and listens already; listening again records this
    # process's credentials on it, which supervisors check (SO_PEERCRED).
    listener.listen(4)
    started = time.monotonic()
    served = 0
    state = {"key": None, "listener": listener, "last": False, "spare": Spare()}
    while served < max_requests and time.monotonic() - started < max_age:
        left = max_age - (time.monotonic() - started)
        ready, _, _ = select.select([listener], [], [], min(idle, left))
        if not ready:
            break
        try:
            conn, _ = listener.accept()
        except InterruptedError:
            continue
        with conn:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
            _pid, uid, _gid = struct.unpack("3i", creds)
            if uid != 0:
                return 1
            served += 1
            state["last"] = served >= max_requests or cpu_exhausted() or \
                time.monotonic() - started >= max_age
            try:
                if not serve(conn, state) or state["last"] or not hung_up(conn, idle):
                    break
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET):
                    kill_the_rest()
                    break
                raise
        # The next request's process, forked now that the slot is idle.
        state["spare"] = Spare()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
