from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

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


# libsane reads its configuration once per process, at the first sane_init: point it at the
# test backends (pnm, test) before anything imports python-sane.
os.environ["SANE_CONFIG_DIR"] = str(Path(__file__).resolve().parent.parent / "deploy" / "sane-test")
