"""Erased marks go to the commission (issue 10, the ninth pass: kiosk/reading/erase9.py).

Sheets: the red team's clean blank ballot (tests/test_redteam8.py: seed 5, sheet 0,
MZ-SMD-02, 200 dpi, all 43 squares empty); the worst scan is test_redteam7's `_scan`.
Erasures drawn by `fieldkit.erasure` (a rubber eraser's model, test-only) and by the red
team's and the eighth review's own helpers (test_redteam8._erased, test_review8._smear).
"""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_marks8 import pencil_fill
from test_redteam7 import _scan
from test_redteam8 import X_MM, Blank, _contest, _erased, _polylines
from test_redteam8 import blank as _blank_fixture
from test_review8 import _smear

import kiosk.reading.erase9 as erase9
from fieldkit.erasure import Eraser, erase, random_eraser
from kiosk.messages import MESSAGES
from kiosk.reading import crop, reference
from kiosk.reading.model import ReviewReason
from kiosk.vocabulary import ErrorCode

blank = _blank_fixture  # the module-scoped fixture, re-exported here

SQ = 20


def _fill_erased(b: Blank, residue: float) -> np.ndarray:
    """The eighth review's erased fill: an even grey residue and a 0.04 smear 9 x 9 mm."""
    _, img, centres, s = b
    return _smear(pencil_fill(img, centres[SQ], s, residue), centres[SQ], s, 4.5, 0.04)


def _x(b: Blank, k: float, width: float = 0.5, grain: float = 0.4) -> np.ndarray:
    _, img, centres, s = b
    return _polylines(img, centres[SQ], s, X_MM, width, k, grain=grain, seed=3)


# --- the two known wrong readings, with their reason --------------------------------------


@pytest.mark.parametrize("patch", [(7.0, 6.0, 0.12), (6.0, 5.0, 0.15)])
def test_erased_x_under_a_patch_says_possible_erasure(
    blank: Blank, patch: tuple[float, float, float]
) -> None:
    """The red team's erased X (tests/test_redteam8.py): review, `possible_erasure`, and
    the side's review reasons carry the code (what the journal keeps)."""
    reading = blank[0].read(_erased(blank, *patch))
    m = reading.contests[0].marks[SQ]
    assert (reading.contests[0].outcome, m.mark, m.reason) == ("review", "marginal", "possible_erasure"), m
    assert reading.status == "review" and "possible_erasure" in reading.review_reasons


@pytest.mark.parametrize("residue", [0.15, 0.2])
def test_erased_fill_with_a_smear_says_possible_erasure(blank: Blank, residue: float) -> None:
    c = _contest(blank[0], _fill_erased(blank, residue))
    assert (c.outcome, c.marks[SQ].reason) == ("review", "possible_erasure"), c.marks[SQ]


@pytest.mark.parametrize("residue", [0.15, 0.2])
def test_companion_erased_fill_reads_a_vote_without_erase9(
    blank: Blank, residue: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(erase9, "ENABLED", False)
    c = _contest(blank[0], _fill_erased(blank, residue))
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


# --- what each test of the rule needs --------------------------------------------------------


def test_the_smear_test_needs_the_band_greyed(blank: Blank) -> None:
    """The fill's residue alone (no smear round it) is a hand's fill to erase9: marks8
    reads it (`marked`); the same with the smear goes to review."""
    _, img, centres, s = blank
    plain = pencil_fill(img, centres[SQ], s, 0.2)
    assert not erase9.erased(plain, centres[SQ], s)
    assert erase9.erased(_fill_erased(blank, 0.2), centres[SQ], s)
    m = erase9.measures(_fill_erased(blank, 0.2), centres[SQ], s)
    assert m is not None and min(m[1]) >= erase9.SMEAR_MIN, m


def test_the_patch_test_needs_a_patch_short_of_the_corners(blank: Blank) -> None:
    """The 6 x 5 mm patch inside the square: its corners 0.64-0.66 of the core; a pencil
    fill's 0.94 and more (0.697 at the worst scan). With CORNER_SHARE at 0.6 the patch is not found."""
    _, _, centres, s = blank
    p = erase9.patch_measures(_erased(blank, 6.0, 5.0, 0.12), centres[SQ], s)
    assert p is not None and p[0] >= erase9.UNDER_MIN and p[1] >= erase9.GHOST_MIN and p[2] < 0.66, p
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(erase9, "CORNER_SHARE", 0.6)
        assert not erase9.erased(_erased(blank, 6.0, 5.0, 0.12), centres[SQ], s)


# --- real votes left alone ----------------------------------------------------------------------


@pytest.mark.parametrize("c", [0.15, 0.2, 0.3, 0.45])
@pytest.mark.parametrize("blur", [0.0, 1.5])
def test_a_real_pencil_fill_is_not_taken_for_an_erasure(blank: Blank, c: float, blur: float) -> None:
    _, img, centres, s = blank
    im = pencil_fill(img, centres[SQ], s, c, blur=blur)
    assert not erase9.erased(im, centres[SQ], s)
    assert _contest(blank[0], im).outcome == "vote"


@pytest.mark.parametrize(
    ("k", "width", "grain"), [(0.3, 0.5, 0.4), (0.4, 1.0, 0.4), (0.55, 0.5, 0.4), (0.85, 0.5, 0.0)]
)
def test_a_real_x_is_not_taken_for_an_erasure(blank: Blank, k: float, width: float, grain: float) -> None:
    im = _x(blank, k, width, grain)
    for scan in (im, _scan(im)):
        c = _contest(blank[0], scan)
        assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), (k, c.marks[SQ])


def test_a_pencil_vote_with_a_graphite_smudge_round_it_goes_to_review(blank: Blank) -> None:
    """The price, pinned: a voter's pencil fill (0.2) with the hand's graphite smeared round
    the square (0.04) is what an erased fill looks like: review (`possible_erasure`), not a
    decision the reader can take. A pen-dark mark (0.85) with the same smear stays a vote."""
    _, img, centres, s = blank
    c = _contest(blank[0], _smear(pencil_fill(img, centres[SQ], s, 0.3), centres[SQ], s, 4.5, 0.04))
    assert (c.outcome, c.marks[SQ].reason) == ("review", "possible_erasure"), c.marks[SQ]
    pen = _smear(_x(blank, 0.85, 0.5, 0.0), centres[SQ], s, 4.5, 0.04)
    c = _contest(blank[0], pen)
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


# --- the eraser's model: erasures no reader should decide --------------------------------------

# (mark, eraser): read a vote before erase9 (the rule off), review with it.
CASES = [
    ("fill", Eraser(w=9, h=7, angle=30, strength=0.5, smear=0.06, seed=4)),
    ("x", Eraser(w=9, h=7, angle=30, strength=0.5, smear=0.06, seed=4)),
]


def _model(b: Blank, mark: str, e: Eraser) -> np.ndarray:
    _, img, centres, s = b
    marked = pencil_fill(img, centres[SQ], s, 0.3) if mark == "fill" else _x(b, 0.45)
    return erase(img, marked, centres[SQ], s, e)


@pytest.mark.parametrize(("mark", "e"), CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_modelled_erasures_go_to_review(blank: Blank, mark: str, e: Eraser) -> None:
    im = _model(blank, mark, e)
    c = _contest(blank[0], im)
    assert (c.outcome, c.marks[SQ].reason) == ("review", "possible_erasure"), c.marks[SQ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(erase9, "ENABLED", False)
        c = _contest(blank[0], im)
        assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


def test_eraser_model_lifts_pencil_and_barely_ink(blank: Blank) -> None:
    """The model: a pencil X (0.45) rubbed out (`random_eraser`'s strength and streaks, the
    patch centred) leaves remnants 0.02-0.25 darker than the paper; a ballpoint's X keeps at least 0.8 of its darkness; the smear greys the
    paper beyond the patch; the sheet away from the square is untouched."""
    _, img, centres, s = blank
    cx, cy = (round(v) for v in centres[SQ])
    r = round(2.0 * s)
    rng = np.random.default_rng(3)
    pencil = _x(blank, 0.45)
    for _ in range(5):
        e = dataclasses.replace(random_eraser(rng), w=9.0, h=7.0, dx=0.0, dy=0.0)
        out = erase(img, pencil, centres[SQ], s, e)
        d = (
            1
            - out[cy - r : cy + r, cx - r : cx + r].astype(np.float32) / img[cy - r : cy + r, cx - r : cx + r]
        )
        assert 0.02 <= float(np.percentile(d, 99)) <= 0.25, (e, float(np.percentile(d, 99)))
    pen = _x(blank, 0.8, 0.4, 0.0)
    out = erase(img, pen, centres[SQ], s, random_eraser(rng, ink=True))
    before = (
        1 - pen[cy - r : cy + r, cx - r : cx + r].astype(np.float32) / img[cy - r : cy + r, cx - r : cx + r]
    )
    after = (
        1 - out[cy - r : cy + r, cx - r : cx + r].astype(np.float32) / img[cy - r : cy + r, cx - r : cx + r]
    )
    assert float(np.percentile(after, 99)) >= 0.75 * float(np.percentile(before, 99))
    smeared = erase(img, img, centres[SQ], s, Eraser(smear=0.06, reach=2.0, abrade=0.0))
    band = smeared[cy - round(5.5 * s) : cy - round(4.8 * s), cx - 10 : cx + 10].astype(np.float32)
    assert (
        float(np.mean(band))
        < float(np.mean(img[cy - round(5.5 * s) : cy - round(4.8 * s), cx - 10 : cx + 10])) - 2
    )
    assert np.array_equal(smeared[: cy - round(20 * s)], img[: cy - round(20 * s)])


def test_an_erased_ballpoint_x_stays_a_vote(blank: Blank) -> None:
    """The limit, pinned: ink barely erases; a ballpoint X rubbed at is still a dark X, read
    a vote (what a commission member sees too)."""
    _, img, centres, s = blank
    out = erase(img, _x(blank, 0.8, 0.4, 0.0), centres[SQ], s, Eraser(ink=True, smear=0.05))
    c = _contest(blank[0], out)
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


# --- the reason code reaches the commission's words ----------------------------------------------


def test_possible_erasure_is_a_reason_with_words() -> None:
    assert "possible_erasure" in typing.get_args(ReviewReason)
    assert "possible_erasure" in typing.get_args(ErrorCode)
    words = MESSAGES["possible_erasure"]
    assert set(words) == {"kk", "ru", "en"} and all(len(v) > 20 for v in words.values())
    with open("docs/error-codes.md", encoding="utf-8") as f:
        assert "possible_erasure" in f.read()


# --- the cheap first look's percentiles, from a histogram: numpy's own, to the last bit ------


@given(
    st.lists(st.integers(0, 255), min_size=1, max_size=3000),
    st.sampled_from([erase9.INK_PCT, 100 - erase9.INK_PCT, 50.0, 0.0, 100.0, 97.0]),
)
@settings(max_examples=300, deadline=None)
def test_percentile_u8_equals_numpys(values: list[int], q: float) -> None:
    win = np.array(values, np.uint8)
    counts = np.bincount(win, minlength=256).cumsum()
    assert erase9.percentile_u8(counts, q) == float(np.percentile(win, q))


@given(st.integers(0, 2**32 - 1), st.integers(5, 60), st.integers(0, 255), st.integers(0, 255))
@settings(max_examples=150, deadline=None)
def test_firm_equals_its_reference(seed: int, size: int, a: int, b: int) -> None:
    rng = np.random.default_rng(seed)
    lo, hi = min(a, b), max(a, b)
    win = rng.integers(lo, hi + 1, (size, size)).astype(np.uint8)
    scale = 200 / 25.4
    centre = (size / 2, size / 2)
    got = crop.around(win, centre, int(erase9.INSIDE_MM * scale))
    assert got is not None
    p, q = reference.firm_percentiles_reference(got[0], erase9.INK_PCT)
    want = bool(q > 0 and 1.0 - p / q >= erase9.FIRM_MAX)
    assert erase9._firm(win, centre, scale) == want
