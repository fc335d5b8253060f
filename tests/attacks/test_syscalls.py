"""Attacks on the kernel through system calls the sandbox refuses (seccomp:
EPERM, wrapper/seccomp.c) - each first shown to work unconfined, directly
as the tenant (or, where the host's own settings stop an ordinary user,
through the route an ordinary user has: a user namespace)."""
import platform
import warnings

import pytest

import attacklib
import cjlib
from attacklib import run_contained, run_unconfined

TENANT_UID = cjlib.uid_of(attacklib.TENANT)


def sysctl(name, default=None):
    try:
        with open("/proc/sys/" + name.replace(".", "/")) as f:
            return int(f.read().split()[0])
    except (FileNotFoundError, ValueError):
        return default


def contained(run, ignore=()):
    """The request ran to its end and the script printed its report: the
    attempts were refused, not the script killed."""
    assert run.rc == 0, f"the attack script failed: {run.describe()}"
    rec = run.record
    assert rec["outcome"] == "accepted", run.describe()
    assert rec.get("limit") is None, run.describe()
    assert cjlib.leftovers(ignore=ignore) == [], run.describe()
    return run.attempts()


def refused(attempt, errno="EPERM"):
    return attempt is not None and attempt["ok"] is False and attempt.get("errno") == errno


# ---- setuid(0) ---------------------------------------------------------------------------

def test_setuid0_unconfined(tdir):
    """Not showable as the tenant: no unprivileged user can setuid(0)
    anywhere.  Shown instead: the script really makes the calls (as root
    they succeed), and as the tenant the harmless setuid(<own uid>)
    succeeds, so a refusal of it under cgijail is the filter's."""
    run = run_unconfined(tdir, "setuid0.py")
    a = run.attempts()
    assert a["setuid_self"]["ok"], run.describe()
    assert refused(a["setuid0"]) and refused(a["setresuid0"]), run.describe()
    root = run_unconfined(tdir, "setuid0.py", user="root")
    ra = root.attempts()
    assert ra["setuid0"]["ok"] and ra["setresuid0"]["ok"], root.describe()


def test_setuid0_contained(tdir):
    run = run_contained(tdir, "setuid0.py")
    a = contained(run)
    for name in ("setuid0", "setresuid0", "setgroups0", "setuid_self"):
        assert refused(a[name]), f"{name}: {run.describe()}"
    rep = run.report
    assert rep["after"]["resuid"] == [TENANT_UID] * 3, run.describe()


# ---- ptrace ------------------------------------------------------------------------------

@pytest.fixture
def sibling():
    """Another process of the tenant (say, its other request)."""
    p = attacklib.start_as(attacklib.TENANT, [cjlib.PYTHON, "-c", "import time; time.sleep(60)"])
    yield p
    attacklib.kill_pid(p.pid, TENANT_UID)
    p.wait(10)


def test_ptrace_unconfined(tdir, sibling):
    run = run_unconfined(tdir, "ptrace.py", {"pid": sibling.pid})
    a = run.attempts()
    assert a["sibling"]["ok"] and a["own_child"]["ok"], run.describe()
    assert sibling.poll() is None, "the sibling must survive the attach/detach"


def test_ptrace_contained(tdir, sibling):
    run = run_contained(tdir, "ptrace.py", {"pid": sibling.pid})
    a = contained(run, ignore=(sibling.pid,))
    assert refused(a["sibling"]) and refused(a["own_child"]), run.describe()
    assert sibling.poll() is None


# ---- namespaces and mounts ------------------------------------------------------------

def test_unshare_unconfined(tdir):
    run = run_unconfined(tdir, "unshare_userns.py")
    a = run.attempts()
    assert a["unshare"]["ok"] and a["unshare"]["uid_inside"] == 0, run.describe()
    assert a["clone"]["ok"], run.describe()


def test_unshare_contained(tdir):
    run = run_contained(tdir, "unshare_userns.py")
    a = contained(run)
    assert refused(a["unshare"]) and refused(a["clone"]), run.describe()


def test_mount_unconfined(tdir):
    """A direct mount needs CAP_SYS_ADMIN (refused unconfined too); in a new
    user+mount namespace an ordinary user mounts tmpfs."""
    run = run_unconfined(tdir, "mount.py")
    a = run.attempts()
    assert refused(a["direct"]), run.describe()
    assert a["userns"]["ok"] and a["userns"]["step"] == "mount", run.describe()


def test_mount_contained(tdir):
    run = run_contained(tdir, "mount.py")
    a = contained(run)
    assert refused(a["direct"]), run.describe()
    assert refused(a["userns"]) and a["userns"]["step"] == "unshare", run.describe()


# ---- kernel interfaces ----------------------------------------------------------------

def test_keyctl_unconfined(tdir):
    run = run_unconfined(tdir, "keyctl.py")
    a = run.attempts()
    assert a["add_key"]["ok"] and a["keyctl"]["ok"], run.describe()


def test_keyctl_contained(tdir):
    a = contained(run := run_contained(tdir, "keyctl.py"))
    assert refused(a["add_key"]) and refused(a["keyctl"]), run.describe()


def test_bpf_unconfined(tdir):
    """Loading a program needs kernel.unprivileged_bpf_disabled = 0 (Debian:
    2, so refused unconfined too).  Since Linux 6.5 an invalid command still
    reaches the bpf code (EINVAL); before, the sysctl stops every command
    with EPERM: then nothing is showable unconfined."""
    run = run_unconfined(tdir, "bpf.py")
    a = run.attempts()
    disabled = sysctl("kernel.unprivileged_bpf_disabled", 0)
    if not disabled:
        assert a["prog_load"]["ok"], run.describe()
    if attacklib.kernel_version() >= (6, 5):
        assert refused(a["invalid_cmd"], "EINVAL"), run.describe()
    else:
        assert disabled, run.describe()
        warnings.warn(f"bpf: kernel {platform.release()} with unprivileged_bpf_disabled="
                      f"{disabled} refuses every bpf() of an ordinary user: the attack "
                      "cannot be shown unconfined here")


def test_bpf_contained(tdir):
    a = contained(run := run_contained(tdir, "bpf.py"))
    for name in ("prog_load", "map_create", "invalid_cmd"):
        assert refused(a[name]), f"{name}: {run.describe()}"


def test_io_uring_unconfined(tdir):
    assert sysctl("kernel.io_uring_disabled", 0) == 0, \
        "kernel.io_uring_disabled is set: the attack cannot be shown here"
    run = run_unconfined(tdir, "io_uring.py")
    assert run.attempts()["io_uring_setup"]["ok"], run.describe()


def test_io_uring_contained(tdir):
    a = contained(run := run_contained(tdir, "io_uring.py"))
    assert refused(a["io_uring_setup"]), run.describe()


def test_perf_event_open_unconfined(tdir):
    """With kernel.perf_event_paranoid <= 2 an ordinary user counts its own
    events.  Debian's kernels (the 6.1 guest) default to 3, which refuses
    every unprivileged perf_event_open with EACCES: not showable there (the
    contained run's EPERM is then still the filter's, not perf's EACCES)."""
    paranoid = sysctl("kernel.perf_event_paranoid", 2)
    run = run_unconfined(tdir, "perf_event.py")
    a = run.attempts()["perf_event_open"]
    if paranoid <= 2:
        assert a["ok"], run.describe()
    else:
        assert refused(a, "EACCES"), run.describe()
        warnings.warn(f"perf_event_open: perf_event_paranoid={paranoid} refuses every "
                      "ordinary user: the attack cannot be shown unconfined here")


def test_perf_event_open_contained(tdir):
    a = contained(run := run_contained(tdir, "perf_event.py"))
    assert refused(a["perf_event_open"]), run.describe()


# ---- socket families ------------------------------------------------------------------

def test_af_packet_unconfined(tdir):
    """Directly AF_PACKET needs CAP_NET_RAW; in a new user+network namespace
    an ordinary user opens one."""
    run = run_unconfined(tdir, "af_packet.py")
    a = run.attempts()
    assert refused(a["direct"]), run.describe()
    assert a["userns"]["ok"] and a["userns"]["step"] == "socket", run.describe()


def test_af_packet_contained(tdir):
    a = contained(run := run_contained(tdir, "af_packet.py"))
    assert refused(a["direct"]), run.describe()
    assert refused(a["userns"]) and a["userns"]["step"] == "unshare", run.describe()


def test_af_netlink_unconfined(tdir):
    run = run_unconfined(tdir, "af_netlink.py")
    a = run.attempts()
    assert a["rtnetlink"]["ok"] and a["rtnetlink"]["value"] > 0, run.describe()
    assert a["uevent"]["ok"], run.describe()


def test_af_netlink_contained(tdir):
    a = contained(run := run_contained(tdir, "af_netlink.py"))
    assert refused(a["rtnetlink"]) and refused(a["uevent"]), run.describe()


# ---- another ABI --------------------------------------------------------------------------

@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 exists on x86_64 only")
def test_x32_syscall_unconfined(tdir):
    """Not showable as an attack that works: Debian's kernels disable x32
    (ENOSYS).  Shown: the call is made and answered by the kernel."""
    run = run_unconfined(tdir, "x32.py")
    a = run.attempts()["x32_getpid"]
    assert a["ok"] or a["errno"] == "ENOSYS", run.describe()


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 exists on x86_64 only")
def test_x32_syscall_contained(tdir):
    """The filter's bad-architecture action kills the process: signal
    SIGSYS, status 128+31, limit "seccomp"."""
    run = run_contained(tdir, "x32.py")
    assert run.report is None, f"the script must not get past the call: {run.describe()}"
    rec = run.record
    assert rec["outcome"] == "accepted", run.describe()
    assert rec["signal"] == 31 and run.rc == 128 + 31, run.describe()
    assert rec["limit"] == "seccomp", run.describe()
    assert cjlib.leftovers() == [], run.describe()


def test_attack_scripts_are_the_tenants(tdir):
    """The scripts run as the tenant both ways (the unconfined proofs are
    made with the same identity the sandbox runs)."""
    un = run_unconfined(tdir, "keyctl.py").report
    co = run_contained(tdir, "keyctl.py").report
    assert un["who"]["resuid"] == co["who"]["resuid"] == [TENANT_UID] * 3
    assert (co["who"]["tmpdir"] or "").startswith("/"), f"TMPDIR must be set: {co}"
