"""Events on topic `access.keys` (gateway-api → services that authenticate API keys
themselves, such as reconciliation), keyed by key id.

Only the key's SHA-256 hash travels; the secret is shown once at creation and
never stored or sent anywhere.
"""

from datetime import datetime
from typing import Literal

from payroute_common.envelope import Message

KeyRole = Literal["merchant", "operator", "admin"]


class ApiKeyIssued(Message):
    event_type = "ApiKeyIssued"

    key_id: str
    merchant_id: str
    role: KeyRole
    key_hash: str
    created_at: datetime


class ApiKeyRevoked(Message):
    event_type = "ApiKeyRevoked"

    key_id: str
    merchant_id: str
    revoked_at: datetime
