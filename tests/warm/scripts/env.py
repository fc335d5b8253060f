import os
import subprocess
import sys

for k in sorted(os.environ):
    print(f"{k}={os.environ[k]}")
print("--- subprocess")
sys.stdout.flush()
subprocess.run(["/usr/bin/env"], check=True)
