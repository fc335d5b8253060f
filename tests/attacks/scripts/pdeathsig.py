#!/usr/bin/python3
"""Attack: outlive a SIGKILLed cgijail.  The script clears its parent-death
signal (prctl(PR_SET_PDEATHSIG, 0)), which is what would let it survive its
supervisor.  Without started=: reports whether that worked.  With
started=: writes "ok" or the errno name there, prints its CGI header and
sleeps secs= seconds (default 60) for the test to kill cgijail."""
import ctypes
import errno
import sys
import time

from _attack import params, report, touch

PR_SET_PDEATHSIG = 1
libc = ctypes.CDLL(None, use_errno=True)
p = params()
ctypes.set_errno(0)
rc = libc.prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)
result = "ok" if rc == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
if not p.get("started"):
    report(cleared=rc == 0, errno=None if rc == 0 else result)
    sys.exit(0)
sys.stdout.write("Content-Type: text/plain\n\n")
sys.stdout.flush()
touch(p["started"], result)
time.sleep(float(p.get("secs", "60")))
