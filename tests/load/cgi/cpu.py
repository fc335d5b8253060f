#!/usr/bin/python3
# Answers "start", then spins until the CPU limit ends it.
import sys
import time
sys.stdout.write("Content-Type: text/plain\n\nstart\n")
sys.stdout.flush()
end = time.monotonic() + 60
n = 0
while time.monotonic() < end:
    n += 1
sys.stdout.write("survived\n")
