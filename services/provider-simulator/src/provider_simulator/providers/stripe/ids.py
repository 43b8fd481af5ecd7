"""Stripe-looking identifiers (`pi_3N…`, `req_…`)."""

import random
import string
import time

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{''.join(random.choices(_ALPHABET, k=length))}"


def new_request_id() -> str:
    return new_id("req", 14)


def now() -> int:
    return int(time.time())
