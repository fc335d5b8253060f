"""Attacks through the file system (Landlock): another tenant's
world-readable files, writes outside `write =` and TMPDIR, running another
program than the interpreter."""
import os
import uuid

import pytest

import cjlib
from attacklib import finished, run_contained, run_unconfined
from cjlib import HOMES, MARKERS, WWW


# ---- another tenant's files --------------------------------------------------------------

@pytest.fixture
def bob_files():
    """World-readable files of the other tenant: in its docroot directory
    and in its home (~/public_html and ~ itself)."""
    secret = "bob-secret-" + uuid.uuid4().hex[:8]
    paths = []
    for d in (f"{WWW}/cjtbob", f"{HOMES}/cjtbob/public_html", f"{HOMES}/cjtbob"):
        p = os.path.join(d, "config-" + uuid.uuid4().hex[:8] + ".ini")
        cjlib.write_file(p, f"password = {secret}\n", owner="cjtbob", mode=0o644)
        paths.append(p)
    return paths, secret


def test_read_other_tenant_unconfined(tdir, bob_files):
    paths, secret = bob_files
    run = run_unconfined(tdir, "read_other.py", {"paths": ",".join(paths)})
    a = run.attempts()
    for p in paths:
        assert a[p]["ok"] and secret in a[p]["value"], f"{p}: {run.describe()}"


def test_read_other_tenant_contained(tdir, bob_files):
    paths, secret = bob_files
    run = run_contained(tdir, "read_other.py", {"paths": ",".join(paths)})
    a = finished(run)
    for p in paths:
        assert a[p]["ok"] is False and a[p]["errno"] == "EACCES", f"{p}: {run.describe()}"
    assert secret.encode() not in run.stdout
    assert run.report["own"]["ok"], f"the tenant's own files stay readable: {run.describe()}"


# ---- writing outside `write` ------------------------------------------------------------

def write_targets(tdir):
    """Places the tenant (or everyone) may write to as a plain user."""
    n = "cjt-attack-" + uuid.uuid4().hex[:8]
    return [os.path.join(tdir, n),                        # the script's own directory
            os.path.join(WWW, "cjtalice", n),             # the tenant root
            os.path.join(HOMES, "cjtalice", n),           # the tenant's home
            os.path.join("/tmp", n), os.path.join("/var/tmp", n),
            os.path.join("/dev/shm", n)]


def existing(paths):
    return [p for p in paths if os.path.lexists(p)]


def test_write_outside_unconfined(tdir):
    targets = [p for p in write_targets(tdir) if os.path.isdir(os.path.dirname(p))]
    run = run_unconfined(tdir, "write_outside.py", {"paths": ",".join(targets)})
    a = run.attempts()
    for p in targets:
        assert a[p]["ok"], f"{p}: {run.describe()}"
    assert existing(targets) == []      # the script removed what it made


def test_write_outside_contained(tdir):
    targets = [p for p in write_targets(tdir) if os.path.isdir(os.path.dirname(p))]
    granted = os.path.join(MARKERS, "cjt-attack-" + uuid.uuid4().hex[:8])
    run = run_contained(tdir, "write_outside.py",
                        {"paths": ",".join(targets + [granted])})
    a = finished(run)
    made = existing(targets)
    for p in made:
        os.unlink(p)
    for p in targets:
        assert a[p]["ok"] is False and a[p]["errno"] == "EACCES", f"{p}: {run.describe()}"
    assert made == [], made
    # The controls: TMPDIR and the policy's `write =` entry are writable.
    assert run.report["tmpdir"] is not None and run.report["tmpdir"]["ok"], run.describe()
    assert a[granted]["ok"], f"`write = {MARKERS}` must be writable: {run.describe()}"


# ---- other programs -------------------------------------------------------------------------

def test_exec_sh_unconfined(tdir):
    run = run_unconfined(tdir, "exec_sh.py")
    a = run.attempts()
    assert a["sh"]["ok"] and a["sh"]["value"] == {"rc": 0, "out": "pwned\n"}, run.describe()
    assert a["shell"]["ok"] and a["shell"]["value"] == 0, run.describe()


def test_exec_sh_contained(tdir):
    run = run_contained(tdir, "exec_sh.py")
    a = finished(run)
    assert a["sh"]["ok"] is False and a["sh"]["errno"] == "EACCES", run.describe()
    assert a["shell"]["ok"] is False and a["shell"]["errno"] == "EACCES", run.describe()
    assert b"pwned" not in run.stdout
    # The control: fork and exec as such work; the interpreter may run again.
    ctl = run.report["control_python"]
    assert ctl["ok"] and ctl["value"] == {"rc": 0, "out": "again\n"}, run.describe()


def test_shell_through_the_loader_stays_contained(tdir, bob_files):
    """Known and documented (Landlock cannot tell): /bin/sh started through
    the ELF loader runs.  It is still inside every layer: it cannot read the
    other tenant's file, write outside TMPDIR/`write`, or start programs."""
    paths, secret = bob_files
    outside = os.path.join(tdir, "cjt-loader-" + uuid.uuid4().hex[:8])
    cmd = (f"cat {paths[0]}; echo written > {outside}; /bin/true && echo exec-ok; "
           "echo loader-done")
    run = run_contained(tdir, "exec_sh.py", {"loader_cmd": cmd})
    finished(run)
    made = os.path.lexists(outside)
    if made:
        os.unlink(outside)
    shell = run.report["loader_sh"]
    assert shell["ok"] and "loader-done" in shell["value"]["out"], run.describe()
    assert secret not in shell["value"]["out"], run.describe()
    assert "exec-ok" not in shell["value"]["out"], run.describe()
    assert not made, run.describe()
