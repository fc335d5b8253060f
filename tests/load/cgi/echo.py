#!/usr/bin/python3
# Writes the request body back, byte for byte.
import os
import sys
n = int(os.environ.get("CONTENT_LENGTH") or "0")
data = b""
while len(data) < n:
    chunk = sys.stdin.buffer.read(n - len(data))
    if not chunk:
        break
    data += chunk
out = sys.stdout.buffer
out.write(b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(data))
out.write(data)
out.flush()
