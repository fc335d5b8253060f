#!/usr/bin/env python3
"""Entry point of the cgijail integration tests (ctest runs this).

Environment: CGIJAIL_BIN (the wrapper built with the test policy dir),
CGIJAIL_CHECK_BIN, CGIJAIL_TEST_CONFIG_DIR (/var/lib/cgijail-test/etc),
CGIJAIL_SOURCE_DIR.  Extra arguments are passed on to pytest.

Exit status: pytest's; 77 (ctest SKIP) when not root, unless CI=true, where
a skipped privileged test is a failure (exit 1), as is any test pytest
reports skipped or a run that collected no test.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"   # Debian's python3-pytest lives here


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def import_pytest():
    try:
        import pytest
        return pytest
    except ImportError:
        pass
    # A python3 on PATH (pyenv, venv) without pytest: use Debian's.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and \
            os.access(SYSTEM_PYTHON, os.X_OK) and not os.environ.get("CGIJAIL_RUN_REEXEC"):
        os.environ["CGIJAIL_RUN_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(sys.argv[0]), *sys.argv[1:]])
    print("run.py: pytest is not installed (apt-get install python3-pytest)", file=sys.stderr)
    sys.exit(1)


class SkipCounter:
    """Counts skipped tests (and skipped modules); xfail is not a skip."""

    def __init__(self):
        self.skipped = []

    def pytest_runtest_logreport(self, report):
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid)

    def pytest_collectreport(self, report):
        if report.skipped:
            self.skipped.append(report.nodeid)


def main(here=HERE, what="integration"):
    """Run the pytest suite in directory `here` (with its pytest.ini)."""
    if os.geteuid() != 0:
        why = f"the cgijail {what} tests need root (real users, a setuid wrapper)"
        if in_ci():
            print(f"run.py: FAIL: {why}; CI=true, so this is not a skip", file=sys.stderr)
            return 1
        print(f"run.py: SKIP: {why}")
        return 77
    pytest = import_pytest()
    counter = SkipCounter()
    extra = sys.argv[1:]
    targets = [] if any(os.path.exists(a.split("::")[0]) for a in extra) else [here]
    rc = pytest.main(["-q", "-rs", "-p", "no:cacheprovider", "--rootdir", here,
                      "-c", os.path.join(here, "pytest.ini"), *extra, *targets],
                     plugins=[counter])
    rc = int(rc)
    if rc == 5:  # no tests collected
        print("run.py: FAIL: pytest collected no tests", file=sys.stderr)
        return 1
    if in_ci() and counter.skipped:
        print(f"run.py: FAIL: {len(counter.skipped)} test(s) skipped with CI=true: "
              + ", ".join(counter.skipped), file=sys.stderr)
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
