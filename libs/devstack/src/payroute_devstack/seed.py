"""Seeding the demo merchant through the `payroute` CLI."""

import asyncio
import json
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from payroute_devstack.errors import DevstackError
from payroute_devstack.paths import repo_root, venv_bin

DEMO_MERCHANT = "Demo Merchant"


@dataclass(frozen=True)
class DemoKeys:
    merchant_id: str
    api_key: str
    operator_key: str
    admin_key: str


Seeder = Callable[[Mapping[str, str]], Awaitable[DemoKeys]]


def _json_object(stdout: str) -> dict[str, Any]:
    """The JSON object the CLI printed (the whole output, or its last JSON line)."""
    candidates = [stdout.strip(), *reversed(stdout.strip().splitlines())]
    for text in candidates:
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    raise DevstackError("the payroute CLI printed no JSON object")


async def run_cli(args: list[str], env: Mapping[str, str], within: float) -> dict[str, Any]:
    argv = [str(venv_bin() / "payroute"), *args]
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            argv,
            env=dict(env),
            cwd=repo_root(),
            capture_output=True,
            text=True,
            timeout=within,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DevstackError(f"`payroute {args[0]} {args[1]}` failed: {exc}") from exc
    if done.returncode != 0:
        last = "\n".join(done.stderr.splitlines()[-20:])
        raise DevstackError(f"`payroute {args[0]} {args[1]}` exited {done.returncode}:\n{last}")
    return _json_object(done.stdout)


async def seed_demo_merchant(
    env: Mapping[str, str], *, name: str = DEMO_MERCHANT, within: float = 60.0
) -> DemoKeys:
    """Create a merchant with an operator and an admin key; needs GATEWAY_API_DATABASE_URL.

    The admin key belongs to the demo merchant but acts for the platform (any
    merchant's pricing, reconciliation, platform-wide analytics).
    """
    merchant = await run_cli(["merchants", "create", name], env, within)
    merchant_id = _field(merchant, "id")
    operator = await run_cli(["keys", "create", merchant_id, "--role", "operator"], env, within)
    admin = await run_cli(["keys", "create", merchant_id, "--role", "admin"], env, within)
    return DemoKeys(
        merchant_id,
        _field(merchant, "api_key"),
        _field(operator, "api_key"),
        _field(admin, "api_key"),
    )


def _field(obj: Mapping[str, Any], key: str) -> str:
    if key not in obj:
        raise DevstackError(f"the payroute CLI's JSON has no {key!r} field")
    return str(obj[key])
