"""The response handed out: the script sends its stdout and stderr to a
process outside the request (SCM_RIGHTS over a unix socket; the process is
the same tenant's, started by the test outside cgijail) and exits.

Unconfined the web server's pipe stays open as long as that process keeps
it: the caller sees no end of the response, and whatever the process
writes into it reaches the caller - a web server worker tied up for as long
as the tenant likes.  Through cgijail the script only ever held the
supervisor's relay pipes: the caller sees EOF as soon as the request ends,
and what the outside process writes afterwards fails with EPIPE and never
reaches the caller."""
import json
import os
import select
import subprocess
import time

import attacklib
import cjlib
from attacklib import END_BOUND_S, LONG_WALL, START_S, TIME_SCALE, popen_contained, query
from cjlib import PYTHON, SAFE_PATH, SETPRIV, cgi_env, primary_gid, uid_of

TENANT_UID = uid_of(attacklib.TENANT)
# Unconfined: how long the caller waits to show it gets no EOF.  Contained:
# how soon after the script's exit the caller must see it.
HOLD_S = 2.0
EOF_S = 1.0 * TIME_SCALE

# The process outside the request: receives the descriptors, waits until
# the script's connection closes (its exit), reports, then writes into the
# descriptors each time the test says "write".
CATCHER = r'''
import errno, json, os, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
msg, fds, flags, addr = socket.recv_fds(conn, 16, 8)
while conn.recv(64):
    pass
print(json.dumps({"fds": len(fds)}), flush=True)
for line in sys.stdin:
    if line.strip() != "write":
        break
    res = []
    for fd in fds:
        try:
            os.write(fd, b"LEAK from outside the request\n")
            res.append("ok")
        except OSError as e:
            res.append(errno.errorcode.get(e.errno, str(e.errno)))
    print(json.dumps(res), flush=True)
'''


def read_for(fd, secs):
    """Read fd for up to secs: (bytes, whether it reached EOF)."""
    data = b""
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data, False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return data, False
        b = os.read(fd, 65536)
        if not b:
            return data, True
        data += b


class Catcher:
    def __init__(self, d):
        self.path = os.path.join(d, "catch.sock")
        self.p = subprocess.Popen([PYTHON, "-E", "-s", "-B", "-c", CATCHER, self.path],
                                  preexec_fn=attacklib._drop_to(attacklib.TENANT), cwd="/",
                                  env={"PATH": SAFE_PATH}, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf = b""
        assert self.line(START_S) == "listening"

    def line(self, secs):
        end = time.monotonic() + secs
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(left, 0))
            if not r:
                raise AssertionError(f"the outside process said nothing within {secs}s")
            b = os.read(self.p.stdout.fileno(), 4096)
            if not b:
                raise AssertionError(f"the outside process ended: {self.p.stderr.read()!r}")
            self.buf += b
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.decode()

    def write(self):
        """The outside process writes into every descriptor it holds."""
        self.p.stdin.write(b"write\n")
        self.p.stdin.flush()
        return json.loads(self.line(START_S))

    def stop(self):
        attacklib.kill_pid(self.p.pid, TENANT_UID)
        self.p.wait()
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            f.close()
        if os.path.lexists(self.path):
            os.unlink(self.path)


def test_response_handed_out_unconfined(tdir):
    """The same script, directly as the tenant, stdout and stderr pipes:
    the outside process holds the caller's pipe open after the script's
    exit and writes into it."""
    c = Catcher(tdir)
    try:
        env = cgi_env(QUERY_STRING=query(sock=c.path), SCRIPT_NAME="/passfd.py")
        env["PATH"] = SAFE_PATH
        p = subprocess.Popen([SETPRIV, f"--reuid={TENANT_UID}",
                              f"--regid={primary_gid(attacklib.TENANT)}", "--init-groups", "--",
                              PYTHON, "-E", "-s", "-B", os.path.join(tdir, "passfd.py")],
                             cwd=tdir, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert json.loads(c.line(START_S)) == {"fds": 2}
            assert p.wait(END_BOUND_S) == 0
            out, eof = read_for(p.stdout.fileno(), HOLD_S)
            assert b'"send_fds": {"ok": true' in out, out
            assert not eof, "no EOF expected while the outside process holds stdout"
            _, eof = read_for(p.stderr.fileno(), 0.1)
            assert not eof
            assert c.write() == ["ok", "ok"]
            more, _ = read_for(p.stdout.fileno(), HOLD_S)
            assert b"LEAK from outside the request" in more, more
        finally:
            p.stdout.close()
            p.stderr.close()
            if p.poll() is None:
                p.kill()
                p.wait()
    finally:
        c.stop()


def test_response_handed_out_contained(tdir, attack_policy):
    """Through cgijail the passing itself works (the sandbox allows unix
    sockets), but what is passed is the relay pipes: the caller sees EOF on
    stdout and stderr within a second of the script's exit, the request
    ends normally, and the outside process's writes fail with EPIPE."""
    attack_policy(limits={"wall": LONG_WALL})
    c = Catcher(tdir)
    try:
        before = cjlib.log_size()
        p = popen_contained(tdir, "passfd.py", {"sock": c.path})
        assert json.loads(c.line(START_S)) == {"fds": 2}
        out, eof = read_for(p.stdout.fileno(), EOF_S)
        assert eof, f"no EOF on stdout within {EOF_S}s of the script's exit: {out!r}"
        err, eof = read_for(p.stderr.fileno(), EOF_S)
        assert eof, f"no EOF on stderr: {err!r}"
        assert p.wait(END_BOUND_S) == 0
        assert b'"send_fds": {"ok": true' in out, (out, err)
        assert err == b""
        recs = attacklib.new_log_records(before)
        assert len(recs) == 1 and recs[0]["outcome"] == "accepted", recs
        assert recs[0]["limit"] is None, recs
        assert c.write() == ["EPIPE", "EPIPE"], "the passed descriptors still lead somewhere"
        assert b"LEAK" not in out
        p.stdout.close()
        p.stderr.close()
    finally:
        c.stop()
