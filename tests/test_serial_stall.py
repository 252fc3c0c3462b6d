"""A silence in the middle of an image longer than the host's per-message timeout.

Seen about one run in five of the kiosk's end-to-end test on a loaded machine (issue 14): the
emulator runs in the kiosk's process, and the window's redraws (software GL) held that process
for more than the serial URL's 0.6 s timeout in the middle of a sheet's image. The host gave up
on the image (`scanner_io_error`), the device was still sending it, so every FEED was answered
BUSY (`scanner_busy`) until the device gave the transfer up (`scanner_image_failed`): three
stops and three alerts for a sheet nobody had to touch. Reproduced with a thread holding the
GIL 0.8 s at a time beside the emulator (jam, then io_error, busy x4, image_failed, ...).

Here the device itself goes silent for longer than the timeout, at a chosen point, so the case
is the same every run: the driver waits for the stale transfer to end, asks for the held
sheet's images again, and the scan goes on; every sheet counted once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stationkit import CLEAN, counters, expected_tally, make_station

from drivers.serial_scanner import SerialScanner
from fieldkit.deck import write_deck
from fieldkit.emulator import DeckSide, LinkRunner, ScannerDevice, load_deck, run_in_thread
from kiosk.election.load import load_election

N = 5
TIMEOUT = 0.6  # the end-to-end test's serial URL (timeout=0.6)


class StallingDevice(ScannerDevice):
    """Holds still for `stall` s once, after the third chunk of sheet `at`'s first image: it
    neither sends nor acts meanwhile (what it hears waits, as in an OS buffer), as a device or
    a process starved of the CPU does."""

    def __init__(self, deck: list[tuple[str, list[DeckSide]]], at: int, stall: float) -> None:
        super().__init__(deck, operator_delay=0.3, power_off=0.3)
        self.stall_sheet: int | None = at + 1  # sheet ids count from 1
        self.stall = stall
        self.silent_until: float | None = None
        self.heard: list[bytes] = []
        self.stalled = 0

    def receive(self, body: bytes, now: float) -> None:
        if self.silent_until is not None:
            self.heard.append(body)
            return
        super().receive(body, now)

    def tick(self, now: float) -> None:
        if self.silent_until is not None:
            if now < self.silent_until:
                return
            self.silent_until = None
            heard, self.heard = self.heard, []
            for body in heard:
                super().receive(body, now)
        side = self.tx[0] if self.tx else None
        if (
            side is not None
            and side.begin.sheet == self.stall_sheet
            and side.begin.side == 0
            and side.next_index >= 3
        ):
            self.stall_sheet = None
            self.silent_until = now + self.stall
            self.stalled += 1
            return
        super().tick(now)


def _rig(tmp: Path, stall: float) -> tuple[StallingDevice, LinkRunner, Any, SerialScanner, list[Any]]:
    pkg = load_election(None)
    truths = write_deck(pkg.election, pkg.election_hash, "MZ-LIST", N, 21, tmp / "deck", CLEAN)
    device = StallingDevice(load_deck(tmp / "deck"), at=2, stall=stall)
    runner = LinkRunner(device, link=tmp / "ttySANAQ0", replug_delay=0.3)
    thread = run_in_thread(runner)
    return (
        device,
        runner,
        thread,
        SerialScanner(str(tmp / "ttySANAQ0"), timeout=TIMEOUT, reconnect=3.0),
        truths,
    )


def test_a_silence_mid_image_longer_than_the_timeout_is_asked_again_not_a_stop(tmp_path: Path) -> None:
    device, runner, thread, scanner, truths = _rig(tmp_path, stall=TIMEOUT * 1.5)
    try:
        st = make_station(tmp_path, mirror=True)
        st.journal.transition("open", "chair")
        summary = st.scan(scanner, "member", member="M. Member")
        assert device.stalled == 1
        # No stop: the host waited out the device's stale transfer and asked for the held
        # sheet's images again (before: scanner_io_error, then scanner_busy, scanner_image_failed).
        assert summary.stopped is None, summary.stopped
        assert summary.counted == N and scanner.retransmits >= 1
        tally = st.journal.tally()
        assert (tally.sheets, tally.pending) == (N, 0)
        assert counters(st.journal) == expected_tally(truths)
        assert device.accepted_names == sorted(device.accepted_names) and len(device.accepted_names) == N
        assert device.returned_names == [] and set(device.whereabouts.values()) == {"box"}
        assert st.journal.verify().ok
    finally:
        scanner.close()
        runner.stop.set()
        thread.join(5)
