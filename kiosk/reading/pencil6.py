"""Pencil under field conditions (issue 10, the sixth pass: pencil6).

Light pencil and ticks drawn mostly beside the square scored just under `marginal`
(0.011-0.018) or were explained away by the closer look (a line taken out, the ring's
paper), and were read `empty`: the worst failure, a vote lost. A careful human sees a
pencil stroke in such a square's neighbourhood without doubt, so the square goes to the
commission (`marginal`), never `marked` on this evidence alone.

What a pencil stroke is here (`pencil_near`): a run of pixels darker than the paper on
both sides (`trace_contrast`: each pixel's box mean against the lighter of the boxes
TRACE_REACH_MM away, across, down or along either diagonal), narrow (area over length
under TRACE_WIDTH_MM), at least TRACE_LEN_MM long, slanted TRACE_SQUARE_DEG or more from
the square's sides (`_slanted`: folds, scanner streaks, printed rules and the border's
blur run along them) and, unlike a crease or a fold crossing the window, not there again
on its own straight line beyond its ends (`continues_across`). Two places:

- inside the square: at TRACE_FAINT and TRACE_NOISE times the paper's own spread of the
  contrast around the square, TRACE_LEN_INSIDE_MM long (a light tick or X of 4-8 %
  contrast, lighter than `inspect.PENCIL_CONTRAST`'s box test resolves);
- in the surroundings, TRACE_AROUND_MM beyond the square: at TRACE_ARM, a median ink of
  pencil grey (TRACE_INK), reaching the printed border's zone (a tick drawn mostly
  outside the square whose arm grazes it).

Where it is asked (reader hooks): `second_look` on every square the closer look reads
`empty`; squares the doubt band leaves out that score from LOOK_FROM up to `marginal`
(`wider_band`) get `pencil_near` alone (WIDE_CLOSER_LOOK: the whole closer look; measured
in docs/reading.md, "Sixth pass: pencil").

`reference.trace_contrast_reference` is `trace_contrast` in plain loops,
`reference.trace_contrast_numpy` its numpy version before speed19's kernel.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import clear56, crop, kernels, speed32

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

TRACE_SMOOTH_MM = 0.2  # the box each pixel is averaged over (graphite's grain, JPEG noise)
TRACE_REACH_MM = 0.8  # the paper this far to both sides of a stroke
TRACE_FAINT = 0.035  # a faint stroke inside the square: this much darker than the paper ...
TRACE_NOISE = 4.0  # ... and this many times the paper's own spread of that contrast (JPEG, grain)
TRACE_LEN_MM = 2.0  # a stroke at least this long (its pixels' principal axis) ...
TRACE_LEN_INSIDE_MM = 2.5  # ... inside the square, this long
TRACE_SQUARE_DEG = 20.0  # a stroke this close to the square's sides' directions is not looked at
TRACE_WIDTH_MM = 1.0  # and at most this wide (area over length)
TRACE_AROUND_MM = 3.0  # how far beyond the square a tick's arm is looked for
TRACE_ARM = 0.08  # an arm beside the square: this much darker than the paper
TRACE_INK = (0.1, 0.5)  # its median ink: pencil grey (print is darker, paper noise lighter)
TRACE_ARM_MAX_MM = 9.0  # longer than this across the surroundings: a printed rule
TRACE_TOUCH_MM = 0.3  # the arm comes this close to the printed border's zone
TRACE_SIDEWAYS_MM = 0.1  # how far beside its straight line a line of the paper is still found
TRACE_AGAIN = 0.5  # a line of the paper: this share of the stroke's contrast beyond the square
LOOK_FROM = 0.010  # squares scoring from this get the closer look (doubt band)
WIDE_CLOSER_LOOK = False  # the wider band's squares: the whole closer look, or `pencil_near` alone
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
BORDER_MM = TARGET / 2 + 0.5  # the printed border's zone, as `inspect` has it


def paper_spread(around: np.ndarray) -> float:
    """The paper's own spread of a contrast (a robust sigma: 1.4826 x the median absolute
    deviation) over the pixels `around` a square; 0.0 when there are none. speed19: each
    median one np.partition (`_median`: np.median's value without its two dozen Python
    calls); anything but a flat float64 array of finite values goes np.median's way
    (`reference.paper_spread_reference`, the same bits)."""
    if around.size == 0:
        return 0.0
    if around.dtype != np.float64 or around.ndim != 1 or not np.isfinite(around).all():
        return 1.4826 * float(np.median(np.abs(around - np.median(around))))
    return 1.4826 * _median(np.abs(around - _median(around)))


def _median(v: np.ndarray) -> float:
    """np.median of a non-empty flat float64 array without NaN: the middle order statistic,
    or half the sum of the middle two (np.median's mean of two: the same value, at most the
    sign of a zero apart, which `paper_spread`'s absolute deviations take out)."""
    n = v.shape[0]
    k = n >> 1
    if n & 1:
        return float(np.partition(v, k)[k])
    p = np.partition(v, (k - 1, k))
    return float((p[k - 1] + p[k]) / 2.0)


def trace_contrast(win: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    """Each pixel as a stroke: how much darker (as ink against `paper`) the mean of its
    (2b + 1)^2 box (b = TRACE_SMOOTH_MM) is than the lighter of the two boxes TRACE_REACH_MM
    away on both sides, across, down or along either diagonal, the best of the four
    (the window's edge clamped). Whole-number box sums from one integral image, in one
    compiled call (speed19: `kernels.trace_contrast`; it was some twenty numpy and OpenCV
    calls, `reference.trace_contrast_numpy`, the same bits)."""
    # round: half to even, as np.rint
    b = max(0, round(TRACE_SMOOTH_MM * scale))
    d = max(1, round(TRACE_REACH_MM * scale))
    out: np.ndarray = kernels.trace_contrast(
        np.ascontiguousarray(win, np.uint8), b, d, float(paper), float(gain)
    )
    return out


def _axis(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float, float, float, float]:
    """Centroid, unit direction and length (sqrt(12 var) along the principal axis) of a
    set of pixels."""
    my, mx = float(ys.mean()), float(xs.mean())
    cov = np.cov(np.stack([xs - mx, ys - my]).astype(np.float64)) if len(xs) > 2 else np.eye(2)
    vals, vecs = np.linalg.eigh(cov)
    ux, uy = float(vecs[0, 1]), float(vecs[1, 1])
    return mx, my, ux, uy, float(np.sqrt(12.0 * max(float(vals[1]), 0.0)))


def continues_across(
    c: np.ndarray,
    ys: np.ndarray,
    xs: np.ndarray,
    scale: float,
    level: float,
    free: np.ndarray,
) -> bool:
    """Is the stroke (pixels ys, xs) there again on its own straight line beyond its ends
    (a line of the paper or a printed rule crosses the whole window; a hand's stroke
    stops)? The median contrast along the rest of the line across the window (at each
    position the darkest within TRACE_SIDEWAYS_MM to either side), sampled 1 px apart
    where `free`, from 0.5 mm beyond each end to the window's edge, at least
    TRACE_AGAIN of the stroke's `level`. A median: the line may cross another stroke or
    a printed rule at a point."""
    mx, my, ux, uy, length = _axis(ys, xs)
    vals: list[float] = []
    for sign in (-1.0, 1.0):
        start = sign * (length / 2 + 0.5 * scale)
        vals.extend(
            v for _t, v, _at in along_line(c, free, mx, my, ux, uy, start, sign, scale) if v is not None
        )
    if len(vals) < 1.5 * scale:
        return False
    return float(speed32.median(vals)) >= TRACE_AGAIN * level


def along_line(
    c: np.ndarray,
    free: np.ndarray | None,
    mx: float,
    my: float,
    ux: float,
    uy: float,
    t: float,
    step: float,
    scale: float,
    to: float | None = None,
) -> Iterator[tuple[float, float | None, tuple[int, int]]]:
    """Walk the line (mx, my) + t (ux, uy) from `t` by `step` (1 px, either way) while
    the rounded position is on the window `c` (given `to`: up to it, on the window or
    not, the positions beside the line still looked at): at each, (t, the darkest contrast of the
    positions up to TRACE_SIDEWAYS_MM to either side of the line that are on the window
    and `free` (None: all are), or None where there is none, and the first such darkest
    position (row, column)). A crease kinks, a fold bends, a run's axis is known to a few
    degrees: hence the look sideways. The one walk of `continues_across`, pencil7's
    `follow`, `gone_beyond` and `_along`, and settle7's `_line_contrast`."""
    h, w = c.shape
    off = max(1, round(TRACE_SIDEWAYS_MM * scale))
    while to is None or t <= to:
        x, y = mx + t * ux, my + t * uy
        if to is None and not (0 <= round(x) < w and 0 <= round(y) < h):
            return
        best: float | None = None
        at = (-1, -1)
        for k in range(-off, off + 1):
            xi, yi = round(x - k * uy), round(y + k * ux)
            if 0 <= xi < w and 0 <= yi < h and (free is None or free[yi, xi]):
                v = float(c[yi, xi])
                if best is None or v > best:
                    best, at = v, (yi, xi)
        yield t, best, at
        t += step


def _slanted(ys: np.ndarray, xs: np.ndarray) -> bool:
    """The run's axis at least TRACE_SQUARE_DEG away from the square's sides: a fold, a
    scanner streak, a printed rule and the border's own blur run along them (the page
    is skewed 5 degrees at most); a tick's or a cross's strokes are slanted."""
    _mx, _my, ux, uy, _l = _axis(ys, xs)
    a = float(np.degrees(np.arctan2(abs(uy), abs(ux))))  # 0-90
    return TRACE_SQUARE_DEG <= a <= 90.0 - TRACE_SQUARE_DEG


def _strokes(
    c: np.ndarray, where: np.ndarray, level: float, scale: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """Connected runs (8-connected) of `where` at `level` whose box is 0.6 TRACE_LEN_MM
    long: pixels, length and width, mm."""
    return runs(c, where, level, scale, TRACE_LEN_MM * scale * 0.6)


def runs(
    c: np.ndarray, where: np.ndarray, level: float, scale: float, min_px: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """Connected runs (8-connected) of `where` at `level`, 4 px or more, whose box is
    `min_px` long or more: pixels, length and width, mm (pencil7 asks for pieces)."""
    mask = (where & (c >= level)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] < 4:
            continue
        if max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) < min_px:
            continue
        ys, xs = np.nonzero(labels == k)
        length = _axis(ys, xs)[4] / scale
        width = len(xs) / (scale * scale) / max(length, 1e-6)
        out.append((ys, xs, length, width))
    return out


def pencil_near(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """A pencil stroke in or beside the square (`faint_inside` or `beside_tick`): keep
    it out of `empty`. Each of the two places is looked at only when `could_hold` says a
    stroke there is possible at all (the same answer as without it, in a fraction of the
    time on clean squares: `pencil_near_reference`)."""
    return _pencil_near(image, centre, scale, paper, gain, True)


def pencil_near_reference(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """`pencil_near` without `could_hold`'s first stage: every run is measured."""
    return _pencil_near(image, centre, scale, paper, gain, False)


def could_hold(c: np.ndarray, inside: np.ndarray, near_arm: np.ndarray, scale: float) -> tuple[bool, bool]:
    """pencil_near's first stage (fast12): can the inside hold a stroke, can the
    surroundings hold a tick's arm? Necessary conditions only, so a False skips a search
    that could find nothing. Inside: a run `_strokes` keeps is 8-connected, 4 pixels or
    more, with a box ceil(0.6 TRACE_LEN_MM) pixels long, so it has at least that many
    pixels: fewer inside pixels at TRACE_FAINT and there is none. Beside: an arm must reach
    the printed border's zone (`near`), so at least one pixel of the surroundings within
    TRACE_TOUCH_MM of that zone (`near_arm`) is at TRACE_ARM. On a clean square both fail
    in most windows: no run is labelled, measured or walked."""
    need = max(4, math.ceil(TRACE_LEN_MM * scale * 0.6))
    inner = int(np.count_nonzero(c[inside] >= TRACE_FAINT)) >= need
    beside = bool((c[near_arm] >= TRACE_ARM).any())
    return inner, beside


def _pencil_near(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float, staged: bool
) -> bool:
    got = crop.around(image, centre, int((TARGET / 2 + TRACE_AROUND_MM) * scale))
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= INSIDE_MM * scale
    border = ~inside & (box <= BORDER_MM * scale)
    c = trace_contrast(win, scale, paper, gain)
    free = ~border
    surround = ~inside & ~border
    near = (box > (INSIDE_MM - TRACE_TOUCH_MM) * scale) & (box <= (BORDER_MM + TRACE_TOUCH_MM) * scale)
    inner, beside = could_hold(c, inside, surround & near, scale) if staged else (True, True)
    spread: float | None = None  # the paper's own spread of the contrast, once a run needs it
    for sy, sx, length, width in _strokes(c, inside, TRACE_FAINT, scale) if inner else ():
        if length < TRACE_LEN_INSIDE_MM or width > TRACE_WIDTH_MM or not _slanted(sy, sx):
            continue
        level = float(speed32.median(c[sy, sx]))
        if spread is None:  # around the square (a robust sigma, MAD)
            spread = clear56.trace_spread("pencil6", c, surround, scale)
        if level < TRACE_NOISE * spread:
            continue
        if not continues_across(c, sy, sx, scale, level, free):
            return True
    if not beside:
        return False
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    for sy, sx, length, width in _strokes(c, surround, TRACE_ARM, scale):
        if not (TRACE_LEN_MM <= length <= TRACE_ARM_MAX_MM) or width > TRACE_WIDTH_MM or not _slanted(sy, sx):
            continue
        if not near[sy, sx].any():
            continue
        med = float(speed32.median(ink[sy, sx]))
        if not (TRACE_INK[0] <= med <= TRACE_INK[1]):
            continue
        level = float(speed32.median(c[sy, sx]))
        if not continues_across(c, sy, sx, scale, level, free):
            return True
    return False


def wider_band(scores: np.ndarray, marginal: float) -> np.ndarray:
    """Squares scoring from LOOK_FROM up to `marginal` get the closer look whatever the
    doubt band says (light pencil and ticks beside the square score 0.011-0.018 with no
    pen-dark pixel and no faint run inside). One comparison per square."""
    out: np.ndarray = (scores >= LOOK_FROM) & (scores < marginal)
    return out


def second_look(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, v: Verdict
) -> Verdict:
    """The closer look's `empty`, unless a pencil stroke is in or beside the square
    (`pencil_near`): then `marginal` (marginal_mark) at its score, for the commission."""
    if pencil_near(image, (float(centre[0]), float(centre[1])), scale, float(np.max(levels)), gain):
        return replace(v, mark="marginal", reason="marginal_mark")
    return v
