"""Helpers for the export tests: a counted, finalised station; a device key; a deck fed in a chosen order."""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.deck import DeckOptions, generate_sheet
from fieldkit.sim import MemoryScanner, SimScanner
from kiosk.cli import main
from kiosk.cli.station import open_station
from kiosk.election.package import LoadedPackage
from kiosk.station.journal import Journal
from kiosk.station.ports import FedSheet
from kiosk.station.service import FixedClock, Station

# A clean scanner (fast to generate) with JPEG and a brightness of its own per sheet (so that no
# two sheets are the same bytes, which the journal refuses as a replay), and hesitation dots on
# a third of the sheets: review sheets for the commission to decide.
DECK = dataclasses.replace(DeckOptions.clean(), hesitation=0.3, jpeg=True, brightness=True)


def write_device_key(data: Path, seed: int | None = None) -> Ed25519PrivateKey:
    """DATA/device.key (PKCS8 PEM, 0600) and DATA/device.pub, as `station init` will make them."""
    key = (
        Ed25519PrivateKey.from_private_bytes(bytes([seed] * 32))
        if seed is not None
        else Ed25519PrivateKey.generate()
    )
    data.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(data / "device.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    (data / "device.pub").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key


def decide_all(journal: Journal) -> int:
    """The commission decides every sheet set aside: the first marked option, else blank (a
    function of the sheet's content, so two countings of one deck get the same decisions)."""
    n = 0
    for sheet_id, reading in journal.review_sheets():
        decisions = []
        for c in reading["contests"]:
            marked = [m["option"] for m in c["marks"] if m["mark"] != "empty"]
            decisions.append(
                {"contest": c["contest"], "outcome": "vote", "choice": marked[0]}
                if marked
                else {"contest": c["contest"], "outcome": "blank", "choice": None}
            )
        journal.decide_review(sheet_id, decisions, "chair", "A. Chair", "the commission looked at it")
        n += 1
    return n


def station_argv(data: Path, *action: str) -> list[str]:
    """A station command as the chair, under the development switch (the sample package and `sim:`)."""
    return [
        "station",
        "--data",
        str(data),
        "--role",
        "chair",
        "--member",
        "A. Chair",
        "--development",
        *action,
    ]


def finalised_station(
    data: Path,
    n: int = 24,
    seed: int = 5,
    opt: DeckOptions = DECK,
    decide: bool = True,
    finalise: bool = True,
) -> Path:
    """A station data folder through the CLI (init, open, close, finalise), its sheets counted by
    the station service from the simulator, and the commission's decisions taken."""
    for action in ("init", "open"):
        assert main(station_argv(data, action)) == 0, action
    station = open_station(data, None, development=True)
    summary = station.scan(SimScanner(n=n, seed=seed, opt=opt), "member", member="M. Member")
    assert summary.stopped is None and summary.counted == n
    station.journal.close()
    if finalise:
        assert main(station_argv(data, "close")) == 0, "close"
    if decide:
        # Reviews are decided after the polls close (review_while_open before: docs/station.md).
        if not finalise:
            assert main(station_argv(data, "close")) == 0, "close"
        station = open_station(data, None, development=True)
        decide_all(station.journal)
        station.journal.close()
    if finalise:
        assert main(station_argv(data, "finalise")) == 0, "finalise"
    return data


@cache
def shared_station() -> Path:
    """One finalised 16-sheet station (its device key made at init), for the tests that only read it."""
    root = Path(tempfile.mkdtemp(prefix="sanaq-export-"))
    atexit.register(shutil.rmtree, root, True)
    data = finalised_station(root / "data", n=16, seed=3)
    return data


class ListScanner(MemoryScanner):
    """Feeds the given sheets in the given order (a real sheet-holding scanner's state machine)."""

    def __init__(self, sheets: Sequence[FedSheet]) -> None:
        super().__init__()
        self.sheets = list(sheets)

    def feed(self) -> Iterator[FedSheet]:
        for s in self.sheets:
            if self.state.get(s.handle) in ("box", "returned"):
                continue
            self.state[s.handle] = "held"
            yield s


def deck(pkg: LoadedPackage, n: int, seed: int) -> list[FedSheet]:
    styles = [s.id for s in pkg.election.styles]
    out = []
    for i in range(n):
        sheet = generate_sheet(pkg.election, pkg.election_hash, styles[i % len(styles)], seed, i, DECK)
        out.append(
            FedSheet(f"d-{i:04d}", (sheet.back_bytes, sheet.front_bytes), {"style": styles[i % len(styles)]})
        )
    return out


def count_in_order(path: Path, pkg: LoadedPackage, sheets: Sequence[FedSheet]) -> Station:
    journal = Journal.create(path, pkg.election_hash, "379", FixedClock())
    station = Station(journal, pkg, development=True)
    journal.transition("open", "chair")
    summary = station.scan(ListScanner(sheets), "member", member="M. Member")
    assert summary.stopped is None and summary.counted == len(sheets)
    journal.transition("close", "chair")
    decide_all(journal)  # after close: reviews are not decided while the polls are open
    journal.transition("finalise", "chair")
    return station
