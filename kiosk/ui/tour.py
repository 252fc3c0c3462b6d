"""`sanaq kiosk --tour DIR`: every screen and state, in every language, as PNG, offscreen.

The tour is a real station day on the simulated scanner (`sim:`), driven by touches: set
up, the technician (devices, printer test, the logic-and-accuracy test on simulated test
ballots), sign in, open, count, review, pause, close, the protocol (lines, preview,
signatures, finalise, print, export to a stick in a temporary folder) and the sync screen.
States that need a device fault, a particular voter (a returned ballot, the second chance,
each alert) or headquarters (receipts) are shown by giving the window the same view objects
the station thread would post. Each panel size runs in its own process (Kivy opens one
window per process).

At every state the screen is shown in each language and checked for strings of another
language (`catalogue.LanguageCheck`) and for words wider than their label (which Kivy would
break in the middle); what is found makes the tour fail.

File names: `{W}x{H}-{NN}-{state}-{lang}.png`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.ui.boot import Display, configure_kivy, parse_size

ALERT_CODES = (
    "scanner_jammed",
    "scanner_double_feed",
    "scanner_cover_open",
    "scanner_disconnected",
    "scanner_box_full",
    "journal_disk_full",
)
TOUR_DISPLAYS = (("1280x800", "landscape"), ("1920x1080", "landscape"), ("1280x800", "portrait"))


def tour_one(out: Path, display: Display, sheets: int = 40, seed: int = 3) -> list[Path]:
    configure_kivy(display)
    from drivers import open_scanner
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import text
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import (
        DEMO_MEMBERS,
        DEMO_TECHNICIANS,
        DeliveryView,
        KioskService,
        SecondChance,
        SheetResult,
        SyncView,
    )

    w, h = display.size
    shots: list[Path] = []
    foreign: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        stick = Path(tmp) / "stick"
        stick.mkdir()
        service = KioskService(Path(tmp) / "station", development=True, stick=stick)
        # The logic-and-accuracy test feeds simulated test ballots; voting, official ones.
        app = KioskApp(service, scanner=open_scanner(f"sim:?n=4&seed={seed}&test"), lang="kk")
        d = Driver(app)
        d.settle()
        snap = _Snapper(out, (w, h), app, d, service, shots, foreign)

        def t(key: str, **kw: object) -> str:
            return text(key, app.lang, **kw)

        chair, chair_pin = DEMO_MEMBERS[0][0], DEMO_MEMBERS[0][2]
        member, member_pin = DEMO_MEMBERS[2][0], DEMO_MEMBERS[2][2]

        def sign_in(name: str, pin: str) -> None:
            d.tap(name)
            for k in pin:
                d.tap(k, exact=True)
            d.tap(t("signin_ok"), index=0)
            d.settle()

        snap("setup")
        d.tap(t("setup_choose_station"))
        d.settle()
        snap("signin")
        # The technician: devices, a printer test, the logic-and-accuracy test.
        tech, tech_pin = DEMO_TECHNICIANS[0][0], DEMO_TECHNICIANS[0][2]
        sign_in(tech, tech_pin)
        snap("home-technician")
        d.tap(t("action_devices"))
        d.settle()
        snap("devices")
        d.tap(t("devices_print_test"))
        d.settle()
        snap("devices-printer-tested")
        _calibration_states(app, d, service, Path(tmp), snap, t)
        d.tap(t("back"))
        d.tap(t("action_test_start"))
        d.settle()
        d.wait(lambda: app.test_tally is not None and app.test_tally.sheets >= 4, timeout=120)
        d.settle(until=lambda: not app.scanning)
        snap("test-mode")
        _lat_states(app, d, snap, t)
        d.tap(t("action_test_end"))
        snap("test-mode-confirm-end")
        d.tap(t("yes"))
        d.settle()
        snap("home-test-ended")
        app.call(lambda s: setattr(s, "slot", None))  # the official tray from now on
        app.scanner = open_scanner(f"sim:?n={sheets}&seed={seed}")
        d.tap(t("sign_out"))
        d.settle()
        d.tap(chair)
        d.tap("1", exact=True)
        d.tap("2", exact=True)
        snap("signin-typing")
        d.tap(t("signin_ok"))
        d.settle()
        snap("signin-wrong-pin")
        sign_in(chair, chair_pin)
        snap("home-ready")
        d.tap(t("action_open"))
        d.settle()
        snap("zero-report")
        d.tap(t("zero_to_voting"))
        d.wait(lambda: app.last is not None and app.last.counter >= sheets, timeout=120)
        d.settle(until=lambda: not app.scanning)
        app.showing_last = True
        app._refresh_voting()
        snap("voting-accepted")
        app.showing_last = False
        app._refresh_voting()
        snap("voting-idle")
        counter = app.last.counter if app.last else 0
        app.sheet_result(SheetResult("returned", "wrong_station", counter, 0.0))
        snap("voting-returned-wrong-station")
        app.sheet_result(SheetResult("returned", "unreadable", counter, 0.0))
        snap("voting-returned-unreadable")
        assert service.package is not None
        titles = {
            c.id: {"kk": c.title.kk, "ru": c.title.ru, "en": c.title.en}
            for c in service.package.election.contests
        }
        first = service.package.election.contests[0].id
        app.sheet_result(SecondChance(((first, "overvote"),), {first: titles[first]}, 0.0))
        snap("voting-second-chance")
        app.chance_since -= 31
        app._refresh_voting()
        snap("voting-second-chance-call-member")
        app.voter_decides("back")
        app.sheet_result(SheetResult("cast_as_is", None, counter, 0.0))
        snap("voting-cast-as-is")
        for code in ALERT_CODES:
            app.alert = code
            app.render()
            snap(f"alert-{code}")
        app.alert = None
        d.tap(t("commission_menu"))
        d.settle()
        snap("home-open")
        # While the polls are open the sheets set aside wait: how many, decided after close.
        d.tap(t("action_review", n=app.status.review_waiting if app.status else 0))
        d.settle()
        snap("review-while-open")
        d.tap(t("back"))
        d.settle()
        d.tap(t("action_pause"))
        d.settle()
        snap("home-paused")
        app.goto("paused")
        snap("public-paused")
        d.tap(t("commission_menu"))
        d.settle()
        d.tap(t("action_close"))
        snap("home-confirm-close")
        d.tap(t("yes"))
        d.settle()
        snap("home-closed")
        app.goto("closed")
        snap("public-closed")
        # After close: the commission decides the sheets set aside, then the protocol.
        d.tap(t("commission_menu"))
        d.settle()
        first_review = True
        while app.status is not None and app.status.review_waiting:
            d.tap(t("action_review", n=app.status.review_waiting))
            d.settle()
            if first_review:
                snap("review")
            d.tap(t("review_vote_for", option=""))
            if first_review:
                snap("review-second-member")
            first_review = False
            d.tap(member)
            for k in member_pin:
                d.tap(k, exact=True)
            d.tap(t("review_confirm"))
            d.settle()
            if app.screen == "review":
                d.tap(t("back"))
                d.settle()
        snap("home-closed-reviewed")
        # The closing: protocol lines (one mistyped: a ratio in red), preview, signatures.
        d.tap(t("action_protocol"))
        d.settle()
        snap("protocol-empty")
        st = service.package.election.station("379")
        for i, v in enumerate(list(app.proto_views)):
            d.tap(v.style)
            d.settle()
            received = st.ballots_received[v.style]
            issued = (app.status.official_sheets if app.status else 0) + 5
            lines = {
                "voters_on_list": st.voters_on_list,
                "ballots_received": received,
                "ballots_issued": issued,
                "ballots_cancelled": received - issued - 2 - (3 if i == 0 else 0),
                "ballots_spoiled": 2,
            }
            assert app.proto is not None
            for line, value in lines.items():
                ln = next(x for x in app.proto.lines if x.id == line)
                d.tap(f"{ln.number}. {ln.title[app.lang]}")
                for digit in str(value):
                    d.tap(digit, exact=True)
                d.settle()
            if i == 0:
                snap("protocol-ratio-fails")
                ln = next(x for x in app.proto.lines if x.id == "ballots_cancelled")
                d.tap(f"{ln.number}. {ln.title[app.lang]}")
                d.tap(t("signin_clear"))
                for digit in str(lines["ballots_cancelled"] + 3):
                    d.tap(digit, exact=True)
                d.settle()
            d.tap(t("proto_save"))
            d.settle()
        snap("protocol-saved")
        d.tap(t("proto_preview"))
        d.settle()
        snap("protocol-preview")
        d.tap(t("back"))
        d.tap(t("proto_signatures"))
        d.settle()
        snap("protocol-signatures")
        for name, pin in ((DEMO_MEMBERS[0][0], DEMO_MEMBERS[0][2]), (DEMO_MEMBERS[1][0], DEMO_MEMBERS[1][2])):
            d.tap(name)
            for digit in pin:
                d.tap(digit, exact=True)
            d.tap(t("proto_sign_ok"))
            d.settle()
        d.tap(t("proto_finalise"))
        d.settle()
        snap("protocol-finalised")
        d.tap(t("proto_print"))
        d.settle()
        snap("protocol-printed")
        d.tap(t("proto_export"))
        d.settle()
        snap("protocol-exported")
        d.tap(t("back"))
        d.tap(t("back"))
        d.settle()
        d.tap(t("action_sync"))
        d.settle()
        snap("sync-no-headquarters")
        # Headquarters' receipts, as the worker would post them after a delivery.
        assert app.sync is not None
        got = SyncView(
            tuple(
                DeliveryView(
                    x.name,
                    "receipt received",
                    1,
                    None,
                    (
                        titles[service.package.election.style(x.name.split(".")[0]).contest],
                        1,
                        "2023-03-19T21:40:12Z",
                    ),
                )
                for x in app.sync.deliveries[:3]
            )
            + tuple(DeliveryView(x.name, "sent", 3, "HTTP 503", None) for x in app.sync.deliveries[3:]),
            "https://intake.example.kz",
            app.sync.state,
            app.sync.export,
            app.sync.exported,
            app.sync.stick,
        )
        app.error = None
        # sync3: the background loop's snapshot, as its thread posts it (waiting after a 503).
        import time as _time

        from kiosk.sync.loop import LoopStatus
        from kiosk.sync.outbox import DeliveryStatus

        app.sync_loop = LoopStatus(
            "waiting",
            tuple(
                DeliveryStatus(x.name, x.name, x.state, x.attempts, x.last_error, None)
                for x in got.deliveries
            ),
            3,
            9,
            _time.monotonic() + 42.5,
            "HTTP 503",
        )
        app._sync_shown(got)
        snap("sync-receipts")
        app.stop()
    if foreign:
        raise AssertionError("strings of another language, or words cut, on screen:\n" + "\n".join(foreign))
    return shots


def tour_only(out: Path, display: Display, states: str) -> list[Path]:
    """Only the states of one part of the tour (`calibration`: the devices screen's calibration
    and histogram; `lat`: the logic-and-accuracy test's): set-up, the technician, those states."""
    configure_kivy(display)
    from drivers import open_scanner
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import text
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import DEMO_TECHNICIANS, KioskService

    w, h = display.size
    shots: list[Path] = []
    foreign: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        service = KioskService(Path(tmp) / "station", development=True)
        app = KioskApp(service, scanner=open_scanner("sim:?n=4&seed=3&test"), lang="kk")
        d = Driver(app)
        d.settle()
        snap = _Snapper(
            out, (w, h), app, d, service, shots, foreign, first=60 if states == "calibration" else 70
        )

        def t(key: str, **kw: object) -> str:
            return text(key, app.lang, **kw)

        d.tap(t("setup_choose_station"))
        d.settle()
        tech, tech_pin = DEMO_TECHNICIANS[0][0], DEMO_TECHNICIANS[0][2]
        d.tap(tech)
        for k in tech_pin:
            d.tap(k, exact=True)
        d.tap(t("signin_ok"), index=0)
        d.settle()
        if states == "calibration":
            d.tap(t("action_devices"))
            d.settle()
            _calibration_states(app, d, service, Path(tmp), snap, t)
        else:
            d.tap(t("action_test_start"))
            d.settle()
            d.wait(lambda: app.test_tally is not None and app.test_tally.sheets >= 4, timeout=120)
            d.settle(until=lambda: not app.scanning)
            _lat_states(app, d, snap, t)
        app.stop()
    if foreign:
        raise AssertionError("strings of another language, or words cut, on screen:\n" + "\n".join(foreign))
    return shots


def _calibration_states(app: Any, d: Any, service: Any, tmp: Path, snap: Any, t: Any) -> None:
    """Calibration on the devices screen, for real (kiosk.calibration.session on a folder of
    rendered calibration sheets: one clean, one with a dark streak drawn 43 mm from the left),
    then the thresholds' histogram (a picture drawn by kiosk.calibration.thresholds.histogram_png
    from illustrative scores, given to the window as the devices view would carry it)."""
    from dataclasses import replace

    import numpy as np
    from PIL import Image

    from kiosk.calibration import sheet
    from kiosk.calibration.thresholds import histogram_png
    from kiosk.reading.model import Thresholds
    from kiosk.ui.catalogue import LANGS, histogram_labels, text

    hot = tmp / "calibration-folder"
    hot.mkdir(exist_ok=True)
    service.calibration_url = f"folder://{hot}"
    sides = [np.array(sheet.render_image(side, 200).convert("L")) for side in sheet.SIDES]
    for streak in (False, True):
        a = sides[0].copy()
        if streak:
            x = int(43 / 25.4 * 200)
            a[:, x : x + 3] = np.clip(a[:, x : x + 3].astype(int) - 40, 0, 255).astype(np.uint8)
        Image.fromarray(a).save(hot / "calibration.a.png", dpi=(200, 200))
        Image.fromarray(sides[1]).save(hot / "calibration.b.png", dpi=(200, 200))
        d.tap(t("devices_calibrate"))
        d.settle(until=lambda: app.calibrating is None)
        d.frames(2)
        snap("devices-calibration-failed-streak" if streak else "devices-calibration-passed")
    rng = np.random.default_rng(16)
    scores = {
        "empty": list(np.clip(rng.normal(0.006, 0.003, 400), 0, None)),
        "doubtful": list(np.clip(rng.normal(0.04, 0.007, 120), 0, None)),
        "clear": list(np.clip(rng.normal(0.12, 0.02, 300), 0, None)),
    }
    png = tmp / "thresholds-tour.png"
    png.write_bytes(histogram_png(scores, Thresholds(), "Sanaq tour: mark scores (illustrative)"))
    # The screen shows the copy drawn in its language (as KioskService.histogram_screens draws it).
    screens = []
    for lang in LANGS:
        copy = tmp / f"thresholds-tour.{lang}.png"
        title = text("histo_title", lang, station=service.station.station_id)
        copy.write_bytes(histogram_png(scores, Thresholds(), title, labels=histogram_labels(lang)))
        screens.append((lang, copy))
    assert app.devices is not None
    app.calibration = None
    app._devices_shown(
        replace(
            app.devices,
            histogram=png,
            thresholds=(Thresholds().marginal, Thresholds().marked),
            histogram_screens=tuple(screens),
        )
    )
    snap("devices-histogram")


def _lat_states(app: Any, d: Any, snap: Any, t: Any) -> None:
    """The logic-and-accuracy test: the expected tally loaded by touch (from the package), then
    the verdicts as the station thread would post them (a failed one with two differing lines,
    a passed one)."""
    from pathlib import Path as _Path

    from kiosk.ui.services import LatLineView, LatResultView, SecondChance

    # A blank test ballot held by the scanner (a package that gives invalid ballots back): the
    # question on the test screen, as the station thread would post it.
    contest = app.service.package.election.contests[0]
    title = {"kk": contest.title.kk, "ru": contest.title.ru, "en": contest.title.en or contest.title.ru}
    app.sheet_result(SecondChance(((contest.id, "blank"),), {contest.id: title}, 0.0))
    snap("test-mode-second-chance")
    app.voter_decides("back")
    d.settle()
    d.tap(t("lat_scheme_cycle_3"))
    d.settle()
    snap("test-mode-deck-loaded")
    failed = LatResultView(
        False,
        "cycle:3",
        214,
        (
            LatLineView("MZ-LIST / amanat", 3, 2, -1, app.service._lat_label("MZ-LIST / amanat")),
            LatLineView("sheets counted", 158, 157, -1, app.service._lat_label("sheets counted")),
        ),
        _Path("reports/test-deck-failed.pdf"),
        "7K2Q-9XF4",
    )
    app.lat_result = failed
    app.render()
    snap("test-mode-lat-failed")
    app.lat_result = LatResultView(
        True, "cycle:3", 214, (), _Path("reports/test-deck-passed.pdf"), "M3TD-41PA"
    )
    app.render()
    snap("test-mode-lat-passed")


class _Snapper:
    """One state of the tour (the whole tour and `--only` alike): the screen in every language
    to `{W}x{H}-{NN}-{state}-{lang}.png`, each checked for strings of another language and
    for words cut; what is found goes to `foreign`."""

    def __init__(
        self,
        out: Path,
        size: tuple[int, int],
        app: Any,
        d: Any,
        service: Any,
        shots: list[Path],
        foreign: list[str],
        first: int = 0,
    ) -> None:
        self.out, self.size, self.app, self.d, self.service = out, size, app, d, service
        self.shots, self.foreign, self.n = shots, foreign, first
        self.check: Any = None

    def __call__(self, name: str) -> None:
        from kiosk.ui.catalogue import LANGS

        self.n += 1
        app, d = self.app, self.d
        keep = app.lang
        if self.check is None and self.service.package is not None:
            self.check = _package_check(self.service.package)
        w, h = self.size
        for lang in LANGS:
            app.set_lang(lang)
            path = self.out / f"{w}x{h}-{self.n:02d}-{name}-{lang}.png"
            d.shot(path)
            self.shots.append(path)
            if self.check is not None:
                for shown, piece, other in self.check.foreign(d.visible_texts(), lang):
                    self.foreign.append(f"{path.name}: {other} {piece!r} in {shown!r}")
            self.foreign.extend(f"{path.name}: word cut {c}" for c in d.cut_words())
        app.set_lang(keep)


def _package_check(package: Any) -> Any:
    """The language check with the package's own texts (contest titles, names) added."""
    from kiosk.ui.catalogue import LanguageCheck
    from kiosk.ui.services import package_view

    view = package_view(package)
    extra = [view.title]
    for st in view.stations:
        extra += [st.name, st.address]
    for s in view.styles:
        extra += [s.colour_name, s.contest_title, *s.options]
    return LanguageCheck(extra)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.ui.tour")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--size", default=None, help="one panel size (default: every tour display, each in its own process)"
    )
    ap.add_argument("--orientation", default="landscape", choices=("landscape", "portrait"))
    ap.add_argument(
        "--only", choices=("calibration", "lat"), help="only these states (with --size): issue 16's screens"
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.size and args.only:
        w, h = parse_size(args.size)
        for p in tour_only(
            args.out, Display(w, h, args.orientation, offscreen=True, fullscreen=False), args.only
        ):
            print(p)
        return 0
    if args.size:
        w, h = parse_size(args.size)
        shots = tour_one(args.out, Display(w, h, args.orientation, offscreen=True, fullscreen=False))
        for p in shots:
            print(p)
        return 0
    for size, orientation in TOUR_DISPLAYS:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.ui.tour",
                "--out",
                str(args.out),
                "--size",
                size,
                "--orientation",
                orientation,
            ],
            check=False,
        )
        if done.returncode != 0:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
