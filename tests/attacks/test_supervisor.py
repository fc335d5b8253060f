"""The supervisor: a sleeper past `wall`, double-forked daemons, the tenant's
concurrency limit, a client that hangs up, the web server killing cgijail.
Each request must end entirely - every process of the tenant, the request
cgroup - and say why in its one log record."""
import os
import signal
import time
import uuid

import pytest

import attacklib
import cjlib
from attacklib import (CONCURRENCY, END_BOUND_S, EXIT_BUSY, LONG_WALL, START_S, WALL_GRACE_S,
                       WALL_S, popen_contained, run_contained, run_unconfined, wait_for)
from cjlib import MARKERS

TENANT_UID = cjlib.uid_of(attacklib.TENANT)


def marker_path(tag):
    return os.path.join(MARKERS, f"{tag}-{uuid.uuid4().hex[:10]}")


def gone_soon(cond, bound=1.0):
    """Wait up to bound seconds (a bound, not a measurement) for cond()."""
    deadline = time.monotonic() + bound
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.01)


def assert_clean(what):
    assert cjlib.leftovers() == [], what


def finish(proc, timeout):
    """Wait for a Popen'd request; returns (rc, stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except Exception:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the request did not end within {timeout}s: "
                             f"stdout={out[:300]!r} stderr={err[:1000]!r}") from None
    return proc.returncode, out, err


# ---- wall -----------------------------------------------------------------------------------

def test_sleeper_unconfined(tdir):
    run = run_unconfined(tdir, "sleeper.py", {"secs": WALL_S + 1})
    assert run.rc == 0 and run.stdout.endswith(b"done\n"), run.describe()
    assert run.seconds >= WALL_S + 1


def test_sleeper_past_wall(tdir):
    run = run_contained(tdir, "sleeper.py", {"secs": 60})
    assert not run.stdout.endswith(b"done\n"), run.describe()
    rec = run.record
    assert rec["outcome"] == "accepted" and rec["limit"] == "wall", run.describe()
    assert rec["signal"] is not None and run.rc == 128 + rec["signal"], run.describe()
    assert rec["wall_ms"] >= WALL_S * 1000, run.describe()
    assert run.seconds < WALL_S + WALL_GRACE_S, run.describe()
    assert_clean(run.describe())


# ---- double-forked daemons -----------------------------------------------------------------

def test_double_fork_unconfined(tdir):
    run = run_unconfined(tdir, "doublefork.py", {"secs": 30})
    daemon = run.report["daemon"]
    try:
        assert attacklib.pid_alive(daemon) and attacklib.pid_uid(daemon) == TENANT_UID, \
            f"the daemon must outlive the script unconfined: {run.describe()}"
    finally:
        attacklib.kill_pid(daemon, TENANT_UID)


def test_double_fork_contained(tdir):
    run = run_contained(tdir, "doublefork.py", {"secs": 60})
    assert run.rc == 0, run.describe()
    # The daemon's pid is the request's pid namespace's: no process of the
    # tenant may be left at all.
    left = attacklib.tenant_pids(TENANT_UID)
    assert not left, f"the daemon survived ({left}): {run.describe()}"
    assert run.record["outcome"] == "accepted", run.describe()
    assert run.seconds < WALL_S + WALL_GRACE_S, run.describe()
    assert_clean(run.describe())


def test_double_fork_holding_stdout_unconfined(tdir):
    """The daemon keeps stdout open: the web server waits for it."""
    run = run_unconfined(tdir, "doublefork.py", {"secs": 2, "hold_stdout": 1})
    daemon = run.report["daemon"]
    # EOF came from the daemon's exit: give it the moment to finish that.
    deadline = time.monotonic() + 5
    while attacklib.pid_alive(daemon) and time.monotonic() < deadline:
        time.sleep(0.02)
    attacklib.kill_pid(daemon, TENANT_UID)
    assert run.seconds >= 2, run.describe()


def test_double_fork_holding_stdout_contained(tdir):
    run = run_contained(tdir, "doublefork.py", {"secs": 60, "hold_stdout": 1})
    left = attacklib.tenant_pids(TENANT_UID)
    assert not left, f"the daemon survived ({left}): {run.describe()}"
    assert run.record["outcome"] == "accepted", run.describe()
    assert run.seconds < WALL_S + WALL_GRACE_S, run.describe()
    assert_clean(run.describe())


# ---- concurrency ----------------------------------------------------------------------------

def test_over_concurrency_gets_503(tdir, attack_policy):
    """`concurrency` requests held open by sleepers (until the test releases
    them): the next one is answered 503 + Retry-After at once, without
    waiting for a slot, and its script never runs."""
    attack_policy(limits={"wall": LONG_WALL})
    release = marker_path("release")
    holders, started = [], []
    try:
        for _ in range(CONCURRENCY):
            s = marker_path("started")
            started.append(s)
            holders.append(popen_contained(tdir, "sleeper.py",
                                           {"secs": 25 * attacklib.TIME_SCALE, "started": s,
                                            "release": release}))
        for s, p in zip(started, holders):
            wait_for(s, START_S, p)
        ran = marker_path("ran")
        before = cjlib.log_size()
        over = run_contained(tdir, "sleeper.py", {"secs": 25 * attacklib.TIME_SCALE,
                                                  "started": ran}, timeout=START_S)
        assert all(p.poll() is None for p in holders), \
            "the holders must still be running: the 503 did not wait for a slot"
        assert over.rc == EXIT_BUSY, over.describe()
        head = over.stdout.split(b"\n\n", 1)[0].split(b"\n")
        assert b"Status: 503 Service Unavailable" in head, over.describe()
        retry = [h for h in head if h.startswith(b"Retry-After: ")]
        assert len(retry) == 1 and retry[0].split(b": ", 1)[1].isdigit(), over.describe()
        assert not os.path.exists(ran), f"the script of a busy request ran: {over.describe()}"
        recs = attacklib.new_log_records(before)
        assert [r["outcome"] for r in recs] == ["busy"], recs
        # Concurrency is per tenant: another tenant is not affected.
        bd = attacklib.install_scripts(attacklib.OTHER)
        bob = run_contained(bd, "keyctl.py", user=attacklib.OTHER)
        assert bob.rc == 0 and bob.record["outcome"] == "accepted", bob.describe()
    finally:
        if not os.path.exists(release):
            cjlib.write_file(release, "go", owner="root", mode=0o644)
        results = [finish(p, END_BOUND_S) for p in holders]
    for rc, out, err in results:
        assert rc == 0 and out.endswith(b"done\n"), (rc, out, err)
    # A slot is free again.
    ok = run_contained(tdir, "keyctl.py")
    assert ok.rc == 0, ok.describe()
    assert_clean("after the concurrency test")


def start_sleeper_with_daemon(tdir, **params):
    """A request of sleeper.py that has double-forked a daemon and written
    its CGI header: (the Popen of cgijail, the daemon's host pid; the script
    reports the pid its own pid namespace gives it)."""
    started = marker_path("started")
    p = popen_contained(tdir, "sleeper.py", {"secs": 60, "started": started, "fork": 1,
                                             **params})
    wait_for(started, START_S, p)
    with open(started) as f:
        helper = attacklib.host_pid(int(f.read()), TENANT_UID)
    assert helper is not None, "the script's daemon runs (in the request's pid namespace)"
    return p, helper


# ---- the client hangs up --------------------------------------------------------------------

@pytest.mark.parametrize("write", [0, 1], ids=["sleeping", "writing"])
def test_client_hangs_up(tdir, attack_policy, write):
    """The web server closes its end of stdout (client gone): the supervisor
    sees POLLERR on its copy and ends the request (limit "client-abort"),
    also when the script ignores EPIPE and carries on."""
    attack_policy(limits={"wall": LONG_WALL})
    before = cjlib.log_size()
    p, helper = start_sleeper_with_daemon(tdir, write=write)
    t0 = time.monotonic()
    p.stdout.close()
    try:
        p.wait(END_BOUND_S)
    except Exception:
        p.kill()
        p.wait()
        raise AssertionError("the request went on after the client hung up")
    elapsed = time.monotonic() - t0
    err = p.stderr.read()
    p.stderr.close()
    assert not attacklib.pid_alive(helper), "the script's daemon survived"
    recs = attacklib.new_log_records(before)
    assert len(recs) == 1, recs
    rec = recs[0]
    assert rec["outcome"] == "accepted" and rec["limit"] == "client-abort", (rec, err)
    assert rec["signal"] is not None and p.returncode == 128 + rec["signal"], (rec, p.returncode)
    assert elapsed < END_BOUND_S
    assert_clean(rec)


# ---- the web server kills cgijail -----------------------------------------------------------

@pytest.mark.parametrize("sender", ["cjtweb", "root"])
def test_web_server_sigterms_cgijail(tdir, attack_policy, sender):
    """SIGTERM to the cgijail process the web server started (as the web
    server's user, as Apache's mod_cgi does on a timeout, and as root, as a
    service manager stopping the server does): no script process survives,
    not even a double-forked one, and the request cgroup is gone."""
    attack_policy(limits={"wall": LONG_WALL})
    p, helper = start_sleeper_with_daemon(tdir)
    before = cjlib.log_size()
    failed = attacklib.signal_as(sender, p.pid, signal.SIGTERM)
    assert failed is None, f"{sender} cannot signal cgijail ({failed})"
    rc, out, err = finish(p, END_BOUND_S)
    assert not attacklib.pid_alive(helper), "the script's daemon survived cgijail"
    assert rc != 0, (rc, out, err)
    recs = attacklib.new_log_records(before)
    assert len(recs) == 1 and recs[0]["outcome"] == "accepted", (recs, rc, err)
    # SECURITY.md: the web server terminating cgijail counts as the client
    # going away.
    assert recs[0]["limit"] == "client-abort", recs
    assert recs[0]["signal"] is not None and rc == 128 + recs[0]["signal"], (recs, rc)
    assert_clean((rc, out, err))


def sigkill_cgijail(p):
    """SIGKILL the cgijail process p (as root, as a service manager would)
    and give the tenant's processes END_BOUND_S to be gone."""
    assert attacklib.signal_as("root", p.pid, signal.SIGKILL) is None
    assert p.wait(END_BOUND_S) == -signal.SIGKILL
    p.stdout.close()
    p.stderr.close()
    deadline = time.monotonic() + END_BOUND_S
    while attacklib.tenant_pids(TENANT_UID) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_web_server_sigkills_cgijail(tdir, attack_policy):
    """SIGKILL cannot be handled, yet nothing of the request outlives
    cgijail: the script, init of the request's pid namespace, dies at once
    of its parent-death signal (which the seccomp filter keeps it from
    clearing), and the kernel kills the rest of the namespace with it, the
    double-forked daemon included.  The next request on the same slot finds
    its leaf empty."""
    attack_policy(limits={"wall": LONG_WALL}, tenant={"concurrency": "1"})
    p, helper = start_sleeper_with_daemon(tdir)
    script = [x for x in attacklib.tenant_pids(TENANT_UID) if x != helper]
    assert script, "the script runs"
    sigkill_cgijail(p)
    # Cold: gone with the supervisor; warm: the zygote sees its connection
    # hang up and kills the rest of the request at once.
    gone_soon(lambda: not any(attacklib.pid_alive(x) for x in script + [helper]))
    assert not any(attacklib.pid_alive(x) for x in script), "the script survived cgijail"
    assert not attacklib.pid_alive(helper), "the daemon survived cgijail"
    assert not attacklib.tenant_pids(TENANT_UID), "a process of the request survived cgijail"
    nxt = run_contained(tdir, "keyctl.py")
    assert nxt.rc == 0 and nxt.record["outcome"] == "accepted", nxt.describe()
    assert "reclaimed" not in nxt.record["sandbox"], nxt.describe()
    assert_clean(nxt.describe())


def test_script_cannot_clear_its_parent_death_signal(tdir, attack_policy):
    """The attack on the guarantee above: the script clears (or changes)
    its parent-death signal, then cgijail is SIGKILLed.  Unconfined the
    script survives its parent; contained the prctl fails with EPERM and
    the script dies with cgijail."""
    run = run_unconfined(tdir, "pdeathsig.py")
    assert run.report["cleared"] is True, run.describe()
    attack_policy(limits={"wall": LONG_WALL})
    started = marker_path("started")
    p = popen_contained(tdir, "pdeathsig.py", {"started": started, "secs": 60})
    wait_for(started, START_S, p)
    with open(started) as f:
        assert f.read().strip() == "EPERM", "prctl(PR_SET_PDEATHSIG, 0) must fail with EPERM"
    assert attacklib.tenant_pids(TENANT_UID), "the script runs"
    sigkill_cgijail(p)
    gone_soon(lambda: not attacklib.tenant_pids(TENANT_UID))
    assert not attacklib.tenant_pids(TENANT_UID), "the script outlived cgijail"


# ---- the supervisor itself -------------------------------------------------------------------

def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def test_supervisor_keeps_only_cap_kill(tdir, attack_policy):
    """While the script runs, the process that stays behind keeps uid 0 as
    its effective uid (the caller's as its real one, so the web server may
    signal it) but no capability other than CAP_KILL, an empty bounding and
    ambient set, no_new_privs; and the script's uid cannot read its
    memory."""
    attack_policy(limits={"wall": LONG_WALL})
    started = marker_path("sv-started")
    release = marker_path("sv-release")
    p = popen_contained(tdir, "sleeper.py", {"started": started, "release": release})
    try:
        wait_for(started, START_S, p)
        st = proc_status(p.pid)
        real, eff, saved, _fs = (int(x) for x in st["Uid"].split())
        assert real == cjlib.uid_of("cjtweb") and eff == 0 and saved == 0, st["Uid"]
        assert int(st["CapEff"], 16) == int(st["CapPrm"], 16) == 1 << 5, st   # CAP_KILL
        for name in ("CapInh", "CapBnd", "CapAmb"):
            assert int(st[name], 16) == 0, (name, st[name])
        assert st["NoNewPrivs"].strip() == "1", st
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                os.close(r)
                attacklib._drop_to(attacklib.TENANT)()
                try:
                    with open(f"/proc/{p.pid}/mem", "rb"):
                        code = 0
                except PermissionError:
                    code = 13
            finally:
                os.write(w, bytes([code]))
                os._exit(0)
        os.close(w)
        got = os.read(r, 1)
        os.close(r)
        os.waitpid(child, 0)
        assert got == bytes([13]), f"the tenant could open the supervisor's memory: {got!r}"
    finally:
        with open(release, "w"):
            pass
    rc, _out, err = finish(p, END_BOUND_S)
    assert rc == 0, err
    os.unlink(release)
    assert_clean(err)
