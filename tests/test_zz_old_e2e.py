"""The kiosk window driven through a station day by touches, offscreen (SDL offscreen, Mesa EGL).

A real station scanner on a serial line (the device emulator on a pty, with a paper jam and
a pulled cable), a marked deck with ground truth (official ballots, some blank or over-marked,
some with a doubtful mark; test ballots for the logic-and-accuracy test, and test ballots
fed during voting that must be returned), the real reader and journal on disk, the real
intake on loopback over TLS for the sync. Every step is a press and release on a button
found by its text, through Kivy's input path; on every screen the language is switched to
each of the three and no string of another language may remain. The assertions are on the
journal: the tally against the ground truth, the test counts gone, the commission's
decisions with both members, the roles and names in the audit chain, the receipts.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from fieldkit.deck import write_deck
from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, run_in_thread
from kiosk.election.load import load_election
from kiosk.station.journal import Journal
from kiosk.station.service import SystemClock

OFFICIAL, TEST_BALLOTS, SEED = 30, 4, 7  # seed 7: 2 doubtful marks, 6 blank and 3 over-marked ballots
LAT_BALLOTS = 3  # the logic-and-accuracy test's ballots, fed in test mode before the polls open


def _deck(folder: Path) -> tuple[list[Any], list[Any]]:
    pkg = load_election(None)
    # The logic-and-accuracy test's ballots first in the tray ("00-" sorts before "MZ-").
    lat = write_deck(
        pkg.election, pkg.election_hash, "MZ-LIST", LAT_BALLOTS, SEED + 200, folder / "l", test=True
    )
    for f in (folder / "l").iterdir():
        f.rename(folder / f"00-lat-{f.name}")
    (folder / "l").rmdir()
    truths = write_deck(pkg.election, pkg.election_hash, "MZ-LIST", OFFICIAL, SEED, folder)
    # Test (logic-and-accuracy) ballots fed during voting: returned, never counted. Their
    # file names sort after the official ones, so they come last in the tray.
    write_deck(pkg.election, pkg.election_hash, "MZ-LIST", TEST_BALLOTS, SEED + 100, folder / "t", test=True)
    for f in (folder / "t").iterdir():
        f.rename(folder / f"zz-test-{f.name}")
    (folder / "t").rmdir()
    return truths, lat


class SoundRecorder:
    """Stands in for kiosk.ui.sounds.Player (there is no audio device here): which sound the
    window asks for, in order."""

    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound: str) -> None:
        self.played.append(sound)


def _outcomes(truths: list[Any]) -> Counter[str]:
    want: Counter[str] = Counter()
    for truth in truths:
        c = truth.contests[0]
        want[c.choice if c.outcome == "vote" and c.choice else c.outcome] += 1
    return want


@pytest.mark.slow
def test_station_day_by_touch(tmp_path: Path) -> None:  # noqa: C901  (one scripted day, in order; its steps are the next split)
    os.environ["KIVY_HOME"] = str(tmp_path / "kivy-home")
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))
    from synckit import Faults, ServerThread, make_pki

    from intake.app import create_app
    from intake.service import Intake
    from intake.store import Store
    from kiosk.election.load import trust
    from kiosk.election.package import development_private_key
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import LANG_NAMES, LANGS, text
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import DEMO_MEMBERS, DEMO_TECHNICIANS, KioskService
    from kiosk.ui.tour import _package_check

    started = time.monotonic()
    truths, lat = _deck(tmp_path / "deck")
    assert Counter(t.contests[0].outcome for t in truths)["review"] >= 2

    # The emulated scanner: the test ballots alone in the tray at first; then the official
    # ones (and test ballots among them). A jam on the 6th official sheet, the cable pulled on
    # the 14th (the device numbers every sheet it takes in).
    deck = load_deck(tmp_path / "deck")
    device = ScannerDevice(
        deck, {LAT_BALLOTS + 5: "jam", LAT_BALLOTS + 13: "pull"}, operator_delay=0.3, power_off=0.3
    )
    device.stack = list(range(LAT_BALLOTS))
    link = tmp_path / "ttySANAQ0"
    runner = LinkRunner(device, link=link, replug_delay=0.3)
    thread = run_in_thread(runner)
    # Headquarters: the real intake (SQLite) on loopback over TLS; its first answer is a 500.
    pki = make_pki(tmp_path / "pki")
    sample = load_election(None)
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")), sample, trust(None), development_private_key(), time.time
    )
    faults = Faults(create_app(intake), fail_500=1)
    server = ServerThread(faults, pki).start()
    data = tmp_path / "station"
    sounds = SoundRecorder()  # a stand-in for the audio device (none on this machine)
    stick = tmp_path / "stick"  # the USB stick's mount point
    stick.mkdir()
    app = KioskApp(
        KioskService(data, development=True, stick=stick, hq_url=server.url, hq_ca=pki.ca),
        f"serial://{link}?timeout=0.6&reconnect=3",
        lang="kk",
        sounds=sounds,
    )
    d = Driver(app)
    (chair, _, chair_pin), (member, _, member_pin) = DEMO_MEMBERS[0], DEMO_MEMBERS[2]
    secretary, _, secretary_pin = DEMO_MEMBERS[1]
    tech, _, tech_pin = DEMO_TECHNICIANS[0]
    check = _package_check(sample)
    screens_checked: set[str] = set()

    def t(key: str, **kw: object) -> str:
        return text(key, app.lang, **kw)

    def languages_ok() -> None:
        """Switched to each language by its button, the screen holds no string of another one."""
        keep = app.lang
        for lang in (*[x for x in LANGS if x != keep], keep):
            d.tap(LANG_NAMES[lang])
            assert app.lang == lang
            found = check.foreign(d.visible_texts(), lang)
            assert found == [], (app.screen, lang, found)
        screens_checked.add(app.screen)

    def targets_ok() -> None:
        """Every touch target on screen is at least 48 dp high (72 px on this panel) and wide."""
        d.frames(2)
        small = [(b.text, b.size) for b in d.buttons("") if min(b.size) < 48 or b.height < 72]
        assert small == [], small

    def type_pin(pin: str, ok: str) -> None:
        for k in pin:
            d.tap(k, exact=True)
        d.tap(ok)
        d.settle()

    try:
        d.settle()
        # Set-up: the package's verification is on screen, DEVELOPMENT key in red.
        assert t("setup_development") in d.texts()
        languages_ok()
        d.tap(t("setup_choose_station"))
        d.settle()
        assert app.screen == "signin"
        targets_ok()
        languages_ok()
        # The technician: signs in with their PIN; sees the devices, tests the printer, runs the
        # logic-and-accuracy test. No voting action is offered to them.
        d.tap(tech)
        type_pin(tech_pin, t("signin_ok"))
        assert app.screen == "home" and app.actor is not None and app.actor.role == "technician"
        assert not d.buttons(t("action_open"))
        languages_ok()
        d.tap(t("action_devices"))
        d.settle()
        assert app.screen == "devices" and app.devices is not None
        (used,) = [x for x in app.devices.scanners if x.configured]
        assert used.url.startswith(f"serial://{link}") and used.state == "present"
        assert [(x.url, x.state) for x in app.devices.printers if x.configured] == [("pdf:", "pdf")]
        # Calibration exists on this build: its button, and no thresholds chosen yet (the
        # calibrate + L&A run on screen is tests/test_ui_lat_e2e.py).
        assert d.buttons(t("devices_calibrate")) and t("histogram_none") in d.texts()
        targets_ok()
        d.tap(t("devices_print_test"))
        d.settle()
        assert app.error is None and app.note is not None and app.note[0] == "devices_print_ok"
        (test_pdf,) = (data / "print").glob("printer-test-*.pdf")
        rendered = subprocess.run(
            ["pdftoppm", "-r", "40", "-gray", str(test_pdf)], capture_output=True, check=True, timeout=30
        ).stdout
        assert rendered.startswith(b"P5") and min(rendered[-50_000:]) < 60  # a page with print on it
        languages_ok()
        d.tap(t("devices_rescan"))
        d.settle()
        assert app.screen == "devices"
        d.tap(t("back"))
        # Test mode: the test ballots counted under the TEST banner, per contest.
        d.tap(t("action_test_start"))
        d.settle()
        assert app.screen == "testmode" and app.status is not None and app.status.state == "testing"
        d.wait(lambda: app.test_tally is not None and app.test_tally.sheets == LAT_BALLOTS, timeout=30)
        d.frames(3)
        banner = " · ".join(text("test_banner", x) for x in LANGS)
        assert any(banner in x for x in d.texts())
        tally = app.test_tally
        assert tally is not None
        (_mz_title, mz_options, blank, overvote, review) = tally.contests[0]
        shown_test = Counter({n["en"]: c for n, c in mz_options if c})
        want_test = _outcomes(lat)
        names = {o.id: o.name.en for o in sample.election.contest("mazhilis-list").options}
        assert +shown_test == +Counter({names.get(k, k): v for k, v in want_test.items() if k in names})
        assert (blank, overvote, review) == (want_test["blank"], want_test["overvote"], want_test["review"])
        assert t("test_open_refused") not in d.texts()
        languages_ok()
        # Opening the polls now is refused by the station, and the screen says why.
        app.act("open")
        d.settle()
        assert app.error == "action_not_allowed_now" and t("test_open_refused") in d.texts()
        d.settle(until=lambda: not app.scanning)
        d.tap(t("action_test_end"))
        assert t("test_confirm_end", n=LAT_BALLOTS) in d.texts()
        d.tap(t("yes"))
        d.settle()
        assert app.screen == "home" and app.status is not None and app.status.state == "configured"
        assert t("test_ended", n=LAT_BALLOTS) in d.texts()
        languages_ok()
        # The official tray: the operator loads the ballots.
        device.stack.extend(range(LAT_BALLOTS, len(deck)))
        d.tap(t("sign_out"))
        d.settle()
        assert app.screen == "signin"
        # Kiosk: Escape and the window manager's close do nothing.
        from kivy.core.window import Window

        assert Window.dispatch("on_keyboard", 27, 0, None, []) is True
        assert Window.dispatch("on_request_close") is True
        # Sign-in: a wrong PIN is refused and said; the right one lets the chair in.
        d.tap(chair)
        type_pin("999999", t("signin_ok"))
        assert app.screen == "signin" and app.error == "member_pin_wrong"
        d.tap(chair)
        type_pin(chair_pin, t("signin_ok"))
        assert app.screen == "home"
        targets_ok()
        languages_ok()
        # The language can change on any screen.
        d.tap("Русский")
        assert app.lang == "ru" and t("action_open") in [b.text for b in d.buttons("")]
        d.tap(t("action_open"))
        d.settle()
        assert app.screen == "zero" and app.status is not None and app.status.state == "open"
        d.tap(t("zero_to_voting"))
        # Voting: the scanner feeds; on each fault the alert fills the screen and the member
        # says it is fixed.
        alerts = []
        total = LAT_BALLOTS + OFFICIAL + TEST_BALLOTS  # every sheet the device took in
        deadline = time.monotonic() + 45
        while len(device.accepted_names) + len(device.returned_names) < total:
            assert time.monotonic() < deadline, (app.alert, app.error, len(device.accepted_names))
            d.frames(1)
            if app.alert:
                alerts.append(app.alert)
                assert t("alert_fixed") in [b.text for b in d.buttons("")]
                time.sleep(0.4)  # the member clears the jam, plugs the cable back
                d.tap(t("alert_fixed"))
            time.sleep(0.005)
        d.wait(lambda: app.last is not None and app.last.counter == OFFICIAL)
        assert app.counter_label.text == str(OFFICIAL)
        targets_ok()
        languages_ok()
        assert alerts == ["scanner_jammed", "scanner_disconnected"]
        # The sounds the window asked for (issue 14): a chime per counted sheet, a warning per
        # returned one, an error per alert; none in test mode.
        heard = Counter(sounds.played)
        assert heard == {"accepted": OFFICIAL, "warning": TEST_BALLOTS, "error": 2}, heard
        assert sounds.played.index("error") > 0 and sounds.played[-1] == "warning"
        # The last sheet was a test ballot: returned, with its reason in Kazakh and Russian.
        assert app.last is not None and app.last.outcome == "returned"
        assert app.last.reason == "test_ballot_in_official_mode"
        # The commission: review the doubtful sheets; two members decide each.
        d.tap(t("commission_menu"))
        d.settle()
        assert app.screen == "home" and app.status is not None and app.status.review_waiting >= 2
        n_review = app.status.review_waiting
        d.tap(t("action_review", n=n_review))
        d.settle()
        decisions: list[tuple[str, str | None]] = []
        for i in range(n_review):
            item = app.review[0]
            targets_ok()
            if i == 0:
                languages_ok()
            assert item.has_image  # the crops of the doubtful rows are shown
            if i == 0:
                option = next(m for m in item.contests[0].marks if m.mark != "empty")
                d.tap(t("review_vote_for", option=option.name[app.lang]))
                decisions.append(("vote", option.option))
            else:
                d.tap(t("review_invalid"))
                # Invalid: counted as over-marked where more than one square shows a mark, else blank.
                shown = [m for m in item.contests[0].marks if m.mark != "empty"]
                decisions.append(("overvote" if len(shown) > 1 else "blank", None))
            # The same member cannot confirm their own decision: the chair is not offered.
            assert not d.buttons(chair) and not d.buttons(tech)  # nor the technician
            if i == 0:
                languages_ok()  # the proposed decision follows the language too
            d.tap(member)
            type_pin(member_pin, t("review_confirm"))
        assert app.screen == "home"
        d.tap(t("action_close"))
        d.tap(t("yes"))
        d.settle()
        assert app.status is not None and app.status.state == "closed"
        # The protocol: every ballot type's lines typed on the keypad, the ratios live.
        d.tap(t("action_protocol"))
        d.settle()
        assert app.screen == "protocol" and len(app.proto_views) == 4
        targets_ok()
        languages_ok()
        package = load_election(None).election
        st = package.station("379")
        typed: dict[str, dict[str, int]] = {}
        for k, v in enumerate(list(app.proto_views)):
            d.tap(v.style)
            d.settle()
            assert app.proto is not None and app.proto.contest == v.contest
            received = st.ballots_received[v.style]
            issued = OFFICIAL + 5 if v.style == "MZ-LIST" else 3
            lines = {
                "voters_on_list": st.voters_on_list,
                "ballots_received": received,
                "ballots_issued": issued,
                # The first one mistyped (3 too few): its ratio goes red with the difference.
                "ballots_cancelled": received - issued - 2 - (3 if k == 0 else 0),
                "ballots_spoiled": 2,
            }
            for line, value in lines.items():
                ln = next(x for x in app.proto.lines if x.id == line)
                d.tap(f"{ln.number}. {ln.title[app.lang]}")
                for digit in str(value):
                    d.tap(digit, exact=True)
                d.settle()
            if k == 0:
                bad = [r for r in app.proto.ratios if not r.ok]
                assert [(r.id, r.difference) for r in bad] == [("r2", 3)]
                red = [x for x in d.texts() if x.startswith("✗")]
                # Beside the keypad as well as in the list: the same one ratio, with its difference.
                assert len(set(red)) == 1 and "+3" in red[0]
                # Fixed: the line chosen again, cleared, typed right.
                ln = next(x for x in app.proto.lines if x.id == "ballots_cancelled")
                d.tap(f"{ln.number}. {ln.title[app.lang]}")
                d.tap(t("signin_clear"))
                lines["ballots_cancelled"] += 3
                for digit in str(lines["ballots_cancelled"]):
                    d.tap(digit, exact=True)
                d.settle()
            assert all(r.ok for r in app.proto.ratios) and not [x for x in d.texts() if x.startswith("✗")]
            d.tap(t("proto_save"))
            d.settle()
            assert app.proto.saved
            typed[v.contest] = lines
        targets_ok()
        # The preview: the printed protocol's first page on screen.
        d.tap(t("proto_preview"))
        d.settle()
        assert app.screen == "preview"
        from kivy.uix.image import Image

        d.frames(3)
        images = [w for w in d.widgets() if isinstance(w, Image)]
        # Rendered as wide as the panel shows it, shown 1:1 (no scaling: sharp).
        assert images and images[0].texture is not None and images[0].texture.width > 1200
        assert tuple(images[0].size) == tuple(images[0].texture.size)
        languages_ok()
        d.tap(t("back"))
        # Signatures: the secretary mistypes once, then the chair and the secretary sign.
        d.tap(t("proto_signatures"))
        d.settle()
        assert app.screen == "protosign"
        d.tap(secretary)
        type_pin("123456", t("proto_sign_ok"))
        assert app.error == "member_pin_wrong"
        for name, pin in ((chair, chair_pin), (secretary, secretary_pin)):
            d.tap(name)
            type_pin(pin, t("proto_sign_ok"))
            assert app.error is None, app.error
        assert all(v.signers == ("device", chair, secretary) for v in app.proto_views)
        d.tap(t("proto_finalise"))
        d.settle()
        assert app.status is not None and app.status.state == "finalised", app.error
        # The note of the step follows the language (it stayed Kazakh before).
        languages_ok()
        d.tap(t("proto_print"))
        d.settle()
        d.tap(t("proto_export"))
        d.settle()
        # (the background sync may already have taken the `sync` step: everything was delivered)
        assert app.status is not None and app.status.state in ("exported", "synced"), app.error
        targets_ok()
        # Sync (sync3): no button. The background loop started at finalise (headquarters given
        # by --hq/--ca) has delivered past the intake's 500 in its own thread; its snapshots
        # came through Clock; once exported, the station's `sync` step followed by itself.
        d.tap(t("back"))
        d.tap(t("back"))
        d.settle()
        d.tap(t("action_sync"))
        d.settle()
        assert app.screen == "sync" and app.sync is not None
        assert app.sync.exported and len(app.sync.export) == 1 and app.sync.export[0].endswith(": ok")
        d.wait(
            lambda: (
                app.sync_loop is not None
                and app.sync_loop.count("receipt received") == 4
                and app.status is not None
                and app.status.state == "synced"
            ),
            timeout=60,
        )
        d.settle(until=lambda: app.sync is not None and len(app.sync.deliveries) == 4)
        loop = app.sync_loop
        assert loop is not None and loop.attempts == 5 and loop.last_error is None
        assert app.error is None, app.error
        d.settle(
            until=lambda: (
                app.sync is not None and [x.state for x in app.sync.deliveries] == ["receipt received"] * 4
            )
        )
        # The first delivery met the 500 and was sent again; each receipt is summed up on screen.
        attempts = sorted(x.attempts for x in app.sync.deliveries)
        assert attempts == [1, 1, 1, 2] and any(x.last_error == "HTTP 500" for x in app.sync.deliveries)
        on_screen = d.texts()
        assert t("sync_loop_counts", pending=0, sent=0, received=4) in on_screen
        for x in app.sync.deliveries:
            assert x.receipt is not None
            title, version, at = x.receipt
            assert version == 1 and t("sync_receipt", contest=title[app.lang], version=1, at=at) in on_screen
        targets_ok()
        # "Send now" wakes the same loop: nothing is sent again.
        d.tap(t("sync_send"))
        d.settle()
        assert app.error is None, app.error
        assert len(faults.seen) == 5
        assert app.status is not None and app.status.state == "synced"
        languages_ok()
    finally:
        app.stop()  # stops the station thread, which closes the journal
        runner.stop.set()
        thread.join(5)
        server.stop()
    elapsed = time.monotonic() - started

    # --- the journal, read on its own ---------------------------------------------------------------
    journal = Journal.open(data / "journal.sqlite", SystemClock())
    try:
        assert journal.state == "synced"
        tally = journal.tally().to_json(("blank", "overvote"))["contests"]["mazhilis-list"]
        want: Counter[str] = Counter()
        for truth in truths:
            c = truth.contests[0]
            want[c.choice if c.outcome == "vote" and c.choice else c.outcome] += 1
        # The commission's decisions replace the doubtful ones.
        want["review"] -= len(decisions)
        for outcome, chosen in decisions:
            want[chosen if outcome == "vote" and chosen else outcome] += 1
        got = Counter({**tally["options"], "blank": tally["blank"], "overvote": tally["overvote"]})
        got["review"] = tally["review_pending"]
        assert +got == +want
        assert journal.tally().sheets == OFFICIAL and journal.tally("test").sheets == 0
        events = journal.audit_events()
        returned = Counter(e["detail"]["reason"] for e in events if e["kind"] == "sheet_returned")
        assert returned == {"test_ballot_in_official_mode": TEST_BALLOTS}
        decided = [e for e in events if e["kind"] == "review_decided"]
        assert len(decided) == len(decisions)
        assert all(
            e["role"] == "chair" and chair in e["detail"]["who"] and member in e["detail"]["who"]
            for e in decided
        )
        records = [r for r in journal.cast_vote_records() if r["decision"]]
        assert len(records) == len(decisions) and all(r["decision"]["who"] for r in records)
        acted = [
            (e["role"], e["detail"]["action"], e["detail"]["member"]) for e in events if e["kind"] == "actor"
        ]
        assert ("chair", "open", chair) in acted and ("chair", "close", chair) in acted
        assert [e["role"] for e in events if e["kind"] in ("open", "close")] == ["chair", "chair"]
        steps = ("start_test", "end_test", "open", "close", "finalise", "export", "sync")
        assert [e["kind"] for e in events if e["kind"] in steps] == list(steps)
        # The technician ran the test, by name; the test counts are gone.
        assert [e["role"] for e in events if e["kind"] in ("start_test", "end_test")] == ["technician"] * 2
        assert ("technician", "start_test", tech) in acted and ("technician", "end_test", tech) in acted
        assert ("technician", "signed_in", tech) in acted
        assert journal.tally("test").sheets == 0 and not journal.tally("test").contests
        # The open tried in test mode is refused (by the station), then the wrong PIN.
        refused = [(e["detail"]["action"], e["detail"]["code"]) for e in events if e["kind"] == "refused"]
        assert refused == [("open", "action_not_allowed_now"), ("sign_in", "member_pin_wrong")]
        assert journal.verify().ok
    finally:
        journal.close()

    # --- the protocol store and what reached the stick ------------------------------------------------
    from kiosk.election.load import trust
    from kiosk.protocol.export import load_public_key, verify_export
    from kiosk.protocol.signed import parse_file, verify_document
    from kiosk.protocol.store import ProtocolStore

    store = ProtocolStore.open(data / "journal.sqlite", SystemClock().now_iso)
    try:
        for contest, lines in typed.items():
            assert store.entered(contest) == lines
            final = store.current_finalised(contest)
            assert final is not None and final.version == 1
            assert [x for x, _, _ in store.signatures(contest, 1)] == ["device", chair, secretary]
        pins = [(e["kind"], e["member"]) for e in store.audit_events() if e["kind"].startswith("pin_")]
        assert ("pin_failed", secretary) in pins and ("pin_locked", secretary) not in pins
    finally:
        store.close()
    mz = verify_document(
        parse_file((data / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes()), trust(None)
    )
    assert mz.protocol.values()["ballots_in_box"] == OFFICIAL
    assert mz.protocol.values()["ballots_cancelled"] == typed["mazhilis-list"]["ballots_cancelled"]
    # The printed protocols, and the technician's printer test page beside them.
    assert sorted(p.name for p in (data / "print").glob("*.pdf")) == sorted(
        [*(f"{v}.v1.pdf" for v in ("MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07")), test_pdf.name]
    )
    (folder,) = [p for p in stick.iterdir() if p.is_dir()]
    checked = verify_export(folder, load_public_key(data / "device.pub"))
    assert checked.ok, checked.problems
    assert len(list(folder.rglob("*.protocol.jws.json"))) == 4
    # Headquarters holds each protocol once.
    assert intake.store.count() == 4
    # Every kind of screen of the day was shown in the three languages.
    assert {"setup", "signin", "home", "devices", "testmode", "voting", "review", "protocol", "preview"} <= (
        screens_checked
    ) and {"protosign", "sync"} <= screens_checked
    print(f"e2e wall time {elapsed:.1f} s")
