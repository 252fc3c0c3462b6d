"""foot16 (issue 10): the sixteenth pass's untouched run's light pencil tick scoring just under
pencil6's wider band (10500/19474/jsdp, 0.0096), let through by miss11's `foot` gate and asked
only `pencil6.pencil_near`, goes to review with foot16 (`pencil7.stroke_near` asked too) and
reads `empty` without it; no other square of the sheet changes. So does 10200/50770/jsdp.
foot17: the first stage (`foot16.could_hold`, compiled) changes no answer of `stroke_near`
and asks nothing of clean squares. docs/reading.md, "Sixteenth pass: a light stroke inside a
square the foot gate let through (foot16)" and "Seventeenth pass: foot16 made cheap (foot17)"."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import faint22, faint37, foot16, kernels, miss11, pencil6, pencil7
from kiosk.reading.reference import stroke_could_hold_reference

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet
from test_redteam8 import _polylines
from test_review9 import _blank


def test_holdout16_light_tick_under_the_wider_band_goes_to_review_only_with_foot16() -> None:
    reader, sheet, image = field_sheet(10500, 19474)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("jsdp")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert miss11.FOOT_FROM <= marks[k].score < pencil6.LOOK_FROM  # 0.0096: under the wider band
    # faint22 (twenty-second pass) is a second net under the same gate: grain14's pair finds the tick;
    # faint37 (the low band's faint strokes) another
    with switched_off(foot16), switched_off(faint22), switched_off(faint37):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def test_foot_stroke_finds_a_light_tick_inside_and_not_blank_paper() -> None:
    _reader, img, centres, s = _blank(300)
    c = np.array(centres[30])
    levels = np.full(4, float(np.median(img)))  # the paper
    # a V tick inside: vertex 0.5 mm over the bottom border, long arm up to the top right corner
    tick = [(-2.5, 1.0), (-0.5, 3.6), (3.4, -3.4)]
    drawn = _polylines(img, centres[30], s, [tick], 0.4, 0.12, grain=0.4, seed=7)
    assert foot16.foot_stroke(drawn, c, s, levels, 1.0)
    assert not foot16.foot_stroke(img, c, s, levels, 1.0)
    with switched_off(foot16):
        assert not foot16.foot_stroke(drawn, c, s, levels, 1.0)


def test_holdout13_light_tick_in_the_low_band_goes_to_review_with_foot16() -> None:
    """10200/50770/jsdp (the thirteenth pass's light tick, 0.0062, found before only by
    grain14's low band, off for its price): `marginal` with foot16 behind foot17's first
    stage, `empty` without; no other square of the sheet changes."""
    reader, sheet, image = field_sheet(10200, 50770)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("jsdp")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert miss11.FOOT_FROM <= marks[k].score < pencil6.LOOK_FROM
    # faint22 (grain14's pair) and faint37 (the low band's faint strokes): second nets
    with switched_off(foot16), switched_off(faint22), switched_off(faint37):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def _clean_window(
    dpi: int, square: int, half_mm: float = 12.0
) -> tuple[np.ndarray, tuple[float, float], float]:
    """A clean blank MZ-SMD-02 square's neighbourhood (2 half_mm a side), its centre in it, px/mm."""
    _reader, img, centres, s = _blank(dpi)
    cx, cy = centres[square]
    h = int(half_mm * s)
    x0, y0 = round(cx) - h, round(cy) - h
    return np.ascontiguousarray(img[y0 : y0 + 2 * h + 1, x0 : x0 + 2 * h + 1]), (cx - x0, cy - y0), s


def test_first_stage_asks_nothing_of_clean_squares(monkeypatch: pytest.MonkeyPatch) -> None:
    """On clean paper the first stage finds no run to search for: `stroke_found` is never
    called (foot16's price on clean sheets was one `stroke_near` a gated square)."""
    calls: list[int] = []
    real = pencil7.stroke_found

    def counted(*a: Any) -> str | None:
        calls.append(1)
        return real(*a)

    monkeypatch.setattr(pencil7, "stroke_found", counted)
    for dpi in (200, 300):
        for square in (0, 12, 30):
            win, c, s = _clean_window(dpi, square)
            levels = np.full(4, float(np.median(win)))
            assert foot16.could_hold(win, c, s, float(levels[0]), 1.0) == (False, False)
            assert not foot16.foot_stroke(win, np.array(c), s, levels, 1.0)
    assert calls == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.sampled_from([200, 300]),
    square=st.sampled_from([0, 12, 30]),
    strokes=st.lists(
        st.tuples(st.floats(-7.0, 7.0), st.floats(-7.0, 7.0), st.floats(-7.0, 7.0), st.floats(-7.0, 7.0)),
        min_size=0,
        max_size=3,
    ),
    width=st.sampled_from([0.15, 0.3, 0.5, 0.8]),
    k=st.floats(0.03, 0.35),
    grain=st.sampled_from([0.0, 0.4, 0.7]),
    seed=st.integers(0, 3),
)
def test_foot_stroke_answers_as_stroke_near(
    dpi: int,
    square: int,
    strokes: list[tuple[float, float, float, float]],
    width: float,
    k: float,
    grain: float,
    seed: int,
) -> None:
    """foot17's first stage changes no answer: `foot_stroke` is `pencil7.stroke_near` on
    light strokes drawn anywhere in and around a square (ticks' arms, crossings, lines beside
    it), in graphite's grain, on clean paper."""
    win, c, s = _clean_window(dpi, square)
    drawn = _polylines(
        win, c, s, [[(a, b), (p, q)] for a, b, p, q in strokes], width, k, grain=grain, seed=seed
    )
    paper = float(np.median(drawn))
    levels = np.full(4, paper)
    assert foot16.foot_stroke(drawn, np.array(c), s, levels, 1.0) == pencil7.stroke_near(
        drawn, c, s, paper, 1.0
    )


@st.composite
def _windows(draw: st.DrawFn) -> tuple[np.ndarray, float, float, float]:
    """Noisy paper with faint and dark lines at any angle, a printed square's border, its
    centre anywhere (near and beyond the window's edges), at a few scales."""
    scale = draw(st.sampled_from([2.0, 4.0, 7.87, 11.8]))
    h = draw(st.integers(8, int(16 * scale)))
    w = draw(st.integers(8, int(16 * scale)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    paper = draw(st.integers(150, 250))
    im = rng.normal(paper, draw(st.sampled_from([0.0, 2.0, 6.0])), (h, w))
    ox = draw(st.floats(-2.0, w + 1.0))
    oy = draw(st.floats(-2.0, h + 1.0))
    if draw(st.booleans()):
        r = round(3.0 * scale)
        cv2.rectangle(
            im,
            (round(ox) - r, round(oy) - r),
            (round(ox) + r, round(oy) + r),
            40.0,
            max(1, round(0.35 * scale)),
        )
    for _ in range(draw(st.integers(0, 4))):
        p0 = (draw(st.integers(-5, w + 5)), draw(st.integers(-5, h + 5)))
        p1 = (draw(st.integers(-5, w + 5)), draw(st.integers(-5, h + 5)))
        dark = draw(st.sampled_from([0.03, 0.06, 0.1, 0.3, 0.8]))
        mask = np.zeros((h, w), np.uint8)
        cv2.line(mask, p0, p1, 1, draw(st.integers(1, 6)))
        im[mask > 0] *= 1.0 - dark
    return np.ascontiguousarray(np.clip(im, 0, 255).astype(np.uint8)), ox, oy, scale


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(got=_windows(), gain=st.sampled_from([1.0, 1.05, 1.3]), paper_shift=st.integers(-20, 20))
def test_stroke_could_hold_matches_its_reference(
    got: tuple[np.ndarray, float, float, float], gain: float, paper_shift: int
) -> None:
    """`kernels.stroke_could_hold` (compiled) against `reference.stroke_could_hold_reference`
    (pencil6's contrast over the whole window, OpenCV's components)."""
    win, ox, oy, scale = got
    paper = float(np.median(win)) + paper_shift
    h, w = win.shape
    xs = np.arange(w)[None, :] - ox
    ys = np.arange(h)[:, None] - oy
    a = foot16._arguments(xs, ys, scale, paper, gain)
    fast = kernels.stroke_could_hold(win, *a)
    ref = stroke_could_hold_reference(win, *a[:5], *a[7:])
    assert (bool(fast[0]), bool(fast[1])) == ref
