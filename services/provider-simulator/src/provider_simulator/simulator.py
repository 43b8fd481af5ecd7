"""The simulator's shared state, handed to the HTTP edges as a dependency: the ledger and
each provider's account, all kept in one history file (see the storage package)."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from fastapi import Depends, Request

from provider_simulator.config import Settings
from provider_simulator.ledger import Ledger
from provider_simulator.providers import KNOWN_PROVIDERS
from provider_simulator.providers.maya.state import MayaState
from provider_simulator.providers.paymongo.state import PaymongoState
from provider_simulator.providers.stripe.state import StripeState
from provider_simulator.providers.xendit.state import XenditState
from provider_simulator.scenarios import Scenario, Scenarios
from provider_simulator.storage.database import HistoryDb
from provider_simulator.webhooks import WebhookDispatcher


@dataclass
class Simulator:
    settings: Settings
    webhooks: WebhookDispatcher
    history: HistoryDb = field(init=False)
    ledger: Ledger = field(init=False)
    scenarios: Scenarios = field(init=False)
    stripe: StripeState = field(init=False)
    paymongo: PaymongoState = field(init=False)
    xendit: XenditState = field(init=False)
    maya: MayaState = field(init=False)
    _background: set[asyncio.Task[Any]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        default = Scenario(hang_s=self.settings.timeout_hang_s)
        self.scenarios = Scenarios(KNOWN_PROVIDERS, default=default)
        self.history = HistoryDb(self.settings.data_dir)
        self.ledger = Ledger(self.history)
        self.stripe = StripeState(self.settings, self.history)
        self.paymongo = PaymongoState(self.settings, self.history)
        self.xendit = XenditState(self.settings, self.history)
        self.maya = MayaState(self.settings, self.history)

    def reset(self) -> None:
        """Forget all money moved, all provider objects and all scenarios."""
        self.ledger.clear()
        self.scenarios.reset()
        self.stripe.reset()
        self.paymongo.reset()
        self.xendit.reset()
        self.maya.reset()

    def close(self) -> None:
        """Stop the work still scheduled and remove the history file: a simulator started
        again starts empty."""
        for task in list(self._background):
            task.cancel()
        self.history.close()

    def later(self, delay_s: float, apply: Callable[[], None]) -> None:
        """Run `apply` after `delay_s`, whatever happens to the request that scheduled it."""

        async def wait_then_apply() -> None:
            await asyncio.sleep(delay_s)
            apply()

        self.keep(asyncio.ensure_future(wait_then_apply()))

    def keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a reference to work that must finish even if its request goes away."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def get_simulator(request: Request) -> Simulator:
    return cast(Simulator, request.app.state.simulator)


SimulatorDep = Annotated[Simulator, Depends(get_simulator)]
