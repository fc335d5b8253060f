#!/usr/lib/cgijail/cgijail
# slow.py - ?sleep: one line, then 30 s of silence; ?drip: a line every 0.2 s for 30 s.
import os
import sys
import time

print("Content-Type: text/plain")
print()
print("started", flush=True)
if os.environ.get("QUERY_STRING") == "drip":
    for i in range(150):
        print(f"tick {i}", flush=True)
        time.sleep(0.2)
else:
    time.sleep(30)
print("finished", flush=True)
sys.exit(0)
