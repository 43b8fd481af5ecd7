"""Which key role may do what. Pure: no I/O.

Roles are ordered, each doing everything the one before it does, always for the
key's own merchant:

- `merchant`: its own payments and refunds, and reading its settings;
- `operator`: the merchant's back office: also approves or rejects manual
  payments and sets routing preferences, amount limits (within the platform's)
  and the verification window;
- `admin`: the platform: also the fee tier and platform fee of ANY merchant
  (`/v1/merchants/{id}/pricing`, or its own through `/v1/merchant/settings`).

A role check comes before anything is read or claimed (Idempotency-Key
included), so a refused request changes nothing.
"""

from __future__ import annotations

from gateway_api.domain import PermissionDenied, Principal, Role

RANK: dict[Role, int] = {"merchant": 0, "operator": 1, "admin": 2}


def may(principal: Principal, role: Role) -> bool:
    """The caller's role is `role` or above it."""
    return RANK[principal.role] >= RANK[role]


def require_role(principal: Principal, role: Role, action: str) -> None:
    """Refuse (403 `insufficient_role`) a caller below `role`; `action` says what it tried."""
    if not may(principal, role):
        article = "an" if role[0] in "aeiou" else "a"
        raise PermissionDenied(
            f"This API key's role ({principal.role}) may not {action}; use {article} {role} key."
        )
