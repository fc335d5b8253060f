#!/usr/bin/python3
"""Attack: run another program (/bin/sh) from the script.  The controls:
starting the interpreter itself again (allowed by design).  Also /bin/sh
run through the ELF loader (which must be executable for the interpreter to
start, and which maps the program itself: Landlock does not check
mmap(PROT_EXEC)); loader_cmd= is what that shell runs."""
import subprocess
import sys

from _attack import attempt, params, report


def run(argv):
    p = subprocess.run(argv, capture_output=True, timeout=20)
    return {"rc": p.returncode, "out": p.stdout.decode("latin-1")[:200]}


report(attempts={"sh": attempt(run, ["/bin/sh", "-c", "echo pwned"]),
                 "shell": attempt(lambda: subprocess.call("echo pwned", shell=True,
                                                         stdout=subprocess.DEVNULL))},
       control_python=attempt(run, [sys.executable, "-c", "print('again')"]),
       loader_sh=attempt(run, ["/lib64/ld-linux-x86-64.so.2", "/bin/sh", "-c",
                               params().get("loader_cmd", "echo loader")]))
