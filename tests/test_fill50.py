"""A voter's light fill read `empty` goes to the commission (issue 10, fill50:
kiosk/reading/fill50.py).

Sheets: the red team's clean blank ballot (tests/test_redteam8.py: MZ-SMD-02, 200 dpi, all
43 squares empty); a fill drawn here as the inside evenly grey, stopping 0.3 mm inside the
printed border; fieldkit's own thumbprint (`_stain`) at twice its darkness beside the square;
dark49's spill (tests/test_dark49.py) for what is not a fill.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dark49 import _body, _pen_x, _sheet
from test_redteam8 import Blank, _contest
from test_redteam8 import blank as _blank_fixture

import kiosk.reading.blank65 as blank65
import kiosk.reading.fill50 as fill50
from fieldkit.conditions import _stain

blank = _blank_fixture  # the module-scoped fixture, re-exported here

SQ = 20


def _fill(image: np.ndarray, c: tuple[float, float], s: float, k: float, inset: float = 0.3) -> np.ndarray:
    """The darkness of a fill taking `k` of the light evenly, its edge `inset` mm inside the
    printed border's inner edge."""
    h, w = image.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    box = np.maximum(np.abs(xs - c[0]), np.abs(ys - c[1])) / s
    lay = np.clip(0.5 - (box - (2.65 - inset)) * s, 0.0, 1.0)
    return np.asarray(cv2.GaussianBlur(lay, (0, 0), 0.15 * s)) * k


def _thumb(image: np.ndarray, c: tuple[float, float], s: float, seed: int) -> np.ndarray:
    """The darkness of fieldkit's thumbprint at twice the corpus's, its centre 12 mm left."""
    t = np.ones(image.shape, np.float32)
    _stain(t, np.random.default_rng(seed), s, (c[0] - 12.0 * s, c[1]), "thumb")
    return np.asarray(np.clip(2.0 * (1.0 - t), 0.0, 1.0))


def _apply(image: np.ndarray, *darks: np.ndarray) -> np.ndarray:
    light = np.ones(image.shape, np.float32)
    for d in darks:
        light *= 1.0 - d
    return np.asarray(np.clip(image.astype(np.float32) * light, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("seed", [5, 7, 9])
def test_a_light_fill_beside_a_thumbprint_goes_to_review(blank: Blank, seed: int) -> None:
    reader, img, centres, s = blank
    c = centres[SQ]
    image = _apply(img, _fill(img, c, s, 0.13), _thumb(img, c, s, seed))
    got = _contest(reader, image)
    assert (got.outcome, got.marks[SQ].mark, got.marks[SQ].reason) == ("review", "marginal", "marginal_mark")


@pytest.mark.parametrize("seed", [5, 7, 9])
def test_companion_without_fill50_the_fill_reads_empty(
    blank: Blank, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wrong reading it exists for: a voter's fill, plain to the eye, read `empty` and the
    contest `blank`."""
    monkeypatch.setattr(fill50, "ENABLED", False)
    monkeypatch.setattr(blank65, "ENABLED", False)  # session 65: it asks the blank contest again
    reader, img, centres, s = blank
    c = centres[SQ]
    image = _apply(img, _fill(img, c, s, 0.13), _thumb(img, c, s, seed))
    got = _contest(reader, image)
    assert (got.outcome, got.marks[SQ].mark) == ("blank", "empty")


def test_the_thumbprint_alone_stays_empty(blank: Blank) -> None:
    reader, img, centres, s = blank
    got = _contest(reader, _apply(img, _thumb(img, centres[SQ], s, 5)))
    assert (got.outcome, got.marks[SQ].mark) == ("blank", "empty")


# --- the measures -----------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_measures_a_fill_steps_down_at_every_side(dpi: int) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    m = fill50.measures(_apply(img, _fill(img, c, s, 0.1)), c, s)
    assert all(0.08 <= q <= 0.12 for q in m["quarters"]), m
    assert all(j >= 0.08 for j in m["jumps"]), m
    assert fill50.is_light_fill(m)


@pytest.mark.parametrize("dpi", [150, 300])
def test_measures_a_spill_running_on_beyond_the_border_is_no_fill(dpi: int) -> None:
    """dark49's spill, light: even over the square, but no step at its border on the sides
    it runs on across."""
    s = dpi / 25.4
    img, c = _sheet(s)
    m = fill50.measures(_body(img, c, s, (-5.0, 0.0), 9.0, 0.12), c, s)
    assert min(m["quarters"]) >= fill50.LEVEL and not fill50.is_light_fill(m), m


def test_measures_a_pen_x_is_no_fill() -> None:
    s = 200 / 25.4
    img, c = _sheet(s)
    assert not fill50.is_light_fill(fill50.measures(_pen_x(img, c, s), c, s))


def test_measures_an_empty_square_is_no_fill() -> None:
    s = 200 / 25.4
    img, c = _sheet(s)
    m = fill50.measures(img, c, s)
    assert max(m["quarters"]) < 0.01 and not fill50.is_light_fill(m), m


@settings(max_examples=40, deadline=None)
@given(
    dpi=st.integers(150, 300),
    paper=st.floats(0.5, 1.0),
    k=st.floats(0.0, 0.4),
    inset=st.floats(0.0, 0.6),
    spill=st.booleans(),
)
def test_property_an_even_paper_level_changes_nothing(
    dpi: int, paper: float, k: float, inset: float, spill: bool
) -> None:
    """The measures are against the sheet's own paper: the same square on a paper (or under a
    light) `paper` times as bright gives the same answer."""
    s = dpi / 25.4
    img, c = _sheet(s)
    img = _apply(img, _fill(img, c, s, k, inset))
    if spill:
        img = _body(img, c, s, (-5.0, 0.0), 9.0, 0.12)
    dim = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)
    a, b = fill50.measures(img, c, s), fill50.measures(dim, c, s)
    jump = max(fill50.JUMP, 0.5 * float(np.median(a["quarters"])))
    if abs(min(a["quarters"]) - fill50.LEVEL) > 0.02 and all(abs(j - jump) > 0.02 for j in a["jumps"]):
        assert fill50.is_light_fill(a) == fill50.is_light_fill(b), (a, b)


def test_fill50_is_on() -> None:
    assert fill50.ENABLED
