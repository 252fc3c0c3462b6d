"""Ninth pass (issue 10, branch stain9): a drop's rim bending through an EMPTY square read
`marked` (kiosk/reading/stain9.py).

The eighth pass's untouched run read sheet 28964 of seed 9700 (MZ-LIST, 300 dpi) with
its empty `jsdp` square `marked` (0.094): a tea drop's rim crosses the square and leaves
it as two pieces that each look straight over the few millimetres rims7 follows, and a
thumb print's ridges lie on the window's far side, so rims7 took both for lines of the
paper. The sheet is regenerated here (seed 9700 is spent) and read with the rule on and
off. The synthetic cases draw the same kind: a stain's edge that bends inside the square
(the generator's stain outlines are polygons), thin features on the far side, at 150,
200 and 300 dpi, and ask the two rules directly: rims7 misses it, stain9 sees it; a
straight fold through the window and a voter's tick are not taken for it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

import kiosk.reading.erase9 as erase9
import kiosk.reading.stain9 as stain9
from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import rims7
from kiosk.reading.inspect import DARK_INK, THIN_CONTRAST, TOPHAT_MM
from kiosk.reading.model import MarkReading


def _read_28964() -> tuple[MarkReading, str]:
    """Seed 9700's sheet 28964 (MZ-LIST, 300 dpi) regenerated and read: the `jsdp`
    square's reading and the contest's outcome."""
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    index = 28964
    style = styles[index % len(styles)]
    assert style == "MZ-LIST"
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], 9700, index, FieldOptions())
    k = [q.option for q in sheet.truth.squares].index("jsdp")
    assert sheet.truth.squares[k].kind == "none" and sheet.truth.squares[k].expected == "empty"
    assert sheet.truth.dpi == 300
    r = reader.read_bytes(sheet.image)
    return r.contests[0].marks[k], r.contests[0].outcome


def test_28964_empty_square_under_a_drops_rim_is_not_marked() -> None:
    """The untouched run's wrong decision: now `marginal` (`possible_stain`, its score
    kept), the commission looks; the contest stays in review (its truth)."""
    m, outcome = _read_28964()
    assert (m.mark, m.reason) == ("marginal", "possible_stain"), m
    assert m.score > 0.063  # over `marked`: only the rule keeps it from a decision
    assert outcome == "review"


def test_28964_without_stain9_reads_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The companion: with the rule off, the old wrong reading (`marked`, 0.094). erase9
    (merged with this pass) also sends it to review (`possible_erasure`): off too."""
    monkeypatch.setattr(stain9, "ENABLED", False)
    monkeypatch.setattr(erase9, "ENABLED", False)
    m, _outcome = _read_28964()
    assert m.mark == "marked" and m.reason is None, m
    assert abs(m.score - 0.0942) < 0.001, m


# --- synthetic: a stain's edge bending in the square ---------------------------------------

PAPER = 200.0


def _window(
    dpi: int, pieces: list[tuple[float, float]], k: float = 0.3, far: bool = True, width_mm: float = 0.4
) -> tuple[np.ndarray, float, int, tuple[float, float]]:
    """A patch of paper (grey PAPER) 30 mm square at `dpi` with a printed square in the
    middle and a thin dark polyline (taking `k` of the light, `width_mm` wide): from the
    vertex (x, y) mm of `pieces[1]`, through the square, out along `pieces[0]` and
    `pieces[2]` when given as (x, y) ends in mm about the square's middle. `far`: short
    thin dashes (a thumb print's ridges) where each piece's straight line comes out on
    the window's other side. Returns (image, px per mm, the window's half size in px,
    the square's centre in px)."""
    s = dpi / 25.4
    n = round(30 * s)
    c = n / 2
    img = np.full((n, n), PAPER, np.float32)
    layer = np.zeros((n, n), np.float32)
    pts = np.array([(c + x * s, c + y * s) for x, y in pieces])
    cv2.polylines(
        layer, [np.round(pts * 16).astype(np.int32)], False, 1.0, max(1, round(width_mm * s)), cv2.LINE_AA, 4
    )
    if far:
        v = pts[1]
        for end in (pts[0], pts[-1]):
            d = (v - end) / np.linalg.norm(v - end)  # on along the piece's line, across the square
            for t in (6.5, 8.0, 9.5):
                a, b = v + d * (t - 0.5) * s, v + d * (t + 0.5) * s
                cv2.line(
                    layer,
                    tuple(np.round(a * 16).astype(int)),
                    tuple(np.round(b * 16).astype(int)),
                    1.0,
                    max(1, round(0.3 * s)),
                    cv2.LINE_AA,
                    4,
                )
    layer = np.asarray(cv2.GaussianBlur(layer, (0, 0), 0.1 * s), np.float32)
    img *= 1 - k * layer
    # The printed square's border (black, TARGET_STROKE wide).
    h = TARGET / 2 * s
    t = max(1, round(TARGET_STROKE * s))
    cv2.rectangle(img, (round(c - h), round(c - h)), (round(c + h), round(c + h)), 20.0, t)
    rng = np.random.default_rng(dpi)
    img += rng.normal(0, 2.0, img.shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    half = round((TARGET / 2 + 1.2) * s)
    return out, s, half, (c, c)


def _evidence(
    img: np.ndarray, s: float, half: int, centre: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The closer look's thin evidence inside the square, its ink and the window's origin."""
    x0, y0 = round(centre[0]) - half, round(centre[1]) - half
    win = img[y0 : y0 + 2 * half + 1, x0 : x0 + 2 * half + 1].astype(np.float64)
    k = max(3, int(TOPHAT_MM * s) | 1)
    thin = (
        cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        / PAPER
    )
    ink = np.clip(1.0 - win / PAPER, 0.0, 1.0)
    ys, xs = np.mgrid[-half : half + 1, -half : half + 1]
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= (TARGET / 2 - TARGET_STROKE - 0.35) * s
    return inside & ((ink >= DARK_INK) | (thin >= THIN_CONTRAST)), ink, (x0, y0)


def _ask(dpi: int, pieces: list[tuple[float, float]], **kw: float | bool) -> tuple[bool, float]:
    img, s, half, centre = _window(dpi, pieces, **kw)  # type: ignore[arg-type]
    ev, ink, origin = _evidence(img, s, half, centre)
    assert ev.sum() > 5
    old = rims7.paper_thin(img, centre, half, s, 1.0, PAPER, ev & (ink < rims7.HOOK_PEN), origin)
    share = stain9.bent_share(img, centre, half, s, 1.0, PAPER, ev & (ink < rims7.HOOK_PEN), origin)
    return old, share


BENT = [(-14.0, -7.0), (0.5, 0.5), (4.5, 15.0)]  # in from the upper left, bending down


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_rim_bending_in_the_square_is_the_papers(dpi: int) -> None:
    """The edge bends inside the square (about 45 degrees) and runs on 15 mm both ways; thin
    ridges lie where each piece's line comes out on the far side. rims7 takes the pieces
    for lines of the paper and finds no stain (the old miss); stain9's share is all."""
    old, share = _ask(dpi, BENT)
    assert not old
    assert share >= rims7.REACH_SHARE


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_rims7_or_stain9_sees_every_bent_rim(dpi: int) -> None:
    """The same edge 0.3-0.4 dark, 0.4-0.6 mm wide: where rims7 finds the pieces curved
    (a wider rim's pieces are not within its straight tolerance) it sends the square to
    review itself, and where it takes them for lines stain9 does: never neither."""
    for k in (0.3, 0.4):
        for w in (0.4, 0.5, 0.6):
            old, share = _ask(dpi, BENT, k=k, width_mm=w)
            assert old or share >= rims7.REACH_SHARE, (k, w)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_straight_fold_is_left_to_rims7(dpi: int) -> None:
    """One straight line through the window (a fold, a crease): one line, not bent."""
    old, share = _ask(dpi, [(-14.0, -7.0), (0.0, 0.0), (14.0, 7.0)])
    assert not old and share == 0.0


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_voters_tick_is_not_a_rim(dpi: int) -> None:
    """A tick drawn in the square (its arms end within 1.5 mm of the border): no piece
    runs on beyond the window, stain9 sees nothing (nor does rims7)."""
    old, share = _ask(dpi, [(-2.5, -0.5), (-0.5, 2.0), (3.5, -3.5)], far=False)
    assert not old and share == 0.0


def test_the_hook_needs_no_pen_dark_ink() -> None:
    """A pen-dark stroke in the square (at least `rims7.PEN_SPECK_MM2`) is a hand's: the
    hook says nothing, whatever the thin features do."""
    img, s, half, centre = _window(300, BENT)
    ev, ink, origin = _evidence(img, s, half, centre)
    assert stain9.bent_through(img, centre, half, s, 1.0, PAPER, ink, ev, origin, []) == "possible_stain"
    pen = ink.copy()
    ys, xs = np.nonzero(ev)
    pen[ys[:60], xs[:60]] = 0.9
    assert int((ev & (pen >= rims7.HOOK_PEN)).sum()) >= rims7.PEN_SPECK_MM2 * s * s
    assert stain9.bent_through(img, centre, half, s, 1.0, PAPER, pen, ev, origin, []) is None


def test_the_rule_switched_off_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stain9, "ENABLED", False)
    img, s, half, centre = _window(300, BENT)
    ev, ink, origin = _evidence(img, s, half, centre)
    assert stain9.bent_through(img, centre, half, s, 1.0, PAPER, ink, ev, origin, []) is None


def test_two_sides_and_one_line() -> None:
    """The two geometric tests on points: two pieces 90 degrees apart round the centre
    are on two sides, 30 degrees apart are not; a line's points are one line, an L's
    are not."""
    a = np.array([[10.0, 0.0], [11.0, 0.0], [0.0, 10.0], [0.0, 11.0]])
    assert stain9.two_sides(a, np.array([1, 1, 2, 2]))
    b = np.array([[10.0, 0.0], [10.0, 5.8]])
    assert not stain9.two_sides(b, np.array([1, 2]))
    line = np.array([[float(i), 0.5 * i] for i in range(50)])
    assert stain9.one_line(line, 10.0)
    ell = np.array([[float(i), 0.0] for i in range(30)] + [[0.0, float(i)] for i in range(30)])
    assert not stain9.one_line(ell, 1.0)
    assert math.isclose(stain9.APART_DEG, 60.0)
