"""Two intake processes storing versions of the same protocol at once (issue 15): the version
decision and the insert are one transaction of the store, held per (station, contest) against
every process on the database (SQLite's write lock; a PostgreSQL advisory lock), so a receipt's
`current` is always true of the order the rows were stored in. Real processes, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

import pytest
from synckit import template_protocols

from intake.service import Intake
from intake.store import Store
from intake.synthetic import multi_station_package, readdress, signed_file, synthetic_station
from kiosk.election.package import development_private_key, development_trust
from kiosk.errors import SanaqError
from kiosk.sync.wire import verify_receipt

PKG = multi_station_package(4)
TRUST = development_trust()
HOLD = 0.6  # seconds the first worker holds its decision open (between reading and inserting)


@pytest.fixture(params=["sqlite", "postgres", "sqlite-batched", "postgres-batched"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    batch = {"batch": "1"} if request.param.endswith("-batched") else {}
    if request.param.startswith("sqlite"):
        return {"path": str(tmp_path / "hq.sqlite"), **batch}
    return {"pg": request.getfixturevalue("postgres").new_database(), **batch}


def versions(station: str, n: int, tag: str = "") -> list[bytes]:
    """Versions 1..n of the first contest's protocol, each naming the one before it."""
    st = synthetic_station(PKG, station)
    t = template_protocols()[0]
    out, prev = [], None
    for v in range(1, n + 1):
        p = readdress(t, PKG, station, v, prev)
        if tag and v == n:  # other content for the same version (another journal head named)
            p = dataclasses.replace(p, chain_head="f" * 64)
        out.append(signed_file(st, p))
        prev = p.digest()
    return out


def worker(where: dict[str, str], body: bytes, delay: float, hold: float, out: Any) -> None:
    store = Store(**{k: v for k, v in where.items() if k != "batch"})
    intake = Intake(store, PKG, TRUST, development_private_key(), time.time)
    if where.get("batch"):
        intake.start_batching()  # as the service does (group commit)
    if hold:
        intake.between = lambda: time.sleep(hold)
    v = intake.check(body)  # verification outside the decision, as the service does
    time.sleep(delay)
    try:
        out.put(("ok", intake.accept(body, "https", v).receipt))
    except SanaqError as exc:
        out.put(("refused", exc.code))
    finally:
        store.close()


def race(where: dict[str, str], first: bytes, second: bytes) -> list[tuple[str, Any]]:
    """`first` reads the stored versions and holds HOLD s before inserting; `second` starts in
    that window."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    a = ctx.Process(target=worker, args=(where, first, 0.0, HOLD, q))
    b = ctx.Process(target=worker, args=(where, second, HOLD / 3, 0.0, q))
    a.start()
    b.start()
    a.join(60)
    b.join(60)
    assert a.exitcode == 0 and b.exitcode == 0
    return [q.get(timeout=5), q.get(timeout=5)]


def test_two_processes_storing_versions_of_one_protocol(where: dict[str, str]) -> None:
    store = Store(**{k: v for k, v in where.items() if k != "batch"})
    intake = Intake(store, PKG, TRUST, development_private_key(), time.time)
    contest = template_protocols()[0].contest
    # v2 and v3 at once, after v1: whatever the order, each receipt's `current` is true of
    # the order the rows went in (a v2 stored after v3 is history, never current).
    v1, v2, v3 = versions("1000", 3)
    intake.accept(v1, "https")
    got = race(where, v2, v3)
    assert sorted(k for k, _ in got) == ["ok", "ok"]
    order = store.stored_order("1000", contest)
    assert order[0][0] == 1 and sorted(v for v, _ in order) == [1, 2, 3]
    top = 0
    for version, receipt in order:
        assert verify_receipt(receipt, TRUST).current == (version > top), order
        top = max(top, version)
    # The same version with other bytes at once: one stored, the other refused with a code.
    w = versions("1001", 2)
    intake.accept(w[0], "https")
    other = versions("1001", 2, tag="x")[1]
    assert other != w[1]
    got = race(where, w[1], other)
    assert sorted(k for k, _ in got) == ["ok", "refused"]
    assert [c for k, c in got if k == "refused"] == ["sync_version_conflict"]
    assert [v for v, _ in store.stored_order("1001", contest)] == [1, 2]
    # The same delivery at once from two processes: stored once, the same receipt to both.
    x = versions("1002", 1)[0]
    got = race(where, x, x)
    assert got[0] == got[1] and got[0][0] == "ok" and len(store.stored_order("1002", contest)) == 1
    store.close()
