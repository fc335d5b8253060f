#!/usr/bin/python3
"""Attack: become root again after the privilege drop (setuid(0) and
friends).  Unconfined a non-root user cannot do this either; what the
unconfined run shows instead is that setuid(<own uid>) - a no-op the kernel
allows - succeeds there, so a refusal under cgijail comes from its filter."""
import os

from _attack import attempt, report, sys_attempt, whoami

before = whoami()
attempts = {
    "setuid0": sys_attempt("setuid", 0),
    "setresuid0": sys_attempt("setresuid", 0, 0, 0),
    "setgroups0": attempt(os.setgroups, [0]),
    "setuid_self": sys_attempt("setuid", os.getuid()),
}
report(attempts=attempts, before=before, after=whoami())
