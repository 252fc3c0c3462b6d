"""Helpers shared by the station and driver tests."""

from __future__ import annotations

from pathlib import Path

from fieldkit.deck import DeckOptions, SheetTruth
from kiosk.election.load import load_election
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station
from kiosk.vocabulary import Mode, tally_key

CLEAN = DeckOptions(streak=0.0, hesitation=0.0)


def make_station(tmp: Path, mirror: bool = True) -> Station:
    pkg = load_election(None)
    journal = Journal.create(
        tmp / "j.sqlite", pkg.election_hash, "379", FixedClock(), tmp / "usb" / "j.sqlite" if mirror else None
    )
    # The built-in sample is signed with the DEVELOPMENT key and the tests count simulated
    # and emulated sheets: the development switch, named explicitly.
    return Station(journal, pkg, development=True)


def expected_tally(truths: list[SheetTruth]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for t in truths:
        if t.status == "rejected":
            continue
        c = t.contests[0]
        key = tally_key(c.outcome, c.choice)
        out.setdefault(c.contest, {})
        out[c.contest][key] = out[c.contest].get(key, 0) + 1
    return out


def counters(journal: Journal, mode: Mode = "official") -> dict[str, dict[str, int]]:
    return {c: {k: n for k, n in keys.items() if n} for c, keys in journal.tally(mode).contests.items()}


def calibration_folder(folder: Path) -> str:
    """A hot folder holding a clean scan of the calibration sheet, both sides (issue 16): the
    source a test calibrates through (`sanaq calibrate scanner --source URL`) before it opens a
    station whose package requires a calibrated scanner."""
    from fieldkit.calscans import Distortion, scan_bytes

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calibration.a.png").write_bytes(scan_bytes(Distortion()))
    (folder / "calibration.b.png").write_bytes(scan_bytes(Distortion(seed=2), "B"))
    return f"folder://{folder}"
