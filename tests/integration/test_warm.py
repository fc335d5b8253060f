"""Warm mode through the setuid wrapper (docs/warm-mode.md): a request is
forked by the zygote of its slot, with the same checks, identity, sandbox
and accounting as a cold one; the zygote lives in the slot's cgroup as the
init of the slot's pid namespace, is replaced when what it was started
with changes or a request crashes, is emptied with the leaf when a request
ends abnormally, and nothing of a request outlives it."""
import json
import os
import subprocess
import time

import pytest

import cjlib
from cjlib import run_wrapper

ALICE = cjlib.uid_of("cjtalice")

REPORT = r'''#!/usr/bin/python3
import json, os, sys
print("Content-Type: application/json")
print()
print(json.dumps({"resuid": os.getresuid(), "resgid": os.getresgid(),
                  "groups": sorted(os.getgroups()), "cwd": os.getcwd(), "argv": sys.argv,
                  "pid": os.getpid(), "ppid": os.getppid(), "umask": os.umask(0o22),
                  "env": dict(os.environ), "stdin": sys.stdin.read(),
                  "name": __name__}))
'''

DAEMON = r'''#!/usr/bin/python3
import os, time
print("Content-Type: text/plain\n")
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(300)
    os._exit(0)
os.wait()
print("left a daemon")
'''

SLEEP = '#!/usr/bin/python3\nimport time\nprint("Content-Type: text/plain\\n", flush=True)\n' \
        'time.sleep(60)\n'
CRASH = '#!/usr/bin/python3\nimport os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n'


def warm_policy(limits=None, **warm):
    keys = {"enabled": "yes"}
    keys.update(warm)
    cjlib.write_policy(sections={"warm": keys, "tenant": {"concurrency": "1"},
                                 "limits": dict(limits or {})})


def script(d, name, text):
    cjlib.write_file(os.path.join(d, name), text, owner="cjtalice", mode=0o755)
    return name


def request(d, name, args=(), **kw):
    return run_wrapper(["cjtalice", "cjtalice", name, *args], cwd=d, **kw)


def report(res):
    head, _, body = res.stdout.partition(b"\n\n")
    return json.loads(body)


def warm_note(rec):
    """The warm-mode note of a record's sandbox field ("warm" or "warm,
    zygote started"; other notes may follow it), or None."""
    notes = [n for n in rec["sandbox"].split("; ") if n.startswith("warm")]
    assert len(notes) <= 1, rec
    return notes[0] if notes else None


def test_warm_request_as_the_cold_one(adir):
    """Same identity, groups, cwd, argv, umask, environment and stdin as a
    cold request; the zygote (pid 1 of the slot's namespace) is its parent."""
    name = script(adir, "report.py", REPORT)
    cjlib.write_policy()
    cold = request(adir, name, ["a", "b c"], input=b"body")
    warm_policy()
    warm = request(adir, name, ["a", "b c"], input=b"body")
    assert cold.rc == 0 and warm.rc == 0, (warm.log, warm.stderr)
    c, w = report(cold), report(warm)
    for k in ("resuid", "resgid", "groups", "cwd", "argv", "umask", "env", "stdin", "name"):
        assert c[k] == w[k], (k, c[k], w[k])
    assert w["ppid"] == 1 and w["pid"] != 1, w
    (rec,) = warm.log
    assert rec["outcome"] == "accepted" and rec["status"] == 0 and rec["uid"] == ALICE, rec
    # The first warm request starts the slot's zygote; with every tenant
    # warm (cjlib.WARM) the "cold" one before it already did.
    assert warm_note(rec) == ("warm" if cjlib.WARM else "warm, zygote started"), rec
    assert len(cjlib.zygote_pids()) == 1


def test_one_zygote_serves_the_slot(adir):
    name = script(adir, "report.py", REPORT)
    warm_policy()
    pids = set()
    notes = []
    for _ in range(3):
        res = request(adir, name)
        assert res.rc == 0, res
        pids.update(cjlib.zygote_pids())
        (rec,) = res.log
        notes.append(warm_note(rec))
    assert len(pids) == 1, pids
    # The record says which request paid for the zygote's start.
    assert notes == ["warm, zygote started", "warm", "warm"], notes


def test_nothing_of_a_request_outlives_it(adir):
    name = script(adir, "daemon.py", DAEMON)
    warm_policy()
    res = request(adir, name)
    assert res.rc == 0 and b"left a daemon" in res.stdout, res
    zyg = cjlib.zygote_pids()
    assert len(zyg) == 1
    # The zygote's spare (forked for the next request once the supervisor
    # has hung up) may be there too; nothing else.
    idle = zyg + cjlib.spare_pids()
    left = [p for p in cjlib.tenant_processes()
            if not p["state"].startswith(("Z", "X")) and p["pid"] not in idle]
    assert left == [], left
    leaves = [pids for _, pids in cjlib.request_leaves() if pids]
    assert leaves and all(zyg[0] in pids and set(pids) <= set(idle) for pids in leaves), \
        cjlib.request_leaves()


def test_more_than_the_zygote_and_its_spare_empties_the_slot(adir):
    """Between requests a warm slot's cgroup holds its zygote and its spare;
    a third process there (here one of the tenant's, put in by the test) is
    taken for a dead supervisor's leftover: the next request empties the
    leaf, the process with it, and starts a new zygote."""
    name = script(adir, "report.py", REPORT)
    warm_policy()
    assert request(adir, name).rc == 0
    first = cjlib.zygote_pids()
    deadline = time.monotonic() + 10
    while not cjlib.spare_pids() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(first) == 1 and len(cjlib.spare_pids()) == 1, cjlib.spare_pids()
    intruder = subprocess.Popen([cjlib.SETPRIV, f"--reuid={ALICE}", f"--regid={ALICE}",
                                 "--clear-groups", "sleep", "60"], cwd="/",
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        leaves = [path for path, pids in cjlib.request_leaves("cjtalice") if first[0] in pids]
        assert leaves, cjlib.request_leaves()
        for path in leaves:
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(intruder.pid))
        res = request(adir, name)
        assert res.rc == 0, res
        (rec,) = res.log
        assert warm_note(rec) == "warm, zygote started", rec
        assert intruder.wait(10) == -9
    finally:
        if intruder.poll() is None:
            intruder.kill()
            intruder.wait()
    assert cjlib.zygote_pids() not in ([], first)


# A stand-in for the zygote program that answers a request with its start
# and its end in one write ("P" and "S": a request process that ran and was
# reaped at once), then, as the real one, waits for the supervisor to hang up.
ONE_WRITE_ZYGOTE = r'''
import select, socket, struct
listener = socket.socket(fileno=3)
listener.listen(4)
conn, _ = listener.accept()
head, _anc, _flags, _ = conn.recvmsg(8, socket.CMSG_SPACE(4 * 4))
left = struct.unpack_from("<I", head, 4)[0]
while left > 0:
    left -= len(conn.recv(left))
conn.sendall(b"P" + struct.pack("<I", 2) + b"S" + struct.pack("<iQQQ", 0, 0, 0, 0))
select.select([conn], [], [], 60)
'''


def test_both_answers_in_one_read(adir):
    """The zygote's "P" and "S" of a short request may reach the supervisor
    in one read; the zygote keeps the connection open until the supervisor
    hangs up.  The supervisor must take the "S" it already has, not wait for
    more (which would end the request only at its wall-clock limit)."""
    name = script(adir, "report.py", REPORT)
    warm_policy(limits={"wall": "20s"})
    with open(cjlib.ZYGOTE, "rb") as f:
        real = f.read()
    try:
        with open(cjlib.ZYGOTE, "w") as f:
            f.write(ONE_WRITE_ZYGOTE)
        start = time.monotonic()
        res = request(adir, name, timeout=60)
        took = time.monotonic() - start
    finally:
        with open(cjlib.ZYGOTE, "wb") as f:
            f.write(real)
        cjlib.end_zygotes()
    (rec,) = res.log
    assert rec["outcome"] == "accepted" and rec["status"] == 0 and rec["limit"] is None, rec
    assert res.rc == 0 and took < 10, (took, res)


def test_a_policy_change_replaces_the_zygote(adir):
    name = script(adir, "report.py", REPORT)
    warm_policy()
    assert request(adir, name).rc == 0
    first = cjlib.zygote_pids()
    warm_policy(limits={"file_size": "8M"})
    assert request(adir, name).rc == 0
    second = cjlib.zygote_pids()
    assert len(first) == len(second) == 1 and first != second, (first, second)


def test_a_crash_recycles_the_zygote(adir):
    crash = script(adir, "crash.py", CRASH)
    name = script(adir, "report.py", REPORT)
    warm_policy()
    assert request(adir, name).rc == 0
    first = cjlib.zygote_pids()
    res = request(adir, crash)
    (rec,) = res.log
    assert rec["signal"] == 11 and res.rc == 128 + 11, (rec, res)
    deadline = time.monotonic() + 10
    while cjlib.zygote_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cjlib.zygote_pids() == [], "the zygote must end after a request died of SIGSEGV"
    assert request(adir, name).rc == 0
    assert cjlib.zygote_pids() not in ([], first)


def test_wall_time_empties_the_slot(adir):
    """An abnormal end takes the zygote too (the cold path's kill)."""
    name = script(adir, "sleep.py", SLEEP)
    warm_policy(limits={"wall": "2s"})
    res = request(adir, name, timeout=30)
    (rec,) = res.log
    assert rec["limit"] == "wall" and rec["signal"] == 9, rec
    assert cjlib.zygote_pids() == []
    assert [pids for _, pids in cjlib.request_leaves() if pids] == []


def test_a_cold_request_ends_an_idle_zygote(adir):
    name = script(adir, "report.py", REPORT)
    warm_policy()
    assert request(adir, name).rc == 0
    assert len(cjlib.zygote_pids()) == 1
    cjlib.write_policy(sections={"tenant": {"concurrency": "1"}, "warm": {"enabled": "no"}})
    res = request(adir, name)
    assert res.rc == 0, res
    assert report(res)["ppid"] == 0     # cold: the script is its namespace's init
    assert cjlib.zygote_pids() == []


def test_a_zygote_that_cannot_start_fails_the_request(adir):
    name = script(adir, "report.py", REPORT)
    warm_policy(preload="cjt_no_such_module")
    res = request(adir, name)
    assert res.rc != 0 and res.stdout.startswith(b"Status: 500"), res
    (rec,) = res.log
    assert rec["outcome"] == "error" and "zygote" in rec["reason"], rec
    assert cjlib.zygote_pids() == []
