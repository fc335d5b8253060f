#!/usr/bin/python3
"""Attack: bpf(2).  Loading a socket filter needs kernel.unprivileged_bpf_
disabled = 0 (Debian's default is 2: refused with EPERM unconfined too);
an invalid command shows whether the call reaches the kernel's bpf code at
all (EINVAL there since Linux 6.5, EPERM from a filter)."""
import ctypes
import os
import struct

from _attack import report, sys_attempt

BPF_MAP_CREATE, BPF_PROG_LOAD = 0, 5
insns = ctypes.create_string_buffer(
    struct.pack("<BBhi", 0xb7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0))  # r0 = 0; exit
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(128)
struct.pack_into("<IIQQ", attr, 0, 1, 2, ctypes.addressof(insns), ctypes.addressof(lic))
prog = sys_attempt("bpf", BPF_PROG_LOAD, attr, 128)
mattr = ctypes.create_string_buffer(128)
struct.pack_into("<IIII", mattr, 0, 2, 4, 8, 1)       # BPF_MAP_TYPE_ARRAY, 4-byte key, 8-byte value
mapc = sys_attempt("bpf", BPF_MAP_CREATE, mattr, 128)
invalid = sys_attempt("bpf", 1000, ctypes.create_string_buffer(128), 128)
for r in (prog, mapc):
    if r["ok"]:
        os.close(r["ret"])
report(attempts={"prog_load": prog, "map_create": mapc, "invalid_cmd": invalid})
