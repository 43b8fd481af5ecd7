"""Commands on gateway-api's database: GATEWAY_API_DATABASE_URL, migrated to head first.

A command gets a gateway unit of work and returns a JSON-ready object. Keys
created or revoked through it are announced on `access.keys` like any other (the
gateway's outbox relay publishes them once it runs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from gateway_api.__main__ import MIGRATIONS
from gateway_api.config import Settings
from gateway_api.domain import GatewayError
from gateway_api.tables import inbox, outbox
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_cli.errors import CommandError
from payroute_common.db import make_session_factory
from payroute_common.migrations import upgrade_to_head

GatewayCommand = Callable[[argparse.Namespace, GatewayUnitOfWork], Awaitable[dict[str, Any]]]


def on_gateway_database(command: GatewayCommand) -> Callable[[argparse.Namespace], str]:
    """`command` as a CLI action: run in one unit of work, its result as one JSON line."""

    def run(args: argparse.Namespace) -> str:
        try:
            settings = Settings()
            upgrade_to_head(MIGRATIONS, settings.database_url.get_secret_value())
            result = asyncio.run(_in_unit_of_work(command, args, settings))
        except GatewayError as error:
            raise CommandError(error.message) from None
        except ValidationError as error:
            first = error.errors()[0]
            location = ".".join(map(str, first["loc"]))
            raise CommandError(f"bad setting {location}: {first['msg']}") from None
        except (SQLAlchemyError, OSError) as error:
            first_line = str(error).splitlines()[0]
            raise CommandError(f"database error: {type(error).__name__}: {first_line}") from None
        return json.dumps(result)

    return run


async def _in_unit_of_work(
    command: GatewayCommand, args: argparse.Namespace, settings: Settings
) -> dict[str, Any]:
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
