#!/usr/bin/python3
# Answers "start", then allocates until the memory limit ends it.
import sys
sys.stdout.write("Content-Type: text/plain\n\nstart\n")
sys.stdout.flush()
hog = []
for _ in range(4096):
    hog.append(bytearray(1 << 20))   # touched: bytearray zero-fills
sys.stdout.write("survived\n")
