"""The known ways to a wrong decision (issue 10, the eighth pass: wrong8).

**A stroke taken out with a line of the paper.** The closer look takes a straight band
through the window for the paper's (a fold, a crease, a scanner streak) and removes the
line's own level from it: the median of the band's ink at each distance from its axis,
measured along the band INSIDE the square (`inspect.line_residual`). When a voter's stroke
runs along the line for more than half of the inside (a pencil plus whose bar lies on a
faint streak: seed 161 sheet 1208, seed 9500 sheet 12808), that median is the stroke's, and
the stroke is taken out with the line: a vote read blank. A line of the paper has one level
along its length; a stroke lying on it adds darkness where it lies. `band_excess` measures
the band's ink integrated across its width (`band_ink`: every pixel's darkness against the
paper just beside the band, summed across it, in mm) through the square's inside and
beyond the window at both ends, where only the line is: if the inside carries more than the
line's own level by EXCESS_MM (or EXCESS_SHARE of that level) over ALONG_MM of its length,
something lies on the line. The square then goes to the commission (`marginal_mark`), never
`marked` on this alone: the test only keeps a square from being read `empty`.

Integrated across the band, not the darkest pixel on the axis (`lines7.stroke_along`): a
stroke beside the axis but within the band (the bar 0.3 mm off a one-pixel streak) is taken
out with the band as surely as one on the axis, and the darkest pixel there is the
streak's.

Where it stops: a stroke along a line whose integrated ink is under EXCESS_MM above the
line's (a light pencil bar 0.5 mm wide at 0.06 of the light), or shorter than ALONG_MM in
the square, is the line's; a line whose own level cannot be measured beyond the window at
either end (print or the image's edge there) is not judged; a line of the paper that
darkens within the square alone (a crease pressed harder there) goes to review.

`reference.band_ink_reference` (the `# wrong8` block) computes `band_ink` in plain loops;
tests/test_wrong8.py checks they agree.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import (
    lines7,  # tidy9: the line's geometry (lines7._geometry)
    speed32,  # pass32: numpy's nanmedian, exact and cheaper
)

ENABLED = True  # every rule here; benchmarks/hook_ab.py --module wrong8 reads with it off too ("before")
STROKE_ON_LINE = True  # `stroke_on_lines` (the tests switch one rule off at a time)
LINE_ACROSS = True  # `line_across` (rims7's lines of the paper run on across the window)
BAND_MM = 0.6  # the band's half width (inspect.LINE_BAND_MM / 2)
BAND_SLACK_MM = 0.15  # beyond the window the band is this much wider (the fitted angle's error)
SIDE_MM = (0.3, 0.9)  # the paper: this far beyond the band's edge, each side
STEP_MM = 0.25  # positions along the line
BEYOND_MM = (1.0, 6.0)  # the line's own level: this far beyond the window, each end
PRINT_DARK = 0.45  # a sample this much darker than the paper: print, the position is not judged
SIDE_STEP = 0.1  # the two sides' papers differ this much: something beside, not judged
MIN_JUDGED = 6  # positions judged at an end to know the line's own level there
EXCESS_MM = 0.03  # a stroke on the line: its integrated ink at least this much above the line's ...
EXCESS_SHARE = 0.35  # ... or this share of the line's own level, whichever is more ...
ALONG_MM = 2.0  # ... over at least this much of the line's length inside the square


def band_samples(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    side: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cross-sections at positions (px, py) along the normal (nx, ny), whole-pixel offsets
    -side[1]..side[1]: (the offsets, their pixel columns and rows, which positions lie wholly
    on the image, the grey levels with nan at the positions that do not). Shared by band_ink
    and fold24's."""
    hh, ww = image.shape
    offs = np.arange(-side[1], side[1] + 1)
    qx = np.rint(px[None, :] + offs[:, None] * nx).astype(np.int64)
    qy = np.rint(py[None, :] + offs[:, None] * ny).astype(np.int64)
    ok = ((qx >= 0) & (qy >= 0) & (qx < ww) & (qy < hh)).all(axis=0)
    g = np.full(qx.shape, np.nan)
    g[:, ok] = image[qy[:, ok], qx[:, ok]]
    return offs, qx, qy, ok, g


def band_ink(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    band: int,
    side: tuple[int, int],
) -> np.ndarray:
    """At each position (px, py): the darkness of the band (whole-pixel offsets -band..band
    along the normal (nx, ny)) against the paper beside it (the mean of the two sides'
    medians over offsets side[0]..side[1] each way), summed across the band, in pixels
    (divide by px per mm for mm). nan where a sample is off the image, a sample is PRINT_DARK
    darker than that paper, or the two sides differ by SIDE_STEP of it."""
    offs, _qx, _qy, ok, g = band_samples(image, px, py, nx, ny, side)
    a = np.abs(offs)
    left = np.median(g[(offs < 0) & (a >= side[0])], axis=0)
    right = np.median(g[(offs > 0) & (a >= side[0])], axis=0)
    paper = np.maximum((left + right) / 2.0, 1.0)
    with np.errstate(invalid="ignore"):
        bad = (
            ~ok
            | (np.abs(left - right) > SIDE_STEP * paper)
            | (np.where(np.isnan(g), np.inf, g).min(axis=0) <= (1.0 - PRINT_DARK) * paper)
        )
        out = (1.0 - g[a <= band] / paper).sum(axis=0)
    out[bad] = np.nan
    return np.asarray(out)


def _ink_along(
    image: np.ndarray,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    band: int,
    side: tuple[int, int],
) -> np.ndarray:
    return band_ink(image, fx - ts * s, fy + ts * c, c, s, band, side)


def excess_along(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    others: Sequence[tuple[float, float]] = (),
) -> tuple[float, float]:
    """(the line's own level beyond the window in mm, nan if not measured at either end;
    the length in mm of the square's inside where the band carries EXCESS_MM, or
    EXCESS_SHARE of that level, more). Positions inside whose cross-section reaches the
    band of another line taken out (`others`, (theta, rho) each) are not judged: where two
    lines cross, the band carries the other's ink."""
    from kiosk.reading.inspect import _chord

    fx, fy, c, s, t_lo, t_hi = lines7._geometry(centre, theta, rho, half)  # tidy9: lines7's set-up
    band = max(1, round(BAND_MM * scale))
    wide = max(band, round((BAND_MM + BAND_SLACK_MM) * scale))
    side = (band + max(1, round(SIDE_MM[0] * scale)), band + max(2, round(SIDE_MM[1] * scale)))
    side_wide = (wide + side[0] - band, wide + side[1] - band)
    if t_hi <= t_lo:
        return math.nan, 0.0
    owns = []
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        ts = t_edge + sign * np.arange(BEYOND_MM[0], BEYOND_MM[1], STEP_MM) * scale
        v = _ink_along(image, fx, fy, c, s, ts, wide, side_wide)
        v = v[np.isfinite(v)]
        if len(v) >= MIN_JUDGED:
            owns.append(float(np.median(v)) / scale)
    if not owns:
        return math.nan, 0.0
    own = max(0.0, max(owns))
    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale - 1
    i_lo, i_hi = _chord(rho, c, s, inner)
    if i_hi - i_lo < ALONG_MM * scale:
        return own, 0.0
    ts = np.arange(i_lo, i_hi, STEP_MM * scale)
    v = _ink_along(image, fx, fy, c, s, ts, band, side) / scale
    x, y = rho * c - ts * s, rho * s + ts * c  # about the square's middle
    for th, rh in others:
        v[np.abs(x * math.cos(th) + y * math.sin(th) - rh) <= side[1] + band] = np.nan
    # a running median over three positions: one noisy position neither makes nor breaks it
    padded = np.concatenate([v[:1], v, v[-1:]])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smooth = speed32.nanmedian(np.stack([padded[:-2], padded[1:-1], padded[2:]]), 0)
        more = smooth >= own + max(EXCESS_MM, EXCESS_SHARE * own)
    return own, float(more.sum() * STEP_MM)


def band_excess(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    others: Sequence[tuple[float, float]] = (),
) -> bool:
    """Does the line's band through the square's inside carry more ink than the line's own
    level beyond the window (EXCESS_MM or EXCESS_SHARE of it) over ALONG_MM of its length
    (`excess_along`; where another line taken out crosses it, not judged)?"""
    own, length = excess_along(image, centre, theta, rho, half, scale, others)
    return math.isfinite(own) and length >= ALONG_MM


def stroke_on_lines(
    image: np.ndarray,
    centre: tuple[float, float],
    lines: list[tuple[float, float]],
    half: int,
    scale: float,
) -> bool:
    """For the lines the closer look took out ((theta, rho) each): does one of them carry
    a stroke through the square (`band_excess`)? The closer look's hook: a square it would
    read `empty` goes to the commission."""
    if not (ENABLED and STROKE_ON_LINE):
        return False
    return any(
        band_excess(image, centre, th, rh, half, scale, lines[:k] + lines[k + 1 :])
        for k, (th, rh) in enumerate(lines)
    )


# --- rims7's lines of the paper run on across the window ---------------------------------
#
# rims7's ring rule leaves out thin features whose pixels beyond the window lie near one
# straight line (`rims7.straight_reaching`: folds, creases, with whatever touches them). A
# ring's rim that crosses a window's corner leaves it along a few millimetres of arc that
# are as straight as that (a rim of 6 mm radius over 5 mm bends 0.5 mm): the arc was left
# out as a fold and the square read `marked` (tests/test_rims7.py's 0.45 rim through square
# 40: an overvote). A fold, a crease or a line of show-through crosses the whole sheet: on
# the line fitted to the feature beyond the window, thin features are there on the far
# side of the window too. An arc's tangent leads nowhere.

ACROSS_NEAR_MM = 0.8  # within this of the fitted line (rims7.STRAIGHT_MM)
ACROSS_MIN_MM = 1.0  # thin pixels along this much of the line beyond the far side of the window


def window_centre(beyond: np.ndarray) -> np.ndarray:
    """The mean (x, y) of the window's pixels (those not `beyond` it): `line_across`'s
    centre, the same for every component of one window (tidy9: `rims7.straight_reaching`
    asks it once; sums of whole pixel coordinates, exact in any order)."""
    wy, wx = np.nonzero(~beyond)
    return np.array([wx.mean(), wy.mean()])


def line_across(
    mask: np.ndarray, comp: np.ndarray, beyond: np.ndarray, scale: float, centre: np.ndarray | None = None
) -> bool:
    """Is the straight line through the pixels of `comp` (a component of rims7's thin
    features) `beyond` the window also found on the window's far side: pixels of `mask`
    beyond the window within ACROSS_NEAR_MM of the line, on the other side of the window's
    centre, along ACROSS_MIN_MM of it (whole pixels along the line)? True when the rule is
    off (rims7 as it was). `centre`: `window_centre(beyond)`, when the caller has it."""
    if not (ENABLED and LINE_ACROSS):
        return True
    ys, xs = np.nonzero(comp & beyond)
    if ys.size < 3:
        return True
    if centre is None:
        centre = window_centre(beyond)
    oy, ox = np.nonzero(mask & beyond & ~comp)
    return line_across_points(ys, xs, oy, ox, scale, centre)


def line_across_points(
    ys: np.ndarray, xs: np.ndarray, oy: np.ndarray, ox: np.ndarray, scale: float, centre: np.ndarray
) -> bool:
    """`line_across`'s test on its points (speed26): `ys, xs` = `np.nonzero(comp & beyond)`,
    `oy, ox` = `np.nonzero(mask & beyond & ~comp)`, `centre` = `window_centre(beyond)`.
    `line_across` makes them from its masks and calls this; rims7's `_straight_by_points` has
    them already, so both ask the same arithmetic on the same arrays."""
    if not (ENABLED and LINE_ACROSS):
        return True
    if ys.size < 3:
        return True
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    mean = pts.mean(axis=0)
    _w, v = np.linalg.eigh((pts - mean).T @ (pts - mean))
    d, n = v[:, 1], v[:, 0]  # along, across
    side = float(np.sign((mean - centre) @ d)) or 1.0
    if oy.size == 0:
        return False
    q = np.stack([ox, oy], axis=1).astype(np.float64) - centre
    along = q @ d
    near = (np.abs((q - (mean - centre)) @ n) <= ACROSS_NEAR_MM * scale) & (along * side < 0)
    return bool(np.unique(np.rint(along[near])).size >= ACROSS_MIN_MM * scale)


# --- a faint stroke kept inside a stained square (stroke_inside) ---------------------------
#
# The closer look lets a square go `empty` when the paper around it explains its darkening
# (`inspect.paper_explains`, a stain) and no hand is near (`inspect.hand_near`). Under a
# stain the ring explained (`possible_stain`), a faint stroke inside counts only when the
# inside has more faint features than the window's margin (`faint_excess`: a thumb's
# ridges and a ring's rim run through both). A tea stain's grainy paper has as many faint
# features in the margin, and a light pencil tick (0.10) inside the square was let go as
# the stain's (tests/test_redteam6.py's tick under a tea stain's edge). A stain's features
# run through the square; a voter's stroke is drawn in it: one faint thin feature at least
# INSIDE_MM long that goes on into the window's margin from at most one place (a tick's
# arm may overshoot the border; a rim or a ridge enters and leaves) keeps the square in
# review.

STROKE_INSIDE = True  # `stroke_inside` (the tests switch one rule off at a time)
INSIDE_MM = 3.0  # the faint feature's box, its longer side at least this
EDGE_MM = 0.3  # the inside's edge: this band along it
OUT_MM = 1.5  # a feature goes on past the border when the margin has one this far out ...
OUT_SIDE_MM = 0.8  # ... within this either side of where it met the inside's edge ...
OUT_LONG_MM = 1.0  # ... at least this long (its box's longer side: not the paper's grain)


def _goes_on(
    piece: np.ndarray, margin_long: np.ndarray, cy: float, cx: float, reach: float, scale: float
) -> bool:
    """Does the margin carry a long faint feature (`margin_long`) straight out from where
    `piece` meets the inside's edge, up to `reach` px from the square's middle (cy, cx),
    within OUT_SIDE_MM of it sideways?"""
    py, px = np.nonzero(piece)
    my, mx = float(py.mean()) - cy, float(px.mean()) - cx
    fy, fx = np.nonzero(margin_long)
    if fy.size == 0:
        return False
    dy, dx = fy - cy, fx - cx
    side = OUT_SIDE_MM * scale
    if abs(mx) >= abs(my):  # the left or right edge
        sel = (np.sign(dx) == np.sign(mx)) & (np.abs(dx) <= reach) & (np.abs(dy - my) <= side)
    else:
        sel = (np.sign(dy) == np.sign(my)) & (np.abs(dy) <= reach) & (np.abs(dx - mx) <= side)
    return bool(sel.any())


def _long_parts(mask: np.ndarray, length: float) -> np.ndarray:
    """The 8-connected parts of `mask` whose box's longer side is at least `length` px."""
    import cv2

    n, labels, stats, _c = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        keep[i] = max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) >= length
    out: np.ndarray = keep[labels]
    return out


def stroke_inside(
    thin: np.ndarray, inside: np.ndarray, border: np.ndarray, search: np.ndarray, faint: float, scale: float
) -> bool:
    """Is there, among the thin features at least `faint` (`inspect.FAINT_STROKE`) inside the
    square (`inside & search`), an 8-connected one whose box's longer side is at least
    INSIDE_MM and that goes on into the window's margin (`_goes_on`, past the printed
    border's zone) from at most one of the places where it meets the inside's edge?"""
    if not (ENABLED and STROKE_INSIDE):
        return False
    import cv2

    mask = (inside & search & (thin >= faint)).astype(np.uint8)
    n, labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return False
    e = max(1, round(EDGE_MM * scale))
    core = cv2.erode(inside.astype(np.uint8), np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
    edge = inside & ~core
    iy, ix = np.nonzero(inside)
    cy, cx = (iy.min() + iy.max()) / 2.0, (ix.min() + ix.max()) / 2.0
    inner = (iy.max() - iy.min()) / 2.0
    reach = inner + (TARGET_STROKE + 0.35 + 0.5 + OUT_MM) * scale
    margin_long = _long_parts((thin >= faint) & ~inside & ~border & search, OUT_LONG_MM * scale)
    for i in range(1, n):
        if max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) < INSIDE_MM * scale:
            continue
        k, parts = cv2.connectedComponents(((labels == i) & edge).astype(np.uint8), connectivity=8)
        going = sum(_goes_on(parts == j, margin_long, cy, cx, reach, scale) for j in range(1, k))
        if going <= 1:
            return True
    return False
