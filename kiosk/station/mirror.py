"""The mirror journal (the USB stick): the same transactions on a second path.

On open the two are compared: equal, go on; the mirror a strict prefix of the primary (a
power cut between the two commits) and the primary verifies: complete it from the primary,
keeping the old copy beside it; anything else: `mirror_differs`, never merged.
"""

from __future__ import annotations

import hashlib
import json
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


def set_aside(mirror: Path, behind: int, note: dict[str, object] | None = None) -> Path:
    """Set aside a mirror that is `behind` links behind, never over an earlier note.

    attack6: what is kept beside it is a note of the old copy (`note`: its chain head, its
    number of links, its digest), not the copy. The old copy is a strict prefix of the primary
    (checked before this is called), so it holds nothing the primary does not, except where the
    count stood at the power cut: kept on the stick for good, it split the day's sheets into
    before and after the cut, and gave the ballot of a voter counted at the cut
    (tests/test_attack6.py). Its bytes are overwritten with zeros before it is removed."""
    stale = mirror.with_name(mirror.name + f".behind-{behind}")
    k = 1
    while Path(str(stale)).exists():
        k += 1
        stale = mirror.with_name(mirror.name + f".behind-{behind}.{k}")
    body = json.dumps(
        {"format": "sanaq.mirror-behind/1", "links_behind": behind, **(note or {})}, sort_keys=True
    )
    fd = os.open(stale, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, body.encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(mirror) + suffix)
        if src.exists():
            _zero_and_remove(src)
    return stale


def _zero_and_remove(path: Path) -> None:
    """Overwrite a file's bytes with zeros, flush them, then remove it (on flash media the old
    blocks may survive in the device; this is what the file system can be asked)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        size = os.fstat(fd).st_size
        zeros = b"\0" * (1 << 16)
        done = 0
        while done < size:
            done += os.write(fd, zeros[: min(len(zeros), size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)
    os.unlink(path)
