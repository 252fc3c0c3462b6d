"""Printers: ESC/POS thermal printers (python-escpos over USB, serial or network) and CUPS
(`lp` with an argument list), behind a durable print spool that never loses a job.

    escpos+net://host:9100     escpos+serial:///dev/ttyUSB0?baud=19200
    escpos+usb://04b8:0e15     cups://QUEUE

ESC/POS code pages have no Kazakh letters (Ә Ғ Қ Ң Ө Ұ Ү Һ І print as '?'): a line that the
printer's code page cannot carry is drawn with Pillow in DejaVu Sans and sent as a raster
image; Russian and Latin lines go as text. Paper out, cover open and offline are read from
the printer (DLE EOT) before a job, and come back as stable codes; the job waits in the
spool and is retried until it is printed.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlparse

from PIL import Image, ImageDraw, ImageFont

from kiosk.errors import SanaqError

log = logging.getLogger("sanaq.drivers.printer")

DLE_EOT_STATUS = b"\x10\x04\x01"  # bit 3: offline
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"  # bit 2: cover open; bit 5: stopped for paper end
DLE_EOT_PAPER = b"\x10\x04\x04"  # bits 5-6: paper end


@dataclass(frozen=True)
class PrintJob:
    title: str
    lines: tuple[str, ...]
    pdf: str | None = None  # for page printers (CUPS): the rendered document
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> PrintJob:
        return PrintJob(data["title"], tuple(data["lines"]), data.get("pdf"), data.get("id", ""))


class Printer(Protocol):
    def print_job(self, job: PrintJob) -> None:
        """Print it all, or raise SanaqError (printer_paper_out, printer_cover_open, printer_offline)."""
        ...


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = resources.files("kiosk.ballots") / "fonts" / "DejaVuSans.ttf"
    with resources.as_file(path) as real:
        return ImageFont.truetype(str(real), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width_px: int) -> list[str]:
    rows: list[str] = []
    row = ""
    for word in text.split(" "):
        trial = f"{row} {word}" if row else word
        if row and font.getlength(trial) > width_px:
            rows.append(row)
            row = word
        else:
            row = trial
    return [*rows, row]


def line_image(text: str, width_px: int = 576, size: int = 24) -> Image.Image:
    """A line of text as a 1-bit image the width of the paper (80 mm at 203 dpi: 576 dots),
    wrapped at spaces where it is longer than the paper is wide."""
    font = _font(size)
    rows = _wrap(text or " ", font, width_px)
    pitch = size + 6
    image = Image.new("L", (width_px, pitch * len(rows)), 255)
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        draw.text((0, 3 + i * pitch), row, font=font, fill=0)
    return image.point(lambda v: 0 if v < 128 else 255, mode="1")


def fits_code_page(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


class EscposPrinter:
    """Any python-escpos printer. `connect` makes a fresh connection per job (a printer
    that was switched off and on is found again); `can_query` says whether the link can
    read status (a Dummy cannot)."""

    def __init__(
        self,
        connect: Callable[[], Any],
        can_query: bool = True,
        encoding: str = "cp866",
        code_page: str = "CP866",
        width_px: int = 576,
    ) -> None:
        self.connect = connect
        self.can_query = can_query
        self.encoding = encoding
        self.code_page = code_page
        self.width_px = width_px

    def _check(self, printer: Any) -> None:
        if not self.can_query:
            return
        status = printer.query_status(DLE_EOT_STATUS)
        if not status:
            raise SanaqError("printer_offline", "no answer to DLE EOT 1")
        cause = printer.query_status(DLE_EOT_OFFLINE_CAUSE)
        if cause and cause[0] & 0x04:
            raise SanaqError("printer_cover_open")
        if printer.paper_status() == 0:
            raise SanaqError("printer_paper_out")
        if status[0] & 0x08:
            raise SanaqError("printer_offline", "the printer says it is offline")

    def print_job(self, job: PrintJob) -> None:
        from escpos.exceptions import Error as EscposError

        try:
            printer = self.connect()
        except (EscposError, OSError) as exc:
            raise SanaqError("printer_offline", str(exc)) from exc
        try:
            self._check(printer)
            media = printer.profile.profile_data.setdefault("media", {}).setdefault("width", {})
            media.setdefault("pixel", self.width_px)  # generic profiles leave the paper width unset
            printer.charcode(self.code_page)
            for text in (job.title, *job.lines):
                if fits_code_page(text, self.encoding):
                    printer._raw(text.encode(self.encoding) + b"\n")
                else:
                    printer.image(line_image(text, self.width_px), impl="bitImageRaster", center=False)
            printer.cut()
        except (EscposError, OSError) as exc:
            raise SanaqError("printer_offline", str(exc)) from exc
        finally:
            try:
                printer.close()
            except Exception:
                log.debug("printer close failed")


class CupsPrinter:
    """A page printer through CUPS: `lp -d QUEUE -t TITLE -- FILE`, an argument list (no shell)."""

    def __init__(self, queue: str, lp: str = "lp") -> None:
        self.queue = queue
        self.lp = lp

    def command(self, job: PrintJob, path: str) -> list[str]:
        return [self.lp, "-d", self.queue, "-t", job.title, "--", path]

    def print_job(self, job: PrintJob) -> None:
        if job.pdf is None:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
                f.write("\n".join((job.title, *job.lines)) + "\n")
                path = f.name
        else:
            path = job.pdf
        try:
            done = subprocess.run(self.command(job, path), capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SanaqError("printer_offline", str(exc)) from exc
        finally:
            if job.pdf is None:
                os.unlink(path)
        if done.returncode != 0:
            raise SanaqError("printer_offline", done.stderr.strip()[:200])


def open_printer(url: str) -> Printer:
    parsed = urlparse(url)
    query = dict(parse_qsl(parsed.query))
    from escpos import printer as ep

    if parsed.scheme == "escpos+net" and parsed.hostname:
        host, port = parsed.hostname, parsed.port or 9100
        timeout = float(query.get("timeout", "5"))
        return EscposPrinter(lambda: _opened(ep.Network(host, port, timeout=timeout)))
    if parsed.scheme == "escpos+serial" and parsed.path:
        path, baud = parsed.path, int(query.get("baud", "19200"))
        return EscposPrinter(lambda: _opened(ep.Serial(path, baudrate=baud, timeout=2)))
    if parsed.scheme == "escpos+usb" and parsed.netloc:
        vid, _, pid = parsed.netloc.partition(":")
        return EscposPrinter(lambda: _opened(ep.Usb(int(vid, 16), int(pid, 16))))
    if parsed.scheme == "cups" and parsed.netloc:
        return CupsPrinter(parsed.netloc)
    raise SanaqError("printer_url_invalid", url)


def _opened(printer: Any) -> Any:
    printer.open()
    return printer


class PrintSpool:
    """Jobs on disk until printed: a job submitted is a synced file in `folder`; `pump`
    tries the oldest, and a printer that is away (paper, cover, offline) leaves it there
    for the next try. A kiosk restart finds the spool as it was."""

    def __init__(self, folder: Path, printer: Printer, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = folder
        self.done = folder / "printed"
        self.done.mkdir(parents=True, exist_ok=True)
        self.printer = printer
        self.clock = clock
        self.retry_after = 2.0
        self._next_try = 0.0
        self.last_error: str | None = None

    def submit(self, job: PrintJob) -> PrintJob:
        job = PrintJob(
            job.title, job.lines, job.pdf, job.id or f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        )
        tmp = self.folder / f".{job.id}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(job.to_json(), f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / f"{job.id}.json")
        return job

    def waiting(self) -> list[PrintJob]:
        return [
            PrintJob.from_json(json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(self.folder.glob("*.json"))
        ]

    def pump(self) -> str | None:
        """Print what waits, oldest first. The error code that stopped it, or None when the
        spool is empty."""
        if self.clock() < self._next_try:
            return self.last_error
        for job in self.waiting():
            try:
                self.printer.print_job(job)
            except SanaqError as exc:
                self.last_error = exc.code
                self._next_try = self.clock() + self.retry_after
                log.warning("print job waits: %s", exc.code)
                return exc.code
            os.replace(self.folder / f"{job.id}.json", self.done / f"{job.id}.json")
        self.last_error = None
        return None
