import sys

line = sys.stdin.readline()
print(repr(line))
print("h\u00e9llo \u2603")
sys.stdout.write("no newline at end")
