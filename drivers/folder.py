"""Hot folder: sheets are image files that scanner software saves into a folder.

A sheet is `NAME.a.EXT` + `NAME.b.EXT` (both sides, the deck format) or a single
`NAME.EXT`. Only complete files are picked up: names starting with '.' or ending in
'.part' / '.tmp' are being written (write-then-rename). Dropping into the box moves the
files to `accepted/`, returning moves them to `returned/`; both are renames on the same
file system under an intent marker (`.moving-NAME`), so after a power cut each file ends
in exactly one place and `where` can say where the sheet is. A name the scanner software
reuses is a new sheet; the earlier sheet's files in `accepted/` are kept.

Secrecy (`accepted=` in the URL, `folder:///path?accepted=delete`):
- `delete` (the default): a counted sheet's files are deleted at the drop; nothing of the
  vote is kept outside the journal (the paper is in the box);
- `random`: a counted sheet's files get a random name in `accepted/` and
  their access and modification times are set to one fixed instant; a `.box-NAME` marker
  (empty, naming only the scanner's handle) lets `where` answer after a power cut. The
  files' change time (ctime) is the moment of the drop and cannot be set: a kept image,
  read with its ctime, still gives the order of voting (docs/station.md);
- `names`: the scanner's names and times are kept (test decks, acceptance runs; the
  names and times order the votes).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from drivers.base import Capabilities, Scanner, ScannerStatus
from kiosk.errors import SanaqError
from kiosk.reading.intake import read_image_file, refused_image
from kiosk.reading.model import SideReading
from kiosk.station.ports import FedSheet, Whereabouts

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pnm", ".pgm", ".ppm", ".bmp"}
Accepted = Literal["random", "delete", "names"]
ACCEPTED_MODES: tuple[Accepted, ...] = ("random", "delete", "names")
# The time every kept image shows (access and modification): 2000-01-01T00:00:00Z.
FIXED_TIME = 946684800


def _sheet_name(path: Path) -> str | None:
    if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    stem = path.stem
    if stem.endswith((".a", ".b")):
        return stem[:-2]
    return stem


class FolderScanner(Scanner):
    capabilities = Capabilities(duplex=True, holds_sheets=True, batch=True)

    def __init__(self, folder: str | Path, accepted: Accepted = "delete") -> None:
        super().__init__()
        if accepted not in ACCEPTED_MODES:
            raise SanaqError("scanner_url_invalid", f"accepted={accepted}")
        self.accepted = accepted
        self.inbox = Path(folder)
        self.url = f"folder://{self.inbox.resolve()}?accepted={accepted}"
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

    def _box_marker(self, handle: str) -> Path:
        return self.inbox / f".box-{handle}"

    def _finish(self, handle: str) -> Path | None:
        marker = self._marker(handle)
        try:
            words = marker.read_text().split()
        except OSError:
            return None
        if not words:
            return None
        target = self.inbox / words[0]
        self._move(handle, target, words[1] if len(words) > 1 else None)
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

    def _move(self, handle: str, target: Path, new_name: str | None = None) -> None:
        """Move every file of a sheet, under an intent marker written (and synced) first, so
        that an interrupted move is finished exactly, never guessed from file names. Into the
        box, the marker also holds the random name the files get (or `-` when deleted)."""
        marker = self._marker(handle)
        into_box = target == self.box
        if not marker.exists():
            if into_box and self.accepted != "names":
                new_name = "-" if self.accepted == "delete" else secrets.token_hex(16)
            marker.write_text(target.name + (f" {new_name}" if new_name else ""))
            _sync_file(marker)
            _sync_dir(self.inbox)
        for p in self._files(self.inbox, handle):
            if new_name == "-":
                p.unlink()
                continue
            base = new_name or handle
            dest = target / (base + p.name[len(handle) :])
            n = 1
            while dest.exists():  # a scanner that reuses names: keep the earlier sheet's file
                n += 1
                dest = target / f"{base}~{n}{p.name[len(handle) :]}"
            os.replace(p, dest)
            if new_name:
                os.utime(dest, (FIXED_TIME, FIXED_TIME))
        _sync_dir(target)
        if into_box and new_name:
            box = self._box_marker(handle)
            box.touch()
            os.utime(box, (FIXED_TIME, FIXED_TIME))
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
        if self._box_marker(handle).exists() or self._files(self.box, handle):
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
