"""edge16's crease check: the arm it found lies on a line of the paper that runs on beyond
the window on both sides (issue 10, edge17).

Why. edge16 (`edge16.corner_tick`) takes the best straight segment slanted 30-65 degrees
from the rows in a corner region of the square for a tick's arm, and lets it go when the
*segment's own line* meets ink 7-10 mm from the square (a crease at that slant). A line of
the paper at another slant is not followed: a faint line down a skewed page (2 degrees off
the columns, `tests/test_inspect.py`'s line tests) lends a 65-degree segment crossing it
0.11-0.12 of excess, the segment's line 7-10 mm away is paper, and edge16 sent the sheet to
review. Creases, folds, show-through and a scanner's streaks are long and straight, with
roughly the same contrast along their length; a pencil tick is short: its arms end within
a few mm of the square and meet at a vertex at an angle, so no line through an arm runs on
beyond the window on both sides.

The rule (`runs_on`). Asked only where edge16 found an arm (its segment's middle `point`
and slant). The feature the segment lies on: of the straight lines through points within
REACH_MM across `point`, slanted within SPREAD degrees of the segment's slant (every STEP
degrees; a segment 2 mm long and 0.3 mm wide takes excess only from a feature within about
that angle of it), the one darker than its sides along LOCAL_MM either side of `point`
(the median, along it, of the line's ink minus the darker of the rows OFFSET_MM to either
side; print and off-image left out). It is a line of the paper, not a tick's arm, when the
same line, FAR_MM from the square's centre's foot on it, is still darker than its sides by
FAR_LEVEL (the median over that stretch) on *both* sides. Then edge16 does not send.

Where it stops. A tick's arm crossing a line of the paper, where the line is the darker of
the two at the arm's point, is taken for the line (not sent); a line that ends or fades
under FAR_LEVEL within 7-10 mm on one side (a short crease, a line dying out at the page's
edge) is an arm (sent, as before); lines darker than PRINT are print (edge16 does not find
arms on them). Never decides; switched off (ENABLED False) edge16 sends as it did.
docs/reading.md, "Seventeenth pass: edge16 with a crease check (edge17)".
"""

from __future__ import annotations

import math

import numpy as np

from kiosk.reading import speed32  # pass32: numpy's nanmedian, exact and cheaper

# False: the check finds no line (edge16 sends as in the sixteenth pass; `switched_off`).
ENABLED = True

SPREAD = 40  # degrees either side of the segment's slant
STEP = 1  # degrees between lines tried
REACH_MM = 1.0  # the line passes this close (across) to the segment's middle
CLOSE = 0.75  # lines on the feature: local median excess at least this share of the best's
LOCAL_MM = 1.5  # its local stretch, either side of the segment's middle
FAR_MM = (7.0, 10.0)  # followed this far from the square's centre's foot on it, each way ...
FAR_LEVEL = 0.03  # ... where it is still this much darker than its sides, on both sides: a line
OFFSET_MM = 0.7  # side rows this far either side (edge16.OFFSET_MM)
PRINT = 0.35  # ink this dark is print (edge16.PRINT): left out


def _bilinear(image: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Grey at (xs, ys), bilinear; NaN off the image (within one pixel of its edge)."""
    h, w = image.shape
    x0 = np.floor(xs)
    y0 = np.floor(ys)
    ok = (x0 >= 0) & (y0 >= 0) & (x0 < w - 1) & (y0 < h - 1)
    xi = np.where(ok, x0, 0).astype(np.intp)
    yi = np.where(ok, y0, 0).astype(np.intp)
    fx = xs - x0
    fy = ys - y0
    im = image.astype(np.float64, copy=False)
    g = (
        im[yi, xi] * (1 - fx) * (1 - fy)
        + im[yi, xi + 1] * fx * (1 - fy)
        + im[yi + 1, xi] * (1 - fx) * fy
        + im[yi + 1, xi + 1] * fx * fy
    )
    out: np.ndarray = np.where(ok, g, np.nan)
    return out


def _excess(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: np.ndarray,
    ny: np.ndarray,
    d: float,
    paper: float,
    gain: float,
) -> np.ndarray:
    """At each point (px, py) with its unit normal (nx, ny): ink minus the darker of the points
    d px to either side across; NaN where any of the three is print or off the image."""
    p = max(1.0, paper)
    mid = gain * (1.0 - _bilinear(image, px, py) / p)
    a = gain * (1.0 - _bilinear(image, px - d * nx, py - d * ny) / p)
    b = gain * (1.0 - _bilinear(image, px + d * nx, py + d * ny) / p)
    bad = np.isnan(mid) | np.isnan(a) | np.isnan(b) | (mid >= PRINT) | (a >= PRINT) | (b >= PRINT)
    out: np.ndarray = np.where(bad, np.nan, mid - np.maximum(a, b))
    return out


def _median(v: np.ndarray, need: float) -> np.ndarray:
    """Median along the last axis of the values that are not NaN; NaN with fewer than `need`."""
    count = np.sum(~np.isnan(v), axis=-1)
    out = np.full(v.shape[:-1], np.nan)
    enough = count >= need
    if enough.any():
        out[enough] = speed32.nanmedian(v[enough], -1)
    return out


def fit(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    point: tuple[float, float],
    slant: float,
) -> tuple[float, float, float, float, float]:
    """The line the segment (middle `point`, image px; slant in degrees as edge16's) lies on:
    of the lines through `point` (offset across it up to REACH_MM, slant within SPREAD of the
    segment's) whose local median excess is at least CLOSE times the best's, the one that runs
    on best (the larger of the smaller of its two far medians). Returns (its slant, its offset
    across `point` in px, its local median excess, its far medians on the one side and on the
    other); the far medians NaN where too little is left, all NaN but the slant when no line
    has a local median."""
    angs = np.arange(slant - SPREAD, slant + SPREAD + 0.5 * STEP, STEP, dtype=np.float64)
    reach = max(1, int(np.rint(REACH_MM * scale)))
    offs = np.arange(-reach, reach + 1, dtype=np.float64)
    half = max(1, int(np.rint(LOCAL_MM * scale)))
    ts = np.arange(-half, half + 1, dtype=np.float64)
    d = OFFSET_MM * scale
    ux = np.array([math.cos(math.radians(a)) for a in angs.tolist()])  # math's, as the reference's
    uy = np.array([-math.sin(math.radians(a)) for a in angs.tolist()])
    nx, ny = -uy, ux
    # (angle, offset, position along)
    px = point[0] + offs[None, :, None] * nx[:, None, None] + ts[None, None, :] * ux[:, None, None]
    py = point[1] + offs[None, :, None] * ny[:, None, None] + ts[None, None, :] * uy[:, None, None]
    shape = px.shape
    nxb = np.broadcast_to(nx[:, None, None], shape)
    nyb = np.broadcast_to(ny[:, None, None], shape)
    local = _median(_excess(image, px, py, nxb, nyb, d, paper, gain), 0.5 * len(ts)).ravel()
    if np.all(np.isnan(local)):
        return float(slant), math.nan, math.nan, math.nan, math.nan
    top = float(np.nanmax(local))
    cand = np.nonzero(local >= CLOSE * top)[0] if top > 0 else np.array([int(np.nanargmax(local))])
    ia, io = np.divmod(cand, len(offs))
    qx = point[0] + offs[io] * nx[ia]
    qy = point[1] + offs[io] * ny[ia]
    far = _far(image, centre, scale, paper, gain, qx, qy, ux[ia], uy[ia])
    runs = np.where(np.isnan(far).any(axis=1), -np.inf, far.min(axis=1))
    j = int(np.argmax(runs))
    return float(angs[ia[j]]), float(offs[io[j]]), float(local[cand[j]]), float(far[j, 0]), float(far[j, 1])


def _far(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    qx: np.ndarray,
    qy: np.ndarray,
    ux: np.ndarray,
    uy: np.ndarray,
) -> np.ndarray:
    """For each line through (qx, qy) along (ux, uy): its median excess FAR_MM from the square's
    centre's foot on it, the one way and the other ((lines, 2); NaN with under 1 mm left)."""
    s0 = (float(centre[0]) - qx) * ux + (float(centre[1]) - qy) * uy
    bx, by = qx + s0 * ux, qy + s0 * uy
    steps = np.arange(FAR_MM[0] * scale, FAR_MM[1] * scale, 1.0)
    ts = np.stack([-steps, steps])[None, :, :]  # (1, side, position)
    px = bx[:, None, None] + ts * ux[:, None, None]
    py = by[:, None, None] + ts * uy[:, None, None]
    nxb = np.broadcast_to(-uy[:, None, None], px.shape)
    nyb = np.broadcast_to(ux[:, None, None], px.shape)
    return _median(_excess(image, px, py, nxb, nyb, OFFSET_MM * scale, paper, gain), scale)


def runs_on(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    point: tuple[float, float],
    slant: float,
) -> bool:
    """True when the segment edge16 took for an arm lies on a line of the paper that runs on
    FAR_MM from the square on both sides (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    _a, _o, _lv, f0, f1 = fit(image, centre, scale, paper, gain, point, slant)
    return bool(f0 >= FAR_LEVEL and f1 >= FAR_LEVEL)  # NaN compares False


def fit_reference(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    point: tuple[float, float],
    slant: float,
) -> tuple[float, float, float, float, float]:
    """`fit` one line and one point at a time (the test's reference)."""
    p = max(1.0, paper)
    h, w = image.shape
    im = image.astype(np.float64)

    def grey(x: float, y: float) -> float:
        x0, y0 = math.floor(x), math.floor(y)
        if x0 < 0 or y0 < 0 or x0 >= w - 1 or y0 >= h - 1:
            return math.nan
        fx, fy = x - x0, y - y0
        return float(
            im[y0, x0] * (1 - fx) * (1 - fy)
            + im[y0, x0 + 1] * fx * (1 - fy)
            + im[y0 + 1, x0] * (1 - fx) * fy
            + im[y0 + 1, x0 + 1] * fx * fy
        )

    def excess(x: float, y: float, nx: float, ny: float, d: float) -> float:
        g = [grey(x, y), grey(x - d * nx, y - d * ny), grey(x + d * nx, y + d * ny)]
        if any(math.isnan(v) for v in g):
            return math.nan
        ink = [gain * (1.0 - v / p) for v in g]
        if any(v >= PRINT for v in ink):
            return math.nan
        return ink[0] - max(ink[1], ink[2])

    def med(vals: list[float], need: float) -> float:
        kept = [v for v in vals if not math.isnan(v)]
        return float(np.median(kept)) if len(kept) >= need else math.nan

    reach = max(1, int(np.rint(REACH_MM * scale)))
    half = max(1, int(np.rint(LOCAL_MM * scale)))
    d = OFFSET_MM * scale
    lines = []  # (slant, offset, local, ux, uy)
    n_ang = len(np.arange(slant - SPREAD, slant + SPREAD + 0.5 * STEP, STEP))
    for i in range(n_ang):
        a = float(slant - SPREAD + i * STEP)
        t = math.radians(a)
        ux, uy = math.cos(t), -math.sin(t)
        nx, ny = -uy, ux
        for o in range(-reach, reach + 1):
            vals = [
                excess(point[0] + o * nx + s * ux, point[1] + o * ny + s * uy, nx, ny, d)
                for s in range(-half, half + 1)
            ]
            lines.append((a, float(o), med(vals, 0.5 * (2 * half + 1)), ux, uy))
    known = [ln for ln in lines if not math.isnan(ln[2])]
    if not known:
        return float(slant), math.nan, math.nan, math.nan, math.nan
    top = max(ln[2] for ln in known)
    cand = (
        [ln for ln in known if ln[2] >= CLOSE * top]
        if top > 0
        else [next(ln for ln in known if ln[2] == top)]
    )
    n_far = len(np.arange(FAR_MM[0] * scale, FAR_MM[1] * scale, 1.0))
    best: tuple[float, float, float, float, float] | None = None
    best_run = -math.inf
    for ca, co, lv, ux, uy in cand:
        qx, qy = point[0] + co * (-uy), point[1] + co * ux
        s0 = (float(centre[0]) - qx) * ux + (float(centre[1]) - qy) * uy
        bx, by = qx + s0 * ux, qy + s0 * uy
        far = []
        for sign in (-1.0, 1.0):
            vals = []
            for j in range(n_far):
                s = sign * (FAR_MM[0] * scale + j)
                vals.append(excess(bx + s * ux, by + s * uy, -uy, ux, OFFSET_MM * scale))
            far.append(med(vals, scale))
        run = -math.inf if any(math.isnan(f) for f in far) else min(far)
        if best is None or run > best_run:
            best, best_run = (ca, co, lv, far[0], far[1]), run
    assert best is not None
    return best
