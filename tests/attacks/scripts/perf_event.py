#!/usr/bin/python3
"""Attack: perf_event_open.  With kernel.perf_event_paranoid = 2 an ordinary
user may still count its own user-space events: the unconfined run does."""
import ctypes
import os
import struct

from _attack import report, sys_attempt

PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK = 1, 1
attr = ctypes.create_string_buffer(128)
# type, size (PERF_ATTR_SIZE_VER5), config, sample_period, sample_type,
# read_format, flags: disabled | exclude_kernel | exclude_hv
struct.pack_into("<IIQQQQQ", attr, 0, PERF_TYPE_SOFTWARE, 112, PERF_COUNT_SW_TASK_CLOCK,
                 0, 0, 0, (1 << 0) | (1 << 5) | (1 << 6))
r = sys_attempt("perf_event_open", attr, 0, -1, -1, 8)   # this process, any CPU, CLOEXEC
if r["ok"]:
    os.close(r["ret"])
report(attempts={"perf_event_open": r})
