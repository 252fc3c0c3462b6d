"""A hand's stroke crossing the square's border or corner from outside, which the closer
look's stain path let go as a stain's rim (issue 10, edge15: seed 10400 sheet 28410, jsdp).

Why. The fifteenth pass's untouched run (seed 10400) read a light pencil *edge tick* `empty`: a tick
drawn low and to the right, its arms crossing the square's lower-right corner, mostly
outside it (fieldkit's `DeckOptions.edge_ticks`). Its fast score (0.038) sent it to the
closer look; the paper interpolated from the window's ring explained most of it (the arms
lie in the ring), so the square was `possible_stain`; the wider neighbourhood's paper
explained it too (`paper_explains`), and with `stain_like` `hand_near` ignores a faint
stroke in the window's margin (a stain's rim, a thumb's ridges lie there too): `empty`.

The rule (`tick_arm`). On the square's window widened by REACH_MM, the faint thin features
(the black top-hat of `inspect_square`, >= FAINT) outside the printed border's zone, in
8-connected components (`arms`). A component is a hand's arm if, near the point where it
reaches the printed border's zone (within TOUCH_PX of it), its pixels within LOCAL_MM of that
point lie along one straight line: at least ARM_MM long along it; their spread across it
(root mean square) from STROKE_MM to WIDTH_MM, a pencil or pen stroke's width (a thumb's
ridge, 0.45 mm from the next, is a fringe under STROKE_MM at 200-300 dpi); their median
contrast at least LEVEL; heading into the square, at least ANGLE_DEG from the side it reaches
(at a corner, from the nearer of the two sides), so a rim running along the square is not
one; and not going on through the square (faint ink inside the square on its line for
THROUGH_MM or more: a rim or a fold crossing it, as much inside as outside). A tick has one
or two arms: more than MAX_ARMS straight runs (ARM_MM long) reaching the zone are a thumb's
ridges, and the answer is no.

Where it stops. Asked only where the closer look is about to read `empty` with the window's
margin holding a faint stroke (`inspect.faint_stroke`) that the test there ignored: the
stain path (`possible_stain`, `paper_explains`, `hand_near` with `stain_like`) and the
thumb's ridges / doubt band's `empty` (`stains6.thumb_score`, or a score under `marginal`:
the margin is not asked there). It only sends to review (`marginal_mark`), never decides. A
tick wholly outside the square's window, a stroke in the margin that stops short of the
printed border's zone (more than TOUCH_PX away), and squares the fast score lets go are
left alone. docs/reading.md, "Fifteenth pass: a tick across the square's corner read empty
(edge15)".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading.crop import placed as _window

ENABLED = True

REACH_MM = 2.5  # the window widened by this on each side
FAINT = 0.1  # thin contrast of a faint stroke (inspect.FAINT_STROKE)
TOPHAT_MM = 1.6  # inspect.TOPHAT_MM
ZONE_MM = 0.5  # the printed border's zone reaches this far outside the square (inspect)
TOUCH_PX = 1.5  # a component reaches the border's zone: within this of it
LOCAL_MM = 2.5  # the arm's pixels: within this of where it reaches the zone
ARM_MM = 1.5  # the straight run at least this long
WIDTH_MM = 0.3  # rms spread across the line at most this
STROKE_MM = 0.12  # and at least this: a stroke's width (0.4 mm and up), not a ridge's fringe
LEVEL = 0.11  # median thin contrast at least this (the faint cut is 0.1)
MAX_ARMS = 2  # more straight runs than this reaching the border: a thumb's ridges, not a tick
ANGLE_DEG = 25.0  # the line at least this far from the side it reaches
THROUGH_MM = 2.0  # faint ink on the line inside the square this long: a line of the paper
BAND_MM = 0.4  # the line's band inside the square, half width


def _thin(ext: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    k = max(3, int(TOPHAT_MM * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    out: np.ndarray = cv2.morphologyEx(np.ascontiguousarray(ext), cv2.MORPH_BLACKHAT, kernel).astype(
        np.float32
    )
    return out * (gain / paper)


def arm_fit(px: np.ndarray, py: np.ndarray) -> tuple[float, float, float, float, float]:
    """The straight line through points (px, py): (centre x, centre y, direction x,
    direction y, rms spread across it), by the second moments."""
    mx, my = float(px.mean()), float(py.mean())
    dx, dy = px - mx, py - my
    sxx, syy, sxy = float((dx * dx).mean()), float((dy * dy).mean()), float((dx * dy).mean())
    theta = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    ux, uy = math.cos(theta), math.sin(theta)
    across = -uy * dx + ux * dy
    return mx, my, ux, uy, float(np.sqrt((across * across).mean()))


def arm_fit_reference(px: list[float], py: list[float]) -> tuple[float, float, float, float, float]:
    """`arm_fit` by the eigenvector of the 2x2 scatter matrix (numpy's eigh), for the test."""
    p = np.array([px, py], dtype=np.float64)
    c = p.mean(axis=1, keepdims=True)
    d = p - c
    w, v = np.linalg.eigh(d @ d.T / p.shape[1])
    ux, uy = float(v[0, 1]), float(v[1, 1])
    return float(c[0, 0]), float(c[1, 0]), ux, uy, math.sqrt(max(0.0, float(w[0])))


@dataclass(frozen=True)
class Arm:
    """One faint component reaching the printed border's zone, near where it reaches it."""

    length: float  # mm along its straight line
    spread: float  # mm, rms across it
    heads: float  # sine of its angle to the side it reaches (at a corner, the larger)
    through: float  # mm of faint ink inside the square on its line
    level: float  # median thin contrast of its pixels near the zone

    def is_arm(self) -> bool:
        return (
            self.length >= ARM_MM
            and STROKE_MM <= self.spread <= WIDTH_MM
            and self.level >= LEVEL
            and self.heads >= math.sin(math.radians(ANGLE_DEG))
            and self.through < THROUGH_MM
        )


def arms(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    paper: float,
    gain: float,
) -> list[Arm]:
    """Every faint component outside the printed border's zone of the square's window
    widened by REACH_MM that reaches the zone, measured near where it reaches it. `paper`:
    the window's paper grey (max of the ring levels), `gain` as the closer look has it."""
    e = math.ceil(REACH_MM * scale)
    ext, x0, y0 = _window(image, centre[0], centre[1], half + e)
    thin = _thin(ext, scale, paper, gain)
    h, w = thin.shape
    ys = np.arange(h, dtype=np.float64)[:, None] - (centre[1] - y0)
    xs = np.arange(w, dtype=np.float64)[None, :] - (centre[0] - x0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    outer = (TARGET / 2 + ZONE_MM) * scale
    faint = thin >= FAINT
    mask = (faint & (box > outer)).astype(np.uint8)
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    out: list[Arm] = []
    if n <= 1:
        return out
    near = labels[(box <= outer + TOUCH_PX) & (mask > 0)]
    yy, xx = np.nonzero(mask)
    lab = labels[yy, xx]
    fx, fy = xs[0, xx], ys[yy, 0]
    fv = thin[yy, xx]
    iy, ix = np.nonzero(faint & (box <= (TARGET / 2 - TARGET_STROKE - 0.35) * scale))
    gx, gy = xs[0, ix], ys[iy, 0]
    for c in np.unique(near):
        sel = lab == c
        cx, cy = fx[sel], fy[sel]
        t = int(np.argmin(np.maximum(np.abs(cx), np.abs(cy))))
        tx, ty = float(cx[t]), float(cy[t])
        loc = (cx - tx) ** 2 + (cy - ty) ** 2 <= (LOCAL_MM * scale) ** 2
        if int(loc.sum()) < 3:
            continue
        mx, my, ux, uy, spread = arm_fit(cx[loc], cy[loc])
        along = (cx[loc] - mx) * ux + (cy[loc] - my) * uy
        # The side it reaches: its normal is x (left/right) or y (top/bottom); at a corner
        # (within ZONE_MM of the diagonal) the nearer of the two is as good.
        heads = max(
            abs(ux) if abs(tx) >= abs(ty) - ZONE_MM * scale else 0.0,
            abs(uy) if abs(ty) >= abs(tx) - ZONE_MM * scale else 0.0,
        )
        # A line of the paper or a rim goes on through the square: faint ink inside the
        # square on the same line, along it.
        through = 0.0
        if gx.size:
            on = np.abs(-uy * (gx - mx) + ux * (gy - my)) <= BAND_MM * scale
            if on.any():
                a = (gx[on] - mx) * ux + (gy[on] - my) * uy
                through = float(a.max() - a.min()) / scale
        level = float(np.median(fv[sel][loc]))
        out.append(Arm(float(along.max() - along.min()) / scale, spread / scale, heads, through, level))
    return out


def tick_arm(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    paper: float,
    gain: float,
) -> bool:
    """Does a faint straight stroke outside the square run up to its printed border, heading
    into the square (a tick's arm across its border or corner)?"""
    found = arms(image, centre, half, scale, paper, gain)
    if sum(a.length >= ARM_MM for a in found) > MAX_ARMS:
        return False
    return any(a.is_arm() for a in found)
