"""Double-forks a daemon in a session of its own that sleeps, then exits."""
import os
import sys
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (0, 1, 2):
            os.close(fd)
        time.sleep(120)
    os._exit(0)
os.wait()
secs = float(sys.argv[1]) if len(sys.argv) > 1 else 0
print("left a daemon", flush=True)
time.sleep(secs)
