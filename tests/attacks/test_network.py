"""Attacks on internal services over the loopback: with `network = none` no
TCP at all (seccomp: socket(AF_INET*) fails with EPERM), with
`network = tcp:<port>` only that port (Landlock ABI 4+).  The servers are
the test's own, on 127.0.0.1, stopped by the test."""
import uuid

import pytest

import attacklib
import cjlib
from attacklib import TcpServer, finished, run_contained, run_unconfined


@pytest.fixture
def servers():
    started = []

    def make():
        s = TcpServer()
        started.append(s)
        return s
    yield make
    for s in started:
        s.stop()


def token():
    return "cjt-" + uuid.uuid4().hex[:12]


def test_loopback_connect_unconfined(tdir, servers):
    srv, t = servers(), token()
    run = run_unconfined(tdir, "connect.py", {"ports": srv.port, "token": t})
    a = run.attempts()
    assert a[str(srv.port)]["ok"], run.describe()
    assert srv.saw(t), f"the server saw no connection: {srv.lines}"


def test_loopback_connect_network_none(tdir, servers):
    srv, t = servers(), token()
    run = run_contained(tdir, "connect.py", {"ports": srv.port, "token": t})
    a = finished(run)
    r = a[str(srv.port)]
    assert r["ok"] is False and r["errno"] in ("EPERM", "EACCES"), run.describe()
    assert not srv.saw(t, wait=0.5), f"the server was reached: {srv.lines}"
    assert a["unix_socketpair"]["ok"], f"AF_UNIX must stay allowed: {run.describe()}"


def test_tcp_allowed_and_denied_port(tdir, servers, attack_policy):
    """network = tcp:<A>: A is reachable, B (also listening) is not - where
    Landlock has TCP rules (ABI 4, Linux 6.7).  Below that (the 6.1 guest,
    ABI 2) ports cannot be restricted: with landlock = required (the attack
    policy) the request is refused before anything runs (exit 124: the
    policy promises a confinement the kernel cannot give); with best-effort
    it runs, seccomp still allows only AF_UNIX/AF_INET/AF_INET6 (checked)
    and the log record's sandbox field names the gap."""
    a_srv, b_srv = servers(), servers()
    attack_policy(sandbox={"network": f"tcp:{a_srv.port}"})
    ta, tb = token(), token()
    abi = attacklib.landlock_abi()
    if abi < 4:
        run = run_contained(tdir, "connect.py", {"ports": f"{a_srv.port},{b_srv.port}",
                                                 "token": ta})
        why = cjlib.assert_refused(run.result, code=124)   # CGIJAIL_EXIT_SANDBOX
        assert "needs Landlock ABI 4" in why and "landlock = required" in why, run.describe()
        assert not a_srv.saw(ta, wait=0.5) and not b_srv.saw(ta, wait=0.1), \
            f"a refused request reached a server: {a_srv.lines} {b_srv.lines}"
        attack_policy(sandbox={"network": f"tcp:{a_srv.port}", "landlock": "best-effort"})
    run = run_contained(tdir, "connect.py", {"ports": f"{a_srv.port},{b_srv.port}",
                                             "token": ta})
    a = finished(run)
    assert a[str(a_srv.port)]["ok"], f"the allowed port must be reachable: {run.describe()}"
    assert a_srv.saw(ta)
    if abi >= 4:
        r = a[str(b_srv.port)]
        assert r["ok"] is False and r["errno"] == "EACCES", run.describe()
        assert ta not in b_srv.lines and tb not in b_srv.lines, b_srv.lines
    else:
        # SECURITY.md: best-effort cannot enforce ports below ABI 4, and the
        # log record's sandbox field says so.
        assert "TCP not restricted" in (run.record.get("sandbox") or ""), run.describe()
    # Whatever the ABI: the other families stay refused under tcp:.
    nl = finished(run_contained(tdir, "af_netlink.py"))
    assert nl["rtnetlink"]["ok"] is False and nl["rtnetlink"]["errno"] == "EPERM", nl
    pk = finished(run_contained(tdir, "af_packet.py"))
    assert pk["direct"]["ok"] is False and pk["direct"]["errno"] == "EPERM", pk
