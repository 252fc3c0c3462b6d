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

from kiosk.reading import crease27, lines7, stroke28


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
def test_the_sorted_medians_and_quartile_are_numpys(rows: int, cols: int, seed: int, levels: int) -> None:
    """Image-like values (ties with few levels, as bilinear samples of a uint8 image have):
    `_median_rows`, `_median_all`, `_upper_quartile` equal np.median(axis=0), np.median and
    np.percentile(75, axis=1) to the bit."""
    rng = np.random.default_rng(seed)
    g = np.round(rng.uniform(0, 255, (rows, cols)) * (levels - 1) / 255) * 255 / (levels - 1)
    assert np.array_equal(stroke28._median_rows(g), np.median(g, axis=0))
    assert stroke28._median_all(g) == float(np.median(g))
    assert np.array_equal(stroke28._upper_quartile(g), np.percentile(g, 75, axis=1))


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
