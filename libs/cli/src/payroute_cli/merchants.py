"""`payroute merchants create|update|show`: merchants (tenants) and their fee terms."""

from __future__ import annotations

import argparse
from typing import Any, get_args

from gateway_api.admin import api_keys, settings_commands
from gateway_api.admin.merchant_settings import MerchantSettings
from gateway_api.admin.settings_schemas import MerchantSettingsObject
from gateway_api.domain import InvalidRequest, Merchant, Tier
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_cli.gateway_database import on_gateway_database


async def _create(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    merchant, issued = await api_keys.create_merchant(args.name, args.tier, uow=uow)
    return {
        "id": merchant.id,
        "name": merchant.name,
        "tier": merchant.tier,
        "key_id": issued.key.id,
        "api_key": issued.secret,
    }


async def _update(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    if args.tier is None and args.platform_fee_percent is None:
        raise InvalidRequest("nothing to change: give --tier and/or --platform-fee-percent")
    await settings_commands.update_merchant_terms(
        args.merchant_id,
        tier=args.tier,
        platform_fee_percent=args.platform_fee_percent,
        uow=uow,
    )
    return await _show(args, uow)


async def _show(args: argparse.Namespace, uow: GatewayUnitOfWork) -> dict[str, Any]:
    merchant, settings = await settings_commands.show_merchant(args.merchant_id, uow=uow)
    return _merchant_json(merchant, settings)


def _merchant_json(merchant: Merchant, settings: MerchantSettings) -> dict[str, Any]:
    """The merchant and its settings, as `GET /v1/merchant/settings` shows them."""
    shown = MerchantSettingsObject.of(settings).model_dump(mode="json", exclude={"object"})
    shown.pop("merchant_id")
    return {"id": merchant.id, "name": merchant.name, **shown}


def _non_blank(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return text.strip()


def register(groups: Any) -> None:
    """Add `merchants` to the root parser's subcommands."""
    merchants = groups.add_parser("merchants", help="merchants (tenants)")
    actions = merchants.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a merchant and its first key")
    create.add_argument("name", type=_non_blank)
    create.add_argument("--tier", choices=get_args(Tier), default="starter")
    create.set_defaults(run=on_gateway_database(_create))
    update = actions.add_parser("update", help="change a merchant's fee terms")
    update.add_argument("merchant_id")
    update.add_argument("--tier", choices=get_args(Tier))
    update.add_argument(
        "--platform-fee-percent",
        metavar="PERCENT",
        help="the merchant's own platform fee, e.g. 1.25 (percent); 'default' = the tier's",
    )
    update.set_defaults(run=on_gateway_database(_update))
    show = actions.add_parser("show", help="a merchant and its settings")
    show.add_argument("merchant_id")
    show.set_defaults(run=on_gateway_database(_show))
