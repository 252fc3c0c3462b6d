"""Storage of received protocols: SQLite by default, PostgreSQL when given a conninfo.

One table, append-only: every version is kept; the current one of a (station, contest) is its
highest version. The receipt's bytes are stored with the row, so the same delivery twice gets
the same receipt back and stores nothing new.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    key TEXT PRIMARY KEY, station TEXT NOT NULL, contest TEXT NOT NULL, version INTEGER NOT NULL,
    sha256 TEXT NOT NULL, replaces TEXT, body BLOB NOT NULL, receipt BLOB NOT NULL,
    received_at TEXT NOT NULL, via TEXT NOT NULL, UNIQUE (station, contest, version));
CREATE TRIGGER IF NOT EXISTS received_no_update BEFORE UPDATE ON received
    BEGIN SELECT RAISE(ABORT, 'intake store is append-only'); END;
CREATE TRIGGER IF NOT EXISTS received_no_delete BEFORE DELETE ON received
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
"""


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
        self.lock = threading.Lock()
        self.pg = pg is not None
        self.conn: Any
        if pg is not None:
            import psycopg

            self.conn = psycopg.connect(pg, autocommit=True)
            with self.lock:
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


def _row(r: tuple[Any, ...]) -> Row:
    return Row(str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), r[5], bytes(r[6]), bytes(r[7]))
