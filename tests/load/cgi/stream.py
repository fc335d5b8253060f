#!/usr/bin/python3
# Writes a 1 KiB line every 10 ms for up to 15 s: the client goes away
# after the first bytes, the request must end then.
import sys
import time
out = sys.stdout
out.write("Content-Type: text/plain\n\n")
line = "x" * 1023 + "\n"
end = time.monotonic() + 15
while time.monotonic() < end:
    out.write(line)
    out.flush()
    time.sleep(0.01)
out.write("finished\n")
