"""The mirror journal (the USB stick): the same transactions on a second path.

On open the two are compared: equal, go on; the mirror a strict prefix of the primary (a
power cut between the two commits) and the primary verifies: complete it from the primary,
keeping the old copy beside it; anything else: `mirror_differs`, never merged.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from kiosk.station.chain import GENESIS
from kiosk.station.store import accumulate, canonical, counters_digest


def file_id(path: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st else None


def links_behind(primary: sqlite3.Connection, mirror: sqlite3.Connection) -> int | None:
    """How many audit links the mirror lacks, if its chain is a strict prefix of the primary's."""
    theirs = mirror.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    ours = primary.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    if len(theirs) >= len(ours) or ours[: len(theirs)] != theirs:
        return None
    return len(ours) - len(theirs)


def digest(conn: sqlite3.Connection) -> str:
    """What must be equal between the primary and the mirror."""
    head = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    count, acc = accumulate(conn)
    pending = conn.execute("SELECT sheet, handle FROM pending ORDER BY sheet").fetchall()
    meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    return hashlib.sha256(
        canonical(
            [
                head[0] if head else GENESIS,
                count,
                f"{acc:x}",
                counters_digest(conn),
                [list(p) for p in pending],
                [list(m) for m in meta],
            ]
        )
    ).hexdigest()


def set_aside(mirror: Path, behind: int) -> Path:
    """Move a mirror that is `behind` links behind out of the way, never over an earlier copy."""
    stale = mirror.with_name(mirror.name + f".behind-{behind}")
    k = 1
    while Path(str(stale)).exists():
        k += 1
        stale = mirror.with_name(mirror.name + f".behind-{behind}.{k}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(mirror) + suffix)
        if src.exists():
            os.replace(src, Path(str(stale) + suffix))
    return stale
