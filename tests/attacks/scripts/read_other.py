#!/usr/bin/python3
"""Attack: read other tenants' world-readable files (paths= from the query
string, comma-separated); the script's own file is the control."""
from _attack import attempt, params, report


def read(path):
    with open(path, "rb") as f:
        return f.read(200).decode("latin-1")


paths = [x for x in params().get("paths", "").split(",") if x]
report(attempts={p: attempt(read, p) for p in paths}, own=attempt(read, __file__))
