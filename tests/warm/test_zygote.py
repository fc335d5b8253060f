"""The zygote's own rules (docs/warm-mode.md): only root may talk to it,
malformed frames and other keys end it without running anything, a crash
signal and max_requests recycle it, nothing of a request outlives the
request, the next request runs in the spare forked ahead, a supervisor that hangs up ends the request and the zygote, an
idle zygote ends, and it refuses to run outside a pid namespace of its own."""
import os
import signal
import struct
import time

import pytest

import zyglib

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "scripts")
ENV = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1"}


@pytest.fixture
def zygotes():
    made = []

    def make(**kw):
        z = zyglib.Zygote(**kw)
        made.append(z)
        return z
    yield make
    for z in made:
        z.stop()


def ended(z, timeout=10):
    try:
        z.wait(timeout)
        return True
    except Exception:
        return False


def wait_until(cond, timeout=10):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_request_runs(zygotes):
    z = zygotes()
    r = z.request(os.path.join(SCRIPTS, "exit_int.py"), env=ENV)
    assert r.exit == 3 and r.stdout == b"before\n", r
    assert [a[0] for a in r.answers] == ["P", "S"], r
    assert z.alive()


def test_only_root_may_talk_to_it(zygotes):
    """A peer of any other uid (here: the socket made reachable to all,
    and nobody connecting) ends the zygote before it reads a byte."""
    z = zygotes(reachable_by_all=True)
    z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV)   # started and serving
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.close(r)
            os.setresgid(zyglib.NOBODY, zyglib.NOBODY, zyglib.NOBODY)
            os.setgroups([])
            os.setresuid(zyglib.NOBODY, zyglib.NOBODY, zyglib.NOBODY)
            conn = z.connect(5)
            try:
                conn.sendall(zyglib.frame(z.key, 0o22, b"exit_none.py", [b"exit_none.py"], []))
                code = 0 if conn.recv(16) == b"" else 2
            except (ConnectionResetError, BrokenPipeError):   # closed, our frame unread
                code = 0
        finally:
            os.write(w, bytes([code]))
            os._exit(0)
    os.close(w)
    got = os.read(r, 1)
    os.close(r)
    os.waitpid(child, 0)
    assert got == b"\0", "the zygote answered a non-root peer"
    assert ended(z), z.stderr()
    assert z.proc.returncode == 1, (z.proc.returncode, z.stderr())


@pytest.mark.parametrize("data", [
    b"XXXX" + struct.pack("<I", 0),                       # bad magic
    b"CJW1" + struct.pack("<I", 5) + b"\x01\x00",          # truncated
    b"CJW1" + struct.pack("<I", 1 << 30),                 # oversized
])
def test_malformed_frames_run_nothing(zygotes, data):
    z = zygotes()
    conn = z.connect()
    fds = [os.open("/dev/null", os.O_RDWR) for _ in range(3)] + \
        [os.open(SCRIPTS, os.O_RDONLY | os.O_DIRECTORY)]
    import array
    import socket
    conn.sendmsg([data[:8]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    conn.sendall(data[8:])
    conn.shutdown(socket.SHUT_WR)
    for fd in fds:
        os.close(fd)
    answer = conn.recv(4096)
    conn.close()
    assert answer[:1] == b"E", answer
    assert ended(z), z.stderr()


def test_descriptors_are_required(zygotes):
    z = zygotes()
    conn = z.connect()
    conn.sendall(zyglib.frame(z.key, 0o22, b"exit_none.py", [b"exit_none.py"], []))
    answer = conn.recv(4096)
    conn.close()
    assert answer[:1] == b"E" and b"descriptors" in answer, answer
    assert ended(z)


def test_another_key_ends_the_zygote_unused(zygotes):
    """The first request's key is the zygote's; another one is refused."""
    z = zygotes()
    assert z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV).exit == 0
    r = z.request(os.path.join(SCRIPTS, "exit_int.py"), env=ENV, key=b"other-policy")
    assert r.answers == [("K",)] and r.stdout == b"", r
    assert ended(z)


def test_a_crash_signal_recycles(zygotes):
    z = zygotes()
    r = z.request(os.path.join(SCRIPTS, "crash.py"), env=ENV)
    assert os.WIFSIGNALED(r.status) and os.WTERMSIG(r.status) == signal.SIGSEGV, r
    assert ended(z), "the zygote must end after a request died of SIGSEGV"


def test_max_requests(zygotes):
    z = zygotes(max_requests=2)
    for _ in range(2):
        assert z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV).exit == 0
    assert ended(z)


def test_idle_timeout(zygotes):
    z = zygotes(idle=1)
    assert z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV).exit == 0
    assert ended(z, 10)


def stat_fields(pid):
    """Fields of /proc/PID/stat after the command: state, ppid, pgrp, session, ..."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def ns_pid(pid):
    """PID's pid in its own (innermost) pid namespace."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    raise AssertionError(f"no NSpid for {pid}")


def spare_of(z, timeout=10):
    """Host pid of the zygote's spare (the process it forks, after each
    request, for the next one): its only other process, its child, in its
    session."""
    init = z.init_pid()
    found = []

    def one():
        others = [p for p in z.namespace_pids() if p != init]
        found[:] = others
        return len(others) == 1
    assert wait_until(one, timeout), found
    st, zst = stat_fields(found[0]), stat_fields(init)
    assert int(st[1]) == init and st[3] == zst[3], (st, zst)
    return found[0]


def test_nothing_of_a_request_outlives_it(zygotes):
    """A daemon in a session of its own is gone when the answer comes: what
    is left in the zygote's namespace is the zygote, and then its spare
    (a child in its own session, forked after the supervisor hung up)."""
    z = zygotes()
    r = z.request(os.path.join(SCRIPTS, "leave_daemon.py"), env=ENV)
    assert r.exit == 0 and r.stdout == b"left a daemon\n", r
    init = z.init_pid()
    sid = stat_fields(init)[3]
    left = [p for p in z.namespace_pids() if p != init]
    assert len(left) <= 1 and all(stat_fields(p)[3] == sid for p in left), \
        [(p, stat_fields(p)) for p in left]
    spare_of(z)
    assert z.alive()


def test_the_next_request_runs_in_the_spare(zygotes):
    """The process forked after a request serves the next one."""
    z = zygotes()
    assert z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV).exit == 0
    spare = ns_pid(spare_of(z))
    r = z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV)
    assert r.exit == 0 and r.answers[0] == ("P", spare), (r, spare)


def spare_dead_of(zygotes, sig):
    """A zygote that served one request and whose spare then died of sig
    (a zombie now, the zygote has not noticed)."""
    z = zygotes()
    assert z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV).exit == 0
    spare = spare_of(z)
    os.kill(spare, sig)
    assert wait_until(lambda: stat_fields(spare)[0] == "Z")
    return z


def test_a_killed_spare_is_replaced(zygotes):
    """A spare killed between requests (SIGKILL: not a crash) changes
    nothing the next request sees: the zygote forks another for it."""
    z = spare_dead_of(zygotes, signal.SIGKILL)
    r = z.request(os.path.join(SCRIPTS, "env.py"), env=ENV)
    assert r.exit == 0 and b"GATEWAY_INTERFACE=CGI/1.1" in r.stdout, (r, z.stderr())
    assert z.alive()


def test_a_crashed_spare_ends_the_zygote(zygotes):
    """A spare that dies of a crash signal before its request: the zygote
    answers K (the supervisor starts a new one for the request) and ends."""
    z = spare_dead_of(zygotes, signal.SIGSEGV)
    r = z.request(os.path.join(SCRIPTS, "exit_none.py"), env=ENV)
    assert r.answers == [("K",)] and r.stdout == b"", r
    assert ended(z)


def test_a_request_cannot_interrupt_its_zygote(zygotes):
    """SIGINT from a request to pid 1 (the zygote) changes nothing: the
    same zygote serves the next request."""
    z = zygotes()
    r = z.request(os.path.join(SCRIPTS, "signal_zygote.py"), env=ENV)
    assert r.status is not None, (r, z.stderr())   # the zygote answered
    assert r.exit == 0 and r.stdout == b"sent\n", (r, z.stderr())
    pid = z.init_pid()
    assert pid is not None and z.alive(), z.stderr()
    r = z.request(os.path.join(SCRIPTS, "env.py"), env=ENV)
    assert r.exit == 0, (r, z.stderr())
    assert z.alive() and z.init_pid() == pid


def test_the_supervisor_hanging_up_ends_everything(zygotes):
    """The connection closes while the request runs (cgijail killed): the
    zygote kills every process of the request, and ends."""
    z = zygotes()
    r = z.request(os.path.join(SCRIPTS, "leave_daemon.py"), ["60"], env=ENV,
                  hang_up_after_start=True, timeout=10)
    assert r.answers and r.answers[0][0] == "P", r
    assert ended(z, 10), z.stderr()
    assert wait_until(lambda: z.namespace_pids() == [], 10), z.namespace_pids()


def test_refuses_to_run_outside_a_pid_namespace(zygotes):
    z = zygotes(pidns=False)
    assert ended(z, 20)
    assert z.proc.returncode == 2 and b"init of a pid namespace" in z.stderr(), z.stderr()
