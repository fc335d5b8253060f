#!/usr/bin/python3
"""Attack: io_uring_setup (a large kernel attack surface)."""
import ctypes
import os

from _attack import report, sys_attempt

params = ctypes.create_string_buffer(120)      # struct io_uring_params, zeroed
r = sys_attempt("io_uring_setup", 8, params)
if r["ok"]:
    os.close(r["ret"])
report(attempts={"io_uring_setup": r})
