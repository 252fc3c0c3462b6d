"""stain29 (the twenty-eighth pass): `stain10.rule_pixels` at a cost bounded by the window.

8b11f5d's function (kept as `stain10.rule_pixels_reference`) repainted the whole window once for
each offset bin that passes at each angle: on a damaged sheet's window that its mask covers
almost whole, every bin at every angle passes, and five calls took 15-51 s (image28's fuzz
inputs). The new one tests each pixel against the two passing offsets nearest its own and stops
once every pixel is painted; it must give the same pixels on every mask."""

from __future__ import annotations

import math
import time

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kiosk.reading.stain10 as stain10


@st.composite
def masks(draw: st.DrawFn) -> tuple[np.ndarray, float]:
    """A window's mask: noise at any density, lines near the rows or columns (at, a little
    beyond and far beyond RULE_DEG; 1-3 px thick; whole or cut), whole rows or columns."""
    h = draw(st.integers(1, 64))
    w = draw(st.integers(1, 64))
    scale = draw(st.floats(1.0, 26.0, allow_nan=False))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.0, 0.02, 0.1, 0.4, 0.7, 0.95, 1.0]))
    mask = rng.random((h, w)) < density
    img = mask.astype(np.uint8)
    for _ in range(draw(st.integers(0, 5))):
        deg = draw(st.floats(-9.0, 9.0, allow_nan=False))
        rows = draw(st.booleans())
        at = draw(st.floats(-5.0, float(max(h, w)) + 5, allow_nan=False))
        thick = draw(st.integers(1, 3))
        cut = draw(st.floats(0.3, 1.0))
        t = math.tan(math.radians(deg))
        if rows:
            p0, p1 = (0, round(at)), (round((w - 1) * cut), round(at + t * (w - 1) * cut))
        else:
            p0, p1 = (round(at), 0), (round(at + t * (h - 1) * cut), round((h - 1) * cut))
        cv2.line(img, p0, p1, 1, thick)
    mask = img > 0
    if draw(st.booleans()):
        mask[draw(st.integers(0, h - 1)), :] = True
    if draw(st.booleans()):
        mask[:, draw(st.integers(0, w - 1))] = True
    return mask, scale


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(masks())
def test_rule_pixels_are_the_references_on_any_mask(case: tuple[np.ndarray, float]) -> None:
    mask, scale = case
    got = stain10.rule_pixels(mask, scale)
    want = stain10.rule_pixels_reference(mask, scale)
    assert got.dtype == want.dtype == np.bool_
    assert got.shape == want.shape == mask.shape
    assert np.array_equal(got, want), (int(got.sum()), int(want.sum()))


def _damaged(n: int, density: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, n)) < density


def test_a_damaged_window_gives_the_references_pixels() -> None:
    """A window the mask covers half (image28's inputs: 14-18 thousand of 38,809 pixels, 300 dpi):
    many bins pass at every angle and the rules found are not the whole window."""
    for density in (0.3, 0.45, 0.6):
        mask = _damaged(90, density, seed=int(density * 100))
        got = stain10.rule_pixels(mask, 11.58)
        want = stain10.rule_pixels_reference(mask, 11.58)
        assert int(want.sum()) > 0, density
        assert np.array_equal(got, want), density


def test_the_cost_is_the_windows_not_the_bins() -> None:
    """A mask covering the whole window: every offset bin passes at every angle, the reference
    repaints the window once for each (98 angles x about 120 bins); the new one is done after
    the first angle. Timed against each other in one process (the same load on both)."""
    mask = np.ones((120, 120), bool)
    t = time.perf_counter()
    got = stain10.rule_pixels(mask, 11.58)
    new = time.perf_counter() - t
    t = time.perf_counter()
    want = stain10.rule_pixels_reference(mask, 11.58)
    ref = time.perf_counter() - t
    assert got.all() and want.all()
    assert new * 20 < ref, (new, ref)


def test_a_printed_rule_is_found_and_a_tick_is_not() -> None:
    """The function's sense, unchanged: a rule across the window at 2 degrees is painted
    (widened by RULE_MM), a short tick's arm is not."""
    s = 11.58
    img = np.zeros((100, 100), np.uint8)
    cv2.line(img, (0, 40), (99, 40 + round(99 * math.tan(math.radians(2.0)))), 1, 1)
    cv2.line(img, (70, 80), (85, 70), 1, 1)  # a tick's arm, 18 px
    mask = img > 0
    got = stain10.rule_pixels(mask, s)
    assert np.array_equal(got, stain10.rule_pixels_reference(mask, s))
    assert got[40, 0] and got[43, 99] and got[41, 50]
    assert not got[80, 70] and not got[75, 78]
    assert not stain10.rule_pixels(np.zeros((30, 40), bool), s).any()
