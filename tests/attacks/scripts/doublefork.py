#!/usr/bin/python3
"""Attack: leave a daemon behind.  The script double-forks (setsid) a
grandchild that sleeps secs= seconds (default 60) and exits itself at once.
hold_stdout=1: the grandchild keeps stdout open (the web server waits for
EOF); otherwise it detaches all three standard descriptors."""
import os
import time

from _attack import params, report

p = params()
secs = float(p.get("secs", "60"))
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.close(w)
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)
        if p.get("hold_stdout") != "1":
            os.dup2(null, 1)
        os.dup2(null, 2)
        time.sleep(secs)
        os._exit(0)
    os.write(w, str(pid).encode())
    os._exit(0)
os.close(w)
daemon = int(os.read(r, 64))
os.close(r)
os.wait()
report(daemon=daemon)
