"""edge18 (issue 10): edge16's gate for all of a side's band squares in one compiled call
(`kernels.corner_quadrants`) before its corner test, so that a square whose quadrants cannot
stand out is never asked. It must leave out only squares `edge16.corner_tick` answers False
for: the kernel's sums agree with `edge16.quadrants`' (its reference) within the slack
`edge16.could_stand_out` allows, and every square whose quadrant stands out on numpy's sums is
kept. docs/reading.md, "Eighteenth pass: edge16's corner test made cheap (edge18)"."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import edge16, kernels
from kiosk.reading.reference import corner_quadrants_reference

sys.path.insert(0, str(Path(__file__).parent))
from test_edge16 import GAIN, HALF, PAPER, RING, C, S, _paper, _tick

EPS = float(np.finfo(np.float64).eps)


def _band(u8: np.ndarray, scores: list[float], looked: list[bool]) -> list[bool]:
    n = len(scores)
    return edge16.band(
        u8,
        np.full((n, 2), float(C)),
        np.full(n, S),
        np.array(scores),
        np.full((n, 4), PAPER),
        GAIN,
        HALF,
        RING,
        0.2,
        np.array(looked),
    )


def test_band_keeps_a_light_tick_and_leaves_out_blank_paper() -> None:
    for seed in range(3):
        blank = np.clip(_paper(seed), 0, 255).astype(np.uint8)
        im = _paper(seed)
        _tick(im, 0.12, seed)
        u8 = np.clip(im, 0, 255).astype(np.uint8)
        centre = np.array([float(C), float(C)])
        assert edge16.corner_tick(u8, centre, S, np.full(4, PAPER), GAIN, HALF, RING)  # test_edge16's tick
        assert _band(u8, [0.01], [False]) == [True]
        assert _band(blank, [0.01], [False]) == [False]  # no quadrant stands out: not asked
        # the band itself: under LO, at `marginal` and a looked square are left out
        assert _band(u8, [0.007, 0.01, 0.2, 0.01], [False, False, False, True]) == [False, True, False, False]
        with switched_off(edge16):
            assert _band(u8, [0.01], [False]) == [False]


def test_could_stand_out_at_the_threshold() -> None:
    q = np.array(
        [
            [edge16.QUAD_MIN, 0.0, 0.0, 0.0],  # exactly QUAD_MIN over the median: `corner` takes it
            [0.0, 0.0, edge16.QUAD_MIN - 1e-6, 0.0],  # a millionth short: it does not
            [1.0, 1.0, 1.0 + edge16.QUAD_MIN, 1.0],
            [2.0, 2.0 + edge16.QUAD_MIN, 1.0, 3.0],  # 3 stands 0.5 - QUAD_MIN / 2 over the median
        ]
    )
    got = edge16.could_stand_out(q, 100 * 100).tolist()
    assert got == [True, False, True, True]
    assert [edge16.corner(row) is not None for row in q] == got


@st.composite
def _sides(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
    """An image (paper with grain, faint and dark strokes) around up to four windows of the
    fast score, some reaching past the image's edge (the window shifted inside, as the score
    has it), at 75-600 dpi."""
    scale = draw(st.floats(2.9, 24.0))
    half = round(4.2 * scale)
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    h = draw(st.integers(half, 3 * half + 10))
    w = draw(st.integers(half, 3 * half + 10))
    im = rng.normal(draw(st.floats(150.0, 250.0)), draw(st.floats(0.0, 12.0)), (h, w)).astype(np.float32)
    for _ in range(draw(st.integers(0, 3))):
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        mask = np.zeros((h, w), np.uint8)
        cv2.line(mask, p0, p1, 1, draw(st.integers(1, 8)))
        im[mask > 0] *= 1.0 - draw(st.sampled_from([0.05, 0.12, 0.3, 0.8]))
    n = draw(st.integers(1, 4))
    centres = np.column_stack([rng.uniform(-2.0, w + 1.0, n), rng.uniform(-2.0, h + 1.0, n)])
    if draw(st.booleans()):  # whole pixels and half pixels: pixels on the centre lines
        centres = np.round(centres * 2.0) / 2.0
    scales = scale * rng.uniform(0.97, 1.03, n)
    asked = rng.random(n) < 0.8
    return np.clip(im, 0, 255).astype(np.uint8), centres, scale, scales, asked


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    side=_sides(),
    levels=st.lists(st.floats(120.0, 255.0), min_size=4, max_size=4),
    gain=st.floats(0.8, 1.6),
    ring_mm=st.floats(0.3, 0.8),
)
def test_corner_quadrants_match_their_reference(
    side: tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray],
    levels: list[float],
    gain: float,
    ring_mm: float,
) -> None:
    """`kernels.corner_quadrants` (compiled, one call for the side) against
    `reference.corner_quadrants_reference` (`edge16.quadrants` one square at a time): the same
    sums but for the order of adding, within the slack `could_stand_out` allows; a square
    whose quadrant stands out on the reference's sums is never left out."""
    image, centres, scale, scales, asked = side
    half = round(4.2 * scale)
    ring = max(1, round(ring_mm * scale))
    lv = np.tile(np.array(levels), (centres.shape[0], 1)) * np.linspace(1.0, 0.9, centres.shape[0])[:, None]
    fast = kernels.corner_quadrants(image, centres, scales, lv, asked, half, ring, gain, edge16.INNER_MM)
    ref = corner_quadrants_reference(image, centres, scales, lv, asked, half, ring, gain)
    pixels = (2 * half + 1) ** 2
    assert not fast[~asked].any()
    assert np.all(np.abs(fast - ref) <= (pixels + 2) * EPS * ref.max(axis=1, keepdims=True) + 1e-12)
    could = edge16.could_stand_out(fast, pixels)
    for k in np.flatnonzero(asked):
        if edge16.corner(ref[k]) is not None:
            assert could[k]
