"""A dark stain's body over a square goes to the commission (issue 10, dark49:
kiosk/reading/dark49.py).

Sheets: the red team's clean blank ballot (tests/test_redteam8.py: MZ-SMD-02, 200 dpi, all
43 squares empty); stains drawn here as a soft-edged body of even darkness (a spill) or
fieldkit's own `_stain` (a thumbprint's ridges) at a darkness over the corpus's; real marks
by test_redteam8's `_polylines` and test_marks8's `pencil_fill`.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_marks8 import pencil_fill
from test_redteam8 import X_MM, Blank, _contest, _polylines
from test_redteam8 import blank as _blank_fixture

import kiosk.reading.dark49 as dark49
from fieldkit.conditions import _stain
from kiosk.ballots.layout import TARGET

blank = _blank_fixture  # the module-scoped fixture, re-exported here

SQ = 20


def _body(
    image: np.ndarray,
    centre: tuple[float, float],
    s: float,
    at_mm: tuple[float, float],
    r_mm: float,
    k: float,
) -> np.ndarray:
    """A spill: an ellipse `r_mm` across (half), its centre `at_mm` from `centre`, taking `k`
    of the light evenly, its edge soft over about half a millimetre."""
    mask: np.ndarray = np.zeros(image.shape, np.float32)
    cx, cy = centre[0] + at_mm[0] * s, centre[1] + at_mm[1] * s
    cv2.ellipse(
        mask, (round(cx), round(cy)), (round(r_mm * s), round(0.85 * r_mm * s)), 20.0, 0, 360, 1.0, -1
    )
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), 0.25 * s))
    out: np.ndarray = np.clip(image.astype(np.float32) * (1.0 - k * mask), 0, 255).astype(np.uint8)
    return out


def _thumb(image: np.ndarray, centre: tuple[float, float], s: float, gain: float, seed: int) -> np.ndarray:
    """fieldkit's thumbprint over the square, its darkness `gain` times the corpus's."""
    t = np.ones(image.shape, np.float32)
    _stain(t, np.random.default_rng(seed), s, (centre[0] + 1.0 * s, centre[1] - 1.5 * s), "thumb")
    dark = np.clip(gain * (1.0 - t), 0, 1)
    out: np.ndarray = np.clip(image.astype(np.float32) * (1.0 - dark), 0, 255).astype(np.uint8)
    return out


def _pen_x(image: np.ndarray, centre: tuple[float, float], s: float) -> np.ndarray:
    return _polylines(image, centre, s, X_MM, 0.5, 0.85, seed=3)


# --- the wrong readings it exists for, and their companions -----------------------------------


SPILLS = [
    ((-6.0, 0.0), 9.0),
    ((6.0, 0.0), 9.0),
    ((4.0, 3.0), 6.0),
]  # (centre from the square, mm; half-width, mm)


@pytest.mark.parametrize(("at_mm", "r_mm"), SPILLS)
def test_a_dark_spill_over_an_empty_square_goes_to_review(
    blank: Blank, at_mm: tuple[float, float], r_mm: float
) -> None:
    reader, img, centres, s = blank
    c = _contest(reader, _body(img, centres[SQ], s, at_mm, r_mm, 0.6))
    assert (c.outcome, c.marks[SQ].mark, c.marks[SQ].reason) == ("review", "marginal", "possible_stain"), (
        c.marks[SQ]
    )


@pytest.mark.parametrize(("at_mm", "r_mm"), SPILLS)
def test_companion_the_spill_reads_a_vote_without_dark49(
    blank: Blank, at_mm: tuple[float, float], r_mm: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the rule the spill is read as ink (a pen's darkness): a vote for a blank
    ballot (or, where it covers a second square, an overvote)."""
    monkeypatch.setattr(dark49, "ENABLED", False)
    reader, img, centres, s = blank
    c = _contest(reader, _body(img, centres[SQ], s, at_mm, r_mm, 0.6))
    assert c.marks[SQ].mark == "marked" and c.outcome in ("vote", "overvote"), c.marks[SQ]


# --- real marks stay votes --------------------------------------------------------------------


def test_a_pen_x_beside_a_dark_spill_stays_a_vote(blank: Blank) -> None:
    """The spill covers a third of the square; the X crosses the rest, plain to the eye."""
    reader, img, centres, s = blank
    image = _pen_x(_body(img, centres[SQ], s, (-10.5, 0.0), 9.0, 0.6), centres[SQ], s)
    c = _contest(reader, image)
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


def test_a_fill_inside_a_lighter_stain_stays_a_vote(blank: Blank) -> None:
    """Dev seed 198, sheet 82, square 3: a pencil fill inside a grey stain's body (the
    patch runs on beyond the border, but is much lighter there than on the square)."""
    reader, img, centres, s = blank
    image = pencil_fill(_body(img, centres[SQ], s, (-3.0, 1.0), 10.0, 0.3), centres[SQ], s, 0.7)
    c = _contest(reader, image)
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


@pytest.mark.parametrize("k", [0.5, 0.8])
def test_a_fill_that_stops_at_the_border_stays_a_vote(blank: Blank, k: float) -> None:
    reader, img, centres, s = blank
    c = _contest(reader, pencil_fill(img, centres[SQ], s, k, half_mm=2.9))
    assert (c.outcome, c.marks[SQ].mark) == ("vote", "marked"), c.marks[SQ]


@pytest.mark.parametrize(("at_mm", "r_mm"), SPILLS[:2])  # (the third leaves the X's arms in `rest_mm2`)
def test_a_pen_x_over_a_dark_spill_stays_a_vote(
    blank: Blank, at_mm: tuple[float, float], r_mm: float
) -> None:
    """The guard (session 50): the spill covers the square and runs on beyond it, but the X's
    strokes stand above its body inside (`hand_mm2`): the voter's, a vote."""
    reader, img, centres, s = blank
    image = _pen_x(_body(img, centres[SQ], s, at_mm, r_mm, 0.6), centres[SQ], s)
    assert dark49.is_stain_body(dark49.measures(image, centres[SQ], s))
    assert dark49.hand_mm2(image, centres[SQ], s) >= dark49.HAND_MM2
    c = _contest(reader, image)
    assert (c.marks[SQ].mark, c.marks[SQ].reason) == ("marked", None), c.marks[SQ]


def test_companion_without_the_guard_the_pen_x_over_the_spill_goes_to_review(
    blank: Blank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dark49, "HAND_MM2", 1e9)
    reader, img, centres, s = blank
    image = _pen_x(_body(img, centres[SQ], s, (-6.0, 0.0), 9.0, 0.6), centres[SQ], s)
    c = _contest(reader, image)
    assert (c.marks[SQ].mark, c.marks[SQ].reason) == ("marginal", "possible_stain"), c.marks[SQ]


@pytest.mark.parametrize(("at_mm", "r_mm"), SPILLS)
def test_hand_mm2_a_spill_alone_has_no_stroke(blank: Blank, at_mm: tuple[float, float], r_mm: float) -> None:
    _reader, img, centres, s = blank
    assert dark49.hand_mm2(_body(img, centres[SQ], s, at_mm, r_mm, 0.6), centres[SQ], s) < 1.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hand_mm2_a_thumbprints_ridges_are_no_stroke(seed: int) -> None:
    """fieldkit's thumbprint at three times its darkness: its ridges, 0.45 mm apart, average
    out under HAND_SIGMA_MM; the print stays a stain body for the commission."""
    s = 150 / 25.4
    img, c = _sheet(s)
    assert dark49.hand_mm2(_thumb(img, c, s, 3.0, seed), c, s) < dark49.HAND_MM2


# --- the measures -----------------------------------------------------------------------------


def _sheet(s: float) -> tuple[np.ndarray, tuple[float, float]]:
    """Paper 30 mm a side at `s` px/mm, a square's printed border at its centre."""
    n = round(30 * s)
    img = np.full((n, n), 235, np.uint8)
    c = (n / 2, n / 2)
    h = TARGET / 2 * s
    cv2.rectangle(
        img,
        (round(c[0] - h), round(c[1] - h)),
        (round(c[0] + h), round(c[1] + h)),
        20,
        max(1, round(0.35 * s)),
    )
    return img, c


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_measures_the_same_spill_at_every_resolution(dpi: int) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    m = dark49.measures(_body(img, c, s, (-5.0, 0.0), 9.0, 0.6), c, s)
    assert m["share"] >= 0.95 and m["reach"] >= 5.5 and 0.9 <= m["ratio"] <= 1.1 and m["rest_mm2"] == 0.0, m
    assert dark49.is_stain_body(m)


@pytest.mark.parametrize("dpi", [150, 300])
def test_measures_a_pen_x_has_no_patch(dpi: int) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    m = dark49.measures(_pen_x(img, c, s), c, s)
    assert m["share"] == 0.0 and not dark49.is_stain_body(m), m


def test_measures_a_fill_does_not_run_on_beyond_the_border() -> None:
    s = 200 / 25.4
    img, c = _sheet(s)
    fill = pencil_fill(img, c, s, 0.8, half_mm=3.2)
    m = dark49.measures(fill, c, s, gate=False)
    assert m["share"] >= 0.9 and m["reach"] < dark49.BEYOND_MM and not dark49.is_stain_body(m), m
    assert dark49.measures(fill, c, s) == dark49.NONE  # the gate: it cannot reach


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measures_a_thumbprint_three_times_the_corpus_is_a_stain_body(seed: int) -> None:
    """fieldkit's thumbprint at three times its darkness, at 150 dpi (where wrong10's ridge
    spectrum is not asked): its ridges, averaged over SMOOTH_MM, are one body."""
    s = 150 / 25.4
    img, c = _sheet(s)
    m = dark49.measures(_thumb(img, c, s, 3.0, seed), c, s)
    assert dark49.is_stain_body(m), m


def test_measures_grey_paper_is_the_paper() -> None:
    """A sheet darkened evenly (grey paper, a dim scan) has no patch: the neighbourhood's own
    paper is the reference, not white."""
    s = 200 / 25.4
    img, c = _sheet(s)
    grey = (img.astype(np.float32) * 0.6).astype(np.uint8)
    assert dark49.measures(grey, c, s)["share"] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    dpi=st.integers(150, 300),
    paper=st.floats(0.45, 1.0),
    dx=st.floats(-1.0, 1.0),
    dy=st.floats(-1.0, 1.0),
    spill=st.booleans(),
)
def test_property_an_even_paper_level_changes_nothing(
    dpi: int, paper: float, dx: float, dy: float, spill: bool
) -> None:
    """The measures are the paper's own: the same sheet on a paper (or under a light) `paper`
    times as bright gives the same answer, a pen X never a stain body and a spill always one."""
    s = dpi / 25.4
    img, c = _sheet(s)
    img = (
        _body(img, c, s, (-6.0 + dx, dy), 9.0, 0.6)
        if spill
        else _pen_x(img, (c[0] + dx * s, c[1] + dy * s), s)
    )
    dim = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)
    assert dark49.is_stain_body(dark49.measures(dim, c, s)) == spill
    assert dark49.is_stain_body(dark49.measures(img, c, s)) == spill


def drawn(
    img: np.ndarray,
    c: tuple[float, float],
    s: float,
    kind: str,
    at: tuple[float, float],
    r_mm: float,
    k: float,
    seed: int,
    thumb_gain: float,
) -> np.ndarray:
    """`img` with what `kind` names drawn round the square at `c`: a spill `r_mm` across at
    `at` taking `k` of the light, a pen X, a pencil fill of darkness `k`, a thumbprint at
    `thumb_gain` times the corpus's (kinds joined by "+" draw each)."""
    if "spill" in kind:
        img = _body(img, c, s, at, r_mm, k)
    if "x" in kind:
        img = _pen_x(img, c, s)
    if kind == "fill":
        img = pencil_fill(img, c, s, k, half_mm=2.4 + r_mm / 12)
    if kind == "thumb":
        img = _thumb(img, (c[0] + at[0] * s / 3, c[1] + at[1] * s / 3), s, thumb_gain, seed)
    return img


@settings(max_examples=60, deadline=None)
@given(
    dpi=st.integers(150, 300),
    kind=st.sampled_from(["spill", "x", "fill", "thumb", "spill+x"]),
    at=st.tuples(st.floats(-12.0, 12.0), st.floats(-12.0, 12.0)),
    r_mm=st.floats(1.5, 12.0),
    k=st.floats(0.2, 0.9),
    seed=st.integers(0, 50),
)
def test_property_the_gate_never_changes_the_answer(
    dpi: int, kind: str, at: tuple[float, float], r_mm: float, k: float, seed: int
) -> None:
    """`measures`' gate (`_could_reach`, before the percentile and the opening) against the
    reference without it: the same `is_stain_body`, and the full measures where it lets the
    square through."""
    s = dpi / 25.4
    img, c = _sheet(s)
    img = drawn(img, c, s, kind, at, r_mm, k, seed, 1.0 + 2 * k)
    fast, ref = dark49.measures(img, c, s), dark49.measures(img, c, s, gate=False)
    assert dark49.is_stain_body(fast) == dark49.is_stain_body(ref), (fast, ref)
    assert fast == ref or (fast == dark49.NONE and ref["reach"] < dark49.BEYOND_MM), (fast, ref)


def test_dark49_is_on() -> None:
    assert dark49.ENABLED
