"""A light pencil tick across the square's corner that the fast path lets go (issue 10,
edge16: edge15's drawn family).

Why. edge15's drawn family (light pencil *edge ticks*: the deck's tick offset 0.3-0.45 of the
square towards a corner, so most of it lies outside the square) left 23 drawn ticks `empty`,
20 of them with no closer look: fast scores 0.009-0.018, under the doubt band, because the
tick's ink lies in the window's margin, the printed border's zone and beyond the window. The
wider band's five pencil tests (`pencil6.pencil_near` and the rest) say no: an arm of 0.06-0.12
ink is under `pencil6`'s arm floors (TRACE_ARM, TRACE_INK), and on MZ-SMD-02 the tick's
vertex lies on the printed rule below the square, so its arms join the rule into one long,
level run (a printed rule, not a stroke).

The rule (`corner_tick`). Asked only of a square about to read `empty` with no look, scoring
from LO up to `marginal` (`band`: the wider band's squares after its five tests, and the
squares between LO and the wider band that nothing asked; edge18: and whose gate could pass,
all of a side's in one compiled call, `kernels.corner_quadrants`). First the gate (`quadrants`, one
pass over the fast score's window, the ink as the fast score has it): the window outside the
square's inside, cut into four quadrants at the square's centre lines; one quadrant holds
QUAD_MIN mm2 more ink than the median quadrant (an edge tick crosses one corner; an empty
square's printed border is the same in all four). Then, on the square's neighbourhood
(`grain14.ink_window`, 6.5 mm from its centre, box-smoothed), the printed ink (PRINT, widened
by DILATE_MM) set aside, the best straight segment (SEG_MM long, WIDTH_MM wide) slanted ANGLES
degrees either way, lying outside the square's inside in that quadrant's corner region (up to
ACROSS_MM across the square's centre lines), averaged along its length minus the darker of
the same segment OFFSET_MM to either side (`grain14`'s statistic: a stroke is darker than the
paper on both sides, a stain's edge is not; grain's gaps average out). It is a tick's arm
when it reaches LEVEL and its line is not there FAR_MM from the square on either side (a
crease or a fold runs on across the sheet: its excess there, or a side row's, is at least
FAR_LEVEL), and the feature the segment lies on, at its own slant, does not run on beyond the
window on both sides (`edge17.runs_on`: a line of the paper crossing the corner at a slant
the segment only cuts across, as a faint streak down a skewed page).

Where it stops. Only sends to review (`marginal_mark`); never decides. Squares the doubt band
sent to the closer look, squares under LO, a tick whose corner quadrant holds less than
QUAD_MIN over the others, an arm slanted under 30 or over 65 degrees from the rows (print's
edges and scanner streaks lie there), one fainter than LEVEL, and an arm whose line meets
other ink 7-10 mm away (a stroke of the next row) or that lies on a line of the paper
(edge17) are left alone. docs/reading.md, "Sixteenth pass: a tick across the square's corner
that the fast path let go (edge16)" and "Seventeenth pass: edge16 with a crease check (edge17)".
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import edge17, grain14, kernels
from kiosk.reading.crop import placed

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

LO = 0.008  # asked from this score up to `marginal`, with no look
QUAD_MIN = 0.08  # mm2: one quadrant of the window's frame this much over the median quadrant
INNER_MM = TARGET / 2 - TARGET_STROKE - 0.35  # the square's inside, as `inspect` has it
ANGLES = tuple(range(30, 70, 5))  # slants looked at, degrees from the rows, both ways
SEG_MM = 2.0  # a segment this long ...
WIDTH_MM = 0.3  # ... this wide (a pencil stroke's)
OFFSET_MM = 0.7  # its side segments this far either side
ACROSS_MM = 1.0  # the corner's region reaches this far across the square's centre lines
PRINT = 0.35  # ink this dark is print (or a pen): set aside ...
DILATE_MM = 0.2  # ... with this much round it (its blurred edge)
LEVEL = 0.075  # an arm: the segment this much darker than its darker side
FAR_MM = (7.0, 10.0)  # a line of the paper is still there this far from the square ...
FAR_LEVEL = 0.03  # ... at this excess (or a side row this much darker: a kinked crease)
QUADRANTS = ((-1, -1), (1, -1), (-1, 1), (1, 1))  # (x sign, y sign): top-left, top-right, ...
TOL_ULPS = 4  # edge18: the compiled gate's slack (`could_stand_out`)


def band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    levels: np.ndarray,
    gain: float,
    half: int,
    ring: int,
    marginal: float,
    looked: np.ndarray,
) -> list[bool]:
    """Squares with no look (`looked`: the doubt band) scoring from LO up to `marginal`
    whose gate could pass (edge18: `kernels.corner_quadrants`, one call for the side, then
    `could_stand_out`; a square left out here is one `corner_tick` answers False). All False
    when not ENABLED."""
    n = int(scores.shape[0])
    if not ENABLED or n == 0:
        return [False] * n
    asked = ~looked & (scores >= LO) & (scores < marginal)
    if asked.any():
        q = kernels.corner_quadrants(image, centres, scales, levels, asked, half, ring, gain, INNER_MM)
        asked &= could_stand_out(q, (2 * half + 1) ** 2)
    out: list[bool] = asked.tolist()
    return out


def could_stand_out(q: np.ndarray, pixels: int) -> np.ndarray:
    """edge18: for each row of quadrant sums (`kernels.corner_quadrants`), whether `corner`
    could find a quadrant QUAD_MIN over the median on `quadrants`' own sums. The two add the
    same pixels' ink (at most `pixels` non-negative float64 values, bit for bit the same) in
    another order: each float64 sum is within (pixels - 1) * eps/2 of its value of the exact
    sum, so the two differ by under pixels * eps of it (with the division by scale^2), and the
    largest minus the median (the mean of the middle two) by under 2 * (pixels + 2) * eps of
    the largest quadrant. The slack here is TOL_ULPS (4) times pixels + 2 eps of it, twice
    that: a row short of QUAD_MIN by more is one `corner` answers None for on numpy's sums."""
    top = np.max(q, axis=1)
    tol = TOL_ULPS * (pixels + 2) * np.finfo(np.float64).eps * top + 1e-12
    out: np.ndarray = over_median(q) >= QUAD_MIN - tol
    return out


def over_median(q: np.ndarray) -> np.ndarray:
    """For each row of four quadrant sums, the largest minus the median of the four (the mean
    of the middle two, np.median's, without its overhead)."""
    s = np.sort(q, axis=1)
    out: np.ndarray = s[:, 3] - (s[:, 1] + s[:, 2]) / 2.0
    return out


def _window_ink(
    image: np.ndarray, centre: np.ndarray, half: int, ring: int, levels: np.ndarray, gain: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fast score's window as ink (against the plane through the ring's four side levels,
    as `kernels.window_local_ink` has it) and each pixel's offset from the centre (xs, ys)."""
    from kiosk.reading.inspect import paper_inverse

    cx, cy = float(centre[0]), float(centre[1])
    view, x0, y0 = placed(image, cx, cy, half)
    h, w = view.shape
    inv = paper_inverse(levels, h, w, ring)
    ink = np.clip(gain * (1.0 - view * inv), 0.0, 1.0)
    xs = np.arange(w, dtype=np.float64)[None, :] - (cx - x0)
    ys = np.arange(h, dtype=np.float64)[:, None] - (cy - y0)
    return ink, xs, ys


def quadrants(
    image: np.ndarray, centre: np.ndarray, scale: float, half: int, ring: int, levels: np.ndarray, gain: float
) -> np.ndarray:
    """mm2 of ink in each quadrant (QUADRANTS' order) of the fast score's window outside the
    square's inside (INNER_MM); pixels on a centre line count in neither quadrant."""
    ink, xs, ys = _window_ink(image, centre, half, ring, levels, gain)
    frame = np.maximum(np.abs(xs), np.abs(ys)) > INNER_MM * scale
    out = np.empty(4)
    for k, (sx, sy) in enumerate(QUADRANTS):
        out[k] = float(ink[frame & (sx * xs > 0) & (sy * ys > 0)].sum()) / (scale * scale)
    return out


def quadrants_reference(
    image: np.ndarray, centre: np.ndarray, scale: float, half: int, ring: int, levels: np.ndarray, gain: float
) -> list[float]:
    """`quadrants` one pixel at a time (the test's reference)."""
    ink, xs, ys = _window_ink(image, centre, half, ring, levels, gain)
    out = [0.0, 0.0, 0.0, 0.0]
    for i in range(ink.shape[0]):
        for j in range(ink.shape[1]):
            x, y = float(xs[0, j]), float(ys[i, 0])
            if max(abs(x), abs(y)) <= INNER_MM * scale or x == 0 or y == 0:
                continue
            out[(1 if x > 0 else 0) + (2 if y > 0 else 0)] += float(ink[i, j])
    return [v / (scale * scale) for v in out]


def corner(q: np.ndarray) -> int | None:
    """The quadrant standing QUAD_MIN over the median quadrant (the largest), or None."""
    k = int(np.argmax(q))
    return k if float(q[k] - np.median(q)) >= QUAD_MIN else None


def _ink(image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray | None:
    """`grain14.ink_window` with the print (ink >= PRINT, widened by DILATE_MM) as NaN."""
    ink = grain14.ink_window(image, centre, scale, paper, gain)
    if ink is None:
        return None
    h = (ink.shape[0] - 1) // 2
    cx, cy = int(np.rint(float(centre[0]))), int(np.rint(float(centre[1])))
    grey = image[cy - h : cy + h + 1, cx - h : cx + h + 1]
    dark = (grey <= max(1.0, paper) * (1.0 - PRINT / gain)).astype(np.uint8)
    k = 2 * max(1, int(np.rint(DILATE_MM * scale))) + 1
    printed = cv2.dilate(dark, np.ones((k, k), np.uint8)) > 0
    out: np.ndarray = np.where(printed, np.float32(np.nan), ink).astype(np.float32)
    return out


def best_arm(ink: np.ndarray, scale: float, quadrant: int) -> tuple[float, float, float, float] | None:
    """The best segment (level, slant in degrees, x, y in the window) lying outside the
    inside in `quadrant`'s corner region, no part of it or of its side rows on print or off the
    window; None when none may lie there."""
    n = ink.shape[0]
    c = (n - 1) / 2.0
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    xx -= c
    yy -= c
    sx, sy = QUADRANTS[quadrant]
    region = (
        (np.maximum(np.abs(xx), np.abs(yy)) > INNER_MM * scale)
        & (sx * xx > -ACROSS_MM * scale)
        & (sy * yy > -ACROSS_MM * scale)
    ).astype(np.float32)
    wk = grain14._odd(WIDTH_MM * scale)
    d = max(1, int(np.rint(OFFSET_MM * scale)))
    length = grain14._odd(SEG_MM * scale)
    across = np.ones((wk, 1), np.uint8)
    best: tuple[float, float, float, float] | None = None
    for ang in [float(s * a) for s in (1, -1) for a in ANGLES]:
        m = cv2.getRotationMatrix2D((c, c), -ang, 1.0)
        r = cv2.warpAffine(ink, m, (n, n), flags=cv2.INTER_LINEAR, borderValue=np.nan)
        valid = ~np.isnan(r)
        excess = grain14._excess(np.where(valid, r, 0.0).astype(np.float32), wk, d)
        v1 = cv2.erode(valid.astype(np.uint8), across, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
        ok = v1.copy()
        ok[d:] &= v1[:-d]
        ok[:-d] &= v1[d:]
        ok[:d] = False
        ok[n - d :] = False
        reg = cv2.warpAffine(region, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        where = cv2.blur(reg * ok, (length, 1), borderType=cv2.BORDER_CONSTANT) >= 0.999
        seg = cv2.blur(excess, (length, 1), borderType=cv2.BORDER_CONSTANT)
        cand = np.where(where, seg, -np.inf)
        k = int(np.argmax(cand))
        y, x = divmod(k, n)
        v = float(cand[y, x])
        if math.isfinite(v) and (best is None or v > best[0]):
            inv = cv2.invertAffineTransform(m)
            ox = float(inv[0, 0] * x + inv[0, 1] * y + inv[0, 2])
            oy = float(inv[1, 0] * x + inv[1, 1] * y + inv[1, 2])
            best = (v, ang, ox, oy)
    return best


def far_excess(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    ang: float,
    point: tuple[float, float],
) -> list[float]:
    """On the line through `point` (image px) slanted `ang` degrees (as `best_arm`'s), FAR_MM
    from the square's centre's foot on it, each way: the median of the line's ink minus the
    darker of the rows OFFSET_MM to either side (off the image and print left out; NaN when
    under 1 mm is left)."""
    t = math.radians(ang)
    ux, uy = math.cos(t), -math.sin(t)
    nx, ny = -uy, ux
    cx, cy = float(centre[0]), float(centre[1])
    s0 = (cx - point[0]) * ux + (cy - point[1]) * uy
    bx, by = point[0] + s0 * ux, point[1] + s0 * uy
    d = OFFSET_MM * scale
    p = max(1.0, paper)
    out = []
    for sign in (-1.0, 1.0):
        ts = sign * np.arange(FAR_MM[0] * scale, FAR_MM[1] * scale, 1.0)
        rows = []
        for off in (-d, 0.0, d):
            mx = (bx + ts * ux + off * nx).astype(np.float32)[None, :]
            my = (by + ts * uy + off * ny).astype(np.float32)[None, :]
            g = cv2.remap(image, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            rows.append(gain * (1.0 - g[0].astype(np.float64) / p))
        a, mid, b = rows
        exc = mid - np.maximum(a, b)
        keep = (mid < PRINT) & (a < PRINT) & (b < PRINT)
        out.append(float(np.median(exc[keep])) if int(keep.sum()) >= scale else math.nan)
    return out


def corner_tick(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    half: int,
    ring: int,
) -> bool:
    """True (send to review, `marginal_mark`) when a faint straight stroke crosses the corner
    region of the quadrant whose ink stands out (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    k = corner(quadrants(image, centre, scale, half, ring, levels, gain))
    if k is None:
        return False
    paper = float(np.max(levels))
    ink = _ink(image, centre, scale, paper, gain)
    if ink is None:
        return False
    arm = best_arm(ink, scale, k)
    if arm is None or arm[0] < LEVEL:
        return False
    _level, ang, ox, oy = arm
    c = (ink.shape[0] - 1) / 2.0
    at = (float(np.rint(float(centre[0]))) + ox - c, float(np.rint(float(centre[1]))) + oy - c)
    far = far_excess(image, centre, scale, paper, gain, ang, at)
    if any(abs(f) >= FAR_LEVEL for f in far if not math.isnan(f)):
        return False
    # edge17: the feature the segment lies on, at its own slant, runs on beyond the window both ways
    return not edge17.runs_on(image, centre, scale, paper, gain, at, ang)
