#!/usr/lib/cgijail/cgijail
# probe.py - reports who runs it and what reached it, one key=value a line;
# ?tmpfile also leaves a file in its TMPDIR.
import os
import sys

print("Content-Type: text/plain")
print()
print(f"uid={os.getuid()}")
print(f"gid={os.getgid()}")
for name in ("REQUEST_METHOD", "QUERY_STRING", "HTTP_COOKIE", "HTTP_X_FOO", "HTTP_PROXY",
             "http_proxy", "SCRIPT_NAME"):
    print(f"{name}={os.environ.get(name, '<unset>')}")
if os.environ.get("REQUEST_METHOD") == "POST":
    length = int(os.environ.get("CONTENT_LENGTH") or 0)
    body = sys.stdin.buffer.read(length)
    print(f"body={body.decode('utf-8', 'replace')}")
if os.environ.get("QUERY_STRING") == "tmpfile":
    path = os.path.join(os.environ["TMPDIR"], "left-behind.txt")
    with open(path, "w") as f:
        f.write("state a tenant leaves between requests\n")
    print(f"tmpfile={path}")
