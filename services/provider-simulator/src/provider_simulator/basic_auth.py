"""HTTP Basic with an API key as the user name and any password, as PayMongo, Xendit
and Maya authenticate their APIs (https://developers.paymongo.com/reference/authentication,
https://developers.xendit.co/api-reference/#authentication,
https://developers.maya.ph/docs/authentication)."""

import base64
import binascii
import hmac


def basic_user_is(authorization: str | None, expected: str) -> bool:
    """Whether `authorization` is HTTP Basic whose user name is `expected` (compared in
    constant time; the password is ignored, as the providers ignore it)."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, _ = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return bool(user) and hmac.compare_digest(user.encode(), expected.encode())
