#!/usr/lib/cgijail/cgijail
# echo.py - answers with the request body, byte for byte.
import os
import sys

length = int(os.environ.get("CONTENT_LENGTH") or 0)
chunks, got = [], 0
while got < length:
    chunk = sys.stdin.buffer.read(min(1 << 20, length - got))
    if not chunk:
        break
    chunks.append(chunk)
    got += len(chunk)
out = sys.stdout.buffer
out.write(b"Content-Type: application/octet-stream\r\n")
out.write(b"Content-Length: %d\r\n\r\n" % got)
for chunk in chunks:
    out.write(chunk)
out.flush()
