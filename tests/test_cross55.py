"""cross55 (issue 10): cross28's diagonal pair with the paper's spread measured clear of print.
On MZ-SMD-02 the row rules lie 2 mm beyond the printed border, inside the window whose paper
cross28 takes its spread from: its floor is 0.10 there, and no light X corner to corner is found
(here one at 0.12 of the light). With the spread on segments clear of print (faint37's), the
floor is grain14's LEVEL or near it, as on the other styles, and the X goes to review; blank
paper, a slash and a tick stay `empty`; on the styles with no print near the square cross55 and
cross28 agree. docs/reading.md, "Session 55: ... (cross55)"."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cross28 import TICK, X
from test_faint22 import _blank, _levels
from test_grain15 import _ink, _strokes
from test_redteam8 import _polylines
from test_review9 import _line

from fieldkit.hook_ab import switched_off
from kiosk.reading import cross28, cross55, faint37, grain14


@pytest.fixture(autouse=True)
def _on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule's own behaviour, whatever the shipped flags."""
    monkeypatch.setattr(cross28, "ENABLED", True)
    monkeypatch.setattr(cross55, "ENABLED", True)


def _asked(module: object, im: np.ndarray, c: tuple[float, float], s: float) -> bool:
    ask = cross28.doubt_pair if module is cross28 else cross55.clean_pair
    return ask(im, np.array(c), s, _levels(im, c, s), 1.0, "empty")


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize("k", [0.08, 0.12])
def test_a_light_x_on_the_smd_style_is_found_only_clear_of_print(dpi: int, k: float) -> None:
    img, c, s = _blank("MZ-SMD-02", dpi)
    im = _polylines(img, c, s, X, 0.5, k, grain=0.7, seed=28)
    ink = grain14.ink_window(im, np.array(c), s, float(_levels(im, c, s).max()), 1.0)
    assert ink is not None
    plain = cross28.diagonal_pair(ink, s)
    clean = cross28.diagonal_pair(ink, s, False, (~faint37.print_near(ink, s)).astype(np.float32))
    assert plain.floor > 0.09 and clean.floor < 0.035  # the row rules' share of the floor
    assert not _asked(cross28, im, c, s)
    assert _asked(cross55, im, c, s)
    assert not cross55.clean_pair(im, np.array(c), s, _levels(im, c, s), 1.0, "marginal")  # only `empty`
    with switched_off(cross55):
        assert not _asked(cross55, im, c, s)


@pytest.mark.parametrize("style", ["MZ-SMD-02", "MZ-LIST", "AST-SMD-07", "AST-LIST"])
@pytest.mark.parametrize("dpi", [150, 300])
def test_blank_paper_a_slash_and_a_tick_are_not_a_clean_pair(style: str, dpi: int) -> None:
    img, c, s = _blank(style, dpi)
    assert not _asked(cross55, img, c, s)
    slash = _polylines(img, c, s, [_line(45, 5.5, 0.0)], 0.5, 0.15, grain=0.4, seed=28)
    assert not _asked(cross55, slash, c, s)
    tick = _polylines(img, c, s, TICK, 0.5, 0.15, grain=0.4, seed=28)
    assert not _asked(cross55, tick, c, s)


@pytest.mark.parametrize("style", ["MZ-LIST", "AST-SMD-07", "AST-LIST"])
@pytest.mark.parametrize("k", [0.06, 0.08, 0.12])
def test_with_no_print_near_the_square_it_agrees_with_cross28(style: str, k: float) -> None:
    img, c, s = _blank(style, 200)
    im = _polylines(img, c, s, X, 0.5, k, grain=0.7, seed=28)
    assert _asked(cross55, im, c, s) == _asked(cross28, im, c, s)


def test_no_paper_clear_of_print_finds_no_pair() -> None:
    """A window whose every paper segment is on print: no spread is measured, the floor is
    unknown (NaN) and nothing is found, however plain the X."""
    img, c, s = _blank("MZ-LIST", 200)
    im = _polylines(img, c, s, X, 0.5, 0.12, grain=0.7, seed=28)
    ink = grain14.ink_window(im, np.array(c), s, float(_levels(im, c, s).max()), 1.0)
    assert ink is not None
    assert cross28.diagonal_pair(ink, s).found
    p = cross28.diagonal_pair(ink, s, False, np.zeros_like(ink, np.float32))
    assert np.isnan(p.floor) and not p.found


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), strokes=_strokes, scale=st.floats(5.0, 12.5))
def test_a_clear_map_of_ones_is_the_plain_pair(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    """With nothing taken out (`clear` all ones) the pair, spread and floor are cross28's."""
    ink = _ink(seed, strokes, scale)
    plain = cross28.diagonal_pair(ink, scale)
    ones = cross28.diagonal_pair(ink, scale, False, np.ones_like(ink, np.float32))
    assert (ones.rising, ones.falling, ones.apart_mm, ones.found) == (
        plain.rising,
        plain.falling,
        plain.apart_mm,
        plain.found,
    )
    assert ones.spread == plain.spread and ones.floor == plain.floor
