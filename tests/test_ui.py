"""The kiosk's catalogue and its adapter over the station (no window: kiosk/ui/services.py and
kiosk/ui/catalogue.py import no Kivy). The window itself: tests/test_ui_e2e.py."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from fieldkit.sim import SimScanner
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, sign_election
from kiosk.errors import SanaqError
from kiosk.messages import MESSAGES
from kiosk.station.service import FixedClock
from kiosk.ui.catalogue import LANGS, TEXT, error_text, text
from kiosk.ui.services import (
    DEMO_COMMISSION,
    MAX_PIN_ATTEMPTS,
    KioskService,
    SecondChance,
    SheetResult,
)

CHAIR, _, CHAIR_PIN = DEMO_COMMISSION[0]
MEMBER, _, MEMBER_PIN = DEMO_COMMISSION[2]


def test_catalogue_has_every_language_and_the_same_placeholders() -> None:
    for key, entry in TEXT.items():
        assert set(entry) == set(LANGS), key
        fields = {lang: sorted(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGS}
        assert fields["kk"] == fields["ru"] == fields["en"], key
        assert all(entry[lang].strip() for lang in LANGS), key
    for code in ("pin_wrong", "sign_in_locked", "not_signed_in", "review_needs_two_members", "kiosk_fault"):
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
def service(tmp_path: Path) -> _ClockedService:
    clock_now = [0.0]
    s = _ClockedService(
        tmp_path / "station", clock=FixedClock(), monotonic=lambda: clock_now[0], development=True
    )
    s.now = clock_now
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
    # Who acts is named before the attempt (as `sanaq station` does), so the refused one has
    # its member beside the refusal.
    assert members == [
        ("member", "signed_in", MEMBER),
        ("member", "open", MEMBER),
        ("member", "signed_out", MEMBER),
        ("chair", "signed_in", CHAIR),
        ("chair", "open", CHAIR),
    ]
    assert [e["detail"]["code"] for e in events if e["kind"] == "refused"] == ["role_not_allowed"]


def test_wrong_pins_lock_the_name_for_a_while(service: _ClockedService) -> None:
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(SanaqError) as err:
            service.sign_in(CHAIR, "0000")
        assert err.value.code == "pin_wrong"
    with pytest.raises(SanaqError) as err:
        service.sign_in(CHAIR, "0000")
    assert err.value.code == "sign_in_locked"
    with pytest.raises(SanaqError) as err:
        service.sign_in(CHAIR, CHAIR_PIN)  # even the right PIN, while locked
    assert err.value.code == "sign_in_locked"
    assert service.sign_in(MEMBER, MEMBER_PIN).role == "member"  # other names are not locked
    service.now[0] += 301
    assert service.sign_in(CHAIR, CHAIR_PIN).role == "chair"
    refused = [e["detail"]["code"] for e in service.journal.audit_events() if e["kind"] == "refused"]
    assert refused == ["pin_wrong", "pin_wrong", "sign_in_locked", "sign_in_locked"]
    with pytest.raises(SanaqError) as err:
        service.sign_in("Nobody", "1111")
    assert err.value.code == "pin_wrong"


def test_review_needs_a_second_member(service: KioskService) -> None:
    service.sign_in(CHAIR, CHAIR_PIN)
    service.transition("open")
    service.attach_scanner(SimScanner(n=40, seed=3))  # seed 3: one doubtful mark among 40
    results: list[SheetResult | SecondChance] = []
    assert service.scan(results.append).code is None
    assert Counter(r.outcome for r in results if isinstance(r, SheetResult)) == {"accepted": 40}
    assert [r.counter for r in results if isinstance(r, SheetResult)] == list(range(1, 41))
    items = service.review_items()
    assert len(items) == 1 and items[0].has_image
    marks = [m for m in items[0].contests[0].marks if m.mark != "empty"]
    assert all(m.row is not None and m.row.ndim == 2 for m in marks)
    decision = [{"contest": items[0].contests[0].contest, "outcome": "vote", "choice": marks[0].option}]
    with pytest.raises(SanaqError) as err:
        service.decide_review(items[0].sheet, decision, CHAIR, CHAIR_PIN)
    assert err.value.code == "review_needs_two_members"
    with pytest.raises(SanaqError) as err:
        service.decide_review(items[0].sheet, decision, MEMBER, "0000")
    assert err.value.code == "pin_wrong"
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
    results: list[SheetResult | SecondChance] = []
    for _ in range(20):
        stopped = service.scan(results.append)
        if stopped.code is None and sum(w != "held" for w in scanner.state.values()) == 16:
            break
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
