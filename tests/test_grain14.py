"""grain14 (issue 10): faint pencil strokes that graphite's grain breaks into pieces shorter
than every pencil test's minimum. The thirteenth pass's untouched run's two wrong decisions,
10200/472/respublica (a faint X, the wider band) and 10200/50770/jsdp (a faint tick, the low
band's score range), go to review with grain14 and read `empty` without it (the run's
reading); no other square of those sheets changes. docs/reading.md, "Fourteenth pass: a
faint stroke broken by grain (grain14)"."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import faint22, faint37, foot16, grain14, pencil6

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


@pytest.mark.parametrize(
    ("seed", "index", "option", "low_band"),
    [(10200, 472, "respublica", False), (10200, 50770, "jsdp", True), (9700, 33190, "respublica", True)],
)
def test_holdout13_light_pencil_goes_to_review_only_with_grain14(
    seed: int, index: int, option: str, low_band: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """472 on the wider band's path (on by default); 50770 and 33190 in the low band's score
    range, whose hook is off by default (grain14.LOW_BAND: its price in speed)."""
    reader, sheet, image = field_sheet(seed, index)
    if low_band:
        # foot16 (foot17) finds 50770's stroke under miss11's foot gate, and faint22 asks grain14's pair there
        with switched_off(foot16), switched_off(faint22), switched_off(faint37):
            before = reader.read(image.copy()).contests[0].marks
        k = [m.option for m in before].index(option)
        assert before[k].mark == "empty"  # LOW_BAND off, as shipped
        monkeypatch.setattr(grain14, "LOW_BAND", True)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index(option)
    assert sheet.truth.squares[k].kind == "light_pencil"
    assert sheet.truth.squares[k].expected == "marked"
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    with switched_off(grain14), switched_off(foot16), switched_off(faint37):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def _paper(seed: int, scale: float = 8.0, size: int = 200) -> np.ndarray:
    """Grey paper with graphite-sized grain and a printed 6 mm square at the middle."""
    rng = np.random.default_rng(seed)
    im = rng.normal(235.0, 3.0, (size, size)).astype(np.float32)
    c, h = size // 2, round(3.0 * scale)
    cv2.rectangle(im, (c - h, c - h), (c + h, c + h), 40.0, max(1, round(0.35 * scale)))
    return im


def _broken(
    im: np.ndarray, p0: tuple[float, float], p1: tuple[float, float], dark: float, scale: float
) -> None:
    """A 0.5 mm pencil stroke `dark` of the light, broken every 1.5 mm by a 0.5 mm gap."""
    a, b = np.array(p0), np.array(p1)
    n = float(np.linalg.norm(b - a))
    step, piece = 2.0 * scale, 1.5 * scale
    t = 0.0
    while t < n:
        q0 = a + (b - a) * t / n
        q1 = a + (b - a) * min(n, t + piece) / n
        mask = np.zeros(im.shape, np.uint8)
        cv2.line(
            mask,
            tuple(round(v) for v in q0),
            tuple(round(v) for v in q1),
            1,
            max(1, round(0.5 * scale)),
        )
        im[mask > 0] *= 1.0 - dark
        t += step


def _asked(im: np.ndarray, scale: float = 8.0) -> bool:
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    c = im.shape[0] // 2
    return grain14.stroke_pair(u8, np.array([float(c), float(c)]), scale, np.array([235.0] * 4), 1.0)


def test_a_faint_x_broken_by_grain_is_a_pair_and_blank_paper_is_not() -> None:
    s, c = 8.0, 100.0
    r = 1.6 * s
    for seed in range(3):
        blank = _paper(seed)
        assert not _asked(blank)
        x = blank.copy()
        _broken(x, (c - r, c + r), (c + r, c - r), 0.06, s)
        assert not _asked(x)  # one stroke is not a pair
        _broken(x, (c - r, c - r), (c + r, c + r), 0.06, s)
        assert _asked(x)
        with switched_off(grain14):
            assert not _asked(x)


def test_lines_crossing_the_whole_window_are_the_papers() -> None:
    """Two creases crossing at the square's middle, on past the window both ways: not a mark."""
    c = 100.0
    for seed in range(3):
        im = _paper(seed)
        for sign in (1, -1):
            mask = np.zeros(im.shape, np.uint8)
            cv2.line(mask, (0, int(c - sign * c)), (199, int(c + sign * 99)), 1, 2)
            im[mask > 0] *= 0.93
        assert not _asked(im)


def test_low_band_is_the_score_range_with_no_look(monkeypatch: pytest.MonkeyPatch) -> None:
    s = np.array([0.0, grain14.LOW_FROM, 0.007, pencil6.LOOK_FROM, 0.0039, 0.008])
    looked = np.array([False, False, False, False, False, True])
    assert grain14.low_band(s, looked) == [False] * 6  # LOW_BAND off, as shipped
    monkeypatch.setattr(grain14, "LOW_BAND", True)
    assert grain14.low_band(s, looked) == [False, True, True, False, False, False]
    with switched_off(grain14):
        assert grain14.low_band(s, looked) == [False] * 6


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    strokes=st.lists(
        st.tuples(
            st.floats(-80, 80),
            st.floats(-2.5, 2.5),
            st.floats(-2.5, 2.5),
            st.floats(1.0, 8.0),
            st.floats(0.02, 0.15),
        ),
        max_size=4,
    ),
    scale=st.sampled_from([5.9, 8.0, 9.8]),
)
def test_first_look_passes_every_pair_the_full_look_finds(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    """`first_look` only saves time: where it says no, the full look (the reference) finds no pair."""
    size = 2 * int(np.ceil((pencil6.BORDER_MM + grain14.AROUND_MM) * scale)) + 41
    im = _paper(seed, scale, size)
    c = size / 2.0
    for ang, dx, dy, length, dark in strokes:
        t = np.radians(ang)
        u = np.array([np.cos(t), -np.sin(t)]) * length * scale / 2
        p = np.array([c + dx * scale, c + dy * scale])
        _broken(im, tuple(p - u), tuple(p + u), dark, scale)
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    ink = grain14.ink_window(u8, np.array([c, c]), scale, 235.0, 1.0)
    assert ink is not None
    if not grain14.first_look(ink, scale):
        assert not grain14.full_look(ink, scale)
