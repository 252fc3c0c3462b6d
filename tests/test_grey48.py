"""grey48 (issue 10, the forty-fifth pass): a light pencil's grey strokes, which the closer look
leaves `marginal_mark` and settle7 refuses (its stroke pixels only broken pieces of a 1 mm light
stroke's middle), settled `marked` by broad40's shape tests at a lighter darkness and with
narrower strokes (kiosk/reading/grey48.py), where broad42's look round the square (print left out
of what is followed) finds the sheet quiet. Built and OFF in the reader (an outside attack);
switched on here."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET
from kiosk.reading import broad40, broad42, grey48

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readkit import field_sheet
from test_broad40 import _blank_contest, _drawn, _line, _window
from test_broad42 import _sheet

LIGHTER = (grey48.CONTRAST, grey48.AREA_MM2, grey48.SPREAD_MM, grey48.OPEN_MM)


@pytest.fixture(autouse=True)
def grey48_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """grey48 is OFF in the reader (an outside attack turned small ring rims, wavy single strokes
    and mirrored letters into votes: docs, forty-fifth pass); these tests switch it on, so that each
    companion (`switched_off`) is the reader as it ships."""
    monkeypatch.setattr(grey48, "ENABLED", True)


def test_it_is_off_in_the_reader() -> None:
    assert "\nENABLED = False  #" in Path(grey48.__file__).read_text(encoding="utf-8")


def _x(width_mm: float) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        w = round(width_mm * 200 / 25.4)
        _line(layer, px, (-2.0, -2.0), (2.0, 2.0), w)
        _line(layer, px, (2.0, -2.0), (-2.0, 2.0), w)

    return draw


def _tick(width_mm: float, long_end: tuple[float, float] = (2.3, -2.3)) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        w = round(width_mm * 200 / 25.4)
        _line(layer, px, (-2.2, 0.2), (-0.6, 2.0), w)
        _line(layer, px, (-0.6, 2.0), long_end, w)

    return draw


def _slash(width_mm: float) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        _line(layer, px, (-2.0, 2.0), (2.0, -2.0), round(width_mm * 200 / 25.4))

    return draw


def _with(first: object, *more: object) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        for d in (first, *more):
            d(layer, px)  # type: ignore[operator]

    return draw


def _letter_beside(layer: np.ndarray, px: object) -> None:
    # a grey V as thin as the strokes, 1.2 mm right of the printed border (show-through, a stain)
    w = round(0.8 * 200 / 25.4)
    _line(layer, px, (4.2, -2.0), (5.0, 1.5), w)
    _line(layer, px, (5.0, 1.5), (5.8, -2.0), w)


def _read(draw: object, factor: float) -> tuple[str, str | None]:
    reader, image, i, cx, cy, s = _blank_contest()
    m = reader.read(_drawn(image, (cx, cy), s, draw, factor)).contests[0].marks[i]
    return m.mark, m.reason


@pytest.mark.parametrize(
    ("draw", "factor"),
    [(_x(0.8), 0.84), (_x(1.0), 0.84), (_tick(1.0), 0.82), (_tick(1.2), 0.86)],
    ids=["x-0.8mm-16%", "x-1mm-16%-scoring-over-marked", "tick-1mm-18%", "tick-1.2mm-14%"],
)
def test_a_light_thin_x_or_tick_on_a_quiet_square_reads_marked(draw: object, factor: float) -> None:
    assert _read(draw, factor) == ("marked", None)
    with switched_off(grey48):
        assert _read(draw, factor) == ("marginal", "marginal_mark")


@pytest.mark.parametrize(
    ("draw", "factor"),
    [
        (_slash(0.8), 0.8),  # one stroke is not two
        (_slash(1.0), 0.84),
        (_with(_x(0.8), _letter_beside), 0.82),  # something grey beside the square
        (_tick(1.0, (7.5, -7.5)), 0.78),  # the long arm runs on 5 mm past the corner
        (_x(0.8), 0.9),  # 10 %: show-through's darkness
    ],
    ids=["slash-0.8mm", "slash-1mm", "x-with-a-grey-v-beside", "tick-whose-arm-runs-on", "x-at-10%"],
)
def test_what_is_not_a_light_mark_alone_in_its_square_is_not_marked(draw: object, factor: float) -> None:
    assert _read(draw, factor)[0] != "marked"


def _bar(
    img: np.ndarray, c: float, a: tuple[float, float], b: tuple[float, float], s: float, w: float
) -> None:
    p = (round(c + a[0] * s), round(c + a[1] * s))
    q = (round(c + b[0] * s), round(c + b[1] * s))
    cv2.line(img, p, q, 190, round(w * s))


def test_a_tip_near_a_printed_row_line_is_not_carried_along_it() -> None:
    # a light tick's long arm (0.8 mm, 17 % darker) leaving the square upwards and ending 0.2 mm
    # short of the printed row line 3.5 mm above the border: at 0.13 its blur touches the line's
    s = 8.0
    img, c, _cy = _sheet(s)
    _bar(img, c, (-2.0, 0.5), (-0.5, 2.0), s, 0.8)
    _bar(img, c, (-0.5, 2.0), (0.8, -(TARGET / 2 + 3.5 - 0.2 - 0.4)), s, 0.8)
    along = broad42.context(img, c, c, s, grey48.CONTRAST)
    own = broad42.context(img, c, c, s, grey48.CONTRAST, print_out=True)
    assert along["reach_mm"] > broad42.REACH_MM  # carried along the printed line to the patch's end
    assert own["reach_mm"] <= broad42.REACH_MM < along["reach_mm"]
    assert broad42.quiet(own)
    # print left out, a grey stroke running on past the border is still followed
    far = _sheet(s)[0]
    _bar(far, c, (0.0, 0.0), (TARGET / 2 + broad42.REACH_MM + 0.5, 0.0), s, 0.8)
    assert broad42.context(far, c, c, s, grey48.CONTRAST, print_out=True)["reach_mm"] > broad42.REACH_MM


def test_the_lighter_shape_bounds_one_at_a_time() -> None:
    s = 8.0
    win, inside, margin, _xs, _ys = _window(s)
    c = win.shape[0] // 2

    def x(grey: int, w_mm: float) -> np.ndarray:
        out = win.copy()
        for a, b in (((-2.0, -2.0), (2.0, 2.0)), ((2.0, -2.0), (-2.0, 2.0))):
            _bar(out, c, a, b, s, w_mm)
        out[out == 190] = grey
        return out

    # a light X (17 %), strokes 0.6 mm: broad40 sees nothing (under its 0.25), grey48's bounds two arms
    light = x(190, 0.6)
    assert not broad40.strokes(light, inside, margin, s)
    assert broad40.strokes_run(light, inside, margin, s, LIGHTER) is not None
    # the same X at 10 % (show-through): under grey48's darkness
    assert broad40.strokes_run(x(207, 0.6), inside, margin, s, LIGHTER) is None
    # its area bound: an X of hairlines (one pixel, 0.125 mm) covers under AREA_MM2
    assert broad40.strokes_run(x(190, 0.15), inside, margin, s, LIGHTER) is None
    # one bar across the inside, 0.6 to 1.2 mm wide, is one stroke at every width
    for w_mm in (0.6, 0.9, 1.2):
        bar = win.copy()
        _bar(bar, c, (-2.2, 0.3), (2.2, 0.3), s, w_mm)
        assert broad40.strokes_run(bar, inside, margin, s, LIGHTER) is None, w_mm


def test_census_pencil_marks_read_marked() -> None:
    # seed 203, every sheet pencil and stained (the forty-fifth pass's A/B): light pencil marks
    # the closer look left `marginal_mark`, settle7 refused, grey48 settles
    for index, k in FREED:
        reader, sheet, image = field_sheet(203, index, ("pencil", "stain"))
        assert sheet.truth.squares[k].expected == "marked"
        m = reader.read(image.copy()).contests[0].marks[k]
        assert (m.mark, m.reason) == ("marked", None), (index, k)
        with switched_off(grey48):
            m = reader.read(image.copy()).contests[0].marks[k]
        assert (m.mark, m.reason) == ("marginal", "marginal_mark"), (index, k)


# the forty-fifth pass's A/B with its guards (benchmarks/results/pass48/grey48-guarded-ab-203ps.json):
# a light pencil X on a stained, folded sheet scoring over `marked` (0.093) that the closer look
# left in doubt, a light V under a faint streak, a light tick on a folded sheet
FREED = [(166, 3), (258, 0), (313, 26)]


def _drawn_run(draw: object) -> np.ndarray:
    """A 0/1 run 7.5 mm across at 8 px/mm, strokes 0.75 mm wide, drawn by `draw(mask, point)`."""
    s = 8.0
    mask = np.zeros((60, 60), np.uint8)

    def p(u: float, v: float) -> tuple[int, int]:
        return round(30 + u * s), round(30 + v * s)

    draw(mask, p)  # type: ignore[operator]
    return mask


def _polyline(*pts: tuple[float, float]) -> object:
    def draw(mask: np.ndarray, p: object) -> None:
        cv2.polylines(mask, [np.array([p(*q) for q in pts], np.int32)], False, 1, 6)  # type: ignore[operator]

    return draw


def _lines(*pairs: tuple[tuple[float, float], tuple[float, float]]) -> object:
    def draw(mask: np.ndarray, p: object) -> None:
        for a, b in pairs:
            cv2.line(mask, p(*a), p(*b), 1, 6)  # type: ignore[operator]

    return draw


def _arc(mask: np.ndarray, p: object) -> None:
    cv2.ellipse(mask, p(0.0, 0.0), (16, 16), 0, 30, 230, 1, 6)  # type: ignore[operator]


TWO_ARMS = {
    "x": _lines(((-2, -2), (2, 2)), ((2, -2), (-2, 2))),
    "tick": _polyline((-2.0, 0.2), (-0.6, 2.0), (2.3, -2.3)),
    "v": _polyline((-2, -2), (0, 2), (2, -2)),
    "plus": _lines(((-2, 0), (2, 0)), ((0, -2), (0, 2))),
}
NOT_TWO_ARMS = {
    "wave": _polyline(*[(-2.3 + 4.6 * t, 0.9 * math.sin(2 * math.pi * t)) for t in np.linspace(0, 1, 40)]),
    "arc": _arc,
    "z": _polyline((-2, -2), (2, -2), (-2, 2), (2, 2)),
    "n": _polyline((-2, 2), (-2, -2), (2, 2), (2, -2)),
}


@pytest.mark.parametrize("name", sorted(TWO_ARMS))
def test_two_straight_arms_cover_the_skeleton(name: str) -> None:
    assert grey48.arms_cover(_drawn_run(TWO_ARMS[name]), 8.0) >= 0.99


@pytest.mark.parametrize("name", sorted(NOT_TWO_ARMS))
def test_a_curve_or_a_three_stroke_letter_is_not_two_arms(name: str) -> None:
    assert grey48.arms_cover(_drawn_run(NOT_TWO_ARMS[name]), 8.0) < grey48.ARMS_SHARE - 0.05


def test_the_skeleton_is_thin_and_inside_the_run() -> None:
    run = _drawn_run(TWO_ARMS["x"])
    sk = grey48.skeleton(run)
    assert sk.sum() > 0 and not (sk & (run == 0)).any()
    assert sk.sum() < run.sum() / 4  # a line down each stroke's middle, not the stroke
