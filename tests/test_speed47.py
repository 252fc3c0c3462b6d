"""speed47 (issue 10): grain14's gate asked without building its window.

faint37, grain14's pair and cross28 each built `grain14.ink_window` (the whole 15 mm window
smoothed and turned to ink) only for `spread_inside` to read the inside's 50th and 95th
percentiles, and on a clean sheet that is where almost every one of them stops.
`kernels.inside_spread` computes those two numbers on the inside alone, with ink_window's own
float32 steps; `grain14.gated_ink` (the callers' window) and `gate_open` ask it. The readings
must not change: the numbers are checked here against ink_window then `_gate_percentiles` and np.percentile, and the gate's
answer against the window's way (`COMPILED_GATE` off). docs/reading.md, "Forty-fourth pass"."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import field_sheet

from kiosk.reading import grain14, kernels, pencil6


def _window_numbers(
    image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float
) -> tuple[float, float] | None:
    """The reference: ink_window, its inside, np.percentile (numpy's own)."""
    ink = grain14.ink_window(image, centre, scale, paper, gain)
    if ink is None:
        return None
    c = (ink.shape[0] - 1) // 2
    r = int(pencil6.INSIDE_MM * scale)
    p50, p95 = np.percentile(ink[c - r : c + r + 1, c - r : c + r + 1], [50, 95])
    return float(p50), float(p95)


def _compiled_numbers(
    image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float
) -> tuple[float, float] | None:
    h = int(np.ceil((pencil6.BORDER_MM + grain14.AROUND_MM) * scale))
    cx, cy = int(np.rint(float(centre[0]))), int(np.rint(float(centre[1])))
    r = int(pencil6.INSIDE_MM * scale)
    k = grain14._odd(grain14.SMOOTH_MM * scale)
    on, p50, p95 = kernels.inside_spread(image, cx, cy, h, r, k, max(1.0, paper), gain)
    return (p50, p95) if on else None


def _page(seed: int, size: int, strokes: int, grey: int) -> np.ndarray:
    """Paper with grain, and some pencil-like strokes and pen lines (the gate opens on some)."""
    rng = np.random.default_rng(seed)
    page = np.clip(rng.normal(grey, rng.uniform(0.5, 6.0), (size, size)), 0, 255).astype(np.uint8)
    for _ in range(strokes):
        p0 = tuple(int(v) for v in rng.integers(0, size, 2))
        p1 = tuple(int(v) for v in rng.integers(0, size, 2))
        cv2.line(page, p0, p1, int(rng.integers(20, 250)), int(rng.integers(1, 5)), cv2.LINE_AA)
    return page


@settings(max_examples=250, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    strokes=st.integers(0, 6),
    grey=st.integers(60, 250),
    scale=st.floats(5.5, 12.5),
    paper=st.one_of(st.floats(0.0, 260.0), st.sampled_from([0.5, 1.0, 128.0, 255.0])),
    gain=st.floats(0.8, 20.0),
    dx=st.floats(-1.0, 1.0),
    dy=st.floats(-1.0, 1.0),
)
def test_inside_numbers_are_the_windows(
    seed: int, strokes: int, grey: int, scale: float, paper: float, gain: float, dx: float, dy: float
) -> None:
    """Any page, scale (150-300 dpi and beyond), paper level (under 1 too), gain and centre
    (the window inside the page, touching its edges, or leaving it): the compiled inside's two
    percentiles equal ink_window's then np.percentile's (None where the window leaves the
    page), and the gate says what the window's way says."""
    size = 190
    page = _page(seed, size, strokes, grey)
    centre = np.array([size / 2 + dx * 40.0, size / 2 + dy * 40.0])
    want = _window_numbers(page, centre, scale, paper, gain)
    got = _compiled_numbers(page, centre, scale, paper, gain)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got == want  # exact (== takes 0.0 and -0.0 as one; the gate only compares)
    grain14.COMPILED_GATE = False
    try:
        ink = grain14.ink_window(page, centre, scale, paper, gain)
        slow = ink is not None and grain14.spread_inside_reference(ink, scale)
        assert grain14.gate_open(page, centre, scale, paper, gain) == slow
    finally:
        grain14.COMPILED_GATE = True
    assert grain14.gate_open(page, centre, scale, paper, gain) == slow
    # the callers' way: the window itself past the gate, None where it is shut or off the page
    gated = grain14.gated_ink(page, centre, scale, np.array([paper, 0.0]), gain)
    assert (gated is not None) == slow
    if gated is not None:
        assert ink is not None and np.array_equal(gated, ink)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.sampled_from([-0.2, 0.2, 0.0, 0.001, -0.001]), st.floats(-0.2, 0.2)),
        min_size=1,
        max_size=60,
    ),
    seed=st.integers(0, 2**31),
    n=st.integers(1, 3000),
)
def test_rank_values_are_the_sorted_ones(values: list[float], seed: int, n: int) -> None:
    """`kernels._rank_value` by bins gives the k-th smallest for every k, ties and the clip's
    two ends included."""
    rng = np.random.default_rng(seed)
    vals = np.array(values, np.float32)[rng.integers(0, len(values), n)]
    bins = np.minimum(
        np.maximum(((vals.astype(np.float64) + 0.2) * (kernels._SPREAD_BINS - 1) / 0.4).astype(np.int64), 0),
        kernels._SPREAD_BINS - 1,
    )
    counts = np.bincount(bins, minlength=kernels._SPREAD_BINS).astype(np.int64)
    want = np.sort(vals)
    buf = np.empty(n, np.float32)
    for k in sorted({0, n - 1, n // 2, int(rng.integers(0, n))}):
        assert kernels._rank_value(vals, bins, counts, k, buf) == want[k]


def test_the_gate_opens_and_shuts_on_real_windows() -> None:
    """The property test above is not vacuous: on a field sheet's squares the gate both opens
    (a mark) and stays shut (an empty square), and says so as the window's way does."""
    _reader, _sheet, image = field_sheet(198, 3)
    opened = shut = 0
    # windows anywhere on the sheet (squares, print, paper) at any scale of the corpus
    rng = np.random.default_rng(5)
    for _ in range(400):
        centre = rng.uniform(100, [image.shape[1] - 100, image.shape[0] - 100])
        scale = float(rng.uniform(5.9, 11.8))
        paper, gain = 230.0, 1.1
        slow_ink = grain14.ink_window(image, centre, scale, paper, gain)
        slow = slow_ink is not None and grain14.spread_inside_reference(slow_ink, scale)
        assert grain14.gate_open(image, centre, scale, paper, gain) == slow
        opened += slow
        shut += not slow
    assert opened > 10 and shut > 10


def test_numpy_floats_take_the_windows_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gain that is a numpy float64 makes numpy compute the ink in float64: the compiled call
    (float32 steps) is not asked then."""
    called: list[int] = []
    real = kernels.inside_spread

    def counted(*a: object) -> object:
        called.append(1)
        return real(*a)  # type: ignore[arg-type]

    monkeypatch.setattr(kernels, "inside_spread", counted)
    page = _page(3, 190, 3, 200)
    centre = np.array([95.0, 95.0])
    grain14.gate_open(page, centre, 7.87, 200.0, np.float64(1.1))
    assert called == []
    grain14.gate_open(page, centre, 7.87, 200.0, 1.1)
    assert called == [1]


@pytest.mark.parametrize("gain", [float("inf"), -float("inf"), 1e39, float("nan")])
def test_a_gain_not_finite_in_float32_takes_the_windows_way(gain: float) -> None:
    """An outside attack's case (no reader makes it: its gain is at most 20): an infinite gain
    makes the ink NaN where the smoothed paper equals `paper`; numpy's gate then says no, and
    so must this one."""
    img = np.full((120, 120), 210, np.uint8)
    img[42:79, 70:79] = 190
    img[42:79, 64:70] = 200
    centre = np.array([60.0, 60.0])
    with np.errstate(all="ignore"):
        ink = grain14.ink_window(img, centre, 200 / 25.4, 200.0, gain)
        want = ink is not None and grain14.spread_inside_reference(ink, 200 / 25.4)
        assert grain14.gate_open(img, centre, 200 / 25.4, 200.0, gain) == want


@pytest.mark.parametrize(("seed", "index"), [(198, 11), (199, 40)])
def test_a_field_sheet_reads_the_same_either_way(seed: int, index: int) -> None:
    """Whole readings (every mark, reason and score) with the compiled gate and without."""
    reader, _sheet, image = field_sheet(seed, index)
    on = reader.read(image)
    grain14.COMPILED_GATE = False
    try:
        off = reader.read(image)
    finally:
        grain14.COMPILED_GATE = True
    assert on == off
