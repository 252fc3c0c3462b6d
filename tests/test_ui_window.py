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
