"""stdin, stdout and stderr through the supervisor's relay (SECURITY.md): a
pipe or socket of the web server never reaches the script, which gets pipes
of the supervisor's instead; a regular file or /dev/null is given as is.
The relay is byte-exact both ways, streams (a body larger than every pipe
goes through while the script echoes it), keeps the order of a shared
stdout/stderr, does not hang when the script does not read its stdin, and
a client that stops reading still ends the request."""
import json
import os
import socket
import subprocess
import threading
import time

import pytest

import cjlib
from cjlib import SETPRIV, WRAPPER, assert_accepted, make_probe, primary_gid, uid_of, write_file

# Generous bounds for a shared machine (and the qemu guest): the relay's
# own latency is microseconds.
END_S = 30.0
BODY = 6 << 20          # several MiB: far more than any pipe or socket buffer

ECHO = r'''import sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
out.write(b"Content-Type: application/octet-stream\n\n")
while True:
    b = inp.read1(65536)
    if not b:
        break
    out.write(b)
out.write(bytes(range(256)))
out.flush()
'''


def start(d, script, stdin, stdout, stderr, env=None):
    """The wrapper as the web server (cjtweb) starts it, with the given
    descriptors (or subprocess.PIPE) as its stdin, stdout and stderr."""
    cmd = [SETPRIV, f"--reuid={uid_of('cjtweb')}", f"--regid={primary_gid('cjtweb')}",
           "--clear-groups", "--", WRAPPER, "cjtalice", "cjtalice", script]
    return subprocess.Popen(cmd, cwd=d, env=env or cjlib.cgi_env(), stdin=stdin,
                            stdout=stdout, stderr=stderr)


def read_all(fd_or_sock, into):
    """Thread body: read until EOF into the list `into`."""
    while True:
        if isinstance(fd_or_sock, socket.socket):
            b = fd_or_sock.recv(1 << 16)
        else:
            b = os.read(fd_or_sock, 1 << 16)
        if not b:
            return
        into.append(b)


def thread(fn, *args):
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()
    return t


def new_records(before):
    with open(cjlib.LOG, "rb") as f:
        f.seek(before)
        raw = f.read()
    return [json.loads(line) for line in raw.split(b"\n") if line.strip()]


def finish(p, timeout=END_S):
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError(f"cgijail did not end within {timeout}s") from None


def fd_link(st):
    """What the probe's _link() prints for a file with this stat."""
    import stat as st_
    if st_.S_ISFIFO(st.st_mode):
        return "pipe:[%d]" % st.st_ino
    if st_.S_ISSOCK(st.st_mode):
        return "socket:[%d]" % st.st_ino
    return "dev %d:%d ino %d mode %o" % (os.major(st.st_dev), os.minor(st.st_dev),
                                         st.st_ino, st.st_mode)


# ---- what the script holds --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pipes", "socketpair", "2>&1", "file-and-devnull"])
def test_script_never_holds_the_callers_pipes_or_sockets(adir, kind):
    """The probe reports the inode of its fds 0-2: relay pipes, never the
    caller's pipe or socket; a regular file and /dev/null are the caller's
    own; stdout and stderr on one pipe stay on one (relay) pipe."""
    path, m = make_probe(adir)
    close_after, caller_side = [], {}
    if kind == "pipes":
        r0, w0 = os.pipe()
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        os.close(w0)                                   # the body: empty
        fds, out_fd, err_fd = (r0, w1, w2), r1, r2
        close_after = [r0, w1, w2]
    elif kind == "socketpair":
        a, b = socket.socketpair()
        a.shutdown(socket.SHUT_WR)
        r2, w2 = os.pipe()
        fds, out_fd, err_fd = (b.fileno(), b.fileno(), w2), a, r2
        close_after = [w2]
        caller_side["sock"] = (a, b)
    elif kind == "2>&1":
        r1, w1 = os.pipe()
        nul = os.open(os.devnull, os.O_RDONLY)
        fds, out_fd, err_fd = (nul, w1, w1), r1, None
        close_after = [nul, w1]
    else:
        body = os.path.join(cjlib.MARKERS, f"body-{os.getpid()}-{time.monotonic_ns()}")
        with open(body, "wb") as f:
            f.write(b"spooled body")
        fin = os.open(body, os.O_RDONLY)
        os.unlink(body)
        r1, w1 = os.pipe()
        nul = os.open(os.devnull, os.O_WRONLY)
        fds, out_fd, err_fd = (fin, w1, nul), r1, None
        close_after = [fin, w1, nul]
    caller = [fd_link(os.fstat(fd)) for fd in fds]
    p = start(adir, "probe.py", *fds)
    for fd in close_after:
        os.close(fd)
    if "sock" in caller_side:
        caller_side["sock"][1].close()
    out, err = [], []
    ts = [thread(read_all, out_fd, out)]
    if err_fd is not None:
        ts.append(thread(read_all, err_fd, err))
    rc = finish(p)
    for t in ts:
        t.join(END_S)
    stdout = b"".join(out)
    assert rc == 0, (rc, stdout, b"".join(err))
    assert m.ran
    info = cjlib.Result([], rc, stdout, b"", b"").info()
    links = info["fdlinks"]
    if kind == "file-and-devnull":
        assert links[0] == caller[0], "a regular file is given as it is"
        assert info["stdin"] == "spooled body"
        assert links[2] == "/dev/null"
        assert links[1].startswith("pipe:[") and links[1] != caller[1]
    else:
        for i in range(3):
            if kind == "2>&1" and i == 0:
                assert links[0] == "/dev/null"
                continue
            assert links[i].startswith("pipe:["), (i, links)
            assert links[i] != caller[i], f"fd {i} is the caller's own {caller[i]}"
        if kind == "2>&1":
            assert links[1] == links[2], "stdout and stderr share one relay pipe"
        else:
            assert len({links[0], links[1], links[2]}) == 3, links
    assert info["fdmodes"][0] in ("r", "rw") and info["fdmodes"][1] in ("w", "rw")
    for fd in (out_fd, err_fd):
        if isinstance(fd, socket.socket):
            fd.close()
        elif fd is not None:
            os.close(fd)


# ---- byte-exact, streaming, both ways ----------------------------------------------------

@pytest.mark.parametrize("kind", ["pipes", "socketpair"])
def test_large_binary_post_body_echoed_byte_exact(adir, kind):
    """A several-MiB binary body (every byte value, CR/LF, NUL) echoed back
    while it is still being sent: through pipes (mod_cgi, fcgiwrap) and
    through one socket as stdin and stdout (mod_cgid)."""
    write_file(f"{adir}/echo.py", ECHO)
    body = os.urandom(BODY) + bytes(range(256)) + b"\x00\r\n\n\r\n\xff"
    env = cjlib.cgi_env(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body)),
                        CONTENT_TYPE="application/octet-stream")
    out, err = [], []
    r2, w2 = os.pipe()
    if kind == "pipes":
        r0, w0 = os.pipe()
        r1, w1 = os.pipe()
        p = start(adir, "echo.py", r0, w1, w2, env)
        for fd in (r0, w1, w2):
            os.close(fd)

        def send():
            with open(w0, "wb", buffering=0) as f:
                f.write(body)
        reader = thread(read_all, r1, out)
    else:
        a, b = socket.socketpair()
        p = start(adir, "echo.py", b.fileno(), b.fileno(), w2, env)
        b.close()
        os.close(w2)

        def send():
            a.sendall(body)
            a.shutdown(socket.SHUT_WR)
        reader = thread(read_all, a, out)
    t0 = time.monotonic()
    writer = thread(send)
    errt = thread(read_all, r2, err)
    rc = finish(p)
    for t in (writer, reader, errt):
        t.join(END_S)
        assert not t.is_alive()
    elapsed = time.monotonic() - t0
    got = b"".join(out)
    head = b"Content-Type: application/octet-stream\n\n"
    assert rc == 0, (rc, b"".join(err))
    assert b"".join(err) == b""
    assert len(got) == len(head) + len(body) + 256, (len(got), elapsed)
    assert got == head + body + bytes(range(256)), "the relay changed bytes"
    os.close(r2)
    if kind == "pipes":
        os.close(r1)
    else:
        a.close()


def test_shared_stdout_and_stderr_keep_their_order(adir):
    """2>&1: what the script writes to stdout and stderr arrives in the
    order it was written (one relay pipe for both)."""
    write_file(f"{adir}/mix.py", "import os\n"
               "os.write(1, b'Content-Type: text/plain\\n\\n')\n"
               "for i in range(200):\n"
               "    os.write(1 if i % 2 == 0 else 2, b'%d\\n' % i)\n")
    r1, w1 = os.pipe()
    p = start(adir, "mix.py", subprocess.DEVNULL, w1, w1)
    os.close(w1)
    out = []
    t = thread(read_all, r1, out)
    rc = finish(p)
    t.join(END_S)
    os.close(r1)
    assert rc == 0
    assert b"".join(out) == b"Content-Type: text/plain\n\n" + b"".join(b"%d\n" % i for i in range(200))


# ---- a script that does not read its stdin ------------------------------------------------

@pytest.mark.parametrize("how", ["exits", "closes-stdin"])
def test_unread_stdin_does_not_hang(adir, how):
    """The caller is still writing a body larger than every buffer: when the
    script exits without reading it, the request ends and the caller's
    write fails (EPIPE) instead of hanging.  When the script closes its
    stdin and goes on, the caller's write fails at once, as it would on a
    pipe the script held itself, while the script is still running."""
    if how == "exits":
        src = "print('Content-Type: text/plain\\n\\nbye')\n"
    else:
        src = ("import os, sys, time\nos.close(0)\ntime.sleep(3)\n"
               "print('Content-Type: text/plain\\n\\nbye')\n")
    write_file(f"{adir}/noread.py", src)
    r0, w0 = os.pipe()
    r1, w1 = os.pipe()
    env = cjlib.cgi_env(REQUEST_METHOD="POST", CONTENT_LENGTH=str(64 << 20))
    before = cjlib.log_size()
    t0 = time.monotonic()
    p = start(adir, "noread.py", r0, w1, subprocess.DEVNULL, env)
    os.close(r0)
    os.close(w1)
    result = {}

    def send():
        chunk = b"x" * (1 << 16)
        sent = 0
        try:
            while sent < (64 << 20):
                sent += os.write(w0, chunk)
            result["outcome"] = "all sent"
        except BrokenPipeError:
            result["outcome"] = "EPIPE"
        result["t"] = time.monotonic() - t0
        result["sent"] = sent
    writer = thread(send)
    out = []
    reader = thread(read_all, r1, out)
    rc = finish(p)
    t_end = time.monotonic() - t0
    writer.join(END_S)
    reader.join(END_S)
    os.close(w0)
    os.close(r1)
    assert not writer.is_alive(), "the caller's write hangs"
    assert result["outcome"] == "EPIPE", result
    assert rc == 0 and b"".join(out) == b"Content-Type: text/plain\n\nbye\n"
    (rec,) = new_records(before)
    assert rec["outcome"] == "accepted" and rec["limit"] is None, rec
    if how == "closes-stdin":
        assert result["t"] < t_end - 1.0, \
            f"the caller's write failed only at the end ({result['t']:.2f}s of {t_end:.2f}s)"


# ---- the client goes away ------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pipe", "socket"])
def test_client_abort_mid_output_ends_the_request(adir, policy, kind):
    """The script writes without end; the caller reads some of it, then
    closes its end of stdout: the request is killed and its record says
    client-abort, as without the relay."""
    policy.set(sections={"limits": {"wall": "60s"}})
    write_file(f"{adir}/flood.py", "import os, signal\n"
               "signal.signal(signal.SIGPIPE, signal.SIG_IGN)\n"
               "os.write(1, b'Content-Type: application/octet-stream\\n\\n')\n"
               "chunk = bytes(range(256)) * 256\n"
               "while True:\n"
               "    try:\n"
               "        os.write(1, chunk)\n"
               "    except BrokenPipeError:\n"
               "        pass\n")
    before = cjlib.log_size()
    if kind == "pipe":
        r1, w1 = os.pipe()
        p = start(adir, "flood.py", subprocess.DEVNULL, w1, subprocess.DEVNULL)
        os.close(w1)

        def recv(n):
            return os.read(r1, n)
    else:
        a, b = socket.socketpair()
        p = start(adir, "flood.py", subprocess.DEVNULL, b.fileno(), subprocess.DEVNULL)
        b.close()
        recv = a.recv
    got = 0
    while got < (1 << 20):
        b_ = recv(1 << 16)
        assert b_, "stdout ended early"
        got += len(b_)
    t0 = time.monotonic()
    if kind == "pipe":
        os.close(r1)
    else:
        a.close()
    rc = finish(p)
    assert time.monotonic() - t0 < END_S
    (rec,) = new_records(before)
    assert rec["outcome"] == "accepted" and rec["limit"] == "client-abort", rec
    assert rec["signal"] is not None and rc == 128 + rec["signal"], (rec, rc)


def test_stdin_eof_reaches_the_script(adir):
    """The web server closes stdin after the body: the script reads the
    body, then EOF (a pipe's end, relayed), while stdout stays open."""
    write_file(f"{adir}/cat.py", "import sys\nd = sys.stdin.buffer.read()\n"
               "sys.stdout.buffer.write(b'Content-Type: text/plain\\n\\n' + d[::-1])\n")
    r0, w0 = os.pipe()
    r1, w1 = os.pipe()
    p = start(adir, "cat.py", r0, w1, subprocess.DEVNULL)
    os.close(r0)
    os.close(w1)
    os.write(w0, b"abc\x00def")
    time.sleep(0.2)
    os.close(w0)
    out = []
    t = thread(read_all, r1, out)
    rc = finish(p)
    t.join(END_S)
    os.close(r1)
    assert rc == 0 and b"".join(out) == b"Content-Type: text/plain\n\nfed\x00cba"


def test_accepted_request_unchanged(adir):
    """The ordinary path through run_wrapper (stdin, stdout, stderr pipes):
    accepted, nothing on stderr, one record."""
    path, m = make_probe(adir)
    res = cjlib.run_wrapper(["cjtalice", "cjtalice", "probe.py"], cwd=adir, input=b"hello")
    assert_accepted(res, m)
    assert res.info()["stdin"] == "hello"
