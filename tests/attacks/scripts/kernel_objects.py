#!/usr/bin/python3
"""Attack: host-wide kernel objects outside the request's limits - a Linux
AIO context (io_setup reserves events from fs.aio-max-nr, shared by the
whole host) - and inotify, which reports the names of entries created in a
directory the script may not list (another tenant's)."""
import ctypes
import os
import select

from _attack import attempt, params, report, sys_attempt, syscall

libc = ctypes.CDLL(None, use_errno=True)
libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
IN_CREATE = 0x100


def aio():
    ctx = ctypes.c_ulong(0)
    res = sys_attempt("io_setup", int(params().get("events", "4096")), ctypes.byref(ctx))
    if res["ok"]:
        syscall("io_destroy", ctx.value)
    return res


def watch(path):
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    try:
        if libc.inotify_add_watch(fd, path.encode(), IN_CREATE) < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        # The test creates a file there once it sees the marker.
        open(params()["ready"], "w").close()
        r, _, _ = select.select([fd], [], [], 10)
        if not r:
            return []
        data = os.read(fd, 4096)
        names, off = [], 0
        while off + 16 <= len(data):
            ln = int.from_bytes(data[off + 12:off + 16], "little")
            names.append(data[off + 16:off + 16 + ln].split(b"\0")[0].decode())
            off += 16 + ln
        return names
    finally:
        os.close(fd)


p = params()
report(attempts={
    "io_setup": aio(),
    "inotify": attempt(watch, p["watch"]) if "watch" in p else None,
})
