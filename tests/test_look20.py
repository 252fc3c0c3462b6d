"""look20 (issue 10, twentieth pass): the closer look (`inspect.inspect_square`) made cheaper,
readings unchanged. Its window setup is one compiled call (`kernels.closer_look_setup`) that
gives the arrays and sums its numpy computed (`reference.closer_look_setup_numpy`) to the bit;
`_straight_stroke`'s sums are two compiled calls (`reference.straight_stroke_numpy`: the same
answer); rims7's and stain9's hooks are not asked where the kernel's pen count says they
answer None (the same verdict with and without). docs/reading.md, "Twentieth pass: ...
(look20)"."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import inspect, kernels, rims7
from kiosk.reading.reference import closer_look_setup_numpy, straight_stroke_numpy


def _window(rng: np.random.Generator, h: int, w: int, kind: int) -> np.ndarray:
    """Paper (grain, or flat) with a pen or pencil stroke through it (kind 1, 2), a
    blob (3), or nothing (0)."""
    base = int(rng.integers(120, 250))
    noise = float(rng.choice([0.0, 2.0, 8.0, 40.0]))
    win = np.clip(base + rng.normal(0.0, noise, (h, w)), 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[:h, :w]
    if kind in (1, 2):
        t = float(rng.uniform(0, math.pi))
        d = (xx - w / 2) * math.cos(t) + (yy - h / 2) * math.sin(t) - float(rng.uniform(-4, 4))
        m = np.abs(d) < float(rng.uniform(0.5, 3.0))
        if rng.random() < 0.5:  # a tick's arm: stops inside the window
            m &= (xx - w / 2) ** 2 + (yy - h / 2) ** 2 < float(rng.uniform(0, 30)) ** 2
        win[m] = int(rng.integers(10, 80)) if kind == 1 else int(rng.integers(100, base))
    elif kind == 3:
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        win[y0 : y0 + 5, x0 : x0 + 5] = int(rng.integers(0, 90))
    return win


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray)
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    return float(a) == float(b)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.integers(150, 300),
    h_cut=st.one_of(st.none(), st.integers(1, 121)),
    w_cut=st.one_of(st.none(), st.integers(1, 121)),
    ring=st.integers(1, 16),
    gain=st.floats(0.8, 1.6),
    f32=st.booleans(),
    off=st.tuples(st.floats(-6.0, 6.0), st.floats(-6.0, 6.0)),
    kind=st.integers(0, 3),
    seed=st.integers(0, 2**31),
)
def test_setup_equals_numpy(
    dpi: int,
    h_cut: int | None,
    w_cut: int | None,
    ring: int,
    gain: float,
    f32: bool,
    off: tuple[float, float],
    kind: int,
    seed: int,
) -> None:
    """Every array (dtype, shape, bits) and every sum the numpy setup gave, on the reader's
    windows (2 half + 1 px, 150-300 dpi) and on cut ones (1-121 px a side, odd and even: a
    small image), the square's centre anywhere near the window's middle (a window shifted
    to lie on the image), levels float64 or float32."""
    rng = np.random.default_rng(seed)
    scale = dpi / 25.4
    half = round(3.9 * scale)
    h = h_cut if h_cut is not None else 2 * half + 1
    w = w_cut if w_cut is not None else 2 * half + 1
    win = _window(rng, h, w, kind)
    levels = rng.uniform(100.0, 255.0, 4)
    if f32:
        levels = levels.astype(np.float32)
    cx, cy = (w - 1) / 2 + off[0], (h - 1) / 2 + off[1]
    want = closer_look_setup_numpy(win, levels, ring, scale, gain, cx, cy)
    import cv2

    k = max(3, int(inspect.TOPHAT_MM * scale) | 1)
    blackhat = cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, inspect._ellipse(k))
    got = kernels.closer_look_setup(
        win,
        blackhat,
        levels,
        ring,
        max(3, int(inspect.PROFILE_MM * scale) | 1),
        gain,
        cx,
        cy,
        (TARGET / 2 - TARGET_STROKE - 0.35) * scale,
        (TARGET / 2 + 0.5) * scale,
        inspect.DARK_INK,
        inspect.THIN_CONTRAST,
        rims7.HOOK_PEN,
    )
    assert len(got) == len(want)
    for a, b in zip(want, got, strict=True):
        assert _same(a, b)
    assert np.float32(got[13]) == got[13]  # ink_local's sum: a float32 value, as numpy's


@pytest.mark.parametrize("n", [*range(0, 260), 1000, 1023, 4095, 8191, 8192, 8193, 16385, 40000])
def test_pairwise_equals_numpy_sum(n: int) -> None:
    """numpy's `.sum()` of a contiguous float64 or float32 array, to the bit, at every
    length around numpy's blocks (8, 128) and its buffer (8192)."""
    rng = np.random.default_rng(n)
    for dtype in (np.float64, np.float32):
        a = (rng.random(n) * float(rng.choice([1e-3, 1.0, 1e5]))).astype(dtype)
        got = kernels._pairwise(a, n, dtype(0.0), np.empty(64, dtype))
        assert got == a.sum()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.integers(150, 300),
    h_cut=st.one_of(st.none(), st.integers(1, 121)),
    angle=st.floats(0.0, math.pi),
    width=st.floats(0.2, 4.0),
    shift=st.floats(-8.0, 8.0),
    reach=st.one_of(st.none(), st.floats(0.0, 40.0)),
    specks=st.booleans(),
    off=st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0)),
    seed=st.integers(0, 2**31),
)
def test_straight_stroke_equals_numpy(
    dpi: int,
    h_cut: int | None,
    angle: float,
    width: float,
    shift: float,
    reach: float | None,
    specks: bool,
    off: tuple[float, float],
    seed: int,
) -> None:
    """The same Line (or None) as the numpy version, with and without the caller's `dark`:
    pen strokes across the square (a pen line through the row), ticks' arms stopping in it,
    wide strokes, specks."""
    rng = np.random.default_rng(seed)
    scale = dpi / 25.4
    w = 2 * round(3.9 * scale) + 1
    h = h_cut if h_cut is not None else w
    ink = np.clip(rng.normal(0.1, 0.1, (h, w)), 0.0, 1.0)
    yy, xx = np.mgrid[:h, :w]
    m = np.abs((xx - w / 2) * math.cos(angle) + (yy - h / 2) * math.sin(angle) - shift) < width
    if reach is not None:
        m &= (xx - w / 2) ** 2 + (yy - h / 2) ** 2 < reach**2
    ink[m] = rng.uniform(0.5, 1.0, int(m.sum()))
    if specks:
        ink = np.where(rng.random((h, w)) < 0.02, 0.9, ink)
    xs = np.arange(w)[None, :] - ((w - 1) / 2 + off[0])
    ys = np.arange(h)[:, None] - ((h - 1) / 2 + off[1])
    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= inner
    want = straight_stroke_numpy(ink, inside, xs, ys, scale, inner)
    assert inspect._straight_stroke(ink, inside, xs, ys, scale, inner) == want
    dark = (inside & (ink >= inspect.DARK_INK)).astype(np.uint8)
    assert inspect._straight_stroke(ink, inside, xs, ys, scale, inner, dark) == want


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.integers(150, 300),
    kind=st.integers(0, 3),
    edge=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_pen_hooks_skip_same_verdict(dpi: int, kind: int, edge: bool, seed: int) -> None:
    """The closer look's verdict with rims7's and stain9's hooks not asked where the kernel's
    pen count answers for them, and with both asked: the same, on pen and pencil marks,
    blobs and empty windows, the square in the page or at its edge."""
    rng = np.random.default_rng(seed)
    scale = dpi / 25.4
    half = round(3.9 * scale)
    ring = max(1, round(0.8 * scale))
    page = np.clip(rng.normal(225.0, 3.0, (6 * half, 6 * half)), 0, 255).astype(np.uint8)
    cx = float(rng.uniform(half, 2 * half)) if edge else 3 * half + float(rng.uniform(-1, 1))
    cy = 3 * half + float(rng.uniform(-1, 1))
    x0, y0 = round(cx) - half, round(cy) - half
    page[y0 : y0 + 2 * half + 1, x0 : x0 + 2 * half + 1] = np.minimum(
        page[y0 : y0 + 2 * half + 1, x0 : x0 + 2 * half + 1], _window(rng, 2 * half + 1, 2 * half + 1, kind)
    )
    levels = np.full(4, 225.0)
    denominator = float((2 * (TARGET / 2 - TARGET_STROKE) * scale) ** 2)
    args = (
        page,
        (cx, cy),
        scale,
        half,
        ring,
        levels,
        1.05,
        float(rng.uniform(0.0, 0.6)),
        denominator,
        0.05,
        0.1,
    )
    try:
        a = inspect.inspect_square(*args)
        inspect.PEN_HOOKS_SKIP = False
        b = inspect.inspect_square(*args)
    finally:
        inspect.PEN_HOOKS_SKIP = True
    assert a == b
