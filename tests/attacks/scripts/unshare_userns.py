#!/usr/bin/python3
"""Attack: a new user namespace (unshare and clone with CLONE_NEWUSER),
where the script would be "root" and reach namespaced kernel code."""
import os
import signal

from _attack import in_child, report, syscall, sys_attempt

CLONE_NEWUSER = 0x10000000


def unshare_and_map():
    uid = os.getuid()
    r = sys_attempt("unshare", CLONE_NEWUSER)
    if r["ok"]:
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"0 {uid} 1\n")
        r["uid_inside"] = os.getuid()
    return r


def raw_clone():
    ret, err = syscall("clone", CLONE_NEWUSER | signal.SIGCHLD, 0, 0, 0, 0)
    if err:
        return {"ok": False, "errno": err}
    if ret == 0:
        os._exit(0)
    os.waitpid(ret, 0)
    return {"ok": True, "ret": ret}


report(attempts={"unshare": in_child(unshare_and_map), "clone": in_child(raw_clone)})
