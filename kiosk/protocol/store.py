"""Protocol versions, signatures and PIN events in the station's journal database.

Own tables beside the journal's (one sqlite3 connection to the journal file), append-only:
no UPDATE or DELETE is ever issued on them. A corrected protocol is a new row naming the
version it replaces and why. The small interface (`ProtocolStore`) is what the rest of
the protocol code uses, so the tables can move into the journal's own store later.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError

SCHEMA = """
CREATE TABLE IF NOT EXISTS protocol_entries (
    seq INTEGER PRIMARY KEY, contest TEXT NOT NULL, lines TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS protocol_versions (
    contest TEXT NOT NULL, version INTEGER NOT NULL, payload BLOB NOT NULL, sha256 TEXT NOT NULL,
    replaces INTEGER, reason TEXT, at TEXT NOT NULL, PRIMARY KEY (contest, version)
);
CREATE TABLE IF NOT EXISTS protocol_signatures (
    seq INTEGER PRIMARY KEY, contest TEXT NOT NULL, version INTEGER NOT NULL, signer TEXT NOT NULL,
    protected TEXT NOT NULL, signature TEXT NOT NULL, at TEXT NOT NULL,
    UNIQUE (contest, version, signer)
);
CREATE TABLE IF NOT EXISTS protocol_finalised (
    contest TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (contest, version)
);
CREATE TABLE IF NOT EXISTS protocol_audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, member TEXT,
    detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS protocol_versions_no_update BEFORE UPDATE ON protocol_versions
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_versions_no_delete BEFORE DELETE ON protocol_versions
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_signatures_no_update BEFORE UPDATE ON protocol_signatures
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_signatures_no_delete BEFORE DELETE ON protocol_signatures
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_audit_no_update BEFORE UPDATE ON protocol_audit
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS protocol_audit_no_delete BEFORE DELETE ON protocol_audit
BEGIN SELECT RAISE(ABORT, 'append-only'); END;
"""

GENESIS = "0" * 64


@dataclass(frozen=True)
class Version:
    contest: str
    version: int
    payload: bytes
    sha256: str
    replaces: int | None
    reason: str | None
    finalised: bool


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class ProtocolStore:
    """Append-only protocol records in the journal file."""

    def __init__(self, conn: sqlite3.Connection, now: Callable[[], str]) -> None:
        self.db = conn
        self.now = now
        self.db.executescript(SCHEMA)

    @staticmethod
    def open(journal_path: Path, now: Callable[[], str]) -> ProtocolStore:
        if not journal_path.exists():
            raise SanaqError("journal_missing", str(journal_path))
        conn = sqlite3.connect(str(journal_path), isolation_level=None, timeout=5.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return ProtocolStore(conn, now)

    def close(self) -> None:
        self.db.close()

    def _txn(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self.db)
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            return result
        except sqlite3.DatabaseError as exc:
            raise SanaqError("journal_unwritable", f"protocol store: {exc}") from exc

    # --- entered lines --------------------------------------------------------------------------

    def enter(self, contest: str, lines: dict[str, int]) -> None:
        at = self.now()
        self._txn(
            lambda c: c.execute(
                "INSERT INTO protocol_entries (contest, lines, at) VALUES (?,?,?)",
                (contest, _canonical(lines).decode(), at),
            )
        )

    def entered(self, contest: str) -> dict[str, int] | None:
        row = self.db.execute(
            "SELECT lines FROM protocol_entries WHERE contest=? ORDER BY seq DESC LIMIT 1", (contest,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    # --- versions -------------------------------------------------------------------------------

    def versions(self, contest: str) -> list[Version]:
        rows = self.db.execute(
            "SELECT v.contest, v.version, v.payload, v.sha256, v.replaces, v.reason, f.version IS NOT NULL "
            "FROM protocol_versions v LEFT JOIN protocol_finalised f "
            "ON f.contest = v.contest AND f.version = v.version WHERE v.contest=? ORDER BY v.version",
            (contest,),
        )
        return [Version(c, v, bytes(p), h, r, why, bool(f)) for c, v, p, h, r, why, f in rows]

    def latest(self, contest: str) -> Version | None:
        vs = self.versions(contest)
        return vs[-1] if vs else None

    def current_finalised(self, contest: str) -> Version | None:
        final = [v for v in self.versions(contest) if v.finalised]
        return final[-1] if final else None

    def add_version(
        self, contest: str, version: int, payload: bytes, replaces: int | None, reason: str | None
    ) -> None:
        at = self.now()
        digest = hashlib.sha256(payload).hexdigest()

        def add(c: sqlite3.Connection) -> None:
            last = c.execute(
                "SELECT MAX(version) FROM protocol_versions WHERE contest=?", (contest,)
            ).fetchone()[0]
            if version != (last or 0) + 1:
                raise SanaqError("protocol_version_conflict", f"{contest}: v{version} after v{last}")
            c.execute(
                "INSERT INTO protocol_versions VALUES (?,?,?,?,?,?,?)",
                (contest, version, payload, digest, replaces, reason, at),
            )
            self._audit(
                c, "protocol_version", None, {"contest": contest, "version": version, "sha256": digest}
            )

        self._txn(add)

    def add_signature(self, contest: str, version: int, signer: str, protected: str, signature: str) -> None:
        at = self.now()

        def add(c: sqlite3.Connection) -> None:
            if c.execute(
                "SELECT 1 FROM protocol_signatures WHERE contest=? AND version=? AND signer=?",
                (contest, version, signer),
            ).fetchone():
                raise SanaqError("protocol_already_signed", f"{signer} on {contest} v{version}")
            c.execute(
                "INSERT INTO protocol_signatures (contest, version, signer, protected, signature, at) "
                "VALUES (?,?,?,?,?,?)",
                (contest, version, signer, protected, signature, at),
            )
            self._audit(c, "protocol_signed", signer, {"contest": contest, "version": version})

        self._txn(add)

    def signatures(self, contest: str, version: int) -> list[tuple[str, str, str]]:
        """(signer, protected, signature) in signing order."""
        rows = self.db.execute(
            "SELECT signer, protected, signature FROM protocol_signatures WHERE contest=? AND version=? "
            "ORDER BY seq",
            (contest, version),
        )
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def finalise(self, contest: str, version: int) -> None:
        at = self.now()

        def add(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO protocol_finalised VALUES (?,?,?)", (contest, version, at))
            self._audit(c, "protocol_finalised", None, {"contest": contest, "version": version})

        self._txn(add)

    # --- PIN attempts ---------------------------------------------------------------------------

    def audit(self, kind: str, member: str | None, detail: dict[str, Any]) -> None:
        self._txn(lambda c: self._audit(c, kind, member, detail))

    def _audit(self, c: sqlite3.Connection, kind: str, member: str | None, detail: dict[str, Any]) -> None:
        row = c.execute("SELECT hash FROM protocol_audit ORDER BY seq DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS
        at = self.now()
        digest = hashlib.sha256(_canonical([prev, at, kind, member, detail])).hexdigest()
        c.execute(
            "INSERT INTO protocol_audit (at, kind, member, detail, prev, hash) VALUES (?,?,?,?,?,?)",
            (at, kind, member, _canonical(detail).decode(), prev, digest),
        )

    def pin_failures(self, member: str) -> int:
        """Failed PIN attempts since the member's last success."""
        rows = self.db.execute(
            "SELECT kind FROM protocol_audit WHERE member=? AND kind IN ('pin_failed','pin_ok') ORDER BY seq",
            (member,),
        ).fetchall()
        n = 0
        for (kind,) in rows:
            n = n + 1 if kind == "pin_failed" else 0
        return n

    def locked(self, member: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM protocol_audit WHERE member=? AND kind='pin_locked'", (member,)
            ).fetchone()
            is not None
        )

    def audit_events(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT seq, at, kind, member, detail FROM protocol_audit ORDER BY seq")
        return [
            {"seq": s, "at": a, "kind": k, "member": m, "detail": json.loads(d)} for s, a, k, m, d in rows
        ]
