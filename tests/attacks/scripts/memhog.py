#!/usr/bin/python3
"""Attack: eat memory (mb= MiB, default 256, in touched 4 MiB chunks)."""
from _attack import params, report

mb = int(params().get("mb", "256"))
chunks = []
for _ in range(mb // 4):
    chunks.append(b"\x01" * (4 << 20))       # written, so really resident
report(allocated_mb=len(chunks) * 4)
