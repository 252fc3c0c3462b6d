"""The serial host driver against the device emulator over a real pty (and TCP), with the
station counting: every fault, then recovery with the same driver object (no kiosk restart),
and the count always equal to the deck's ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stationkit import CLEAN, counters, expected_tally, make_station

from drivers.serial_scanner import SerialScanner
from fieldkit.deck import write_deck
from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, run_in_thread
from kiosk.election.load import load_election

N = 5
OPERATOR = 0.3


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    folder = tmp_path_factory.mktemp("deck")
    pkg = load_election(None)
    truths = write_deck(pkg.election, pkg.election_hash, "MZ-LIST", N, 21, folder, CLEAN)
    return folder, truths


class Rig:
    def __init__(self, folder: Path, tmp: Path, faults: dict[int, str], tcp: bool = False) -> None:
        self.device = ScannerDevice(load_deck(folder), faults, operator_delay=OPERATOR, power_off=0.3)
        self.link = tmp / "ttySANAQ0"
        self.runner = LinkRunner(
            self.device, link=None if tcp else self.link, tcp_port=0 if tcp else None, replug_delay=0.3
        )
        self.thread = run_in_thread(self.runner)
        port = f"socket://127.0.0.1:{self.runner.tcp_port}" if tcp else str(self.link)
        self.scanner = SerialScanner(port, timeout=0.6, reconnect=3.0)

    def stop(self) -> None:
        self.scanner.close()
        self.runner.stop.set()
        self.thread.join(5)


@pytest.fixture
def rig(deck: tuple[Path, list[Any]], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    faults, tcp = getattr(request, "param", ({}, False))
    r = Rig(deck[0], tmp_path, faults, tcp)
    yield r
    r.stop()


def _count_until_done(st: Any, scanner: SerialScanner) -> list[Any]:
    summaries = []
    for _ in range(6):
        summary = st.scan(scanner, "member", member="M. Member")
        summaries.append(summary)
        if summary.stopped is None:
            break
        time.sleep(OPERATOR + 0.1)  # the operator clears the jam, closes the cover...
    return summaries


FAULTS = [
    ("jam", "scanner_jammed"),
    ("double", "scanner_double_feed"),
    ("cover", "scanner_cover_open"),
    ("boxfull", "scanner_box_full"),
    ("pull", "scanner_disconnected"),
    ("power", "scanner_restarted"),
    ("powerdrop", "scanner_restarted"),
    ("corrupt", None),
]


@pytest.mark.parametrize(
    ("rig", "code"),
    [(({2: kind}, False), code) for kind, code in FAULTS] + [(({}, True), None)],
    indirect=["rig"],
    ids=[kind for kind, _ in FAULTS] + ["tcp-clean"],
)
def test_every_fault_is_reported_and_recovered_with_an_exact_count(
    rig: Rig, deck: tuple[Path, list[Any]], tmp_path: Path, code: str | None
) -> None:
    truths = deck[1]
    st = make_station(tmp_path, mirror=True)
    st.journal.transition("open", "chair")
    summaries = _count_until_done(st, rig.scanner)
    assert summaries[0].stopped == code
    assert summaries[-1].stopped is None
    assert sum(s.counted for s in summaries) == N
    tally = st.journal.tally()
    assert (tally.sheets, tally.pending) == (N, 0)
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.verify().ok
    # The device agrees: every sheet in the box exactly once, in feed order, none returned.
    assert rig.device.accepted_names == sorted(rig.device.accepted_names)
    assert len(rig.device.accepted_names) == N and rig.device.returned_names == []
    assert set(rig.device.whereabouts.values()) == {"box"}
    events = [e.code for e in rig.scanner.events()]
    if code is not None:
        assert code in events or code == "scanner_disconnected"
    if code == "scanner_restarted":
        assert rig.device.last_id == N  # the held sheet kept its id through the power cut
        assert summaries[1].settled == 1  # settled from WHERE: held -> dropped, or box -> confirmed
    if code is None and not rig.runner.tcp_port:
        assert rig.scanner.retransmits > 0 and rig.scanner._reader.dropped > 0


def test_a_cable_that_stays_out_is_a_clear_error_and_nothing_is_recorded(
    deck: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    r = Rig(deck[0], tmp_path, {1: "pull"})
    r.runner.replug_delay = 60.0  # it does not come back within the driver's patience
    try:
        st = make_station(tmp_path, mirror=False)
        st.journal.transition("open", "chair")
        first = st.scan(r.scanner, "member", member="M. Member")
        assert (first.counted, first.stopped) == (1, "scanner_disconnected")
        again = st.scan(
            r.scanner, "member", member="M. Member"
        )  # the driver waits for the link, then says so again
        assert (again.counted, again.stopped) == (0, "scanner_disconnected")
        assert st.journal.tally().sheets == 1 and st.journal.tally().pending == 0
    finally:
        r.stop()


def test_garbage_on_the_line_before_the_handshake_is_skipped(
    deck: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    r = Rig(deck[0], tmp_path, {})
    try:
        r.device.out.append(b"\x13\x37garbage\xff" * 50 + b"\x00")
        status = r.scanner.status()
        assert status.state == "idle" and status.serial == "EMU-0001"
    finally:
        r.stop()


def _sanaq(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


def _fieldkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "fieldkit", *args]


def test_cli_emulator_and_scan_over_a_pty(deck: tuple[Path, list[Any]], tmp_path: Path) -> None:
    link = tmp_path / "ttyEMU"
    emulator = subprocess.Popen(
        _fieldkit(
            "emulate", "serial-scanner", "--deck", str(deck[0]), "--link", str(link), "--fault", "corrupt@1"
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        hello = json.loads(emulator.stdout.readline())
        assert hello["url"] == str(link) and hello["sheets"] == N
        out = tmp_path / "scans"
        done = subprocess.run(
            _sanaq("scan", "--source", f"serial://{link}?timeout=1", "--count", "3", "--out", str(out)),
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ | {"PYTHONWARNINGS": "ignore"},
        )
        assert done.returncode == 0, done.stderr
        lines = [json.loads(x) for x in done.stdout.splitlines()]
        assert [x["sheet"] for x in lines[:-1]] == [1, 2, 3]
        assert lines[-1]["acquired"] == 3
        originals = sorted(p for p in deck[0].iterdir() if p.suffix == ".jpg")[:6]
        got = sorted(out.iterdir())
        assert [p.read_bytes() for p in got] == [p.read_bytes() for p in originals]  # byte for byte
    finally:
        emulator.terminate()
        emulator.wait(10)


def test_kiosk_restart_with_a_sheet_in_flight_settles_it_from_the_device(
    deck: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    """The device loses power while told to drop sheet 2 and the kiosk restarts too: the new
    kiosk asks the device where that sheet is (WHERE: held), drops it, and counts on."""
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock, Station

    r = Rig(deck[0], tmp_path, {1: "power"})
    try:
        st = make_station(tmp_path, mirror=True)
        st.journal.transition("open", "chair")
        first = st.scan(r.scanner, "member", member="M. Member")
        assert (first.counted, first.stopped) == (2, "scanner_restarted")
        assert len(st.journal.pending()) == 1
        st.journal.close()
        r.scanner.close()  # the kiosk goes down
        time.sleep(0.4)  # the device is back on
        fresh = SerialScanner(str(r.link), timeout=0.6, reconnect=3.0)
        journal = Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
        st2 = Station(journal, load_election(None), development=True)  # sample package, emulator
        again = st2.scan(fresh, "member", member="M. Member")
        fresh.close()
        assert (again.settled, again.counted, again.stopped) == (1, N - 2, None)
        assert (journal.tally().sheets, journal.tally().pending) == (N, 0)
        assert counters(journal) == expected_tally(deck[1])
        assert len(r.device.accepted_names) == N and journal.verify().ok
    finally:
        r.stop()


def test_station_command_stops_on_a_jam_with_the_message_and_resumes(
    deck: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    r = Rig(deck[0], tmp_path, {1: "jam"})
    try:
        data = tmp_path / "st"
        url = f"serial://{r.link}?timeout=0.6"

        def station(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                _sanaq("station", "--data", str(data), "--development", *args),  # the emulator: development
                capture_output=True,
                text=True,
                timeout=120,
            )

        chair, member = (
            ("--role", "chair", "--member", "A. Chair"),
            ("--role", "member", "--member", "M. Member"),
        )
        assert station(*chair, "init", "--scanner", url).returncode == 0
        assert station(*chair, "open").returncode == 0
        first = station(*member, "scan")  # the scanner set at init
        assert first.returncode == 2
        out = json.loads(first.stdout)
        assert (out["counted"], out["stopped"]) == (1, "scanner_jammed")
        assert set(out["message"]) == {"kk", "ru", "en"} and "jam" in out["message"]["en"]
        time.sleep(OPERATOR + 0.2)
        second = station(*member, "scan")
        assert second.returncode == 0, second.stdout
        assert json.loads(second.stdout)["counted"] == N - 1
        tally = json.loads(station("tally", "--json").stdout)
        assert tally["sheets"] == N
    finally:
        r.stop()


def test_waiting_for_paper_ends_and_an_old_paper_in_event_does_not_spin(
    deck: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    """With `wait`, an empty entrance is waited on for that long, once per paper-in event:
    a paper-in heard earlier (the voter took the sheet back) must not make it feed forever."""
    import struct

    from drivers import serial_protocol as sp
    from drivers.serial_frames import Message, encode_frame

    r = Rig(deck[0], tmp_path, {})
    try:
        r.device.stack.clear()  # nobody at the entrance
        r.scanner.wait_paper = 0.5
        r.scanner.open()
        r.device.out.append(
            encode_frame(Message(sp.EVENT, 900, struct.pack("<BI", sp.EV_PAPER_IN, 0)).body())
        )
        import threading

        fed: list[object] = []
        t0 = time.monotonic()
        worker = threading.Thread(target=lambda: fed.extend(r.scanner.feed()), daemon=True)
        worker.start()
        worker.join(5)
        # One round for the stale event, one real wait of 0.5 s; never a spin.
        assert not worker.is_alive(), "feed() kept feeding on an old paper-in event"
        assert fed == [] and 0.4 < time.monotonic() - t0 < 5
        assert "paper_in" in [e.code for e in r.scanner.events()]
    finally:
        r.stop()
