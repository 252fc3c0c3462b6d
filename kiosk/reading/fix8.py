"""The red team's eighth-pass cases fixed (issue 10, branch fix8): rules that only SEND a
square to the commission (review), never decide one `marked` or `empty`.

- `hairline`: a square about to read `marked`, scoring under HAIR_SCORE_MAX, whose dark
  features inside are all thinner than any pen or pencil (HAIR_MM across, `stroke_width`:
  a hair on the scanner's glass; curve60, built and OFF, would ask too that they lie on one
  smooth curve, as a hair does and a fine pen's tick or X does not) or make RIDGE_COUNT thin
  ridges (`ridges`: a fingerprint): `possible_stain`. A ballpoint's line is 0.3 mm and
  more; the generator's pens 0.35-0.8 mm, its light pencil 0.5-0.7 mm. Asked of squares
  settled by settle7 and decided by the closer look alike.
- `fill_smudge`: what `inspect.is_fill` took for a light fill does not reach the inside's
  corners (a round smudge of graphite from a hand's side: its soft edge curves away inside
  the square) or runs on over the printed border into the window's margin (an oval one);
  a voter's fill covers the square and stops at its border: `possible_stain`.
- `small_cross`: a square of pencil6's wider band that `pencil6.pencil_near` found empty
  holds a faint slanted stroke SMALL_LEN_MM long inside the square (pencil6 asks 2.5 mm;
  a small X in a corner has 2.3 mm diagonals) that does not run on as a line of the
  paper: `marginal_mark`, not `empty`.

Each rule is switched off with ENABLED (tests/test_fix8.py and benchmarks/hook_ab.py --module fix8).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import clear56, crop, curve60, kernels, pencil6
from kiosk.reading.model import MarkReading, ReviewReason, marked_to_review

ENABLED = True  # benchmarks/hook_ab.py --module fix8 reads each sheet with it off too ("before")

INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
HAIR_MM = 0.3  # every dark feature inside narrower than this (2 x area / perimeter): a hair
HAIR_FLOOR = 0.12  # a dark pixel: at least this ink ...
HAIR_HALF = 0.5  # ... and this share of the inside's darkest ink (its 99th percentile)
HAIR_MIN_PX = 6  # fewer dark pixels than this: nothing to judge by
HAIR_SCORE_MAX = 0.3  # asked only of squares scoring under this (a hair scores 0.03-0.04, the
# red team's print 0.132; a pen X 0.2-0.42, a fill 0.7 and more): the clean path's cost
RIDGE_LEN_MM = 1.0  # a ridge: a dark feature at least this long (half its outline) ...
RIDGE_MM = 0.25  # ... and under this wide
RIDGE_SHARE = 0.5  # the ridges hold at least this share of the dark pixels ...
RIDGE_COUNT = 4  # ... and are at least this many: a fingerprint
CORNER_MM = 1.0  # the inside's corners: this far in from its sides on both axes
CORNER_SHARE = 0.5  # a fill darkens each corner at least this share of the inside's median
SPILL_SHARE = 0.4  # and no side of the window's margin this share of it
CLOSE_MM = 2.2  # as `inspect.CLOSE_MM`: a grey closing that takes out strokes and the border
SMALL_LEN_MM = 1.5  # a faint stroke inside this long (pencil6 asks TRACE_LEN_INSIDE_MM)


def _inside_window(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The square's inside (INSIDE_MM from the centre) cut from the image, and a mask of
    it within the cut (the image's edge may clip it)."""
    got = crop.around(image, centre, int(INSIDE_MM * scale) + 1)
    if got is None:
        return None
    win, xs, ys = got
    return win, _inside_of(xs, ys, scale)


def _inside_of(xs: np.ndarray, ys: np.ndarray, scale: float) -> np.ndarray:
    """The inside's mask within a cut, from its pixels' offsets from the centre (px)."""
    inside: np.ndarray = np.maximum(np.abs(xs), np.abs(ys)) <= INSIDE_MM * scale
    return inside


def hair_window(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """`_inside_window` and `_dark` of one square from one cut (clump60 asks both; speed68:
    it cut the window twice): the window, its inside, its dark pixels; None where `_dark` is
    None."""
    got = crop.around(image, centre, int(INSIDE_MM * scale) + 1)
    if got is None:
        return None
    win, xs, ys = got
    dark = _dark_of(win, xs, ys, scale, paper, gain)
    if dark is None:
        return None
    return win, _inside_of(xs, ys, scale), dark


def _percentile_99(values: np.ndarray) -> float:
    """np.percentile(values, 99) (linear, numpy's own interpolation step), by a partial
    sort of the two neighbours instead of numpy's general path (a fifth of `hairline`'s
    time on a clean sheet's marks); tests/test_fix8.py checks it equals np.percentile."""
    n = values.size
    at = 0.99 * (n - 1)
    lo = math.floor(at)
    hi = min(lo + 1, n - 1)
    part = np.partition(values, (lo, hi))
    a, b, t = float(part[lo]), float(part[hi]), at - lo
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _dark(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> np.ndarray | None:
    """The dark pixels inside the square: ink at least HAIR_FLOOR and HAIR_HALF of the
    inside's 99th percentile (uint8 mask of the cut window); None: too few to judge by.
    One kernel call (`kernels.hair_dark`, tidy9: the numpy it was is
    `reference.hair_dark_reference`, tests/test_tidy9.py checks they agree)."""
    got = crop.around(image, centre, int(INSIDE_MM * scale) + 1)
    if got is None:
        return None
    return _dark_of(*got, scale, paper, gain)


def _dark_of(
    win: np.ndarray, xs: np.ndarray, ys: np.ndarray, scale: float, paper: float, gain: float
) -> np.ndarray | None:
    """`_dark` of a cut window given its pixels' offsets from the centre."""
    dark, count = kernels.hair_dark(
        win, xs, ys, INSIDE_MM * scale, paper, gain, HAIR_FLOOR, HAIR_HALF, HAIR_MIN_PX
    )
    if count < HAIR_MIN_PX:  # also -1: nothing of the inside on the image
        return None
    return dark


def _features(mask: np.ndarray) -> list[tuple[int, float]]:
    """Each feature of `mask` (its outer outline, holes filled): (pixels, outline px)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out = []
    filled = np.zeros_like(mask)
    for c in contours:
        filled[:] = 0
        cv2.drawContours(filled, [c], -1, 1, thickness=cv2.FILLED)
        out.append((int(np.count_nonzero(filled)), max(1.0, cv2.arcLength(c, True))))
    return out


def stroke_width(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> float | None:
    """The mean width (mm) of the dark features inside the square (`_dark`): their pixels
    counted twice over their outlines' length, graphite's grain bridged (a 2 x 2 closing,
    which keeps a 1 px line 1 px wide) and each feature's holes filled. None: too few
    dark pixels."""
    dark = _dark(image, centre, scale, paper, gain)
    return None if dark is None else _width(dark, scale)


def _width(dark: np.ndarray, scale: float) -> float:
    feats = _features(cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8)))
    n = sum(f[0] for f in feats)
    perimeter = sum(f[1] for f in feats)
    if perimeter <= 0:
        # A cut of a row or two at the image's edge can leave no outline: nothing to
        # measure, taken for hair-thin (hairline then sends the square to review).
        return 0.0
    return 2.0 * n / perimeter / scale


def ridges(image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float) -> int:
    """How many ridges the square's dark features make: features (`_dark`, holes filled,
    no closing) at least RIDGE_LEN_MM long (half their outline) and under RIDGE_MM wide,
    counted only when together they hold at least RIDGE_SHARE of the dark pixels."""
    dark = _dark(image, centre, scale, paper, gain)
    return 0 if dark is None else _ridges(dark, scale)


def _ridged(dark: np.ndarray, scale: float) -> bool:
    """`_ridges(dark, scale) >= RIDGE_COUNT` (tidy9): a ridge is a feature whose outline is
    at least 2 RIDGE_LEN_MM long, so with fewer such outlines than RIDGE_COUNT the count
    cannot reach it, and the features need not be filled and measured (a pen's or a
    pencil's X is one or two). `reference.hair_ridged_reference` counts in full."""
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    long = sum(max(1.0, cv2.arcLength(c, True)) / 2 >= RIDGE_LEN_MM * scale for c in contours)
    return long >= RIDGE_COUNT and _ridges(dark, scale) >= RIDGE_COUNT


def _ridges(dark: np.ndarray, scale: float) -> int:
    feats = _features(dark)
    total = sum(f[0] for f in feats)
    thin = [f for f in feats if f[1] / 2 >= RIDGE_LEN_MM * scale and 2.0 * f[0] / f[1] < RIDGE_MM * scale]
    if sum(f[0] for f in thin) < RIDGE_SHARE * total:
        return 0
    return len(thin)


def hairline(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Each square read `marked` whose dark features are all thinner than HAIR_MM becomes
    `marginal` (`possible_stain`): a hair, a fingerprint's ridges; the commission looks."""
    if not ENABLED:
        return marks
    return marked_to_review(
        marks,
        lambda i, m: (
            m.score < HAIR_SCORE_MAX
            and hair_thin(
                image,
                (float(centres[i, 0]), float(centres[i, 1])),
                float(scales[i]),
                float(paper[i].max()),
                gain,
            )
        ),
    )


def hair_thin(image: np.ndarray, at: tuple[float, float], sc: float, paper: float, gain: float) -> bool:
    """`hairline`'s test of one square: `_dark`, then `_width(dark) < HAIR_MM or
    _ridged(dark)`, in one compiled call (post20: `kernels.hair_shape`, the same numbers;
    `hair_thin_numpy` is the code it replaces, tests/test_post20.py checks they agree).
    `_ridges` itself is counted in Python, only where RIDGE_COUNT outlines are long."""
    count, width, long, dark = kernels.hair_shape(
        image,
        at[0],
        at[1],
        round(at[0]),
        round(at[1]),
        int(INSIDE_MM * sc) + 1,
        INSIDE_MM * sc,
        paper,
        gain,
        HAIR_FLOOR,
        HAIR_HALF,
        HAIR_MIN_PX,
        sc,
        RIDGE_LEN_MM * sc,
    )
    if count < HAIR_MIN_PX:  # also -1 and -2: nothing of the inside on the image
        return False
    # curve60 (OFF: one_curve is then always True): strokes meeting are a fine pen's, not a hair.
    thin = width < HAIR_MM and curve60.one_curve(dark, sc)
    return bool(thin or (long >= RIDGE_COUNT and _ridges(dark, sc) >= RIDGE_COUNT))


def hair_thin_numpy(image: np.ndarray, at: tuple[float, float], sc: float, paper: float, gain: float) -> bool:
    """`hair_thin` as the eighth pass wrote it (cv2's contours; the reference)."""
    dark = _dark(image, at, sc, paper, gain)
    if dark is None:
        return False
    return (_width(dark, sc) < HAIR_MM and curve60.one_curve(dark, sc)) or _ridged(dark, sc)


def fill_smudge(win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float) -> bool:
    """Is what `inspect.is_fill` took for a fill a smudge (`smudge_measures`): a corner of
    the inside lighter than CORNER_SHARE of the inside's median darkening, or a side of the
    window's margin darkened SPILL_SHARE of it or more (the darkening runs on over the
    printed border, as a fill stopping at the border does not)?"""
    if not ENABLED:
        return False
    m = smudge_measures(win, inside, border, scale, gain)
    return m is not None and (m[0] < CORNER_SHARE or m[1] >= SPILL_SHARE)


def smudge_stain(
    win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float
) -> ReviewReason | None:
    """`inspect.inspect_square`'s hook: `possible_stain` when `fill_smudge` says so."""
    return "possible_stain" if fill_smudge(win, inside, border, scale, gain) else None


def smudge_measures(
    win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float
) -> tuple[float, float] | None:
    """(corner, spill): the lightest corner of the inside's darkening (CORNER_MM on both
    axes from its sides) and the darkest side of the window's margin (its middle third,
    facing the inside's middle), each as a share of the inside's median darkening; the
    darkening is the window's grey closing (as `inspect.fill_measures`) against the
    lightest side of the margin. None: nothing to judge by."""
    if not inside.any():
        return None
    yy, xx = np.nonzero(inside)
    y0, y1, x0, x1 = int(yy.min()), int(yy.max()), int(xx.min()), int(xx.max())
    c = max(1, round(CORNER_MM * scale))
    h, w = win.shape
    ys = np.arange(h)[:, None]
    xs = np.arange(w)[None, :]
    k = max(3, int(CLOSE_MM * scale) | 1)
    bg = cv2.morphologyEx(win, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    outside = ~inside & ~border
    third_y = (ys >= y0 + (y1 - y0) // 3) & (ys <= y1 - (y1 - y0) // 3)
    third_x = (xs >= x0 + (x1 - x0) // 3) & (xs <= x1 - (x1 - x0) // 3)
    sides = (
        outside & (ys < y0) & third_x,
        outside & (ys > y1) & third_x,
        outside & (xs < x0) & third_y,
        outside & (xs > x1) & third_y,
    )
    if not all(m.any() for m in sides):
        return None
    levels = [float(np.median(bg[m])) for m in sides]
    paper = max(1.0, max(levels))
    middle = gain * (1.0 - float(np.median(bg[inside])) / paper)
    if middle <= 0:
        return None
    spill = max(gain * (1.0 - v / paper) for v in levels) / middle
    least = 1.0
    for top in (True, False):
        for left in (True, False):
            rows = (ys <= y0 + c) if top else (ys >= y1 - c)
            cols = (xs <= x0 + c) if left else (xs >= x1 - c)
            corner = inside & rows & cols
            if not corner.any():
                continue
            step = gain * (1.0 - float(np.median(bg[corner])) / paper)
            least = min(least, step / middle)
    return least, spill


def small_cross(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """A faint slanted stroke inside the square at least SMALL_LEN_MM long (otherwise as
    `pencil6.pencil_near`'s stroke inside), not running on as a line of the paper."""
    if not ENABLED:
        return False
    got = crop.around(image, centre, int((TARGET / 2 + pencil6.TRACE_AROUND_MM) * scale))
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= pencil6.INSIDE_MM * scale
    border = ~inside & (box <= pencil6.BORDER_MM * scale)
    c = pencil6.trace_contrast(win, scale, paper, gain)
    spread = clear56.trace_spread("fix8", c, ~inside & ~border, scale)
    for sy, sx, length, width in pencil6._strokes(c, inside, pencil6.TRACE_FAINT, scale):
        if length < SMALL_LEN_MM or width > pencil6.TRACE_WIDTH_MM or not pencil6._slanted(sy, sx):
            continue
        level = float(np.median(c[sy, sx]))
        if level < pencil6.TRACE_NOISE * spread:
            continue
        if not pencil6.continues_across(c, sy, sx, scale, level, ~border):
            return True
    return False
