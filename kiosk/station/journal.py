"""The station journal: every sheet counted exactly once, through crashes, with ballot secrecy.

SQLite on disk, WAL, synchronous FULL, secure_delete. One sheet is one transaction:
its interpretation, image fingerprints, the tally update and the audit link; the scanner
is told to drop the ballot only after that commit, and a second small commit confirms the
drop. Between the two the sheet is *pending*; after a power cut, pending sheets are
settled from what the scanner reports (see `kiosk.station.service`).

Secrecy: sheet records are keyed by random ids (tables WITHOUT ROWID, so storage order is
id order, not arrival order), carry no time finer than the session, and the audit chain
names no sheet and no vote. Tamper evidence for the records themselves comes from
order-free checkpoints: at every lifecycle change and commission decision the chain stores
the count and a multiset hash (sum of SHA-256 mod 2^256) of all records so far, which
proves the set without revealing the sequence. A chain link per sheet that named the
sheet would hand its voting order to anyone holding the file.

A mirror journal on a second path (the removable USB stick) receives the same
transactions after the primary's commit; on open the two are compared, and a difference
is reported, never merged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from kiosk.errors import SanaqError
from kiosk.station.lifecycle import Allowed, Refused, State, decide

log = logging.getLogger("sanaq.journal")

SCHEMA_VERSION = "1"
Mode = Literal["official", "test"]
SheetState = Literal["pending", "counted"]
GENESIS = "0" * 64
ACC_MOD = 2**256

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sheets (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    session INTEGER NOT NULL,
    state TEXT NOT NULL,
    style TEXT NOT NULL,
    reading TEXT NOT NULL,
    fingerprints TEXT NOT NULL,
    decision TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (sheet TEXT PRIMARY KEY, handle TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen (fingerprint TEXT PRIMARY KEY, sheet TEXT NOT NULL, mode TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    mode TEXT NOT NULL, contest TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (mode, contest, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    at TEXT,
    kind TEXT NOT NULL,
    role TEXT,
    detail TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""


class Clock(Protocol):
    def now_iso(self) -> str: ...


@dataclass(frozen=True)
class ContestVotes:
    """What one sheet adds to one contest's counters."""

    contest: str
    key: str  # "option:<id>", "blank", "overvote" or "review"


@dataclass
class Tally:
    mode: Mode
    contests: dict[str, dict[str, int]] = field(default_factory=dict)
    sheets: int = 0
    pending: int = 0

    def to_json(self, invalid_keys: tuple[str, ...] = ("blank", "overvote")) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mode": self.mode,
            "sheets": self.sheets,
            "pending": self.pending,
            "contests": {},
        }
        for contest, keys in sorted(self.contests.items()):
            options = {k.split(":", 1)[1]: n for k, n in sorted(keys.items()) if k.startswith("option:")}
            out["contests"][contest] = {
                "options": options,
                "blank": keys.get("blank", 0),
                "overvote": keys.get("overvote", 0),
                "invalid": sum(keys.get(k, 0) for k in invalid_keys),
                "review_pending": keys.get("review", 0),
            }
        return out


def sheet_keys(reading_json: dict[str, Any], decision: dict[str, Any] | None = None) -> list[ContestVotes]:
    """The counter keys one sheet contributes: its outcome per contest, or the commission's."""
    decided = {d["contest"]: d for d in (decision or {}).get("contests", [])}
    keys = []
    for c in reading_json["contests"]:
        d = decided.get(c["contest"])
        outcome, choice = (d["outcome"], d.get("choice")) if d else (c["outcome"], c["choice"])
        keys.append(ContestVotes(c["contest"], f"option:{choice}" if outcome == "vote" else outcome))
    return keys


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    audit_events: int
    sheets: int
    problems: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "audit_events": self.audit_events,
            "sheets": self.sheets,
            "problems": list(self.problems),
        }


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _record_hash(row: tuple[Any, ...]) -> int:
    sheet_id, mode, style, reading, fingerprints, decision = row
    blob = _canonical(
        [
            sheet_id,
            mode,
            style,
            json.loads(reading),
            json.loads(fingerprints),
            json.loads(decision) if decision else None,
        ]
    )
    return int.from_bytes(hashlib.sha256(blob).digest(), "big")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class Journal:
    """One station's durable record. Not thread-safe: one writer (the station service)."""

    def __init__(
        self,
        primary: sqlite3.Connection,
        mirror: sqlite3.Connection | None,
        clock: Clock,
        mirror_path: Path | None = None,
    ) -> None:
        self.db = primary
        self.mirror = mirror
        self.mirror_path = mirror_path
        self._mirror_id = _file_id(mirror_path) if mirror_path else None
        self.clock = clock
        self._now = clock.now_iso()

    # --- opening -------------------------------------------------------------------------------

    @staticmethod
    def create(
        path: Path, election_hash: str, station: str, clock: Clock, mirror: Path | None = None
    ) -> Journal:
        if path.exists():
            raise SanaqError("journal_exists", str(path))
        conns = []
        for p in [path] + ([mirror] if mirror else []):
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
                conn = _connect(p)
                conn.executescript(SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise SanaqError("journal_unwritable", f"{p}: {exc}") from exc
            conns.append(conn)
        journal = Journal(conns[0], conns[1] if mirror else None, clock, mirror)
        meta = {
            "schema": SCHEMA_VERSION,
            "election_hash": election_hash,
            "station": station,
            "state": "configured",
            "session": "1",
        }

        def init(db: sqlite3.Connection) -> None:
            db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))

        journal._write(init)
        journal._append_audit("configure", "technician", {"station": station, "election_hash": election_hash})
        return journal

    @staticmethod
    def open(path: Path, clock: Clock, mirror: Path | None = None) -> Journal:
        if not path.exists():
            raise SanaqError("journal_missing", str(path))
        try:
            conn = _connect(path)
            check = conn.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise SanaqError("journal_corrupt", f"{path}: {check[:3]}")
            version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SanaqError("journal_corrupt", f"{path}: {exc}") from exc
        if version != (SCHEMA_VERSION,):
            raise SanaqError("journal_corrupt", f"{path}: schema {version}")
        mirror_conn = None
        if mirror is not None:
            if not mirror.exists():
                raise SanaqError("mirror_unavailable", str(mirror))
            try:
                mirror_conn = _connect(mirror)
                if mirror_conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                    raise SanaqError("mirror_differs", f"{mirror}: integrity check failed")
            except sqlite3.DatabaseError as exc:
                raise SanaqError("mirror_differs", f"{mirror}: {exc}") from exc
            a, b = _digest(conn), _digest(mirror_conn)
            if a != b:
                behind = _links_behind(conn, mirror_conn)
                if behind is None:
                    raise SanaqError("mirror_differs", f"primary {a[:12]} / mirror {b[:12]}")
                # A power cut between the primary's commit and the mirror's leaves the mirror a
                # strict prefix of the primary. Complete that write from a primary that verifies,
                # keeping the old copy beside it.
                journal = Journal(conn, None, clock)
                report = journal.verify()
                if not report.ok:
                    raise SanaqError("journal_corrupt", "; ".join(report.problems[:3]))
                mirror_conn.close()
                stale = mirror.with_name(mirror.name + f".behind-{behind}")
                k = 1
                while Path(str(stale)).exists():  # never overwrite an earlier kept copy
                    k += 1
                    stale = mirror.with_name(mirror.name + f".behind-{behind}.{k}")
                for suffix in ("", "-wal", "-shm"):
                    src = Path(str(mirror) + suffix)
                    if src.exists():
                        os.replace(src, Path(str(stale) + suffix))
                mirror_conn = _connect(mirror)
                conn.backup(mirror_conn)
                journal = Journal(conn, mirror_conn, clock, mirror)
                journal._append_audit("mirror_caught_up", None, {"links_behind": behind})
                return journal
        return Journal(conn, mirror_conn, clock, mirror)

    def close(self) -> None:
        self.db.close()
        if self.mirror is not None:
            self.mirror.close()

    # --- writing ----------------------------------------------------------------------------------

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `fn` in one transaction on the primary, then the same on the mirror."""
        # One reading of the clock per operation, so that both copies record the same time.
        self._now = self.clock.now_iso()
        result = _txn(self.db, fn, "journal")
        if self.mirror is not None:
            # An open file keeps working after its stick is pulled and its name is gone; look.
            if _file_id(self.mirror_path) != self._mirror_id:
                raise SanaqError("mirror_unavailable", f"{self.mirror_path} is gone")
            try:
                _txn(self.mirror, fn, "mirror")
            except SanaqError as exc:
                raise SanaqError("mirror_unavailable", exc.detail) from exc
        return result

    def meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        if row is None:
            raise SanaqError("journal_corrupt", f"meta {key} missing")
        return str(row[0])

    @property
    def state(self) -> State:
        return self.meta("state")  # type: ignore[return-value]

    @property
    def session(self) -> int:
        return int(self.meta("session"))

    def _append_audit(
        self, kind: str, role: str | None, detail: dict[str, Any], db: sqlite3.Connection | None = None
    ) -> None:
        """Append one link. Inside an open transaction when `db` is given."""

        def link(conn: sqlite3.Connection) -> None:
            prev_row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = prev_row[0] if prev_row else GENESIS
            session = int(conn.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0])
            # Lifecycle events carry the time; sheet events carry none (secrecy).
            at = None if kind.startswith("sheet_") else self._now
            body = _canonical([prev, session, at, kind, role, detail])
            digest = hashlib.sha256(body).hexdigest()
            conn.execute(
                "INSERT INTO audit (session, at, kind, role, detail, prev, hash) VALUES (?,?,?,?,?,?,?)",
                (session, at, kind, role, _canonical(detail).decode(), prev, digest),
            )

        if db is not None:
            link(db)
        else:
            self._write(link)

    def _checkpoint(self, conn: sqlite3.Connection, why: str, role: str | None) -> None:
        """Order-free commitment to every record so far; starts a new session."""
        count, acc = _accumulate(conn)
        session = int(conn.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0])
        self._append_audit(
            "checkpoint",
            role,
            {"why": why, "records": count, "acc": f"{acc:064x}", "counters": _counters_digest(conn)},
            conn,
        )
        conn.execute("UPDATE meta SET value=? WHERE key='session'", (str(session + 1),))

    def transition(self, action: str, role: str) -> Allowed | Refused:
        """Apply a lifecycle action, or record why it was refused."""
        verdict = decide(
            self.state,
            action,
            role,
            official_counts_zero=self.official_total() == 0,
            pending_sheets=len(self.pending()),
        )
        if isinstance(verdict, Refused):
            self._append_audit("refused", role, {"action": action, "code": verdict.code, "state": self.state})
            return verdict
        before = self.state

        def apply(conn: sqlite3.Connection) -> None:
            if action == "end_test":
                # Leaving test mode clears test data: it never reaches official counts.
                conn.execute("DELETE FROM sheets WHERE mode='test'")
                conn.execute("DELETE FROM seen WHERE mode='test'")
                conn.execute("DELETE FROM counters WHERE mode='test'")
            conn.execute("UPDATE meta SET value=? WHERE key='state'", (verdict.next_state,))
            self._append_audit(action, role, {"from": before, "to": verdict.next_state}, conn)
            self._checkpoint(conn, action, role)

        self._write(apply)
        self._truncate_wal()
        log.info("lifecycle %s: %s -> %s by %s", action, before, verdict.next_state, role)
        return verdict

    def _truncate_wal(self) -> None:
        """The WAL holds page images in commit order, which is voting order: empty it at every
        session change (it is only a narrowing: freed disk blocks are not overwritten)."""
        for conn in (self.db, self.mirror):
            if conn is not None:
                try:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; it will be retried at the next session change")

    def refuse(self, role: str | None, action: str, code: str) -> None:
        self._append_audit("refused", role, {"action": action, "code": code, "state": self.state})

    # --- sheets -----------------------------------------------------------------------------------

    def record_sheet(
        self,
        mode: Mode,
        style: str,
        reading: dict[str, Any],
        fingerprints: list[str],
        handle: str,
        confirm_previous: str | None = None,
    ) -> str:
        """Record a read sheet as pending, with its tally update and audit link, in one commit.
        Returns the sheet's random id.

        `confirm_previous` confirms the drop of the sheet before it in the same commit: one
        fsync per sheet instead of two. Until then that sheet is pending, which is safe: after
        a power cut the scanner says it is in the box, and settling confirms it."""
        sheet_id = secrets.token_hex(16)
        keys = sheet_keys(reading)

        def insert(conn: sqlite3.Connection) -> None:
            if confirm_previous is not None:
                _confirm(conn, confirm_previous, self)
            conn.execute(
                "INSERT INTO sheets (id, mode, session, state, style, reading, fingerprints) "
                "VALUES (?, ?, (SELECT CAST(value AS INTEGER) FROM meta WHERE key='session'), 'pending', ?, ?, ?)",
                (sheet_id, mode, style, _canonical(reading).decode(), _canonical(fingerprints).decode()),
            )
            conn.execute("INSERT INTO pending VALUES (?, ?)", (sheet_id, handle))
            # The same image bytes twice is never a second ballot: a rescan of paper always
            # differs. It is a replay (a leftover file, a driver fault): stop, do not count.
            for fp in fingerprints:
                if conn.execute("SELECT 1 FROM seen WHERE fingerprint=?", (fp,)).fetchone():
                    raise SanaqError("sheet_already_counted")
                conn.execute("INSERT INTO seen VALUES (?, ?, ?)", (fp, sheet_id, mode))
            for k in keys:
                _bump(conn, mode, k.contest, k.key, 1)
            _bump(conn, mode, "", "sheets", 1)
            self._append_audit("sheet_recorded", None, {"mode": mode}, conn)

        self._write(insert)
        return sheet_id

    def confirm_dropped(self, sheet_id: str) -> None:
        self._write(lambda conn: _confirm(conn, sheet_id, self))

    def void_pending(self, sheet_id: str, why: str, role: str | None = None) -> None:
        """The sheet went back to the voter instead of into the box: it is not counted."""
        self._write(lambda conn: _void(conn, sheet_id, why, role, self))

    def settle_by_commission(self, sheet_id: str, answer: str, role: str, who: str) -> None:
        """Where the scanner cannot tell, the commission says whether the sheet is in the box;
        its answer and who gave it are recorded in the same commit."""

        def apply(conn: sqlite3.Connection) -> None:
            if answer == "box":
                _confirm(conn, sheet_id, self)
            else:
                _void(conn, sheet_id, "commission: not in the box", role, self)
            self._append_audit("pending_decided", role, {"answer": answer, "who": who}, conn)

        self._write(apply)

    def pending(self) -> list[tuple[str, str]]:
        return [
            (str(a), str(b)) for a, b in self.db.execute("SELECT sheet, handle FROM pending ORDER BY sheet")
        ]

    def sheet_returned(self, reason: str) -> None:
        """A sheet refused at the slot: only the reason is kept, never the image or marks."""
        self._append_audit("sheet_returned", None, {"reason": reason})

    def review_sheets(self, mode: Mode = "official") -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT id, reading FROM sheets WHERE mode=? AND state='counted' AND decision IS NULL "
            'AND reading LIKE \'%"outcome":"review"%\' ORDER BY id',
            (mode,),
        )
        return [(str(i), json.loads(r)) for i, r in rows]

    def decide_review(
        self, sheet_id: str, decisions: list[dict[str, Any]], role: str, who: str, why: str
    ) -> None:
        """The commission decides a sheet set aside for review: recorded with who and why."""

        def apply(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT mode, reading, decision FROM sheets WHERE id=?", (sheet_id,)
            ).fetchone()
            if row is None:
                raise SanaqError("sheet_unknown")
            mode, reading, old = row
            if old is not None:
                raise SanaqError("sheet_already_decided")
            reading_json = json.loads(reading)
            decision = {"contests": decisions, "role": role, "who": who, "why": why}
            for k in sheet_keys(reading_json):
                _bump(conn, mode, k.contest, k.key, -1)
            for k in sheet_keys(reading_json, decision):
                _bump(conn, mode, k.contest, k.key, 1)
            conn.execute("UPDATE sheets SET decision=? WHERE id=?", (_canonical(decision).decode(), sheet_id))
            self._append_audit("review_decided", role, {"who": who}, conn)
            self._checkpoint(conn, "review_decided", role)

        self._write(apply)

    # --- reading the journal -------------------------------------------------------------------------

    def tally(self, mode: Mode = "official") -> Tally:
        t = Tally(mode)
        for contest, key, n in self.db.execute("SELECT contest, key, n FROM counters WHERE mode=?", (mode,)):
            if contest == "":
                if key == "sheets":
                    t.sheets = n
                continue
            t.contests.setdefault(contest, {})[key] = n
        t.pending = self.db.execute(
            "SELECT COUNT(*) FROM sheets WHERE mode=? AND state='pending'", (mode,)
        ).fetchone()[0]
        return t

    def official_total(self) -> int:
        row = self.db.execute("SELECT COALESCE(SUM(n), 0) FROM counters WHERE mode='official'").fetchone()
        return int(row[0])

    def cast_vote_records(self, mode: Mode = "official") -> Iterator[dict[str, Any]]:
        """Records in random-id order, which says nothing about the order of voting."""
        for sheet_id, style, reading, decision in self.db.execute(
            "SELECT id, style, reading, decision FROM sheets WHERE mode=? AND state='counted' ORDER BY id",
            (mode,),
        ):
            yield {
                "id": sheet_id,
                "style": style,
                "reading": json.loads(reading),
                "decision": json.loads(decision) if decision else None,
            }

    def audit_events(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT seq, session, at, kind, role, detail FROM audit ORDER BY seq")
        return [
            {"seq": s, "session": ss, "at": at, "kind": k, "role": r, "detail": json.loads(d)}
            for s, ss, at, k, r, d in rows
        ]

    def verify(self) -> VerifyReport:
        """Walk the chain; recompute the tally from the records; check the last checkpoint."""
        problems: list[str] = []
        prev = GENESIS
        last_checkpoint: dict[str, Any] | None = None
        checkpoint_session = 0
        n = 0
        for seq, session, at, kind, role, detail, link_prev, digest in self.db.execute(
            "SELECT seq, session, at, kind, role, detail, prev, hash FROM audit ORDER BY seq"
        ):
            n += 1
            if link_prev != prev:
                problems.append(f"audit link {seq}: previous hash does not match")
            body = _canonical([link_prev, session, at, kind, role, json.loads(detail)])
            if hashlib.sha256(body).hexdigest() != digest:
                problems.append(f"audit link {seq}: hash does not match its content")
            prev = digest
            if kind == "checkpoint":
                last_checkpoint = json.loads(detail)
                checkpoint_session = session
        # Counters recomputed from the records.
        expected: dict[tuple[str, str, str], int] = {}
        for mode, reading, decision in self.db.execute("SELECT mode, reading, decision FROM sheets"):
            for k in sheet_keys(json.loads(reading), json.loads(decision) if decision else None):
                expected[(mode, k.contest, k.key)] = expected.get((mode, k.contest, k.key), 0) + 1
            expected[(mode, "", "sheets")] = expected.get((mode, "", "sheets"), 0) + 1
        actual = {
            (m, c, k): v for m, c, k, v in self.db.execute("SELECT mode, contest, key, n FROM counters") if v
        }
        if expected != actual:
            diff = sorted(set(expected.items()) ^ set(actual.items()))[:5]
            problems.append(f"counters differ from the records: {diff}")
        # The records that existed at the last checkpoint are exactly the ones it committed to.
        if last_checkpoint is not None:
            count, acc = _accumulate(self.db, max_session=checkpoint_session)
            if count != last_checkpoint["records"] or f"{acc:064x}" != last_checkpoint["acc"]:
                problems.append("records differ from the last checkpoint")
        sheets = self.db.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]
        return VerifyReport(not problems, n, sheets, tuple(problems))


# --- helpers -------------------------------------------------------------------------------------------


def _txn(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], what: str) -> Any:
    """One transaction: all of `fn` is durable, or none of it (SQLite may already have rolled
    back by itself, on a full disk for instance)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result
    except sqlite3.OperationalError as exc:
        if "full" in str(exc).lower():
            raise SanaqError("journal_disk_full", what) from exc
        raise SanaqError("journal_unwritable", f"{what}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise SanaqError("journal_corrupt", f"{what}: {exc}") from exc


def _confirm(conn: sqlite3.Connection, sheet_id: str, journal: Journal) -> None:
    cur = conn.execute("DELETE FROM pending WHERE sheet=?", (sheet_id,))
    if cur.rowcount != 1:
        raise SanaqError("sheet_not_pending")
    conn.execute("UPDATE sheets SET state='counted' WHERE id=?", (sheet_id,))
    journal._append_audit("sheet_dropped", None, {}, conn)


def _void(conn: sqlite3.Connection, sheet_id: str, why: str, role: str | None, journal: Journal) -> None:
    row = conn.execute(
        "SELECT mode, reading FROM sheets WHERE id=? AND state='pending'", (sheet_id,)
    ).fetchone()
    if row is None:
        raise SanaqError("sheet_not_pending")
    mode, reading = row
    for k in sheet_keys(json.loads(reading)):
        _bump(conn, mode, k.contest, k.key, -1)
    _bump(conn, mode, "", "sheets", -1)
    conn.execute("DELETE FROM pending WHERE sheet=?", (sheet_id,))
    conn.execute("DELETE FROM seen WHERE sheet=?", (sheet_id,))
    conn.execute("DELETE FROM sheets WHERE id=?", (sheet_id,))
    journal._append_audit("sheet_voided", role, {"why": why}, conn)


def _file_id(path: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st else None


def _bump(conn: sqlite3.Connection, mode: str, contest: str, key: str, delta: int) -> None:
    conn.execute(
        "INSERT INTO counters VALUES (?, ?, ?, ?) ON CONFLICT (mode, contest, key) DO UPDATE SET n = n + excluded.n",
        (mode, contest, key, delta),
    )


def _accumulate(conn: sqlite3.Connection, max_session: int | None = None) -> tuple[int, int]:
    query = "SELECT id, mode, style, reading, fingerprints, decision FROM sheets"
    rows = conn.execute(
        query + (" WHERE session <= ?" if max_session is not None else ""),
        (max_session,) if max_session is not None else (),
    )
    count, acc = 0, 0
    for row in rows:
        count += 1
        acc = (acc + _record_hash(row)) % ACC_MOD
    return count, acc


def _counters_digest(conn: sqlite3.Connection) -> str:
    rows = conn.execute("SELECT mode, contest, key, n FROM counters WHERE n != 0 ORDER BY mode, contest, key")
    return hashlib.sha256(_canonical([list(r) for r in rows])).hexdigest()


def _links_behind(primary: sqlite3.Connection, mirror: sqlite3.Connection) -> int | None:
    """How many audit links the mirror lacks, if its chain is a strict prefix of the primary's."""
    theirs = mirror.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    ours = primary.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    if len(theirs) >= len(ours) or ours[: len(theirs)] != theirs:
        return None
    return len(ours) - len(theirs)


def _digest(conn: sqlite3.Connection) -> str:
    """What must be equal between the primary and the mirror."""
    head = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    count, acc = _accumulate(conn)
    pending = conn.execute("SELECT sheet, handle FROM pending ORDER BY sheet").fetchall()
    meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    return hashlib.sha256(
        _canonical(
            [
                head[0] if head else GENESIS,
                count,
                f"{acc:x}",
                _counters_digest(conn),
                [list(p) for p in pending],
                [list(m) for m in meta],
            ]
        )
    ).hexdigest()
