"""edge22 (issue 10, the twenty-second pass): pen-dark evidence that only hugs a printed
border's inner edge is not a hand's. The twenty-first pass's untouched run read an EMPTY
square `marked` (seed 11000, sheet 29178, auyl: a soft stain and a fold's shadow; 37 pixels
at rims7.HOOK_PEN in one row along the top border's inner edge, over the speck bound 35.8,
kept rims7 and stain9 from asking). `edge22.hugging_pen` now sends such a square to review."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kiosk.reading.edge22 as edge22
from kiosk.reading import rims7

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_review9 import _stroke
from test_settle7 import Clean


@pytest.fixture(scope="module")
def clean() -> Clean:
    return Clean()


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[np.ndarray | None]:
    """edge22.hugging_pen's answers while reading (the closer look asks it by module)."""
    got: list[np.ndarray | None] = []
    real = edge22.hugging_pen

    def spy(*a: Any) -> np.ndarray | None:
        r = real(*a)
        got.append(r)
        return r

    monkeypatch.setattr(edge22, "hugging_pen", spy)
    return got


def test_the_untouched_runs_stain_and_fold_square_goes_to_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """11000/29178 auyl (AST-LIST, 300 dpi; stain, fold): the pen count is one row along
    the top border's inner edge; the square reads `marginal`, the contest in review. With
    edge22 off it reads `marked` (the overvote the run found)."""
    reader, sheet, image = readkit.field_sheet(11000, 29178)
    k = [t.option for t in sheet.truth.squares].index("auyl")
    assert sheet.truth.squares[k].expected == "empty"
    got = _spy(monkeypatch)
    side = reader.read(image)
    on = side.contests[0].marks[k]
    assert (on.mark, on.reason) == ("marginal", "marginal_mark"), on
    assert side.status == "review"
    hug = [g for g in got if g is not None]
    assert len(hug) == 1
    rows, _ = np.nonzero(hug[0])
    assert len(set(rows.tolist())) == 1 and len(rows) == 37  # one row, 37 pixels
    monkeypatch.setattr(edge22, "ENABLED", False)
    off = reader.read(image).contests[0].marks[k]
    assert off.mark == "marked", off


# hugging_pen on drawn arrays: a 300 dpi window, the inside's half width 27.5 px.
S = 300 / 25.4
N = 101
INNER = 27.5


def _window(pen_rows: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ink and evidence with pen-dark (0.9) runs (row, first column, last column)."""
    ink = np.zeros((N, N))
    for r, a, b in pen_rows:
        ink[r, a : b + 1] = 0.9
    ys, xs = np.mgrid[:N, :N] - 50.0
    box = np.maximum(np.abs(xs), np.abs(ys))
    evidence = (box <= INNER) & (ink >= 0.5)
    return ink, evidence, box


def test_a_run_along_the_top_edge_is_the_borders() -> None:
    ink, ev, box = _window([(23, 41, 77)])  # 37 px in the inside's outermost row
    assert rims7.PEN_SPECK_MM2 * S * S < 37
    hug = edge22.hugging_pen(ink, ev, box, INNER, S)
    assert hug is not None and int(hug.sum()) == 37


def test_a_run_that_leaves_the_edge_is_a_hand() -> None:
    """The same row with a stroke going down from it into the inside (a tick's arm)."""
    ink, ev, box = _window([(23, 41, 77)] + [(r, 60, 61) for r in range(24, 34)])
    assert edge22.hugging_pen(ink, ev, box, INNER, S) is None


def test_pen_ink_off_the_edge_over_the_bound_is_a_hand() -> None:
    ink, ev, box = _window([(23, 41, 77), (50, 30, 70)])  # a stroke across the middle too
    assert edge22.hugging_pen(ink, ev, box, INNER, S) is None


def test_under_the_speck_bound_the_hooks_ask_as_before() -> None:
    ink, ev, box = _window([(23, 41, 60)])  # 20 px
    assert edge22.hugging_pen(ink, ev, box, INNER, S) is None


def test_a_speck_apart_from_the_edge_run_does_not_undo_it() -> None:
    ink, ev, box = _window([(23, 41, 77), (50, 50, 52)])
    hug = edge22.hugging_pen(ink, ev, box, INNER, S)
    assert hug is not None and int(hug.sum()) == 37


def test_off_it_answers_none() -> None:
    ink, ev, box = _window([(23, 41, 77)])
    edge22.ENABLED = False
    try:
        assert edge22.hugging_pen(ink, ev, box, INNER, S) is None
    finally:
        edge22.ENABLED = True


# Pen strokes drawn along the inside of square 4's top and left borders on the clean
# MZ-SMD-02 sheet (200 dpi): (side, gap from the border's inner edge in mm, width mm,
# darkness). The border's inner edge is 2.65 mm from the square's middle.
ALONG = [
    (side, gap, width, k)
    for side in ("top", "left")
    for gap in (0.15, 0.3, 0.5)
    for width in (0.3, 0.5, 0.8)
    for k in (0.6, 0.9)
]


def _along(clean: Clean, side: str, gap: float, width: float, k: float) -> np.ndarray:
    v = -(2.65 - gap - width / 2)
    path = [(-2.4, v), (2.4, v)] if side == "top" else [(v, -2.4), (v, 2.4)]
    return _stroke(clean.blank(), clean.centres[4], clean.s, path, width, k)


@pytest.mark.parametrize(("side", "gap", "width", "k"), ALONG)
def test_a_pen_stroke_along_the_inside_of_a_border_is_never_empty(
    clean: Clean, side: str, gap: float, width: float, k: float
) -> None:
    m = clean.reader.read(_along(clean, side, gap, width, k)).contests[0].marks[4]
    assert m.mark != "empty", m


def test_the_price_a_pen_stroke_hugging_the_left_border_goes_to_review(
    clean: Clean, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 0.5 mm stroke at 0.6 of the light 0.15 mm inside the left border: its pen-dark core
    lies within HUG_MM of the inside's edge, as the border's blur would: review, where it
    read `marked` before."""
    img = _along(clean, "left", 0.15, 0.5, 0.6)
    got = _spy(monkeypatch)
    on = clean.reader.read(img).contests[0].marks[4]
    assert on.mark == "marginal" and any(g is not None for g in got), on
    monkeypatch.setattr(edge22, "ENABLED", False)
    assert clean.reader.read(img).contests[0].marks[4].mark == "marked"
