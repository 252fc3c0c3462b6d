"""The kiosk window driven through a station day by touches, offscreen (SDL offscreen, Mesa EGL).

A real station scanner on a serial line (the device emulator on a pty, with a paper jam and
a pulled cable), a marked deck with ground truth (official ballots, some blank or over-marked,
some with a doubtful mark; and test ballots that must be returned), the real reader and
journal on disk. Every step is a press and release on a button found by its text, through
Kivy's input path. The assertions are on the journal: the tally against the ground truth,
the commission's decisions with both members, the roles and names in the audit chain.
"""

from __future__ import annotations

import os
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


def _deck(folder: Path) -> list[Any]:
    pkg = load_election(None)
    truths = write_deck(pkg.election, pkg.election_hash, "MZ-LIST", OFFICIAL, SEED, folder)
    # Test (logic-and-accuracy) ballots fed during voting: returned, never counted. Their
    # file names sort after the official ones, so they come last in the tray.
    write_deck(pkg.election, pkg.election_hash, "MZ-LIST", TEST_BALLOTS, SEED + 100, folder / "t", test=True)
    for f in (folder / "t").iterdir():
        f.rename(folder / f"zz-test-{f.name}")
    (folder / "t").rmdir()
    return truths


@pytest.mark.slow
def test_station_day_by_touch(tmp_path: Path) -> None:
    os.environ["KIVY_HOME"] = str(tmp_path / "kivy-home")
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))
    from kiosk.ui.app import KioskApp
    from kiosk.ui.catalogue import text
    from kiosk.ui.drive import Driver
    from kiosk.ui.services import DEMO_MEMBERS, KioskService

    truths = _deck(tmp_path / "deck")
    assert Counter(t.contests[0].outcome for t in truths)["review"] >= 2

    # The emulated scanner: a jam on the 6th sheet, the cable pulled on the 14th.
    device = ScannerDevice(
        load_deck(tmp_path / "deck"), {5: "jam", 13: "pull"}, operator_delay=0.3, power_off=0.3
    )
    link = tmp_path / "ttySANAQ0"
    runner = LinkRunner(device, link=link, replug_delay=0.3)
    thread = run_in_thread(runner)
    data = tmp_path / "station"
    stick = tmp_path / "stick"  # the USB stick's mount point
    stick.mkdir()
    app = KioskApp(
        KioskService(data, development=True, stick=stick),
        f"serial://{link}?timeout=0.6&reconnect=3",
        lang="kk",
    )
    d = Driver(app)
    (chair, _, chair_pin), (member, _, member_pin) = DEMO_MEMBERS[0], DEMO_MEMBERS[2]
    secretary, _, secretary_pin = DEMO_MEMBERS[1]

    def t(key: str, **kw: object) -> str:
        return text(key, app.lang, **kw)

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
        d.tap(t("setup_choose_station"))
        d.settle()
        assert app.screen == "signin"
        targets_ok()
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
        total = OFFICIAL + TEST_BALLOTS
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
        assert alerts == ["scanner_jammed", "scanner_disconnected"]
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
            assert not d.buttons(chair)
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
        assert images and images[0].texture is not None and images[0].texture.width > 400
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
        d.tap(t("proto_print"))
        d.settle()
        d.tap(t("proto_export"))
        d.settle()
        assert app.status is not None and app.status.state == "exported", app.error
        targets_ok()
    finally:
        app.stop()  # stops the station thread, which closes the journal
        runner.stop.set()
        thread.join(5)

    # --- the journal, read on its own ---------------------------------------------------------------
    journal = Journal.open(data / "journal.sqlite", SystemClock())
    try:
        assert journal.state == "exported"
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
        assert [e["kind"] for e in events if e["kind"] in ("open", "close", "finalise", "export")] == [
            "open",
            "close",
            "finalise",
            "export",
        ]
        refused = [e["detail"]["code"] for e in events if e["kind"] == "refused"]
        assert refused == ["member_pin_wrong"]
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
    assert sorted(p.name for p in (data / "print").glob("*.pdf")) == sorted(
        f"{v}.v1.pdf" for v in ("MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07")
    )
    (folder,) = [p for p in stick.iterdir() if p.is_dir()]
    checked = verify_export(folder, load_public_key(data / "device.pub"))
    assert checked.ok, checked.problems
    assert len(list(folder.rglob("*.protocol.jws.json"))) == 4
