"""kiosk/reading/crop.py (tidy8): one neighbourhood crop for the closer looks, clamped to
the image at both ends, checked against a plain pad-then-slice for any centre and size."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading import crop, kernels, pencil6, pencil7, settle7

EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def around_reference(
    image: np.ndarray, centre: tuple[float, float], half: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The plain way: pad the image with NaN far enough round, slice the whole square
    (2 half + 1 px a side from round(c) - half), keep the rows and columns that are on
    the image; each kept pixel's offset from the centre, from its image coordinates."""
    hh, ww = image.shape
    cx, cy = centre
    x0, y0 = int(np.rint(cx)) - half, int(np.rint(cy)) - half
    pad = max(abs(x0), abs(y0), abs(x0 - ww), abs(y0 - hh)) + 2 * half + 2
    padded = np.pad(image.astype(np.float64), pad, constant_values=np.nan)
    cut = padded[y0 + pad : y0 + pad + 2 * half + 1, x0 + pad : x0 + pad + 2 * half + 1]
    assert cut.shape == (2 * half + 1, 2 * half + 1)
    rows = [i for i in range(cut.shape[0]) if not np.isnan(cut[i]).all()]
    cols = [j for j in range(cut.shape[1]) if not np.isnan(cut[:, j]).all()]
    if not rows or not cols:
        return None
    win = cut[np.ix_(rows, cols)]
    assert not np.isnan(win).any()
    xs = np.array([[x0 + j - cx for j in cols]])
    ys = np.array([[y0 + i - cy] for i in rows])
    return win.astype(image.dtype), xs, ys


@EXAMPLES
@given(
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    half=st.integers(0, 30),
    cx=st.floats(-80, 120, allow_nan=False) | st.integers(-80, 120).map(lambda v: v + 0.5),
    cy=st.floats(-80, 120, allow_nan=False) | st.integers(-80, 120).map(lambda v: v + 0.5),
    seed=st.integers(0, 2**16),
)
def test_around_is_pad_then_slice(h: int, w: int, half: int, cx: float, cy: float, seed: int) -> None:
    """Any centre (on the image, beside it, far off it, on a half pixel) and any size:
    the same pixels, the same offsets, and None exactly when nothing is on the image."""
    image = np.random.default_rng(seed).integers(0, 256, (h, w), dtype=np.uint8)
    got = crop.around(image, (cx, cy), half)
    ref = around_reference(image, (cx, cy), half)
    assert (got is None) == (ref is None)
    if got is None or ref is None:
        return
    win, xs, ys = got
    assert win.flags.c_contiguous and win.dtype == np.uint8
    assert np.array_equal(win, ref[0])
    assert xs.shape == (1, win.shape[1]) and ys.shape == (win.shape[0], 1)
    assert np.allclose(xs, ref[1], rtol=0, atol=1e-9)
    assert np.allclose(ys, ref[2], rtol=0, atol=1e-9)


def test_around_never_wraps_round() -> None:
    """A centre far above and left of the image: the old slice `image[max(0, y0) : y0 +
    2 half + 1]` had a negative end and took the image's top less a few rows; nothing of
    the square is on the image, so nothing is cut. A square with a corner off the frame
    keeps the part on it (never empty)."""
    image = np.arange(50 * 60, dtype=np.int64).reshape(50, 60).astype(np.uint8)
    assert crop.around(image, (-40.0, -40.0), 10) is None
    assert crop.around(image, (100.0, 25.0), 10) is None
    got = crop.around(image, (-3.0, 48.0), 10)
    assert got is not None
    win, xs, ys = got
    assert win.shape == (50 - 38, 8)  # rows 38..49, columns 0..7
    assert np.array_equal(win, image[38:, :8])
    assert xs[0, 0] == 3.0 and ys[0, 0] == -10.0


def test_closer_looks_off_the_image() -> None:
    """The closer looks built on `around` with a centre off the image: nothing to look at,
    no wrapped window read in its place."""
    image = np.full((300, 300), 230, np.uint8)
    image[250:, 250:] = 40  # something dark that a wrapped window would cover
    far = (-200.0, -200.0)
    assert settle7.neighbourhood(image, far, 12.0) is None
    assert not pencil6.pencil_near(image, far, 12.0, 230.0, 1.0)
    assert pencil7.stroke_found(image, far, 12.0, 230.0, 1.0) is None
    assert settle7.hand_strokes(image, far, 12.0, 230.0, 1.0) is None


@EXAMPLES
@given(
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    half=st.integers(0, 30),
    cx=st.floats(-80, 120, allow_nan=False),
    cy=st.floats(-80, 120, allow_nan=False),
)
def test_placed_is_the_fast_scores_window(h: int, w: int, half: int, cx: float, cy: float) -> None:
    """`placed` (inspect's and rims7's window): the compiled origin rule, never cut, never
    off the image."""
    image = np.zeros((h, w), np.uint8)
    win, x0, y0 = crop.placed(image, cx, cy, half)
    size_w, size_h = min(2 * half + 1, w), min(2 * half + 1, h)
    assert win.shape == (size_h, size_w)
    assert x0 == kernels._window_origin(cx, half, size_w, w)
    assert y0 == kernels._window_origin(cy, half, size_h, h)
    assert 0 <= x0 <= w - size_w and 0 <= y0 <= h - size_h
