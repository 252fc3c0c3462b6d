"""Storage of received protocols: SQLite by default, PostgreSQL when given a conninfo.

One table, append-only: every version is kept; the current one of a (station, contest) is its
highest version. The receipt's bytes are stored with the row, so the same delivery twice gets
the same receipt back and stores nothing new.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from kiosk.errors import SanaqError

T = TypeVar("T")

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    key TEXT PRIMARY KEY, station TEXT NOT NULL, contest TEXT NOT NULL, version INTEGER NOT NULL,
    sha256 TEXT NOT NULL, replaces TEXT, body BLOB NOT NULL, receipt BLOB NOT NULL,
    received_at TEXT NOT NULL, via TEXT NOT NULL, UNIQUE (station, contest, version));
CREATE TRIGGER IF NOT EXISTS received_no_update BEFORE UPDATE ON received
    BEGIN SELECT RAISE(ABORT, 'intake store is append-only'); END;
CREATE TRIGGER IF NOT EXISTS received_no_delete BEFORE DELETE ON received
    BEGIN SELECT RAISE(ABORT, 'intake store is append-only'); END;
CREATE TABLE IF NOT EXISTS received_files (
    key TEXT PRIMARY KEY, station TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, body BLOB NOT NULL, receipt BLOB NOT NULL, received_at TEXT NOT NULL,
    via TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS received_files_no_update BEFORE UPDATE ON received_files
    BEGIN SELECT RAISE(ABORT, 'intake store is append-only'); END;
CREATE TRIGGER IF NOT EXISTS received_files_no_delete BEFORE DELETE ON received_files
    BEGIN SELECT RAISE(ABORT, 'intake store is append-only'); END;
"""

PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    key TEXT PRIMARY KEY, station TEXT NOT NULL, contest TEXT NOT NULL, version INTEGER NOT NULL,
    sha256 TEXT NOT NULL, replaces TEXT, body BYTEA NOT NULL, receipt BYTEA NOT NULL,
    received_at TEXT NOT NULL, via TEXT NOT NULL, UNIQUE (station, contest, version));
CREATE OR REPLACE FUNCTION received_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'intake store is append-only'; END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS received_append_only ON received;
CREATE TRIGGER received_append_only BEFORE UPDATE OR DELETE ON received
    FOR EACH ROW EXECUTE FUNCTION received_append_only();
-- The order rows were stored in (SQLite: its rowid), for the version-race checks.
ALTER TABLE received ADD COLUMN IF NOT EXISTS seq BIGSERIAL;
CREATE TABLE IF NOT EXISTS received_files (
    key TEXT PRIMARY KEY, station TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, body BYTEA NOT NULL, receipt BYTEA NOT NULL, received_at TEXT NOT NULL,
    via TEXT NOT NULL);
DROP TRIGGER IF EXISTS received_files_append_only ON received_files;
CREATE TRIGGER received_files_append_only BEFORE UPDATE OR DELETE ON received_files
    FOR EACH ROW EXECUTE FUNCTION received_append_only();
"""

RETRIES = 8


@dataclass(frozen=True)
class Row:
    key: str
    station: str
    contest: str
    version: int
    sha256: str
    replaces: str | None
    body: bytes
    receipt: bytes


class Store:
    """A thread-safe store; `pg` is a libpq conninfo (PostgreSQL) or None (SQLite at `path`)."""

    def __init__(self, path: str = ":memory:", pg: str | None = None) -> None:
        self.lock = threading.RLock()
        self.pg = pg is not None
        self.conn: Any
        if pg is not None:
            import psycopg

            self.conn = psycopg.connect(pg, autocommit=True)
            with self.lock, self.conn.transaction():
                # Several intake processes starting at once: one creates the schema at a time.
                self.conn.execute("SELECT pg_advisory_xact_lock(7115001)")
                self.conn.execute(PG_SCHEMA)
        else:
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(SQLITE_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def _q(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.pg:
            sql = sql.replace("?", "%s")
        cur = self.conn.execute(sql, tuple(args))
        return list(cur.fetchall()) if cur.description else []

    def by_key(self, key: str) -> Row | None:
        with self.lock:
            rows = self._q(
                "SELECT key, station, contest, version, sha256, replaces, body, receipt FROM received WHERE key = ?",
                (key,),
            )
        return _row(rows[0]) if rows else None

    def versions(self, station: str, contest: str) -> list[Row]:
        with self.lock:
            rows = self._q(
                "SELECT key, station, contest, version, sha256, replaces, body, receipt FROM received"
                " WHERE station = ? AND contest = ? ORDER BY version",
                (station, contest),
            )
        return [_row(r) for r in rows]

    def insert(self, row: Row, received_at: str, via: str) -> bool:
        """False when a row with this key or (station, contest, version) is already there."""
        with self.lock:
            conflict = "ON CONFLICT DO NOTHING" if self.pg else ""
            verb = "INSERT" if self.pg else "INSERT OR IGNORE"
            sql = (
                f"{verb} INTO received(key, station, contest, version, sha256, replaces, body, receipt,"
                f" received_at, via) VALUES (?,?,?,?,?,?,?,?,?,?) {conflict}"
            )
            if self.pg:
                sql = sql.replace("?", "%s")
            cur = self.conn.execute(
                sql,
                (
                    row.key,
                    row.station,
                    row.contest,
                    row.version,
                    row.sha256,
                    row.replaces,
                    row.body,
                    row.receipt,
                    received_at,
                    via,
                ),
            )
            return bool(cur.rowcount == 1)

    @contextmanager
    def _txn(self, pairs: Sequence[tuple[str, str]]) -> Iterator[None]:
        """One transaction that holds the decisions on these (station, contest) pairs against
        every other intake process on this database: SQLite's write lock (BEGIN IMMEDIATE);
        PostgreSQL transaction-level advisory locks on the pairs, taken in one order (no
        deadlock between two batches). Caller holds self.lock."""
        if self.pg:
            with self.conn.transaction():
                locks = sorted(
                    {
                        int.from_bytes(hashlib.sha256(f"{st}\0{c}".encode()).digest()[:8], "big", signed=True)
                        for st, c in pairs
                    }
                )
                for lock in locks:
                    self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def decide(self, station: str, contest: str, fn: Callable[[], T]) -> T:
        """Runs `fn` (which reads with `versions`/`by_key` and writes with `insert`) inside
        `_txn`, so the version decision and the insert are one step for every process on the
        database. A unique-constraint violation or a lock timeout (another process's row) is
        retried with a fresh read, up to RETRIES times; then `sync_store_busy`."""
        return self.decide_many([(station, contest)], fn)

    def decide_many(self, pairs: Sequence[tuple[str, str]], fn: Callable[[], T]) -> T:
        """`decide` for a batch: one transaction (one commit, one fsync) for several deliveries."""
        for attempt in range(RETRIES):
            try:
                with self.lock, self._txn(pairs):
                    return fn()
            except Exception as exc:
                if not _transient(exc):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise SanaqError("sync_store_busy", f"{len(pairs)} deliveries: {RETRIES} attempts")

    def stored_order(self, station: str, contest: str) -> list[tuple[int, bytes]]:
        """(version, receipt) of a (station, contest) in the order they were stored."""
        order = "seq" if self.pg else "rowid"
        with self.lock:
            rows = self._q(
                f"SELECT version, receipt FROM received WHERE station = ? AND contest = ? ORDER BY {order}",
                (station, contest),
            )
        return [(int(v), bytes(r)) for v, r in rows]

    # --- file deliveries (CVRs, manifests) ------------------------------------------------------

    def file_by_key(self, key: str) -> tuple[str, str, bytes] | None:
        """(kind, name, receipt) of a stored file delivery."""
        with self.lock:
            rows = self._q("SELECT kind, name, receipt FROM received_files WHERE key = ?", (key,))
        return (str(rows[0][0]), str(rows[0][1]), bytes(rows[0][2])) if rows else None

    def file_versions(self, station: str, kind: str) -> int:
        with self.lock:
            return int(
                self._q(
                    "SELECT count(*) FROM received_files WHERE station = ? AND kind = ?", (station, kind)
                )[0][0]
            )

    def insert_file(
        self,
        key: str,
        station: str,
        kind: str,
        name: str,
        sha256: str,
        body: bytes,
        receipt: bytes,
        at: str,
        via: str,
    ) -> bool:
        with self.lock:
            conflict = "ON CONFLICT DO NOTHING" if self.pg else ""
            verb = "INSERT" if self.pg else "INSERT OR IGNORE"
            sql = (
                f"{verb} INTO received_files(key, station, kind, name, sha256, body, receipt, received_at, via)"
                f" VALUES (?,?,?,?,?,?,?,?,?) {conflict}"
            )
            if self.pg:
                sql = sql.replace("?", "%s")
            cur = self.conn.execute(sql, (key, station, kind, name, sha256, body, receipt, at, via))
            return bool(cur.rowcount == 1)

    def files(self) -> list[tuple[str, str, str, str]]:
        """(station, kind, name, sha256) of every stored file delivery."""
        with self.lock:
            rows = self._q(
                "SELECT station, kind, name, sha256 FROM received_files ORDER BY station, kind, key"
            )
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    def count_files(self) -> int:
        with self.lock:
            return int(self._q("SELECT count(*) FROM received_files")[0][0])

    def count(self) -> int:
        with self.lock:
            return int(self._q("SELECT count(*) FROM received")[0][0])

    def current(self) -> list[Row]:
        """The highest version of each (station, contest)."""
        with self.lock:
            rows = self._q(
                "SELECT r.key, r.station, r.contest, r.version, r.sha256, r.replaces, r.body, r.receipt"
                " FROM received r JOIN (SELECT station, contest, max(version) AS v FROM received"
                " GROUP BY station, contest) m ON r.station = m.station AND r.contest = m.contest"
                " AND r.version = m.v ORDER BY r.station, r.contest"
            )
        return [_row(r) for r in rows]


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(
        exc,
        (
            psycopg.errors.UniqueViolation,
            psycopg.errors.SerializationFailure,
            psycopg.errors.DeadlockDetected,
        ),
    )


def _row(r: tuple[Any, ...]) -> Row:
    return Row(str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), r[5], bytes(r[6]), bytes(r[7]))
