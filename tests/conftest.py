from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import pytest

from kiosk.election.load import load_election
from kiosk.election.package import LoadedPackage


@lru_cache(maxsize=1)
def _sample() -> LoadedPackage:
    return load_election(None)


@pytest.fixture
def sample() -> LoadedPackage:
    return _sample()


@pytest.fixture(autouse=True)
def _no_network_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    yield
