"""A light tick drawn beside the square whose foot ends on the printed border (issue 10, edge24:
the generator's edge tick, the twenty-third pass's untouched run's 11200/21341/c39).

Why. The generator offsets 5 % of its ticks by 0.3-0.45 of the square in x and y (an "edge
tick", `fieldkit.deck._draw_mark`); some land with the V beside the square, one arm's end on
the printed border and nothing inside. The truth counts it as a vote. Every look reads the
square `empty`: nothing is inside; pencil6's arm test finds no run near the border (the foot's
last millimetre is the border's own print), and look23 asks for a foot inside. red22's
foot-only tick is the same shape; look23 decided to leave it `empty` (docs/reading.md). The
twenty-fourth pass revisits that: a person reading the ballot would count the mark, so review
(`marginal_mark`) is the safe answer.

The rule (`tick_on_border`, asked where look23 is asked: a square of the doubt band every look
read `empty`): in the margin beyond the printed border's zone (to REACH_MM beyond it), the
stroke pixels (`pencil6.trace_contrast` at `empty8.LEVEL`), the paper's lines along the sides
taken out first (a row or column of the window whose pixels are strokes over LINE_SHARE of its
width: a printed rule, a streak, a fold along the sheet, the border's own print and its blur,
the registration residual beside a side), and the neighbours' squares (their printed zone and
NEIGHBOUR_MM around it) left out. The runs left are cut at most once at a bend into straight
pieces; an **arm** is a piece ARM_MIN_MM long or more, straight (ARM_ACROSS_MM), slanted at
least SLANT_DEG from the sides, its ridge at least FOOT_LEVEL. Found: an arm whose one end lies
within AT_MM of the zone's outer edge (the **foot**, on the border) and another arm meeting it
at an angle of V_DEG or more, their ends within VERTEX_MM (a V: the vertex at the foot arm's far
end, or both feet on the border). What is refused, look23's reasons for its decision:
- the border's print, its blur (edge22), the registration residual: along the sides (taken
  out), and no slanted arm ARM_MIN_MM long;
- a neighbour's mark overshooting: an arm within NEIGHBOUR_MM of a neighbour's zone is no arm
  (it is that square's stroke); a V needs both arms in our margin;
- a stain's rim: under FOOT_LEVEL, or not straight (ARM_ACROSS_MM), or an arc: a run is cut at
  its bend only where two lines fit it better than a circle (BEND_BETTER);
- folds, creases, streaks passing by: straight on, no angle (V_DEG), and the foot's line may
  not go on into the square, nor either arm's line past the vertex, nor the other arm's own
  line past its end there, over the square and the margin beyond (GOES_ON of the arms' lower
  ridge: a line of the paper goes on, a hand's tick ends).
Found: the square goes to review (`marginal_mark`). Nothing is read `marked` or `empty`.
Plain numpy and OpenCV on the square's window; asked on few squares.
docs/reading.md, "Twenty-fourth pass: the generator's edge tick, its foot on the border (edge24)".

faint26 (the twenty-fifth pass, `STREAK_ARMS`): red22's foot-only tick on 105/37/18 has its
short arm along a faint streak down the square (a column the lines test takes out) and its
vertex on the printed rule. In the taken-out columns the pixels standing empty8.LEVEL over the
column's own median are strokes again, and two arms also meet where their lines cross within
VERTEX_MM of both arms' nearer ends (docs/reading.md, "Twenty-fifth pass: ... (faint26)").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.reading import empty8, pencil6, speed32

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

# False: every look's `empty` stands (tests' companions; the A/B).
ENABLED = True
# faint26 (the twenty-fifth pass; red22's foot-only tick on 105/37/18, whose short arm runs along
# a faint streak taken out as a line and whose vertex lies on the printed rule): in the window's
# columns the lines test takes out, the margin's pixels standing empty8.LEVEL over that column's
# own median contrast there are strokes again (a scanner's streak runs along image columns; a
# hand's stroke crossing it at an angle stands over it); and two arms also meet where their
# lines cross within VERTEX_MM of both arms' nearer ends. False: edge24 as the twenty-fourth
# pass left it (the A/B).
STREAK_ARMS = True

REACH_MM = 4.5  # the margin looked at beyond the printed border's zone (3.5 mm from the middle): a
# tick's vertex on the printed rule between rows (11200/21341: 1.2 mm beyond the zone) and its long
# arm passing the corner; the window reaches 5.5 mm beyond the square's edge
LINE_SHARE = 0.3  # a window row or column whose margin pixels are strokes over this share is a line
# of the paper along the sides (a printed rule crosses the whole window; a skewed one still covers a
# third of each of its rows); a tick's arm covers at most 1 mm of a 17 mm row (6 %)
LINE_MM = 5.0  # ... and at least this long in strokes (a column beside the square holds only the gap
# between its zone and the neighbour's, 1.5-3 mm, crossed by the printed rules)
NEIGHBOUR_MM = 1.0  # a neighbour's printed zone and this far around it are left out
ARM_MIN_MM = 0.8  # an arm is at least this long (the border's blur and a residual are thinner and
# along the sides; the generator's shortest arm beyond the border, 21341's short arm, is 1.2 mm)
ARM_ACROSS_MM = 0.5  # ... and stays within this of its line (95th percentile; a pencil stroke 0.45-0.8
# mm wide at LEVEL is +-0.4 around its axis; a rim's arc leaves its chord)
SLANT_DEG = 15.0  # ... slanted at least this from the sides (empty8's AXES_DEG is 10)
BEND_MM = 0.5  # a run whose farthest pixel lies this far from its ends' chord is cut there in two
BEND_BETTER = 0.7  # ... where two lines fit its centre line under this share of its circle's RMS (a
# stain's rim is an arc: 140/101/26's, cut at 45 degrees, was the first price's one find there)
FOOT_LEVEL = 0.05  # an arm's ridge at least this (look23's FOOT_LEVEL: a stain's soft rim is under)
AT_MM = 0.4  # a foot: an arm's end this near the zone's outer edge (the zone is 1.2 mm wide; the
# border's print leaves the stroke's last 0.35 mm to the zone)
VERTEX_MM = 1.0  # two arms meet: their nearest ends this close (an arm broken at the printed rule
# through its vertex loses the rule's 0.3 mm, and LEVEL's flank)
V_DEG = 45.0  # ... at this angle or more between their lines and 180 - V_DEG or less (a tick's arms
# meet at 60-110 degrees: 11200/21341's 86, red22's foot-only tick 86, the dev edge ticks 68-80; a
# streak's blob between a printed rule and the border cut in two pieces at 28, 155/57/14)
GOES_ON = 0.5  # a line's median contrast beyond an end (into the square, past the vertex) under this
# share of the arm's ridge: the stroke ends there (look23's GOES_ON)
BEYOND_MM = 1.5  # ... judged over this length, from PAST_MM past the end
PAST_MM = 0.5


def tick_on_border(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    i: int,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
) -> bool:
    """Is there a light tick beside square i whose foot ends on its printed border (module
    docstring), where every look read it `empty` (`v`)? False when not ENABLED."""
    if not ENABLED or v.mark != "empty":
        return False
    return found(image, centres, float(scales[i]), i, float(np.max(levels)), gain) is not None


# An arm: its pixels' xs, ys (px from the middle), its direction ux, uy, its ridge, its length (px).
Arm = tuple[np.ndarray, np.ndarray, float, float, float, float]


def found(
    image: np.ndarray, centres: np.ndarray, scale: float, i: int, paper: float, gain: float
) -> tuple[float, ...] | None:
    """The first V with a foot on the border: (foot arm's length mm, partner's length mm, the
    angle between them, the gap at the vertex mm, the lower ridge), or None."""
    at = (float(centres[i, 0]), float(centres[i, 1]))
    got = empty8.neighbourhood(image, at, scale)
    if got is None:
        return None
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    outer = empty8.BORDER_MM * scale
    margin = (box > outer) & (box <= (empty8.BORDER_MM + REACH_MM) * scale)
    margin &= ~_theirs(centres, i, xs, ys, scale)
    c = pencil6.trace_contrast(win, scale, paper, gain)
    stroke = margin & (c >= empty8.LEVEL)
    if np.count_nonzero(stroke) < ARM_MIN_MM * scale:
        return None
    # The paper's lines along the sides: rows and columns mostly strokes.
    # ... judged over the margin and the inside together (a streak or a fold down the square
    # crosses the inside too; the gaps beside it alone are short: 155/57/9, 157/6)
    inside = box <= empty8.INSIDE_MM * scale
    rows, cols = _lines((margin | inside) & (c >= empty8.LEVEL), margin | inside, scale)
    over = _over_streak(c, margin, rows, cols, scale) if STREAK_ARMS else None
    stroke[rows, :] = False
    stroke[:, cols] = False
    if over is not None:
        stroke |= over
    off_lines = (box > outer) & ~rows[:, None] & ~cols[None, :]  # the margin off the sides' lines
    n, labels, stats, _ = cv2.connectedComponentsWithStats(stroke.astype(np.uint8), connectivity=8)
    arms: list[Arm] = []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] < ARM_MIN_MM * scale:
            continue
        x0, y0, w, h = (int(q) for q in stats[k, :4])
        iy, ix = np.nonzero(labels[y0 : y0 + h, x0 : x0 + w] == k)
        iy, ix = iy + y0, ix + x0
        for part in _pieces(xs[iy, ix], ys[iy, ix], scale):
            arm = _arm(c, iy, ix, xs, ys, part, scale)
            if arm is not None:
                arms.append(arm)
    for a in arms:
        foot = _foot(a, outer, scale)
        if foot is not None:
            got_v = _v(a, foot, arms, c, (inside, off_lines), xs, ys, scale)
            if got_v is not None:
                return got_v
    return None


def _v(
    a: Arm,
    foot: tuple[float, float, float, float],
    arms: list[Arm],
    c: np.ndarray,
    masks: tuple[np.ndarray, np.ndarray],
    xs: np.ndarray,
    ys: np.ndarray,
    scale: float,
) -> tuple[float, ...] | None:
    """Another arm meeting `a` (whose foot is `foot`) at an angle, their ends within
    VERTEX_MM, no line going on (module docstring): `found`'s tuple, or None."""
    inside, off_lines = masks
    fx, fy, vx, vy = foot  # the foot's end on the border, the arm's other end
    for b in arms:
        if b is a:
            continue
        angle = math.degrees(math.acos(min(1.0, abs(a[2] * b[2] + a[3] * b[3]))))
        if angle < V_DEG or angle > 180.0 - V_DEG:
            continue
        e1, e2 = _ends(b)
        gap_v = min(math.hypot(e[0] - vx, e[1] - vy) for e in (e1, e2)) / scale
        if STREAK_ARMS and gap_v > VERTEX_MM:  # faint26: the vertex where their lines cross
            gap_v = min(gap_v, _crossing_gap(a, (vx, vy), b) / scale)
        gap_f = min(math.hypot(e[0] - fx, e[1] - fy) for e in (e1, e2)) / scale
        gap = min(gap_v, gap_f)
        if gap > VERTEX_MM:
            continue
        least = GOES_ON * min(a[4], b[4])
        # The lines must end: the foot's into the square, and (a vertex beyond) both past it.
        ends = [_goes_on(c, inside, xs, ys, (fx, fy), (vx, vy), scale)]
        if gap_v <= VERTEX_MM:
            far = e2 if math.hypot(e1[0] - vx, e1[1] - vy) <= math.hypot(e2[0] - vx, e2[1] - vy) else e1
            ends.append(_goes_on(c, off_lines, xs, ys, (vx, vy), (fx, fy), scale))
            ends.append(_goes_on(c, off_lines, xs, ys, (vx, vy), far, scale))
        # The partner's own line past its end nearer the other arm, into the square and beyond
        # (a crease through the square, cut beside the border where a blot of the border's blur
        # joins it: 155/141/10).
        g = gap_v if gap_v <= VERTEX_MM else gap_f
        mx, my = (vx, vy) if g == gap_v else (fx, fy)
        near, far_b = (
            (e1, e2) if math.hypot(e1[0] - mx, e1[1] - my) <= math.hypot(e2[0] - mx, e2[1] - my) else (e2, e1)
        )
        ends.append(_goes_on(c, inside | off_lines, xs, ys, near, far_b, scale))
        if max(ends) >= least:
            continue
        return (a[5] / scale, b[5] / scale, angle, gap, min(a[4], b[4]))
    return None


def _over_streak(
    c: np.ndarray, margin: np.ndarray, rows: np.ndarray, cols: np.ndarray, scale: float
) -> np.ndarray:
    """faint26: in the columns taken out as lines of the paper, the margin's pixels off the
    rows taken out whose contrast stands at least empty8.LEVEL over the column's median
    contrast in that margin (a stroke crossing a streak), where the column has ARM_MIN_MM of
    margin at least."""
    out = np.zeros(c.shape, bool)
    for q in np.flatnonzero(cols).tolist():
        m = margin[:, q] & ~rows
        if np.count_nonzero(m) >= ARM_MIN_MM * scale:
            out[:, q] = m & (c[:, q] - float(speed32.median(c[m, q])) >= empty8.LEVEL)
    return out


def _crossing_gap(a: Arm, vertex: tuple[float, float], b: Arm) -> float:
    """faint26: where the lines of arms a and b cross, the farther of its distances to a's
    vertex end and to b's nearer end (px); inf when the lines are parallel."""
    ax, ay = float(a[0].mean()), float(a[1].mean())
    bx, by = float(b[0].mean()), float(b[1].mean())
    det = a[2] * (-b[3]) - a[3] * (-b[2])
    if abs(det) < 1e-9:
        return math.inf
    t = ((bx - ax) * (-b[3]) - (by - ay) * (-b[2])) / det
    x, y = ax + t * a[2], ay + t * a[3]
    e1, e2 = _ends(b)
    near_b = min(math.hypot(e[0] - x, e[1] - y) for e in (e1, e2))
    return max(math.hypot(vertex[0] - x, vertex[1] - y), near_b)


def _theirs(centres: np.ndarray, i: int, xs: np.ndarray, ys: np.ndarray, scale: float) -> np.ndarray:
    """The window's pixels within NEIGHBOUR_MM of another square's printed zone."""
    near = (empty8.BORDER_MM + NEIGHBOUR_MM) * scale
    out = np.zeros(xs.shape, bool)
    reach = float(max(np.abs(xs).max(), np.abs(ys).max())) + near
    for k in range(len(centres)):
        nx, ny = float(centres[k, 0] - centres[i, 0]), float(centres[k, 1] - centres[i, 1])
        if k != i and abs(nx) < reach and abs(ny) < reach:
            out |= np.maximum(np.abs(xs - nx), np.abs(ys - ny)) <= near
    return out


def _lines(stroke: np.ndarray, region: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The window's rows and columns that are lines of the paper along the sides: strokes over
    LINE_SHARE of the row's pixels in `region` and LINE_MM at least."""
    least = LINE_MM * scale
    on_r, on_c = stroke.sum(axis=1), stroke.sum(axis=0)
    rows = (on_r > LINE_SHARE * np.maximum(region.sum(axis=1), 1)) & (on_r >= least)
    cols = (on_c > LINE_SHARE * np.maximum(region.sum(axis=0), 1)) & (on_c >= least)
    return rows, cols


def _pieces(px: np.ndarray, py: np.ndarray, scale: float) -> list[np.ndarray]:
    """The run's pixels as one straight piece, or two cut at its bend (a V in one run), or none
    (an arc: bent, and its circle fits it better than two lines): boolean masks."""
    mx, my, ux, uy = empty8._line(px, py)
    t = (px - mx) * ux + (py - my) * uy
    a, b = int(np.argmin(t)), int(np.argmax(t))
    ax, ay, bx, by = float(px[a]), float(py[a]), float(px[b]), float(py[b])
    L = math.hypot(bx - ax, by - ay)
    whole = np.ones(len(px), bool)
    if L < 1.0:
        return [whole]
    d = np.abs(-(px - ax) * (by - ay) + (py - ay) * (bx - ax)) / L
    j = int(np.argmax(d))
    if d[j] < BEND_MM * scale:
        return [whole]
    vx, vy = float(px[j]), float(py[j])
    # each pixel to the nearer of the two segments (a -> bend, bend -> b)
    da = _to_segment(px, py, ax, ay, vx, vy)
    db = _to_segment(px, py, vx, vy, bx, by)
    if _arc(px, py, ax, ay, bx, by):
        return []  # an arc (a stain's rim), no arm
    return [da <= db, db < da]


def _arc(px: np.ndarray, py: np.ndarray, ax: float, ay: float, bx: float, by: float) -> bool:
    """Is the bent run an arc rather than a V: its centre line (the mean offset from the ends'
    chord at each 1-px step along it) fits a circle better than two lines through its farthest
    point (BEND_BETTER)? The centre line, not the pixels: a stroke's width would weigh alike in
    both fits."""
    L = math.hypot(bx - ax, by - ay)
    ux, uy = (bx - ax) / L, (by - ay) / L
    t = (px - ax) * ux + (py - ay) * uy
    d = -(px - ax) * uy + (py - ay) * ux
    k = np.floor(t).astype(np.int64)
    k -= k.min()
    n = np.bincount(k)
    ok = n > 0
    tc = (np.bincount(k, weights=t)[ok] / n[ok]).astype(np.float64)
    dc = (np.bincount(k, weights=d)[ok] / n[ok]).astype(np.float64)
    if len(tc) < 5:
        return False
    j = int(np.argmax(np.abs(dc)))
    tv, dv = float(tc[j]), float(dc[j])
    t0, t1 = float(tc[0]), float(tc[-1])
    bent = np.minimum(
        _to_segment(tc, dc, t0, float(dc[0]), tv, dv), _to_segment(tc, dc, tv, dv, t1, float(dc[-1]))
    )
    circle = empty8._circle(tc, dc)
    if circle is None:
        return False
    cx, cy, r, _ = circle
    two = math.sqrt(float((bent**2).mean()))
    round_ = math.sqrt(float(((np.hypot(tc - cx, dc - cy) - r) ** 2).mean()))
    return two >= BEND_BETTER * round_


def _to_segment(px: np.ndarray, py: np.ndarray, ax: float, ay: float, bx: float, by: float) -> np.ndarray:
    dx, dy = bx - ax, by - ay
    n = dx * dx + dy * dy
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / max(n, 1e-9), 0.0, 1.0)
    out: np.ndarray = np.hypot(px - (ax + t * dx), py - (ay + t * dy))
    return out


def _arm(
    c: np.ndarray,
    iy: np.ndarray,
    ix: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    part: np.ndarray,
    scale: float,
) -> Arm | None:
    """A straight slanted piece long enough, its ridge at least FOOT_LEVEL; or None."""
    if np.count_nonzero(part) < 3:
        return None
    px, py = xs[iy[part], ix[part]], ys[iy[part], ix[part]]
    mx, my, ux, uy = empty8._line(px, py)
    t = (px - mx) * ux + (py - my) * uy
    length = float(t.max() - t.min())
    if length < ARM_MIN_MM * scale:
        return None
    across = np.abs(-(px - mx) * uy + (py - my) * ux)
    if float(speed32.percentile(across, 95)) > ARM_ACROSS_MM * scale:
        return None
    slant = math.degrees(math.atan2(abs(uy), abs(ux)))
    if min(slant, 90.0 - slant) < SLANT_DEG:
        return None
    level = empty8.ridge(c[iy[part], ix[part]], px, py)
    if level < FOOT_LEVEL:
        return None
    return (px, py, ux, uy, level, length)


def _ends(a: Arm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The arm's two ends on its line (px from the middle)."""
    px, py, ux, uy = a[0], a[1], a[2], a[3]
    mx, my = float(px.mean()), float(py.mean())
    t = (px - mx) * ux + (py - my) * uy
    lo, hi = float(t.min()), float(t.max())
    return (mx + lo * ux, my + lo * uy), (mx + hi * ux, my + hi * uy)


def _foot(a: Arm, outer: float, scale: float) -> tuple[float, float, float, float] | None:
    """(foot x, y, other end x, y) where one end lies within AT_MM of the zone's outer edge and
    the other ARM_MIN_MM farther out; or None."""
    e1, e2 = _ends(a)
    b1 = max(abs(e1[0]), abs(e1[1]))
    b2 = max(abs(e2[0]), abs(e2[1]))
    if b2 < b1:
        e1, e2, b1, b2 = e2, e1, b2, b1
    if b1 > outer + AT_MM * scale or b2 - b1 < 0.5 * ARM_MIN_MM * scale:
        return None
    return e1[0], e1[1], e2[0], e2[1]


def _goes_on(
    c: np.ndarray,
    ok: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    end: tuple[float, float],
    other: tuple[float, float],
    scale: float,
) -> float:
    """The median contrast on the line from `other` through `end`, beyond `end`: from PAST_MM
    past it, over the first BEYOND_MM of pixels where `ok` (the inside, or the margin off the
    paper's lines along the sides), the highest within 1 px across at each 1-px step; 0 where
    fewer than two are met before the window's edge."""
    dx, dy = end[0] - other[0], end[1] - other[1]
    n = math.hypot(dx, dy)
    if n < 1e-6:
        return 0.0
    ux, uy = dx / n, dy / n
    x0, y0 = float(xs[0, 0]), float(ys[0, 0])
    h, w = c.shape
    vals: list[float] = []
    t = PAST_MM * scale
    while len(vals) < BEYOND_MM * scale:
        x, y = end[0] + t * ux, end[1] + t * uy
        t += 1.0
        xi, yi = round(x - x0), round(y - y0)
        if not (0 <= xi < w and 0 <= yi < h):
            break
        if not ok[yi, xi]:
            continue
        best = -math.inf
        for k in (-1, 0, 1):
            qx, qy = round(x - k * uy - x0), round(y + k * ux - y0)
            if 0 <= qx < w and 0 <= qy < h:
                best = max(best, float(c[qy, qx]))
        vals.append(best)
    return float(speed32.median(vals)) if len(vals) >= 2 else 0.0
