"""`payroute keys create|revoke`: merchants' API keys."""

from __future__ import annotations

import argparse
from typing import Any, get_args

from gateway_api.admin import api_keys
from gateway_api.domain import Role
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_cli.gateway_database import on_gateway_database


async def _create(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    issued = await api_keys.create_api_key(args.merchant_id, args.role, uow=uow)
    key = issued.key
    return {
        "id": key.id,
        "merchant_id": key.merchant_id,
        "role": key.role,
        "api_key": issued.secret,
    }


async def _revoke(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    key = await api_keys.revoke_api_key(args.key_id, uow=uow)
    return {"id": key.id, "revoked": key.revoked_at is not None}


def register(groups: Any) -> None:
    """Add `keys` to the root parser's subcommands."""
    keys = groups.add_parser("keys", help="API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an API key for a merchant")
    create.add_argument("merchant_id")
    create.add_argument(
        "--role",
        choices=get_args(Role),
        default="merchant",
        help="merchant: its payments; operator: also verifies manual payments; "
        "admin: the platform (any merchant's pricing, reconciliation, analytics)",
    )
    create.set_defaults(run=on_gateway_database(_create))
    revoke = actions.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=on_gateway_database(_revoke))
