"""Session world for the cgijail integration tests: the fixtures live in
cjfixtures.py (shared with tests/attacks)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cjfixtures import *  # noqa: E402,F401,F403
