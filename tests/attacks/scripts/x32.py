#!/usr/bin/python3
"""Attack: a system call through another ABI (x32 numbers on x86_64), which
a filter written for the native ABI would not see.  Unconfined, Debian's
kernels answer ENOSYS (x32 is off unless booted with syscall.x32=y); the
sandbox's filter kills the process (SIGSYS), so no report is printed."""
import ctypes
import errno

from _attack import _libc, report

X32_BIT, GETPID = 0x40000000, 39
ctypes.set_errno(0)
ret = _libc.syscall(ctypes.c_long(X32_BIT | GETPID))
err = errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())) if ret == -1 else None
report(attempts={"x32_getpid": {"ok": ret != -1, "ret": ret, "errno": err}})
