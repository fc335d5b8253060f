#!/usr/lib/cgijail/cgijail
# status404.py - a script that answers "not found" itself.
print("Status: 404 Not Found")
print("Content-Type: text/plain")
print()
print("no such thing here")
