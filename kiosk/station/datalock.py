"""One process at a time on a station's data folder (issue 11).

Two `scan` processes on one folder each fed the same sheets: a counted sheet's files
ended in `returned/`. Every command that may write takes an exclusive `flock` on
DATA/.lock for as long as it runs; a second one is refused at once with `station_busy`
(it never waits: a member must see at once that another program holds the station).
The lock goes with the process (closed descriptor, or kill -9: the kernel drops it).
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from kiosk.errors import SanaqError

LOCK_NAME = ".lock"


def lock_data(data: Path, *, required: bool = True) -> int | None:
    """The descriptor that holds the lock (keep it open), or None when the folder cannot
    hold a lock file and `required` is False (a read-only copy an auditor verifies)."""
    path = data / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        if not required and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT):
            return None
        raise SanaqError("journal_unwritable", f"{path}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise SanaqError("station_busy", str(data)) from exc
        raise SanaqError("journal_unwritable", f"{path}: {exc.strerror}") from exc
    return fd
