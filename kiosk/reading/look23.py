"""A light stroke that crosses the printed border from beside the square and goes on inside
(issue 10, look23: red22's look misses).

Why. red22 (docs/reading.md, twenty-second pass) drew light HB pencil marks (0.45 mm, 0.16
of the light, grain 0.4) beside squares the rules settle `empty`: 17 of them, a foot or an
arm over the printed border with up to 1-2 mm of stroke inside, were read `empty` before
any rule was asked. Every one of the 17 is in the doubt band (the square's stain or
show-through already sent it to the closer look) and the closer look, the second looks,
and wrong10's `last_look` (the wider band's tests) all read it `empty`: their stroke tests
look for runs of 2-2.5 mm inside or slanted in the window, and a foot of 0.5-2 mm inside
is too short, while its arm beyond the border is too faint at the closer look's levels
(140/69/39: one stroke from 6.5 mm below the middle to 0.5 mm from it scores 0.016, its
evidence 0.0).

The rule (`arm_across`, asked where a square the closer look was sent to is about to be
read `empty` after every look said so): empty8's runs (`pencil6.trace_contrast` at
`empty8.LEVEL`, inside the square and in the margin NEAR_MM beyond its printed border, the
printed border's zone left out) and arm22's shape: a run inside that reaches the inside's
edge and goes ARM_IN_MM in from it (a foot), a margin run reaching the border zone's outer
edge (an arm), a foot's entry within ARM_GAP_MM of an arm's pixels there. What a line of
the paper does differently, and is refused:
- a fold, a crease, a rim through the square leaves a run inside that reaches the inside's
  edge in two places ENTRY_APART_MM apart or more (it goes in and out): not a foot;
- a printed rule, a streak, a fold along the sheet beside the square: a margin run along the
  square's sides (`empty8._along_axes`) is no arm;
- a stain's soft edge: the foot's ridge (`empty8.ridge`) must be at least FOOT_LEVEL (a pencil
  stroke's box mean, not a gentle slope) and the arm's at least the same;
- a line of the paper across the square broken just short of its way out: a run inside
  SPAN_MM long or more whose far end comes within EDGE_MM of the inside's edge is no foot;
- a crease broken at `empty8.LEVEL` into pieces (one piece a "foot"): along the line through
  the arm's run and the foot, past the foot's far end inside the square and in the margin
  beyond the other side, the contrast's median is at least GOES_ON of the foot's ridge (the
  line goes on; a hand's stroke that ends in the square leaves paper there).
Found: the square goes to review (`marginal_mark`). Nothing is read `marked` or `empty`.

Where it stops: a tick whose foot lies on the printed border and short of the inside (red22's
`tick-foot`) leaves nothing inside: it is a mark beside the square and stays `empty` (decided:
docs/reading.md). A foot fainter than `empty8.LEVEL` in the box mean, or under FOOT_LEVEL, is
not seen (4 of red22's 14 strokes into the square). A crease clipping the square whose line
the foot's does not follow goes to review (the price). Squares outside the doubt band are not
asked (red22's 17 misses were all in it). Plain numpy and OpenCV on the window, no kernel.
docs/reading.md, "Twenty-third pass: a light stroke over the border into a square the closer
look read empty (look23)".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import empty8, pencil6

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

# False: the closer look's `empty` stands (tests' companions; the A/B).
ENABLED = True

NEAR_MM = empty8.NEAR_MM  # the margin looked at beyond the printed border (empty8's, 2 mm)
ARM_IN_MM = 0.2  # a foot reaches at least this far in from the inside's edge (arm22's 0.3 is for
# a run empty8 would otherwise count as noise; red22's light feet over a skewed border reach
# 0.23-0.33 mm at 150 dpi, 204/4's tick and 105/37/18's cross)
ARM_GAP_MM = 1.9  # ... its entry within this of an arm's pixels at the zone's edge (arm22's 1.8:
# the zone is 1.2 mm wide; 105/37/18's cross arm crosses it at 1.87)
ENTRY_APART_MM = 1.5  # a run inside touching the inside's edge at points this far apart goes in and
# out (a line of the paper crossing the square or clipping its corner; a pen foot enters once: its
# entry is its width across, 0.45-0.8 mm, or 1 mm at 45 degrees)
FOOT_LEVEL = 0.05  # a foot's ridge (box-mean contrast) at least this, and its arm's: red22's HB
# 0.16 feet are 0.051-0.12; on 140 `stain` a stain's soft rim (22/0, 0.048) and show-through
# beside the border (14/2, 0.043) are under it
SPAN_MM = 2.5  # a run inside this long whose far end comes within EDGE_MM of the inside's edge
EDGE_MM = 0.8  # ... crosses the square (a crease or a streak broken at LEVEL short of its way out: dev
# creases 130/21/35, 155/41/0 and 41/2, 140/73/9, the streak 105/117/11: 2.8-4.5 mm long, their far
# ends 0.37-0.70 mm from the edge; red22's longest foot, the arm to 0.5 mm from the middle, is
# 2.1 mm and ends 1.8 mm from the edge)
AT_MM = 0.3  # an arm's pixels this near the printed border zone's outer edge
PAST_MM = 0.5  # the line beyond the foot's far end is judged from this far past it ...
SIDE_MM = 0.15  # ... the highest contrast this close across (empty8's SIDE_MM) ...
FAR_MM = 1.5  # ... and in the margin beyond the other side, from AT_MM to this beyond the zone
GOES_ON = 0.5  # ... each median under this share of the foot's ridge: the stroke ends there


def arm_across(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, v: Verdict
) -> bool:
    """Does a light stroke cross the printed border from beside the square and go on inside
    (module docstring), in a square every look read `empty` (`v`)? False when not ENABLED."""
    if not ENABLED or v.mark != "empty":
        return False
    at = (float(centre[0]), float(centre[1]))
    return found(image, at, scale, float(np.max(levels)), gain) is not None


def found(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[float, ...] | None:
    """The first foot with an arm that does not go on through the square (`feet`' tuple), or
    None."""
    for foot in feet(image, centre, scale, paper, gain):
        depth, entry, level, gap, _arm, beyond, span, far = foot
        if (
            (span < SPAN_MM or far >= EDGE_MM)
            and depth >= ARM_IN_MM
            and entry < ENTRY_APART_MM
            and level >= FOOT_LEVEL
            and gap <= ARM_GAP_MM
            and beyond < GOES_ON * level
        ):
            return foot
    return None


def feet(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> list[tuple[float, ...]]:
    """Every run inside at the inside's edge with a margin run near it, as (depth, entry,
    ridge, gap, arm ridge, beyond, span, far): how far in from the inside's edge it goes (mm), how far
    apart its pixels at that edge are (mm), its ridge (`empty8.ridge`), how far its pixels
    there are from the nearest margin run's pixels within AT_MM of the printed border zone's
    outer edge (mm), that run's ridge, and the contrast along their line inside the square
    beyond the run's far end (`_beyond`), its length (mm) and how far its far end (from its
    entry) lies from the inside's edge (mm). Margin runs along the square's sides
    (`empty8._along_axes`) or under FOOT_LEVEL are no arms. Only runs that touch those two
    edges are labelled out (a square with none costs the window's contrast and one labelling)."""
    got = empty8.neighbourhood(image, centre, scale)
    if got is None:
        return []
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inner = empty8.INSIDE_MM * scale
    outer = empty8.BORDER_MM * scale
    inside = box <= inner
    zone = (inside | (box > outer)) & (box <= (TARGET / 2 + NEAR_MM) * scale)
    c = pencil6.trace_contrast(win, scale, paper, gain)
    stroke = zone & (c >= empty8.LEVEL)
    at_inner = stroke & inside & (box >= inner - 1.0)
    at_outer = stroke & ~inside & (box <= outer + max(1.0, AT_MM * scale))
    if not at_inner.any() or not at_outer.any():
        return []
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(stroke.astype(np.uint8), connectivity=8)

    def pixels(k: int) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, w, h = (int(v) for v in stats[k, :4])
        iy, ix = np.nonzero(labels[y0 : y0 + h, x0 : x0 + w] == k)
        return iy + y0, ix + x0

    arms: list[tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]] = []
    for k in np.unique(labels[at_outer]).tolist():
        iy, ix = pixels(k)
        rx, ry = xs[iy, ix], ys[iy, ix]
        level = empty8.ridge(c[iy, ix], rx, ry)
        if level < FOOT_LEVEL or (len(ix) >= 3 and empty8._along_axes(ix, iy, scale)):
            continue
        at = box[iy, ix] <= outer + max(1.0, AT_MM * scale)
        arms.append((rx[at], ry[at], level, rx, ry))
    if not arms:
        return []
    out: list[tuple[float, ...]] = []
    for k in np.unique(labels[at_inner]).tolist():
        iy, ix = pixels(k)
        rx, ry = xs[iy, ix], ys[iy, ix]
        b = box[iy, ix]
        edge = b >= inner - 1.0
        ex, ey = rx[edge], ry[edge]
        entry = float(np.hypot(ex.max() - ex.min(), ey.max() - ey.min())) / scale
        level = empty8.ridge(c[iy, ix], rx, ry)
        gap, best = math.inf, arms[0]
        for arm in arms:
            d = float(np.hypot(arm[0][:, None] - ex[None, :], arm[1][:, None] - ey[None, :]).min()) / scale
            if d < gap:
                gap, best = d, arm
        beyond = _beyond(c, inside, xs, ys, rx, ry, best[3], best[4], scale)
        # Its length, and how near the inside's edge its far end (from its entry) comes.
        lx, ly, ux, uy = empty8._line(rx, ry)
        t = (rx - lx) * ux + (ry - ly) * uy
        far = int(np.argmax(np.hypot(rx - float(ex.mean()), ry - float(ey.mean()))))
        span = (float(t.max() - t.min()), inner - float(b[far]))
        out.append(
            (
                (inner - float(b.min())) / scale,
                entry,
                level,
                gap,
                best[2],
                beyond,
                span[0] / scale,
                span[1] / scale,
            )
        )
    return out


def _beyond(
    c: np.ndarray,
    inside: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    rx: np.ndarray,
    ry: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    scale: float,
) -> float:
    """The median contrast inside the square along the line through the arm's run (ax, ay)
    and the foot's (rx, ry), into the square, from PAST_MM beyond the foot's far end
    on to the inside's far edge, and in the margin beyond that side (AT_MM to FAR_MM beyond
    the border zone), the highest within SIDE_MM across at each 1-px step, the higher of the
    two medians: a line of the paper goes on there (a crease's, a fold's or a streak's run broken at
    `empty8.LEVEL` into pieces), a hand's stroke that ends in the square leaves paper."""
    px = np.concatenate([ax, rx])
    py = np.concatenate([ay, ry])
    mx, my = float(rx.mean()), float(ry.mean())
    _lx, _ly, ux, uy = empty8._line(px, py)
    if ux * (mx - float(ax.mean())) + uy * (my - float(ay.mean())) < 0:
        ux, uy = -ux, -uy  # from the arm into the square
    t0 = float(((rx - mx) * ux + (ry - my) * uy).max()) + PAST_MM * scale
    xs0, ys0 = float(xs[0, 0]), float(ys[0, 0])
    h, w = c.shape
    side = max(1, round(SIDE_MM * scale))
    box = np.maximum(np.abs(xs), np.abs(ys))
    far = (empty8.BORDER_MM + AT_MM) * scale  # the other side's margin from here ...
    end = (empty8.BORDER_MM + FAR_MM) * scale  # ... to here
    inner: list[float] = []
    beyond: list[float] = []
    t = t0
    while True:
        x, y = mx + t * ux, my + t * uy
        xi, yi = round(x - xs0), round(y - ys0)
        if not (0 <= xi < w and 0 <= yi < h) or box[yi, xi] > end:
            break
        part = inner if inside[yi, xi] else beyond if box[yi, xi] >= far else None
        t += 1.0
        if part is None:
            continue
        best = -math.inf
        for k in range(-side, side + 1):
            qx, qy = round(x - k * uy - xs0), round(y + k * ux - ys0)
            if 0 <= qx < w and 0 <= qy < h:
                best = max(best, float(c[qy, qx]))
        part.append(best)
    got = [float(np.median(v)) for v in (inner, beyond) if len(v) >= max(2, round(PAST_MM * scale))]
    return max(got, default=0.0)
