"""Resource attacks: a fork bomb (cgroup tasks), a memory hog (cgroup
memory), a CPU spin (RLIMIT_CPU), a 100 MB file (RLIMIT_FSIZE).  The log
record says which limit was hit; afterwards nothing of the tenant is left."""
import os
import signal

import attacklib
import cjlib
from attacklib import FILE_SIZE, MEMORY, TASKS, run_contained, run_unconfined

TENANT_UID = cjlib.uid_of(attacklib.TENANT)


def assert_clean(run):
    assert cjlib.leftovers() == [], run.describe()


def killed_by(run, sig, limit):
    rec = run.record
    assert rec["outcome"] == "accepted", run.describe()
    assert rec["signal"] == sig and rec["status"] is None, run.describe()
    assert run.rc == 128 + sig, run.describe()
    assert rec["limit"] == limit, run.describe()
    return rec


# ---- fork bomb -------------------------------------------------------------------------------

def test_fork_bomb_unconfined(tdir):
    """Bounded at 4 x tasks processes (the machine is shared); they are
    killed by the script itself."""
    run = run_unconfined(tdir, "forkbomb.py", {"n": 4 * TASKS, "hold": 20, "cleanup": 1})
    rep = run.report
    assert rep["forked"] == 4 * TASKS and rep["errno"] is None, run.describe()


def test_fork_bomb_contained(tdir):
    run = run_contained(tdir, "forkbomb.py", {"n": 200, "hold": 60})
    rep = run.report
    assert rep is not None and run.rc == 1, run.describe()
    assert rep["errno"] == "EAGAIN", run.describe()
    assert rep["forked"] < TASKS, run.describe()
    rec = run.record
    assert rec["outcome"] == "accepted" and rec["limit"] == "tasks", run.describe()
    assert run.seconds < attacklib.WALL_S + attacklib.WALL_GRACE_S, run.describe()
    # The pids are the request's pid namespace's: none of them, nor any other
    # process of the tenant, may be left.
    left = attacklib.tenant_pids(TENANT_UID)
    assert not left, f"forked children survived ({left}): {run.describe()}"
    assert_clean(run)


# ---- memory ---------------------------------------------------------------------------------

def test_memory_hog_unconfined(tdir):
    run = run_unconfined(tdir, "memhog.py", {"mb": 4 * (MEMORY >> 20)})
    assert run.report["allocated_mb"] == 4 * (MEMORY >> 20), run.describe()


def test_memory_hog_contained(tdir):
    run = run_contained(tdir, "memhog.py", {"mb": 4 * (MEMORY >> 20)})
    assert run.report is None, f"the hog must not finish: {run.describe()}"
    rec = killed_by(run, signal.SIGKILL, "memory")
    peak = rec.get("mem_peak")
    if "maximum RSS" in rec["sandbox"]:
        # cgroup v2 before 6.12 on a slot's kept leaf: no resettable
        # memory.peak; the script's RSS counts shared pages too.
        assert peak is not None and peak >= MEMORY // 2, f"mem_peak {peak}: {run.describe()}"
    elif peak is not None:
        assert MEMORY // 2 <= peak <= MEMORY, f"mem_peak {peak}: {run.describe()}"
    assert_clean(run)


# ---- CPU ------------------------------------------------------------------------------------

def test_cpu_spin_unconfined(tdir):
    run = run_unconfined(tdir, "cpuspin.py", {"secs": 3})
    assert run.report["cpu_s"] >= 3, run.describe()


def _cpu_contained(tdir, attack_policy, params):
    # cpu = 1s with a long wall, so that the CPU limit (not wall) ends it
    # even on a busy machine.
    attack_policy(limits={"cpu": attacklib.secs(1), "wall": attacklib.secs(20)})
    run = run_contained(tdir, "cpuspin.py", params)
    assert run.report is None, f"the spin must not finish: {run.describe()}"
    rec = run.record
    assert rec["outcome"] == "accepted" and rec["limit"] == "cpu", run.describe()
    assert rec["signal"] in (signal.SIGXCPU, signal.SIGKILL), run.describe()
    assert run.rc == 128 + rec["signal"], run.describe()
    assert rec["cpu_ms"] >= 900 * attacklib.TIME_SCALE, run.describe()
    assert rec["wall_ms"] < 20000 * attacklib.TIME_SCALE, run.describe()
    assert_clean(run)
    return rec


def test_cpu_spin_contained(tdir, attack_policy):
    """A cold script is the init of its request's pid namespace, so the
    kernel's SIGXCPU (default action) does not reach it: the hard limit, one
    second later, ends it with SIGKILL, and the record names "cpu".  A warm
    request process is not an init: SIGXCPU ends it at the soft limit."""
    rec = _cpu_contained(tdir, attack_policy, {"secs": 60})
    assert rec["signal"] == (signal.SIGXCPU if cjlib.WARM else signal.SIGKILL)


def test_cpu_spin_ignoring_sigxcpu_contained(tdir, attack_policy):
    """SIGXCPU ignored: the hard limit (or the wall) still ends it."""
    _cpu_contained(tdir, attack_policy, {"secs": 60, "ignore_xcpu": 1})


# ---- file size ------------------------------------------------------------------------------

def test_big_file_unconfined(tdir):
    run = run_unconfined(tdir, "bigfile.py", {"mb": 100, "dir": tdir})
    rep = run.report
    assert rep["errno"] is None and rep["written"] == rep["size"] == 100 << 20, run.describe()
    assert not os.path.exists(rep["path"])


def test_big_file_contained(tdir):
    """CPython ignores SIGXFSZ: the write past the limit fails with EFBIG and
    the file stays at the limit."""
    run = run_contained(tdir, "bigfile.py", {"mb": 100})
    rep = run.report
    assert rep is not None and run.rc == 0, run.describe()
    assert bigfile_path(run) == rep["path"]
    assert rep["errno"] == "EFBIG", run.describe()
    assert rep["size"] <= FILE_SIZE and rep["written"] <= FILE_SIZE, run.describe()
    assert rep["path"].startswith(rep["who"]["tmpdir"] + "/"), run.describe()
    assert not os.path.exists(rep["path"])
    assert run.record["outcome"] == "accepted", run.describe()
    assert_clean(run)


def test_big_file_default_sigxfsz_contained(tdir):
    """A cold script that restores SIGXFSZ's default action is not killed
    by it either: it is the init of its request's pid namespace, and the
    kernel does not deliver a signal it sends with its default action to an
    init (SECURITY.md).  Its write fails with EFBIG at the limit, as
    Python's does by default, and the file stays within file_size.  (Warm:
    see below.)"""
    run = run_contained(tdir, "bigfile.py", {"mb": 100, "xfsz": "default"})
    if cjlib.WARM:
        # A warm request process is not an init: SIGXFSZ ends it, and the
        # file it leaves stays within file_size.
        path = bigfile_path(run)
        size = os.path.getsize(path)
        os.unlink(path)
        rec = run.record
        assert rec["signal"] == signal.SIGXFSZ and rec["limit"] == "file_size", run.describe()
        assert size <= FILE_SIZE, run.describe()
        assert_clean(run)
        return
    rep = run.report
    assert rep is not None and rep["errno"] == "EFBIG", run.describe()
    assert rep["size"] <= FILE_SIZE and rep["written"] <= FILE_SIZE, run.describe()
    assert run.record["outcome"] == "accepted", run.describe()
    assert not os.path.exists(rep["path"]), "the script removes its file after EFBIG"
    assert_clean(run)


def bigfile_path(run):
    for line in run.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("bigfile: /"):
            return line.split(": ", 1)[1]
    raise AssertionError(f"bigfile.py did not say where it writes: {run.describe()}")
