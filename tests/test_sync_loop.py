"""The kiosk's background sync loop (kiosk/sync/loop.py) driven by a fake clock against the
real intake over TLS on loopback (no sleeping), its thread body, and the receipts on paper
(a thermal printer on loopback, and an A4 PDF read back with pdftotext)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from synckit import Faults, ServerThread, free_port, hq_pki, hq_station
from test_printer import LoopbackPrinter

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from kiosk.cli import main
from kiosk.cli.sync import queue_all
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, development_trust
from kiosk.protocol.keys import load_device_key
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.sync.client import Backoff, Sender, headquarters_of
from kiosk.sync.loop import LoopStatus, SyncLoop, run
from kiosk.sync.outbox import Outbox
from kiosk.sync.printing import TITLE_EN, groups
from kiosk.sync.wire import verify_receipt

TRUST = development_trust()


class Clock:
    """Moved by hand. Starts at the real time: the requests it dates are checked by the
    intake against its own clock (300 s of skew allowed; the tests move it less)."""

    def __init__(self) -> None:

        self.t = time.time()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def station(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(hq_station(), data)
    return data


def make_loop(data: Path, url: str, clock: Callable[[], float]) -> SyncLoop:
    outbox = Outbox(data / "journal.sqlite", TRUST)
    _urls, ctx = headquarters_of(load_election(data / "election.json"))
    sender = Sender(outbox, url, load_device_key(data), TRUST, ctx, timeout=5.0, clock=clock)
    backoff = Backoff(base=1.0, cap=60.0, rng=random.Random(5))
    return SyncLoop(
        outbox, sender.send_one, clock, backoff, queue=lambda: queue_all(outbox, data), idle_poll=30
    )


def test_loop_backs_off_while_down_then_delivers_everything(station: Path, tmp_path: Path) -> None:
    port = free_port()
    clock = Clock()
    loop = make_loop(station, f"https://127.0.0.1:{port}", clock)
    assert loop.status().phase == "stopped"
    loop.start()
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")),
        load_election(station / "election.json"),
        TRUST,
        development_private_key(),
        time.time,
    )
    faults = Faults(create_app(intake), fail_500=2)
    server = ServerThread(faults, hq_pki(), port)
    waits: list[float] = []
    try:
        # Down: every attempt fails to connect; the wait grows within full jitter's bound.
        for k in range(1, 6):
            wait = loop.tick()
            s = loop.status()
            assert s.phase == "waiting" and s.failures == k and s.attempts == k
            assert s.last_error is not None and s.last_error.startswith("connect:")
            assert 0 <= wait <= min(60.0, 2.0**k) and s.next_try == clock.t + wait
            assert s.count("pending") == 6 and s.to_json(clock.t)["next_try_in"] == round(wait, 1)
            # Not due yet: no attempt, the same wait left.
            assert loop.tick() == pytest.approx(wait) and loop.status().attempts == k
            waits.append(wait)
            clock.t += wait
        assert len(set(waits)) == 5  # jittered, not a constant
        server.start()
        # Up, two 500s first: still backing off, then everything goes with no wait between.
        for _ in range(40):
            wait = loop.tick()
            clock.t += wait
            if loop.status().phase == "idle":
                break
        s = loop.status()
        assert s.phase == "idle", (s.last_error, s.attempts, s.failures)
        assert s.count("receipt received") == 6 and s.failures == 0
        assert s.attempts == 5 + 2 + 6 and s.last_error is None
        assert s.to_json(clock.t)["receipt_received"] == 6
        for d in s.deliveries:
            assert d.receipt is not None
            verify_receipt(d.receipt, TRUST, d.key)
        assert intake.store.count() == 4 and intake.store.count_files() == 2
        # Idle: it looks again after idle_poll (queueing anything new), sends nothing.
        assert loop.tick() == pytest.approx(30.0) and len(faults.seen) == 8
        clock.t += 30
        assert loop.tick() == pytest.approx(30.0) and len(faults.seen) == 8
    finally:
        server.stop()
        loop.stop()
        loop.outbox.close()
    assert loop.status().phase == "stopped" and loop.status().next_try is None
    j = Journal.open(station / "journal.sqlite", FixedClock())
    assert j.verify().ok
    j.close()


def test_loop_refusal_is_not_retried_and_the_others_go(station: Path, tmp_path: Path) -> None:
    clock = Clock()
    calls: list[str] = []
    outbox = Outbox(station / "journal.sqlite", TRUST)
    queue_all(outbox, station)

    def send(d: object) -> str:  # the intake's answers, scripted: the first delivery is refused
        key = d.key  # type: ignore[attr-defined]
        calls.append(key)
        if len(calls) == 1:
            outbox.attempt(key, "refused", "protocol_bad_signature")
            return "protocol_bad_signature"
        outbox.attempt(key, "failed", "connect: refused")
        return "retry"

    loop = SyncLoop(outbox, send, clock, Backoff(rng=random.Random(1)))
    loop.start()
    loop.tick()
    assert loop.status().last_error == "protocol_bad_signature" and loop.status().count("refused") == 1
    loop.tick()
    assert calls[1] != calls[0] and loop.status().phase == "waiting"
    outbox.close()


def test_loop_thread_runs_until_stopped(station: Path, tmp_path: Path) -> None:
    port = free_port()
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")),
        load_election(station / "election.json"),
        TRUST,
        development_private_key(),
        time.time,
    )
    server = ServerThread(create_app(intake), hq_pki(), port).start()
    seen: list[LoopStatus] = []
    stop = threading.Event()

    # The outbox (and its journal connection) is made inside the sync thread.
    t = threading.Thread(
        target=run,
        args=(lambda: make_loop(station, f"https://127.0.0.1:{port}", time.time), stop, seen.append),
    )
    t.start()
    try:
        deadline = time.monotonic() + 60
        while not (seen and seen[-1].count("receipt received") == 6) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        t.join(10)
        server.stop()
    assert not t.is_alive() and seen[-1].phase == "stopped" and seen[-1].count("receipt received") == 6


def test_receipts_printed_thermal_and_pdf(
    station: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")),
        load_election(station / "election.json"),
        TRUST,
        development_private_key(),
        time.time,
    )
    server = ServerThread(create_app(intake), hq_pki(), port).start()
    try:
        assert main(["sync", "--data", str(station), "--hq", f"https://127.0.0.1:{port}"]) == 0
    finally:
        server.stop()
    capsys.readouterr()
    printer = LoopbackPrinter()
    pdf = tmp_path / "receipts.pdf"
    try:
        argv = ["sync", "receipt", "--data", str(station), "--print", "--pdf", str(pdf)]
        assert main([*argv, "--to", f"escpos+net://127.0.0.1:{printer.port}"]) == 0
        last = capsys.readouterr().out.splitlines()[-1]  # python-escpos prints notes before it
        assert json.loads(last) == {"receipts": 6, "waiting": 0, "stopped": None}
    finally:
        printer.close()
    rows = Outbox(station / "journal.sqlite", TRUST).status()
    receipts = [verify_receipt(r.receipt or b"", TRUST, r.key) for r in rows]
    assert len(printer.received) == 6
    for job, r in zip(printer.received, receipts, strict=True):
        text = job.decode("cp866", errors="replace")
        assert "SHA-256:" in text and all(g in text for g in groups(r.sha256))
        assert f"Участок (учаске): {r.station}" in text and b"\x1dv0" in job  # the Kazakh title as an image
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = out.split("\f")
    assert sum(TITLE_EN in p for p in pages) == 6
    for r in receipts:
        assert all(g in out for g in groups(r.sha256))
    assert "файл cvr: cvr.nist-1500-103.json" in out and "ШТАБТЫҢ ҚАБЫЛДАУ ТҮБІРТЕГІ" in out
    # No receipt for a prefix that matches nothing: a code.
    assert main(["sync", "receipt", "--data", str(station), "--key", "zz"]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "sync_no_receipt"
