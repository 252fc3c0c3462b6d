"""A faint pencil stroke that graphite's grain breaks into pieces shorter than every pencil
test's minimum (issue 10, grain14: seed 10200 sheets 472 and 50770, seed 10000 sheet 22618).

Why. The thirteenth pass's untouched run read two light pencil marks `empty`:
10200/472/respublica (a faint X, arms peaking at 0.06 contrast, broken into ~1.5 mm pieces;
score 0.0135, the wider band) and 10200/50770/jsdp (a faint tick, its long arm broken into
~1 mm pieces; score 0.0062, the low band's score range). Every pencil test cuts a contrast at
a level (0.035-0.04) and asks for connected runs of 1.5-2.5 mm; grain leaves gaps of ~0.5 mm
between pieces, so no run is long enough, and a lower cut joins the arms into one blob.

The rule (`stroke_pair`). No cut. On the square's window, lightly smoothed, each pixel's ink
(as `pencil6.trace_contrast` has it: darker than the paper, times the gain) is averaged along
straight segments (LONG_MM and SHORT_MM long, WIDTH_MM wide) slanted ANGLES degrees either
way, minus the darker of the same segment OFFSET_MM to either side (a stroke
is darker than the paper on both sides; a stain's edge or a gradient is not), so the gaps
between grain's pieces average out. A segment counts only inside the square (its middle and
INSIDE_SHARE of it inside `pencil6.INSIDE_MM`; the printed border taken as paper), not on or near (within LINE_DEG of its slant) a line that goes on beyond the
square's printed border on both sides (a fold, a crease, a streak, show-through: lines of
the paper cross the window), looked for at every slant. A line at another slant crossing the segment crosses its side
segments the same length, so it adds nothing. A mark is a pair: the best `/` segment and the
best `\\` segment, one LONG_MM and the other at least SHORT_MM long, each at least LEVEL and
NOISE times the spread of the same statistic on the paper beyond the border, that meet (within MEET_MM: an
X crosses, a tick's arms share an end).

Where it stops. Asked only where a square is about to read `empty` in the wider band (after
its four tests) and in pencil7's low band's score range (`pencil7.LOW_FROM` up to
`pencil6.LOOK_FROM`) with no look; it only sends to review (`marginal_mark`), never decides.
A single stroke (a dash, one arm of a tick above the square) is not a pair; a pair fainter
than LEVEL, or an X whose arms lie within LINE_DEG of a paper line through them, stays
`empty`; so do squares under LOW_FROM and the closer look's `empty` (10000/22618's path).
An erased mark's ghost is a faint pair too: those go to review. Asked only past GATE (time).
docs/reading.md,
"Fourteenth pass: a faint stroke broken by grain (grain14)".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.reading import clear56, kernels, pencil6, speed32

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

ANGLES = tuple(range(25, 70, 5))  # slants looked at, degrees from the rows, both ways
LONG_MM = 3.0  # one segment of the pair this long ...
SHORT_MM = 2.0  # ... the other at least this long
WIDTH_MM = 0.3  # a segment's width (a pencil stroke's)
OFFSET_MM = 0.7  # the side segments this far either side
SMOOTH_MM = 0.15  # the ink is box-averaged over this first (JPEG, grain)
LEVEL = 0.02  # a segment: this much darker than its sides ...
NOISE = 5.0  # ... and this many times the statistic's spread over the square
MEET_MM = 0.7  # the pair's segments come this close (an X crosses, a tick's arms touch)
GOES_ON = (
    0.5  # a line of the paper: darker than its sides by this share of LEVEL beyond the border, both sides
)
AROUND_MM = 3.0  # how far beyond the printed border's zone the line is followed
INSIDE_SHARE = 0.75  # a segment: at least this share of it inside, its middle inside
LINE_NEAR_MM = 0.4  # segments this close to a line of the paper are not looked at ...
LINE_DEG = 30.0  # ... and this close to its slant (lines of the paper: every LINE_STEP_DEG)
LINE_STEP_DEG = 5
GATE = 0.03  # asked only where the inside's 95th percentile of ink is this over its median (`spread_inside`)
LOW_FROM = 0.004  # asked from this score (pencil7.LOW_FROM) up to pencil6.LOOK_FROM with no look
# The low band's hook (LOW_FROM up to the wider band) is off: it catches 10200/50770 and
# 9700/33190, but clean MZ-SMD-02 squares score there too (about 9 a sheet asked) and it cost
# 1.14-1.38x the interpretation on clean sheets (read_ab, fourteenth pass), end to end over the
# 1.3x cap on AST-SMD-07. On again once it has a gate that tells those squares from 50770's.
LOW_BAND = False


@dataclass(frozen=True)
class Segment:
    level: float  # the segment's mean ink minus the darker side's
    angle: float  # degrees, + rising to the right (`/`), - falling (`\\`)
    cx: float  # its middle, in the window's pixels
    cy: float
    length: float  # pixels


def _odd(n: float) -> int:
    k = max(1, int(np.rint(n)))
    return k if k % 2 == 1 else k + 1


def ink_window(
    image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float
) -> np.ndarray | None:
    """The window (half side pencil6.BORDER_MM + AROUND_MM) as ink against `paper`,
    box-smoothed over SMOOTH_MM; None where it leaves the image."""
    h = int(np.ceil((pencil6.BORDER_MM + AROUND_MM) * scale))
    cx, cy = int(np.rint(float(centre[0]))), int(np.rint(float(centre[1])))
    if cx - h < 0 or cy - h < 0 or cx + h + 1 > image.shape[1] or cy + h + 1 > image.shape[0]:
        return None
    k = _odd(SMOOTH_MM * scale)
    win = cv2.blur(
        image[cy - h : cy + h + 1, cx - h : cx + h + 1].astype(np.float32),
        (k, k),
        borderType=cv2.BORDER_REPLICATE,
    )
    ink: np.ndarray = np.clip(gain * (max(1.0, paper) - win) / max(1.0, paper), -0.2, 0.2).astype(np.float32)
    return ink


def segments(ink: np.ndarray, scale: float, clear: np.ndarray | None = None) -> tuple[list[Segment], float]:
    """For each slant and length, the best segment inside the square on no line of the
    paper; and the spread (robust sigma) of the long segments' level beyond the border.
    A line of the paper: a row at any slant (every LINE_STEP_DEG) whose median excess beyond
    the printed border's zone reaches GOES_ON x LEVEL on both sides; a segment any of whose
    length comes within LINE_NEAR_MM of it, at a slant within LINE_DEG of its, is not looked
    at (a segment along or across a line at a small angle reads the line, not a hand)."""
    # speed23: the statements live in `_slant_maps` (the maps and the spread) and `_pick`
    # (the lines and the best segments), which `full_look` asks separately to skip the lines.
    looked, spread = _slant_maps(ink, scale, clear, clear56.CLEAR_SHARE)
    return _pick(ink, scale, looked), spread


def _excess(r: np.ndarray, wk: int, d: int) -> np.ndarray:
    """Each pixel of a rotated window, averaged across WIDTH_MM, minus the darker of the
    same d rows above and below (0 where a side leaves the window)."""
    a_w = cv2.blur(r, (1, wk), borderType=cv2.BORDER_REPLICATE)
    up = np.full_like(a_w, np.inf)
    dn = np.full_like(a_w, np.inf)
    up[d:] = a_w[:-d]
    dn[:-d] = a_w[d:]
    out: np.ndarray = a_w - np.maximum(up, dn)
    out[~np.isfinite(out)] = 0.0
    return out


def _ends(s: Segment) -> tuple[np.ndarray, np.ndarray]:
    t = np.radians(s.angle)
    u = np.array([np.cos(t), -np.sin(t)]) * (s.length - 1) / 2.0
    p = np.array([s.cx, s.cy])
    return p - u, p + u


def _seg_dist(a: Segment, b: Segment) -> float:
    """Shortest distance between two segments (pixels)."""
    p0, p1 = _ends(a)
    q0, q1 = _ends(b)

    def pt(p: np.ndarray, s0: np.ndarray, s1: np.ndarray) -> float:
        v = s1 - s0
        t = float(np.clip(np.dot(p - s0, v) / max(1e-9, float(np.dot(v, v))), 0.0, 1.0))
        return float(np.linalg.norm(p - (s0 + t * v)))

    # crossing?
    def cross(o: np.ndarray, a_: np.ndarray, b_: np.ndarray) -> float:
        return float((a_[0] - o[0]) * (b_[1] - o[1]) - (a_[1] - o[1]) * (b_[0] - o[0]))

    d1, d2 = cross(q0, q1, p0), cross(q0, q1, p1)
    d3, d4 = cross(p0, p1, q0), cross(p0, p1, q1)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return 0.0
    return min(pt(p0, q0, q1), pt(p1, q0, q1), pt(q0, p0, p1), pt(q1, p0, p1))


def best_pair(best: list[Segment], spread: float, scale: float) -> tuple[Segment, Segment] | None:
    """The pair (module docstring) of strongest least level, or None."""
    floor = max(LEVEL, NOISE * spread)
    ok = [s for s in best if s.level >= floor]
    long_len = _odd(LONG_MM * scale)
    found: tuple[Segment, Segment] | None = None
    worst = -1.0
    for a in ok:
        if a.length != long_len:
            continue
        for b in ok:
            if (a.angle > 0) == (b.angle > 0):
                continue
            if _seg_dist(a, b) > MEET_MM * scale:
                continue
            w = min(a.level, b.level)
            if w > worst:
                worst, found = w, (a, b)
    return found


def low_band(scores: np.ndarray, looked: np.ndarray) -> list[bool]:
    """Squares with no look scoring from LOW_FROM up to `pencil6.LOOK_FROM` (the wider band's
    start): the low band's score range. One array operation; all False when not ENABLED."""
    n = int(scores.shape[0])
    if not ENABLED or not LOW_BAND or n == 0:
        return [False] * n
    out: list[bool] = (~looked & (scores >= LOW_FROM) & (scores < pencil6.LOOK_FROM)).tolist()
    return out


def first_look(ink: np.ndarray, scale: float) -> bool:
    """The cheap half: on the window cut to what the inside's segments reach, with no line
    of the paper taken out, some `/` segment and some `\\` segment (of either length) each
    reach LEVEL. Every pair `segments` and `best_pair` find passes it (the inside's segments
    are the same numbers on both windows, taking lines out only lowers a slant's best, and
    best_pair's floor is at least LEVEL), so it only saves the full look's time
    (`full_look`, the reference, without it; a hypothesis test checks the implication).

    grain15 made it one OpenCV rotation and one compiled call a slant (`kernels.grain_reach`),
    where `first_look_reference` makes about fifteen; speed38 made it one compiled call for
    every slant (`slant_reaches`; the rotated inside and where a segment may lie are the same
    for every square of a size, kept in `_slant_stack`). The compiled sums round differently
    from cv2.blur's, and the compiled rotation from cv2.warpAffine's, in the last bits, so a
    slant passes from LEVEL less REACH_SLACK and ROTATION_SLACK: it passes every square the
    reference passes (tests/test_grain15.py, tests/test_speed38.py)."""
    reaches = slant_reaches(ink, scale)
    if reaches is None:
        return True
    least = LEVEL - REACH_SLACK - ROTATION_SLACK
    n = len(ANGLES)
    return bool(reaches[:n].max() >= least and reaches[n:].max() >= least)


def slant_reaches(ink: np.ndarray, scale: float) -> np.ndarray | None:
    """Each slant's reach on the first look's cut of the window (`look_window`), `/` slants
    (ANGLES) then `\\` slants, in one compiled call; None when the window is no larger than
    the cut."""
    cut = look_window(ink, scale)
    if cut is None:
        return None
    small, wk, d, lengths = cut
    m = small.shape[0]
    inverse, ins, whole_long, whole_short, boxes = _slant_stack(m, inside_across(m, scale), wk, d, lengths)
    reaches: np.ndarray = kernels.slant_reaches(
        small, inverse, ins, whole_long, whole_short, boxes, wk, d, lengths[0], lengths[1]
    )
    return reaches


def inside_across(m: int, scale: float) -> int:
    """The inside's width in pixels on an m-pixel window, by `first_look_reference`'s own
    comparison (its dtypes follow the scale's type: a Python float compares in float32, an
    np.float64 in float64, so the comparison is made, not recomputed)."""
    cc = (m - 1) / 2.0
    return int(np.count_nonzero(np.abs(np.arange(m, dtype=np.float32) - cc) <= pencil6.INSIDE_MM * scale))


REACH_SLACK = 1e-6  # the compiled sums' rounding against cv2.blur's (float32 values under 0.2)
# speed38: the compiled rotation (float64 bilinear) against cv2.warpAffine's float32 one, on ink
# clipped to +-0.2: a slant's reach apart by at most 2.3e-7 over 7,200 slants of random windows
# (tests/test_speed38.py asks under a tenth of this)
ROTATION_SLACK = 1e-5

_ROTATED: dict[tuple[int, int, int, int, int, int, float], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _rotated_inside(
    m: int, across: int, wk: int, d: int, lengths: tuple[int, int], ang: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inside of an m-pixel window rotated by `ang` (OpenCV's nearest pixel, as
    `first_look_reference` rotates it) and, for the long and the short segment, the
    positions a segment may lie at (INSIDE_SHARE of it inside, its middle inside, clear of
    the rows the side segments leave). The inside is the middle `across` pixels on both
    axes (the reference's inside, |x - c| <= INSIDE_MM x scale, is always a run of pixels
    centred on the window's middle, so its width decides it): the same for every square of
    a size, so kept (a few thousand keys at most over every scale)."""
    key = (m, across, wk, d, lengths[0], lengths[1], ang)
    got = _ROTATED.get(key)
    if got is not None:
        return got
    cc = (m - 1) / 2.0
    run = np.abs(np.arange(m) - cc) <= (across - 1) / 2.0  # half-pixel steps: exact
    inside = np.outer(run, run).astype(np.float32)
    mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
    ins = np.ascontiguousarray(cv2.warpAffine(inside, mat, (m, m), flags=cv2.INTER_NEAREST, borderValue=0))
    wholes = [np.ascontiguousarray(segment_positions(ins, length, d, wk)) for length in lengths]
    got = (ins, wholes[0], wholes[1])
    if len(_ROTATED) > 4096:  # scales vary by square; bound it all the same
        _ROTATED.clear()
    _ROTATED[key] = got
    return got


_Stack = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_STACKS: dict[tuple[int, int, int, int, int, int], _Stack] = {}


def _slant_stack(m: int, across: int, wk: int, d: int, lengths: tuple[int, int]) -> _Stack:
    """Every slant's geometry (`/` then `\\`) for `kernels.slant_reaches`: the rotation's
    inverse map (from the rotated window back to the window, as cv2.warpAffine samples it; six
    numbers a row), `_rotated_inside`'s inside (0 or 1, uint8) and where a segment of each length
    may lie, and the box holding those places (first and last row, first and last column; first
    after last where none may) with 1 where every inside pixel's four samples lie in the window
    (strictly: x and y under m - 1, so the sample one on is in too). The same for every square of a size: kept (about 0.3 MB a size
    at 200 dpi, 21 sizes over 400 field sheets of 150-300 dpi)."""
    key = (m, across, wk, d, lengths[0], lengths[1])
    got = _STACKS.get(key)
    if got is not None:
        return got
    cc = (m - 1) / 2.0
    inverse, inss, longs, shorts, boxes = [], [], [], [], []
    for sign in (1, -1):
        for a in ANGLES:
            ang = float(sign * a)
            inverse.append(cv2.invertAffineTransform(cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)).reshape(6))
            ins, whole_long, whole_short = _rotated_inside(m, across, wk, d, lengths, ang)
            inss.append(ins)
            longs.append(whole_long)
            shorts.append(whole_short)
            ys, xs = np.nonzero(whole_long | whole_short)
            iy, ix = np.nonzero(ins)
            inv = inverse[-1]
            sx, sy = inv[0] * ix + (inv[1] * iy + inv[2]), inv[3] * ix + (inv[4] * iy + inv[5])
            all_in = int(
                sx.size == 0 or (sx.min() >= 0 and sy.min() >= 0 and sx.max() < m - 1 and sy.max() < m - 1)
            )
            boxes.append((ys.min(), ys.max(), xs.min(), xs.max(), all_in) if ys.size else (1, 0, 1, 0, 0))
    got = (
        np.ascontiguousarray(np.array(inverse, np.float64)),
        np.ascontiguousarray((np.array(inss) > 0).astype(np.uint8)),
        np.ascontiguousarray(np.array(longs, bool)),
        np.ascontiguousarray(np.array(shorts, bool)),
        np.array(boxes, np.int64).reshape(-1, 5),
    )
    if len(_STACKS) > 64:  # a few dozen sizes in practice; bound it all the same
        _STACKS.clear()
    _STACKS[key] = got
    return got


def reach_reference(
    r: np.ndarray,
    ins: np.ndarray,
    whole_long: np.ndarray,
    whole_short: np.ndarray,
    wk: int,
    d: int,
    lengths: tuple[int, int],
) -> float:
    """`kernels.grain_reach` in numpy and OpenCV, as `first_look_reference` computes a slant."""
    px = _excess(r * ins, wk, d)
    best = -np.inf
    for length, whole in zip(lengths, (whole_long, whole_short), strict=True):
        seg = cv2.blur(px, (length, 1), borderType=cv2.BORDER_CONSTANT)
        if whole.any():
            best = max(best, float(seg[whole].max()))
    return float(best)


def first_look_reference(ink: np.ndarray, scale: float) -> bool:
    """`first_look` as the fourteenth pass wrote it, in numpy and OpenCV calls (about 15 a
    slant, `reach_reference`): the reference the compiled `first_look` is checked against
    (tests/test_grain15.py)."""
    cut = look_window(ink, scale)
    if cut is None:
        return True
    small, wk, d, lengths = cut
    m = small.shape[0]
    cc = (m - 1) / 2.0
    yy, xx = np.mgrid[0:m, 0:m].astype(np.float32)
    inside_r = pencil6.INSIDE_MM * scale
    inside = ((np.abs(xx - cc) <= inside_r) & (np.abs(yy - cc) <= inside_r)).astype(np.float32)
    for sign in (1, -1):
        for a in ANGLES:
            mat = cv2.getRotationMatrix2D((cc, cc), -float(sign * a), 1.0)
            r = cv2.warpAffine(small, mat, (m, m), flags=cv2.INTER_LINEAR, borderValue=0.0)
            ins = cv2.warpAffine(inside, mat, (m, m), flags=cv2.INTER_NEAREST, borderValue=0)
            wholes = [segment_positions(ins, length, d, wk) for length in lengths]
            if reach_reference(r, ins, wholes[0], wholes[1], wk, d, lengths) >= LEVEL:
                break
        else:
            return False
    return True


def look_window(ink: np.ndarray, scale: float) -> tuple[np.ndarray, int, int, tuple[int, int]] | None:
    """The first look's cut of the window (what the inside's segments and their side rows
    reach at any slant) and its sizes in pixels: the segments' width, the side rows' offset,
    the long and short lengths. None when the window is no larger than the cut (the look
    then passes the square on to the full look)."""
    n = ink.shape[0]
    c = (n - 1) // 2
    h = int(np.ceil((pencil6.INSIDE_MM * np.sqrt(2.0) + OFFSET_MM + WIDTH_MM) * scale)) + 2
    if h >= c:
        return None
    small = np.ascontiguousarray(ink[c - h : c + h + 1, c - h : c + h + 1])
    wk = _odd(WIDTH_MM * scale)
    d = max(1, int(np.rint(OFFSET_MM * scale)))
    return small, wk, d, (_odd(LONG_MM * scale), _odd(SHORT_MM * scale))


def segment_positions(ins: np.ndarray, length: int, d: int, wk: int) -> np.ndarray:
    """Where on a rotated window a segment `length` long may lie (its middle's pixel): at
    least INSIDE_SHARE of it on the rotated inside `ins`, its middle on it, and its side rows
    (d away, wk wide) within the window."""
    n = ins.shape[0]
    whole: np.ndarray = (cv2.blur(ins, (length, 1), borderType=cv2.BORDER_CONSTANT) >= INSIDE_SHARE) & (
        ins > 0
    )
    whole[: d + wk, :] = False
    whole[n - d - wk :, :] = False
    return whole


def stroke_pair(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """True (send to review, `marginal_mark`) when the square holds a pair of faint strokes
    (module docstring). False when not ENABLED or the window leaves the image."""
    if not ENABLED:
        return False
    ink = gated_ink(image, centre, scale, levels, gain)
    if ink is None or not first_look(ink, scale):
        return False
    if not clear56.on("grain14"):
        return full_look(ink, scale)
    # clear56: the spread on segments wholly clear of print (faint37's), where enough are
    from kiosk.reading import faint37

    return full_look(ink, scale, faint37.clear_of_print(ink, scale))


# speed47: the gate's two numbers on the inside alone in one compiled call (`_compiled_gate`); False
# builds the whole window first (`ink_window`, then `spread_inside`). The readings are the same.
COMPILED_GATE = True
_FLOAT32_FINITE = 3.0e38  # a gain under this stays finite in float32
_SCALE_MAX = 1.0e4  # px/mm: far beyond any scan (300 dpi is 11.8)
_CENTRE_MAX = 1.0e9  # px


def gated_ink(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float
) -> np.ndarray | None:
    """`ink_window` against the square's lightest paper level where the window is on the image
    and passes the gate (`gate_open`); else None. What faint37, grain14's pair and cross28 ask
    first; on a clean sheet the gate is their only question, and it is asked without the window
    where `_compiled_gate` can."""
    paper = float(np.max(levels))
    gate = _compiled_gate(image, centre, scale, paper, gain)
    if gate is False:
        return None
    ink = ink_window(image, centre, scale, paper, gain)
    if ink is None or (gate is None and not spread_inside(ink, scale)):
        return None
    return ink


def gate_open(image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float) -> bool:
    """`ink_window(image, centre, scale, paper, gain)` is not None and passes `spread_inside`,
    by `_compiled_gate` where it can answer."""
    got = _compiled_gate(image, centre, scale, paper, gain)
    if got is not None:
        return got
    ink = ink_window(image, centre, scale, paper, gain)
    return ink is not None and spread_inside(ink, scale)


def _compiled_gate(
    image: np.ndarray, centre: np.ndarray, scale: float, paper: float, gain: float
) -> bool | None:
    """The gate's answer without the window, or None where it is not asked this way (then the
    window is built and `spread_inside` asked). speed47: `kernels.inside_spread` smooths and
    turns to ink only the inside the gate reads (about a fifth of the window), with
    ink_window's own float32 steps, so its percentiles are `_gate_percentiles`' to the bit
    (tests/test_speed47.py). Not asked where paper or gain is not a Python float (numpy would
    then compute the ink in float64) or either gate is off."""
    if not (
        COMPILED_GATE
        and PARTITION_GATE
        and type(paper) is float
        and type(gain) is float
        # what the reader hands it (an outside attack found these the compiled call differs on:
        # a gain infinite in float32 makes NaN ink where numpy's gate then says no; absurd
        # centres or scales overflow, other images do not compile)
        and abs(gain) < _FLOAT32_FINITE
        and 0.0 < scale < _SCALE_MAX
        and image.dtype == np.uint8
        and image.ndim == 2
        and abs(float(centre[0])) < _CENTRE_MAX  # False for NaN
        and abs(float(centre[1])) < _CENTRE_MAX
    ):
        return None
    h = int(np.ceil((pencil6.BORDER_MM + AROUND_MM) * scale))
    cx, cy = int(np.rint(float(centre[0]))), int(np.rint(float(centre[1])))
    r = int(pencil6.INSIDE_MM * scale)
    on, p50, p95 = kernels.inside_spread(image, cx, cy, h, r, _odd(SMOOTH_MM * scale), max(1.0, paper), gain)
    return bool(on and p95 - p50 >= GATE)


def spread_inside(ink: np.ndarray, scale: float) -> bool:
    """The gate (time): the inside's 95th percentile of ink at least GATE over its median
    (a pair of 0.5 mm strokes covers a fifth of the inside; plain paper's grain and JPEG
    reach 0.01-0.03). speed24: the two percentiles by one `np.partition` (`_gate_percentiles`,
    np.percentile's own values); `spread_inside_reference` when PARTITION_GATE is off."""
    if not PARTITION_GATE:
        return spread_inside_reference(ink, scale)
    n = ink.shape[0]
    c = (n - 1) // 2
    r = int(pencil6.INSIDE_MM * scale)
    got = _gate_percentiles(ink[c - r : c + r + 1, c - r : c + r + 1])
    if got is None:
        return spread_inside_reference(ink, scale)
    p50, p95 = got
    return bool(p95 - p50 >= GATE)


def spread_inside_reference(ink: np.ndarray, scale: float) -> bool:
    """`spread_inside` as the fourteenth pass wrote it (np.percentile): the reference the
    partition is checked against (tests/test_speed24.py), and its way for any input the
    partition does not take (not float32, fewer than 2 values, a NaN)."""
    n = ink.shape[0]
    c = (n - 1) // 2
    r = int(pencil6.INSIDE_MM * scale)
    p50, p95 = np.percentile(ink[c - r : c + r + 1, c - r : c + r + 1], [50, 95])
    return bool(p95 - p50 >= GATE)


# speed24: False asks np.percentile itself (`spread_inside_reference`); the readings are the same.
PARTITION_GATE = True
_GATE_Q = (0.5, 0.95)  # np.true_divide([50, 95], 100): the same float64 values


def _gate_percentiles(part: np.ndarray) -> tuple[float, float] | None:
    """np.percentile(part, [50, 95]) (numpy's default "linear" method) for a float32 array of
    2 values or more with no NaN, to the bit; None otherwise (the caller asks np.percentile).
    numpy's steps, written out: the virtual index (n - 1) q in float64, its floor i and the
    fraction g = (n - 1) q - i; the i-th and (i + 1)-th smallest values a, b (float32: one
    np.partition of the flattened values, numpy's kth, places both for both q, and the largest,
    where a NaN would sort); then `_lerp`: d = b - a in float32, a + d g in float64, or b - d (1 - g) where
    g >= 0.5. tests/test_speed24.py checks it against np.percentile on ties, zeros of both
    signs, infinities, constant and random windows."""
    n = int(part.size)
    if part.dtype != np.float32 or n < 2:
        return None
    idx = []
    for q in _GATE_Q:
        i = int(np.floor((n - 1) * q))
        idx.append((i, (n - 1) * q - i))
    # numpy's own kth (np.unique of [0, -1], the floors and the floors + 1): the same
    # introselect on the same values leaves the same order, so even ties of 0.0 and -0.0 give
    # the same bits.
    kth = np.unique(np.array([0, -1, idx[0][0], idx[1][0], idx[0][0] + 1, idx[1][0] + 1], np.intp))
    v = np.partition(part, kth, axis=None)
    if np.isnan(v[n - 1]):
        return None
    out = []
    for i, g in idx:
        a, b = v[i], v[i + 1]
        d = float(b - a)  # float32 subtraction, as numpy's `b - a` on the float32 arrays
        out.append(float(b) - d * (1.0 - g) if g >= 0.5 else float(a) + d * g)
    return out[0], out[1]


def full_look_reference(ink: np.ndarray, scale: float, clear: np.ndarray | None = None) -> bool:
    """The pair on the whole window, lines of the paper taken out (the fourteenth pass's
    full look: `segments`, then `best_pair`). `full_look` answers the same, sooner."""
    best, spread = segments(ink, scale, clear)
    return best_pair(best, spread, scale) is not None


# speed23: full_look without the lines of the paper where no pair can reach the floor.
# False: `full_look` is `full_look_reference` (tests, an A/B of the time).
FLOOR_FIRST = True


def full_look(ink: np.ndarray, scale: float, clear: np.ndarray | None = None) -> bool:
    """`full_look_reference`'s answer, the floor first (speed23). `segments` computes, slant
    by slant, the inside's segment maps and the paper's spread beyond the border, then
    looks for lines of the paper at 36 slants (a warp, a box filter and two row medians
    each: nearly all of the look's time), then keeps each slant's best segment off those
    lines. `best_pair` keeps only segments at or over the floor, max(LEVEL, NOISE x spread),
    and needs one of each slant sign. Taking lines out only removes positions: a slant's
    best with lines out is one of the same float32 map values at positions `whole` allows,
    so it is at most the largest value over every position `whole` allows. So when, for
    either sign, that largest value of every slant and length is under the floor, no
    segment of that sign reaches it and the reference finds no pair: False, without the
    lines. The maps, the spread and the floor are computed by the same calls on the same
    arrays as in `segments` (`_slant_maps`), so the comparison is with the reference's own
    numbers. A NaN anywhere compares False and falls through to the whole look. Otherwise
    the lines and the pick are `segments`' own code on those maps (`_pick`). On a clean
    MZ-SMD-02 sheet the print beside the squares lifts the spread, the floor is 0.07-0.09
    and the best segments 0.01-0.03: the lines are never looked for there. `clear` (clear56):
    the spread on long segments wholly on it where clear56.CLEAR_SHARE of them are."""
    if not FLOOR_FIRST:
        return full_look_reference(ink, scale, clear)
    looked, spread = _slant_maps(ink, scale, clear, clear56.CLEAR_SHARE)
    floor = max(LEVEL, NOISE * spread)
    for sign_pos in (True, False):
        top = -np.inf
        for ang, _m, maps in looked:
            if (ang > 0) != sign_pos:
                continue
            for _L, seg, whole in maps:
                if whole.any():
                    v = float(seg[whole].max())
                    top = np.inf if np.isnan(v) else max(top, v)
        if top < floor:
            return False
    return best_pair(_pick(ink, scale, looked), spread, scale) is not None


_Looked = list[tuple[float, np.ndarray, list[tuple[int, np.ndarray, np.ndarray]]]]


def window_masks(n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """An n x n window's inside (pencil6's INSIDE_MM of the centre) and its paper beyond the
    printed border (beyond pencil6's BORDER_MM), as float32 0/1 maps (also cross28's)."""
    c = (n - 1) / 2.0
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    inside_r = pencil6.INSIDE_MM * scale
    border_r = pencil6.BORDER_MM * scale
    inside = ((np.abs(xx - c) <= inside_r) & (np.abs(yy - c) <= inside_r)).astype(np.float32)
    outside = ((np.abs(xx - c) > border_r) | (np.abs(yy - c) > border_r)).astype(np.float32)
    return inside, outside


def _slant_maps(
    ink: np.ndarray, scale: float, clear: np.ndarray | None = None, share: float | None = None
) -> tuple[_Looked, float]:
    """`segments`' first part: each slant's inside maps, and the paper's spread (the long
    segments wholly beyond the border; with `clear`, a 0/1 float32 map of the window, also
    wholly on it: faint37 keeps the print beside the square out of the spread). `share`
    (clear56), with `clear`: the lesser of that spread and the spread of them all, or the spread
    of them all where fewer than this share of the long segments beyond the border are wholly on
    `clear`. Without `clear` there is one spread and `share` changes nothing."""
    share = share if clear is not None else None
    n = ink.shape[0]
    c = (n - 1) / 2.0
    inside, outside = window_masks(n, scale)
    wk = _odd(WIDTH_MM * scale)
    d = max(1, int(np.rint(OFFSET_MM * scale)))
    lengths = (_odd(LONG_MM * scale), _odd(SHORT_MM * scale))
    spread_vals: list[np.ndarray] = []
    all_vals: list[np.ndarray] = []  # `share`: every segment beyond the border, clear or not
    looked: _Looked = []
    for ang in [float(sign * a) for sign in (1, -1) for a in ANGLES]:
        m = cv2.getRotationMatrix2D((c, c), -ang, 1.0)
        r = cv2.warpAffine(ink, m, (n, n), flags=cv2.INTER_LINEAR, borderValue=np.nan)
        ins = cv2.warpAffine(inside, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        out = cv2.warpAffine(outside, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        valid = ~np.isnan(r)
        r = np.where(valid, r, 0.0).astype(np.float32)
        out_all = out
        if clear is not None:
            out = out * cv2.warpAffine(clear, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        seg_px = _excess(r * ins, wk, d)  # the inside alone (the printed border as paper)
        maps: list[tuple[int, np.ndarray, np.ndarray]] = []
        for L in lengths:
            seg = cv2.blur(seg_px, (L, 1), borderType=cv2.BORDER_CONSTANT)
            maps.append((L, seg, segment_positions(ins, L, d, wk)))
        looked.append((ang, m, maps))
        per_px = _excess(r, wk, d)
        around = cv2.blur(per_px, (lengths[0], 1), borderType=cv2.BORDER_CONSTANT)
        beyond_all = cv2.blur(out * valid, (lengths[0], 1), borderType=cv2.BORDER_CONSTANT) >= 0.999
        beyond_all[: d + wk, :] = False
        beyond_all[n - d - wk :, :] = False
        spread_vals.append(around[beyond_all])
        if share is not None:
            every = cv2.blur(out_all * valid, (lengths[0], 1), borderType=cv2.BORDER_CONSTANT) >= 0.999
            every[: d + wk, :] = False
            every[n - d - wk :, :] = False
            all_vals.append(around[every])
    allv = np.concatenate(spread_vals) if spread_vals else np.zeros(0)
    if share is not None:
        everyv = np.concatenate(all_vals) if all_vals else np.zeros(0)
        return looked, clear56.lesser_spread(everyv, allv, share)
    return looked, pencil6.paper_spread(allv)


def _pick(ink: np.ndarray, scale: float, looked: _Looked) -> list[Segment]:
    """`segments`' second part: the lines of the paper, at every slant (rows darker than
    their sides beyond the border on both sides), and each slant's best segment off them,
    on `_slant_maps`' maps."""
    n = ink.shape[0]
    c = (n - 1) / 2.0
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    border_r = pencil6.BORDER_MM * scale
    outside = ((np.abs(xx - c) > border_r) | (np.abs(yy - c) > border_r)).astype(np.float32)
    wk = _odd(WIDTH_MM * scale)
    d = max(1, int(np.rint(OFFSET_MM * scale)))
    near = max(1, int(np.rint(LINE_NEAR_MM * scale)))
    lines: list[tuple[float, float, float]] = []
    for ang in [float(a) for a in range(-85, 95, LINE_STEP_DEG)]:
        m = cv2.getRotationMatrix2D((c, c), -ang, 1.0)
        inv = cv2.invertAffineTransform(m)
        r = cv2.warpAffine(ink, m, (n, n), flags=cv2.INTER_LINEAR, borderValue=np.nan)
        out = cv2.warpAffine(outside, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        valid = ~np.isnan(r)
        per_px = _excess(np.where(valid, r, 0.0).astype(np.float32), wk, d)
        lo = out * valid
        ro = lo.copy()
        lo[:, int(c) :] = 0
        ro[:, : int(c) + 1] = 0
        sides = []
        for side in (lo, ro):
            enough = side.sum(axis=1) >= scale
            full = np.full(n, -np.inf)
            if enough.any():
                full[enough] = speed32.nanmedian(np.where(side > 0, per_px, np.nan)[enough], 1)
            sides.append(full)
        for y in np.nonzero(np.minimum(sides[0], sides[1]) >= GOES_ON * LEVEL)[0]:
            lines.append(
                (
                    ang,
                    float(inv[0, 0] * c + inv[0, 1] * y + inv[0, 2]),
                    float(inv[1, 0] * c + inv[1, 1] * y + inv[1, 2]),
                )
            )
    best: list[Segment] = []
    for ang, m, maps in looked:
        off = np.zeros((n, n), np.uint8)
        for la, lx, ly in lines:
            if abs((la - ang + 90.0) % 180.0 - 90.0) > LINE_DEG:
                continue
            px = m[0, 0] * lx + m[0, 1] * ly + m[0, 2]
            py = m[1, 0] * lx + m[1, 1] * ly + m[1, 2]
            t = np.radians(la - ang)
            u = np.array([np.cos(t), -np.sin(t)]) * 2 * n
            p0 = (round(px - u[0]), round(py - u[1]))
            p1 = (round(px + u[0]), round(py + u[1]))
            cv2.line(off, p0, p1, 1, 2 * near + 1)
        for L, seg, whole in maps:
            touch = (
                cv2.dilate(off, np.ones((1, L), np.uint8)) if off.any() else off
            )  # any of its length on the band
            cand = np.where(whole & (touch == 0), seg, -np.inf)
            k = int(np.argmax(cand))
            y, x = divmod(k, n)
            v = float(cand[y, x])
            if not np.isfinite(v):
                continue
            inv = cv2.invertAffineTransform(m)
            ox = inv[0, 0] * x + inv[0, 1] * y + inv[0, 2]
            oy = inv[1, 0] * x + inv[1, 1] * y + inv[1, 2]
            best.append(Segment(v, ang, float(ox), float(oy), float(L)))
    return best
