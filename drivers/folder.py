"""Hot folder: sheets are image files that scanner software saves into a folder.

A sheet is `NAME.a.EXT` + `NAME.b.EXT` (both sides, the deck format) or a single
`NAME.EXT`. Only complete files are picked up: names starting with '.' or ending in
'.part' / '.tmp' are being written (write-then-rename). Dropping into the box moves the
files to `accepted/`, returning moves them to `returned/`; both are renames on the same
file system under an intent marker (`.moving-NAME`), so after a power cut each file ends
in exactly one place and `where` can say where the sheet is. A name the scanner software
reuses is a new sheet; the earlier sheet's files in `accepted/` are kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from drivers.base import Capabilities, Scanner, ScannerStatus
from kiosk.errors import SanaqError
from kiosk.reading.intake import read_image_file, refused_image
from kiosk.reading.model import SideReading
from kiosk.station.ports import FedSheet, Whereabouts

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pnm", ".pgm", ".ppm", ".bmp"}


def _sheet_name(path: Path) -> str | None:
    if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    stem = path.stem
    if stem.endswith((".a", ".b")):
        return stem[:-2]
    return stem


class FolderScanner(Scanner):
    capabilities = Capabilities(duplex=True, holds_sheets=True, batch=True)

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.inbox = Path(folder)
        self.url = f"folder://{self.inbox.resolve()}"
        if not self.inbox.is_dir():
            raise SanaqError("scanner_unavailable", f"no folder {self.inbox}")
        self.box = self.inbox / "accepted"
        self.back = self.inbox / "returned"
        self.box.mkdir(exist_ok=True)
        self.back.mkdir(exist_ok=True)

    def _files(self, where: Path, name: str) -> list[Path]:
        return sorted(p for p in where.iterdir() if p.is_file() and _sheet_name(p) == name)

    def _marker(self, handle: str) -> Path:
        return self.inbox / f".moving-{handle}"

    def _finish_partial_moves(self) -> None:
        """A power cut in the middle of a drop (or a return) leaves some of a sheet's files
        in the inbox, and its intent marker: finish the move, or the leftover side would be
        read as a new sheet (found by benchmarks/crash.py)."""
        for marker in sorted(self.inbox.glob(".moving-*")):
            self._finish(marker.name[len(".moving-") :])

    def _finish(self, handle: str) -> Path | None:
        marker = self._marker(handle)
        try:
            target = self.inbox / marker.read_text().strip()
        except OSError:
            return None
        self._move(handle, target)
        return target

    def feed(self) -> Iterator[FedSheet]:
        self._finish_partial_moves()
        names = sorted({n for p in self.inbox.iterdir() if p.is_file() and (n := _sheet_name(p))})
        for name in names:
            files = self._files(self.inbox, name)
            if not files:
                continue  # moved meanwhile
            images = _read_sides(files)
            if images is None:
                continue  # vanished while reading: it will be seen again if it comes back
            yield FedSheet(name, images, {"files": ",".join(p.name for p in files)})

    def _move(self, handle: str, target: Path) -> None:
        """Move every file of a sheet, under an intent marker written (and synced) first, so
        that an interrupted move is finished exactly, never guessed from file names."""
        marker = self._marker(handle)
        if not marker.exists():
            marker.write_text(target.name)
            _sync_file(marker)
            _sync_dir(self.inbox)
        for p in self._files(self.inbox, handle):
            dest = target / p.name
            n = 1
            while dest.exists():  # a scanner that reuses names: keep the earlier sheet's file
                n += 1
                dest = target / f"{handle}~{n}{p.name[len(handle) :]}"
            os.replace(p, dest)
        _sync_dir(target)
        marker.unlink()
        _sync_dir(self.inbox)

    def status(self) -> ScannerStatus:
        if not self.inbox.is_dir():
            return ScannerStatus("offline", model="hot folder")
        return ScannerStatus("idle", model="hot folder", serial=str(self.inbox))

    def accept(self, handle: str) -> None:
        self._move(handle, self.box)

    def return_sheet(self, handle: str, reason: str) -> None:
        self._move(handle, self.back)

    def where(self, handle: str) -> Whereabouts:
        if self._marker(handle).exists():
            target = self._finish(handle)  # a drop or return the power cut interrupted
            if target is not None:
                return "box" if target == self.box else "returned"
        if self._files(self.inbox, handle):
            return "held"
        if self._files(self.box, handle):
            return "box"
        if self._files(self.back, handle):
            return "returned"
        return "unknown"


def _read_sides(files: list[Path]) -> tuple[bytes, ...] | None:
    """Each side's bytes, read with a bound: a file that is too large or not a regular file
    (a FIFO, a device a name was swapped for) is not read; in its place goes a marker the
    reader refuses with the matching code, so that the sheet is returned, not lost."""
    out = []
    for p in files:
        data = read_image_file(p)
        if isinstance(data, SideReading):
            if data.reason == "file_unreadable":
                return None
            data = refused_image(data.reason or "image_undecodable")
        out.append(data)
    return tuple(out)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(path: Path) -> None:
    # A rename is durable once its directory is synced.
    _sync_file(path)
