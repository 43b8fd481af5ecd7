"""The `Prefer` request header (RFC 7240): `Prefer: wait=N` holds an answer up to N seconds."""

import math

MAX_WAIT_S = 10.0


def requested_wait(header: str | None) -> float:
    """Seconds asked for by `Prefer: wait=N`, capped at 10; 0 when absent or malformed."""
    if not header:
        return 0.0
    for preference in header.split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() == "wait":
            try:
                seconds = float(value.strip().strip('"'))
            except ValueError:
                return 0.0
            if not math.isfinite(seconds):
                return 0.0
            return min(max(seconds, 0.0), MAX_WAIT_S)
    return 0.0
