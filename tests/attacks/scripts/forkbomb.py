#!/usr/bin/python3
"""Attack: a fork bomb, bounded at n= processes (default 200), each sleeping
hold= seconds.  cleanup=1 (unconfined runs only) kills them afterwards;
under cgijail the script leaves them for the supervisor to end.  Like a
real bomb it fails (exit status 1) when a fork fails."""
import sys
import errno
import os
import signal
import time

from _attack import params, report

p = params()
n, hold = int(p.get("n", "200")), float(p.get("hold", "30"))
kids, err = [], None
for _ in range(n):
    try:
        pid = os.fork()
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
        break
    if pid == 0:
        time.sleep(hold)
        os._exit(0)
    kids.append(pid)
report(forked=len(kids), errno=err, pids=kids)
if p.get("cleanup") == "1":
    for k in kids:
        os.kill(k, signal.SIGKILL)
    for k in kids:
        os.waitpid(k, 0)
if err:
    sys.exit(1)
