"""fill61: a light fill over part of the inside is a hand's; lines of the paper are not.

The real case (session 60's untouched run) is read in tests/test_holdout60.py; here the
test's three bounds (INK, OPEN_MM, AREA_MM2) on drawn darkening maps, at 200 and 300 dpi.
"""

from __future__ import annotations

import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.reading import fill61

INSIDE_MM = 2.3


def _map(scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A window 12 mm wide: the darkening (all paper), the inside, and x, y in mm."""
    n = int(12 * scale) | 1
    mm = (np.arange(n) - n // 2) / scale
    x, y = np.meshgrid(mm, mm)
    inside = np.maximum(np.abs(x), np.abs(y)) <= INSIDE_MM
    return np.zeros((n, n)), inside, x, y


@pytest.mark.parametrize("scale", [200 / 25.4, 300 / 25.4])
def test_a_grey_band_along_the_top_is_a_fill(scale: float) -> None:
    ink, inside, _x, y = _map(scale)
    ink[(y < -INSIDE_MM + 1.5)] = 0.25  # the holdout's scribble: 1.5 mm high, 0.25
    assert fill61.hand_fill(ink, inside, scale)
    with switched_off(fill61):
        assert not fill61.hand_fill(ink, inside, scale)


@pytest.mark.parametrize("scale", [200 / 25.4, 300 / 25.4])
def test_lines_of_the_paper_are_not(scale: float) -> None:
    ink, inside, x, y = _map(scale)
    ink[np.abs(x - 0.7 * y) < 0.25] = 0.4  # a rim or a crease's line 0.5 mm wide, across
    ink[np.abs(y - 1.0) < 0.3] = 0.3  # a fold's line 0.6 mm wide
    ink[np.hypot(x - 1.5, y + 1.0) < 0.3] = 0.5  # a speck 0.6 mm across
    assert not fill61.hand_fill(ink, inside, scale)


@pytest.mark.parametrize("scale", [200 / 25.4, 300 / 25.4])
def test_its_bounds(scale: float, monkeypatch: pytest.MonkeyPatch) -> None:
    ink, inside, x, y = _map(scale)
    band = y < -INSIDE_MM + 1.2
    ink[band] = fill61.INK + 0.01
    assert fill61.hand_fill(ink, inside, scale)
    ink[band] = fill61.INK - 0.01  # too light
    assert not fill61.hand_fill(ink, inside, scale)
    ink[:] = 0.0
    ink[(np.abs(x) < 0.35) & (np.abs(y) < 0.35)] = 0.3  # 0.7 mm across: under OPEN_MM, a speck
    assert not fill61.hand_fill(ink, inside, scale)
    ink[(np.abs(x) < 0.6) & (np.abs(y) < 0.6)] = 0.3  # 1.2 mm across, 1.44 mm^2
    assert fill61.hand_fill(ink, inside, scale)
    monkeypatch.setattr(fill61, "AREA_MM2", 2.0)  # ... under the area bound
    assert not fill61.hand_fill(ink, inside, scale)
    monkeypatch.undo()
    outside = np.zeros_like(ink)
    outside[~inside] = 0.3  # darkening beyond the inside is not asked here
    assert not fill61.hand_fill(outside, inside, scale)
