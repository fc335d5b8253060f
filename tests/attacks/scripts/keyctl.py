#!/usr/bin/python3
"""Attack: the kernel keyring API (add_key, keyctl)."""
from _attack import report, sys_attempt

KEY_SPEC_PROCESS_KEYRING, KEY_SPEC_SESSION_KEYRING = -2, -3
KEYCTL_GET_KEYRING_ID = 0

report(attempts={
    "add_key": sys_attempt("add_key", b"user", b"cjt-attack", b"secret", 6,
                           KEY_SPEC_PROCESS_KEYRING),
    "keyctl": sys_attempt("keyctl", KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1),
})
