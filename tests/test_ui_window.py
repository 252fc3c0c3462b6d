"""Short window tests (issue 14 leftovers): a real Kivy window (SDL offscreen, Mesa llvmpipe), the
real station thread and journal on disk, touches through Kivy's input path (kiosk/ui/drive.py).

- A technicians' roster the kiosk refuses at its start: the sign-in screen says why, with the
  stable code's message in the screen's language (before, only a log line said it).
- The second chance by touch: the voter touches "take it back"; the journal has the sheet
  returned (`invalid_returned`), the answer "return", and nothing counted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def kivy_window(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["KIVY_HOME"] = str(tmp_path_factory.mktemp("kivy-home"))
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))


class Silent:
    """The sounds the window asks for, recorded (no audio device here)."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound: str) -> None:
        self.played.append(sound)


def _window(data: Path, scanner: Any = None) -> tuple[Any, Any]:
    from kiosk.ui.app import KioskApp
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import KioskService

    app = KioskApp(KioskService(data, development=True), scanner=scanner, lang="kk", sounds=Silent())
    d = Driver(app)
    d.settle(until=lambda: app.status is not None)
    return app, d


def test_the_sign_in_screen_says_why_technicians_cannot_sign_in(kivy_window: None, tmp_path: Path) -> None:
    from kiosk.election.load import trust
    from kiosk.election.package import development_private_key
    from kiosk.ui.catalogue import LANG_NAMES, LANGS, error_text, text
    from kiosk.ui.services import DEMO_MEMBERS, DEMO_TECHNICIANS, KioskService
    from kiosk.ui.technicians import TechnicianRoster, sign_roster, verify_roster

    data = tmp_path / "station"
    setup = KioskService(data, development=True)
    setup.load_package()
    setup.configure("379")
    setup.close()
    tech = DEMO_TECHNICIANS[0][0]
    roster = json.loads((data / "technicians.json").read_text())
    real = verify_roster(roster, trust(None))
    elsewhere = sign_roster(
        TechnicianRoster(real.election_hash, "380", real.device_key, real.technicians),
        development_private_key(),
    )
    clash = sign_roster(
        TechnicianRoster(
            real.election_hash, real.station, real.device_key, ((DEMO_MEMBERS[2][0], real.technicians[0][1]),)
        ),
        development_private_key(),
    )
    forged = dict(roster, signature=roster["signature"][:-4] + "AAAA")
    for doc, code in (
        (roster, None),
        (forged, "technician_roster_bad"),
        (elsewhere, "technician_roster_mismatch"),
        (clash, "technician_roster_clash"),
    ):
        (data / "technicians.json").write_text(json.dumps(doc))
        app, d = _window(data)
        try:
            d.settle(until=lambda app=app: app.screen == "signin" and bool(app.members))
            names = {m.name for m in app.members}
            assert {m[0] for m in DEMO_MEMBERS} <= names  # the commission signs in as before
            assert app.technicians_refused == code
            # The DEVELOPMENT line offers the technician's sample PIN only when they can sign in.
            tech_pin = DEMO_TECHNICIANS[0][2]
            assert any(tech_pin in s for s in d.visible_texts()) == (code is None), code
            if code is None:
                assert tech in names
                assert not any("Техниктер кіре алмайды" in s for s in d.texts())
                continue
            assert tech not in names
            for lang in LANGS:  # in the screen's language, switched by its button
                if lang != app.lang:
                    d.tap(LANG_NAMES[lang], exact=True)
                    d.settle()
                assert app.lang == lang
                said = text("signin_technicians_refused", lang, why=error_text(code, lang))
                assert said in d.visible_texts(), (lang, code)
                assert error_text(code, lang) != code
        finally:
            app.stop()


def test_the_voter_takes_the_sheet_back_by_touch_and_nothing_is_counted(
    kivy_window: None, tmp_path: Path
) -> None:
    """A package that gives blank and over-marked ballots back: the scanner holds an invalid
    ballot, the voting screen asks, the voter touches "take it back". The journal: that sheet
    returned (`invalid_returned`), the answer "return" recorded (the answer only), nothing of
    it counted; the valid ballot after it counted; the chain verifies."""
    from collections.abc import Iterator

    from fieldkit.deck import DeckOptions, generate_sheet
    from fieldkit.sim import SimScanner
    from kiosk.election.load import load_election
    from kiosk.election.package import development_private_key, sign_election
    from kiosk.station.journal import Journal
    from kiosk.station.ports import FedSheet
    from kiosk.station.service import SystemClock
    from kiosk.ui.catalogue import text
    from kiosk.ui.services import DEMO_MEMBERS, KioskService

    e = load_election(None).election
    election = e.model_copy(update={"rules": e.rules.model_copy(update={"return_invalid_to_voter": True})})
    (tmp_path / "pkg.json").write_bytes(sign_election(election, development_private_key()))
    data = tmp_path / "station"
    setup = KioskService(data, tmp_path / "pkg.json", development=True)
    assert setup.load_package().second_chance
    setup.configure("379")
    chair = next(m for m in DEMO_MEMBERS if m[1] == "chair")
    setup.sign_in(chair[0], chair[2])
    setup.transition("open")
    package = setup.package
    assert package is not None
    printed, printed_hash = package.election, package.election_hash  # the sheets are this package's
    setup.close()

    def outcome(i: int) -> str:
        sheet = generate_sheet(printed, printed_hash, "MZ-LIST", 5, i, DeckOptions())
        return str(sheet.truth.contests[0].outcome)

    outcomes = {i: outcome(i) for i in range(30)}
    invalid = next(i for i, o in outcomes.items() if o in ("blank", "overvote"))
    valid = next(i for i, o in outcomes.items() if o == "vote")

    class Two(SimScanner):
        """The simulator's sheets `invalid`, then `valid`, printed for this package."""

        def feed(self) -> Iterator[FedSheet]:
            for i in (invalid, valid):
                handle = f"sim-5-{i:06d}"
                if self.state.get(handle) in ("box", "returned"):
                    continue
                sheet = generate_sheet(printed, printed_hash, "MZ-LIST", 5, i, self.opt)
                self.truth[handle] = sheet.truth
                self.state[handle] = "held"
                yield FedSheet(handle, (sheet.back_bytes, sheet.front_bytes), {"style": "MZ-LIST"})

    scanner = Two(style="MZ-LIST", n=2, seed=5)
    scanner.package = package
    app, d = _window(data, scanner)
    try:
        app.goto("voting")
        d.wait(lambda: app.chance is not None, timeout=120)
        d.frames(2)
        asked = app.chance
        assert asked is not None and {p for _, p in asked.problems} == {outcomes[invalid]}
        # The held sheet is still in the scanner while the voter decides.
        assert scanner.state[f"sim-5-{invalid:06d}"] == "held"
        assert d.buttons(text("warn_cast", "kk"))
        d.tap(text("warn_take_back", "kk"))
        d.wait(lambda: len([v for v in scanner.state.values() if v in ("box", "returned")]) == 2, timeout=120)
        d.settle()
        assert app.chance is None
    finally:
        app.stop_scanning()
        app.stop()
    assert scanner.state == {f"sim-5-{invalid:06d}": "returned", f"sim-5-{valid:06d}": "box"}
    journal = Journal.open(data / "journal.sqlite", SystemClock())
    try:
        events = journal.audit_events()
        assert [ev["detail"] for ev in events if ev["kind"] == "sheet_second_chance"] == [
            {"answer": "return"}
        ]
        assert [ev["detail"]["reason"] for ev in events if ev["kind"] == "sheet_returned"] == [
            "invalid_returned"
        ]
        tally = journal.tally("official").to_json(("blank", "overvote"))
        assert tally["sheets"] == 1  # the valid ballot only
        contest = tally["contests"]["mazhilis-list"]
        assert contest["blank"] == 0 and contest["overvote"] == 0 and contest["review_pending"] == 0
        assert sum(contest["options"].values()) == 1
        assert journal.pending() == [] and journal.verify().ok
    finally:
        journal.close()
