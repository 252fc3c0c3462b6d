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


def _slow_modules() -> list[tuple[float, str]]:
    """tests/slow_modules.txt's lines: (seconds, module path), longest first."""
    rows = []
    for line in (Path(__file__).parent / "slow_modules.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            seconds, module = line.split()
            rows.append((float(seconds), module))
    return sorted(rows, reverse=True)


def long_modules_first(nodeids: list[str], workers: int, slow: list[tuple[float, str]]) -> list[int]:
    """The run order (indices into `nodeids`) for `workers` processes under xdist's worksteal
    scheduler, which gives each worker an equal contiguous share of the order and lets an idle
    one take the back half of another's queue: the long modules are dealt out, longest first,
    to the worker whose share is shortest so far, each at the head of that worker's share, so
    they start first and what is stolen at the end is short. A module's tests stay together
    and in their order (module fixtures are made once); the rest keep their order."""
    module_of = [n.split("::", 1)[0] for n in nodeids]
    by_module: dict[str, list[int]] = {}
    for i, m in enumerate(module_of):
        by_module.setdefault(m, []).append(i)
    heads: list[list[int]] = [[] for _ in range(max(1, workers))]
    load = [0.0] * len(heads)
    taken: set[str] = set()
    for seconds, module in slow:
        if module in by_module and module not in taken:
            w = load.index(min(load))
            heads[w].extend(by_module[module])
            load[w] += seconds
            taken.add(module)
    rest = [i for i, m in enumerate(module_of) if m not in taken]
    order: list[int] = []
    share = len(nodeids) / len(heads)
    for w, head in enumerate(heads):
        # fill this worker's share up to its end with the rest, in their order
        end = round(share * (w + 1)) if w < len(heads) - 1 else len(nodeids)
        take = max(0, end - len(order) - len(head))
        order.extend(head)
        order.extend(rest[:take])
        rest = rest[take:]
    order.extend(rest)
    return order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Only in an xdist worker (every worker collects the same items and so computes the same
    # order, which xdist checks); one process runs them as collected.
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if not os.environ.get("PYTEST_XDIST_WORKER") or workers < 2:
        return
    order = long_modules_first([i.nodeid for i in items], workers, _slow_modules())
    items[:] = [items[i] for i in order]


# pass32: where the suite's CPU goes. With SANAQ_TEST_CPU=path each test appends one JSON line
# (its node id, the CPU seconds of this process and of the child processes it waited for, over
# setup, call and teardown, and its wall seconds) to that file: the `sanaq` commands a test runs
# are its children. Wall far over CPU is a test waiting (a sleep, a timeout, a server).
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    path = os.environ.get("SANAQ_TEST_CPU")
    if not path:
        yield
        return
    import json

    before = os.times()
    yield
    after = os.times()
    row = {
        "test": item.nodeid,
        "wall": round(after.elapsed - before.elapsed, 3),
        "self": round(after.user + after.system - before.user - before.system, 3),
        "children": round(
            after.children_user + after.children_system - before.children_user - before.children_system, 3
        ),
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
