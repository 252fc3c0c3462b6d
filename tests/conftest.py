from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from kiosk.election.load import load_election
from kiosk.election.package import LoadedPackage


@lru_cache(maxsize=1)
def _sample() -> LoadedPackage:
    return load_election(None)


@pytest.fixture
def sample() -> LoadedPackage:
    return _sample()


# The sync and intake tests' storage, shared by their modules (tests/synckit.py's PostgreSQL).
@pytest.fixture(scope="module")
def postgres() -> Iterator[Any]:
    """One PostgreSQL server per test module; each test takes a database of its own."""
    from synckit import Postgres

    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The intake's storage: every test that uses it runs on both."""
    from intake.store import Store

    if request.param == "sqlite":
        s = Store(str(tmp_path / "hq.sqlite"))
    else:
        s = Store(pg=request.getfixturevalue("postgres").new_database())
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_network_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    yield


# fast12: the tests run in two processes (pytest-xdist, `make unit`). Kivy writes its config.ini
# and logs, and the kiosk its WAVs, in KIVY_HOME (by default /tmp/sanaq-kivy or ~/.kivy, one
# folder for both processes, created by whichever imports Kivy first): each test process gets
# its own (a test that sets KIVY_HOME itself still does; subprocesses inherit it).
if "KIVY_HOME" not in os.environ:
    _kivy_home = tempfile.mkdtemp(prefix="sanaq-kivy-test-")
    atexit.register(shutil.rmtree, _kivy_home, True)
    os.environ["KIVY_HOME"] = _kivy_home

# libsane reads its configuration once per process, at the first sane_init: point it at the
# test backends (pnm, test) before anything imports python-sane.
os.environ["SANE_CONFIG_DIR"] = str(Path(__file__).resolve().parent.parent / "deploy" / "sane-test")
