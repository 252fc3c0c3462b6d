"""speed19 (issue 10): the reader's per-read Python steps made cheaper, readings unchanged.
`pencil6.trace_contrast` (asked about three times a read on read_ab's clean sheets, some twenty
numpy and OpenCV calls each) is one compiled call, `kernels.trace_contrast`: the same bits as
its numpy version (`reference.trace_contrast_numpy`) and its plain loops
(`reference.trace_contrast_reference`). docs/reading.md, "Nineteenth pass: ... (speed19)"."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading import pencil6
from kiosk.reading.reference import paper_spread_reference, trace_contrast_numpy, trace_contrast_reference


def _window(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Paper with grain, a faint diagonal stroke and a dark blob (print)."""
    win = rng.integers(190, 256, (h, w)).astype(np.uint8)
    if h >= 6 and w >= 6:
        y0, x0 = int(rng.integers(0, h - 3)), int(rng.integers(0, w - 3))
        for k in range(min(h - y0, w - x0)):
            win[y0 + k, x0 + k] -= np.uint8(rng.integers(0, 60))
        y1, x1 = int(rng.integers(0, h - 2)), int(rng.integers(0, w - 2))
        win[y1 : y1 + 3, x1 : x1 + 3] = rng.integers(0, 80)
    return win


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 120),
    w=st.integers(1, 120),
    scale=st.floats(1.0, 24.0),  # 25-600 dpi
    paper=st.one_of(st.floats(0.0, 255.0), st.sampled_from([0.0, 1.0, 255.0])),
    gain=st.floats(1.0, 1.6),
    seed=st.integers(0, 2**31),
    view=st.booleans(),
)
def test_trace_contrast_kernel_equals_numpy(
    h: int, w: int, scale: float, paper: float, gain: float, seed: int, view: bool
) -> None:
    """Bit for bit the numpy version's, on windows of 1 to 120 px (boxes and reaches past the
    window's edge, clamped), from 25 to 600 dpi, C-contiguous or a strided view."""
    rng = np.random.default_rng(seed)
    win = _window(rng, h, w)
    if view:
        big = _window(rng, h + 3, 2 * w + 1)
        win = big[2 : 2 + h, 1 : 1 + 2 * w : 2]  # not contiguous
    got = pencil6.trace_contrast(win, scale, paper, gain)
    want = trace_contrast_numpy(win, scale, paper, gain)
    assert got.dtype == want.dtype == np.float64
    assert got.shape == want.shape
    assert np.array_equal(got, want)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    scale=st.sampled_from([2.0, 3.0, 5.9, 7.87, 11.8]),
    paper=st.floats(0.0, 255.0),
    gain=st.floats(1.0, 1.5),
    seed=st.integers(0, 2**31),
)
def test_trace_contrast_kernel_equals_plain_loops(
    h: int, w: int, scale: float, paper: float, gain: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    win = _window(rng, h, w)
    assert np.array_equal(
        pencil6.trace_contrast(win, scale, paper, gain), trace_contrast_reference(win, scale, paper, gain)
    )


def test_trace_contrast_finds_a_faint_stroke_and_not_flat_paper() -> None:
    """What the pencil tests rely on: a faint diagonal stroke stands out at TRACE_FAINT, flat
    paper reads 0 everywhere."""
    flat = np.full((40, 40), 230, np.uint8)
    assert not pencil6.trace_contrast(flat, 7.87, 230.0, 1.1).any()
    win = flat.copy()
    for k in range(5, 35):
        win[k, k] = win[k, k + 1] = 200  # 0.14 darker: about 0.06 over the 5 px box
    c = pencil6.trace_contrast(win, 7.87, 230.0, 1.1)
    assert c[20, 20] >= pencil6.TRACE_FAINT
    assert c[5, 30] == 0.0


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(-1.0, 1.0, allow_nan=False),
            st.sampled_from([0.0, -0.0, 0.035, -0.01, 1e-300, float("inf"), float("-inf")]),
        ),
        min_size=0,
        max_size=60,
    ),
    nan=st.booleans(),
    f32=st.booleans(),
)
def test_paper_spread_equals_np_median(values: list[float], nan: bool, f32: bool) -> None:
    """The paper's spread by np.partition: np.median's value to the bit (ties, zeros of both
    signs; an infinity, a NaN or a float32 array goes np.median's way)."""
    v = np.array(values + ([float("nan")] if nan else []), np.float32 if f32 else np.float64)
    got, want = pencil6.paper_spread(v), paper_spread_reference(v)
    assert (np.isnan(got) and np.isnan(want)) or got == want
    assert np.signbit(got) == np.signbit(want)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 9000))
def test_paper_spread_on_contrast(seed: int, n: int) -> None:
    """On trace contrast (whole sums over a float: many ties) of every size to a window's."""
    rng = np.random.default_rng(seed)
    v = rng.integers(-40, 40, n) * 1.1 / (230.0 * 25)
    assert pencil6.paper_spread(v) == paper_spread_reference(v)
    assert pencil6._median(v) == float(np.median(v))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n=st.integers(1, 8), scale=st.floats(2.9, 12.0), gain=st.floats(1.0, 1.5))
def test_bands_with_the_readers_darkest(seed: int, n: int, scale: float, gain: float) -> None:
    """The doubt band, vote11's and miss11's bands given the reader's one `darkest_inside`
    pass answer exactly what each answers making its own (squares with faint and dark
    strokes, specks, blank paper; scores across all three bands; centres near the edge)."""
    from kiosk.reading import kernels, miss11, vote11
    from kiosk.reading.reader import _INNER_MM, Scores, doubt_band

    rng = np.random.default_rng(seed)
    size = 200
    image = rng.integers(200, 226, (size, size)).astype(np.uint8)
    centres = rng.uniform(-5, size + 5, (n, 2))
    for cx, cy in centres:
        x, y = int(np.clip(cx, 0, size - 1)), int(np.clip(cy, 0, size - 1))
        kind = int(rng.integers(0, 4))
        if kind == 1:  # a faint stroke
            image[max(0, y - 10) : y + 10, x : x + 3] = rng.integers(170, 200)
        elif kind == 2:  # a speck
            image[y, x] = rng.integers(60, 200)
        elif kind == 3:  # a dark stroke
            image[y : y + 2, max(0, x - 12) : x + 12] = rng.integers(20, 90)
    scales = np.full(n, scale)
    scores = rng.choice(np.array([-0.004, -0.003, -0.001, 0.0, 0.002, 0.006, 0.009, 0.01, 0.02, 0.2]), n)
    paper = rng.uniform(200.0, 230.0, (n, 4))
    left = rng.random(n) < 0.8
    darkest = kernels.darkest_inside(image, centres, scales, _INNER_MM)
    s = Scores(scores, paper, 3, 1, gain, np.ones(n))
    assert np.array_equal(
        doubt_band(image, centres, scales, s, 0.018, darkest), doubt_band(image, centres, scales, s, 0.018)
    )
    assert vote11.band(image, centres, scales, scores, paper, gain, darkest) == vote11.band(
        image, centres, scales, scores, paper, gain
    )
    assert miss11.band(image, centres, scales, scores, paper, gain, left, darkest) == miss11.band(
        image, centres, scales, scores, paper, gain, left
    )
