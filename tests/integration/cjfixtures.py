"""pytest fixtures shared by the integration suite (tests/integration) and
the attack suite (tests/attacks): each conftest.py imports them with
`from cjfixtures import *`.  The session world: real users, a setuid copy
of the wrapper, a policy tree under /var/lib/cgijail-test.  Root only."""
import fcntl
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cjlib  # noqa: E402
from cjlib import HOMES, USERSD, WWW  # noqa: E402

__all__ = ["world", "_restore_policy", "_no_leftovers", "PolicyCtl", "policy", "adir",
           "udir", "newdir"]


def _binaries():
    src = os.environ.get("CGIJAIL_SOURCE_DIR") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))
    wrapper = os.environ.get("CGIJAIL_BIN") or os.path.join(src, "build", "bin", "cgijail-testcfg")
    check = os.environ.get("CGIJAIL_CHECK_BIN") or os.path.join(src, "build", "bin",
                                                                  "cgijail-check-testcfg")
    return wrapper, check


def _remove_cgroups():
    """Kill what is left of the test users (by pid), remove every
    cgijail-test cgroup tree; returns the problems found."""
    cjlib.end_zygotes()
    problems = cjlib.leftovers(settle=1.0)
    if problems:
        cjlib.kill_tenant_processes()
        cjlib.leftovers(settle=5.0)   # let the killed ones be reaped
    problems += cjlib.remove_test_cgroups()
    return problems


@pytest.fixture(scope="session", autouse=True)
def world():
    if os.geteuid() != 0:
        pytest.skip("the integration tests need root")
    wrapper, check = _binaries()
    for b in (wrapper, check):
        if not os.access(b, os.X_OK):
            pytest.fail(f"binary not found or not executable: {b} "
                        "(set CGIJAIL_BIN / CGIJAIL_CHECK_BIN)", pytrace=False)
    cfgdir = os.environ.get("CGIJAIL_TEST_CONFIG_DIR", cjlib.ETC)
    if cfgdir != cjlib.ETC:
        pytest.fail(f"CGIJAIL_TEST_CONFIG_DIR={cfgdir}: these tests need {cjlib.ETC}",
                    pytrace=False)
    lockfd = os.open(cjlib.LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fcntl.flock(lockfd, fcntl.LOCK_EX)
    try:
        left = cjlib.cleanup_world()
        if left:
            pytest.fail(f"cannot remove leftovers of an earlier run: {left}", pytrace=False)
        # A crashed run's cgroups (its users are gone: nothing to kill).
        stale = [p for p in cjlib.remove_test_cgroups() if not p.startswith("request cgroup")]
        if stale:
            pytest.fail(f"cannot remove cgroups of an earlier run: {stale}", pytrace=False)
        problems = []
        try:
            cjlib.build_world(wrapper, check)
            if not cjlib.SANDBOX_POLICY:
                print("\nNOTE: the wrapper does not accept [sandbox] policy sections yet: "
                      "policies are written without them", file=sys.stderr)
            yield
        finally:
            problems = _remove_cgroups()
            left = cjlib.cleanup_world()
            if left:
                print(f"\nWARNING: could not remove test users/groups: {left}", file=sys.stderr)
        if problems:
            pytest.fail("at the end of the session: " + "; ".join(problems), pytrace=False)
    finally:
        fcntl.flock(lockfd, fcntl.LOCK_UN)
        os.close(lockfd)


@pytest.fixture(autouse=True)
def _restore_policy(world):
    """Every test starts and ends with the default policy tree."""
    yield
    cjlib.restore_config_tree()


@pytest.fixture(autouse=True)
def _no_leftovers(world):
    """After every test: no process of a test user, no request cgroup left
    (what is found is killed by pid, so that the next test starts clean)."""
    yield
    problems = cjlib.leftovers()
    # Zygotes (warm mode) end with the test: the next one starts afresh.
    cjlib.end_zygotes()
    if problems:
        cjlib.kill_tenant_processes()
        cjlib.leftovers()
        pytest.fail("left behind by this test: " + "; ".join(problems), pytrace=False)


class PolicyCtl:
    """Mutate the policy tree inside one test (restored afterwards)."""

    path = cjlib.POLICY

    def set(self, sections=None, **over):
        cjlib.write_policy(sections=sections, **over)

    def write(self, text, mode=0o644, uid=0, gid=0):
        cjlib.write_root_file(cjlib.POLICY, text, mode, uid, gid)

    def dropin(self, user, text, mode=0o644, uid=0, gid=0):
        path = f"{USERSD}/{user}.conf"
        cjlib.write_root_file(path, text, mode, uid, gid)
        return path


@pytest.fixture
def policy():
    return PolicyCtl()


@pytest.fixture
def adir():
    """A fresh directory cjtalice:cjtalice 0755 below the docroot."""
    return cjlib.new_dir(f"{WWW}/cjtalice", "cjtalice")


@pytest.fixture
def udir():
    """A fresh directory cjtalice:cjtalice 0755 below ~cjtalice/public_html."""
    return cjlib.new_dir(f"{HOMES}/cjtalice/public_html", "cjtalice")


@pytest.fixture
def newdir():
    """Factory: newdir(parent, owner, group=None, mode=0o755)."""
    return cjlib.new_dir
