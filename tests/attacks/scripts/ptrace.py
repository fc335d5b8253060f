#!/usr/bin/python3
"""Attack: ptrace another process of the same uid - a sibling (pid= from the
query string, e.g. another request of the same tenant) and an own child."""
import os
import signal
import time

from _attack import params, report, sys_attempt

PTRACE_ATTACH, PTRACE_DETACH, WALL = 16, 17, 0x40000000


def attach(pid):
    r = sys_attempt("ptrace", PTRACE_ATTACH, pid, 0, 0)
    if r["ok"]:
        os.waitpid(pid, WALL)                      # the attach stop
        r["detach"] = sys_attempt("ptrace", PTRACE_DETACH, pid, 0, 0)
    return r


p = params()
attempts = {}
if p.get("pid"):
    attempts["sibling"] = attach(int(p["pid"]))
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
attempts["own_child"] = attach(child)
os.kill(child, signal.SIGKILL)
os.waitpid(child, 0)
report(attempts=attempts)
