"""PayMongo-looking identifiers (`pi_…`, `pay_…`, `evt_…`) and timestamps."""

import random
import string
import time

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{''.join(random.choices(_ALPHABET, k=length))}"


def now() -> int:
    return int(time.time())
