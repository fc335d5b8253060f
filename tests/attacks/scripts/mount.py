#!/usr/bin/python3
"""Attack: mount a file system.  Directly (needs CAP_SYS_ADMIN: refused
unconfined too) and inside a new user+mount namespace, where an ordinary
user may mount tmpfs - that is the attack an unconfined user can make."""
import os

from _attack import in_child, report, sys_attempt

CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
target = os.getcwd().encode()


def in_namespace():
    r = sys_attempt("unshare", CLONE_NEWUSER | CLONE_NEWNS)
    if not r["ok"]:
        return {"ok": False, "errno": r["errno"], "step": "unshare"}
    m = sys_attempt("mount", b"cjt-attack", target, b"tmpfs", 0, 0)
    m["step"] = "mount"
    return m


report(attempts={"direct": sys_attempt("mount", b"cjt-attack", target, b"tmpfs", 0, 0),
                 "userns": in_child(in_namespace)})
