"""The attack suite reuses the integration suite's world and fixtures
(tests/integration/cjfixtures.py): the same users, setuid wrapper copy,
policy tree, per-test leftover checks and session-end cgroup removal."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from cjfixtures import *  # noqa: E402,F401,F403

import pytest  # noqa: E402

import attacklib  # noqa: E402


@pytest.fixture(autouse=True)
def attack_policy(_restore_policy):
    """Every attack runs under the small attack policy (attacklib.LIMITS ...);
    a test may call it again with other values."""
    attacklib.write_attack_policy()
    return attacklib.write_attack_policy


@pytest.fixture(autouse=True)
def _reap_requests(_no_leftovers):
    """Requests a test started and did not wait for are ended and reaped
    before the leftover check (which runs after this)."""
    yield
    attacklib.reap_started()


@pytest.fixture
def tdir():
    """A fresh directory of the tenant (cjtalice) holding every attack script."""
    return attacklib.install_scripts()
