"""The zero and polls-closed reports as thermal receipts, through the real ESC/POS driver and
over TCP to a loopback printer: Kazakh lines as raster images, Russian lines as text, no QR."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from escpos.printer import Dummy
from test_printer import LoopbackPrinter

from drivers.printer import EscposPrinter, PrintJob, line_image
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.protocol.receipts import receipt_lines
from kiosk.protocol.sample import make_sample_station
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock

QR_MODEL = b"\x1d(k"  # GS ( k: the ESC/POS QR commands


def _fits(text: str) -> bool:
    try:
        text.encode("cp866")
    except UnicodeEncodeError:
        return False
    return True


def _tally(data: Path) -> dict[str, Any]:
    j = Journal.open(data / "journal.sqlite", FixedClock())
    try:
        return j.tally("official").to_json(("blank", "overvote"))
    finally:
        j.close()


def test_closed_report_lines_carry_the_tally(tmp_path: Path) -> None:
    s = make_sample_station(tmp_path / "data", sheets_per_style=12)
    pkg = load_election(None)
    tally = _tally(s.data)
    title, lines = receipt_lines(
        "closed", pkg.election, s.station, tally, "ab" * 32, "2023-03-19T20:00:00+06:00"
    )
    assert title == "ДАУЫС БЕРУ АЯҚТАЛДЫ: ЕСЕП"
    assert f"Всего листов: {tally['sheets']}" in lines and f"Барлық парақтар: {tally['sheets']}" in lines
    qhp = tally["contests"]["mazhilis-list"]["options"].get("qhp", 0)
    assert f"  Народная партия Казахстана: {qhp}" in lines
    d = Dummy()
    EscposPrinter(lambda: d, can_query=False).print_job(PrintJob(title, lines))
    out = d.output
    assert f"  Народная партия Казахстана: {qhp}".encode("cp866") in out
    assert QR_MODEL not in out
    # Each line the code page cannot carry (Kazakh letters, «») is a raster image, never '?'.
    images = [t for t in (title, *lines) if not _fits(t)]
    assert any("Қ" in t or "ә" in t for t in images)
    assert out.count(b"\x1dv0") == len(images)
    image = line_image(title)
    image.save(tmp_path / "title.png")
    assert (np.asarray(image.convert("L")) < 128).any()


def test_zero_report_over_tcp_refused_before_opening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = make_sample_station(tmp_path / "data", sheets_per_style=2)
    printer = LoopbackPrinter()
    try:
        url = f"escpos+net://127.0.0.1:{printer.port}"
        # The sample station is closed: a zero report now is refused.
        assert main(["protocol", "--data", str(s.data), "receipt", "zero", "--to", url]) == 2
        assert json.loads(capsys.readouterr().err)["error"]["code"] == "protocol_not_ready"
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        assert main(["protocol", "--data", str(s.data), "receipt", "closed", "--to", url]) == 0
        out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])  # escpos prints warnings too
        assert out["stopped"] is None and out["waiting"] == 0
        printer.stop.wait(0.3)
        assert len(printer.received) == 1
        assert "Всего листов: 8".encode("cp866") in printer.received[0]
        assert QR_MODEL not in printer.received[0]
    finally:
        printer.close()
    # A fresh station at opening: every counter is zero and the receipt says so.
    data = tmp_path / "fresh"
    assert (
        main(
            [
                "station",
                "--data",
                str(data),
                "--role",
                "chair",
                "--member",
                "A. Chair",
                "--development",
                "init",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "station",
                "--data",
                str(data),
                "--role",
                "chair",
                "--member",
                "A. Chair",
                "--development",
                "open",
            ]
        )
        == 0
    )
    capsys.readouterr()
    printer = LoopbackPrinter()
    try:
        url = f"escpos+net://127.0.0.1:{printer.port}"
        assert main(["protocol", "--data", str(data), "receipt", "zero", "--to", url]) == 0
        printer.stop.wait(0.3)
        assert "Все счётчики на нуле".encode("cp866") in printer.received[0]
        assert "Всего листов: 0".encode("cp866") in printer.received[0]
    finally:
        printer.close()
