"""Pencil under field conditions (issue 10, the seventh pass: pencil7).

The sixth pass's pencil test (`pencil6.pencil_near`) judges each connected run of a
stroke on its own. A pencil stroke is often not one run: a tick's long arm is cut in two
by the printed border's zone (left out of the search) and its foot merges with a fold or
a printed rule; a light X breaks into pieces under 2.5 mm. Each piece was then too short,
or "there again on its own straight line beyond its ends" (`continues_across` found the
stroke's own other piece beyond the cut), and the square was read `empty`: six real
marks of the spent untouched runs (9400: 4128, 25989, 51479; 9500: 18075, 28025; stress
seed 133: 458).

What changed (`stroke_near`, asked only where `pencil_near` found nothing: the closer
look's `empty`, the wider band, and `low_band`): each run is followed along its own
straight line (`follow`: the darkest free pixel within TRACE_SIDEWAYS_MM of the line, at
least FOLLOW_SHARE of the run's contrast, over gaps of at most FOLLOW_GAP_MM of paper; the
printed border's zone is crossed, not counted as paper; the line is fitted again through
what was found and followed once more, in a window FOLLOW_AROUND_MM beyond the square),
and the stroke's length and its continuation are judged on the whole stroke so found: it
must end within the window (`gone_beyond`: beyond both followed ends, over the rest of
the line across the window, the median contrast under `pencil6.TRACE_AGAIN` of the
stroke's, with at least 1.5 mm of positions to judge). Folds, creases, scanner streaks
and printed rules run from edge to edge and are there.

- inside the square: a run at `pencil6.TRACE_FAINT` and FOLLOWED_NOISE times the paper's
  spread, followed to FOLLOWED_INSIDE_MM or more and ending within INSIDE_END_MM of the
  printed border, slanted (as pencil6); or a straight run along the square's sides at
  most SHORT_MM long (a plus's bar), STRONG times the paper's spread and WIDE_MM wide (a
  scanner streak or a crease's fine line is one or two pixels wide); or a compact run (a
  scribble: BLOB_LEN_MM to SHORT_MM long, BLOB_WIDE_MM wide, BLOB_LEVEL dark) that ends
  there too.
- beside the square: a slanted, straight (`_thin`) arm at `pencil6.TRACE_ARM`,
  pencil-grey, ARM_WIDE_MM wide or more, reaching the printed border's zone,
  ARM_FOLLOWED_MM to 9 mm long once followed.
- `low_band`: squares under pencil6's wider band (LOW_FROM to `pencil6.LOOK_FROM`) whose
  inside holds a LOW_CONTRAST box-mean stroke (`kernels.faint_runs`, compiled) get
  `stroke_near` too: a light pencil mark alone on its sheet scores 0.005-0.010.

Nothing reads `marked` on this: the square goes to the commission (`marginal_mark`).
There is no fast version of anything here (the compiled pre-test is the doubt band's
`kernels.faint_runs`, whose reference is `reference.faint_runs_reference`); docs/reading.md,
"Seventh pass: pencil (pencil7)".
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import clear56, crop, cross16, kernels, pencil6, speed32
from kiosk.reading.pencil6 import (
    BORDER_MM,
    INSIDE_MM,
    TRACE_AGAIN,
    TRACE_ARM,
    TRACE_ARM_MAX_MM,
    TRACE_AROUND_MM,
    TRACE_FAINT,
    TRACE_INK,
    TRACE_TOUCH_MM,
    TRACE_WIDTH_MM,
)

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

# False: pencil7's hooks find nothing, the reader as pencil6 left pencil (tests' companions).
ENABLED = True

LOW_FROM = 0.004  # squares scoring from this up to pencil6.LOOK_FROM ...
LOW_CONTRAST = 0.04  # ... with a box-mean stroke this faint inside (`kernels.faint_runs`) ...
LOW_RUN_MM = 2.0  # ... this long get `stroke_near` (a light pencil mark alone on its sheet)
FOLLOW_SHARE = 0.5  # a stroke goes on where its line is at least this share of its contrast ...
FOLLOW_GAP_MM = 0.6  # ... with at most this much paper between its pieces
FOLLOW_AROUND_MM = 5.0  # strokes are followed this far beyond the square (looked for within 3 mm)
BEYOND_MM = 0.5  # its continuation is judged from this far beyond its followed ends
INSIDE_END_MM = 1.0  # a stroke found inside the square ends within this of its printed border
FOLLOWED_INSIDE_MM = 4.0  # a stroke inside, followed: at least this long (pencil6: 2.5 mm, one run)
ARM_FOLLOWED_MM = 3.0  # an arm beside the square, followed: at least this long (pencil6: 2 mm, one run) ...
ARM_WIDE_MM = 0.25  # ... and its run this wide: a crease's fine line is 0.12-0.2 mm
FOLLOWED_NOISE = 6.0  # a stroke inside, followed: this many times the paper's spread (pencil6: 4)
ARM_THIN = 0.6  # an arm's run at most this far from straight (`_thin`: not a rule's corner with a streak)
STRONG = 8.0  # a stroke along the square's sides: this many times the paper's spread ...
WIDE_MM = 0.3  # ... and this wide (area over length): not a streak's or a crease's fine line
SHORT_MM = 3.0  # a plus's bar or a compact scribble: one run at most this long ...
SHORT_THIN = 0.3  # ... and the bar this straight (`_thin`)
BLOB_LEN_MM = 1.5  # a compact scribble: at least this long ...
BLOB_WIDE_MM = 0.5  # ... this wide ...
BLOB_LEVEL = 0.1  # ... and this much darker than the paper beside it (and STRONG x spread)


def follow(
    c: np.ndarray,
    free: np.ndarray,
    mx: float,
    my: float,
    ux: float,
    uy: float,
    t0: float,
    t1: float,
    level: float,
    scale: float,
) -> tuple[float, float]:
    """Follow a run whose pixels span t0..t1 along the line (mx, my) + t (ux, uy) outward
    in both directions, 1 px at a time: it goes on while a position within
    TRACE_SIDEWAYS_MM of the line is at least FOLLOW_SHARE of `level` before
    FOLLOW_GAP_MM of free positions below it (positions not `free`, the printed border's
    zone, are crossed without counting); it stops there or at the window's edge. The
    stroke's followed ends (t_lo, t_hi)."""
    gap_max = FOLLOW_GAP_MM * scale
    ends = []
    for sign, start in ((-1.0, t0), (1.0, t1)):
        last = start
        gap = 0
        for t, v, _at in pencil6.along_line(c, free, mx, my, ux, uy, start + sign, sign, scale):
            if v is None:
                continue
            if v >= FOLLOW_SHARE * level:
                last, gap = t, 0
            else:
                gap += 1
                if gap > gap_max:
                    break
        ends.append(last)
    return ends[0], ends[1]


def gone_beyond(
    c: np.ndarray,
    free: np.ndarray,
    mx: float,
    my: float,
    ux: float,
    uy: float,
    t_lo: float,
    t_hi: float,
    level: float,
    scale: float,
) -> bool:
    """Is the stroke (t_lo..t_hi along the line) gone beyond its ends: the median contrast
    along the rest of the line across the window, from BEYOND_MM past each end, under
    TRACE_AGAIN of `level` (as `pencil6.continues_across`, from the followed ends)? Fewer
    than 1.5 mm of positions to judge: not gone (a crease across the window's corner
    reaches its edges at both ends; `continues_across` took that for a stroke)."""
    vals: list[float] = []
    for sign, end in ((-1.0, t_lo), (1.0, t_hi)):
        start = end + sign * BEYOND_MM * scale
        vals.extend(
            v
            for _t, v, _at in pencil6.along_line(c, free, mx, my, ux, uy, start, sign, scale)
            if v is not None
        )
    if len(vals) < 1.5 * scale:
        return False
    return float(speed32.median(vals)) < TRACE_AGAIN * level


def _followed(
    c: np.ndarray, free: np.ndarray, ys: np.ndarray, xs: np.ndarray, level: float, scale: float
) -> tuple[float, bool, tuple[float, float], tuple[float, float]]:
    """A run followed along its line: its length (mm), whether it is gone beyond, and
    its two ends (x, y in the window)."""
    mx, my, ux, uy, _length = pencil6._axis(ys, xs)
    t = (xs - mx) * ux + (ys - my) * uy
    t_lo, t_hi = follow(c, free, mx, my, ux, uy, float(t.min()), float(t.max()), level, scale)
    # A short run's axis is known to a few tens of degrees: fit the line again through
    # the run and the stroke's darkest positions along the way, and follow it once more.
    py, px = _along(c, free, mx, my, ux, uy, t_lo, t_hi, level, scale)
    ys2, xs2 = np.concatenate([ys, py]), np.concatenate([xs, px])
    mx, my, ux, uy, _length = pencil6._axis(ys2, xs2)
    t = (xs - mx) * ux + (ys - my) * uy
    t_lo, t_hi = follow(c, free, mx, my, ux, uy, float(t.min()), float(t.max()), level, scale)
    gone = gone_beyond(c, free, mx, my, ux, uy, t_lo, t_hi, level, scale)
    return (t_hi - t_lo) / scale, gone, (mx + t_lo * ux, my + t_lo * uy), (mx + t_hi * ux, my + t_hi * uy)


def _along(
    c: np.ndarray,
    free: np.ndarray,
    mx: float,
    my: float,
    ux: float,
    uy: float,
    t_lo: float,
    t_hi: float,
    level: float,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The darkest free position within TRACE_SIDEWAYS_MM of the line at each pixel from
    t_lo to t_hi where it is at least FOLLOW_SHARE of `level` (rows, columns)."""
    py: list[int] = []
    px: list[int] = []
    for _t, v, at in pencil6.along_line(c, free, mx, my, ux, uy, t_lo, 1.0, scale, to=t_hi):
        if v is not None and v >= FOLLOW_SHARE * level:
            py.append(at[0])
            px.append(at[1])
    return np.array(py, np.int64), np.array(px, np.int64)


def stroke_near(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """A pencil stroke in or beside the square, its runs followed along their lines
    (module docstring): keep the square out of `empty`."""
    return stroke_found(image, centre, scale, paper, gain) is not None


def pencil_or_stroke_near(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float
) -> bool:
    """`pencil6.pencil_near` or `stroke_near` against the square's paper (its ring's lightest
    side), then `cross16.joined_near` (an X or a V whose strokes meet: one run too wide for
    both): the pencil tests the hooks for a square about to read `empty` ask (vote11, faint9,
    tick13, rebase14, low15). Not switched by this module's ENABLED: each hook has its own."""
    c = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    return (
        pencil6.pencil_near(image, c, scale, paper, gain)
        or stroke_near(image, c, scale, paper, gain)
        or cross16.joined_near(image, centre, scale, levels, gain)
    )


def stroke_found(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    inner: bool = True,
    beside: bool = True,
) -> str | None:
    """What `stroke_near` found: "slanted", "sides", "compact" (inside the square),
    "arm" (beside it), or None. `inner` False: the inside is not searched, `beside` False:
    the surroundings are not (foot17's first stage, `could_hold`, says nothing is there)."""
    got = crop.around(image, centre, int((TARGET / 2 + FOLLOW_AROUND_MM) * scale))
    if got is None:
        return None
    win, xs, ys = got
    ox, oy = float(-xs[0, 0]), float(-ys[0, 0])  # the square's centre in the window
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= INSIDE_MM * scale
    border = ~inside & (box <= BORDER_MM * scale)
    free = ~border
    near_sq = box <= (TARGET / 2 + TRACE_AROUND_MM) * scale  # where strokes are looked for
    c = pencil6.trace_contrast(win, scale, paper, gain)
    spread: float | None = None  # the paper's own spread (clear56: clear of print), once a run needs it
    for sy, sx, length, width in _runs(c, inside, TRACE_FAINT, scale, 0.5) if inner else ():
        if width > TRACE_WIDTH_MM:
            continue
        level = float(speed32.median(c[sy, sx]))
        if spread is None:
            spread = clear56.trace_spread("pencil7", c, ~inside & ~border & near_sq, scale)
        if level < FOLLOWED_NOISE * spread:
            continue
        slanted = pencil6._slanted(sy, sx)
        compact = (
            length >= BLOB_LEN_MM and width >= BLOB_WIDE_MM and level >= max(BLOB_LEVEL, STRONG * spread)
        )
        # A plus's bar is one short straight run; a streak or a fold through the square
        # is as long as the inside, often joined with another line (105/21, 105/943).
        compact = compact and length <= SHORT_MM
        short = length <= SHORT_MM and _thin(sy, sx) <= SHORT_THIN
        sides = not slanted and short and width >= WIDE_MM and level >= STRONG * spread
        if not (slanted or sides or compact):
            continue
        followed, gone, e0, e1 = _followed(c, free, sy, sx, level, scale)
        reach = max(_box(e0, ox, oy), _box(e1, ox, oy)) / scale
        gone = gone and reach <= INSIDE_END_MM + TARGET / 2
        if not gone:
            continue
        if followed >= FOLLOWED_INSIDE_MM and (slanted or sides):
            return "slanted" if slanted else "sides"
        if compact:
            return "compact"
    if not beside:
        return None
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    near = (box > (INSIDE_MM - TRACE_TOUCH_MM) * scale) & (box <= (BORDER_MM + TRACE_TOUCH_MM) * scale)
    for sy, sx, _length, width in _runs(c, ~inside & ~border & near_sq, TRACE_ARM, scale, 0.5):
        if (
            not (ARM_WIDE_MM <= width <= TRACE_WIDTH_MM)
            or not pencil6._slanted(sy, sx)
            or not near[sy, sx].any()
        ):
            continue
        if _thin(sy, sx) > ARM_THIN:
            continue
        med = float(speed32.median(ink[sy, sx]))
        if not (TRACE_INK[0] <= med <= TRACE_INK[1]):
            continue
        level = float(speed32.median(c[sy, sx]))
        followed, gone, _e0, _e1 = _followed(c, free, sy, sx, level, scale)
        if ARM_FOLLOWED_MM <= followed <= TRACE_ARM_MAX_MM and gone:
            return "arm"
    return None


def _runs(
    c: np.ndarray, where: np.ndarray, level: float, scale: float, min_mm: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """`pencil6.runs` down to runs whose box is `min_mm` long (pieces of a stroke)."""
    return pencil6.runs(c, where, level, scale, min_mm * scale)


def wider_look(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """The reader's hook for the wider band's squares (`pencil6.wider_band`) where
    `pencil6.pencil_near` found nothing: `stroke_near` (nothing when not ENABLED)."""
    return ENABLED and stroke_near(
        image, (float(centre[0]), float(centre[1])), scale, float(np.max(levels)), gain
    )


def second_look(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, v: Verdict
) -> Verdict:
    """The closer look's `empty` (after `pencil6.second_look`), unless `stroke_near`
    finds a stroke: then `marginal` (marginal_mark) at its score, for the commission."""
    if v.mark == "empty" and wider_look(image, centre, scale, levels, gain):
        return replace(v, mark="marginal", reason="marginal_mark")
    return v


def low_band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
    left_out: np.ndarray,
) -> np.ndarray:
    """Squares `left_out` of the doubt band and the wider band that score from LOW_FROM
    up to `pencil6.LOOK_FROM` and whose inside holds a box-mean stroke of LOW_CONTRAST
    (the doubt band's pencil test, `kernels.faint_runs`, a little fainter): a light
    pencil mark alone on its sheet scores 0.005-0.010 (the field corpus since 1a80f64).
    One compiled pass over those squares' insides; `stroke_near` then judges them."""
    if not ENABLED:
        return np.zeros_like(left_out)
    want = left_out & (scores >= LOW_FROM) & (scores < pencil6.LOOK_FROM)
    if not want.any():
        return want
    from kiosk.reading.inspect import PENCIL_INSET_MM, PENCIL_REACH_MM, PENCIL_SMOOTH_MM

    inner = TARGET / 2 - TARGET_STROKE - 0.35 - PENCIL_INSET_MM
    out: np.ndarray = kernels.faint_runs(
        image,
        centres,
        scales,
        want,
        np.maximum(1.0, paper.max(axis=1)),
        gain,
        inner,
        PENCIL_REACH_MM,
        LOW_CONTRAST,
        LOW_RUN_MM,
        PENCIL_SMOOTH_MM,
    )
    return out


def _box(p: tuple[float, float], cx: float, cy: float) -> float:
    """Chebyshev distance (px) of a point from the square's centre."""
    return max(abs(p[0] - cx), abs(p[1] - cy))


def _thin(ys: np.ndarray, xs: np.ndarray) -> float:
    """How far a run is from a straight stroke: sqrt of its pixels' second to first
    principal variance (a straight stroke of width w and length L: about w / L; an L or a
    T of two lines, the corner of a rule and a streak: 0.5 and more)."""
    if len(xs) < 3:
        return 1.0
    cov = np.cov(np.stack([xs, ys]).astype(np.float64))
    vals = np.linalg.eigvalsh(cov)
    return float(np.sqrt(max(float(vals[0]), 0.0) / max(float(vals[1]), 1e-9)))
