"""Empty squares settled with a positive test (issue 10, the eighth pass: empty8).

A third to a half of the review the reader adds beyond the truth is EMPTY squares: a
stain's rim, a fold, a crease, a scanner's faint streak, show-through or a thumb print
crosses the square, and one of the closer looks' stroke tests (`inspect.faint_stroke`,
`inspect.pencil_stroke` through `hand_near`, `inspect.line_stops_short`,
`lines7.hand_on_lines`, `pencil6.pencil_near`) finds a "stroke" in it, or the paper
around does not explain its darkening: the commission is asked. Those tests only ever
keep a square out of `empty`; nothing read a square `empty` on evidence that nothing was
drawn. This module asks that question positively (`nothing_drawn`; `drawn` says what
was found), on the square's neighbourhood (the square and AROUND_MM beyond its edge):

- no pen: no more than DARK_MM2 of the inside DARK darker than the paper under it (a
  grey closing over CLOSE_MM: strokes and the printed border taken out, a stain's
  darkening kept): a hesitation dot, a pen stroke keep the square in review;
- every stroke run is the paper's: the runs (8-connected) of pixels at LEVEL of
  `pencil6.trace_contrast` (each pixel's box mean against the paper 0.8 mm to both sides;
  LEVEL is well under the faintest real pencil stroke, which the corpus draws at 0.07 and
  more) inside the square and in the margin NEAR_MM beyond its printed border (print left
  out; a tick drawn mostly beside the square crosses it), each at least RUN_MM long,
  except runs in the margin that lie along the square's sides (AXES_DEG: a printed rule's
  blur, a streak, a fold along the sheet), are each `explained`:
  * not clearly a small circle's arc (a circle fitted CIRCLE_BETTER better than the line
    with a radius under MIN_RADIUS_MM: a circle mark, a scribble);
  * FIT_SHARE of its pixels within FIT_MM (and half its width) of its straight line, or
    of its circle where that is a rim's (MIN_RADIUS_MM up);
  * followed from both ends (`trace`: 1 px a step, the darkest free pixel within SIDE_MM
    sideways, the search widening by GAP_SLACK a step over gaps such as print and the
    printed border's zone, turning with the circle or towards what it finds), the curve
    is there (at AGAIN of the run's ridge contrast and LEVEL) at THERE_SHARE of the
    positions from OUT_MM[0] to OUT_MM[1] from the square's middle (1.5-5 mm beyond its
    edge, where a voter's tick or cross has ended: the generator's overshoot is 1.3 mm at
    most), over at least JUDGE_MM (session 55, ON_LINE: a straight run's trace looks only
    within ON_LINE_MM of the run's own line, so it cannot turn onto another line it meets,
    such as MZ-SMD-02's row rules 2 mm beyond the border; a step that sees paper only off
    that line finds the line not there);
  * nothing lies along it: the run's ridge (`ridge`: the highest pixel at each position
    along it, the median of those) is at most ALONG above the curve's own beyond the
    square (a pencil dash drawn on a crease, a fold or a rim);
  and the short runs inside the square (noise) cover at most NOISE_SHARE of the inside
  and at most NOISE_TIMES the share the paper around has (plus NOISE_SHARE / 4);
- no fill: the inside's paper (its stroke pixels left out) is at most FILL_STEP darker
  than the darkest of the four sides of the band beyond the printed border (a light fill
  stops at the border; a stain's darkening runs on across it).

Where it is asked (`settles_empty`, one hook in `reader.BallotReader._interpret` after
the closer look, the second looks and settle7): only a square in review as
`marginal_mark` or `possible_stain` (never `crossing_line`), whose reported score is
under `marked`, with no hesitation dot (`settle7.pen_dot`). It then reads `empty` (its
score kept). The wider band's and the low band's squares (`pencil6.pencil_near`,
`pencil7.wider_look` alone) are not asked.

Where it stops: a light stroke drawn exactly along a rim, a fold or a crease and no more
than ALONG above it on its ridge, or a voter's long straight stroke that runs on 5 mm
beyond the square at both ends (a ruled line), is taken for the paper's; strokes fainter
than LEVEL in the box mean are not seen (a trace of an erasure, but also a mark the
closer look itself could not see); a rim that bends away over the printed border's
gap, two lines crossing in one run (they join into one run, not one curve) and a rim
that only clips the inside stay in review. The module has no fast version of anything
(no compiled kernel; a square in doubt costs 1-40 ms here), so no slow reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop, fill61, lines7, pencil6
from kiosk.reading.model import Thresholds

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

ENABLED = True  # tests and the A/B read each sheet with it off too ("before")

AROUND_MM = 5.5  # the neighbourhood: this far beyond the square's printed edge
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
BORDER_MM = TARGET / 2 + 0.5  # the printed border's zone, as `inspect` has it
CLOSE_MM = 2.5  # the paper under the square: a grey closing this wide
DARK = 0.3  # a pixel inside this much darker than that paper: pen (a hesitation dot, a stroke)
DARK_MM2 = 0.02  # ... over at least this area
PRINT = 0.3  # beyond the border: print (rules, text, the next square), left out of the curves
AXES_DEG = 10.0  # a run beside the square this close to its sides' directions is not judged ...
SIDE_RUN_MM = 9.0  # ... if it runs at least this far (past the whole side of the zone) ...
ACROSS_MM = 0.7  # ... and stays within this of its own straight line (a line of the paper)
CEIL = Thresholds().marked  # asked only under the default `marked`, the band it was measured in
NEAR_NOISE = 0.05  # a short slanted run beside the square this faint (its ridge) is noise
NEAR_MM = 2.0  # runs are looked for inside the square and this far beyond its printed edge
LEVEL = 0.025  # a stroke pixel: this much darker than the paper beside it (box means)
RUN_MM = 1.5  # a run inside at least this long is judged as a curve; shorter ones are noise
FIT_MM = 0.3  # a run's pixels within this of the fitted curve (plus half its width) ...
FIT_SHARE = 0.95  # ... this share of them at least
CIRCLE_BETTER = 0.7  # the circle is taken when its RMS distance is under this share of the line's
MIN_RADIUS_MM = 3.0  # a circle fitted tighter than this is a hand's (a circle mark, a scribble)
LINE_RADIUS_MM = 200.0  # a circle this wide is a straight line
OUT_MM = (TARGET / 2 + 1.5, TARGET / 2 + 5.0)  # where the curve must go on (from the middle)
END_MM = 2.0  # a run's direction at its end: from its pixels this close to the end
GAP_SLACK = 0.12  # ... widened by this many px per step of a gap (the direction known to ~5 degrees)
TRACE_MM = 14.0  # a curve is followed this far at most
SIDE_MM = 0.15  # the darkest this close to the followed curve is the curve's
JUDGE_MM = 1.0  # at least this much of the followed curve on paper, each side
THERE_SHARE = 0.8  # ... at this share of the positions followed, at least
AGAIN = 0.5  # the curve beyond the square at least this share of the run's contrast
ALONG = 0.02  # the run's contrast at most this above the curve's own beyond the square
NOISE_SHARE = 0.02  # what is left inside at LEVEL: at most this share of the inside ...
NOISE_TIMES = 2.0  # ... and this many times the share the paper around has (plus NOISE_SHARE / 4)
FILL_STEP = 0.03  # the inside's paper at most this darker than the darkest side's beyond the border
# arm22: an arm that ends inside the square is no line of the paper (a fold, a rule, a rim goes
# on through the square or passes it by). red22's two holes: a light pencil arm from beside the
# square joins the printed rule's run in the margin (skipped as along the sides) or goes on
# outward, and its foot inside, shorter than RUN_MM, counted as noise.
ARM_ENDS = True  # tests and the A/B read each sheet with it off too ("before")
# session 55 (a helper's attack on MZ-SMD-02): a straight run's trace looks only within
# ON_LINE_MM of the run's own line. A light stroke whose trace met the row rule 2 mm beyond the
# border turned onto it and "went on" along it, and a real stroke was settled `empty`.
ON_LINE = True
ON_LINE_MM = 0.8  # ... at the run's end, widening by ON_LINE_DEG along the line: a short run's
ON_LINE_DEG = 5.0  # line is known to a few degrees, and a crease it lies on is followed 8 mm
ARM_IN_MM = 0.3  # a short run inside reaching this far in from the inside's edge is a foot (1-2 px
# of a stain's grain at the edge are not; red22's feet reach 0.6 mm in)
ARM_GAP_MM = 1.8  # ... and a margin run within this of it at the border zone's outer edge is its arm
# (the zone is 1.2 mm wide: an arm crossing it at 45 degrees moves 1.2 mm sideways, 1.7 mm in all)


def neighbourhood(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The square and AROUND_MM beyond its edge (clipped to the image), and each pixel's
    offset from the centre (xs, ys; px)."""
    got = crop.around(image, centre, int((TARGET / 2 + AROUND_MM) * scale))
    if got is None:
        return None
    win, xs, ys = got
    h, w = win.shape
    return win, np.broadcast_to(xs, (h, w)).astype(np.float64), np.broadcast_to(ys, (h, w)).astype(np.float64)


def paper_under(win: np.ndarray, scale: float) -> np.ndarray:
    """The paper under the window: a grey closing over CLOSE_MM (strokes, print and the
    printed border taken out; a stain's darkening, wider than that, kept)."""
    k = max(3, int(CLOSE_MM * scale) | 1)
    out: np.ndarray = cv2.morphologyEx(
        win, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    return out


def fit_curve(px: np.ndarray, py: np.ndarray) -> tuple[str, tuple[float, float, float, float]]:
    """The straight line (mx, my, ux, uy) or the circle (cx, cy, r, 0) nearest the points:
    the circle only where its RMS distance is under CIRCLE_BETTER of the line's (a short
    straight piece fits a small circle about as well as its line)."""
    line = _line(px, py)
    mx, my, ux, uy = line
    line_rms = math.sqrt(float(((-(px - mx) * uy + (py - my) * ux) ** 2).mean()))
    circle = _circle(px, py)
    if circle is None:
        return "line", line
    ccx, ccy, r, _ = circle
    circ_rms = math.sqrt(float(((np.hypot(px - ccx, py - ccy) - r) ** 2).mean()))
    if circ_rms < CIRCLE_BETTER * line_rms:
        return "circle", circle
    return "line", line


def _line(px: np.ndarray, py: np.ndarray) -> tuple[float, float, float, float]:
    """The straight line nearest the points (principal axis): (mx, my, ux, uy)."""
    mx, my = float(px.mean()), float(py.mean())
    dx, dy = px - mx, py - my
    along = 0.5 * math.atan2(2 * float((dx * dy).mean()), float((dx * dx).mean() - (dy * dy).mean()))
    return mx, my, math.cos(along), math.sin(along)


def _distance(kind: str, p: tuple[float, float, float, float], px: np.ndarray, py: np.ndarray) -> np.ndarray:
    if kind == "line":
        mx, my, ux, uy = p
        out: np.ndarray = np.abs(-(px - mx) * uy + (py - my) * ux)
        return out
    ccx, ccy, r, _ = p
    out = np.abs(np.hypot(px - ccx, py - ccy) - r)
    return out


def _ends(px: np.ndarray, py: np.ndarray, scale: float) -> list[tuple[float, float, float, float]]:
    """The run's two ends (the pixels farthest apart along its principal axis) and the
    direction out of the run at each (from the run's pixels within END_MM of the end)."""
    mx, my, ux, uy = _line(px, py)
    t = (px - mx) * ux + (py - my) * uy
    out = []
    for k in (int(np.argmin(t)), int(np.argmax(t))):
        ex, ey = float(px[k]), float(py[k])
        near = np.hypot(px - ex, py - ey) <= END_MM * scale
        if int(near.sum()) >= 3:
            _mx, _my, vx, vy = _line(px[near], py[near])
        else:
            vx, vy = ux, uy
        # Outwards: away from the run's middle.
        if vx * (ex - mx) + vy * (ey - my) < 0:
            vx, vy = -vx, -vy
        out.append((ex, ey, vx, vy))
    return out


def trace(
    c: np.ndarray,
    free: np.ndarray,
    xs0: float,
    ys0: float,
    end: tuple[float, float, float, float],
    level: float,
    scale: float,
    turn: float = 0.0,
    line: tuple[float, float, float, float] | None = None,
) -> list[float]:
    """Follow the curve from one end of a run (x, y, ux, uy: offsets from the middle and
    the direction out of the run), 1 px a step: at each step the darkest free pixel
    within SIDE_MM sideways of the step ahead; where it is at least `level` the trace
    moves onto it and turns a little towards it, else it goes on (turning by `turn`
    radians a step: a circle's curvature, signed). The contrasts
    found (one per step) while the trace is from OUT_MM[0] to OUT_MM[1] from the middle
    (Chebyshev), until it passes OUT_MM[1] or has gone TRACE_MM. `line` (session 55, ON_LINE):
    the run's straight line (mx, my, ux, uy); only pixels within ON_LINE_MM of it are looked
    at (widening by ON_LINE_DEG with the distance along it from the end), so the trace cannot
    turn onto another line it meets (a printed row rule); a step that sees paper only off that
    line finds the line not there (0)."""
    h, w = c.shape
    lo, hi = OUT_MM[0] * scale, OUT_MM[1] * scale
    x, y, ux, uy = end
    vals: list[float] = []
    gap = 0  # steps since the curve was last seen (over print, the border, a faint stretch)
    near = ON_LINE_MM * scale
    slack = math.tan(math.radians(ON_LINE_DEG))
    t0 = 0.0 if line is None else (x - line[0]) * line[2] + (y - line[1]) * line[3]
    for _ in range(int(TRACE_MM * scale)):
        off = max(1, round(SIDE_MM * scale + GAP_SLACK * gap))
        if turn:
            ct, st = math.cos(turn), math.sin(turn)
            ux, uy = ux * ct - uy * st, ux * st + uy * ct
        ax, ay = x + ux, y + uy
        best, bx, by = None, ax, ay
        off_line = False  # paper seen here, but only off the run's own line
        for k in range(-off, off + 1):
            qx, qy = ax - k * uy, ay + k * ux
            xi, yi = round(qx - xs0), round(qy - ys0)
            if 0 <= xi < w and 0 <= yi < h and free[yi, xi]:
                if line is not None and abs(
                    (qx - line[0]) * line[3] - (qy - line[1]) * line[2]
                ) > near + slack * abs((qx - line[0]) * line[2] + (qy - line[1]) * line[3] - t0):
                    off_line = True
                    continue
                v = float(c[yi, xi])
                if best is None or v > best:
                    best, bx, by = v, qx, qy
        if best is None and off_line:
            best = 0.0  # the line is not there (a trace turned onto another line has left it)
        if best is not None and best >= level:
            dx, dy = bx - x, by - y
            n = math.hypot(dx, dy)
            ux, uy = 0.8 * ux + 0.2 * dx / n, 0.8 * uy + 0.2 * dy / n
            n = math.hypot(ux, uy)
            ux, uy = ux / n, uy / n
            x, y = bx, by
            gap = 0
        else:
            x, y = ax, ay
            gap += 1
        d = max(abs(x), abs(y))
        if d > hi:
            break
        if d >= lo and best is not None:
            vals.append(best)
    return vals


def _darkest(
    c: np.ndarray, free: np.ndarray, x: float, y: float, nx: float, ny: float, off: int, h: int, w: int
) -> float | None:
    """The highest contrast at the free pixels within `off` px of (x, y) along (nx, ny)."""
    best: float | None = None
    for k in range(-off, off + 1):
        xi, yi = round(x + k * nx), round(y + k * ny)
        if 0 <= xi < w and 0 <= yi < h and free[yi, xi]:
            v = float(c[yi, xi])
            best = v if best is None else max(best, v)
    return best


def explained(
    c: np.ndarray,
    free: np.ndarray,
    xs0: float,
    ys0: float,
    px: np.ndarray,
    py: np.ndarray,
    scale: float,
    hand_line: Callable[[float, float], bool] | None = None,
) -> bool:
    """Is the run (pixels px, py, offsets from the middle) a piece of a thin curve of the
    paper: one line or wide circle, going on beyond the square at both ends, no darker
    in the square than beyond it (module docstring)? A run along a straight line is the
    paper's only if `hand_line(theta, rho)` (the line in `inspect`'s normal form) says
    it is no hand's line: lines7's and the closer look's own tests of a line that ends
    on the sheet, carries a stroke or stops short (`settles_empty` gives them); without
    it, never."""
    kind, p = fit_curve(px, py)
    if kind == "circle" and p[2] < MIN_RADIUS_MM * scale:
        return False  # clearly a small circle's arc: a hand's (a circle mark, a scribble)
    # Its line, and its circle where that is wide enough to be a rim's: either will do.
    shapes: list[tuple[str, tuple[float, float, float, float]]] = [("line", _line(px, py))]
    circle = _circle(px, py)
    if circle is not None and MIN_RADIUS_MM * scale <= circle[2] <= LINE_RADIUS_MM * scale:
        shapes.append(("circle", circle))
    ix, iy = np.rint(px - xs0).astype(np.int64), np.rint(py - ys0).astype(np.int64)
    level = ridge(c[iy, ix], px, py)
    mx, my, ux, uy = shapes[0][1]
    theta = math.atan2(ux, -uy)  # the normal (-uy, ux)
    rho = mx * math.cos(theta) + my * math.sin(theta)
    if theta < 0:
        theta, rho = theta + math.pi, -rho
    if _goes_on(c, free, xs0, ys0, "line", shapes[0][1], px, py, level, scale):
        # A straight line of the paper, or a hand's (a ruled line, a tick's long arm)?
        return hand_line is not None and not hand_line(theta, rho)
    # A wide circle: a rim (a hand's straight line that failed above is no circle's).
    return len(shapes) > 1 and _goes_on(c, free, xs0, ys0, "circle", shapes[1][1], px, py, level, scale)


def _goes_on(
    c: np.ndarray,
    free: np.ndarray,
    xs0: float,
    ys0: float,
    kind: str,
    p: tuple[float, float, float, float],
    px: np.ndarray,
    py: np.ndarray,
    level: float,
    scale: float,
) -> bool:
    """The run fits the line or circle `p` (FIT_SHARE of its pixels within FIT_MM and half
    its width) and the curve goes on beyond the square at both ends, no lighter than the
    run by more than ALONG, at THERE_SHARE of the positions followed."""
    dist = _distance(kind, p, px, py)
    width = len(px) / max(1.0, _length(kind, p, px, py))
    if float((dist <= FIT_MM * scale + width / 2).mean()) < FIT_SHARE:
        return False
    need = max(LEVEL, AGAIN * level)
    for end in _ends(px, py, scale):
        turn = 0.0
        if kind == "circle":
            # Along the circle: its tangent at the end, turning towards its centre.
            ex, ey, vx, vy = end
            ccx, ccy, r, _ = p
            tx, ty = -(ey - ccy), ex - ccx
            n = math.hypot(tx, ty)
            if n > 0:
                tx, ty = tx / n, ty / n
                if tx * vx + ty * vy < 0:
                    tx, ty = -tx, -ty
                end = (ex, ey, tx, ty)
                turn = math.copysign(1.0 / r, tx * (ccy - ey) - ty * (ccx - ex))
        side = trace(c, free, xs0, ys0, end, need, scale, turn, p if kind == "line" and ON_LINE else None)
        if len(side) < JUDGE_MM * scale:
            return False
        # There nearly all the way (a tick's arm that runs on 2-3 mm beyond the square
        # and stops covers the start of it), and no lighter than the run.
        there = float((np.asarray(side) >= need).mean())
        if there < THERE_SHARE or level > float(np.median(side)) + ALONG:
            return False
    return True


def ridge(values: np.ndarray, px: np.ndarray, py: np.ndarray) -> float:
    """The run's contrast on its ridge: at each 1-px position along its principal axis
    the highest of its pixels there, the median of those (a run's flanks, at LEVEL on
    either side of a line, are left out; the trace beyond measures the same ridge)."""
    mx, my, ux, uy = _line(px, py)
    t = np.floor((px - mx) * ux + (py - my) * uy).astype(np.int64)
    t -= t.min()
    top = np.full(int(t.max()) + 1, -np.inf)
    np.maximum.at(top, t, values)
    return float(np.median(top[np.isfinite(top)]))


def _circle(px: np.ndarray, py: np.ndarray) -> tuple[float, float, float, float] | None:
    """The circle nearest the points (Kasa's least squares): (cx, cy, r, 0), or None."""
    a = np.stack([px, py, np.ones_like(px)], axis=1)
    try:
        sol, *_ = np.linalg.lstsq(a, -(px * px + py * py), rcond=None)
    except np.linalg.LinAlgError:
        return None
    ccx, ccy = float(-sol[0] / 2), float(-sol[1] / 2)
    r2 = ccx * ccx + ccy * ccy - float(sol[2])
    if not math.isfinite(r2) or r2 <= 0:
        return None
    return ccx, ccy, math.sqrt(r2), 0.0


def _along_axes(ix: np.ndarray, iy: np.ndarray, scale: float) -> bool:
    """Is the run a line of the paper beside the square: within AXES_DEG of the square's
    sides' directions (a printed rule's blur, a scanner streak, a fold along the sheet; a
    tick's arms are slanted), straight and thin (ACROSS_MM: a circle's, a V's, a U's or a
    bracket's principal axis may lie along the sides too) and running past the whole side
    of the zone (SIDE_RUN_MM; the review of the merge found a circle, a tick, a U, an L and
    a bracket drawn just outside the border skipped as print and read `empty`)?"""
    px, py = ix.astype(np.float64), iy.astype(np.float64)
    mx, my, ux, uy = _line(px, py)
    a = math.degrees(math.atan2(abs(uy), abs(ux)))
    if not (a <= AXES_DEG or a >= 90.0 - AXES_DEG):
        return False
    t = (px - mx) * ux + (py - my) * uy
    across = np.abs(-(px - mx) * uy + (py - my) * ux)
    return (
        float(t.max() - t.min()) >= SIDE_RUN_MM * scale
        and float(np.percentile(across, 95)) <= ACROSS_MM * scale
    )


def _length(kind: str, p: tuple[float, float, float, float], px: np.ndarray, py: np.ndarray) -> float:
    """The run's length along its curve (px)."""
    if kind == "line":
        mx, my, ux, uy = p
        t = (px - mx) * ux + (py - my) * uy
        return float(t.max() - t.min()) + 1.0
    ccx, ccy, r, _ = p
    a = np.sort(np.mod(np.arctan2(py - ccy, px - ccx), 2 * math.pi))
    gaps = np.diff(np.concatenate([a, a[:1] + 2 * math.pi]))
    return float(2 * math.pi - gaps.max()) * r + 1.0


def nothing_drawn(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    hand_line: Callable[[float, float], bool] | None = None,
) -> bool:
    """The module's test: nothing was drawn in the square (module docstring)."""
    return drawn(image, centre, scale, paper, gain, hand_line) is None


def drawn(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    hand_line: Callable[[float, float], bool] | None = None,
) -> str | None:
    """What keeps the square from `nothing_drawn`: "edge" (too near the image's edge),
    "dark" (pen-dark ink inside), "run" (a run the paper does not explain), "arm" (arm22: a
    foot inside at the end of an arm beyond the border, `arm_ends_inside`), "noise" (too
    many short runs), "fill" (the inside darker than the paper around), or None."""
    got = neighbourhood(image, centre, scale)
    if got is None:
        return "edge"
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    if float(box.max()) < OUT_MM[1] * scale:
        return "edge"  # the image's edge: not enough paper around to judge
    inside = box <= INSIDE_MM * scale
    border = ~inside & (box <= BORDER_MM * scale)
    under = paper_under(win, scale).astype(np.float64)
    ink = gain * (1.0 - win / np.maximum(under, 1.0))
    dark = inside & (ink >= DARK)
    if float(dark.sum()) >= DARK_MM2 * scale * scale:
        return "dark"
    if fill61.hand_fill(ink, inside, scale):
        return "fill"  # fill61: a light fill over part of the inside
    c = pencil6.trace_contrast(win, scale, paper, gain)
    printed = ~inside & (ink >= PRINT)
    printed = cv2.dilate(printed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    free = ~border & ~printed
    # The inside and the margin beyond the printed border (a tick drawn mostly beside the
    # square crosses it), print left out.
    # The inside and the margin beyond the printed border (a tick drawn mostly beside the
    # square crosses it); print is NOT left out here (a pencil arm beside the square may
    # be as dark as print): a printed rule's run lies along the square's sides.
    zone = ~border & (box <= (TARGET / 2 + NEAR_MM) * scale)
    stroke = zone & (c >= LEVEL)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(stroke.astype(np.uint8), connectivity=8)
    left = np.zeros_like(stroke)
    xs0, ys0 = float(xs[0, 0]), float(ys[0, 0])
    feet: list[tuple[np.ndarray, np.ndarray]] = []  # arm22: short runs inside at its edge
    arms: list[tuple[np.ndarray, np.ndarray]] = []  # ... margin runs at the border zone's outer edge
    for k in range(1, n):
        run = labels == k
        iy, ix = np.nonzero(run)
        touches = bool(inside[iy, ix].any())
        short = max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) < RUN_MM * scale
        if ARM_ENDS:
            b = box[iy, ix]
            if touches and short and float(b.max()) >= INSIDE_MM * scale - 1.0:
                if float(b.min()) <= (INSIDE_MM - ARM_IN_MM) * scale:
                    feet.append((xs[iy, ix], ys[iy, ix]))  # noise but for its arm beyond
            elif not touches:
                at = b <= BORDER_MM * scale + 1.0
                if at.any():
                    arms.append((xs[iy, ix][at], ys[iy, ix][at]))
        if not touches and len(ix) >= 3 and _along_axes(ix, iy, scale):
            continue  # beside the square, along its sides: a printed rule, a streak, a fold
        # Short: noise inside the square (counted below); beside it, a piece of a stroke
        # unless it is faint (a slanted arm cut short by the zone's edge).
        if short and (touches or ridge(c[iy, ix], ix.astype(np.float64), iy.astype(np.float64)) < NEAR_NOISE):
            left |= run
            continue
        if not explained(c, free, xs0, ys0, ix + xs0, iy + ys0, scale, hand_line):
            return "run"
    # arm22: a foot inside whose arm is beyond the border: a hand's stroke ends in the square.
    if ARM_ENDS and arm_ends_inside(feet, arms, scale):
        return "arm"
    # What is left (runs too short to judge): no more than the paper's own noise.
    around = free & (box > (TARGET / 2 + NEAR_MM) * scale) & (box <= OUT_MM[1] * scale)
    if around.sum() == 0:
        return "edge"
    noise = float((c[around] >= LEVEL).mean())
    # (inside the square: beside it, a line of the paper cut short by print leaves pieces)
    share = float((left & inside).sum()) / max(1.0, float(inside.sum()))
    if share > NOISE_SHARE or share > NOISE_TIMES * noise + NOISE_SHARE / 4:
        return "noise"
    # No fill: the inside's paper against the darkest side's beyond the printed border.
    paper_in = inside & ~stroke
    if paper_in.sum() == 0:
        return "fill"
    level_in = float(np.median(win[paper_in]))
    band = free & (box > (BORDER_MM + 0.2) * scale) & (box <= (BORDER_MM + 1.5) * scale)
    sides = (
        band & (ys < -np.abs(xs)),
        band & (ys > np.abs(xs)),
        band & (xs < -np.abs(ys)),
        band & (xs > np.abs(ys)),
    )
    levels = [float(np.median(win[s])) for s in sides if s.sum() >= scale]
    if len(levels) < 4 or gain * (1.0 - level_in / max(1.0, min(levels))) > FILL_STEP:
        return "fill"
    return None


def arm_ends_inside(
    feet: list[tuple[np.ndarray, np.ndarray]], arms: list[tuple[np.ndarray, np.ndarray]], scale: float
) -> bool:
    """arm22: does a run inside that reaches from the inside's edge ARM_IN_MM in (a foot:
    `drawn` gives its pixels' offsets) lie within ARM_GAP_MM of a margin run's pixels at the
    printed border zone's outer edge (its arm beyond the border)? A line of the paper that
    crosses the square leaves a run inside longer than RUN_MM (judged as a curve), one that
    passes by leaves none inside; a hand's arm from beside the square that stops inside
    leaves a foot (whether its arm is followed outward or joins the printed rule's run)."""
    for fx, fy in feet:
        for ax, ay in arms:
            d = np.hypot(fx[:, None] - ax[None, :], fy[:, None] - ay[None, :])
            if float(d.min()) <= ARM_GAP_MM * scale:
                return True
    return False


DOUBT_REASONS = ("marginal_mark", "possible_stain")  # the doubts an empty settle may answer


def in_doubt(mark: str, reason: str | None, score: float, marked: float) -> bool:
    """Is a square one an empty settle may answer (empty8, stain10, lines10, show10 rule
    (b)): in review as one of DOUBT_REASONS, its score under min(`marked`, CEIL)? A
    station's raised `marked` does not widen what is settled empty."""
    return mark == "marginal" and reason in DOUBT_REASONS and score < min(marked, CEIL)


def hand_line_test(
    image: np.ndarray, at: tuple[float, float], half: int, scale: float, page: lines7.PageSource | None
) -> Callable[[float, float], bool]:
    """`nothing_drawn`'s question of a straight run's line: is it a hand's? Yes if
    `inspect.line_stops_short` (gone 4-10 mm beyond the window: a tick's long arm) or
    `lines7.hand_on_lines` (the line ends on the sheet, or a stroke lies along it) says
    so; with no sheet frame (`page` None) every line is a hand's."""
    from kiosk.reading import inspect

    def hand_line(theta: float, rho: float) -> bool:
        line = inspect.Line(theta, rho, 1.0, 0.0)
        return page is None or (
            inspect.line_stops_short(image, at, line, half, scale, page)
            or lines7.hand_on_lines(image, at, [(theta, rho)], half, scale, page)
        )

    return hand_line


def settles_empty(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
    marked: float,
    half: int,
    page: lines7.PageSource | None,
) -> bool:
    """Does the square in doubt (`marginal_mark` or `possible_stain`, its score under
    `marked`) read `empty`: nothing was drawn in it (`nothing_drawn`)? A straight run is
    the paper's only if neither `lines7.hand_on_lines` (the line ends on the sheet, or a
    stroke lies along it) nor `inspect.line_stops_short` (gone 4-10 mm beyond the window:
    a tick's long arm) says it is a hand's, asked of the run's line with the reader's
    window (`half`) and the sheet's frame (`page`)."""
    if not ENABLED or not in_doubt(v.mark, v.reason, v.score, marked):
        return False
    at, paper = (float(centre[0]), float(centre[1])), float(np.max(levels))
    from kiosk.reading import settle7  # settle7 imports the reader's helpers

    if settle7.pen_dot(image, at, scale, paper, gain):
        return False  # a hesitation dot is never nothing (`nothing_drawn` says "dark" too)
    return nothing_drawn(image, at, scale, paper, gain, hand_line_test(image, at, half, scale, page))
