"""fast12 (issue 10, speed): `pencil6.pencil_near`'s first stage (`pencil6.could_hold`) only
skips searches that could find nothing: the staged test gives `pencil_near_reference`'s
answer (every run measured) on drawn squares with strokes in, across and beside them, and
skips both searches on a clean square. miss11's catches: tests/test_miss11.py."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import crop, pencil6

SCALES = [5.9, 7.87, 9.84, 11.8]  # 150, 200, 250, 300 dpi


def _square(scale: float, paper: int, noise: float, seed: int) -> tuple[np.ndarray, tuple[float, float]]:
    """A printed square (TARGET, its border TARGET_STROKE wide) on paper with grain, its
    centre; room for pencil6's surroundings."""
    rng = np.random.default_rng(seed)
    n = int((TARGET + 2 * pencil6.TRACE_AROUND_MM + 4) * scale)
    img = rng.normal(paper, noise, (n, n))
    c = (n - 1) / 2
    half, w = TARGET / 2 * scale, TARGET_STROKE * scale
    ys, xs = np.mgrid[0:n, 0:n]
    box = np.maximum(np.abs(xs - c), np.abs(ys - c))
    img[(box <= half) & (box > half - w)] = 40
    return np.clip(img, 0, 255).astype(np.uint8), (float(c), float(c))


def _stroke(
    img: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    a: tuple[float, float],
    b: tuple[float, float],
    width_mm: float,
    ink: float,
    paper: int,
) -> None:
    """A pencil line from a to b (mm from the centre), `ink` of the paper darker (taking the
    darker of it and what is there)."""
    line = np.zeros_like(img)
    p = [(round(centre[0] + x * scale), round(centre[1] + y * scale)) for x, y in (a, b)]
    cv2.line(line, p[0], p[1], 255, max(1, round(width_mm * scale)), cv2.LINE_AA)
    dark = (paper * (1.0 - ink * line / 255.0)).astype(np.uint8)
    np.minimum(img, dark, out=img)


END = st.tuples(st.floats(-6.0, 6.0), st.floats(-6.0, 6.0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.sampled_from(SCALES),
    paper=st.integers(170, 235),
    noise=st.floats(0.0, 4.0),
    strokes=st.lists(st.tuples(END, END, st.floats(0.2, 0.8), st.floats(0.03, 0.45)), max_size=3),
    gain=st.floats(1.0, 1.4),
    seed=st.integers(0, 2**31),
)
def test_pencil_near_staged_agrees_with_the_reference(
    scale: float,
    paper: int,
    noise: float,
    strokes: list[tuple[tuple[float, float], tuple[float, float], float, float]],
    gain: float,
    seed: int,
) -> None:
    img, c = _square(scale, paper, noise, seed)
    for a, b, width, ink in strokes:
        _stroke(img, c, scale, a, b, width, ink, paper)
    want = pencil6.pencil_near_reference(img, c, scale, float(paper), gain)
    assert pencil6.pencil_near(img, c, scale, float(paper), gain) == want


def _stage(img: np.ndarray, c: tuple[float, float], scale: float, paper: float) -> tuple[bool, bool]:
    got = crop.around(img, c, int((TARGET / 2 + pencil6.TRACE_AROUND_MM) * scale))
    assert got is not None
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= pencil6.INSIDE_MM * scale
    surround = box > pencil6.BORDER_MM * scale
    near = box <= (pencil6.BORDER_MM + pencil6.TRACE_TOUCH_MM) * scale
    return pencil6.could_hold(pencil6.trace_contrast(win, scale, paper, 1.0), inside, surround & near, scale)


def test_the_stage_skips_a_clean_square_and_keeps_strokes() -> None:
    """A clean square: neither search (so no run is labelled). A light stroke inside: the
    inside's; a tick beside the square, its foot over the border (9086's family): the
    surroundings', and both tests find it."""
    for scale in SCALES:
        clean, c = _square(scale, 215, 2.0, 1)
        assert _stage(clean, c, scale, 215.0) == (False, False)
        assert not pencil6.pencil_near(clean, c, scale, 215.0, 1.0)
        inner = clean.copy()
        _stroke(inner, c, scale, (-1.5, 1.5), (1.5, -1.2), 0.5, 0.12, 215)
        assert _stage(inner, c, scale, 215.0)[0]
        assert pencil6.pencil_near(inner, c, scale, 215.0, 1.0)
        assert pencil6.pencil_near_reference(inner, c, scale, 215.0, 1.0)
        tick = clean.copy()  # an arm under the square, its foot 0.3 mm over the bottom border
        _stroke(tick, c, scale, (-0.5, 3.2), (2.5, 5.8), 0.5, 0.3, 215)
        assert _stage(tick, c, scale, 215.0)[1]
        assert pencil6.pencil_near(tick, c, scale, 215.0, 1.0)
        assert pencil6.pencil_near_reference(tick, c, scale, 215.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 220),
    reach=st.integers(0, 40),
    rows=st.integers(1, 40),
    seed=st.integers(0, 2**31),
)
def test_the_paper_around_each_column_in_one_call_agrees(n: int, reach: int, rows: int, seed: int) -> None:
    """lines10's paper around each column (a sliding window's percentile): equal, bit for bit,
    to the one-column-at-a-time loop, on strips' percentile levels of noise with a streak."""
    from kiosk.reading import lines10

    rng = np.random.default_rng(seed)
    strip = rng.integers(150, 256, (rows, n)).astype(np.float64)
    strip[:, rng.integers(0, n)] *= 0.9
    levels = np.percentile(strip, lines10.STRIP_PCT, axis=0)
    assert np.array_equal(lines10._around(levels, reach), lines10.around_reference(levels, reach))
