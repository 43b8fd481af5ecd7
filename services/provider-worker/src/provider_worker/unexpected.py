"""An exception no adapter should raise, turned into an undetermined answer.

A provider call that raises anything but ProviderFailure (a bug, or an answer the
adapter's parsing did not foresee) may still have reached the provider, so its
command is answered `timeout` / `adapter_error`: the orchestrator sends it again
under the same idempotency key or asks for the status. The message names the
exception with credentials scrubbed; the traceback (scrubbed alike) goes to the log only.
"""

from __future__ import annotations

import re
import traceback

from payroute_common.messages import ProviderError

ADAPTER_ERROR = "adapter_error"
MAX_MESSAGE = 300
# Provider keys (Stripe/PayMongo `sk_live_…`, Maya `sk-…`, Xendit `xnd_…`) and
# credentials in headers, wherever an exception's text may quote them.
SECRETS = re.compile(
    r"(?:\b(?:sk|pk|rk)[_-](?:live_|test_)?|\bxnd_|\bwhsec_|\bwhsk_)[A-Za-z0-9_]{6,}"
    r"|(?i:\b(?:basic|bearer)\s+)[A-Za-z0-9+/=._-]{6,}"
)


def adapter_error(error: Exception) -> ProviderError:
    """`error` as an undetermined provider error, no secret in its message."""
    text = f"{type(error).__name__}: {error}"
    return ProviderError(category="timeout", code=ADAPTER_ERROR, message=redacted(text))


def redacted(text: str, limit: int = MAX_MESSAGE) -> str:
    return SECRETS.sub("[redacted]", text)[:limit]


def redacted_traceback(error: Exception) -> str:
    """`error`'s traceback for the log, scrubbed like the message."""
    lines = traceback.format_exception(error)
    return redacted("".join(lines), limit=20_000)
