"""The outbox's tables in the journal file: queued once per content hash, append-only, the
journal itself still verifying with them beside it."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synckit import template_station

from kiosk.election.package import development_private_key, development_trust
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.sync.client import Backoff
from kiosk.sync.outbox import Outbox
from kiosk.sync.wire import Receipt, delivery_key, sign_receipt


def test_queue_once_and_append_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(template_station(), data)
    box = Outbox(data / "journal.sqlite", development_trust())
    assert box.queue_folder(data / "protocols") == 4
    assert box.queue_folder(data / "protocols") == 0
    files = sorted((data / "protocols").glob("*.protocol.jws.json"))
    assert {d.key for d in box.pending()} == {delivery_key(f.read_bytes()) for f in files}
    box.attempt(box.pending()[0].key, "failed", "connect: refused")
    for sql in (
        "UPDATE sync_deliveries SET body = x'00'",
        "DELETE FROM sync_attempts",
        "DELETE FROM sync_deliveries",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            box.db.execute(sql)
    st = box.status()
    assert [s.state for s in st] == ["pending"] * 4 and sum(s.attempts for s in st) == 1
    # A receipt written into the file by hand does not count: signed by another key, or a
    # genuine receipt for another delivery. The real one, appended later, still does.
    first, second = box.pending()[0], box.pending()[1]
    real = Receipt(first.key, "0" * 64, "379", "c", 1, True, "2026-11-28T00:00:00Z", "e")
    box.keep_receipt(first.key, sign_receipt(real, Ed25519PrivateKey.generate()))
    box.keep_receipt(first.key, sign_receipt(replace(real, key=second.key), development_private_key()))
    assert box.status()[0].state == "pending" and len(box.pending()) == 4
    box.keep_receipt(first.key, sign_receipt(real, development_private_key()))
    assert len(box.pending()) == 3
    assert [s.state for s in box.status()].count("receipt received") == 1
    box.close()
    # The journal's own checks are untouched by the outbox's tables.
    j = Journal.open(data / "journal.sqlite", FixedClock())
    try:
        report = j.verify()
        assert report.ok, report.problems
    finally:
        j.close()


def test_backoff_full_jitter_is_bounded() -> None:
    import random

    b = Backoff(base=1.0, factor=2.0, cap=60.0, rng=random.Random(3))
    for attempt in range(1, 12):
        delays = [b.delay(attempt) for _ in range(200)]
        assert all(0 <= d <= min(60.0, 2.0**attempt) for d in delays)
        assert max(delays) > 0.5 * min(60.0, 2.0**attempt)  # spread, not a constant
