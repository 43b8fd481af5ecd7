from collections.abc import AsyncIterator

import pytest

from .fakes import FakeStore, fake_store


@pytest.fixture
async def store() -> AsyncIterator[FakeStore]:
    async with fake_store() as running:
        yield running
