"""post20 (issue 10, the twentieth pass): the passes after `_interpret`'s per-square loop
made cheaper, readings unchanged. fix8.hairline's look (`kernels.hair_shape`),
wrong10.ridge_detail (`kernels.ridge_detail`) and erase9._firm (`kernels.firm_levels`) are
each one compiled call, the same numbers to the bit as the numpy and OpenCV code they
replace (kept: `fix8.hair_thin_numpy`, `wrong10.ridge_detail_numpy`, `erase9._firm_numpy`,
`reference.hair_shape_reference`). docs/reading.md, "Twentieth pass: ... (post20)"."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading import erase9, fix8, kernels, wrong10
from kiosk.reading.reference import hair_shape_reference, mean_f32_reference

DPI = st.floats(150.0, 300.0)


def _mask(rng: np.random.Generator, h: int, w: int, density: float, kind: int) -> np.ndarray:
    """A random 0/1 mask: noise (every shape of outline, holes, specks, diagonal joins), or
    noise grown or shrunk by 2 x 2 (blobs and thin bridges), or strokes."""
    m: np.ndarray = (rng.random((h, w)) < density).astype(np.uint8)
    if kind == 1:
        m = cv2.dilate(m, np.ones((2, 2), np.uint8))
    elif kind == 2:
        m = cv2.erode(1 - m, np.ones((2, 2), np.uint8))
    elif kind == 3:
        m[:] = 0
        for _ in range(int(rng.integers(1, 5))):
            p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(m, p0, p1, 1, int(rng.integers(1, 4)))
    return m


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 48),
    w=st.integers(1, 48),
    density=st.floats(0.02, 0.95),
    kind=st.integers(0, 3),
    dpi=DPI,
    seed=st.integers(0, 2**31),
)
def test_outlines_equal_opencv(h: int, w: int, density: float, kind: int, dpi: float, seed: int) -> None:
    """fix8's width (the closing's contours filled and measured) and the count of long outlines,
    bit for bit OpenCV's, on masks of every shape: specks, holes, components in holes, masks
    touching the edge, diagonal joins, 1 px lines."""
    rng = np.random.default_rng(seed)
    m = _mask(rng, h, w, density, kind)
    scale = dpi / 25.4
    long_px = fix8.RIDGE_LEN_MM * scale
    assert np.array_equal(
        kernels._close22(m), cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    )
    if not m.any():
        return
    filled, perimeter, _ = kernels._outlines(kernels._close22(m), long_px)
    width = 0.0 if perimeter <= 0 else 2.0 * filled / perimeter / scale
    _, _, long = kernels._outlines(m, long_px)
    assert (width, long) == hair_shape_reference(m, scale, long_px)


def _square(rng: np.random.Generator, h: int, w: int, kind: int) -> np.ndarray:
    """An image round a square: paper with grain, then a pen X, a pencil X (grainy, light), a
    hair, a fingerprint's ridges, a fill, or noise."""
    img = rng.normal(225, 4, (h, w)).clip(0, 255).astype(np.uint8)
    cy, cx = h // 2, w // 2
    if kind == 0:
        for d in (1, -1):
            cv2.line(img, (cx - 12, cy - 12 * d), (cx + 12, cy + 12 * d), int(rng.integers(10, 80)), 3)
    elif kind == 1:
        for d in (1, -1):
            cv2.line(img, (cx - 12, cy - 12 * d), (cx + 12, cy + 12 * d), int(rng.integers(120, 170)), 4)
        img = np.clip(img.astype(int) + rng.integers(-25, 25, img.shape), 0, 255).astype(np.uint8)
    elif kind == 2:
        cv2.line(img, (cx - 14, cy - 3), (cx + 14, cy + 5), int(rng.integers(60, 150)), 1)
    elif kind == 3:
        yy = np.arange(h)[:, None] + 0.3 * np.arange(w)[None, :]
        img = (img - 60 * (np.sin(yy * 2 * np.pi / rng.uniform(3.0, 5.0)) > 0)).clip(0, 255).astype(np.uint8)
    elif kind == 4:
        img[cy - 14 : cy + 15, cx - 14 : cx + 15] = rng.integers(90, 180)
    else:
        img = rng.integers(0, 256, (h, w)).astype(np.uint8)
    return cv2.GaussianBlur(img, (3, 3), 0.8) if rng.random() < 0.5 else img


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(8, 110),
    w=st.integers(8, 110),
    kind=st.integers(0, 5),
    dx=st.floats(-30.0, 30.0),
    dy=st.floats(-30.0, 30.0),
    dpi=DPI,
    paper=st.one_of(st.floats(0.0, 260.0), st.sampled_from([0.0, 1.0, 225.0, 255.0])),
    gain=st.floats(0.9, 1.6),
    seed=st.integers(0, 2**31),
)
def test_square_looks_equal_numpy(
    h: int, w: int, kind: int, dx: float, dy: float, dpi: float, paper: float, gain: float, seed: int
) -> None:
    """hairline's test, ridge_detail and _firm answer as the numpy they replace, the square
    anywhere: in the image, cut by its edge, half off it or wholly off it; 150-300 dpi."""
    rng = np.random.default_rng(seed)
    img = _square(rng, h, w, kind)
    at = (w / 2 + dx, h / 2 + dy)
    scale = dpi / 25.4
    assert fix8.hair_thin(img, at, scale, paper, gain) == fix8.hair_thin_numpy(img, at, scale, paper, gain)
    got = wrong10.ridge_detail(img, at, scale, paper, gain)
    want = wrong10.ridge_detail_numpy(img, at, scale, paper, gain)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert erase9._firm(img, at, scale) == erase9._firm_numpy(img, at, scale)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 20000), spread=st.floats(1e-3, 1e3), square=st.booleans(), seed=st.integers(0, 2**31))
def test_mean_f32_equals_numpy(n: int, spread: float, square: bool, seed: int) -> None:
    """numpy's float32 mean (its pairwise sum: runs of 8, halves above 128) to the bit."""
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(n) * spread).astype(np.float32)
    if square:
        a = a * a
    side = int(np.sqrt(n))
    b = a[: side * side].reshape(side, side)
    assert float(kernels._mean_f32(a)) == mean_f32_reference(a)
    assert float(kernels._mean_f32(b)) == mean_f32_reference(b)


def test_ridged_print_on_prints_and_strokes() -> None:
    """wrong10's rule through the kernel still finds a print's ridges (0.48 mm apart, 200 dpi)
    and passes a pen X, as the numpy did."""
    scale = 200 / 25.4
    rng = np.random.default_rng(7)
    yy = np.arange(80)[:, None] + 0.3 * np.arange(80)[None, :]
    ridges = np.where(np.sin(yy * 2 * np.pi / (0.48 * scale)) > 0, 120, 225).astype(np.uint8)
    pen = _square(rng, 80, 80, 0)
    for img in (ridges, pen):
        share = wrong10.ridge_share(img, (40.0, 40.0), scale, 225.0, 1.1)
        x = wrong10.ridge_detail_numpy(img, (40.0, 40.0), scale, 225.0, 1.1)
        assert (share > 0) == (x is not None and wrong10.ridge_gate(x, scale) >= wrong10.RIDGE_GATE)
    assert wrong10.ridge_share(ridges, (40.0, 40.0), scale, 225.0, 1.1) >= wrong10.RIDGE_SHARE
