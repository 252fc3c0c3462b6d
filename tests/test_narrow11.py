"""narrow11: wrong11.stroke_by_streak narrowed (issue 10). Its two guards: the line the
closer look took out is the streak's (`line_is_streaks`), and a stroke's column has no print
just outward of it (`_print_outward`). The drawn strokes beside a streak it was built for
stay in tests/test_wrong11.py, unchanged."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.reading import wrong11
from kiosk.reading.inspect import Line

sys.path.insert(0, str(Path(__file__).parent))
import readkit

# Field squares wrong11 sent to review and narrow11 no longer sends (truth `empty`, nothing
# drawn; benchmarks/narrow11_record.py on seed 150): a faint streak beside the printed
# border, and a slanted crease the closer look took out, a faint streak beside it.
NO_LONGER_SENT = [(150, 196, 7), (150, 126, 3)]


@pytest.fixture(scope="module")
def sheets() -> dict[tuple[int, int], Any]:
    return {(seed, index): readkit.field_sheet(seed, index) for seed, index, _ in NO_LONGER_SENT}


def _read(
    sheets: dict[tuple[int, int], Any], seed: int, index: int, k: int, narrow: bool, mp: pytest.MonkeyPatch
) -> Any:
    reader, sheet, image = sheets[(seed, index)]
    assert sheet.truth.squares[k].expected == "empty"
    mp.setattr(wrong11, "NARROW", narrow)
    m = reader.read(image).contests[0].marks[k]
    return m.mark, m.reason


@pytest.mark.parametrize(("seed", "index", "k"), NO_LONGER_SENT)
def test_field_square_no_longer_sent(
    seed: int, index: int, k: int, sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _read(sheets, seed, index, k, True, monkeypatch) == ("empty", None)


@pytest.mark.parametrize(("seed", "index", "k"), NO_LONGER_SENT)
def test_field_square_sent_without_narrow11(
    seed: int, index: int, k: int, sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The companion: wrong11 as it was sends it to review."""
    assert _read(sheets, seed, index, k, False, monkeypatch) == ("marginal", "marginal_mark")


def test_the_streaks_line() -> None:
    scale = 10.0
    cols = np.array([40, 41, 42])  # the square's middle at x = 60: the streak 1.8-2.0 mm left
    assert wrong11.line_is_streaks(Line(0.003, -19.0, 0.9, 0.3), scale, cols, 60.0)
    assert wrong11.line_is_streaks(Line(np.pi - 0.02, 18.0, 0.9, 0.3), scale, cols, 60.0)
    assert not wrong11.line_is_streaks(Line(0.19, -19.0, 0.9, 0.1), scale, cols, 60.0)  # a slanted crease
    assert not wrong11.line_is_streaks(Line(0.0, 15.0, 0.9, 0.1), scale, cols, 60.0)  # another column


def test_the_streaks_line_without_narrow11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrong11, "NARROW", False)
    assert wrong11.line_is_streaks(Line(0.19, -19.0, 0.9, 0.1), 10.0, np.array([40, 41]), 60.0)


def _window(dark: float) -> tuple[np.ndarray, np.ndarray]:
    im = np.full((60, 80), 200, np.uint8)
    im[:, 52:55] = round(200 * (1 - dark))  # print (or a stroke) 0.2-0.4 mm outward of column 50
    return im, np.abs(np.arange(60) - 30) <= 18


def test_print_just_outward_of_a_column() -> None:
    im, ins = _window(0.8)
    assert wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)
    im, ins = _window(0.15)  # a pencil stroke's darkening: not print
    assert not wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)
    # inward of the column (towards the square's middle) is not asked
    assert not wrong11._print_outward(_window(0.8)[0], (70.0, 30.0), 10.0, 50, ins, 0)


def test_print_just_outward_without_narrow11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrong11, "NARROW", False)
    im, ins = _window(0.8)
    assert not wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)


# The red team's crease-and-streak cases (read-only review after the merge):
# a faint streak (0.12, 0.4 mm, 1.6 mm left of the squares' middle) and a light pencil dash
# just beside it, a slanted crease (160 degrees, 1.2 mm below the middle, valley 0.2, 0.4 mm)
# across the same square. The closer look takes the crease out first and the streak second;
# with only `v.line` (the crease) `line_is_streaks` said no and the dash read `empty` (11 of
# 12 such 150 dpi cases at 7befa08, 0 after; the grid: benchmarks/results/pass11/
# narrow11-crease-grid.txt).
# Any line taken out may now be the streak's, and the crease's rows are left out of the
# column test.
CREASE_AND_STREAK = [  # (dash contrast, width mm, beside mm, side), (crease angle, below mm, valley, width mm)
    ((0.08, 0.6, 0.5, -1), (160.0, 1.2, 0.2, 0.4)),
    ((0.1, 0.4, 0.5, -1), (150.0, 1.4, 0.15, 0.3)),
    ((0.08, 0.6, 0.3, 1), (150.0, 1.4, 0.2, 0.4)),
]


def _crease_and_streak(case: Any) -> tuple[Any, np.ndarray, int]:
    from test_lines10 import _pencil
    from test_review9 import _blank, _line, _stroke

    reader, blank, centres, s = _blank(150)
    image = blank.copy()
    sw, col = max(1, round(0.4 * s)), round(centres[0][0] - 1.6 * s)
    image[:, col : col + sw] = (image[:, col : col + sw] * (1 - 0.12)).astype(np.uint8)
    k = 1
    cx, cy = centres[k]
    (c, width, beside, side), (angle, below, valley, crease_mm) = case
    x = col + sw / 2 + side * (sw / 2 + beside * s)
    image = _pencil(image, [(x, cy - 2.0 * s), (x, cy + 0.4 * s)], max(1, round(width * s)), c, k)
    image = _stroke(image, (cx, cy + below * s), s, _line(angle, 30.0, 0.0), crease_mm, valley)
    return reader, image, k


@pytest.mark.parametrize("case", CREASE_AND_STREAK)
def test_dash_beside_a_streak_under_a_crease_is_not_empty(case: Any) -> None:
    reader, image, k = _crease_and_streak(case)
    assert reader.read(image).contests[0].marks[k].mark != "empty"


@pytest.mark.parametrize("case", CREASE_AND_STREAK)
def test_dash_beside_a_streak_under_a_crease_companion(case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without wrong11 the dash reads `empty`: the case is stroke_by_streak's (and, for the
    third case, fold24's since the twenty-fourth pass: the dash along the crease's line)."""
    reader, image, k = _crease_and_streak(case)
    monkeypatch.setattr(wrong11, "ENABLED", False)
    import kiosk.reading.fold24 as fold24

    monkeypatch.setattr(fold24, "ENABLED", False)
    import kiosk.reading.stroke28 as stroke28  # stroke30: asked after fold24 (a stroke along a line)

    monkeypatch.setattr(stroke28, "ENABLED", False)
    import kiosk.reading.clear56 as clear56  # session 56: the pencil floors clear of print

    monkeypatch.setattr(clear56, "ENABLED", False)
    assert reader.read(image).contests[0].marks[k].mark == "empty"


# Left: the red team's second case. On 150/196/7 (a skewed sheet, a faint streak 2.0-2.4 mm
# right of the middle, beside the printed border) a light dash drawn between the streak and
# the border (0.08 of the light, 0.4 mm, about 2.5 mm from the middle) lifts a column that
# `_print_outward` then drops as the border's flank, and the square reads `empty`, as it
# does with wrong11 switched off. The rule before narrow11 sent this square to review
# whether or not the dash was there (its border), so it never saw the dash either. The fix
# proposed (a column's bump above a straight fit along the inside's rows, 0.035) is not
# tuned; this pins the case so that the pass that fixes it sees it flip.
@pytest.mark.xfail(strict=True, reason="a dash between a streak and a skewed printed border reads empty")
def test_dash_between_streak_and_skewed_border(
    sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import test_lines10 as t10

    from kiosk.reading import lines10

    reader, _sheet, image = sheets[(150, 196)]
    k = 7
    _m, centres, scales = t10._centres(reader, image, monkeypatch)
    s = float(scales[k])
    cx, cy = (float(v) for v in centres[k])
    got = lines10.divided(image, (cx, cy), s)
    assert got is not None
    x = float(got[1].mean()) + 0.3 * s
    drawn = t10._pencil(image, [(x, cy - 2.0 * s), (x, cy + 0.4 * s)], max(1, round(0.4 * s)), 0.08, 2)
    assert reader.read(drawn).contests[0].marks[k].mark != "empty"
