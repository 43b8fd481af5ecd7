"""The `Stripe-Signature` header: `t=<unix ts>,v1=<hex HMAC-SHA256 of "t.body">`."""

import hashlib
import hmac
import time

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeSigner:
    """Signs each delivery attempt afresh, as Stripe does on retries."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __call__(self, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": signature_header(body, self._secret, int(time.time())),
        }
