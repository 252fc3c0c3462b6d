"""Seventh pass (issue 10, branch rims7): stains read as votes (kiosk/reading/rims7.py).

The red team's cases (tests/test_redteam7.py, whose drawing helpers these tests use): a
coffee ring's rim, an inked fingerprint and a smooth coffee drop over the EMPTY square
below a voter's single X were read `marked`, an overvote. Each layer alone now sends them
to review (`possible_stain`): the contest's rule (`unlike_marks`: a marked square much
lighter than the other) and the square's (`thin_stain`, `fill_stain`). Must not change:
a voter's circle, a light pencil fill, a pencil vote alone, a tick overshooting the
border, a dark overvote drawn with one pen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np
import pytest
import test_redteam7 as red
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import CleanSquare

import kiosk.reading.fix8 as fix8  # fix8
import kiosk.reading.rims7 as rims7
from fieldkit.conditions import _pencil
from fieldkit.deck import _draw_mark
from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading.model import SideReading
from kiosk.reading.reference import reach_share_reference

VOTE, BESIDE = red.VOTE, red.BESIDE
sheet = red.sheet  # the red team's clean sheet: one X in square 38, square 39 empty


@contextmanager
def only(layer: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reader with one of the two layers taken out."""
    with monkeypatch.context() as m:
        if layer == "square":
            m.setattr(rims7, "unlike_marks", lambda *a: a[-1])
        else:
            m.setattr(rims7, "thin_stain", lambda *a: None)
            m.setattr(rims7, "fill_stain", lambda *a: None)
        yield


def _stains(s: CleanSquare) -> dict[str, np.ndarray]:
    return {
        "ring 0.3": red._ring(s, 0.3),
        "ring 0.3 scanned": red._scan(red._ring(s, 0.3)),
        "ring 0.45": red._ring(s, 0.45),
        "ring 0.3, radius 15 mm": red._ring(s, 0.3, radius_mm=15.0),
        "ring 0.3, radius 4 mm": red._ring(s, 0.3, radius_mm=4.0),
        "fingerprint 0.35": red._fingerprint(s, 0.35),
        "drop 0.15": red._drop(s, 0.15, 2.0),
        "drop 0.15 scanned": red._scan(red._drop(s, 0.15, 2.5)),
    }


def _read(s: CleanSquare, image: np.ndarray) -> SideReading:
    r = s[0].read(image)
    assert r.status != "rejected", r
    return r


@pytest.mark.parametrize("layer", ["square", "contest"])
def test_each_layer_alone_sends_the_stains_to_review(
    sheet: CleanSquare, layer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stain beside the single X: the square `marginal` (`possible_stain`), the
        contest in review, the X still `marked`, with either layer alone (without both, each
        reads `marked` and the contest is an overvote: red7's xfails). The contest's layer alone
    misses the 0.45 rim (half as dark as the X, over UNLIKE_RATIO)."""
    images = _stains(sheet)
    with only(layer, monkeypatch):
        for name, image in images.items():
            r = _read(sheet, image)
            m = r.contests[0].marks[BESIDE]
            if layer == "contest" and name == "ring 0.45":
                # Where layer 1 stops: a rim of 0.45 is half as dark as the X (ratio 0.5).
                assert m.mark == "marked", m
                continue
            assert (m.mark, m.reason) == ("marginal", "possible_stain"), name
            if name == "ring 0.45":  # its arc through square 40's window is read `marked` there
                continue
            assert r.contests[0].outcome == "review", name
            assert r.contests[0].marks[VOTE].mark == "marked", name
            assert "possible_stain" in r.review_reasons, name


def test_without_the_layers_the_stains_read_marked(
    sheet: CleanSquare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard of the test above: with rims7 off, the stains are votes (overvotes)."""
    monkeypatch.setattr(rims7, "ENABLED", False)
    monkeypatch.setattr(fix8, "ENABLED", False)  # fix8: its smudge rule sends these drops to review too
    import kiosk.reading.erase9 as erase9  # erase9: a drop with a grey round it is its doubt too

    monkeypatch.setattr(erase9, "ENABLED", False)
    import kiosk.reading.wrong10 as wrong10  # wrong10: the fingerprint's ridges are its doubt too

    monkeypatch.setattr(wrong10, "ENABLED", False)
    for name, image in _stains(sheet).items():
        assert _read(sheet, image).contests[0].outcome == "overvote", name


def _square(s: CleanSquare, index: int) -> tuple[float, float, float]:
    """(x, y, size) px of square `index`'s printed box (square 39's box from the fixture's
    centre; rows are found from the layout)."""
    from kiosk.ballots.layout import build_layout
    from kiosk.election.package import election_hash
    from kiosk.election.sample import sample_election

    e = sample_election()
    layout = build_layout(e, election_hash(e), "MZ-SMD-02")
    _, _, _, cx, cy, scale = s
    t39, t = layout.targets[BESIDE].box, layout.targets[index].box
    x = cx + (t.cx - t39.cx) * scale - t.w * scale / 2
    y = cy + (t.cy - t39.cy) * scale - t.h * scale / 2
    return x, y, t.w * scale


def _draw(
    s: CleanSquare, image: np.ndarray, index: int, kind: str, seed: int, pencil: bool = False
) -> np.ndarray:
    """A voter's mark of fieldkit's `kind` in square `index` (fieldkit.deck's drawing),
    in pencil (fieldkit.conditions' graphite) when asked."""
    layer = np.full(image.shape, 255, np.uint8)
    _draw_mark(layer, _square(s, index), kind, np.random.default_rng(seed), s[5], False)  # type: ignore[arg-type]
    if pencil:
        _pencil(layer, np.random.default_rng(seed), s[5])
    out: np.ndarray = np.minimum(image, layer)
    return out


def _wipe(s: CleanSquare, image: np.ndarray, index: int) -> np.ndarray:
    """Square `index`'s inside painted paper white (the voter's X wiped off)."""
    x, y, size = _square(s, index)
    t = (TARGET_STROKE + 0.15) * s[5]
    out = image.copy()
    out[int(y + t) : int(y + size - t), int(x + t) : int(x + size - t)] = 255
    return out


def test_blank_ballot_with_a_stain_is_not_a_vote(sheet: CleanSquare) -> None:
    """No X at all: a ring, a fingerprint or a drop alone must not make the blank ballot
    a vote (layer 2 alone can catch this: there is no other mark to compare with)."""
    blank = _wipe(sheet, sheet[1], VOTE)
    assert _read(sheet, blank).contests[0].outcome == "blank"
    base = (sheet[0], blank, *sheet[2:])
    for name, image in {
        "ring": red._ring(base, 0.3),
        "fingerprint": red._fingerprint(base, 0.35),
        "drop": red._drop(base, 0.15, 2.0),
    }.items():
        r = _read(sheet, image)
        assert r.contests[0].outcome == "review", name
        assert r.contests[0].marks[BESIDE].reason == "possible_stain", name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_real_marks_beside_the_vote_still_overvote(sheet: CleanSquare, seed: int) -> None:
    """A voter's circle, a cross, a scribble, a filled square in pen in square 39 beside
    the X: two marks of a pen, `overvote` as before."""
    for kind in ("circle", "cross", "scribble", "filled", "tick"):
        r = _read(sheet, _draw(sheet, sheet[1], BESIDE, kind, seed))
        assert r.contests[0].outcome == "overvote", (kind, r.contests[0].marks[BESIDE])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_pencil_vote_alone_still_reads_marked(sheet: CleanSquare, seed: int) -> None:
    """On a blank ballot, one pencil mark (fieldkit's graphite: grainy, 80-160 of 255)
    in square 39, of every voting kind (circle, light fill, tick overshooting the border,
    cross, scribble): still a vote for that square, never review by the new rules.
    (tidy8: the mark, the contest's vote and the sheet's status asserted, not only that
    the reason is not `possible_stain`: each reads `marked`, 0.077-0.40, with or without
    rims7.)"""
    blank = _wipe(sheet, sheet[1], VOTE)
    for kind in ("circle", "filled", "tick", "cross", "scribble"):
        r = _read(sheet, _draw(sheet, blank, BESIDE, kind, seed, pencil=True))
        c = r.contests[0]
        m = c.marks[BESIDE]
        assert (m.mark, m.reason) == ("marked", None), (kind, m)
        assert (r.status, c.outcome, c.choice) == ("ok", "vote", m.option), (kind, r.status, c.outcome)
        assert [k for k, q in enumerate(c.marks) if q.mark != "empty"] == [BESIDE], (kind, c.marks)


def test_one_pencil_overvote_stays_an_overvote(sheet: CleanSquare) -> None:
    """Two pencil crosses drawn with the same pencil (one sheet, one graphite) in squares
    39 and 40 of a blank ballot: an overvote, as before."""
    blank = _wipe(sheet, sheet[1], VOTE)
    layer = np.full(blank.shape, 255, np.uint8)
    rng = np.random.default_rng(7)
    for i in (BESIDE, BESIDE + 1):
        _draw_mark(layer, _square(sheet, i), "cross", rng, sheet[5], False)
    _pencil(layer, np.random.default_rng(8), sheet[5])
    r = _read(sheet, np.asarray(np.minimum(blank, layer)))
    assert [m.mark for m in r.contests[0].marks[BESIDE : BESIDE + 2]] == ["marked", "marked"]
    assert r.contests[0].outcome == "overvote"


def test_unlike_marks_demotes_only_the_lighter(sheet: CleanSquare) -> None:
    """Layer 1 directly: a uniform grey disc of darkness 0.3 in square 39 scored as
    `marked` beside the pen X is demoted; at 0.6 of the light (pen-dark) it is not."""
    for k, expected in ((0.3, "marginal"), (0.6, "marked")):
        layer = np.zeros(sheet[1].shape, np.float32)
        cv2.circle(layer, (round(sheet[3]), round(sheet[4])), round(2.4 * sheet[5]), 1.0, -1)
        image = red._take(sheet[1], layer, k)
        r = sheet[0].read(image)
        assert r.contests[0].marks[BESIDE].mark == expected, (k, r.contests[0].marks[BESIDE])


def test_darkness_is_the_inks_high_percentile(sheet: CleanSquare) -> None:
    """`darkness` of square 39 with a 0.3 disc: about 0.3 (the ink of the disc), of the
    X's square: pen-dark."""
    layer = np.zeros(sheet[1].shape, np.float32)
    cv2.circle(layer, (round(sheet[3]), round(sheet[4])), round(2.4 * sheet[5]), 1.0, -1)
    image = red._take(sheet[1], layer, 0.3)
    half = round((TARGET / 2 + 1.2) * sheet[5])
    paper = np.full(4, 255.0)
    d = rims7.darkness(image, (sheet[3], sheet[4]), sheet[5], half, round(0.5 * sheet[5]), paper, 1.0)
    assert 0.27 <= d <= 0.33, d
    x, y, size = _square(sheet, VOTE)
    d = rims7.darkness(image, (x + size / 2, y + size / 2), sheet[5], half, round(0.5 * sheet[5]), paper, 1.0)
    assert d >= 0.6, d


@settings(max_examples=40, deadline=None)
@given(
    st.integers(8, 24),
    st.integers(8, 24),
    st.integers(0, 2**32 - 1),
    st.floats(0.2, 0.7),
    st.integers(1, 3),
)
def test_reach_share_agrees_with_its_reference(h: int, w: int, seed: int, p: float, r: int) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.random((h, w)) < p
    far = np.zeros((h, w), bool)
    far[:, :2] = True
    far[-1, :] = True
    ys, xs = np.nonzero(rng.random((h, w)) < 0.3)
    assert rims7.reach_share(mask, far, r, ys, xs) == pytest.approx(
        reach_share_reference(mask, far, r, ys, xs)
    )


def _grainy_fill(s: CleanSquare, image: np.ndarray, k: float) -> np.ndarray:
    """A voter's light pencil fill over 90 % of square 39: `k` of the light on average,
    with graphite's grain (fieldkit.conditions' 0.35-1 per pixel, blurred as at > 8 px/mm)."""
    layer = np.zeros(image.shape, np.float32)
    h = 0.9 * TARGET / 2 * s[5]
    cv2.rectangle(layer, (round(s[3] - h), round(s[4] - h)), (round(s[3] + h), round(s[4] + h)), 1.0, -1)
    grain = np.random.default_rng(3).uniform(0.35, 1.0, image.shape).astype(np.float32)
    return red._take(image, layer * cv2.GaussianBlur(grain, (3, 3), 0.6), k / 0.675)


def test_light_grainy_fill_alone_is_still_a_vote(sheet: CleanSquare) -> None:
    """A light grainy pencil fill (0.15, 0.2) on a blank ballot, at 200 dpi and at the worst
    scan (150 dpi, JPEG 50, 5 degrees), is decided by `inspect.is_fill` and stays `marked`
    (`smooth_fill` measures its grain on the flatter half of the inside, where graphite is
    rough and a drop is not)."""
    blank = _wipe(sheet, sheet[1], VOTE)
    for k in (0.15, 0.2):
        for image in (_grainy_fill(sheet, blank, k), red._scan(_grainy_fill(sheet, blank, k))):
            r = _read(sheet, image)
            assert r.contests[0].outcome == "vote", (k, r.contests[0].marks[BESIDE])


def test_clean_deck_light_pencil_tick_beside_the_rules_is_marked() -> None:
    """The clean deck's seed 1, MZ-SMD-02 sheet 2: a light pencil tick (fieldkit
    `light_pencil`, 120-150 of 255) overshooting the square's top towards the row's printed
    rule, alone on the ballot. The fingerprint test once took the two printed rules in the
    band round the window for ridges (`possible_stain`); each side of the band is now asked
    on its own (a rule crosses only the top and bottom)."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.election.package import election_hash
    from kiosk.election.sample import sample_election
    from kiosk.reading.reader import BallotReader

    e = sample_election()
    h = election_hash(e)
    s = generate_sheet(e, h, "MZ-SMD-02", 1, 2, DeckOptions(), with_front=False)
    assert s.truth.squares[18].kind == "light_pencil"
    r = BallotReader(e, h, keep_crops="never").read_bytes(s.back_bytes)
    assert r.contests[0].marks[18].mark == "marked" and r.contests[0].outcome == "vote"
