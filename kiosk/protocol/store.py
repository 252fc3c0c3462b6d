"""Protocol versions, signatures and PIN events in the station's journal.

The tables are the journal's own (`kiosk/station/schema.sql`), append-only (triggers refuse
every UPDATE and DELETE, which also refuses an INSERT OR REPLACE over an existing row). Every
write goes through the journal's one write path (`Journal._write`): one transaction that
also appends a link to the journal's audit chain naming what was written (its digest), signs
the chain's head, goes to the mirror and empties the WAL. `Journal.verify` (`chain.verify`)
then checks each row against its link: a finalised version changed, deleted or its signature
swapped fails verify, and so does cutting or recomputing the chain without the device key.
PIN attempts and lock-outs are links of the same chain.

A corrected protocol is a new row naming the version it replaces and why. The small interface
(`ProtocolStore`) is what the rest of the protocol code uses.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.errors import SanaqError

if TYPE_CHECKING:
    from kiosk.station.journal import Journal

# The journal links the protocol code writes (`kiosk.station.chain.PROTOCOL_KINDS`).
PIN_KINDS = ("pin_failed", "pin_ok", "pin_locked")


@dataclass(frozen=True)
class Version:
    contest: str
    version: int
    payload: bytes
    sha256: str
    replaces: int | None
    reason: str | None
    finalised: bool


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _CallClock:
    def __init__(self, now: Callable[[], str]) -> None:
        self.now = now

    def now_iso(self) -> str:
        return self.now()


def signature_digest(protected: str, signature: str) -> str:
    """What the chain records of one stored signature."""
    return hashlib.sha256(f"{protected}.{signature}".encode()).hexdigest()


class ProtocolStore:
    """Append-only protocol records in the journal, each written with a link of its chain."""

    def __init__(self, journal: Journal, writable: bool = True) -> None:
        self.journal = journal
        self.db = journal.db
        self.writable = writable

    @staticmethod
    def open(journal_path: Path, now: Callable[[], str]) -> ProtocolStore:
        """The station's own journal, with the mirror named in its configuration."""
        from kiosk.station.journal import Journal

        if not journal_path.exists():
            raise SanaqError("journal_missing", str(journal_path))
        return ProtocolStore(Journal.open_configured(journal_path, _CallClock(now)))

    @staticmethod
    def read(journal_path: Path) -> ProtocolStore:
        """A journal file to read only (`sanaq verify --journal`: a copy, maybe without its
        mirror or key); writes are refused."""
        from kiosk.station.journal import Journal

        if not journal_path.exists():
            raise SanaqError("journal_missing", str(journal_path))
        return ProtocolStore(Journal.open(journal_path, _CallClock(lambda: "")), writable=False)

    def now(self) -> str:
        return self.journal.clock.now_iso()

    def close(self) -> None:
        self.journal.close()

    def _txn(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        if not self.writable:
            raise SanaqError("journal_read_only", "opened to read only")
        return self.journal._write(fn)

    def _link(self, c: sqlite3.Connection, kind: str, detail: dict[str, Any]) -> None:
        self.journal._link(c, kind, None, detail)

    # --- entered lines --------------------------------------------------------------------------

    def enter(self, contest: str, lines: dict[str, int]) -> None:
        at = self.now()
        text = _canonical(lines).decode()

        def add(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO protocol_entries (contest, lines, at) VALUES (?,?,?)", (contest, text, at))
            self._link(c, "protocol_entered", {"contest": contest, "sha256": _sha(text.encode())})

        self._txn(add)

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
            self._link(c, "protocol_version", {"contest": contest, "version": version, "sha256": digest})

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
            self._link(
                c,
                "protocol_signed",
                {
                    "contest": contest,
                    "version": version,
                    "member": signer,
                    "sha256": signature_digest(protected, signature),
                },
            )

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
            self._link(c, "protocol_finalised", {"contest": contest, "version": version})

        self._txn(add)

    # --- PIN attempts ---------------------------------------------------------------------------

    def audit(self, kind: str, member: str | None, detail: dict[str, Any]) -> None:
        """A PIN event (`PIN_KINDS`) as a link of the journal's chain, naming the member."""
        self._txn(lambda c: self._link(c, kind, {**detail, "member": member}))

    def _member_events(self, member: str, kinds: tuple[str, ...]) -> list[str]:
        rows = self.db.execute(
            f"SELECT kind FROM audit WHERE kind IN ({','.join('?' * len(kinds))}) "
            "AND json_extract(detail, '$.member') = ? ORDER BY seq",
            (*kinds, member),
        )
        return [str(k) for (k,) in rows]

    def pin_failures(self, member: str) -> int:
        """Failed PIN attempts since the member's last success."""
        n = 0
        for kind in self._member_events(member, ("pin_failed", "pin_ok")):
            n = n + 1 if kind == "pin_failed" else 0
        return n

    def locked(self, member: str) -> bool:
        return bool(self._member_events(member, ("pin_locked",)))

    def audit_events(self) -> list[dict[str, Any]]:
        """The protocol's links of the journal's chain (versions, signatures, PIN events)."""
        from kiosk.station.chain import PROTOCOL_KINDS

        kinds = sorted(PROTOCOL_KINDS)
        rows = self.db.execute(
            f"SELECT seq, at, kind, detail FROM audit WHERE kind IN ({','.join('?' * len(kinds))}) "
            "ORDER BY seq",
            kinds,
        )
        out = []
        for seq, at, kind, detail in rows:
            d = json.loads(detail)
            out.append({"seq": seq, "at": at, "kind": kind, "member": d.pop("member", None), "detail": d})
        return out
