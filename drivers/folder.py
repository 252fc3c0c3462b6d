"""Hot folder: sheets are image files that scanner software saves into a folder.

A sheet is `NAME.a.EXT` + `NAME.b.EXT` (both sides, the deck format) or a single
`NAME.EXT`. Only complete files are picked up: names starting with '.' or ending in
'.part' / '.tmp' are being written (write-then-rename). Dropping into the box moves the
files to `accepted/`, returning moves them to `returned/`; both are renames on the same
file system, so after a power cut each file is in exactly one place, and `where` can say
where the sheet is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from kiosk.errors import SanaqError
from kiosk.station.ports import FedSheet, Whereabouts

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pnm", ".pgm", ".ppm", ".bmp"}


def _sheet_name(path: Path) -> str | None:
    if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    stem = path.stem
    if stem.endswith((".a", ".b")):
        return stem[:-2]
    return stem


class FolderScanner:
    def __init__(self, folder: str | Path) -> None:
        self.inbox = Path(folder)
        if not self.inbox.is_dir():
            raise SanaqError("scanner_unavailable", f"no folder {self.inbox}")
        self.box = self.inbox / "accepted"
        self.back = self.inbox / "returned"
        self.box.mkdir(exist_ok=True)
        self.back.mkdir(exist_ok=True)

    def _files(self, where: Path, name: str) -> list[Path]:
        return sorted(p for p in where.iterdir() if p.is_file() and _sheet_name(p) == name)

    def _finish_partial_moves(self) -> None:
        """A power cut in the middle of a drop (or a return) leaves some of a sheet's files
        in the inbox: finish the move, or the leftover side would be read as a new sheet."""
        for target in (self.box, self.back):
            moved = {n for p in target.iterdir() if p.is_file() and (n := _sheet_name(p))}
            for p in list(self.inbox.iterdir()):
                if p.is_file() and _sheet_name(p) in moved:
                    os.replace(p, target / p.name)

    def feed(self) -> Iterator[FedSheet]:
        self._finish_partial_moves()
        names = sorted({n for p in self.inbox.iterdir() if p.is_file() and (n := _sheet_name(p))})
        for name in names:
            files = self._files(self.inbox, name)
            if not files:
                continue  # moved meanwhile
            try:
                images = tuple(p.read_bytes() for p in files)
            except OSError:
                continue  # vanished while reading: it will be seen again if it comes back
            yield FedSheet(name, images, {"files": ",".join(p.name for p in files)})

    def _move(self, handle: str, target: Path) -> None:
        for p in self._files(self.inbox, handle):
            os.replace(p, target / p.name)
        # A rename is durable once its directory is synced.
        for d in (self.inbox, target):
            fd = os.open(d, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def accept(self, handle: str) -> None:
        self._move(handle, self.box)

    def return_sheet(self, handle: str, reason: str) -> None:
        self._move(handle, self.back)

    def where(self, handle: str) -> Whereabouts:
        if self._files(self.box, handle):
            self._move(handle, self.box)  # finish a drop the power cut interrupted
            return "box"
        if self._files(self.back, handle):
            self._move(handle, self.back)
            return "returned"
        if self._files(self.inbox, handle):
            return "held"
        return "unknown"
