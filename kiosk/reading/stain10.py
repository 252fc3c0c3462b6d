"""Empty squares under a stain's rim settled with a positive test (issue 10, tenth pass: stain10).

A water ring or a tea drop's dried rim that crosses or passes by an empty square sends it
to review (`marginal_mark` from a stroke test, `possible_stain` from the ring's paper);
`empty8.nothing_drawn` refuses most of them for a "run" (a small drop's rim bends too
much for its line, its polygon's straight pieces read as a hand's line). This module asks
a different positive question: does ONE stain, seen on the paper round the square,
predict every pixel inside it?

`rim_explains` (`why_not` says what failed), on the neighbourhood (the square and
`empty8.AROUND_MM` beyond its edge; print, found as empty8 finds it and widened by
PRINT_PAD_MM, and the printed border's zone left out: the "free" paper):

- one rim circle: the free pixels at `empty8.LEVEL` of `pencil6.trace_contrast`, runs
  along the square's sides left out (`empty8._along_axes`: printed rules, streaks); of
  TRIES circles through three of them (a fixed seed), the one most lie within KEEP_MM
  of, refitted TRIM times on those (Kasa's least squares); its radius MIN_RADIUS_MM to
  MAX_RADIUS_MM (the deck's circle marks are 1.7-2.5 mm) and bent over the window (the
  sagitta of the arc it sees at least BENT_MM);
- the rim goes on round the square: along the circle, on the ring of free paper beyond
  the printed border, the rim is there (contrast `empty8.LEVEL` within SIDE_MM) at
  THERE_SHARE of the positions and at least RING_MM of them (a hand's arc that leaves
  the square on one side covers a few millimetres of it);
- the stain's profile across its rim, learned on the ring alone: each ring pixel's
  darkness against the paper (`gain * (1 - pixel / paper)`) binned by its signed
  distance to the circle (1 px), each bin's median (BIN_SAMPLES pixels at least);
- a stain's rim, not a hand's loop: the profile within RIM_MM of the circle at most
  RIM_MAX darker than the darker of its sides (RIM_MM to SIDES_MM away): a rim is a few
  per cent darker than its fill, a pen or pencil loop has paper on both sides;
- the proof, inside (empty8's inside less INSET_MM): each pixel's darkness minus the
  profile at its distance (the profile placed at the radial shift up to SHIFT_MM that
  fits best: the generator's outline is a wobbly polygon), filtered by a DOT_MM box and
  by LINE_MM lines at ANGLES directions (a faint stroke adds up along its line),
  normalised where COVER of the filter lies inside; each filter's largest value at most
  max(its floor, NOISE_Z times the robust sigma of the same filter on the ring's
  residual) - the floor RESIDUAL for the box, LINE_RESIDUAL for the lines - and that
  limit at most RESIDUAL_CAP (a noisier scan: no proof); and in the INSET_MM band next to
  the printed border, no side's residual (across the band, along LINE_MM) more than
  EDGE_RESIDUAL above the band's median (the border's blur is the same on every side; a
  stroke drawn along it is not).

Where it is asked (`settles_empty`, one hook in `reader._interpret` right after
`empty8.settles_empty`, only where that said no): the same squares as empty8 (in review
as `marginal_mark` or `possible_stain`, score under `marked` and `empty8.CEIL`, no
hesitation dot by `settle7.pen_dot`). It then reads `empty`, its score kept.

- fix10: the rim's two sides (RIM_MM to SIDES_MM off it) differ by at least FILL_STEP
  (a stain's fill on one side, paper on the other; a hand's even loop round the row,
  fainter than RIM_MAX, has paper on both: "no fill").

Where it stops: a water ring whose fill is under FILL_STEP stays in review (it cannot be
told from a hand's even loop, tests/test_stain10.py draws both); two stains, a stain and a line (fold, crease, streak), a rim straighter
than BENT_MM (a wide stain seen over a short arc), a tea stain's soft edge with no rim
at LEVEL and a thumb print (no one circle) stay in review; so does a rim whose distances
inside the ring does not see. Drawn on the squares it proves (tests/test_stain10.py,
and squares of seeds 140/141 in docs/reading.md), light pencil at 0.07 (the corpus's
faintest) is always refused; at 0.04-0.05 a dash, a dot or a stroke 0.5 mm beside the
rim is sometimes taken for the stain's. No fast version, so no slow reference: a square in doubt that empty8
refused costs 65 ms median, 290 ms at most (39 field squares, on the shared machine at
load 16; most of it the three-point circle search), asked only there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import empty8, pencil6

if TYPE_CHECKING:
    from kiosk.reading import lines7
    from kiosk.reading.inspect import Verdict

ENABLED = True  # tests and the A/B read each sheet with it off too ("before")
BESIDE = True  # stain21's two margin checks (`pen_beside`, "margin"); off: the tenth pass's proof

MIN_RADIUS_MM = 3.5  # the rim's circle at least this wide (a hand's circle mark: 1.7-2.5 mm)
MAX_RADIUS_MM = 30.0  # ... and at most this (the generator's stains: 2.5-25 mm)
BENT_MM = 0.5  # the circle's sagitta over the chord the window sees, at least this
KEEP_MM = 0.6  # the refit keeps the rim pixels within this of the circle
TRIM = 3  # ... this many times
TRIES = 300  # circles through three rim pixels drawn, the one most lie near kept
PRINT_PAD_MM = 0.3  # print (and its blur) left out this far round it
SIDE_MM = 0.2  # the rim along the circle: the highest contrast within this radially
THERE_SHARE = 0.6  # ... at least LEVEL at this share of the ring's positions along the circle
RING_MM = 6.0  # ... over at least this much of the circle on the ring
RESIDUAL = 0.025  # inside: darkness minus the ring's profile, smoothed, at most this (absolute) ...
NOISE_Z = 4.5  # ... or this many times the ring's own smoothed residual's robust sigma
RESIDUAL_CAP = 0.055  # a ring noisier than this (its limit): no proof
SHIFT_MM = 0.3  # the profile placed inside at the best radial shift up to this
DOT_MM = 0.6  # the residual filtered by a box this wide (a dot) ...
INSET_MM = 0.3  # the inside judged stops this far in from empty8's inside
EDGE_RESIDUAL = 0.025  # a side's band (INSET_MM) at most this above the band's median
LINE_MM = 1.5  # ... and along lines this long
ANGLES = 8  # ... at this many directions
LINE_RESIDUAL = 0.03  # the lines' floor
COVER = 0.8  # a filter's value inside where at least this share of it lies inside
RIM_MAX = 0.14  # the rim at most this darker than the darker side (the generator's: 0.03-0.12 of the light, times the gain)
RIM_MM = 1.0  # ... the rim: the profile within this of the circle
SIDES_MM = 3.0  # ... its sides: from RIM_MM to this
BIN_SAMPLES = 4  # an inside pixel's distance bin needs this many ring pixels
BESIDE_MM2 = 0.1  # stain21: pen-dark ink beside the square over at least this area (a felt tip's
# stroke crossing 1 mm of margin covers about 0.5 mm2; a JPEG's ringing by the border far less)
BESIDE_LINK = (
    0.1  # ... less what lies on a printed rule, found at this darkness (a faint rule's whole length)
)
RULE_SHARE = 0.5  # a rule: a line covering at least this share of the window's width ...
RULE_DEG = 6.0  # ... within this of its rows or columns (the reader takes skew to 5 degrees) ...
RULE_STEP_DEG = 0.25  # ... tried at this step
RULE_MM = 0.15  # ... its pixels this far to each side of the line (and a pixel) are the rule's
FEW_BINS = 4  # stain29: rule_pixels paints up to this many passing offsets at an angle directly
FILL_STEP = 0.015  # fix10: the rim's two sides' medians differ at least this (a stain's fill
# on one side, paper on the other; a hand's even loop has paper on both)


def _circle(px: np.ndarray, py: np.ndarray) -> tuple[float, float, float] | None:
    """The circle nearest the points (Kasa's least squares): (cx, cy, r), or None."""
    if len(px) < 3:
        return None
    a = np.stack([px, py, np.ones_like(px)], axis=1)
    sol, *_ = np.linalg.lstsq(a, -(px * px + py * py), rcond=None)
    ccx, ccy = float(-sol[0] / 2), float(-sol[1] / 2)
    r2 = ccx * ccx + ccy * ccy - float(sol[2])
    if not math.isfinite(r2) or r2 <= 0:
        return None
    return ccx, ccy, math.sqrt(r2)


def rim_circle(
    c: np.ndarray, free: np.ndarray, xs: np.ndarray, ys: np.ndarray, scale: float
) -> tuple[float, float, float] | None:
    """The one circle most of the window's stroke-like pixels lie on (module docstring):
    runs along the square's sides (`empty8._along_axes`: printed rules, a streak) left
    out, the circle through three of the rest that most of them lie near (TRIES draws,
    a fixed seed: the same answer each time), refitted on those; or None."""
    on = (free & (c >= empty8.LEVEL)).astype(np.uint8)
    n, labels = cv2.connectedComponents(on, connectivity=8)
    keep = np.zeros(n, bool)
    for k in range(1, n):
        iy, ix = np.nonzero(labels == k)
        keep[k] = not (len(ix) >= 3 and empty8._along_axes(ix, iy, scale))
    sel = keep[labels] & (on > 0)
    px, py = xs[sel], ys[sel]
    if len(px) < 3 * scale:
        return None
    rng = np.random.default_rng(0)
    tol = KEEP_MM * scale
    best, best_in = None, 0
    for _ in range(TRIES):
        i = rng.choice(len(px), 3, replace=False)
        fit = _circle(px[i], py[i])
        if fit is None or not MIN_RADIUS_MM * scale <= fit[2] <= MAX_RADIUS_MM * scale:
            continue
        got = int((np.abs(np.hypot(px - fit[0], py - fit[1]) - fit[2]) <= tol).sum())
        if got > best_in:
            best, best_in = fit, got
    fit = best
    for _ in range(TRIM):
        if fit is None:
            return None
        near = np.abs(np.hypot(px - fit[0], py - fit[1]) - fit[2]) <= tol
        if near.sum() < 3:
            return None
        fit = _circle(px[near], py[near])
    if fit is None or not MIN_RADIUS_MM * scale <= fit[2] <= MAX_RADIUS_MM * scale:
        return None
    return fit


def _along(
    c: np.ndarray,
    ring: np.ndarray,
    fit: tuple[float, float, float],
    x0: float,
    y0: float,
    scale: float,
) -> tuple[int, float, float]:
    """Positions along the circle (1 px apart) on the ring, the share of them where the rim
    is there (contrast LEVEL within SIDE_MM radially) and the visible chord's sagitta (px)."""
    h, w = c.shape
    ccx, ccy, r = fit
    n = max(8, int(2 * math.pi * r))
    side = max(1, round(SIDE_MM * scale))
    seen = 0
    there = 0
    angles = []
    for k in range(n):
        a = 2 * math.pi * k / n
        ca, sa = math.cos(a), math.sin(a)
        xi, yi = round(ccx + r * ca - x0), round(ccy + r * sa - y0)
        if not (0 <= xi < w and 0 <= yi < h) or not ring[yi, xi]:
            continue
        seen += 1
        angles.append(a)
        best = -1.0
        for j in range(-side, side + 1):
            qx, qy = round(ccx + (r + j) * ca - x0), round(ccy + (r + j) * sa - y0)
            if 0 <= qx < w and 0 <= qy < h and ring[qy, qx]:
                best = max(best, float(c[qy, qx]))
        if best >= empty8.LEVEL:
            there += 1
    if seen == 0:
        return 0, 0.0, 0.0
    # The arc the window sees: the largest angular gap between seen positions is the part
    # of the circle off the window; the rest is the arc (its sagitta r (1 - cos(span / 4))).
    s = np.sort(np.asarray(angles))
    gaps = np.diff(np.concatenate([s, s[:1] + 2 * math.pi]))
    span = 2 * math.pi - float(gaps.max())
    sagitta = r * (1 - math.cos(min(span, 2 * math.pi) / 4)) if span < math.pi else r
    return seen, there / seen, sagitta


def why_not(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> str | None:
    """What keeps the square from `rim_explains`: "edge", "beside" (pen-dark ink in the
    margin beside the square: `pen_beside`), "circle" (no one rim circle),
    "bent" (too straight), "ring" (the rim does not go on round the square), "bins"
    (the ring does not see the inside's distances), "residual" (something inside the
    stain does not explain), or None (the stain explains every pixel inside)."""
    got = empty8.neighbourhood(image, centre, scale)
    if got is None:
        return "edge"
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    if float(box.max()) < empty8.OUT_MM[1] * scale:
        return "edge"
    border = (box > empty8.INSIDE_MM * scale) & (box <= empty8.BORDER_MM * scale)
    # The inside judged: INSET_MM in from empty8's (the printed border's blur reaches in).
    inside = box <= (empty8.INSIDE_MM - INSET_MM) * scale
    under = empty8.paper_under(win, scale).astype(np.float64)
    ink = gain * (1.0 - win / np.maximum(under, 1.0))
    if BESIDE and pen_beside(ink, box, scale):
        return "beside"  # stain21: a pen stroke beside the square, not the stain's
    printed = ~inside & (ink >= empty8.PRINT)
    pad = 2 * max(1, round(PRINT_PAD_MM * scale)) + 1
    printed = cv2.dilate(printed.astype(np.uint8), np.ones((pad, pad), np.uint8)) > 0
    free = ~border & ~printed
    ring = free & (box > (empty8.BORDER_MM + 0.2) * scale)
    c = pencil6.trace_contrast(win, scale, paper, gain)
    fit = rim_circle(c, free, xs, ys, scale)
    if fit is None:
        return "circle"
    seen, share, sagitta = _along(c, ring, fit, float(xs[0, 0]), float(ys[0, 0]), scale)
    if sagitta < BENT_MM * scale:
        return "bent"
    if seen * share < RING_MM * scale or share < THERE_SHARE:
        return "ring"
    # The stain's profile across the rim, from the ring alone.
    dark = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    dist = np.rint(np.hypot(xs - fit[0], ys - fit[1]) - fit[2]).astype(np.int64)
    lo = int(dist.min())
    bins = dist - lo
    nb = int(bins.max()) + 1
    counts = np.bincount(bins[ring], minlength=nb)
    prof = np.full(nb, np.nan)
    rd, rb = dark[ring], bins[ring]
    order = np.argsort(rb, kind="stable")
    rb, rd = rb[order], rd[order]
    starts = np.searchsorted(rb, np.arange(nb))
    ends = np.searchsorted(rb, np.arange(nb), side="right")
    for b in np.nonzero(counts >= BIN_SAMPLES)[0]:
        prof[b] = float(np.median(rd[starts[b] : ends[b]]))
    if _rim_contrast(prof, lo, scale) > RIM_MAX:
        return "dark rim"
    if _fill_step(prof, lo, scale) < FILL_STEP:
        return "no fill"  # fix10: paper on both sides of the rim: a hand's loop, not a stain
    # The residual (darkness minus the profile) smoothed over DOT_MM, inside and, as
    # the paper's own noise, on the ring.
    # The rim's polygon wanders off its circle by a few tenths of a millimetre: inside,
    # the profile is placed at the radial shift (up to SHIFT_MM) that fits it best.
    res = np.zeros_like(dark)
    fd = np.hypot(xs - fit[0], ys - fit[1])[inside] - fit[2] - lo
    best = None
    for shift in range(-round(SHIFT_MM * scale), round(SHIFT_MM * scale) + 1):
        sb = np.rint(fd - shift).astype(np.int64)
        if sb.min() < 0 or sb.max() >= nb or np.isnan(prof[sb]).any():
            continue
        r = dark[inside] - prof[sb]
        e = float((r * r).sum())
        if best is None or e < best[0]:
            best = (e, r, shift)
    if best is None:
        return "bins"
    res[inside] = best[1]
    if _along_the_border(dark, prof, xs, ys, box, fit, lo, best[2], scale):
        return "border"
    known = ring & ~np.isnan(prof[bins])
    res[known] = dark[known] - prof[bins[known]]
    if not known.any():
        return "edge"
    margin = box <= (TARGET / 2 + empty8.NEAR_MM) * scale  # stain21 (the ring's part of it)
    return _residual(res, inside, known, margin, scale)


def _residual(
    res: np.ndarray, inside: np.ndarray, known: np.ndarray, margin: np.ndarray, scale: float
) -> str | None:
    """`why_not`'s last question: "edge", "noisy", "residual", "margin" (stain21) or None."""
    # Each filter (a DOT_MM box: a dot; a LINE_MM line at ANGLES directions: a faint
    # stroke) over the residual, normalised where it is known; its largest value inside
    # against its own noise on the ring.
    for kernel, floor in _filters(scale):
        kh, kw = kernel.shape
        cover = kernel.sum()
        num_in = cv2.filter2D(np.where(inside, res, 0.0), -1, kernel, borderType=cv2.BORDER_CONSTANT)
        den_in = cv2.filter2D(inside.astype(np.float64), -1, kernel, borderType=cv2.BORDER_CONSTANT)
        num_r = cv2.filter2D(np.where(known, res, 0.0), -1, kernel, borderType=cv2.BORDER_CONSTANT)
        den_r = cv2.filter2D(known.astype(np.float64), -1, kernel, borderType=cv2.BORDER_CONSTANT)
        got_in = inside & (den_in >= COVER * cover)
        got_r = known & (den_r >= 0.999 * cover)
        if not got_in.any() or int(got_r.sum()) < RING_MM * scale * max(kh, kw):
            return "edge"
        vin = num_in[got_in] / den_in[got_in]
        vr = num_r[got_r] / den_r[got_r]
        sigma = 1.4826 * float(np.median(np.abs(vr - np.median(vr))))
        limit = max(floor, NOISE_Z * sigma)
        top = float(np.abs(vin).max())
        if limit > RESIDUAL_CAP:
            return "noisy"
        if top > limit:
            return "residual"
        # stain21: the margin beside the square (empty8's NEAR_MM, where a tick drawn mostly
        # beside the square lies) is explained too: no darker residual there than inside.
        got_m = margin & known & (den_r >= COVER * cover)
        if BESIDE and got_m.any() and float((num_r[got_m] / den_r[got_m]).max()) > limit:
            return "margin"
    return None


def pen_beside(ink: np.ndarray, box: np.ndarray, scale: float) -> bool:
    """stain21: is there pen-dark ink beside the square, in the margin from the printed
    border's zone out to `empty8.NEAR_MM` beyond its printed edge, that is not on a printed
    rule (`rule_pixels`)? The proof below is of the inside alone, and it takes ink as dark
    as print beside the square for print (left out of the ring): a felt-tip tick drawn
    mostly below the square, its foot over the corner, went unseen and the square read
    `empty` (seed 11000, sheet 13447, the twenty-first pass's untouched run). empty8 judges
    that margin; this asks it here. The layout prints nothing there but the rules."""
    outside = box > empty8.BORDER_MM * scale
    near = outside & (box <= (TARGET / 2 + empty8.NEAR_MM) * scale)
    least = BESIDE_MM2 * scale * scale
    pen = near & (ink >= empty8.PRINT)
    if int(pen.sum()) < least:
        return False
    pen &= ~rule_pixels(outside & (ink >= BESIDE_LINK), scale)
    return int(pen.sum()) >= least


def rule_pixels(mask: np.ndarray, scale: float) -> np.ndarray:
    """stain21: the pixels of `mask` on a straight line within RULE_DEG of the window's rows
    or columns that `mask` covers over at least RULE_SHARE of the window's width (a printed
    rule, at any skew the reader takes; a fold or a streak along the sheet too), widened by
    RULE_MM to each side. A tick's arm, a loop or a stain's rim is no such line; a stroke
    drawn exactly along a rule is hidden by it (as in empty8).

    stain29: the same pixels as `rule_pixels_reference` (which repaints the window once for
    each passing offset bin), at a cost bounded by the window: at each angle, each pixel not
    yet painted is tested against the two passing offsets nearest its own (the largest at or
    below it and the smallest above it; the test is the reference's own float expression,
    `abs(v - c) <= half`, which is monotone in c on each side of v, so if any passing offset
    is within `half` one of those two is), and the search stops once every pixel is painted.
    At an angle where at most FEW_BINS offsets pass (a printed rule or two: every field call
    seen) they are painted as the reference paints them, which is cheaper there."""
    h, w = mask.shape
    iy, ix = np.nonzero(mask)
    out = np.zeros(mask.shape, bool)
    if len(ix) == 0:
        return out
    yy, xx = np.mgrid[0:h, 0:w]
    half = 1.0 + RULE_MM * scale
    for across, along, length in ((iy, ix, w), (ix, iy, h)):
        need = RULE_SHARE * length
        if len(ix) < need:
            continue
        # the reference's line: |yy - t xx - c| <= half across rows, |xx - t yy - c| across columns
        pa, pb = (yy, xx) if across is iy else (xx, yy)
        for deg in np.arange(-RULE_DEG, RULE_DEG + 1e-9, RULE_STEP_DEG):
            t = math.tan(math.radians(float(deg)))
            off = np.rint(across - t * along).astype(np.int64)
            lo = int(off.min())
            counts = np.bincount(off - lo)
            passing = np.nonzero(counts >= need)[0]
            if len(passing) == 0:
                continue
            if len(passing) <= FEW_BINS:  # a rule or two (field sheets): painted as the reference
                for b in passing:
                    out |= np.abs(pa - t * pb - float(b + lo)) <= half
            else:
                cs = (passing + lo).astype(np.float64)  # sorted, exact (integers)
                todo = ~out
                v = pa[todo] - t * pb[todo]
                # An integer offset c is at or below v iff it is at or below floor(v): the two
                # nearest passing offsets are looked up by floor(v) in a table over its range.
                fv = np.floor(v)
                base = float(fv.min())
                ints = base + np.arange(int(fv.max() - base) + 1, dtype=np.float64)
                k = np.searchsorted(cs, ints, side="right")  # cs[k - 1] <= ints < cs[k]
                j = (fv - base).astype(np.intp)
                below = cs[np.maximum(k - 1, 0)][j]
                above = cs[np.minimum(k, len(cs) - 1)][j]
                out[todo] = (np.abs(v - below) <= half) | (np.abs(v - above) <= half)
            if out.all():
                return out
    return out


def rule_pixels_reference(mask: np.ndarray, scale: float) -> np.ndarray:
    """stain21: the pixels of `mask` on a straight line within RULE_DEG of the window's rows
    or columns that `mask` covers over at least RULE_SHARE of the window's width (a printed
    rule, at any skew the reader takes; a fold or a streak along the sheet too), widened by
    RULE_MM to each side. A tick's arm, a loop or a stain's rim is no such line; a stroke
    drawn exactly along a rule is hidden by it (as in empty8).

    stain29: the slow obvious reference `rule_pixels` is held to (tests/test_stain29.py): each
    passing offset bin at each angle repaints the whole window, so a window the mask covers
    almost whole (every bin at every angle passes: a damaged sheet) cost up to 51 s."""
    h, w = mask.shape
    iy, ix = np.nonzero(mask)
    out = np.zeros(mask.shape, bool)
    if len(ix) == 0:
        return out
    yy, xx = np.mgrid[0:h, 0:w]
    half = 1.0 + RULE_MM * scale
    for across, along, length in ((iy, ix, w), (ix, iy, h)):
        need = RULE_SHARE * length
        if len(ix) < need:
            continue
        for deg in np.arange(-RULE_DEG, RULE_DEG + 1e-9, RULE_STEP_DEG):
            t = math.tan(math.radians(float(deg)))
            off = np.rint(across - t * along).astype(np.int64)
            lo = int(off.min())
            counts = np.bincount(off - lo)
            for b in np.nonzero(counts >= need)[0]:
                c = float(b + lo)
                if across is iy:
                    out |= np.abs(yy - t * xx - c) <= half
                else:
                    out |= np.abs(xx - t * yy - c) <= half
    return out


def _rim_contrast(prof: np.ndarray, lo: int, scale: float) -> float:
    """How much darker the profile is on the rim (within RIM_MM of the circle) than the
    darker of its two sides (RIM_MM to SIDES_MM from it): a stain's rim is a few per cent
    darker than its fill; a stroke with paper on both sides (a pen or pencil loop) is
    as dark as its ink. Sides the ring does not see count as the rim's own level (no
    contrast is proven there, so none is assumed)."""
    s = np.arange(len(prof)) + lo
    known = ~np.isnan(prof)
    on = known & (np.abs(s) <= RIM_MM * scale)
    if not on.any():
        return 0.0
    peak = float(prof[on].max())
    sides = []
    for sign in (-1, 1):
        band = known & (sign * s > RIM_MM * scale) & (sign * s <= SIDES_MM * scale)
        if band.any():
            sides.append(float(np.median(prof[band])))
    if not sides:
        return 0.0
    return peak - max(sides)


def _fill_step(prof: np.ndarray, lo: int, scale: float) -> float:
    """fix10: how much darker the darker side of the rim is than the other (each side's
    median profile from RIM_MM to SIDES_MM off the circle): a stain's fill lies on one
    side of its rim, a hand's even loop has paper on both. Zero when the ring does not
    see both sides (no fill is proven there)."""
    s = np.arange(len(prof)) + lo
    known = ~np.isnan(prof)
    sides = []
    for sign in (-1, 1):
        band = known & (sign * s > RIM_MM * scale) & (sign * s <= SIDES_MM * scale)
        if band.any():
            sides.append(float(np.median(prof[band])))
    if len(sides) < 2:
        return 0.0
    return max(sides) - min(sides)


def _along_the_border(
    dark: np.ndarray,
    prof: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    box: np.ndarray,
    fit: tuple[float, float, float],
    lo: int,
    shift: int,
    scale: float,
) -> bool:
    """Is a stroke drawn along the inside of the printed border, in the INSET_MM band the
    residual's filters leave out? The band's residual (the profile placed as inside),
    averaged across the band and along LINE_MM of each side, at most EDGE_RESIDUAL above
    the whole band's median (the border's blur is the same on all four sides)."""
    band = (box <= empty8.INSIDE_MM * scale) & (box > (empty8.INSIDE_MM - INSET_MM) * scale)
    sb = np.rint(np.hypot(xs - fit[0], ys - fit[1])[band] - fit[2] - lo - shift).astype(np.int64)
    ok = (sb >= 0) & (sb < len(prof))
    ok[ok] = ~np.isnan(prof[sb[ok]])
    if not ok.all():
        return True  # the ring does not see the band's distances: no proof
    r = dark[band] - prof[sb]
    base = float(np.median(r))
    bx, by = xs[band], ys[band]
    n = max(1, round(LINE_MM * scale))
    for side, along in (
        (by < -np.abs(bx), bx),
        (by > np.abs(bx), bx),
        (bx < -np.abs(by), by),
        (bx > np.abs(by), by),
    ):
        if not side.any():
            continue
        t = np.rint(along[side]).astype(np.int64)
        t -= t.min()
        sums = np.bincount(t, weights=r[side])
        counts = np.bincount(t).astype(np.float64)
        if len(sums) < n:
            continue
        k = np.ones(n)
        means = np.convolve(sums, k, "valid") / np.maximum(np.convolve(counts, k, "valid"), 1.0)
        if float(means.max()) - base > EDGE_RESIDUAL:
            return True
    return False


def _filters(scale: float) -> list[tuple[np.ndarray, float]]:
    """The residual's filters and each one's floor: a DOT_MM box (RESIDUAL), and a line
    LINE_MM long, one pixel wide, at ANGLES directions (LINE_RESIDUAL)."""
    k = max(1, round(DOT_MM * scale))
    out = [(np.ones((k, k), np.float64), RESIDUAL)]
    n = max(3, round(LINE_MM * scale)) | 1
    for j in range(ANGLES):
        a = math.pi * j / ANGLES
        kern = np.zeros((n, n), np.float64)
        h = n // 2
        cv2.line(
            kern,
            (round(h - h * math.cos(a)), round(h - h * math.sin(a))),
            (round(h + h * math.cos(a)), round(h + h * math.sin(a))),
            1.0,
            1,
        )
        out.append((kern, LINE_RESIDUAL))
    return out


def rim_explains(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """The module's test: one stain's rim seen round the square explains every pixel inside."""
    return why_not(image, centre, scale, paper, gain) is None


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
    """Does the square in doubt (empty8's squares: `marginal_mark` or `possible_stain`,
    its score under `marked`, no hesitation dot) read `empty`: one stain's rim explains
    it (`rim_explains`)? `half` and `page` are not used (the hook's arguments are empty8's)."""
    del half, page
    if not ENABLED or not empty8.in_doubt(v.mark, v.reason, v.score, marked):
        return False
    at, paper = (float(centre[0]), float(centre[1])), float(np.max(levels))
    from kiosk.reading import settle7  # settle7 imports the reader's helpers

    if settle7.pen_dot(image, at, scale, paper, gain):
        return False
    return rim_explains(image, at, scale, paper, gain)
