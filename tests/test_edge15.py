"""edge15 (issue 10): a light pencil tick across the square's corner, its arms mostly
outside the square, read `empty` by the closer look's stain path in the fourteenth pass's
untouched run (10400/28410/jsdp). With edge15 it goes to review; without it, `empty` (the
run's reading); no other square of the sheet changes. docs/reading.md, "Fifteenth pass: a
tick across the square's corner read empty (edge15)"."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import edge15, edge24, look23, under23

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet

S = 8.0  # px per mm
C = 100  # the square's centre, px
HALF = round(4.2 * S)


def test_holdout14_edge_tick_goes_to_review_only_with_edge15() -> None:
    reader, sheet, image = field_sheet(10400, 28410)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("jsdp")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("tick", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    # under23 and look23 find it too since the twenty-third pass
    with switched_off(edge15), switched_off(under23), switched_off(look23), switched_off(edge24):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def _paper(seed: int) -> np.ndarray:
    """Grey paper with grain and a printed 6 mm square at the middle."""
    rng = np.random.default_rng(seed)
    im = rng.normal(235.0, 2.0, (2 * C, 2 * C)).astype(np.float32)
    h = round(3.0 * S)
    cv2.rectangle(im, (C - h, C - h), (C + h, C + h), 40.0, max(1, round(0.35 * S)))
    return im


def _stroke(im: np.ndarray, pts: list[tuple[float, float]], dark: float, width_mm: float = 0.5) -> None:
    """A pencil stroke through `pts` (mm from the square's centre), `dark` of the light."""
    mask = np.zeros(im.shape, np.uint8)
    p = np.array([[(C + x * S) * 16, (C + y * S) * 16] for x, y in pts], np.int32).reshape(-1, 1, 2)
    cv2.polylines(mask, [p], False, 1, max(1, round(width_mm * S)), cv2.LINE_AA, 4)
    im[mask > 0] *= 1.0 - dark


def _asked(im: np.ndarray) -> bool:
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    return edge15.tick_arm(u8, (float(C), float(C)), HALF, S, 235.0, 1.0)


def test_a_tick_across_the_corner_is_an_arm_and_blank_paper_is_not() -> None:
    for seed in range(3):
        im = _paper(seed)
        assert not _asked(im)
        # 28410's shape: the vertex below the bottom side, the long arm up and right past
        # the lower-right corner, the short arm into the square.
        v = (2.2, 4.3)
        _stroke(im, [(1.2, 2.6), v, (v[0] + 6 * 0.48, v[1] - 6 * 0.88)], 0.25)
        assert _asked(im)
        with switched_off(edge15):  # tick_arm itself does not look at ENABLED: the hook does
            assert _asked(im)


def test_one_arm_up_to_a_side_from_outside() -> None:
    im = _paper(7)
    _stroke(im, [(-6.5, -1.0), (-3.2, 0.5)], 0.25)  # from the left, up to the left side
    assert _asked(im)


def test_a_stroke_along_the_side_or_stopping_short_is_not() -> None:
    im = _paper(1)
    _stroke(im, [(-2.5, 3.9), (2.5, 3.9)], 0.25)  # along the bottom side, 0.9 mm below it
    assert not _asked(im)
    im = _paper(2)
    _stroke(im, [(5.0, 5.0), (7.0, 7.0)], 0.25)  # heading to the corner, 2 mm short of it
    assert not _asked(im)


def test_a_line_through_the_square_and_a_thumbs_ridges_are_not() -> None:
    im = _paper(3)
    _stroke(im, [(-7.0, -5.0), (7.0, 4.0)], 0.15)  # a rim or a crease straight through
    assert not _asked(im)
    im = _paper(4)
    for r in np.arange(3.0, 9.0, 0.45):  # a thumb's ridges, centred off the corner
        pts = [(4.5 + r * math.cos(a), 4.5 + r * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 90)]
        _stroke(im, pts, 0.12, 0.2)
    assert not _asked(im)


def test_an_arc_around_the_corner_is_not() -> None:
    """A drop's rim curving round the corner 1 mm out (its 2.5 mm near the border spread
    0.39 mm from any line). Tighter arcs (0.6-0.8 mm) read as arms: docs/reading.md."""
    im = _paper(5)
    pts = [(3.0 + 1.0 * math.cos(a), 3.0 + 1.0 * math.sin(a)) for a in np.linspace(-0.9, 2.5, 40)]
    _stroke(im, pts, 0.2)
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    found = edge15.arms(u8, (float(C), float(C)), HALF, S, 235.0, 1.0)
    assert found and max(a.spread for a in found) > edge15.WIDTH_MM
    assert not _asked(im)


@settings(max_examples=50, deadline=None)
@given(
    pts=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=3, max_size=40),
)
def test_arm_fit_agrees_with_its_reference(pts: list[tuple[float, float]]) -> None:
    px = np.array([p[0] for p in pts])
    py = np.array([p[1] for p in pts])
    got = edge15.arm_fit(px, py)
    ref = edge15.arm_fit_reference(list(px), list(py))
    assert abs(got[0] - ref[0]) < 1e-9 and abs(got[1] - ref[1]) < 1e-9
    assert abs(got[4] - ref[4]) < 1e-6 * (1.0 + ref[4]) + 1e-6
    d = px - px.mean(), py - py.mean()
    sxx, syy, sxy = (d[0] ** 2).mean(), (d[1] ** 2).mean(), (d[0] * d[1]).mean()
    gap = math.sqrt((sxx - syy) ** 2 + 4 * sxy**2)  # the two eigenvalues' difference
    if gap > 1e-6 * (1.0 + sxx + syy):  # a direction only where the spread has one
        assert abs(got[2] * ref[2] + got[3] * ref[3]) > 1 - 1e-6


def test_more_than_two_straight_runs_to_the_border_are_ridges_not_a_tick() -> None:
    """One stroke up to the bottom side is an arm; three parallel ones 1 mm apart (what a
    thumb's ridges look like at a coarse scan) are not, nor two arms and a third."""
    one = _paper(8)
    _stroke(one, [(0.0, 6.5), (1.0, 3.3)], 0.2)
    assert _asked(one)
    three = _paper(8)
    for dx in (-1.0, 0.0, 1.0):
        _stroke(three, [(dx, 6.5), (dx + 1.0, 3.3)], 0.2)
    assert not _asked(three)


def test_edge15_reads_the_closer_looks_faint_stroke() -> None:
    """edge15 keeps its own copies of the closer look's black top-hat size and faint cut (inspect
    imports edge15, so edge15 cannot import them): they must stay the closer look's."""
    from kiosk.reading import inspect

    assert (edge15.TOPHAT_MM, edge15.FAINT) == (inspect.TOPHAT_MM, inspect.FAINT_STROKE)
