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

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError
from kiosk.protocol.signed import Trust
from kiosk.station.journal import Journal
from kiosk.station.store import schema_sql
from kiosk.sync.wire import delivery_key, verify_receipt


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
    """The outbox of one station's journal. Every write goes through the journal (`Journal._write`):
    one transaction on the journal and on its mirror, with a link of the signed audit chain
    (`sync_queued`, `sync_attempt`, `sync_receipt`) naming what was written, so that
    `Journal.verify` holds the rows to the chain (`outbox_problems`).

    `Outbox(journal_path, trust)` opens the journal with its configured mirror; pass `journal`
    to share the station's own (one writer per journal: the kiosk's loop uses the station's)."""

    def __init__(self, journal_path: Path, trust: Trust, journal: Journal | None = None) -> None:
        from kiosk.station.service import SystemClock

        self.path = journal_path
        self.trust = trust
        self._own = journal is None
        self.journal = (
            journal if journal is not None else Journal.open_configured(journal_path, SystemClock())
        )
        self.db = self.journal.db
        has = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_deliveries'").fetchone()
        if not has and not self.journal.read_only:
            # Journals made before the outbox was in schema.sql get its tables here (and on the
            # mirror), empty: nothing for the chain to account for. The journal's own schema
            # (every statement IF NOT EXISTS) is the one definition of them.
            for conn in (self.journal.db, self.journal.mirror):
                if conn is not None:
                    conn.executescript(schema_sql())

    def close(self) -> None:
        if self._own:
            self.journal.close()

    def _write(self, kind: str, detail: dict[str, Any], fn: Any) -> Any:
        """`fn(conn, at)` on the journal and then on its mirror, `at` the time read once for
        both (read inside `fn`, a second boundary between the two copies made them differ)."""
        at = _now()

        def apply(conn: sqlite3.Connection) -> Any:
            result = fn(conn, at)
            if result != 0:  # nothing written (already queued): no link either
                self.journal._link(conn, kind, None, detail)
            return result

        return self.journal._write(apply)

    def queue_folder(self, protocols: Path) -> int:
        """Queues every finalised protocol file not yet queued; returns how many were new."""
        new = 0
        for f in sorted(protocols.glob("*.protocol.jws.json")):
            new += self.queue(f.name, f.read_bytes())
        return new

    def queue_station_files(self, data: Path, kinds: tuple[str, ...] | list[str]) -> int:
        """The cast vote records and/or the manifest, where the package asks (kiosk/sync/files.py)."""
        from kiosk.sync.files import station_files

        return sum(self.queue(name, body) for name, body in station_files(data, kinds))

    def queue(self, name: str, body: bytes) -> int:
        key = delivery_key(body)
        if self.db.execute("SELECT 1 FROM sync_deliveries WHERE key = ?", (key,)).fetchone():
            return 0
        return int(
            self._write(
                "sync_queued",
                {"key": key, "name": name},
                lambda db, at: (
                    db.execute(
                        "INSERT OR IGNORE INTO sync_deliveries(key, name, body, queued_at) VALUES (?,?,?,?)",
                        (key, name, body, at),
                    ).rowcount
                ),
            )
        )

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
        self._write(
            "sync_attempt",
            {"key": key, "outcome": outcome, "error": error},
            lambda db, at: (
                db.execute(
                    "INSERT INTO sync_attempts(key, at, outcome, error) VALUES (?,?,?,?)",
                    (key, at, outcome, error),
                ).rowcount
            ),
        )

    def keep_receipt(self, key: str, receipt: bytes) -> None:
        self._write(
            "sync_receipt",
            {"key": key, "sha256": hashlib.sha256(receipt).hexdigest()},
            lambda db, at: (
                db.execute(
                    "INSERT INTO sync_receipts(key, receipt, at) VALUES (?,?,?)", (key, receipt, at)
                ).rowcount
            ),
        )

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


def outbox_problems(conn: sqlite3.Connection) -> list[str]:
    """The outbox's rows against the signed audit chain's sync links (part of `Journal.verify`):
    a delivery, attempt or receipt row the chain does not name, or one it names that is gone
    or changed (a delivered row made pending again by deleting its receipt, a receipt swapped,
    an attempt rewritten), and a body that is not its key's."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    linked = conn.execute(
        "SELECT COUNT(*) FROM audit WHERE kind IN ('sync_queued', 'sync_attempt', 'sync_receipt')"
    ).fetchone()[0]
    missing = {"sync_deliveries", "sync_attempts", "sync_receipts"} - tables
    if missing:
        # A journal from before the outbox has neither tables nor links; a table dropped
        # after the chain named its rows is a problem.
        return (
            [f"sync outbox: table(s) {sorted(missing)} missing, the chain has {linked} sync links"]
            if linked
            else []
        )
    queued: list[tuple[str, str]] = []
    attempts: list[tuple[str, str, str | None]] = []
    receipts: list[tuple[str, str]] = []
    for kind, detail in conn.execute(
        "SELECT kind, detail FROM audit WHERE kind IN ('sync_queued', 'sync_attempt', 'sync_receipt') ORDER BY seq"
    ):
        d = json.loads(detail)
        if kind == "sync_queued":
            queued.append((d.get("key"), d.get("name")))
        elif kind == "sync_attempt":
            attempts.append((d.get("key"), d.get("outcome"), d.get("error")))
        else:
            receipts.append((d.get("key"), d.get("sha256")))
    problems: list[str] = []
    rows = conn.execute("SELECT key, name, body FROM sync_deliveries ORDER BY rowid").fetchall()
    if sorted((k, n) for k, n, _ in rows) != sorted(queued):
        problems.append(f"sync outbox: {len(rows)} deliveries, the chain queued {len(queued)} (or others)")
    for k, _n, body in rows:
        if delivery_key(bytes(body)) != k:
            problems.append(f"sync outbox: delivery {str(k)[:12]}: its body is not its content hash")
    got_a = [tuple(r) for r in conn.execute("SELECT key, outcome, error FROM sync_attempts ORDER BY id")]
    if got_a != attempts:
        problems.append(f"sync outbox: {len(got_a)} attempts differ from the chain's {len(attempts)}")
    got_r = [
        (k, hashlib.sha256(bytes(r)).hexdigest())
        for k, r in conn.execute("SELECT key, receipt FROM sync_receipts ORDER BY id")
    ]
    if got_r != receipts:
        problems.append(f"sync outbox: {len(got_r)} receipts differ from the chain's {len(receipts)}")
    return problems
