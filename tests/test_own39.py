"""own39 (issue 10, the thirty-ninth pass): a line's own level taken further out where the
trace lost it beside the window (kiosk/reading/own39.py). Two empty squares a page-long
scanner streak crosses read as the truth with it and go to the commission without it; a
pencil dash drawn on the same streak in the same square still goes to the commission."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.reading import lines7, own39

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readkit import field_sheet
from test_settle7 import grainy

# (sheet of seed 190, the empty square the streak crosses, the window's centre in the image,
# the contest's one real mark): census37's two squares lines7.stroke_along sent to review.
STREAKED = [(677, 13, (1769.7, 2378.0), 3), (1197, 5, (409.4, 4138.6), 10)]


@pytest.mark.parametrize(("index", "k", "centre", "vote"), STREAKED)
def test_a_streak_lost_beside_the_window_is_not_a_stroke(
    index: int, k: int, centre: tuple[float, float], vote: int
) -> None:
    reader, sheet, image = field_sheet(190, index)
    assert sheet.truth.squares[k].expected == "empty" and "faint_streak" in sheet.square_conditions[k]
    r = reader.read(image.copy())
    c = r.contests[0]
    assert (r.status, c.outcome) == ("ok", "vote"), c.marks
    assert [i for i, m in enumerate(c.marks) if m.mark != "empty"] == [vote]
    with switched_off(own39):  # the companion: the streak's level from its near segments
        c = reader.read(image.copy()).contests[0]
    assert (c.outcome, c.marks[k].mark, c.marks[k].reason) == ("review", "marginal", "marginal_mark")


def _streak_x(image: np.ndarray, centre: tuple[float, float]) -> int:
    """The streak's column near `centre`: the darkest column mean over rows 6-9 mm above it
    (paper, the square's print below), within 4 mm either side."""
    cx, cy = round(centre[0]), round(centre[1])
    s = image.shape[1] / 148.0  # px per mm, near enough for a search band
    band = image[cy - round(9 * s) : cy - round(6 * s), cx - round(4 * s) : cx + round(4 * s)]
    col = int(np.argmin(band.mean(axis=0)))
    return int(cx - round(4 * s) + col)


@pytest.mark.parametrize(("index", "k", "centre", "vote"), STREAKED)
@pytest.mark.parametrize("c", [0.15, 0.3])
def test_a_dash_drawn_on_the_streak_still_goes_to_the_commission(
    index: int, k: int, centre: tuple[float, float], vote: int, c: float
) -> None:
    """The attack own39 must survive: a grainy pencil dash (0.5 mm, 4 mm long, light and
    ordinary) drawn inside the square right along the same streak: not `empty`."""
    reader, sheet, image = field_sheet(190, index)
    s = sheet.truth.dpi / 25.4
    x = _streak_x(image, centre)
    drawn = grainy(image, centre, s, [((x - centre[0]) / s, -2.0), ((x - centre[0]) / s, 2.0)], 0.5, c, 11)
    m = reader.read(drawn).contests[0].marks[k]
    assert m.mark != "empty", m


def test_levels_stand_where_the_sides_agree() -> None:
    lo, hi = [0.19, 0.2, 0.18], [0.21, 0.2, 0.22, 0.0, 0.0, 0.0]
    assert lines7.own_levels(lo, hi) == pytest.approx([0.19, 0.21])


def test_levels_taken_further_out_where_one_side_lost_the_line() -> None:
    lo = [0.21, 0.21, 0.2, 0.21]
    hi = [0.21, -0.0, -0.01, math.nan, 0.22, 0.21, 0.21]
    assert lines7.own_levels(lo, hi) == pytest.approx([0.21, 0.21])
    with switched_off(own39):
        assert lines7.own_levels(lo, hi) == [0.21, -0.0]


def test_a_line_gone_on_one_side_stays_gone() -> None:
    """A stroke that is a line only on one side: paper on the other, near and far."""
    lo = [0.2, 0.2, 0.21, 0.2, 0.2, 0.2]
    hi = [0.01, 0.0, 0.02, 0.01, -0.01, 0.0]
    got = lines7.own_levels(lo, hi)
    assert got[1] < 0.35 * got[0]


def test_too_few_segments_out_there_keep_the_near_level() -> None:
    hi = [0.21, -0.0, -0.01, math.nan, math.nan, math.nan]
    assert lines7.own_levels([0.21, 0.21, 0.21], hi) == [0.21, -0.0]
    hi = [0.21, -0.0, math.nan, math.nan, math.nan, math.nan]  # two judged: near, not far
    assert lines7.own_levels([0.21, 0.21, 0.21], hi) == [0.21, pytest.approx(0.105)]
    assert lines7.own_levels([0.21, 0.21], []) == [0.21]


def test_the_far_window_is_own_far_mm() -> None:
    """Only the segments within OWN_FAR_MM count (the sixth segment and on at 2 mm: no)."""
    n = int(own39.OWN_FAR_MM / lines7.TRACE_SEG_MM)
    hi = [0.0] * n + [0.3] * 20
    assert lines7.own_levels([0.2] * 8, hi)[1] == 0.0
