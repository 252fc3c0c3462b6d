"""wrong11 (issue 10): two families of wrong decisions found by the tenth pass's attacks, a
real mark read `empty`, sent to review (kiosk/reading/wrong11.py). Companions: each case
reads `empty` with wrong11 switched off (and stroke28, which answers first on some since
stroke30). Then the attack: dpi, contrast, angle and JPEG."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from test_redteam8 import _polylines
from test_review9 import _blank, _line
from test_wrong10 import _faint_x

from kiosk.reading import (
    crop,
    edge24,
    empty8,
    faint9,
    fold17,
    grain14,
    look23,
    pencil6,
    stroke28,
    under23,
    wide38,
    wrong11,
)

sys.path.insert(0, str(Path(__file__).parent))
import readkit
import test_lines10 as t10


def _both(reader: Any, im: np.ndarray, k: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    # stroke30: stroke28 (a stroke along a line running on beyond the window) answers first on
    # some of these (its yes is the closer look's `marginal`: wrong11 is not asked): the
    # reader as merged never reads them `empty`, and wrong11 is tested with stroke28 off
    full = reader.read(im).contests[0].marks[k]
    was = stroke28.ENABLED
    monkeypatch.setattr(stroke28, "ENABLED", False)
    on = reader.read(im).contests[0].marks[k]
    assert full.mark != "empty" or on.mark == "empty", (full, on)
    # grain14 (a faint pair of strokes) and fold17 (the pencil tests with the streak divided
    # out) find these X's too: off with wrong11 for the companion
    monkeypatch.setattr(wrong11, "ENABLED", False)
    monkeypatch.setattr(grain14, "ENABLED", False)
    monkeypatch.setattr(fold17, "ENABLED", False)
    monkeypatch.setattr(under23, "ENABLED", False)  # and under23 and look23 since the twenty-third pass
    monkeypatch.setattr(look23, "ENABLED", False)
    monkeypatch.setattr(edge24, "ENABLED", False)  # and edge24 since the twenty-fourth pass
    monkeypatch.setattr(wide38, "ENABLED", False)  # and wide38 (faint37's pair in the wider band)
    off = reader.read(im).contests[0].marks[k]
    monkeypatch.setattr(wrong11, "ENABLED", True)
    monkeypatch.setattr(grain14, "ENABLED", True)
    monkeypatch.setattr(fold17, "ENABLED", True)
    monkeypatch.setattr(under23, "ENABLED", True)
    monkeypatch.setattr(look23, "ENABLED", True)
    monkeypatch.setattr(edge24, "ENABLED", True)
    monkeypatch.setattr(wide38, "ENABLED", True)
    monkeypatch.setattr(stroke28, "ENABLED", was)
    return (on.mark, on.reason), (off.mark, off.reason)


# --- family 1: a faint X in the wider band, a printed rule taken for its line going on -------

FAINT_X = [(200, 0.1), (250, 0.12), (300, 0.1), (300, 0.12)]


@pytest.mark.parametrize(("dpi", "k"), FAINT_X)
def test_a_faint_x_is_sent_to_review_only_with_wrong11(
    dpi: int, k: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """test_wrong10's fainter X's (its xfails, dropped): in review, and `empty` without."""
    reader, im = _faint_x(dpi, k)
    on, off = _both(reader, im, 30, monkeypatch)
    assert on == ("marginal", "marginal_mark") and off == ("empty", None), (on, off)


def _joined_window(dpi: int, k: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The window faint9.joined_strokes looks at around square 30, its contrast, x, y."""
    _r, _img, centres, s = _blank(dpi)
    _reader, im = _faint_x(dpi, k)
    got = crop.around(im, centres[30], int((pencil6.BORDER_MM + pencil6.TRACE_AROUND_MM) * s))
    assert got is not None
    win, xs, ys = got
    return pencil6.trace_contrast(win, s, 255.0, 1.0), xs, ys, s


def test_the_x_goes_on_only_along_the_printed_rules() -> None:
    """The cause: the X is one joined run; the band beyond the square holds 13 times the
    0.1 of its pixels joined_strokes allows, every one of them on a light printed rule's
    rows above and below the square (the rows' separators), none elsewhere."""
    c, xs, ys, s = _joined_window(200, 0.1)
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= pencil6.INSIDE_MM * s
    runs = pencil6.runs(c, inside, pencil6.TRACE_FAINT, s, faint9.JOINED_LEN_MM * s)
    assert len(runs) == 1
    sy, sx, _length, width = runs[0]
    assert width > faint9.JOINED_WIDE_MM  # too wide for pencil_near, pencil7, small_cross
    level = float(np.median(c[sy, sx]))
    bm = pencil6.BORDER_MM
    beyond = (box > (bm + faint9.BEYOND_MM[0]) * s) & (box <= (bm + faint9.BEYOND_MM[1]) * s)
    counted = beyond & (c >= 0.5 * level) & (c <= 2.0 * level)
    assert np.count_nonzero(counted) > 10 * faint9.JOINED_BEYOND * len(sx)
    rows = np.nonzero(counted.any(axis=1))[0]
    assert np.all(np.abs(ys[rows, 0]) > bm * s)  # above or below the square only
    assert np.all(counted[rows].sum(axis=1) > 0.5 * counted.shape[1])  # across the window
    assert wrong11.beyond_on_rules(c, counted, xs, ys, bm * s, level, len(sx), faint9.JOINED_BEYOND)


def test_a_line_through_the_square_still_goes_on() -> None:
    """A line of the paper crossing the square (here the column of a streak through its
    middle, drawn into the contrast map) is not a rule: its pixels beyond still count."""
    c, xs, ys, s = _joined_window(200, 0.1)
    level = 0.06
    c = c.copy()
    col = np.abs(xs[0]) <= 1
    c[:, col] = level
    box = np.maximum(np.abs(xs), np.abs(ys))
    bm = pencil6.BORDER_MM
    beyond = (box > (bm + faint9.BEYOND_MM[0]) * s) & (box <= (bm + faint9.BEYOND_MM[1]) * s)
    counted = beyond & (c >= 0.5 * level) & (c <= 2.0 * level)
    assert not wrong11.beyond_on_rules(c, counted, xs, ys, bm * s, level, 250, faint9.JOINED_BEYOND)
    # ... and a column beside the square, top to bottom, is a rule (not counted)
    c2 = c.copy()
    c2[:, col] = 0.0
    side = np.abs(xs[0] - round((bm + 1.0) * s)) <= 1
    c2[:, side] = level
    counted2 = beyond & (c2 >= 0.5 * level) & (c2 <= 2.0 * level)
    assert wrong11.beyond_on_rules(c2, counted2, xs, ys, bm * s, level, 250, 0.1)


# --- family 2: a light stroke beside a scanner's streak, taken out with its band ------------


@pytest.fixture(scope="module")
def streak_sheets() -> dict[tuple[int, int], Any]:
    return {(seed, index): readkit.field_sheet(seed, index) for seed, index, _ in t10.FIELD_SETTLED}


def _drawn(
    sheets: dict[tuple[int, int], Any],
    case: tuple[int, int, int, str, float],
    monkeypatch: pytest.MonkeyPatch,
    beside_mm: float = 0.5,
) -> tuple[Any, np.ndarray]:
    seed, index, k, attack, c = case
    reader, _sheet, image = sheets[(seed, index)]
    _marks, centres, scales = t10._centres(reader, image, monkeypatch)
    s = float(scales[k])
    cy = float(centres[k, 1])
    x = t10._streak_x(image, centres[k], s)
    w = max(1, round(0.4 * s))
    r = 2.0 * s
    b = x + beside_mm * s
    if attack == "dash_beside":
        return reader, t10._pencil(image, [(b, cy - r), (b, cy + r * 0.2)], w, c, 2)
    if attack == "full_beside":
        return reader, t10._pencil(image, [(b, cy - 2.6 * s), (b, cy + 2.6 * s)], w, c, 8)
    if attack == "x_one_arm_along":
        im = t10._pencil(image, [(x, cy - r), (x, cy + r)], w, c, 3)
        return reader, t10._pencil(im, [(x - r, cy), (x + r * 0.6, cy)], w, c, 4)
    assert attack == "tick_along"
    return reader, t10._pencil(image, [(x - 1.2 * s, cy + 0.3 * s), (x, cy + r), (x, cy - r)], w, c, 5)


# The ones wrong11's stroke_by_streak sends (146/21/12's 0.07 dash, the rest of the list,
# faint9.joined_strokes already sends with wrong11's rule-row change alone).
BY_STREAK = sorted(t10.MAIN_READS_EMPTY - {(146, 21, 12, "dash_beside", 0.07)})


@pytest.mark.parametrize("case", BY_STREAK)
def test_a_stroke_beside_a_streak_is_sent_to_review_only_with_wrong11(
    case: tuple[int, int, int, str, float],
    streak_sheets: dict[tuple[int, int], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, im = _drawn(streak_sheets, case, monkeypatch)
    on, off = _both(reader, im, case[2], monkeypatch)
    assert on == ("marginal", "marginal_mark") and off == ("empty", None), (case, on, off)


@pytest.mark.parametrize(("seed", "index", "k"), t10.FIELD_SETTLED)
def test_the_streak_squares_alone_are_not_sent(
    seed: int, index: int, k: int, streak_sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The three field squares under a streak, nothing drawn: read as without wrong11
    (lines10 settles them `empty`)."""
    reader, _sheet, image = streak_sheets[(seed, index)]
    if (seed, index, k) == (147, 50, 3):
        # session 55: empty8.ON_LINE keeps this square in review (tests/test_lines10.py); the
        # question here is wrong11's, asked on the trace as it was
        monkeypatch.setattr(empty8, "ON_LINE", False)
    on, off = _both(reader, image, k, monkeypatch)
    assert on == off == ("empty", None)


@pytest.mark.parametrize(("seed", "index", "k"), t10.FIELD_SETTLED)
@pytest.mark.parametrize("beside_mm", [0.3, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("c", [0.06, 0.09, 0.15])
def test_a_dash_near_a_streak_is_never_empty(
    seed: int,
    index: int,
    k: int,
    beside_mm: float,
    c: float,
    streak_sheets: dict[tuple[int, int], Any],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The attack: a light dash 0.3-0.9 mm beside the streak, 0.06-0.15 of the light.
    Where it stops (strict xfails): 0.06 at 0.7 mm beside on 145/285 and 146/21, under
    STREAK_LEVEL once divided and too near the streak for the band's other looks."""
    if c == 0.06 and beside_mm == 0.7 and (seed, index) in ((145, 285), (146, 21)):
        request.applymarker(
            pytest.mark.xfail(strict=True, reason="wrong11: 0.06 at 0.7 mm, under STREAK_LEVEL")
        )
    reader, im = _drawn(streak_sheets, (seed, index, k, "dash_beside", c), monkeypatch, beside_mm)
    assert reader.read(im).contests[0].marks[k].mark != "empty"


@pytest.mark.parametrize("quality", [60, 85])
@pytest.mark.parametrize("case", [(147, 50, 3, "dash_beside", 0.07), (146, 21, 12, "tick_along", 0.07)])
def test_a_stroke_beside_a_streak_through_jpeg(
    case: tuple[int, int, int, str, float],
    quality: int,
    streak_sheets: dict[tuple[int, int], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same light dash and tick, the scan saved as JPEG at 60 and 85: never `empty`."""
    reader, im = _drawn(streak_sheets, case, monkeypatch)
    ok, buf = cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    jpeg = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    assert reader.read(jpeg).contests[0].marks[case[2]].mark != "empty"


# --- family 1's attack: dpi 150-300, contrast 0.06-0.15, angle, JPEG --------------------------


def _x(dpi: int, k: float, turn: float, quality: int | None) -> tuple[Any, np.ndarray]:
    reader, img, centres, s = _blank(dpi)
    im = _polylines(
        img,
        centres[30],
        s,
        [_line(45 + turn, 3.4, 0.2), _line(135 + turn, 3.4, -0.1)],
        0.5,
        k,
        grain=0.4,
        seed=3,
    )
    if quality is None:
        return reader, im
    jpeg = cv2.imdecode(
        cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_GRAYSCALE
    )
    assert jpeg is not None
    return reader, jpeg


@pytest.mark.parametrize("dpi", [200, 250, 300])
@pytest.mark.parametrize("k", [0.12, 0.15])
@pytest.mark.parametrize("turn", [0.0, 30.0])
@pytest.mark.parametrize("quality", [None, 60, 85])
def test_a_faint_x_never_reads_empty(dpi: int, k: float, turn: float, quality: int | None) -> None:
    """Faint grainy X's of 0.12-0.15 at 200-300 dpi, square or turned 30 degrees, as
    scanned and through JPEG at 60 and 85: never `empty` (with wrong11)."""
    reader, im = _x(dpi, k, turn, quality)
    assert reader.read(im).contests[0].marks[30].mark != "empty"


# Where wrong11 stops (the attack's sweep, /tmp script in the report): turned 15 degrees (arms
# at 60 and 150) at 150-200 dpi, 0.1: `empty` without grain14 (the joined run is found but is
# not thin everywhere / its run breaks); 0.06-0.08 at most resolutions. grain14's pair of
# segments finds the 200 dpi one (its xfail until the fourteenth pass); since the thirty-eighth
# pass wide38 (faint37's pair asked in the wider band) finds it too.
def test_a_faint_x_turned_15_degrees_at_200_dpi(monkeypatch: pytest.MonkeyPatch) -> None:
    reader, im = _x(200, 0.1, 15.0, None)
    assert reader.read(im).contests[0].marks[30].mark != "empty"
    monkeypatch.setattr(grain14, "ENABLED", False)
    assert reader.read(im).contests[0].marks[30].mark != "empty"  # wide38 alone
    monkeypatch.setattr(wide38, "ENABLED", False)
    assert reader.read(im).contests[0].marks[30].mark == "empty"
