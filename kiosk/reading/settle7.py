"""Settling doubt with a positive test (issue 10, the seventh pass: settle7).

Most of the review the reader adds beyond the truth is real pencil marks that score
between `marginal` and `marked`: the closer look (`inspect.inspect_square`) finds a
hand's evidence in the square but not enough ink for `marked`, and sends the sheet to the
commission (`marginal_mark`). A careful human looking at such a square sees a pencil
cross or tick without doubt. This module asks the same question positively: are there
two hand strokes in the square?

The test (`hand_strokes`), on the square's neighbourhood (the square and
pencil6.TRACE_AROUND_MM around it), with `pencil6.trace_contrast` (each pixel's box mean
against the lighter of the paper boxes 0.8 mm to both sides: a narrow dark stroke scores,
a smooth stain, a fill's inside and the paper do not):

- stroke pixels: inside the square (0.35 mm in from its printed border), contrast at
  least ARM_LEVEL and ARM_NOISE times the paper's own spread around the square;
- two arms: the straight band (ARM_BAND_MM wide, 3-degree steps) whose stroke pixels
  cover the longest run along it, at least ARM_LEN_MM[0] of the inside; then, with the
  first arm's pixels taken away, the same at least ARM_APART_DEG away in direction,
  covering ARM_LEN_MM[1] (a tick's short arm; an X, a tick, a plus: a single straight
  line never settles); arm41 (`arm41.second_arm`): the second arm lies beyond the first
  stroke's own width (a wide stroke's own flank, crossed at 30 degrees, is not an arm), or
  is the band its own pixels there cover OWN_LEN_MM along;
- the arms meet: their lines cross within the square and MEET_MM around it;
- each arm stops: on its own straight line, from END_FROM_MM from the square's centre
  (the printed border's zone and a tick's tip left behind) out to the neighbourhood's
  edge, on BOTH sides, the median contrast (darkest within pencil6.TRACE_SIDEWAYS_MM
  sideways) stays under ARM_AGAIN of the arm's own; a fold, a crease, a streak, a
  show-through line or a ruled stroke continues and never settles;
- the arms are dark enough that nothing else explains them: each arm's median contrast
  at least ARM_LEVEL (a stain's rim stays under it);
- the paper around is quiet: in a band around the square (QUIET_MM from the centre,
  inside the printed rules of every style) at most QUIET_SHARE of the pixels reach half
  the arms' contrast (the title side's print showing through, a stain's rim, a line
  crossing it), and the inside's paper (its stroke pixels aside) is at most PAPER_STEP
  darker than that band's (a small stain inside the square never settles).

Where it is asked (`settles`, one hook in `reader.BallotReader._interpret`, after the
closer look): only a square the closer look sends to the commission as `marginal_mark`
(no `crossing_line`, no `possible_stain`) whose score is from SETTLE_FLOOR up to
`marked`, with no hesitation dot (`pen_dot`: the pen-dark ink inside is not one compact
blob, `inspect.dot_blob`). The reader then keeps the square `marked` only when the
contest becomes a single vote with nothing else in doubt (`settle_contest`): a settled
square never makes an overvote, and a contest with another square in doubt stays in
review.

Where it stops: a fill, a single slash, a stroke along a line of the paper, a stroke
lighter than ARM_LEVEL and a tick whose arm runs on beyond the neighbourhood stay in
review, whatever their score; a circle may settle (two of its chords are arms). Nothing
is settled `empty`.
`reference.best_arm_reference` and `reference.arm_stops_reference` are `best_arm` and
`_stops` in plain loops (tests/test_settle7.py checks they agree).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import arm41, crop, pencil6
from kiosk.reading.model import Thresholds

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict
    from kiosk.reading.model import MarkReading

ARM_LEVEL = 0.13  # a stroke pixel: this much darker than the paper beside it (box means);
# a stain's rim is at most 0.12 of the light (fieldkit's tea and water rings), blurred
ARM_NOISE = 5.0  # ... and this many times the paper's own spread of that contrast
ARM_BAND_MM = 0.6  # an arm's band, full width
ARM_LEN_MM = (2.5, 1.5)  # of the inside the first and the second arm's pixels cover along it
ARM_APART_DEG = 30.0  # the second arm's direction this far from the first, at least
ARM_STEP_DEG = 3  # the directions tried
MEET_MM = 1.0  # the arms' lines cross within the square and this far around it
END_FROM_MM = TARGET / 2 + 1.0  # where each arm's line must be paper again (from the centre)
ARM_AGAIN = 0.4  # paper again: the median contrast on the line under this share of the arm's
QUIET_MM = (TARGET / 2 + 0.8, TARGET / 2 + 1.3)  # a band around the square (inside every style's print) ...
QUIET_SHARE = 0.03  # ... holds at most this share of pixels at half the arms' contrast
PAPER_STEP = 0.04  # the inside's paper (strokes aside) at most this much darker than the outer band's
SETTLE_FLOOR = 0.025  # the lower score at least this (well above `marginal`, 0.018) ...
# ... and under the default `marked` (0.063): the band the test was measured on. A station
# whose calibration raised `marked` keeps the squares above this in review, as it says.
SETTLE_CEIL = Thresholds().marked
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
BORDER_MM = TARGET / 2 + 0.5  # the printed border's zone, as `inspect` has it
AROUND_MM = TARGET / 2 + pencil6.TRACE_AROUND_MM  # the neighbourhood looked at


@dataclass(frozen=True)
class Arm:
    angle: float  # degrees, 0-180: the arm's direction (x right, y down)
    rho: float  # px: the line's signed distance from the square's centre along its normal
    cover: float  # mm of the inside its stroke pixels cover along it
    level: float  # median contrast of its pixels


def neighbourhood(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The square's neighbourhood (AROUND_MM each side of the centre, clipped to the
    image) and each pixel's offset from the centre (xs, ys; px)."""
    got = crop.around(image, centre, int(AROUND_MM * scale))
    if got is None:
        return None
    win, xs, ys = got
    return win, np.broadcast_to(xs, win.shape), np.broadcast_to(ys, win.shape)


def best_arm(
    px: np.ndarray, py: np.ndarray, scale: float, angles: np.ndarray
) -> tuple[float, float, float] | None:
    """The straight band (ARM_BAND_MM wide) at one of `angles` (degrees) whose pixels
    (px, py: offsets from the centre) cover the most 1-px positions along it: (angle,
    rho, cover px). Ties: the first angle, the lowest band."""
    if len(px) == 0 or len(angles) == 0:
        return None
    band = max(1.0, ARM_BAND_MM * scale)
    best: tuple[float, float, float] | None = None
    for a in angles.tolist():
        t = math.radians(a)
        c, s = math.cos(t), math.sin(t)
        # The normal (-s, c); along (c, s).
        rho = -px * s + py * c
        along = px * c + py * s
        rb = np.floor(rho / band).astype(np.int64)
        tb = np.floor(along).astype(np.int64)
        key = (rb - rb.min()) * (int(tb.max() - tb.min()) + 2) + (tb - tb.min())
        uniq = np.unique(key)
        rows = uniq // (int(tb.max() - tb.min()) + 2)
        counts = np.bincount(rows)
        k = int(np.argmax(counts))
        cover = float(counts[k])
        if best is None or cover > best[2]:
            best = (float(a), (k + int(rb.min()) + 0.5) * band, cover)
    return best


def _line_contrast(
    c: np.ndarray, xs: np.ndarray, ys: np.ndarray, arm: Arm, scale: float, sign: float
) -> list[float]:
    """The contrast along the arm's line on one side, from END_FROM_MM out to the
    neighbourhood's edge, 1 px apart: at each position the darkest within
    pencil6.TRACE_SIDEWAYS_MM to either side."""
    t = math.radians(arm.angle)
    ca, sa = math.cos(t), math.sin(t)
    # The window's pixel of the centre.
    ox, oy = float(-xs[0, 0]), float(-ys[0, 0])
    # The foot of the normal: (-sa, ca) * rho; along the line from there.
    fx, fy = -sa * arm.rho, ca * arm.rho
    start = sign * (END_FROM_MM * scale)
    vals = [
        v
        for _t, v, _at in pencil6.along_line(c, None, ox + fx, oy + fy, ca, sa, start, sign, scale)
        if v is not None
    ]
    return vals


def _stops(c: np.ndarray, xs: np.ndarray, ys: np.ndarray, arm: Arm, scale: float) -> bool:
    """Is the arm's line paper again beyond the square on both sides?"""
    for sign in (-1.0, 1.0):
        vals = _line_contrast(c, xs, ys, arm, scale, sign)
        if len(vals) < scale:  # under a millimetre to judge by (the image's edge): no
            return False
        if float(np.median(vals)) >= ARM_AGAIN * arm.level:
            return False
    return True


def _meet(a: Arm, b: Arm, scale: float) -> bool:
    """Do the two arms' lines cross within the square and MEET_MM around it?"""
    ta, tb = math.radians(a.angle), math.radians(b.angle)
    # Normal form: -x sin + y cos = rho.
    m = np.array([[-math.sin(ta), math.cos(ta)], [-math.sin(tb), math.cos(tb)]])
    det = float(np.linalg.det(m))
    if abs(det) < 1e-6:
        return False
    x, y = np.linalg.solve(m, np.array([a.rho, b.rho]))
    return max(abs(float(x)), abs(float(y))) <= (TARGET / 2 + MEET_MM) * scale


def _apart(a: float, b: float) -> float:
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def stroke_pixels(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[np.ndarray, ...] | None:
    """The square's neighbourhood (win, xs, ys), its box distance, the inside's mask, the
    pencil contrast `c`, and the stroke pixels inside (py, px: `c` at least ARM_LEVEL and
    ARM_NOISE x the paper's spread round the square), as `hand_strokes` and
    `pencil9.two_strokes` look at them; None: no paper round the square to judge by."""
    got = neighbourhood(image, centre, scale)
    if got is None:
        return None
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= INSIDE_MM * scale
    border = (~inside) & (box <= BORDER_MM * scale)
    c = pencil6.trace_contrast(win, scale, paper, gain)
    around = c[~inside & ~border]
    if around.size == 0:
        return None
    level = max(ARM_LEVEL, ARM_NOISE * pencil6.paper_spread(around))
    py, px = np.nonzero(inside & (c >= level))
    return win, xs, ys, box, inside, c, py, px


def hand_strokes(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[Arm, Arm] | None:
    """Two hand strokes in the square (the module's test), or None. streak27: where the band
    round the square is not quiet and a scanner's streak proven page-long
    (`streak27.page_streak`) runs through the neighbourhood, the same test is asked once more
    of the image with that streak divided out of its columns."""
    return _hand_strokes(image, centre, scale, paper, gain, True)


def _hand_strokes(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float, streak: bool
) -> tuple[Arm, Arm] | None:
    got = stroke_pixels(image, centre, scale, paper, gain)
    if got is None:
        return None
    win, xs, ys, box, inside, c, py, px = got
    if len(px) == 0:
        return None
    fx = xs[py, px].astype(np.float64)
    fy = ys[py, px].astype(np.float64)
    vals = c[py, px]
    angles = np.arange(0, 180, ARM_STEP_DEG, dtype=np.float64)
    arms: list[Arm] = []
    keep = np.ones(len(fx), dtype=bool)
    for need in ARM_LEN_MM:
        if arms:
            ok = np.array([_apart(a, arms[0].angle) >= ARM_APART_DEG for a in angles.tolist()])
            pool = angles[ok]
        else:
            pool = angles
        found = best_arm(fx[keep], fy[keep], scale, pool)
        if found is None:
            return None
        if arms:
            # arm41: the second arm is a stroke of its own, beyond the first one's width.
            wy, wx = np.nonzero(inside & (c >= arm41.WIDTH_LEVEL * arms[0].level))
            wide = (xs[wy, wx].astype(np.float64), ys[wy, wx].astype(np.float64))
            found = arm41.second_arm(found, need, fx[keep], fy[keep], vals[keep], *wide, arms[0], pool, scale)
            if found is None:
                return None
        elif found[2] < need * scale:
            return None
        a, rho, cover = found
        t = math.radians(a)
        dist = np.abs(-fx * math.sin(t) + fy * math.cos(t) - rho)
        on = keep & (dist <= max(1.0, ARM_BAND_MM * scale) / 2)
        arm = Arm(a, rho, cover / scale, float(np.median(vals[on])))
        if arm.level < ARM_LEVEL:
            return None
        arms.append(arm)
        keep &= ~on
    first, second = arms
    if not _meet(first, second, scale):
        return None
    # The paper around is quiet: no line, rim or print crosses the outer band, and the
    # inside is not darkened as a stain darkens it.
    half_level = 0.5 * min(first.level, second.level)
    outer = (box > QUIET_MM[0] * scale) & (box <= QUIET_MM[1] * scale)
    if outer.sum() == 0 or float((c[outer] >= half_level).mean()) > QUIET_SHARE:
        return _without_streak(image, centre, scale, paper, gain) if streak else None
    paper_in = inside & (c < half_level)
    if paper_in.sum() == 0:
        return None
    step = 1.0 - float(np.median(win[paper_in])) / max(1.0, float(np.median(win[outer])))
    if gain * step > PAPER_STEP:
        return None
    if not (_stops(c, xs, ys, first, scale) and _stops(c, xs, ys, second, scale)):
        return None
    return first, second


def _without_streak(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[Arm, Arm] | None:
    """streak27: the test again, once, on the image with a proven page-long streak divided
    out; None where there is none (or the rule is off)."""
    from kiosk.reading import streak27  # streak27 imports lines10, which imports the reader's helpers

    clean = streak27.divided(image, centre, scale)
    return None if clean is None else _hand_strokes(clean, centre, scale, paper, gain, False)


def settles(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
    marginal: float,
    marked: float,
    half: int | None = None,
) -> bool:
    """Does the closer look's `marginal_mark` (its score from SETTLE_FLOOR, over
    `marginal`, up to `marked` and SETTLE_CEIL) settle as `marked`: two hand strokes in
    the square, no hesitation dot, and (given the window's `half`) no thin curve the
    strokes belong to running on beyond the window (`reaches_beyond`)? The reader keeps
    it only if the contest becomes one vote (`settle_contest`)."""
    if v.mark != "marginal" or v.reason != "marginal_mark":
        return False
    # Strictly over `marginal`: the closer look reports max(its score, marginal), so a
    # score equal to a calibration's raised `marginal` may be that floor, not the ink.
    if not (SETTLE_FLOOR <= v.score < min(marked, SETTLE_CEIL) and v.score > marginal):
        return False
    at = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    if pen_dot(image, at, scale, paper, gain):
        return False
    if hand_strokes(image, at, scale, paper, gain) is None:
        return False
    return half is None or not reaches_beyond(image, at, scale, paper, gain, half)


def reaches_beyond(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float, half: int
) -> bool:
    """Review's lead (session 8): a small ring's rim (a dried drop, 0.16 of the light, 3 mm
    across its radius) gives two chords 33 degrees apart that pass for a tick's arms, and
    each chord's own line is paper again beyond the square while the arc curves on. Asked
    as `rims7.paper_thin` asks it of a square about to read `marked`: do most of the
    inside's stroke pixels belong to thin features (straight lines of the paper left out)
    running on REACH_MM or more beyond the window? Then the commission decides."""
    from kiosk.reading import rims7  # rims7 imports inspect, which imports the reader's helpers

    win, x0, y0 = crop.placed(image, centre[0], centre[1], half)
    xs, ys = crop.offsets(win.shape[0], win.shape[1], centre[0] - x0, centre[1] - y0)
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= INSIDE_MM * scale
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    evidence = inside & (ink >= ARM_LEVEL)
    return rims7.paper_thin(image, centre, half, scale, gain, paper, evidence, (x0, y0))


def pen_dot(image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float) -> bool:
    """The square's pen-dark ink (inspect.DARK_INK against `paper`) inside is one
    compact blob (`inspect.dot_blob`): a hesitation dot, never settled."""
    from kiosk.reading import inspect  # inspect imports the reader's helpers

    got = neighbourhood(image, centre, scale)
    if got is None:
        return True
    win, xs, ys = got
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= INSIDE_MM * scale
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    return inspect.dot_blob(inside & (ink >= inspect.DARK_INK), scale) is not None


def settle_contest(marks: list[MarkReading], settled: list[int]) -> list[MarkReading]:
    """Squares settled `marked` stay so only when the contest then holds exactly one
    `marked` square and nothing in doubt; otherwise each goes back to the commission
    (`marginal_mark`): a settled square never makes an overvote nor decides beside
    another doubt. One that `rims7.unlike_marks` already sent there keeps its own, more
    specific reason (`possible_stain`: the commission's screen shows it)."""
    if not settled:
        return marks
    marked = sum(1 for m in marks if m.mark == "marked")
    doubt = any(m.mark == "marginal" for m in marks)
    if marked == 1 and not doubt:
        return marks
    out = list(marks)
    for i in settled:
        if out[i].mark == "marginal" and out[i].reason is not None:
            continue
        out[i] = replace(out[i], mark="marginal", reason="marginal_mark")
    return out
