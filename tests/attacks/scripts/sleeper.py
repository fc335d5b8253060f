#!/usr/bin/python3
"""Attack: stay alive.  Prints its CGI header at once, creates started= (a
file the test waits for), then sleeps secs= seconds (default 60), or until
release= exists.  write=1 keeps writing to stdout and ignores a hung-up
client; fork=1 first double-forks a helper that sleeps as well (its pid is
written to started=)."""
import os
import sys
import time

from _attack import params, touch

p = params()
secs = float(p.get("secs", "60"))
helper = None
if p.get("fork") == "1":
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            time.sleep(secs)
            os._exit(0)
        os.write(w, str(pid).encode())
        os._exit(0)
    os.close(w)
    helper = int(os.read(r, 64))
    os.close(r)
    os.wait()
sys.stdout.write("Content-Type: text/plain\n\n")
sys.stdout.flush()
if p.get("started"):
    touch(p["started"], str(helper or ""))
end = time.monotonic() + secs
while time.monotonic() < end:
    if p.get("release") and os.path.exists(p["release"]):
        break
    if p.get("write") == "1":
        try:
            sys.stdout.write("tick\n")
            sys.stdout.flush()
        except BrokenPipeError:
            pass
    time.sleep(0.05)
try:
    sys.stdout.write("done\n")
    sys.stdout.flush()
except BrokenPipeError:
    pass
