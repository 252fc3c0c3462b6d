"""Helpers for the export tests: a counted, finalised station; a device key; a deck fed in a chosen order."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.sim import MemoryScanner
from kiosk.ballots.deck import DeckOptions, generate_sheet
from kiosk.cli import main
from kiosk.election.package import LoadedPackage
from kiosk.station.journal import Journal
from kiosk.station.ports import FedSheet
from kiosk.station.service import FixedClock, Station

# Hesitation dots on every sheet of some styles: review sheets for the commission to decide.
DECK = DeckOptions(hesitation=0.3, streak=0.0)


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


def finalised_station(data: Path, n: int = 24, seed: int = 5) -> Path:
    """A station data folder through the CLI: init, open, scan the simulator, decide, close, finalise."""
    for argv in (
        ["station", "--data", str(data), "init"],
        ["station", "--data", str(data), "open"],
        ["station", "--data", str(data), "scan", f"sim:?n={n}&seed={seed}"],
    ):
        assert main(argv) == 0, argv
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    decide_all(journal)
    journal.close()
    for argv in (["station", "--data", str(data), "close"], ["station", "--data", str(data), "finalise"]):
        assert main(argv) == 0, argv
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
    station = Station(journal, pkg)
    journal.transition("open", "chair")
    summary = station.scan(ListScanner(sheets))
    assert summary.stopped is None and summary.counted == len(sheets)
    decide_all(journal)
    journal.transition("close", "chair")
    journal.transition("finalise", "chair")
    return station
