"""The kiosk's catalogue and its adapter over the station (no window: kiosk/ui/services.py and
kiosk/ui/catalogue.py import no Kivy). The window itself: tests/test_ui_e2e.py."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from fieldkit.sim import SimScanner
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, sign_election
from kiosk.errors import SanaqError
from kiosk.messages import MESSAGES
from kiosk.protocol.keys import MAX_PIN_ATTEMPTS
from kiosk.protocol.store import ProtocolStore
from kiosk.station.service import FixedClock
from kiosk.ui.catalogue import LANGS, TEXT, english_or_latin, error_text, text
from kiosk.ui.services import (
    DEMO_MEMBERS,
    DEMO_TECHNICIANS,
    KioskService,
    SecondChance,
    SheetResult,
    TestTallyView,
)

CHAIR, _, CHAIR_PIN = DEMO_MEMBERS[0]
MEMBER, _, MEMBER_PIN = DEMO_MEMBERS[2]


def test_catalogue_has_every_language_and_the_same_placeholders() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        fields = {lang: sorted(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS}
        assert fields["kk"] == fields["ru"] == fields["en"], key
        assert all(entry[lang].strip() for lang in LANGS), key
    for code in (
        "member_pin_wrong",
        "member_locked",
        "not_signed_in",
        "review_needs_two_members",
        "kiosk_fault",
    ):
        assert all(error_text(code, lang) == MESSAGES[code][lang] for lang in LANGS)


def test_screens_hold_no_words_of_their_own() -> None:
    """Every text a screen shows comes from the catalogue or kiosk/messages.py: no Cyrillic
    (nor English sentence) written into kiosk/ui/app.py."""
    source = (Path(__file__).resolve().parent.parent / "kiosk" / "ui" / "app.py").read_text(encoding="utf-8")
    assert not re.search(r"[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]", source)
    strings = re.findall(r'(?<![A-Za-z_])"([^"\n]{3,})"', source)
    sentences = [s for s in strings if re.fullmatch(r"[A-Z][a-z]+( [a-z]+){2,}[.!]?", s)]
    assert sentences == []


def _luminance(rgb: tuple[float, ...]) -> float:
    def ch(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_colours_pass_wcag_aa_contrast() -> None:
    from kiosk.ui import widgets as w

    # (text, background) pairs the screens use.
    pairs = [
        (w.INK, w.PAPER),
        (w.INK, w.PALE),
        (w.INK, w.AMBER),
        (w.INK, w.GREY),
        (w.INK, w.WHITE),
        (w.WHITE, w.BAR),
        (w.WHITE, w.BLUE),
        (w.WHITE, w.GREEN),
        (w.WHITE, w.RED),
        (w.WHITE, w.INK),
        (w.RED, w.PAPER),
        (w.RED, w.WHITE),
        (w.GREEN, w.PAPER),
        (w.BLUE, w.PAPER),
        (w.MUTED, w.PAPER),
        (w.MUTED, w.PALE),
        (w.INK, w.WHITE),
    ]
    for fg, bg in pairs:
        a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (a + 0.05) / (b + 0.05) >= 4.5, (fg, bg)


# --- the adapter ------------------------------------------------------------------------------------


class _ClockedService(KioskService):
    """The service with the test's monotonic clock at hand (`now[0]`, seconds)."""

    now: list[float]


@pytest.fixture
def service(tmp_path: Path) -> KioskService:
    s = KioskService(tmp_path / "station", clock=FixedClock(), development=True)
    view = s.load_package()
    assert view.development and view.stations[0].id == "379"
    s.configure("379")
    return s


def test_actions_need_a_member_and_record_who(service: KioskService) -> None:
    with pytest.raises(SanaqError) as err:
        service.transition("open")
    assert err.value.code == "not_signed_in"
    service.sign_in(MEMBER, MEMBER_PIN)
    with pytest.raises(SanaqError) as err:
        service.transition("open")  # a member may not open the polls: the lifecycle says who may
    assert err.value.code == "role_not_allowed"
    service.sign_out()
    service.sign_in(CHAIR, CHAIR_PIN)
    assert service.transition("open").state == "open"
    events = service.journal.audit_events()
    members = [
        (e["role"], e["detail"]["action"], e["detail"]["member"]) for e in events if e["kind"] == "actor"
    ]
    # A refused step leaves its own `refused` link and no actor link (kiosk/ui/services.py).
    assert members == [
        ("member", "signed_in", MEMBER),
        ("member", "signed_out", MEMBER),
        ("chair", "signed_in", CHAIR),
        ("chair", "open", CHAIR),
    ]
    assert [e["detail"]["code"] for e in events if e["kind"] == "refused"] == ["role_not_allowed"]


def test_the_commission_is_the_enrolment_and_each_pin_unlocks_a_key(service: KioskService) -> None:
    """A development package gets the sample commission as kiosk/protocol/sample.py makes it:
    an enrolment signed with the DEVELOPMENT key and each member's key under their PIN."""
    data = service.data
    assert not (data / "members.json").exists()
    enrolment = json.loads((data / "enrolment.json").read_text())
    assert set(enrolment) == {"payload", "protected", "signature"}
    assert sorted((data / "members").iterdir()) == sorted(
        data / "members" / f"{m}.key" for m, _, _ in DEMO_MEMBERS
    )
    # The commission, then the technician (not on the enrolment: kiosk/ui/technicians.py).
    assert [(m.name, m.role) for m in service.members()] == [
        (m, r) for m, r, _ in DEMO_MEMBERS + DEMO_TECHNICIANS
    ]
    assert service.sign_in(CHAIR, CHAIR_PIN).role == "chair"
    service.sign_out()
    # The key file must be the enrolled one: another member's file under the chair's name
    # (with its own PIN) is refused, whatever the PIN.
    chair_key = data / "members" / f"{CHAIR}.key"
    saved = chair_key.read_bytes()
    other = json.loads((data / "members" / f"{MEMBER}.key").read_text())
    other["member"] = CHAIR
    chair_key.write_text(json.dumps(other))
    with pytest.raises(SanaqError) as err:
        service.sign_in(CHAIR, MEMBER_PIN)
    assert err.value.code == "member_key_corrupt"
    chair_key.write_bytes(saved)
    # An enrolment not signed by headquarters' key: nobody signs in.
    service.close()
    forged = dict(enrolment, signature=enrolment["signature"][:-4] + "AAAA")
    (data / "enrolment.json").write_text(json.dumps(forged))
    again = KioskService(data, clock=FixedClock(), development=True)
    again.load_package()
    again.start()
    # The technician's roster is signed on its own: the technician still signs in (devices).
    assert [m.role for m in again.members()] == ["technician"]
    with pytest.raises(SanaqError) as err:
        again.sign_in(CHAIR, CHAIR_PIN)
    assert err.value.code == "protocol_enrolment_bad"
    again.close()
    (data / "technicians.json").unlink()
    again = KioskService(data, clock=FixedClock(), development=True)
    again.load_package()
    again.start()
    with pytest.raises(SanaqError) as err:
        again.members()
    assert err.value.code == "protocol_enrolment_bad"
    again.close()


def test_roles_come_from_the_enrolment(tmp_path: Path) -> None:
    """Headquarters' enrolment says who is chair: re-enrolled with the chair and a member
    swapped, the same keys and PINs sign in with the new roles."""
    from kiosk.protocol.keys import load_device_key, member_public
    from kiosk.protocol.sample import make_enrolment
    from kiosk.protocol.signed import public_key_of

    data = tmp_path / "station"
    s = KioskService(data, clock=FixedClock(), development=True)
    s.load_package()
    s.configure("379")
    assert s.package is not None
    roles = {m: r for m, r, _ in DEMO_MEMBERS} | {CHAIR: "member", MEMBER: "chair"}
    members = [(m, roles[m], member_public(data, m).public) for m, _, _ in DEMO_MEMBERS]
    jws = make_enrolment(s.package, "379", public_key_of(load_device_key(data)), members)
    (data / "enrolment.json").write_text(json.dumps(jws))
    s.close()
    s = KioskService(data, clock=FixedClock(), development=True)
    s.load_package()
    s.start()
    assert s.sign_in(MEMBER, MEMBER_PIN).role == "chair"
    assert s.transition("open").state == "open"
    s.sign_out()
    assert s.sign_in(CHAIR, CHAIR_PIN).role == "member"
    with pytest.raises(SanaqError) as err:
        s.transition("close")
    assert err.value.code == "role_not_allowed"
    s.close()


def test_wrong_pins_lock_the_member_out_and_the_journal_file_keeps_it(service: KioskService) -> None:
    for k in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(SanaqError) as err:
            service.sign_in(CHAIR, "000000")
        assert err.value.code == "member_pin_wrong"
        assert service.attempts_left(CHAIR) == MAX_PIN_ATTEMPTS - 1 - k
    with pytest.raises(SanaqError) as err:
        service.sign_in(CHAIR, "000000")
    assert err.value.code == "member_locked"
    assert service.attempts_left(CHAIR) == 0
    with pytest.raises(SanaqError) as err:
        service.sign_in(CHAIR, CHAIR_PIN)  # even the right PIN, once locked
    assert err.value.code == "member_locked"
    assert service.sign_in(MEMBER, MEMBER_PIN).role == "member"  # other members are not locked
    with pytest.raises(SanaqError) as err:
        service.sign_in("nobody", "111111")
    assert err.value.code == "member_unknown"
    refused = [e["detail"]["code"] for e in service.journal.audit_events() if e["kind"] == "refused"]
    assert refused == ["member_pin_wrong"] * (MAX_PIN_ATTEMPTS - 1) + ["member_locked"] * 2 + [
        "member_unknown"
    ]
    # The lock-out is in the journal file: a restarted kiosk keeps it.
    data = service.data
    service.close()
    again = KioskService(data, clock=FixedClock(), development=True)
    again.load_package()
    again.start()
    with pytest.raises(SanaqError) as err:
        again.sign_in(CHAIR, CHAIR_PIN)
    assert err.value.code == "member_locked"
    again.close()
    store = ProtocolStore.open(data / "journal.sqlite", FixedClock().now_iso)
    kinds = [(e["kind"], e["member"]) for e in store.audit_events()]
    store.close()
    assert kinds == [("pin_failed", CHAIR)] * MAX_PIN_ATTEMPTS + [("pin_locked", CHAIR), ("pin_ok", MEMBER)]


def test_review_needs_a_second_member(service: KioskService) -> None:
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("open")
    service.attach_scanner(SimScanner(n=40, seed=3))  # seed 3: one doubtful mark among 40
    results: list[SheetResult | SecondChance | TestTallyView] = []
    assert service.scan(results.append).code is None
    assert Counter(r.outcome for r in results if isinstance(r, SheetResult)) == {"accepted": 40}
    assert [r.counter for r in results if isinstance(r, SheetResult)] == list(range(1, 41))
    # secret7 (attack6): while the polls are open, no crops and no decision; the refusal comes
    # before the PIN check and writes nothing (a refused or pin_failed link would place the
    # waiting review among the sheets counted so far).
    assert service.review_items() == [] and service.status().review_waiting == 1
    (sheet, reading), head = service.journal.review_sheets()[0], service.journal.chain_head()
    blank = [{"contest": reading["contests"][0]["contest"], "outcome": "blank", "choice": None}]
    for second, pin in ((MEMBER, MEMBER_PIN), (MEMBER, "000000"), (CHAIR, CHAIR_PIN)):
        with pytest.raises(SanaqError) as err:
            service.decide_review(sheet, blank, second, pin)
        assert err.value.code == "review_while_open"
    assert service.journal.chain_head() == head and service.status().review_waiting == 1
    service.transition("close")
    items = service.review_items()
    assert len(items) == 1 and items[0].has_image
    marks = [m for m in items[0].contests[0].marks if m.mark != "empty"]
    assert all(m.row is not None and m.row.ndim == 2 for m in marks)
    decision = [{"contest": items[0].contests[0].contest, "outcome": "vote", "choice": marks[0].option}]
    with pytest.raises(SanaqError) as err:
        service.decide_review(items[0].sheet, decision, CHAIR, CHAIR_PIN)
    assert err.value.code == "review_needs_two_members"
    with pytest.raises(SanaqError) as err:
        service.decide_review(items[0].sheet, decision, MEMBER, "000000")
    assert err.value.code == "member_pin_wrong"
    assert service.status().review_waiting == 1
    status = service.decide_review(items[0].sheet, decision, MEMBER, MEMBER_PIN)
    assert status.review_waiting == 0
    tally = service.tally()["contests"][items[0].contests[0].contest]
    assert tally["review_pending"] == 0
    record = next(r for r in service.journal.cast_vote_records() if r["decision"])
    assert CHAIR in record["decision"]["who"] and MEMBER in record["decision"]["who"]


def test_second_chance_take_back_or_cast_as_is(tmp_path: Path) -> None:
    """A package that gives blank and over-marked ballots back: the voter is asked; "take
    it back" returns the sheet uncounted, "cast it as it is" counts it as invalid."""
    sample = load_election(None)
    e = sample.election
    election = e.model_copy(update={"rules": e.rules.model_copy(update={"return_invalid_to_voter": True})})
    (tmp_path / "pkg.json").write_bytes(sign_election(election, development_private_key()))
    service = KioskService(tmp_path / "station", tmp_path / "pkg.json", clock=FixedClock(), development=True)
    assert service.load_package().second_chance
    service.configure("379")
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("open")
    scanner = SimScanner(style="MZ-LIST", n=16, seed=5)
    assert service.package is not None
    scanner.package = service.package  # sheets printed for this package
    answers = iter(["cast", "back"] * 10)
    asked: list[str] = []

    def ask(handle: str) -> str:
        asked.append(next(answers))
        return asked[-1]

    service.attach_scanner(scanner, ask)
    results: list[SheetResult | SecondChance | TestTallyView] = []
    # One scan: the station asks and goes on (no stop-and-recount).
    assert service.scan(results.append).code is None
    chances = [r for r in results if isinstance(r, SecondChance)]
    assert len(chances) == len(asked) >= 2
    assert all(p in ("blank", "overvote") for c in chances for _, p in c.problems)
    outcomes = Counter(r.outcome for r in results if isinstance(r, SheetResult))
    cast, back = asked.count("cast"), asked.count("back")
    assert outcomes["cast_as_is"] == cast and outcomes["returned"] == back
    truth = Counter(t.contests[0].outcome for t in scanner.truth.values())
    tally = service.tally()
    contest = tally["contests"]["mazhilis-list"]
    # Every sheet fed is either counted or went back to its voter, and only once.
    assert tally["sheets"] + back == 16
    assert contest["blank"] + contest["overvote"] == cast
    assert truth["blank"] + truth["overvote"] == cast + back
    returned = [
        ev["detail"]["reason"] for ev in service.journal.audit_events() if ev["kind"] == "sheet_returned"
    ]
    assert returned == ["invalid_returned"] * back
    chance_answers = [
        ev["detail"] for ev in service.journal.audit_events() if ev["kind"] == "sheet_second_chance"
    ]
    assert chance_answers == [{"answer": "cast" if a == "cast" else "return"} for a in asked]
    # The voter saw the result of each answer right after the question.
    order = [r.outcome if isinstance(r, SheetResult) else "asked" for r in results]
    after = [order[i + 1] for i, o in enumerate(order) if o == "asked"]
    assert after == ["cast_as_is" if a == "cast" else "returned" for a in asked]
    assert Counter(w for w in scanner.state.values()) == {"box": tally["sheets"], "returned": back}
    assert service.journal.verify().ok


def test_text_formats() -> None:
    assert text("review_title", "kk", i=1, n=3) == "Күмәнді бюллетень 1 / 3"
    assert text("home_counts", "en", sheets=4, review=1, pending=0).startswith("Counted: 4.")


def test_a_restarted_kiosk_comes_back_where_it_was(service: KioskService) -> None:
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("open")
    service.attach_scanner(SimScanner(n=3, seed=2))
    service.scan(lambda _r: None)
    service.close()
    again = KioskService(service.data, clock=FixedClock(), development=True)
    assert again.is_configured()
    again.load_package()
    status = again.start()
    assert (status.state, status.official_sheets) == ("open", 3)
    with pytest.raises(SanaqError) as err:
        again.transition("pause")  # nobody is signed in after a restart
    assert err.value.code == "not_signed_in"
    with pytest.raises(SanaqError) as err:
        again.configure("379")  # the journal is never made twice
    assert err.value.code == "journal_exists"


# --- the closing: the protocol through the kiosk's adapter ----------------------------------------


def _entered(service: KioskService, contest: str, style: str, issued: int) -> dict[str, int]:
    """Lines that satisfy every ratio (as kiosk/protocol/sample.py makes them)."""
    assert service.package is not None
    st = service.package.election.station("379")
    received = st.ballots_received[style]
    return {
        "voters_on_list": st.voters_on_list,
        "ballots_received": received,
        "ballots_issued": issued,
        "ballots_cancelled": received - issued - 2,
        "ballots_spoiled": 2,
    }


def test_protocol_lines_ratios_signatures_finalise_print_export(
    service: KioskService, tmp_path: Path
) -> None:
    from kiosk.election.load import trust
    from kiosk.protocol.export import load_public_key, verify_export
    from kiosk.protocol.printed import render_pdf
    from kiosk.protocol.signed import parse_file, verify_document

    secretary, _, secretary_pin = DEMO_MEMBERS[1]
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("open")
    service.attach_scanner(SimScanner(style="MZ-LIST", n=12, seed=2))
    service.scan(lambda _r: None)
    n = service.status().official_sheets  # the simulator's deck has a rejected sheet or two
    assert service.status().review_waiting == 0 and n >= 10
    with pytest.raises(SanaqError) as err:
        service.sign_protocols(CHAIR, CHAIR_PIN)
    assert err.value.code == "protocol_not_ready"  # not before the polls close
    service.transition("close")
    service.sign_out()
    service.sign_in(secretary, secretary_pin)
    with pytest.raises(SanaqError) as err:
        service.finalise_protocols()  # the chair finalises (the lifecycle's rule)
    assert err.value.code == "role_not_allowed"
    service.sign_out()
    service.sign_in(CHAIR, CHAIR_PIN)
    contests = service.protocol_contests()
    assert contests[0] == "mazhilis-list" and len(contests) == 4
    view = service.protocol_view("mazhilis-list")
    # The counted lines are the journal's; the entered ones wait for the commission.
    counted = {ln.id: ln.value for ln in view.lines if ln.source == "counted"}
    tally = service.tally()["contests"]["mazhilis-list"]
    assert counted["ballots_in_box"] == n and counted["invalid"] == tally["blank"] + tally["overvote"]
    assert all(ln.value is None for ln in view.lines if ln.source == "entered")
    assert not view.saved and view.version is None
    # A draft with one line wrong: that ratio fails, with its difference, live.
    draft = _entered(service, "mazhilis-list", "MZ-LIST", 15)
    draft["ballots_cancelled"] -= 3
    live = service.protocol_view("mazhilis-list", draft)
    failing = {r.id: r.difference for r in live.ratios if not r.ok}
    assert failing == {"r2": 3}
    service.enter_protocol("mazhilis-list", draft)
    with pytest.raises(SanaqError) as err:
        service.sign_protocols(CHAIR, CHAIR_PIN)
    assert err.value.code == "protocol_ratio_failed"
    # Fixed: every ratio holds; the other ballot types (nothing counted) too.
    fixed = service.enter_protocol("mazhilis-list", _entered(service, "mazhilis-list", "MZ-LIST", 15))
    assert fixed.saved and all(r.ok for r in fixed.ratios)
    for c, style in zip(contests[1:], ("MZ-SMD-02", "AST-LIST", "AST-SMD-07"), strict=True):
        assert service.protocol_view(c).style == style
        assert all(r.ok for r in service.enter_protocol(c, _entered(service, c, style, 3)).ratios)
    # The preview: the printed protocol's first page, rendered.
    # Rendered as wide as the panel shows it (1:1 on screen), in proportion to A4, and decoded
    # for the window (grey bytes) in the worker.
    preview = service.preview_protocol("mazhilis-list", 1890)
    from PIL import Image

    with Image.open(preview.path) as im:
        assert im.format == "PNG" and im.width == 1890 and abs(im.height - round(1890 * 297 / 210)) <= 2
        pixels = np.asarray(im.convert("L"))
    assert (preview.width, preview.height) == (pixels.shape[1], pixels.shape[0])
    assert preview.pixels == pixels.tobytes()
    assert int(pixels.min()) < 60  # there is print on it
    # Text strokes at this scale are several pixels wide and reach full black (at 60 dpi,
    # 496 px wide, they were one grey pixel and the screen scaled them up).
    assert (pixels < 40).sum() > 20_000
    # Signatures with PINs: a wrong PIN counts towards the lock-out and signs nothing.
    with pytest.raises(SanaqError) as err:
        service.sign_protocols(secretary, "000000")
    assert err.value.code == "member_pin_wrong"
    with pytest.raises(SanaqError) as err:
        service.finalise_protocols()
    assert err.value.code == "protocol_unsigned"
    views = service.sign_protocols(CHAIR, CHAIR_PIN)
    views = service.sign_protocols(secretary, secretary_pin)
    assert all(v.signers == ("device", CHAIR, secretary) and v.version == 1 for v in views)
    paths = service.finalise_protocols()
    assert service.status().state == "finalised"
    assert sorted(p.name for p in paths) == sorted(
        f"{s}.v1.protocol.jws.json" for s in ("MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07")
    )
    t = trust(None)
    mz = verify_document(
        parse_file((service.data / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes()), t
    )
    assert (
        mz.protocol.value("ballots_in_box") == n and mz.protocol.value("ballots_cancelled") == 2519 - 15 - 2
    )
    assert [s.signer for s in mz.signatures] == ["device", CHAIR, secretary]
    printed = service.print_protocols()
    assert [p.version for p in printed] == [1, 1, 1, 1]
    pdf = printed[0].pdf.read_bytes()
    doc = parse_file((service.data / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes())
    assert pdf.startswith(b"%PDF") and pdf == render_pdf(mz, doc, service.package.election)  # type: ignore[union-attr]
    # Export to the stick: the exports' own check passes; the station is exported.
    stick = tmp_path / "stick"
    stick.mkdir()
    folder = service.export_to_stick(stick)
    result = verify_export(folder, load_public_key(service.data / "device.pub"))
    assert result.ok, result.problems
    assert sum(1 for f in folder.rglob("*.protocol.jws.json")) == 4
    assert service.status().state == "exported"
    events = service.journal.audit_events()
    assert [e["kind"] for e in events if e["kind"] in ("open", "close", "finalise", "export")] == [
        "open",
        "close",
        "finalise",
        "export",
    ]
    assert ("chair", "finalise", CHAIR) in [
        (e["role"], e["detail"]["action"], e["detail"]["member"]) for e in events if e["kind"] == "actor"
    ]
    assert service.journal.verify().ok


# --- issue 14, third pass: the technician, test mode, devices, sync -----------------------------------

TECH, _, TECH_PIN = DEMO_TECHNICIANS[0]


def test_the_technician_signs_in_from_their_own_roster_and_decides_nothing(service: KioskService) -> None:
    """The technician is on headquarters' technician roster, not on the protocol's enrolment: they
    sign in with their PIN, run the test mode, and may not open, review, enter lines or sign."""
    data = service.data
    enrolment = json.loads((data / "enrolment.json").read_text())
    from kiosk.election.load import trust
    from kiosk.protocol.signed import verify_enrolment

    assert TECH not in {m.id for m in verify_enrolment(enrolment, trust(None)).members}
    assert not (data / "members" / f"{TECH}.key").exists()  # not on `sanaq protocol roster`'s list
    member = service.sign_in(TECH, TECH_PIN)
    assert (member.name, member.role) == (TECH, "technician")
    for action in ("open", "close"):
        with pytest.raises(SanaqError) as err:
            service.transition(action)
        assert err.value.code in ("role_not_allowed", "action_not_allowed_now")
    assert service.transition("start_test").state == "testing"
    with pytest.raises(SanaqError) as err:
        service.decide_review("x", [], CHAIR, CHAIR_PIN)
    assert err.value.code == "role_not_allowed"
    with pytest.raises(SanaqError) as err:
        service.enter_protocol("mazhilis-list", {})
    assert err.value.code == "role_not_allowed"
    assert service.commission is not None
    with pytest.raises(SanaqError) as err:
        service.commission.unlock(TECH, TECH_PIN)  # the protocol's signer: never a technician
    assert err.value.code == "member_unknown"
    assert service.transition("end_test").state == "configured"
    service.sign_out()
    acted = [
        (e["role"], e["detail"]["action"], e["detail"]["member"])
        for e in service.journal.audit_events()
        if e["kind"] == "actor"
    ]
    assert acted[:3] == [
        ("technician", "signed_in", TECH),
        ("technician", "start_test", TECH),
        ("technician", "end_test", TECH),
    ]
    # Wrong PINs lock a technician out as they do a member.
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(SanaqError) as err:
            service.sign_in(TECH, "000000")
        assert err.value.code == "member_pin_wrong"
    with pytest.raises(SanaqError) as err:
        service.sign_in(TECH, "000000")
    assert err.value.code == "member_locked"
    with pytest.raises(SanaqError) as err:
        service.sign_in(TECH, TECH_PIN)
    assert err.value.code == "member_locked"
    service.close()


def test_a_technician_roster_not_signed_by_headquarters_or_for_another_station_counts_for_nobody(
    service: KioskService,
) -> None:
    data = service.data
    service.close()
    roster = json.loads((data / "technicians.json").read_text())
    from kiosk.election.package import development_private_key
    from kiosk.ui.technicians import TechnicianRoster, sign_roster, verify_roster

    def members_after(doc: dict[str, str]) -> list[str]:
        (data / "technicians.json").write_text(json.dumps(doc))
        s = KioskService(data, clock=FixedClock(), development=True)
        s.load_package()
        s.start()
        names = [m.name for m in s.members()]
        s.close()
        return names

    assert TECH in members_after(roster)
    forged = dict(roster, signature=roster["signature"][:-4] + "AAAA")
    assert TECH not in members_after(forged)
    from kiosk.election.load import trust

    real = verify_roster(roster, trust(None))
    elsewhere = TechnicianRoster(real.election_hash, "380", real.device_key, real.technicians)
    assert TECH not in members_after(sign_roster(elsewhere, development_private_key()))
    other_device = TechnicianRoster(real.election_hash, real.station, b"\x01" * 32, real.technicians)
    assert TECH not in members_after(sign_roster(other_device, development_private_key()))
    with pytest.raises(SanaqError) as err:
        verify_roster(dict(roster, payload=roster["payload"] + "A"), trust(None))
    assert err.value.code == "technician_roster_bad"
    # The technician's key file must be the enrolled one.
    assert TECH in members_after(roster)
    key = data / "technicians" / "members" / f"{TECH}.key"
    other = json.loads((data / "members" / f"{MEMBER}.key").read_text())
    other["member"] = TECH
    key.write_text(json.dumps(other))
    s = KioskService(data, clock=FixedClock(), development=True)
    s.load_package()
    s.start()
    with pytest.raises(SanaqError) as err:
        s.sign_in(TECH, MEMBER_PIN)
    assert err.value.code == "member_key_corrupt"
    s.close()


def test_test_mode_counts_test_ballots_per_contest_and_ending_it_clears_them(service: KioskService) -> None:
    """The logic-and-accuracy test through the same scan path as voting: test ballots counted
    in mode 'test', shown per contest; the polls cannot open meanwhile; ending it deletes them."""
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("start_test")
    scanner = SimScanner(n=8, seed=11, test=True)
    service.attach_scanner(scanner)
    results: list[object] = []
    stopped = service.scan(results.append)
    assert stopped.code is None and stopped.mode == "test" and stopped.counter == 0
    sheets = [r for r in results if isinstance(r, SheetResult)]
    assert [r.mode for r in sheets] == ["test"] * 8
    counted = [r for r in sheets if r.outcome == "accepted"]
    returned = [r for r in sheets if r.outcome == "returned"]
    # The test counter goes up with each test ballot counted (a sheet the reader sends back for
    # cleaning is returned, as in voting).
    assert [r.counter for r in counted] == list(range(1, len(counted) + 1))
    view = service.test_tally()
    assert view.sheets == len(counted) and view.returned == len(returned) and len(counted) >= 6
    assert service.package is not None
    e = service.package.election
    want: dict[str, Counter[str]] = {}
    for handle, truth in scanner.truth.items():
        if scanner.state[handle] != "box":
            continue
        for c in truth.contests:
            want.setdefault(c.contest, Counter())[
                c.choice if c.outcome == "vote" and c.choice else c.outcome
            ] += 1
    assert len(view.contests) == len(want)
    for title, options, blank, overvote, review in view.contests:
        contest = next(c for c in e.contests if c.title.en == title["en"])
        names = {english_or_latin(o.name.en, o.name.ru): o.id for o in contest.options}
        got = Counter({names[n["en"]]: k for n, k in options if k})
        got.update({"blank": blank, "overvote": overvote, "review": review})
        assert +got == +want[contest.id], contest.id
    # Official counting cannot start from test counts: the station refuses to open.
    with pytest.raises(SanaqError) as err:
        service.transition("open")
    assert err.value.code == "action_not_allowed_now"
    status, cleared = service.end_test()
    assert status.state == "configured" and cleared == len(counted)
    assert service.journal.tally("test").sheets == 0 and service.test_tally().sheets == 0
    assert service.transition("open").official_sheets == 0
    assert service.journal.verify().ok


def test_printer_test_to_a_pdf_and_through_the_spool_to_an_escpos_printer(service: KioskService) -> None:
    import subprocess

    from test_printer import LoopbackPrinter

    service.sign_in(CHAIR, CHAIR_PIN)
    devices = service.devices()
    assert next((p.url, p.state, p.configured) for p in devices.printers) == ("pdf:", "pdf", True)
    assert devices.calibration == ("calibrate" in __import__("kiosk.cli").cli.COMMANDS)
    done = service.printer_test()
    assert done.ok and done.code is None and done.waiting == 0
    pdf = service.data / done.where
    assert pdf.read_bytes().startswith(b"%PDF")
    page = subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf)], capture_output=True, check=True).stdout
    assert page.startswith(b"P5") and min(page[20:]) < 60  # a page with print on it
    # A thermal printer on loopback: the job goes through the spool; paper out leaves it there.
    printer = LoopbackPrinter()
    try:
        service.printer_url = f"escpos+net://127.0.0.1:{printer.port}?timeout=2"
        done = service.printer_test()
        assert done.ok and done.where == service.printer_url
        deadline = time.monotonic() + 10
        while not printer.received and time.monotonic() < deadline:
            time.sleep(0.02)  # the loopback printer keeps a connection's bytes when it closes
        assert len(printer.received) == 1
        assert b"\x1dV" in printer.received[0]  # ESC/POS cut: the whole page went
        printer.paper = False
        done = service.printer_test()
        assert not done.ok and done.code == "printer_paper_out" and done.waiting == 1
        assert service.devices().print_waiting == 1
    finally:
        printer.close()


def test_sync_needs_headquarters_and_shows_the_usb_export(service: KioskService) -> None:
    service.sign_in(CHAIR, CHAIR_PIN)
    view = service.sync_status()
    assert view.deliveries == () and view.hq is None and not view.exported and view.stick is None
    with pytest.raises(SanaqError) as err:
        service.send_now()
    assert err.value.code == "sync_no_headquarters"


def test_the_language_check_finds_a_string_left_in_another_language() -> None:
    """The check the tour and the end-to-end test run on every screen (catalogue.LanguageCheck):
    the finalised note left in Kazakh after a switch to English (the bug it was written for) is
    found; each language's own texts, and words two languages share, are not."""
    from kiosk.ui.catalogue import LanguageCheck

    check = LanguageCheck()
    stale = text("proto_finalised", "kk", n=4)
    assert [(f[0], f[2]) for f in check.foreign([stale], "en")] == [(stale, "kk")]
    assert check.foreign([stale], "ru")  # Kazakh is not Russian either
    assert check.foreign([text("proto_finalised", "en", n=4)], "en") == []
    assert check.foreign([text("home_title", "kk")], "ru") == []  # "Комиссия" in both
    assert check.foreign([error_text("member_pin_wrong", "ru")], "kk")
    for key, entry in TEXT.items():
        for lang in LANGS:
            assert check.foreign([entry[lang]], lang) == [], (key, lang)


# --- kioskpolish (issue 14, round 4): headquarters signs the technicians' roster by command ----------


def test_headquarters_signs_the_technicians_roster_by_command_and_an_edited_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sanaq protocol technician-add` (the kiosk), `technicians` (headquarters signs) and
    `technicians-enrol` (the kiosk installs): the roster so signed lets the technician sign in
    with their PIN; one edited after signing is refused by the command (technician_roster_bad,
    its kk/ru/en message) and, put in place by hand, enrols nobody at the kiosk."""
    import io

    from kiosk.cli import main
    from kiosk.election.load import trust
    from kiosk.protocol.keys import b64, unb64
    from kiosk.protocol.sample import make_sample_station
    from kiosk.protocol.signed import canonical
    from kiosk.ui.technicians import TechnicianRoster, sign_roster, verify_roster

    data = make_sample_station(tmp_path / "st", sheets_per_style=1).data

    def run(argv: list[str], stdin: str = "") -> tuple[int, str, dict[str, str]]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["protocol", "--data", str(data), *argv])
        out = capsys.readouterr()
        errs = [json.loads(x)["error"] for x in out.err.splitlines() if x.startswith('{"error"')]
        return code, out.out, errs[-1] if errs else {}

    assert run(["technician-add", "--member", "zhanna", "--pin-stdin"], "575757\n")[0] == 0
    # A commission member's id is not a technician's (the kiosk would refuse both rosters).
    code, _, err = run(["technician-add", "--member", "aigerim", "--pin-stdin"], "575757\n")
    assert (code, err["code"]) == (2, "member_key_exists")
    signed = tmp_path / "technicians.signed.json"
    code, out, err = run(["technicians", "--out", str(signed)])
    assert code == 0, err
    assert "1 ->" in out
    # Edited after signing: a second technician slipped into the payload, the signature kept.
    doc = json.loads(signed.read_text())
    body = json.loads(unb64(doc["payload"]))
    body["technicians"].append({"id": "mallory", "key": body["technicians"][0]["key"]})
    edited = tmp_path / "technicians.edited.json"
    edited.write_text(json.dumps(dict(doc, payload=b64(canonical(body)))))
    code, _, err = run(["technicians-enrol", "--roster", str(edited)])
    assert (code, err["code"]) == (2, "technician_roster_bad")
    assert {k: err[k] for k in LANGS} == MESSAGES["technician_roster_bad"]
    assert not (data / "technicians.json").exists()
    # For another station (signed all the same): technician_roster_mismatch.
    real = verify_roster(doc, trust(None))
    other = tmp_path / "technicians.380.json"
    elsewhere = TechnicianRoster(real.election_hash, "380", real.device_key, real.technicians)
    other.write_text(json.dumps(sign_roster(elsewhere, development_private_key())))
    code, _, err = run(["technicians-enrol", "--roster", str(other)])
    assert (code, err["code"]) == (2, "technician_roster_mismatch")
    assert {k: err[k] for k in LANGS} == MESSAGES["technician_roster_mismatch"]
    # The roster as signed: installed, and the technician signs in at the kiosk with their PIN.
    code, out, err = run(["technicians-enrol", "--roster", str(signed)])
    assert code == 0, err
    assert (data / "technicians.json").read_bytes() == signed.read_bytes()

    def kiosk_members() -> tuple[list[tuple[str, str]], str | None]:
        s = KioskService(data, clock=FixedClock(), development=True)
        s.load_package()
        s.start()
        names = [(m.name, m.role) for m in s.members()]
        role = s.sign_in("zhanna", "575757").role if ("zhanna", "technician") in names else None
        s.close()
        return names, role

    names, role = kiosk_members()
    assert ("zhanna", "technician") in names and role == "technician"
    assert ("aigerim", "chair") in names  # the commission's enrolment untouched
    # The edited roster put in place by hand: the kiosk enrols no technician.
    (data / "technicians.json").write_bytes(edited.read_bytes())
    names, role = kiosk_members()
    assert [n for n, r in names if r == "technician"] == [] and role is None


def test_english_screens_name_candidates_in_latin_letters_without_touching_the_package() -> None:
    """The sample package gives candidates no English name (its hash is pinned by the tests and
    the field corpus, so its content stays): the English screens show the Russian name in
    Latin letters, for display only."""
    from kiosk.election.load import sample_package_bytes
    from kiosk.ui.catalogue import latin
    from kiosk.ui.services import package_view

    assert latin("Жумабаев Ерлан Серикович") == "Zhumabaev Erlan Serikovich"
    assert latin("Щукин ЖУК, «Ақ жол»") == "Shchukin ZHUK, «Aq zhol»"
    raw = sample_package_bytes()
    view = package_view(load_election())
    names = [o for s in view.styles for o in s.options]
    assert any(o["ru"] != o["en"] for o in names)
    cyrillic = re.compile(r"[\u0400-\u04ff]")
    for s in view.styles:
        for o in s.options:
            assert not cyrillic.search(o["en"]), o
        assert not cyrillic.search(s.contest_title["en"])
    assert sample_package_bytes() == raw  # nothing written back
