"""The journal's storage: SQLite on disk, one transaction per operation, the schema.

SQLite on disk, WAL, synchronous FULL, secure_delete. After every commit the WAL is
checkpointed into the main file and truncated, so that it never holds more than the one
transaction being written: WAL frames are in commit order, which is voting order.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError

SCHEMA_VERSION = "2"
ACC_MOD = 2**256


def schema_sql() -> str:
    return resources.files("kiosk.station").joinpath("schema.sql").read_text(encoding="utf-8")


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection to a journal file. `read_only`: an auditor's copy on a read-only medium
    (no WAL index can be made there, so the file is opened immutable)."""
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None)
        return conn
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc).lower()
    return "full" in text or "no space" in text


def low_on_space(folder: Path, margin: int = 256 * 1024) -> bool:
    """SQLite reports a full disk as "disk I/O error" when it cannot make its WAL index:
    ask the file system."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def _db_folder(conn: sqlite3.Connection) -> Path | None:
    try:
        for _, name, file in conn.execute("PRAGMA database_list"):
            if name == "main" and file:
                return Path(file).parent
    except sqlite3.Error:
        pass
    return None


def is_read_only(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return True
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def txn(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], what: str) -> Any:
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
        folder = _db_folder(conn)
        if is_disk_full(exc) or (folder is not None and low_on_space(folder)):
            raise SanaqError("journal_disk_full", what) from exc
        if "readonly" in str(exc).lower():
            raise SanaqError("journal_read_only", f"{what}: {exc}") from exc
        raise SanaqError("journal_unwritable", f"{what}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise SanaqError("journal_corrupt", f"{what}: {exc}") from exc


def truncate_wal(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the main file and empty it. False if a reader holds it."""
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    return bool(row and row[0] == 0)


def bump(conn: sqlite3.Connection, mode: str, contest: str, key: str, delta: int) -> None:
    conn.execute(
        "INSERT INTO counters VALUES (?, ?, ?, ?) ON CONFLICT (mode, contest, key) DO UPDATE SET n = n + excluded.n",
        (mode, contest, key, delta),
    )


def record_hash(row: tuple[Any, ...]) -> int:
    sheet_id, mode, style, reading, fingerprints, decision = row
    blob = canonical(
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


def accumulate(conn: sqlite3.Connection) -> tuple[int, int]:
    """Count and multiset hash (sum of SHA-256 mod 2^256) of every record: order-free."""
    rows = conn.execute("SELECT id, mode, style, reading, fingerprints, decision FROM sheets")
    count, acc = 0, 0
    for row in rows:
        count += 1
        acc = (acc + record_hash(row)) % ACC_MOD
    return count, acc


def counters_digest(conn: sqlite3.Connection) -> str:
    rows = conn.execute("SELECT mode, contest, key, n FROM counters WHERE n != 0 ORDER BY mode, contest, key")
    return hashlib.sha256(canonical([list(r) for r in rows])).hexdigest()


def meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return None if row is None else str(row[0])
