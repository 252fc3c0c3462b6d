"""Printers: ESC/POS bytes over a real TCP connection to a loopback printer that answers
DLE EOT status queries as a thermal printer does (paper end, cover open, offline); the
spool keeps a job until it is printed; Kazakh lines go as raster images."""

from __future__ import annotations

import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from escpos.printer import Dummy
from synckit import free_port

from drivers.printer import CupsPrinter, EscposPrinter, PrintJob, PrintSpool, line_image, open_printer
from kiosk.errors import SanaqError

JOB = PrintJob(
    "Хаттама / Протокол",
    (
        "Учаскелік сайлау комиссиясы №379",
        "Участковая избирательная комиссия №379",
        "Тізімге енгізілген сайлаушылар: 2494",
    ),
)


class LoopbackPrinter:
    """A thermal printer on 127.0.0.1: keeps what it is sent and answers DLE EOT 1/2/4."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.server.settimeout(0.1)
        self.paper = True
        self.cover_open = False
        self.received: list[bytes] = []  # one entry per connection
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _status(self, n: int) -> bytes:
        fixed = 0x12
        if n == 1:
            return bytes([fixed | (0x08 if self.cover_open or not self.paper else 0)])
        if n == 2:
            return bytes([fixed | (0x04 if self.cover_open else 0) | (0x20 if not self.paper else 0)])
        return bytes([fixed | (0 if self.paper else 0x60)])

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            data = bytearray()
            with conn:
                conn.settimeout(2)
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except (TimeoutError, OSError):
                        break
                    if not chunk:
                        break
                    if len(chunk) == 3 and chunk[:2] == b"\x10\x04":
                        conn.sendall(self._status(chunk[2]))
                    else:
                        data += chunk
            self.received.append(bytes(data))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter()
    yield p
    p.close()


def _raster_count(data: bytes) -> int:
    return data.count(b"\x1dv0")


def test_kazakh_lines_are_images_and_russian_lines_text() -> None:
    d = Dummy()
    EscposPrinter(lambda: d, can_query=False).print_job(JOB)
    out = d.output
    assert "Участковая избирательная комиссия №379".encode("cp866") in out
    assert "Хаттама / Протокол".encode("cp866") in out
    assert _raster_count(out) == 2  # the two lines with Kazakh letters (і)
    assert "Учаскелік".encode("cp866", errors="replace") not in out  # never as '?'


def test_line_image_draws_every_kazakh_letter() -> None:
    letters = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
    image = np.array(line_image(letters).convert("L"))
    ink_columns = np.flatnonzero((image < 128).any(axis=0))
    # Every letter leaves ink: no tofu boxes of equal width, no blanks; the run is wide.
    assert ink_columns.size > 200 and ink_columns.max() > 18 * 10


def test_network_printer_prints_over_tcp(printer: LoopbackPrinter, tmp_path: Path) -> None:
    spool = PrintSpool(tmp_path / "spool", open_printer(f"escpos+net://127.0.0.1:{printer.port}"))
    spool.submit(JOB)
    assert spool.pump() is None
    printer.stop.wait(0.3)
    assert len(printer.received) == 1
    assert "Участковая избирательная комиссия №379".encode("cp866") in printer.received[0]
    assert _raster_count(printer.received[0]) == 2
    assert spool.waiting() == [] and len(list((tmp_path / "spool" / "printed").iterdir())) == 1


@pytest.mark.parametrize(("fault", "code"), [("paper", "printer_paper_out"), ("cover", "printer_cover_open")])
def test_paper_out_and_cover_open_wait_and_retry(
    printer: LoopbackPrinter, tmp_path: Path, fault: str, code: str
) -> None:
    now = [0.0]
    spool = PrintSpool(
        tmp_path / "spool", open_printer(f"escpos+net://127.0.0.1:{printer.port}"), lambda: now[0]
    )
    if fault == "paper":
        printer.paper = False
    else:
        printer.cover_open = True
    job = spool.submit(JOB)
    assert spool.pump() == code
    assert spool.waiting() == [job]  # kept
    printer.paper, printer.cover_open = True, False
    assert spool.pump() == code  # too early to try again: the clock has not moved
    now[0] += spool.retry_after
    assert spool.pump() is None
    printer.stop.wait(0.3)
    printed = [r for r in printer.received if r]
    assert len(printed) == 1 and _raster_count(printed[0]) == 2  # once, whole


def test_offline_printer_job_survives_a_restart(tmp_path: Path) -> None:
    port = free_port()  # a port with nobody listening: the printer is off (synckit: per worker)
    spool = PrintSpool(tmp_path / "spool", open_printer(f"escpos+net://127.0.0.1:{port}?timeout=1"))
    spool.submit(JOB)
    assert spool.pump() == "printer_offline"
    # The kiosk restarts; the printer comes back on the same port.
    server = socket.create_server(("127.0.0.1", port))
    server.close()
    printer = LoopbackPrinter.__new__(LoopbackPrinter)
    LoopbackPrinter.__init__(printer)
    try:
        again = PrintSpool(tmp_path / "spool", open_printer(f"escpos+net://127.0.0.1:{printer.port}"))
        assert [j.title for j in again.waiting()] == [JOB.title]
        assert again.pump() is None
    finally:
        printer.close()


def test_cups_is_called_with_an_argument_list(tmp_path: Path) -> None:
    """No CUPS server runs on the test machine: a stand-in `lp` records its arguments."""
    record = tmp_path / "argv"
    lp = tmp_path / "lp"
    lp.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    pdf = tmp_path / "protocol; rm -rf x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    CupsPrinter("station-379", lp=str(lp)).print_job(PrintJob("Протокол №379", (), str(pdf)))
    assert record.read_text().splitlines() == ["-d", "station-379", "-t", "Протокол №379", "--", str(pdf)]
    failing = tmp_path / "lp-fails"
    failing.write_text("#!/bin/sh\necho 'lp: No such destination' >&2\nexit 1\n")
    failing.chmod(0o755)
    with pytest.raises(SanaqError) as err:
        CupsPrinter("nowhere", lp=str(failing)).print_job(JOB)
    assert err.value.code == "printer_offline"


def test_printer_urls() -> None:
    with pytest.raises(SanaqError) as err:
        open_printer("lpt1:")
    assert err.value.code == "printer_url_invalid"
    assert isinstance(open_printer("cups://station"), CupsPrinter)
