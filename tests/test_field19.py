"""field19 (issue 10): lines7's line follower (`lines7._segments`) as one compiled call
(`kernels.trace_segments`). It must return, to the bit, what the numpy code it replaced
returns (`reference.segments_reference`: segment by segment through `lines7.contrast_grid`,
the medians, the offset followed): same length, same floats, nan where it had nan; and
`kernels._page_inside` must say what `lines7.Page.inside` says. docs/reading.md,
"Nineteenth pass: where the field time goes (field19)"."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading import kernels, lines7
from kiosk.reading.reference import segments_reference

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True)
    )


@st.composite
def _lines(
    draw: Any,
) -> tuple[np.ndarray, tuple[float, float], tuple[float, float], tuple[float, float], float, lines7.Page]:
    """Paper with grain, print (dark bars, specks) and a line of the paper (a fold's valley
    or a streak, ending somewhere or not) at any angle; a page frame rotated, scaled and
    shifted (its edges inside the image or past it); a start near the line."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([150 / 25.4, 200 / 25.4, 300 / 25.4, 3.0, 4.5]))
    h, w = draw(st.integers(60, 220)), draw(st.integers(60, 220))
    img = rng.normal(draw(st.floats(150, 245)), draw(st.floats(0, 10)), (h, w))
    theta = draw(st.floats(0, math.pi))
    c, s = math.cos(theta), math.sin(theta)
    rho = draw(st.floats(-20, 20))
    yy, xx = np.mgrid[0:h, 0:w]
    dist = (xx - w / 2) * c + (yy - h / 2) * s - rho
    along = -(xx - w / 2) * s + (yy - h / 2) * c
    reach = draw(st.floats(5, 400))
    depth = draw(st.floats(0.0, 0.4))
    img *= 1 - depth * np.exp(-(dist**2) / 2.0) * (np.abs(along) < reach)
    for _ in range(draw(st.integers(0, 3))):
        y0, x0 = rng.integers(0, h), rng.integers(0, w)
        img[y0 : y0 + rng.integers(1, 8), x0 : x0 + rng.integers(3, 40)] *= 0.3  # print
    img[rng.random((h, w)) < draw(st.floats(0, 0.02))] = 30
    t0 = draw(st.floats(-30, 30))
    start = (w / 2 + rho * c - t0 * s, h / 2 + rho * s + t0 * c)
    sign = draw(st.sampled_from([-1.0, 1.0]))
    d = (-s * sign, c * sign)
    n = (c, s)
    phi = draw(st.floats(-0.05, 0.05))
    k = scale * draw(st.floats(0.97, 1.03))
    a = complex(k * math.cos(phi), k * math.sin(phi))
    b = complex(draw(st.floats(-30, 30)), draw(st.floats(-30, 30)))
    page = lines7.Page(
        a, b, draw(st.floats(5, w / scale + 10)), draw(st.floats(5, h / scale + 10)), draw(st.floats(0, 40))
    )
    return np.clip(img, 0, 255).astype(np.uint8), start, d, n, scale, page


@EXAMPLES
@given(_lines())
def test_trace_segments_agrees_with_its_reference(case: Any) -> None:
    image, start, d, n, scale, page = case
    fast = lines7._segments(image, start, d, n, scale, page)
    slow = segments_reference(image, start, d, n, scale, page)
    assert _same(fast, slow), (fast, slow)


@EXAMPLES
@given(st.integers(0, 2**31 - 1), st.floats(-math.pi, math.pi), st.floats(0.5, 15.0))
def test_page_inside_agrees_with_numpy(seed: int, phi: float, k: float) -> None:
    rng = np.random.default_rng(seed)
    a = complex(k * math.cos(phi), k * math.sin(phi))
    b = complex(*rng.uniform(-500, 500, 2))
    page = lines7.Page(
        a, b, float(rng.uniform(50, 400)), float(rng.uniform(50, 400)), float(rng.uniform(0, 200))
    )
    x, y = rng.uniform(-3000, 3000, 500), rng.uniform(-3000, 3000, 500)
    want = page.inside(x, y)
    got = [
        kernels._page_inside(
            float(x[i]),
            float(y[i]),
            a.real,
            a.imag,
            b.real,
            b.imag,
            page.width_mm,
            page.height_mm,
            page.column_mm,
            lines7.PAGE_MARGIN_MM,
            lines7.PAGE_SLACK,
        )
        for i in range(len(x))
    ]
    assert got == want.tolist()
    # stroke34: the method the whole-line follow asks, one point at a time
    assert [page.inside_at(float(x[i]), float(y[i])) for i in range(len(x))] == want.tolist()


def test_a_long_fold_is_followed_to_the_image_edge_and_a_short_line_ends() -> None:
    """The kernel follows a line of the paper as the numpy code did: a fold across the
    whole image is seen in every segment; a line 20 mm long is gone beyond it."""
    scale = 200 / 25.4
    h = w = 400
    rng = np.random.default_rng(7)
    base = rng.normal(225, 3, (h, w))
    page = lines7.Page(complex(scale, 0), complex(0, 0), w / scale, h / scale, w / scale / 2)
    for length, want_end in ((1e9, False), (20 * scale, True)):
        img = base.copy()
        img[:, 199:202] *= 0.8  # a fold's valley, down the middle
        img[np.abs(np.arange(h) - h / 2) > length / 2, 199:202] = base[
            np.abs(np.arange(h) - h / 2) > length / 2, 199:202
        ]
        u8 = np.clip(img, 0, 255).astype(np.uint8)
        segs = lines7._segments(u8, (200.0, 200.0), (0.0, 1.0), (1.0, 0.0), scale, page)
        assert _same(segs, segments_reference(u8, (200.0, 200.0), (0.0, 1.0), (1.0, 0.0), scale, page))
        own = lines7._own_level(segs)
        assert own > lines7.TRACE_MIN
        assert lines7._ended(segs, own) == want_end
