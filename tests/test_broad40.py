"""broad40 (issue 10, the fortieth pass): a soft pencil's broad light strokes (kiosk/reading/
broad40.py), OFF in the reader (a study: an outside attack found a coffee ring's broad rim and
heavy show-through letters it reads `marked`). Switched on here: plain grey X's and ticks 1-1.5 mm
wide, no pixel pen-dark, which go to the commission as `marginal_mark` whatever their score, read
`marked`; a grey drop, a band across the row, a single slash and a show-through-faint X do not."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import broad40, broad42, grey48
from kiosk.reading.reader import BallotReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readkit import darken, field_sheet
from test_settle7 import Clean


@pytest.fixture(autouse=True)
def broad40_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """broad40 is OFF in the reader (a study, after the outside attack); these tests switch it on,
    and broad42 (its strokes asked only where the sheet round the square is quiet) off, so that
    each companion below is the reader before broad40 (grey48, which asks broad40's shape tests
    at a lighter darkness, off too)."""
    monkeypatch.setattr(broad40, "ENABLED", True)
    monkeypatch.setattr(broad42, "ENABLED", False)
    monkeypatch.setattr(grey48, "ENABLED", False)


def test_it_is_off_in_the_reader() -> None:
    assert "\nENABLED = False\n" in Path(broad40.__file__).read_text(encoding="utf-8")


# census40's squares (seed 198): a broad light X and a broad light tick whose long arm leaves
# the square, both `marginal_mark` before broad40.
SEEN = [(844, 1), (51, 9)]


def census_mark_read_marked(index: int, k: int, rule: object) -> None:
    """A census square (seed 198) reads `marked`, and `marginal_mark` with `rule` (a module
    with `ENABLED`) off: the companion, the closer look's last branch as before."""
    reader, sheet, image = field_sheet(198, index)
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    m = reader.read(image.copy()).contests[0].marks[k]
    assert (m.mark, m.reason) == ("marked", None)
    with switched_off(rule):  # type: ignore[arg-type]
        m = reader.read(image.copy()).contests[0].marks[k]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark")


@pytest.mark.parametrize(("index", "k"), SEEN)
def test_the_census_marks_read_marked(index: int, k: int) -> None:
    census_mark_read_marked(index, k, broad40)


def _drawn(
    image: np.ndarray, centre: tuple[float, float], s: float, draw: object, factor: float
) -> np.ndarray:
    """`draw(layer, px)` paints 255 on a zero layer (px: mm from the centre to 1/16 px);
    the layer, blurred as a scan blurs, darkens the image to `factor` of its grey."""
    cx, cy = centre

    def px(u: float, v: float) -> tuple[int, int]:
        return round((cx + u * s) * 16), round((cy + v * s) * 16)

    layer = np.zeros(image.shape, np.uint8)
    draw(layer, px)  # type: ignore[operator]
    mask = cv2.GaussianBlur(layer.astype(np.float32) / 255.0, (0, 0), 0.25 * s)
    return darken(image, mask, factor)


def _line(layer: np.ndarray, px: object, a: tuple[float, float], b: tuple[float, float], w: int) -> None:
    cv2.line(layer, px(*a), px(*b), 255, w, cv2.LINE_AA, 4)  # type: ignore[operator]


def _x(width_mm: float) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        w = round(width_mm * 200 / 25.4)
        _line(layer, px, (-2.2, -2.2), (2.2, 2.2), w)
        _line(layer, px, (2.2, -2.2), (-2.2, 2.2), w)

    return draw


def _tick(layer: np.ndarray, px: object) -> None:
    w = round(1.2 * 200 / 25.4)
    _line(layer, px, (-2.2, 0.2), (-0.6, 2.0), w)
    _line(layer, px, (-0.6, 2.0), (2.3, -2.3), w)


def _drop(layer: np.ndarray, px: object) -> None:
    cv2.circle(layer, px(0.2, -0.1), round(1.5 * 200 / 25.4 * 16), 255, -1, cv2.LINE_AA, 4)  # type: ignore[operator]


def _band(layer: np.ndarray, px: object) -> None:  # a shadow 2.5 mm wide along the whole row
    _line(layer, px, (-40.0, 0.3), (40.0, 0.3), round(2.5 * 200 / 25.4))


def _slash(layer: np.ndarray, px: object) -> None:
    _line(layer, px, (-2.0, 2.0), (2.0, -2.0), round(1.3 * 200 / 25.4))


@functools.lru_cache(maxsize=1)
def _clean() -> Clean:
    return Clean()


def _blank_contest() -> tuple[BallotReader, np.ndarray, int, float, float, float]:
    """test_settle7's clean sheet (MZ-SMD-02, 200 dpi) with its one pen mark wiped (`blank`):
    a second mark in the contest makes an overvote, which sends the lighter mark to the
    commission (rims7.unlike_marks), whatever broad40 says. Square 4 is drawn on."""
    clean = _clean()
    cx, cy = clean.centres[4]
    return clean.reader, clean.blank(), 4, cx, cy, clean.s


def test_the_blank_contest_is_blank() -> None:
    reader, image, _i, _cx, _cy, _s = _blank_contest()
    c = reader.read(image).contests[0]
    assert (c.outcome, [m.mark for m in c.marks if m.mark != "empty"]) == ("blank", [])


def _read(draw: object, factor: float) -> tuple[str, list[bool]]:
    reader, image, i, cx, cy, s = _blank_contest()
    said: list[bool] = []
    real = broad40.strokes

    def spy(*a: object) -> bool:
        said.append(real(*a))  # type: ignore[arg-type]
        return said[-1]

    setattr(broad40, "strokes", spy)  # noqa: B010 (a spy, put back below)
    try:
        m = reader.read(_drawn(image, (cx, cy), s, draw, factor)).contests[0].marks[i]
    finally:
        setattr(broad40, "strokes", real)  # noqa: B010
    return m.mark, said


def test_a_broad_light_tick_drawn_on_a_clean_square_reads_marked() -> None:
    # 30-32 % darker than the paper: a soft pencil. (A smooth X drawn so goes to the commission
    # as `possible_erasure`: erase9 asks after broad40, and a grain-free X's soft halo is what
    # it looks for; the generator's X's above are not flagged.)
    for factor in (0.68, 0.7):
        mark, said = _read(_tick, factor)
        assert (mark, said) == ("marked", [True])
        with switched_off(broad40):
            assert _read(_tick, factor)[0] == "marginal"


@pytest.mark.parametrize(
    ("draw", "factor", "asked"),
    [
        (_drop, 0.6, [False]),
        (_drop, 0.68, [False]),
        (_x(1.3), 0.88, [False]),
        # the crossing-line rule takes a band along the row out (broad40 is not asked there;
        # its own guard against a band: test_the_shape_guards_one_at_a_time)
        (_band, 0.65, []),
        (_band, 0.68, []),
    ],
    ids=["grey-drop-3mm", "lighter-drop", "x-at-show-through-contrast", "band-along-the-row", "lighter-band"],
)
def test_what_is_not_two_broad_strokes_is_not_marked(draw: object, factor: float, asked: list[bool]) -> None:
    mark, said = _read(draw, factor)
    assert mark != "marked"
    assert said == asked


def test_one_broad_slash_is_not_two_strokes() -> None:
    # whether a single light slash is a vote is the other tests' to say (the darker one is
    # read `marked` before broad40 is asked); broad40, asked of the lighter, says no
    assert _read(_slash, 0.6) == ("marked", [])
    assert _read(_slash, 0.68) == ("marginal", [False])


def _window(scale: float = 8.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A synthetic window as the closer look has it: paper 230, the printed border 20."""
    half = round((TARGET / 2 + 1.2) * scale)
    ys, xs = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    box = np.maximum(np.abs(xs), np.abs(ys))
    win = np.full(box.shape, 230, np.uint8)
    win[(box >= (TARGET / 2 - TARGET_STROKE) * scale) & (box <= TARGET / 2 * scale)] = 20
    inside = box <= (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    margin = box > (TARGET / 2 + 0.5) * scale
    return win, inside, margin, xs, ys


def test_the_shape_guards_one_at_a_time() -> None:
    win, inside, margin, _xs, ys = _window()
    s = 8.0
    c = half = win.shape[0] // 2
    x = win.copy()
    for a, b in (((-2.2, -2.2), (2.2, 2.2)), ((2.2, -2.2), (-2.2, 2.2))):
        cv2.line(
            x, (round(c + a[0] * s), round(c + a[1] * s)), (round(c + b[0] * s), round(c + b[1] * s)), 130, 10
        )
    assert broad40.strokes(x, inside, margin, s)
    # the same X, its arms run on through the margin to the window's edge (a quarter of it there)
    wide = win.copy()
    for a, b in (((-1.0, -1.0), (1.0, 1.0)), ((1.0, -1.0), (-1.0, 1.0))):
        cv2.line(
            wide,
            (round(c + a[0] * half), round(c + a[1] * half)),
            (round(c + b[0] * half), round(c + b[1] * half)),
            130,
            10,
        )
    assert not broad40.strokes(wide, inside, margin, s)
    # a drop 3 mm across: fat
    drop = win.copy()
    cv2.circle(drop, (c, c), round(1.5 * s), 130, -1)
    assert not broad40.strokes(drop, inside, margin, s)
    # bands across the inside only, 1.3 to 2.6 mm wide: one bar at every width
    for w_mm in (1.3, 2.0, 2.6):
        band = win.copy()
        band[np.abs(ys) <= w_mm / 2 * s] = np.minimum(band[np.abs(ys) <= w_mm / 2 * s], 130)
        band[margin] = win[margin]
        assert not broad40.strokes(band, inside, margin, s), w_mm
        run = ((broad40.darkness(band, s) >= broad40.CONTRAST) & inside).astype(np.uint8)
        dt = float(cv2.distanceTransform(run, cv2.DIST_L2, 5).max())
        assert broad40.across(run)[1] < broad40.TWO_ARMS * 2 * dt
    # the X at 12 % contrast (show-through)
    faint = win.copy()
    faint[x == 130] = 203
    assert not broad40.strokes(faint, inside, margin, s)
