"""The kiosk's outbox: tables of its own in the journal's SQLite file, append-only.

Every finalised signed protocol (DATA/protocols/*.protocol.jws.json) becomes one delivery keyed
by the sha256 of its bytes (the idempotency key the intake uses). Attempts and receipts are
rows appended beside it; nothing is updated or deleted (triggers refuse it), so the state of a
delivery is read from its rows: ``receipt received`` once a receipt that verifies (headquarters'
signature, for this delivery's hash) is kept: a receipt row written into the file by hand does
not count, and cannot block the real one (rows are appended, never unique); ``refused`` when the
intake refused it with a code; ``sent`` when the last attempt reached the intake but no valid
receipt came back; else ``pending``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError
from kiosk.protocol.signed import Trust
from kiosk.sync.wire import delivery_key, verify_receipt

SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_deliveries (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, body BLOB NOT NULL, queued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sync_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL REFERENCES sync_deliveries(key),
    at TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT);
CREATE TABLE IF NOT EXISTS sync_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL REFERENCES sync_deliveries(key),
    receipt BLOB NOT NULL, at TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS sync_deliveries_no_update BEFORE UPDATE ON sync_deliveries
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_deliveries_no_delete BEFORE DELETE ON sync_deliveries
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_attempts_no_update BEFORE UPDATE ON sync_attempts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_attempts_no_delete BEFORE DELETE ON sync_attempts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_receipts_no_update BEFORE UPDATE ON sync_receipts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
CREATE TRIGGER IF NOT EXISTS sync_receipts_no_delete BEFORE DELETE ON sync_receipts
    BEGIN SELECT RAISE(ABORT, 'sync outbox is append-only'); END;
"""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Delivery:
    key: str
    name: str
    body: bytes


@dataclass(frozen=True)
class DeliveryStatus:
    key: str
    name: str
    state: str  # pending | sent | refused | receipt received
    attempts: int
    last_error: str | None
    receipt: bytes | None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "receipt": self.receipt is not None,
        }


class Outbox:
    def __init__(self, journal_path: Path, trust: Trust) -> None:
        self.path = journal_path
        self.trust = trust
        self.db = sqlite3.connect(journal_path, timeout=30, isolation_level=None)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def queue_folder(self, protocols: Path) -> int:
        """Queues every finalised protocol file not yet queued; returns how many were new."""
        new = 0
        for f in sorted(protocols.glob("*.protocol.jws.json")):
            new += self.queue(f.name, f.read_bytes())
        return new

    def queue(self, name: str, body: bytes) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO sync_deliveries(key, name, body, queued_at) VALUES (?,?,?,?)",
                (delivery_key(body), name, body, _now()),
            )
            return cur.rowcount

    def receipt(self, key: str) -> bytes | None:
        """The first kept receipt for `key` that verifies, or None."""
        for (raw,) in self.db.execute("SELECT receipt FROM sync_receipts WHERE key = ? ORDER BY id", (key,)):
            try:
                verify_receipt(bytes(raw), self.trust, key)
            except SanaqError:
                continue
            return bytes(raw)
        return None

    def pending(self) -> list[Delivery]:
        rows = self.db.execute("SELECT key, name, body FROM sync_deliveries ORDER BY name").fetchall()
        return [Delivery(k, n, bytes(b)) for k, n, b in rows if self.receipt(k) is None]

    def attempt(self, key: str, outcome: str, error: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO sync_attempts(key, at, outcome, error) VALUES (?,?,?,?)",
                (key, _now(), outcome, error),
            )

    def keep_receipt(self, key: str, receipt: bytes) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO sync_receipts(key, receipt, at) VALUES (?,?,?)", (key, receipt, _now()))

    def status(self) -> list[DeliveryStatus]:
        out = []
        for key, name in self.db.execute("SELECT key, name FROM sync_deliveries ORDER BY name").fetchall():
            receipt = self.receipt(key)
            attempts = self.db.execute(
                "SELECT outcome, error FROM sync_attempts WHERE key = ? ORDER BY id", (key,)
            ).fetchall()
            errors = [e for o, e in attempts if e]
            if receipt is not None:
                state = "receipt received"
            elif attempts and attempts[-1][0] in ("sent", "refused"):
                state = attempts[-1][0]
            else:
                state = "pending"
            out.append(
                DeliveryStatus(
                    key,
                    name,
                    state,
                    len(attempts),
                    errors[-1] if errors else None,
                    receipt,
                )
            )
        return out
