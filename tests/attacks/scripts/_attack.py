"""Helpers of the attack scripts (a sibling module: the scripts import it).

Every attack script is a CGI script: it reads its parameters from
QUERY_STRING, makes its attempts, and prints one JSON report after a CGI
header.  An attempt never raises: it is recorded as {"ok": true, ...} or
{"ok": false, "errno": <name>}, so that the test can tell "the kernel said
no" (EPERM/EACCES/...) from "the script broke".  The same script runs
unconfined (directly as the tenant, to prove the attack is real) and
through cgijail (to show it is contained).
"""
import ctypes
import errno
import json
import os
import platform
import sys
import urllib.parse

# System call numbers of the calls Python has no wrapper for (3.11).
_NR = {
    "x86_64": {"setuid": 105, "setresuid": 117, "ptrace": 101, "unshare": 272,
               "mount": 165, "keyctl": 250, "add_key": 248, "bpf": 321,
               "io_uring_setup": 425, "perf_event_open": 298, "clone": 56,
               "landlock_create_ruleset": 444, "io_setup": 206, "io_destroy": 207},
    "aarch64": {"setuid": 146, "setresuid": 147, "ptrace": 117, "unshare": 97,
                "mount": 40, "keyctl": 219, "add_key": 217, "bpf": 280,
                "io_uring_setup": 425, "perf_event_open": 241, "clone": 220,
                "landlock_create_ruleset": 444, "io_setup": 0, "io_destroy": 1},
}
NR = _NR[platform.machine()]

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def syscall(name, *args):
    """Raw system call: (return value, errno name or None)."""
    cargs = [ctypes.c_long(a) if isinstance(a, int) else
             ctypes.c_char_p(a) if isinstance(a, bytes) else a for a in args]
    ctypes.set_errno(0)
    ret = _libc.syscall(ctypes.c_long(NR[name]), *cargs)
    if ret == -1:
        return ret, errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return ret, None


def sys_attempt(name, *args):
    ret, err = syscall(name, *args)
    if err:
        return {"ok": False, "errno": err}
    return {"ok": True, "ret": ret}


def attempt(fn, *args, **kw):
    """Run fn; {"ok": True, "value": ...} or {"ok": False, "errno": "EPERM"}."""
    try:
        v = fn(*args, **kw)
    except OSError as e:
        return {"ok": False, "errno": errno.errorcode.get(e.errno, str(e.errno)),
                "error": str(e)}
    try:
        json.dumps(v)
    except (TypeError, ValueError):
        v = repr(v)
    return {"ok": True, "value": v}


def in_child(fn, timeout=10):
    """Run fn() in a forked child (for calls that change the process, such
    as unshare); its result travels back through a pipe."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn()
        except BaseException as e:   # report, never unwind into the parent's code
            res = {"ok": False, "errno": "exception", "error": repr(e)}
        try:
            os.write(w, json.dumps(res).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks) or b"null")
    except ValueError:
        return {"ok": False, "errno": "bad-child-report"}


def params():
    q = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return {k: v[-1] for k, v in q.items()}


def whoami():
    return {"resuid": list(os.getresuid()), "resgid": list(os.getresgid()),
            "pid": os.getpid(), "tmpdir": os.environ.get("TMPDIR")}


def report(**kw):
    kw.setdefault("who", whoami())
    out = "Content-Type: application/json\n\n" + json.dumps(kw, sort_keys=True) + "\n"
    sys.stdout.write(out)
    sys.stdout.flush()


def touch(path, text="x"):
    """Create path (a marker the test waits for) with its content at once
    (written aside, then renamed); errors are the caller's."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)
