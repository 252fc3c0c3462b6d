"""The kiosk window (offscreen, 1280x800) on a package that requires the logic-and-accuracy
test (`sample_package_bytes(logic_and_accuracy_required=True)`), driven by touches: opening is
refused with `test_deck_not_passed`; the technician calibrates the scanner (a hot folder holding
generated scans of the calibration sheet, as tests/stationkit.py's `calibration_folder`), loads
the test deck's expected tally (scheme cycle:3, 159 sheets), the deck goes through the same hot
folder with one sheet held back: Compare says FAILED and names the line; the sheet is fed,
Compare says PASSED; Print; end test; the chair opens the polls. The assertions are on the
journal's signed links (`scanner_calibrated`, `test_deck_result` failed then passed, `open`)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from stationkit import calibration_folder


@pytest.mark.slow
def test_calibrate_and_pass_the_test_deck_then_open_by_touch(tmp_path: Path) -> None:
    os.environ["KIVY_HOME"] = str(tmp_path / "kivy-home")
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))
    from kiosk.calibration.lat import signed_details
    from kiosk.calibration.testdeck import write_test_deck
    from kiosk.election.load import sample_package_bytes
    from kiosk.election.package import development_trust, verify_package
    from kiosk.station.journal import Journal
    from kiosk.station.service import SystemClock
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import error_text, text
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import DEMO_MEMBERS, DEMO_TECHNICIANS, KioskService

    started = time.monotonic()
    raw = sample_package_bytes(logic_and_accuracy_required=True)
    pkg_path = tmp_path / "package.json"
    pkg_path.write_bytes(raw)
    pkg = verify_package(raw, development_trust())
    # The deck's images (as `sanaq station test-deck --scheme cycle:3 --no-pdf` writes them).
    deck = tmp_path / "deck"
    write_test_deck(pkg.election, pkg.election_hash, "379", deck, scheme="cycle:3", dpi=150, pdf=False)
    manifest = json.loads((deck / "deck.json").read_text())
    held = next(s["name"] for s in manifest["sheets"] if s["style"] == "MZ-LIST" and s["kind"] == "vote")
    hot = tmp_path / "hot"
    url = calibration_folder(hot)  # the calibration sheet's two sides, in the scanner's folder

    data = tmp_path / "station"
    app = KioskApp(KioskService(data, pkg_path, development=True), url, lang="kk", sounds=_Quiet())
    d = Driver(app)
    chair, _, chair_pin = DEMO_MEMBERS[0]
    tech, _, tech_pin = DEMO_TECHNICIANS[0]

    def t(key: str, **kw: object) -> str:
        return text(key, app.lang, **kw)

    def sign_in(name: str, pin: str) -> None:
        d.tap(name)
        for k in pin:
            d.tap(k, exact=True)
        d.tap(t("signin_ok"))
        d.settle()
        assert app.screen == "home" and app.actor is not None and app.actor.name == name

    def sign_out() -> None:
        d.tap(t("sign_out"))
        d.settle()
        assert app.screen == "signin"

    def feed(names: list[str]) -> None:
        """Sheets put in the hot folder while no scan runs (both sides there before it looks)."""
        for name in names:
            for side in ("b", "a"):
                shutil.copyfile(deck / "images" / f"{name}.{side}.png", hot / f"{name}.{side}.png")

    try:
        d.settle()
        d.tap(t("setup_choose_station"))
        d.settle()
        # The chair cannot open: no passed test deck, and the screen says so in its words.
        sign_in(chair, chair_pin)
        d.tap(t("action_open"))
        d.settle()
        assert app.error == "test_deck_not_passed"
        assert error_text("test_deck_not_passed", "kk") in d.texts()
        sign_out()
        # The technician calibrates the scanner on the devices screen.
        sign_in(tech, tech_pin)
        d.tap(t("action_devices"))
        d.settle()
        assert t("histogram_none") in d.texts()
        d.tap(t("devices_calibrate"))
        d.settle(until=lambda: app.calibrating is None)
        d.frames(2)
        assert app.error is None and app.calibration is not None and app.calibration.passed
        assert t("calibration_passed") in d.texts()
        assert not list(hot.glob("calibration.*"))  # the sheet went back out (returned/)
        d.tap(t("back"))
        d.settle()
        d.tap(t("action_test_start"))
        d.settle()
        assert app.screen == "testmode"
        d.tap(t("lat_scheme_cycle_3"))
        d.settle()
        assert app.lat_expected is not None and app.lat_expected.sheets == 159
        assert t("lat_deck", sheets=159, counted=158, returned=1) in d.texts()
        # The deck in the tray, one sheet held back (put in while the end-test question stops
        # the scanner, then "no": the scan goes on).
        d.tap(t("action_test_end"))
        d.settle(until=lambda: not app.scanning)
        feed([s["name"] for s in manifest["sheets"] if s["name"] != held])
        d.tap(t("no"))
        d.wait(lambda: not any(hot.glob("*.png")), timeout=300)
        d.wait(lambda: app.test_tally is not None and app.test_tally.sheets == 157, timeout=30)
        d.tap(t("lat_compare"))
        d.settle(timeout=120, until=lambda: not app.lat_busy)
        d.frames(2)
        r = app.lat_result
        assert r is not None and not r.passed, app.error
        lines = {ln.line: (ln.expected, ln.counted, ln.diff) for ln in r.differing}
        assert lines["sheets counted"] == (158, 157, -1) and len(lines) == 2, lines
        (option,) = [k for k in lines if k != "sheets counted"]
        assert option.startswith("MZ-LIST / ") and lines[option][2] == -1
        assert t("lat_failed") in d.texts()
        exp, got, diff = lines[option]
        (shown,) = [ln for ln in r.differing if ln.line == option]
        assert not shown.label["kk"].endswith(option.split(" / ")[1])  # the option's name, not its id
        assert (
            t("lat_line", line=shown.label["kk"], expected=exp, counted=got, diff=f"{diff:+d}") in d.texts()
        )
        # The held-back sheet: fed while the end-test question stops the scanner, then "no".
        d.tap(t("action_test_end"))
        d.settle(until=lambda: not app.scanning)
        feed([held])
        d.tap(t("no"))
        d.wait(lambda: app.test_tally is not None and app.test_tally.sheets == 158, timeout=60)
        d.tap(t("lat_compare"))
        d.settle(timeout=120, until=lambda: not app.lat_busy)
        d.frames(2)
        r2 = app.lat_result
        assert r2 is not r, "the second Compare was not taken"
        assert r2 is not None and r2.passed and r2.differing == (), (r2.differing if r2 else None, app.error)
        assert t("lat_passed") in d.texts()
        d.tap(t("lat_print"))
        d.settle()
        assert app.note is not None and app.note[0] == "devices_print_ok", (app.note, app.error)
        assert list((data / "print").glob("*.pdf")) and list(
            (data / "reports").glob("test-deck-passed-*.pdf")
        )
        d.settle(until=lambda: not app.scanning)
        d.tap(t("action_test_end"))
        d.tap(t("yes"))
        d.settle()
        assert app.status is not None and app.status.state == "configured"
        sign_out()
        sign_in(chair, chair_pin)
        d.tap(t("action_open"))
        d.settle()
        assert app.screen == "zero" and app.status is not None and app.status.state == "open"
    finally:
        app.stop()
        d.frames(2)
    journal = Journal.open_configured(data / "journal.sqlite", SystemClock())
    try:
        assert journal.verify().ok and journal.state == "open"
        kinds = [k for _, k, _ in signed_details(journal, ("scanner_calibrated", "test_deck_result"))]
        results = [dd["passed"] for _, k, dd in signed_details(journal, ("test_deck_result",))]
        assert kinds == ["scanner_calibrated", "test_deck_result", "test_deck_result"] and results == [
            False,
            True,
        ]
        events = journal.audit_events()
        order = [e["kind"] for e in events if e["kind"] in ("scanner_calibrated", "test_deck_result", "open")]
        assert order == ["scanner_calibrated", "test_deck_result", "test_deck_result", "open"]
        assert journal.tally("test").sheets == 0 and journal.tally("official").sheets == 0
    finally:
        journal.close()
    print(f"calibrate + L&A + open by touch: {time.monotonic() - started:.1f} s")


class _Quiet:
    """A stand-in for the sound player (no audio device here)."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound: str) -> None:
        self.played.append(sound)
