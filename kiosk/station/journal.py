"""The station journal: every sheet counted exactly once, through crashes, with ballot secrecy.

One sheet is one transaction: its interpretation, image fingerprints, the tally update and
the audit link; the scanner is told to drop the ballot only after that commit, and the
next sheet's commit (or one of its own) confirms the drop. Between the two the sheet is
*pending*; after a power cut, pending sheets are settled from what the scanner reports
(see `kiosk.station.service`).

The parts: `store` (SQLite, transactions, the schema in `schema.sql`), `chain` (the audit
chain, signed checkpoints and head, the verifier), `mirror` (the USB copy), `device` (the
kiosk's Ed25519 key). This class puts them together; which lifecycle step is allowed is
decided by `lifecycle.decide`, and the reports around it are made by the station service.

Secrecy: records are keyed by random ids (WITHOUT ROWID: stored in id order), their place
inside a page is shuffled at every insert, they carry no time and the same session number,
the WAL is emptied after every commit, and the audit chain names no sheet and no vote.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import SanaqError
from kiosk.station import chain
from kiosk.station.chain import GENESIS, NO_BLIND, VerifyReport, chain_code
from kiosk.station.device import (
    device_key_id,
    load_device_key,
    load_or_create_device_key,
    raw_public,
)
from kiosk.station.lifecycle import Allowed, CalibrationFacts, Refused, State, decide, review_refusal
from kiosk.station.mirror import digest, file_id, links_behind, set_aside
from kiosk.station.store import (
    SCHEMA_VERSION,
    bump,
    canonical,
    connect,
    is_disk_full,
    is_read_only,
    low_on_space,
    schema_sql,
    truncate_wal,
    txn,
)
from kiosk.vocabulary import ErrorCode, TallyKey, option_of, tally_key
from kiosk.vocabulary import Mode as Mode

log = logging.getLogger("sanaq.journal")

SheetState = Literal["pending", "counted"]
# Records around a new one whose place in the page is shuffled with it (a 4 KiB page holds
# about 6 records): SQLite fills a page from its end, so the offsets of cells inserted one by
# one would give their order.
SHUFFLE_NEIGHBOURS = 8
# Lifecycle steps after which both files are rebuilt (`Journal.compact`).
COMPACT_AFTER = frozenset({"pause", "close", "end_test", "finalise"})

__all__ = [
    "GENESIS",
    "Clock",
    "ContestVotes",
    "Journal",
    "Mode",
    "Tally",
    "VerifyReport",
    "chain_code",
    "sheet_keys",
]


class Clock(Protocol):
    def now_iso(self) -> str: ...


@dataclass(frozen=True)
class ContestVotes:
    """What one sheet adds to one contest's counters."""

    contest: str
    key: TallyKey  # "option:<id>", "blank", "overvote" or "review" (kiosk.vocabulary)


@dataclass
class Tally:
    mode: Mode
    contests: dict[str, dict[str, int]] = field(default_factory=dict)
    sheets: int = 0
    pending: int = 0

    def to_json(self, invalid_keys: tuple[str, ...]) -> dict[str, Any]:
        """`invalid_keys`: `kiosk.election.rules.invalid_outcomes(rules)`; no default of its own."""
        out: dict[str, Any] = {
            "mode": self.mode,
            "sheets": self.sheets,
            "pending": self.pending,
            "contests": {},
        }
        for contest, keys in sorted(self.contests.items()):
            options = {o: n for k, n in sorted(keys.items()) if (o := option_of(k)) is not None}
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
        keys.append(ContestVotes(c["contest"], tally_key(outcome, choice)))
    return keys


def _needs_review(keys: list[ContestVotes]) -> int:
    return int(any(k.key == "review" for k in keys))


class Journal:
    """One station's durable record. Not thread-safe: one writer (the station service)."""

    def __init__(
        self,
        primary: sqlite3.Connection,
        mirror: sqlite3.Connection | None,
        clock: Clock,
        mirror_path: Path | None = None,
        key: Ed25519PrivateKey | None = None,
        read_only: bool = False,
    ) -> None:
        self.db = primary
        self.mirror = mirror
        self.mirror_path = mirror_path
        self._mirror_id = file_id(mirror_path) if mirror_path else None
        self.clock = clock
        self.key = key
        self.read_only = read_only
        self._now = clock.now_iso()
        self._seen: set[str] | None = None
        # Several Journal objects on one file in one process (the kiosk's sync thread beside the
        # station): their writes must reach the primary and the mirror in the same order.
        self._wlock = _write_lock(primary)

    # --- opening -------------------------------------------------------------------------------

    @staticmethod
    def create(
        path: Path,
        election_hash: str,
        station: str,
        clock: Clock,
        mirror: Path | None = None,
        scanner: str | None = None,
        key: Ed25519PrivateKey | None = None,
    ) -> Journal:
        """A new journal. The configuration (station, election, mirror path, scanner URL,
        the device's public key) is the first link of the chain, not a loose file.

        Made under temporary names and renamed into place at the end: a failure (a full
        disk) leaves nothing half-made, and `init` can be tried again."""
        if path.exists():
            raise SanaqError("journal_exists", str(path))
        if mirror is not None and mirror.exists():
            raise SanaqError("journal_exists", str(mirror))
        targets = [path] + ([mirror] if mirror else [])
        temps = [p.with_name(f".{p.name}.init") for p in targets]
        conns: list[sqlite3.Connection] = []
        try:
            if key is None:
                key = load_or_create_device_key(path.parent)
            for tmp in temps:
                tmp.parent.mkdir(parents=True, exist_ok=True)
                _remove_db(tmp)
                conn = connect(tmp)
                conn.executescript(schema_sql())
                conns.append(conn)
            journal = Journal(conns[0], conns[1] if mirror else None, clock, None, key)
            meta = {
                "schema": SCHEMA_VERSION,
                "election_hash": election_hash,
                "station": station,
                "state": "configured",
                "session": "1",
                "count_session": "1",
                "blind": NO_BLIND,
            }
            config = {
                "station": station,
                "election_hash": election_hash,
                "mirror": str(mirror) if mirror else None,
                "scanner": scanner,
                "device_key": raw_public(key.public_key()).hex(),
                "device_key_id": device_key_id(key.public_key()),
            }

            def init(db: sqlite3.Connection) -> None:
                db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
                journal._link(db, "configure", "technician", config)

            journal._write(init)
            for conn in conns:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.close()
        except (OSError, sqlite3.Error, SanaqError) as exc:
            for conn in conns:
                conn.close()
            for tmp in temps:
                _remove_db(tmp)
            if isinstance(exc, SanaqError):
                raise
            code: ErrorCode = "journal_disk_full" if is_disk_full(exc) else "journal_unwritable"
            raise SanaqError(code, f"{path}: {exc}") from exc
        # The mirror first: a primary without its mirror would not open.
        for tmp, target in reversed(list(zip(temps, targets, strict=True))):
            _remove_db(tmp, keep_main=True)
            tmp.replace(target)
        return Journal.open(path, clock, mirror, key=key)

    @staticmethod
    def configuration(path: Path) -> dict[str, Any]:
        """The configuration written at init (the first link of the chain)."""
        if not path.exists():
            raise SanaqError("journal_missing", str(path))
        conn = _open_primary(path)[0]
        try:
            config = chain.configuration(conn)
        finally:
            conn.close()
        if config is None:
            raise SanaqError("journal_tampered", "the configure link does not hold")
        return config

    @staticmethod
    def open_configured(path: Path, clock: Clock) -> Journal:
        """Open with the mirror named at init, from the journal itself."""
        mirror = Journal.configuration(path).get("mirror")
        return Journal.open(path, clock, Path(mirror) if mirror else None)

    @staticmethod
    def open(
        path: Path, clock: Clock, mirror: Path | None = None, key: Ed25519PrivateKey | None = None
    ) -> Journal:
        if not path.exists():
            raise SanaqError("journal_missing", str(path))
        conn, read_only = _open_primary(path)
        if key is None:
            key = load_device_key(path.parent)
        mirror_conn = None
        if mirror is not None and not read_only:
            if not mirror.exists():
                raise SanaqError("mirror_unavailable", str(mirror))
            try:
                mirror_conn = connect(mirror)
                if mirror_conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                    raise SanaqError("mirror_differs", f"{mirror}: integrity check failed")
            except sqlite3.DatabaseError as exc:
                raise SanaqError("mirror_differs", f"{mirror}: {exc}") from exc
            a, b = digest(conn), digest(mirror_conn)
            if a != b:
                behind = links_behind(conn, mirror_conn)
                if behind is None:
                    raise SanaqError("mirror_differs", f"primary {a[:12]} / mirror {b[:12]}")
                # A power cut between the primary's commit and the mirror's leaves the mirror a
                # strict prefix of the primary. Complete that write from a primary that verifies,
                # keeping the old copy beside it.
                journal = Journal(conn, None, clock, key=key)
                report = journal.verify()
                if not report.ok:
                    raise SanaqError("journal_corrupt", "; ".join(report.problems[:3]))
                head = mirror_conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                mirror_conn.close()
                set_aside(mirror, behind, {"head": head[0] if head else None, "digest": b})
                mirror_conn = connect(mirror)
                conn.backup(mirror_conn)
                journal = Journal(conn, mirror_conn, clock, mirror, key)
                journal._append_audit("mirror_caught_up", None, {"links_behind": behind})
                return journal
        return Journal(conn, mirror_conn, clock, mirror, key, read_only)

    def close(self) -> None:
        self.db.close()
        if self.mirror is not None:
            self.mirror.close()

    # --- writing ----------------------------------------------------------------------------------

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `fn` in one transaction on the primary, then the same on the mirror; sign the
        chain's head in each; then empty both WALs (their frames are in voting order)."""
        if self.read_only:
            raise SanaqError("journal_read_only")
        key = self.key
        if key is None:
            raise SanaqError("device_key_invalid", "no device key next to the journal")
        # One reading of the clock per operation, so that both copies record the same time.
        self._now = self.clock.now_iso()

        def signed(conn: sqlite3.Connection) -> Any:
            result = fn(conn)
            chain.sign_head(conn, key)
            return result

        with self._wlock:
            result = txn(self.db, signed, "journal")
            truncate_wal(self.db)
            if self.mirror is not None:
                # An open file keeps working after its stick is pulled and its name is gone; look.
                if file_id(self.mirror_path) != self._mirror_id:
                    raise SanaqError("mirror_unavailable", f"{self.mirror_path} is gone")
                try:
                    txn(self.mirror, signed, "mirror")
                except SanaqError as exc:
                    raise SanaqError("mirror_unavailable", exc.detail) from exc
                truncate_wal(self.mirror)
        return result

    def meta(self, key: str) -> str:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise SanaqError("journal_corrupt", str(exc)) from exc
        if row is None:
            raise SanaqError("journal_corrupt", f"meta {key} missing")
        return str(row[0])

    @property
    def state(self) -> State:
        return self.meta("state")  # type: ignore[return-value]

    @property
    def session(self) -> int:
        return int(self.meta("session"))

    def config(self) -> dict[str, Any]:
        config = chain.configuration(self.db)
        if config is None:
            raise SanaqError("journal_tampered", "the configure link does not hold")
        return config

    def chain_head(self) -> str:
        """Hex sha256 of the last audit link."""
        return chain.head_of(self.db)[1]

    def counting_head(self) -> str:
        """Hex sha256 of the last counting or lifecycle link (`chain.counting_head`): what a
        protocol commits to, so that an audit link after it (a refusal, a sign-in, a PIN
        attempt, a protocol signature) does not make a new version."""
        return chain.counting_head(self.db)

    def chain_code(self, head: str | None = None) -> str:
        """The short human code of `head` (default: the current head), as printed on slips."""
        return chain_code(head if head is not None else self.chain_head())

    def check_state(self) -> None:
        """The state that decides what is allowed is the chain's, not a value one can edit:
        refuse to act when they disagree (a state set back from finalised to closed)."""
        from_chain = chain.last_lifecycle_state(self.db)
        if (
            from_chain != self.state
            or self.session
            != 1 + self.db.execute("SELECT COUNT(*) FROM audit WHERE kind='checkpoint'").fetchone()[0]
        ):
            raise SanaqError(
                "journal_tampered", f"state {self.state}, the chain says {from_chain}; run verify"
            )

    def _link(
        self,
        conn: sqlite3.Connection,
        kind: str,
        role: str | None,
        detail: dict[str, Any],
        sign: bool = False,
    ) -> str:
        # Lifecycle events carry the time; sheet events carry none (secrecy).
        at = None if kind.startswith("sheet_") else self._now
        return chain.append_link(conn, kind, role, detail, at, self.key if sign else None)

    def _append_audit(
        self, kind: str, role: str | None, detail: dict[str, Any], db: sqlite3.Connection | None = None
    ) -> None:
        """Append one link. Inside an open transaction when `db` is given."""
        if db is not None:
            self._link(db, kind, role, detail)
        else:
            self._write(lambda conn: self._link(conn, kind, role, detail))

    def _checkpoint(self, conn: sqlite3.Connection, why: str, role: str | None, blind: str) -> None:
        """A signed commitment to every record so far (blinded: see `chain`); starts a new session."""
        conn.execute("UPDATE meta SET value=? WHERE key='blind'", (blind,))
        self._link(conn, "checkpoint", role, chain.checkpoint_detail(conn, why, blind), sign=True)
        session = int(conn.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0])
        conn.execute("UPDATE meta SET value=? WHERE key='session'", (str(session + 1),))

    def _changed(self, conn: sqlite3.Connection) -> None:
        """A sheet changed: the last checkpoint's blind is overwritten, never to be opened."""
        conn.execute("UPDATE meta SET value=? WHERE key='blind'", (NO_BLIND,))

    def transition(self, action: str, role: str) -> Allowed | Refused:
        """Decide with `lifecycle.decide` and apply: for tools and tests that have no station.
        The station decides itself (`Station.transition`) and calls `apply_transition`."""
        verdict = self.decide(action, role)
        if isinstance(verdict, Refused):
            self.refuse(role, action, verdict.code)
            return verdict
        self.apply_transition(action, role, verdict.next_state)
        return verdict

    def decide(
        self, action: str, role: str, calibration: CalibrationFacts | None = None, **facts: bool
    ) -> Allowed | Refused:
        """The facts `lifecycle.decide` needs, from this journal; `calibration` and `facts`:
        those only the station knows (its scanners' calibrations, what its package requires),
        passed through."""
        return decide(
            self.state,
            action,
            role,
            official_counts_zero=self.official_total() == 0,
            pending_sheets=len(self.pending()),
            calibration=calibration,
            **facts,
        )

    def apply_transition(self, action: str, role: str, next_state: State) -> None:
        """Record a lifecycle step already decided: the state, the link, a signed checkpoint."""
        self.check_state()
        before = self.state
        blind = secrets.token_hex(32)

        def apply(conn: sqlite3.Connection) -> None:
            if action == "end_test":
                # Leaving test mode clears test data: it never reaches official counts.
                conn.execute("DELETE FROM sheets WHERE mode='test'")
                conn.execute("DELETE FROM counters WHERE mode='test'")
            conn.execute("UPDATE meta SET value=? WHERE key='state'", (next_state,))
            self._link(conn, action, role, {"from": before, "to": next_state})
            self._checkpoint(conn, action, role, blind)
            if action in ("open", "start_test"):
                # Every record of this counting carries this session, whatever pauses follow.
                session = conn.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0]
                conn.execute("UPDATE meta SET value=? WHERE key='count_session'", (session,))

        self._write(apply)
        if action == "end_test":
            self._seen = None
        if action in COMPACT_AFTER:
            self.compact()
        log.info("lifecycle %s: %s -> %s by %s", action, before, next_state, role)

    def compact(self) -> bool:
        """Rebuild both files (VACUUM) and empty their WALs. secure_delete zeroes deleted
        cells, but when SQLite rebalances a page it writes the page's cells anew and leaves the
        old ones in the gap between the cell pointers and the new cells: an older state of the
        page, whose records came before the others (tests/test_attack_storage.py found whole
        stale records, a pending row's handle among them). A rebuilt file holds every page
        freshly written, in key order. Done at pause, close, end of test mode and finalise;
        False (logged) if a reader held a file and its rebuild must wait for the next one."""
        done = True
        for conn in (self.db, self.mirror):
            if conn is None:
                continue
            try:
                conn.execute("VACUUM")
            except sqlite3.Error as exc:
                log.warning("compact: %s", exc)
                done = False
            truncate_wal(conn)
        return done

    def record_report(
        self, kind: str, role: str | None, report: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> str:
        """A report the station made (the zero report, the closing report): its digest as a
        signed link. Returns the chain head after it, whose code goes on the paper. `extra`:
        more of the report in the link itself (a scanner calibration's serial and date)."""
        import hashlib

        detail = {**(extra or {}), "sha256": hashlib.sha256(canonical(report)).hexdigest()}
        self._write(lambda conn: self._link(conn, kind, role, detail, sign=True))
        return self.chain_head()

    def refuse(self, role: str | None, action: str, code: str) -> None:
        self._append_audit("refused", role, {"action": action, "code": code, "state": self.state})

    # --- sheets -----------------------------------------------------------------------------------

    def _fingerprints_seen(self) -> set[str]:
        if self._seen is None:
            seen: set[str] = set()
            for (fps,) in self.db.execute("SELECT fingerprints FROM sheets"):
                seen.update(json.loads(fps))
            self._seen = seen
        return self._seen

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
        commit per sheet instead of two. Until then that sheet is pending, which is safe: after
        a power cut the scanner says it is in the box, and settling confirms it."""
        sheet_id = secrets.token_hex(16)
        keys = sheet_keys(reading)
        seen = self._fingerprints_seen()
        # The same image bytes twice is never a second ballot: a rescan of paper always
        # differs. It is a replay (a leftover file, a driver fault): stop, do not count.
        if any(fp in seen for fp in fingerprints) or len(set(fingerprints)) != len(fingerprints):
            raise SanaqError("sheet_already_counted")
        order = secrets.SystemRandom()

        def insert(conn: sqlite3.Connection) -> None:
            if confirm_previous is not None:
                _confirm(conn, confirm_previous, self)
            conn.execute(
                "INSERT INTO sheets (id, mode, session, state, style, reading, fingerprints, review) "
                "VALUES (?, ?, (SELECT CAST(value AS INTEGER) FROM meta WHERE key='count_session'), "
                "'pending', ?, ?, ?, ?)",
                (
                    sheet_id,
                    mode,
                    style,
                    canonical(reading).decode(),
                    canonical(fingerprints).decode(),
                    _needs_review(keys),
                ),
            )
            conn.execute("INSERT INTO pending VALUES (?, ?)", (sheet_id, handle))
            _shuffle_around(conn, sheet_id, order)
            for k in keys:
                bump(conn, mode, k.contest, k.key, 1)
            bump(conn, mode, "", "sheets", 1)
            self._changed(conn)
            self._link(conn, "sheet_recorded", None, {"mode": mode})

        try:
            self._write(insert)
        finally:
            if self.db.execute("SELECT 1 FROM sheets WHERE id=?", (sheet_id,)).fetchone():
                seen.update(fingerprints)
        return sheet_id

    def confirm_dropped(self, sheet_id: str) -> None:
        self._write(lambda conn: _confirm(conn, sheet_id, self))

    def void_pending(self, sheet_id: str, why: str, role: str | None = None) -> None:
        """The sheet went back to the voter instead of into the box: it is not counted."""
        self._write(lambda conn: _void(conn, sheet_id, why, role, self))
        self._seen = None

    def settle_by_commission(self, sheet_id: str, answer: str, role: str, who: str) -> None:
        """Where the scanner cannot tell, the commission says whether the sheet is in the box;
        its answer and who gave it are recorded in the same commit."""

        def apply(conn: sqlite3.Connection) -> None:
            if answer == "box":
                _confirm(conn, sheet_id, self)
            else:
                _void(conn, sheet_id, "commission: not in the box", role, self)
            self._link(conn, "pending_decided", role, {"answer": answer, "who": who})

        self._write(apply)
        self._seen = None

    def pending(self) -> list[tuple[str, str]]:
        return [
            (str(a), str(b)) for a, b in self.db.execute("SELECT sheet, handle FROM pending ORDER BY sheet")
        ]

    def sheet_returned(self, reason: str) -> None:
        """A sheet refused at the slot: only the reason is kept, never the image or marks."""
        self._append_audit("sheet_returned", None, {"reason": reason})

    def review_sheets(self, mode: Mode = "official") -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT id, reading FROM sheets WHERE mode=? AND state='counted' AND review=1 ORDER BY id",
            (mode,),
        )
        return [(str(i), json.loads(r)) for i, r in rows]

    def check_review_allowed(self) -> None:
        """Refuse (`review_while_open`) to decide a review while the polls are open or paused
        (`lifecycle.review_refusal`). Writes nothing: a `refused` link there would itself say
        that a sheet waited for review among the sheets counted before it, the leak this
        refusal closes. Callers that record who acts (the CLI's `actor` link, the kiosk's PIN
        check) ask this first."""
        refusal = review_refusal(self.state)
        if refusal is not None:
            raise SanaqError(refusal.code, refusal.detail)

    def decide_review(
        self, sheet_id: str, decisions: list[dict[str, Any]], role: str, who: str, why: str
    ) -> None:
        """The commission decides a sheet set aside for review: recorded with who and why.
        Only after the polls close (or in test mode): `check_review_allowed`."""
        self.check_state()
        self.check_review_allowed()
        blind = secrets.token_hex(32)

        def apply(conn: sqlite3.Connection) -> None:
            # Again inside the transaction: the state this decision is written in.
            state = conn.execute("SELECT value FROM meta WHERE key='state'").fetchone()[0]
            refusal = review_refusal(state)
            if refusal is not None:
                raise SanaqError(refusal.code, refusal.detail)
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
                bump(conn, mode, k.contest, k.key, -1)
            new_keys = sheet_keys(reading_json, decision)
            for k in new_keys:
                bump(conn, mode, k.contest, k.key, 1)
            conn.execute(
                "UPDATE sheets SET decision=?, review=? WHERE id=?",
                (canonical(decision).decode(), _needs_review(new_keys), sheet_id),
            )
            self._link(conn, "review_decided", role, {"who": who})
            self._checkpoint(conn, "review_decided", role, blind)

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
        """See `chain.verify`: every record accounted for against the signed chain."""
        report = chain.verify(self.db, sheet_keys)
        # The sync outbox's rows against the chain's sync links (issue 15, sync2).
        from kiosk.sync.outbox import outbox_problems

        extra = tuple(outbox_problems(self.db))
        if extra:
            report = dataclasses.replace(report, ok=False, problems=report.problems + extra)
        return report


# --- helpers -------------------------------------------------------------------------------------------


class _WriteLock:
    """One journal file's writes, one at a time: across this process's threads (an RLock; issue
    15, sync2: the sync thread's outbox) and, attack6, across processes (an exclusive `flock` on
    `<journal>.lock`, waited for). A write runs on the primary and then on the mirror; two
    processes writing at once (a `sanaq protocol sign` with a wrong PIN beside a `sanaq station
    scan` after close) committed A, B on the primary and B, A on the mirror: 86 of 121 links
    differed and the station refused to count (`mirror_differs`)."""

    def __init__(self, path: str | None) -> None:
        self.rlock = threading.RLock()
        self.path = path
        self.fd: int | None = None
        self.depth = 0

    def __enter__(self) -> _WriteLock:
        self.rlock.acquire()
        if self.depth == 0 and self.path is not None:
            # Opened for each write and closed after it (closing drops the lock): no descriptor
            # stays open per journal file a process has ever written.
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            except OSError as exc:
                self.rlock.release()
                raise SanaqError("journal_unwritable", f"{self.path}: {exc.strerror}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                os.close(fd)
                self.rlock.release()
                raise SanaqError("journal_unwritable", f"{self.path}: {exc.strerror}") from exc
            self.fd = fd
        self.depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1
        try:
            if self.depth == 0 and self.fd is not None:
                fd, self.fd = self.fd, None
                os.close(fd)
        finally:
            self.rlock.release()


_WRITE_LOCKS: dict[str, _WriteLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
WRITE_LOCK_SUFFIX = ".lock"  # attack6: DATA/journal.sqlite.lock, empty, never written


def _write_lock(conn: sqlite3.Connection) -> _WriteLock:
    """One lock per journal file in this process, held across processes too (`_WriteLock`)."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
        file = str(row[2]) if row and row[2] else None
    except sqlite3.DatabaseError:
        file = None
    name = file or f"memory:{id(conn)}"
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(name, _WriteLock(file + WRITE_LOCK_SUFFIX if file else None))


def _open_primary(path: Path) -> tuple[sqlite3.Connection, bool]:
    """Open and check the primary file; a read-only medium gives a read-only journal."""
    read_only = False
    try:
        conn = connect(path)
    except sqlite3.OperationalError as exc:
        if low_on_space(path.parent) or is_disk_full(exc):
            raise SanaqError("journal_disk_full", f"{path}: {exc}") from exc
        if not is_read_only(exc):
            raise SanaqError("journal_unwritable", f"{path}: {exc}") from exc
        conn, read_only = connect(path, read_only=True), True
    try:
        try:
            check = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.OperationalError as exc:
            if is_disk_full(exc) or low_on_space(path.parent):
                raise SanaqError("journal_disk_full", f"{path}: {exc}") from exc
            if read_only or not is_read_only(exc):
                raise
            conn.close()
            conn, read_only = connect(path, read_only=True), True
            check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise SanaqError("journal_corrupt", f"{path}: {check[:3]}")
        version = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    except sqlite3.OperationalError as exc:
        if is_disk_full(exc) or low_on_space(path.parent):
            raise SanaqError("journal_disk_full", f"{path}: {exc}") from exc
        raise SanaqError("journal_corrupt", f"{path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise SanaqError("journal_corrupt", f"{path}: {exc}") from exc
    if version != (SCHEMA_VERSION,):
        raise SanaqError("journal_corrupt", f"{path}: schema {version}")
    return conn, read_only


def _remove_db(path: Path, keep_main: bool = False) -> None:
    for suffix in ("-wal", "-shm", "-journal") + (() if keep_main else ("",)):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _shuffle_around(conn: sqlite3.Connection, sheet_id: str, order: secrets.SystemRandom) -> None:
    """Rewrite the new record and its neighbours by id in a random order, so that where each
    cell sits inside its page says nothing about when it came."""
    cols = "id, mode, session, state, style, reading, fingerprints, decision, review"
    rows = conn.execute(
        f"SELECT {cols} FROM sheets WHERE id IN (SELECT id FROM sheets WHERE id < ? ORDER BY id DESC LIMIT ?) "
        f"OR id IN (SELECT id FROM sheets WHERE id >= ? ORDER BY id LIMIT ?)",
        (sheet_id, SHUFFLE_NEIGHBOURS, sheet_id, SHUFFLE_NEIGHBOURS + 1),
    ).fetchall()
    order.shuffle(rows)
    conn.executemany("DELETE FROM sheets WHERE id=?", [(r[0],) for r in rows])
    conn.executemany(f"INSERT INTO sheets ({cols}) VALUES (?,?,?,?,?,?,?,?,?)", rows)


def _confirm(conn: sqlite3.Connection, sheet_id: str, journal: Journal) -> None:
    cur = conn.execute("DELETE FROM pending WHERE sheet=?", (sheet_id,))
    if cur.rowcount != 1:
        raise SanaqError("sheet_not_pending")
    conn.execute("UPDATE sheets SET state='counted' WHERE id=?", (sheet_id,))
    journal._link(conn, "sheet_dropped", None, {})


def _void(conn: sqlite3.Connection, sheet_id: str, why: str, role: str | None, journal: Journal) -> None:
    row = conn.execute(
        "SELECT mode, reading FROM sheets WHERE id=? AND state='pending'", (sheet_id,)
    ).fetchone()
    if row is None:
        raise SanaqError("sheet_not_pending")
    mode, reading = row
    for k in sheet_keys(json.loads(reading)):
        bump(conn, mode, k.contest, k.key, -1)
    bump(conn, mode, "", "sheets", -1)
    conn.execute("DELETE FROM pending WHERE sheet=?", (sheet_id,))
    conn.execute("DELETE FROM sheets WHERE id=?", (sheet_id,))
    journal._changed(conn)
    journal._link(conn, "sheet_voided", role, {"why": why, "mode": mode})
