"""stroke29 (issue 10, the twenty-eighth pass): stroke28's whole-line follow made cheaper, the same
numbers.

`stroke28.whole_run_fast` is `stroke28.whole_run_plain` (crease27.follow with stroke28's keywords,
kept as the reference) with each block measured by `_block_fast`: the masks made once a scale,
the medians and the 75th percentile from one sort each with numpy's own arithmetic. These tests
hold the fast pieces to numpy's and the fast follow to the plain one, to the bit (each block's
twin apart: stroke28 never reads it), on drawn sheets with a crease or a fold and a stroke along
it; and `stroke_on_run` answering the same with FAST on and off."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_fold24 import S, _square_image
from test_red23 import PROFILES, frame, paper_line, pen

from kiosk.reading import crease27, kernels, lines7, stroke28


def _same(a: Any, b: Any) -> bool:
    """Equal to the bit, nan as nan, through tuples."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return bool(a == b)


def _block(b: crease27.Block | None) -> Any:
    return None if b is None else (b.t, b.off, b.contrast, b.sides, b.inks)


def _runs_same(a: crease27.Run | None, b: crease27.Run | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return (
        len(a.lo) == len(b.lo)
        and len(a.hi) == len(b.hi)
        and all(_same(_block(x), _block(y)) for x, y in zip(a.lo + a.hi, b.lo + b.hi, strict=True))
        and _same(_block(a.inside), _block(b.inside))
        and _same(
            (a.level, a.sides, a.inks, a.edge_lo, a.edge_hi), (b.level, b.sides, b.inks, b.edge_lo, b.edge_hi)
        )
    )


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(1, 12),
    cols=st.integers(1, 70),
    seed=st.integers(0, 2**32 - 1),
    levels=st.integers(2, 256),
)
def test_the_sorted_medians_are_numpys(rows: int, cols: int, seed: int, levels: int) -> None:
    """Image-like float32 values (ties with few levels, as bilinear samples of a uint8 image
    have): the compiled block's medians equal np.median(axis=0) and np.median to the bit, on
    every subset of rows."""
    rng = np.random.default_rng(seed)
    g = (np.round(rng.uniform(0, 255, (rows, cols)) * (levels - 1) / 255) * 255 / (levels - 1)).astype(
        np.float32
    )
    pick = rng.random(rows) < 0.7
    pick[0] = True
    buf = np.empty(rows * cols)
    out = np.empty(cols)
    kernels._column_medians(g, pick, buf, out)
    assert np.array_equal(out, np.median(np.asarray(g, np.float64)[pick], axis=0))
    flat = np.asarray(g, np.float64).ravel().copy()
    assert kernels._sorted_median(flat, flat.size) == float(np.median(np.asarray(g, np.float64)))


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 150),
    seed=st.integers(0, 2**32 - 1),
    span=st.sampled_from([0.0, 1e-9, 3.0, 3000.0]),
    same_t=st.booleans(),
)
def test_the_fit_is_the_plain_one(n: int, seed: int, span: float, same_t: bool) -> None:
    """crease27's fit (its rows made as each point comes, numpy's least-squares gufunc) is
    `_fit_plain` (np.linalg.lstsq) to the bit, None alike (under two points, every point at
    one position); past 64 points its arrays grow and keep every point."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(-span, span, n) + 1500.0
    if same_t:
        t[:] = t[0] if n else 0.0
    pts = [(float(t[i]), float(rng.normal(0, 3)), float(rng.uniform(1e-3, 1.0))) for i in range(n)]
    points = crease27._Points()
    for p in pts:
        points.append(*p)
    assert [tuple(float(v) for v in r) for r in points.rows[: points.n]] == pts
    assert crease27._fit(points) == crease27._fit_plain(pts)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(5.5, 24.0),
    angle=st.floats(-180.0, 180.0),
    n=st.integers(2, 60),
    near_edge=st.booleans(),
    middle_dark=st.sampled_from([None, 2.0, 0.3]),
    ink=st.sampled_from([0, 60, 140]),
)
def test_the_compiled_block_is_crease27s(
    seed: int, scale: float, angle: float, n: int, near_edge: bool, middle_dark: float | None, ink: int
) -> None:
    """`stroke28._block_fast` (two compiled calls round OpenCV's remap) is `crease27.block(...,
    crop=True)` to the bit, its twin apart: on noisy paper with a dark line (or print) near the
    path, any angle and dpi, rows off the image, with and without the inside's print test."""
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(215, 12, (160, 200)), 0, 255).astype(np.uint8)
    if ink:
        y = int(rng.integers(40, 120))
        img[y : y + int(rng.integers(1, 4)), :] = ink
    th = math.radians(angle)
    c, s = math.cos(th), math.sin(th)
    fx, fy = (3.0, 80.0) if near_edge else (100.0 + rng.uniform(-5, 5), 80.0 + rng.uniform(-5, 5))
    ts = float(rng.uniform(-20, 20)) + np.arange(n) * 0.25 * scale * (1 if rng.random() < 0.5 else -1)
    offs = float(rng.uniform(-2, 2)) + float(rng.uniform(-0.01, 0.01)) * ts
    a = crease27.block(img, fx, fy, c, s, ts, offs, scale, middle_dark=middle_dark, crop=True)
    b = stroke28._block_fast(img, fx, fy, c, s, ts, offs, scale, middle_dark=middle_dark)
    assert _same(_block(a), _block(b))


def _drawn(
    seed: int, size_mm: float, angle: float, profile: str | None, stroke: str | None, across: float
) -> tuple[np.ndarray, tuple[float, float], lines7.Page]:
    """test_fold24's drawn square on a larger sheet (grey 225, noise 2), a line of the paper at
    `angle` through it (or none), and a stroke +-9 mm along it `across` mm off the valley."""
    small, _c = _square_image(seed)
    n = int(size_mm * S)
    rng = np.random.default_rng(seed)
    img = np.clip(225 + rng.normal(0, 2, (n, n)), 0, 255).astype(np.uint8)
    h = small.shape[0]
    y0 = x0 = (n - h) // 2
    img[y0 : y0 + h, x0 : x0 + h] = small
    c = (x0 + h / 2, y0 + h / 2)
    if profile is not None:
        img = paper_line(img, c, S, angle, 0.0, profile)
    if stroke is not None:
        img = pen(img, c, S, frame(angle, [(-9.0, across), (9.0, across)]), stroke, seed)
    page = lines7.Page(complex(S, 0.0), 0j, img.shape[1] / S, img.shape[0] / S, img.shape[1] / S / 2)
    return img, c, page


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 50),
    size=st.sampled_from([60.0, 90.0, 120.0]),
    angle=st.floats(-180.0, 180.0),
    rho_mm=st.floats(-0.6, 0.6),
    dtheta=st.floats(-2.0, 2.0),
    profile=st.sampled_from([None, *sorted(PROFILES)]),
    stroke=st.sampled_from([None, "hb", "hb2", "ball"]),
    across=st.sampled_from([0.0, 0.35, -0.35]),
)
def test_the_fast_follow_is_the_plain_one(
    seed: int,
    size: float,
    angle: float,
    rho_mm: float,
    dtheta: float,
    profile: str | None,
    stroke: str | None,
    across: float,
) -> None:
    """On drawn sheets, any crease or fold profile (or none) at any angle, a stroke along it or
    none, the closer look's line a little off (rho, theta): the fast follow's Run is the plain
    one's to the bit, and so is the judge."""
    img, c, page = _drawn(seed, size, angle, profile, stroke, across)
    theta = math.radians(angle + 90.0 + dtheta)
    half = round(4.2 * S)
    a = stroke28.whole_run_plain(img, c, theta, rho_mm * S, half, S, page)
    b = stroke28.whole_run_fast(img, c, theta, rho_mm * S, half, S, page)
    assert _runs_same(a, b)
    assert _same(tuple(vars(stroke28.judge(a)).values()), tuple(vars(stroke28.judge(b)).values()))


@pytest.mark.parametrize(
    ("profile", "stroke", "yes"),
    [
        ("crease-dark", None, False),
        ("crease-dark", "hb", True),
        ("fold-dark", "ball", True),
        ("fold-mid", None, False),
    ],
)
def test_stroke_on_run_answers_the_same_fast_and_plain(
    profile: str, stroke: str | None, yes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stroke_on_run` through its page source, FAST on and off: the same answer (a line of the
    paper alone no; a stroke along it yes), and the same whole runs followed."""
    img, c, page = _drawn(1, 120.0, 30.0 if profile.startswith("crease") else 0.4, profile, stroke, 0.0)
    angle = 30.0 if profile.startswith("crease") else 0.4
    theta = math.radians(angle + 90.0)

    class Source:
        frame = page

    monkeypatch.setattr(stroke28, "ENABLED", True)
    got = {}
    for fast in (True, False):
        monkeypatch.setattr(stroke28, "FAST", fast)
        got[fast] = stroke28.stroke_on_run(img, c, [(theta, 0.0)], round(4.2 * S), S, Source())  # type: ignore[arg-type]
    assert got[True] == got[False] == yes
