"""`payroute`: the operators' command line.

    payroute merchants create NAME [--tier starter|professional|enterprise]
    payroute merchants update MERCHANT_ID [--tier ...] [--platform-fee-percent X|default]
    payroute merchants show MERCHANT_ID
    payroute keys create MERCHANT_ID [--role merchant|operator|admin]
    payroute keys revoke KEY_ID
    payroute dlq list|replay ...   (dead-letter topics: see `dlq_cli`)

Each prints one JSON object on stdout; errors are one line on stderr and exit 1.
Keys created or revoked here are announced on `access.keys` like any other (the
gateway's outbox relay publishes them once it runs).
The database is GATEWAY_API_DATABASE_URL, migrated to head first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, get_args

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from gateway_api import api_keys, dlq_cli, settings_handlers
from gateway_api.__main__ import MIGRATIONS
from gateway_api.config import Settings
from gateway_api.domain import GatewayError, InvalidRequest, Merchant, Role, Tier
from gateway_api.merchant_settings import MerchantSettings
from gateway_api.settings_schemas import MerchantSettingsObject
from gateway_api.store import GatewayUnitOfWork
from gateway_api.tables import inbox, outbox
from payroute_common.db import make_session_factory
from payroute_common.dead_letter_replay import DeadLetterError
from payroute_common.migrations import upgrade_to_head
from reconciliation import cli as reconciliation_cli

Command = Callable[[argparse.Namespace, GatewayUnitOfWork], Awaitable[dict[str, Any]]]


async def _create_merchant(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    merchant, issued = await api_keys.create_merchant(args.name, args.tier, uow=uow)
    return {
        "id": merchant.id,
        "name": merchant.name,
        "tier": merchant.tier,
        "key_id": issued.key.id,
        "api_key": issued.secret,
    }


def _merchant_json(merchant: Merchant, settings: MerchantSettings) -> dict[str, Any]:
    """The merchant and its settings, as `GET /v1/merchant/settings` shows them."""
    shown = MerchantSettingsObject.of(settings).model_dump(mode="json", exclude={"object"})
    shown.pop("merchant_id")
    return {"id": merchant.id, "name": merchant.name, **shown}


async def _update_merchant(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    if args.tier is None and args.platform_fee_percent is None:
        raise InvalidRequest("nothing to change: give --tier and/or --platform-fee-percent")
    await settings_handlers.update_merchant_terms(
        args.merchant_id,
        tier=args.tier,
        platform_fee_percent=args.platform_fee_percent,
        uow=uow,
    )
    return await _show_merchant(args, uow)


async def _show_merchant(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    merchant, settings = await settings_handlers.show_merchant(args.merchant_id, uow=uow)
    return _merchant_json(merchant, settings)


async def _create_key(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    issued = await api_keys.create_api_key(args.merchant_id, args.role, uow=uow)
    key = issued.key
    return {
        "id": key.id,
        "merchant_id": key.merchant_id,
        "role": key.role,
        "api_key": issued.secret,
    }


async def _revoke_key(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    key = await api_keys.revoke_api_key(args.key_id, uow=uow)
    return {"id": key.id, "revoked": key.revoked_at is not None}


def _non_blank(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return text.strip()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="payroute", description="Payroute operations.")
    groups = root.add_subparsers(dest="group", required=True)

    merchants = groups.add_parser("merchants", help="merchants (tenants)")
    merchant_actions = merchants.add_subparsers(dest="action", required=True)
    create = merchant_actions.add_parser("create", help="create a merchant and its first key")
    create.add_argument("name", type=_non_blank)
    create.add_argument("--tier", choices=get_args(Tier), default="starter")
    create.set_defaults(command=_create_merchant)
    update = merchant_actions.add_parser("update", help="change a merchant's fee terms")
    update.add_argument("merchant_id")
    update.add_argument("--tier", choices=get_args(Tier))
    update.add_argument(
        "--platform-fee-percent",
        metavar="PERCENT",
        help="the merchant's own platform fee, e.g. 1.25 (percent); 'default' = the tier's",
    )
    update.set_defaults(command=_update_merchant)
    show = merchant_actions.add_parser("show", help="a merchant and its settings")
    show.add_argument("merchant_id")
    show.set_defaults(command=_show_merchant)

    keys = groups.add_parser("keys", help="API keys")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create_key = key_actions.add_parser("create", help="create an API key for a merchant")
    create_key.add_argument("merchant_id")
    create_key.add_argument(
        "--role",
        choices=get_args(Role),
        default="merchant",
        help="merchant: its payments; operator: also verifies manual payments; "
        "admin: the platform (any merchant's pricing, reconciliation, analytics)",
    )
    create_key.set_defaults(command=_create_key)
    revoke = key_actions.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("key_id")
    revoke.set_defaults(command=_revoke_key)

    dlq_cli.add_commands(groups)
    reconciliation_cli.register(groups)
    return root


async def _run(command: Command, args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    engine = create_async_engine(settings.database_url.get_secret_value(), poolclass=NullPool)
    try:
        uow = GatewayUnitOfWork(
            make_session_factory(engine),
            outbox_table=outbox,
            inbox_table=inbox,
            topic_prefix=settings.topic_prefix,
            after_commit=lambda: None,
        )
        async with uow:
            return await command(args, uow)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.group == "dlq":
        return _dead_letters(args)
    if args.group == "recon":
        return reconciliation_cli.run_command(args)
    try:
        settings = Settings()
        upgrade_to_head(MIGRATIONS, settings.database_url.get_secret_value())
        result = asyncio.run(_run(args.command, args, settings))
    except GatewayError as error:
        return _fail(error.message)
    except ValidationError as error:
        first = error.errors()[0]
        return _fail(f"bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}")
    except (SQLAlchemyError, OSError) as error:
        return _fail(f"database error: {type(error).__name__}: {str(error).splitlines()[0]}")
    print(json.dumps(result))
    return 0


def _dead_letters(args: argparse.Namespace) -> int:
    try:
        print(dlq_cli.run(args))
    except DeadLetterError as error:
        return _fail(str(error))
    return 0


def _fail(message: str) -> int:
    print(f"payroute: error: {message}", file=sys.stderr)
    return 1
