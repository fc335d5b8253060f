#!/usr/bin/python3
# Sleeps QUERY_STRING milliseconds (200-1000), then answers.
import os
import time
ms = int(os.environ.get("QUERY_STRING") or "200")
ms = min(max(ms, 200), 1000)
time.sleep(ms / 1000)
print("Content-Type: text/plain")
print()
print("slept %d" % ms)
