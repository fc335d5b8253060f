#!/usr/bin/env python3
"""Entry point of the warm-mode tests (ctest `warm`): the integration
suite's runner (tests/integration/run.py) on this directory.  Same exit
statuses: 77 when not root outside CI, and with CI=true any skip fails the
run."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "cjrun", os.path.join(HERE, "..", "integration", "run.py"))
cjrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cjrun)

if __name__ == "__main__":
    sys.exit(cjrun.main(HERE, "warm-mode"))
