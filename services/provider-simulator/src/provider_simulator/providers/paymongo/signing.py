"""The `Paymongo-Signature` header: `t=<unix ts>,te=<hex>,li=<hex>`, each an HMAC-SHA256
with the webhook secret over `"{t}.{body}"`; `te` is set in test mode, `li` in live mode
(https://developers.paymongo.com/docs/creating-webhook, "Securing a webhook")."""

import hashlib
import hmac
import time


def signature_header(body: bytes, secret: str, timestamp: int, *, livemode: bool = False) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    test, live = ("", digest) if livemode else (digest, "")
    return f"t={timestamp},te={test},li={live}"


class PaymongoSigner:
    """Signs each delivery attempt afresh, with the time of that attempt."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __call__(self, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Paymongo-Signature": signature_header(body, self._secret, int(time.time())),
        }
