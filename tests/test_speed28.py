"""speed28 (issue 10, twenty-seventh pass): the closer look's window made cheaper, readings
unchanged. OpenCV's black top-hat is `kernels.black_hat` (the same uint8 values as
cv2.morphologyEx for any structuring element with a 1 in it), and `kernels.closer_look_setup`
is `closer_look_setup_look20` (kept, its reference) without branches in its pixel loop (every
array and sum to the bit, NaN and the sign of zero included). docs/reading.md, "Twenty-seventh
pass: ... (speed28)"."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_look20 import _window
from test_red21 import _content

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import inspect, kernels, rims7


def _image(rng: np.random.Generator, h: int, w: int, kind: int) -> np.ndarray:
    """look20's windows (paper, strokes, a blob: kinds 0-3) and red21's extreme ones (4-12)."""
    return _window(rng, h, w, kind) if kind < 4 else _content(rng, h, w, kind - 4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 90),
    w=st.integers(1, 90),
    k=st.integers(0, 12),
    kind=st.integers(0, 12),
    seed=st.integers(0, 2**31),
)
def test_black_hat_equals_opencv_on_ellipses(h: int, w: int, k: int, kind: int, seed: int) -> None:
    """The reader's use: an ellipse of 1-25 px (odd) on windows of 1-90 px a side (smaller
    than the ellipse too), and the dilation and erosion each as cv2.dilate and cv2.erode."""
    rng = np.random.default_rng(seed)
    win = _image(rng, h, w, kind)
    elem = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    got = kernels.black_hat(win, elem)
    want = cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, elem)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
    assert np.array_equal(kernels._morph(win, elem, True), cv2.dilate(win, elem))
    assert np.array_equal(kernels._morph(win, elem, False), cv2.erode(win, elem))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    kh=st.integers(1, 9),
    kw=st.integers(1, 9),
    p=st.floats(0.05, 1.0),
    kind=st.integers(0, 12),
    seed=st.integers(0, 2**31),
)
def test_black_hat_equals_opencv_on_any_element(
    h: int, w: int, kh: int, kw: int, p: float, kind: int, seed: int
) -> None:
    """Any element with a 1 in it, even sides and holes included (runs about the anchor go
    by rows; others by the plain rule, one offset at a time), and the two rules agree."""
    rng = np.random.default_rng(seed)
    win = _image(rng, h, w, kind)
    elem = (rng.random((kh, kw)) < p).astype(np.uint8)
    elem[int(rng.integers(0, kh)), int(rng.integers(0, kw))] = 1
    assert np.array_equal(kernels.black_hat(win, elem), cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, elem))
    for take_max in (True, False):
        assert np.array_equal(
            kernels._morph(win, elem, take_max), kernels._morph_offsets(win, elem, take_max)
        )


def test_row_halves_takes_ellipses_by_rows() -> None:
    """Every ellipse the reader can ask (1-41 px) goes by rows (the fast path is the one
    measured); an element with a hole, or a run off the anchor, goes by the plain rule."""
    for k in range(1, 42, 2):
        half, runs = kernels._row_halves(cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        assert runs and half.max() == k // 2
    assert not kernels._row_halves(np.array([[1, 0, 1]], np.uint8))[1]
    assert not kernels._row_halves(np.array([[1, 1, 0]], np.uint8))[1]
    assert kernels._row_halves(np.array([[0, 0, 0], [0, 1, 0]], np.uint8))[0].tolist() == [-1, 0]


def _same(a: object, b: object) -> bool:
    """Equal to the bit: dtype, shape, values (NaN where NaN) and the sign of every zero."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=True))
            and bool(np.array_equal(np.signbit(a), np.signbit(b)))
        )
    if type(a) is not type(b):
        return False
    fa, fb = float(a), float(b)  # type: ignore[arg-type]
    return (fa == fb and math.copysign(1.0, fa) == math.copysign(1.0, fb)) or (fa != fa and fb != fb)


_LEVEL = st.one_of(st.floats(1.0, 256.0), st.sampled_from([math.inf, -math.inf, math.nan]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.floats(150.0, 300.0),
    cut=st.one_of(st.none(), st.tuples(st.integers(1, 121), st.integers(1, 121))),
    ring=st.integers(1, 16),
    levels=st.lists(_LEVEL, min_size=4, max_size=4),
    f32=st.booleans(),
    gain=st.one_of(st.floats(0.0, 3.0), st.sampled_from([-0.0, math.inf, math.nan])),
    off=st.tuples(st.floats(-40.0, 40.0), st.floats(-40.0, 40.0)),
    kind=st.integers(0, 12),
    seed=st.integers(0, 2**31),
)
def test_setup_equals_look20_kernel(
    dpi: float,
    cut: tuple[int, int] | None,
    ring: int,
    levels: list[float],
    f32: bool,
    gain: float,
    off: tuple[float, float],
    kind: int,
    seed: int,
) -> None:
    """Every array and every sum of `closer_look_setup` is `closer_look_setup_look20`'s, on
    the reader's windows (2 half + 1 px at 150-300 dpi) and cut ones (1-121 px a side), side
    levels anywhere in 1-256 or infinite or NaN (float64 or float32), any gain
    (NaN too), the centre on the window or far off it; the top-hat from `black_hat`."""
    rng = np.random.default_rng(seed)
    scale = dpi / 25.4
    half = round((TARGET / 2 + 1.2) * scale)
    h, w = cut if cut is not None else (2 * half + 1, 2 * half + 1)
    win = _image(rng, h, w, kind)
    lv = np.array(levels, np.float32 if f32 else np.float64)
    k = max(3, int(inspect.TOPHAT_MM * scale) | 1)
    args = (
        win,
        kernels.black_hat(win, inspect._ellipse(k)),
        lv,
        ring,
        max(3, int(inspect.PROFILE_MM * scale) | 1),
        gain,
        (w - 1) / 2 + off[0],
        (h - 1) / 2 + off[1],
        (TARGET / 2 - TARGET_STROKE - 0.35) * scale,
        (TARGET / 2 + 0.5) * scale,
        inspect.DARK_INK,
        inspect.THIN_CONTRAST,
        rims7.HOOK_PEN,
    )
    want = kernels.closer_look_setup_look20(*args)
    got = kernels.closer_look_setup(*args)
    assert len(got) == len(want) == 17
    assert [i for i, (a, b) in enumerate(zip(want, got, strict=True)) if not _same(a, b)] == []


@pytest.mark.parametrize("fast", [True, False])
def test_inspect_square_same_verdict_either_top_hat(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The closer look's verdict on stroked, blobbed and plain windows is the same with the
    compiled top-hat and with OpenCV's (the flag switches the path; both are exercised)."""
    monkeypatch.setattr(inspect, "FAST_BLACK_HAT", fast)
    verdicts = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        scale = 200 / 25.4
        half = round((TARGET / 2 + 1.2) * scale)
        image = np.full((4 * half, 4 * half), 225, np.uint8)
        image[half : 3 * half + 1, half : 3 * half + 1] = _window(rng, 2 * half + 1, 2 * half + 1, seed % 4)
        centre = (2.0 * half, 2.0 * half)
        ring = max(1, round(0.5 * scale))
        v = inspect.inspect_square(
            image, centre, scale, half, ring, np.full(4, 225.0), 1.1, 0.2, 700.0, 0.05, 0.3
        )
        verdicts.append((v.mark, v.reason, v.score, v.evidence))
    monkeypatch.setattr(inspect, "FAST_BLACK_HAT", not fast)
    for seed, want in enumerate(verdicts):
        rng = np.random.default_rng(seed)
        scale = 200 / 25.4
        half = round((TARGET / 2 + 1.2) * scale)
        image = np.full((4 * half, 4 * half), 225, np.uint8)
        image[half : 3 * half + 1, half : 3 * half + 1] = _window(rng, 2 * half + 1, 2 * half + 1, seed % 4)
        ring = max(1, round(0.5 * scale))
        v = inspect.inspect_square(
            image, (2.0 * half, 2.0 * half), scale, half, ring, np.full(4, 225.0), 1.1, 0.2, 700.0, 0.05, 0.3
        )
        assert (v.mark, v.reason, v.score, v.evidence) == want
