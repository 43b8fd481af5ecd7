"""Prefixed, time-ordered identifiers (`pay_…`, `att_…`, `mch_…`).

The time prefix keeps ids roughly sortable by creation, which cursor
pagination and index locality both like.
"""

import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def new_id(prefix: str) -> str:
    millis = time.time_ns() // 1_000_000
    return f"{prefix}_{_base36(millis, 9)}{_base36(secrets.randbits(80), 16)}"
