#!/usr/bin/python3
"""Attack: spin on the CPU until secs= seconds of CPU time (default 5) are
used; ignore_xcpu=1 ignores SIGXCPU (the soft RLIMIT_CPU signal)."""
import signal
import time

from _attack import params, report

p = params()
if p.get("ignore_xcpu") == "1":
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
secs = float(p.get("secs", "5"))
x = 0
while time.process_time() < secs:
    for _ in range(10000):
        x += 1
report(cpu_s=time.process_time())
