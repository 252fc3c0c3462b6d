"""Light pencil read `empty` under a line in the paper ring (issue 10, the ninth pass: faint9).

Why. The fast score measures a square's ink against a paper plane fitted through the four
sides of its window's ring (`kernels.window_local_ink`: each side's level is the grey at
75 % of its pixels). When a faint scanner streak, a show-through line or a stain's edge
runs along one side of the ring, that side's level is the streak's, not the paper's: the
plane tilts darker towards it, the pixels of the square on that side count as paper, and
a light pencil stroke in the square loses its ink. The seed-9700 run had a 2B tick in
MZ-LIST 16056 (amanat, 300 dpi) whose left ring side lay on a 24 % streak: side levels
221/221/167/221, score -0.009. Every pencil test (`pencil6.pencil_near`, `pencil7.stroke_near`)
finds that tick, but none was asked: the doubt band starts at 0 (DOUBT_LO) / 0.003
(PENCIL_LO), pencil7's low band at 0.004 (LOW_FROM), the wider band at 0.010; under those
the reader writes `empty` with no look at all.

The rule (`second_chance`). A square the reader is about to read `empty` without any look
(under every band), whose ring sides disagree (the darkest side under SIDE_SHARE of the
lightest: a line in the ring, so the score is not to be trusted), gets the pencil tests it
was denied, against the lightest side (as the other looks do): `pencil6.pencil_near` or
`pencil7.stroke_near`. A stroke found sends it to the commission (`marginal_mark`).
Nothing is ever read `marked` or `empty` here: the rule only sends to review.

The second rule (`joined_strokes`, found by the development corpus: seed 145, sheet 68,
square 4, a clear pencil X at 300 dpi, score 0.016, read `empty` with the truth `marked`; and
the cause of seed 9700/28549's miss too). `pencil6.pencil_near` and `pencil7.stroke_near`
skip a run wider than `pencil6.TRACE_WIDTH_MM` (1 mm, area over its principal length): a
stain's blob. A V tick or an X whose strokes meet is one run, and its area over length is
1.1-1.9 mm though every stroke is 0.5 mm. So a run that wide but thin everywhere
(JOINED_THICK_MM: twice the 90th percentile of its distance transform), with
JOINED_STROKE_MM of stroke, JOINED_NOISE times the paper's spread, and no line going on in
the band beyond the square (JOINED_BEYOND) sends the square to review; asked only where
the other looks found nothing: the wider band's squares (beside `pencil_near`,
`pencil7.wider_look`, `fix8.small_cross`) and the closer look's `empty` (`second_look`,
after pencil6's and pencil7's).

Where it stops. Only squares whose ring sides disagree are looked at (on a clean sheet
almost none: the rule costs nothing there); a stroke the pencil tests cannot see is not
found (two of the three seed-9700 squares, 28549 and 33190, are that: a stroke of 0.02-0.04
contrast under JPEG noise, with even sides; docs/reading.md, "Ninth pass").
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.reading import clear56, pencil6, pencil7, wrong11  # wrong11

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

# False: the hook finds nothing, the reader as the eighth pass left it (tests' companions).
ENABLED = True

SIDE_SHARE = 0.9  # ring sides disagree: the darkest side's level under this share of the lightest's


def sides_disagree(levels: np.ndarray) -> bool:
    """A line (streak, show-through, a stain's edge) on some side of the window's ring:
    its four side levels (top, bottom, left, right) not alike."""
    hi = float(np.max(levels))
    return hi > 0 and float(np.min(levels)) < SIDE_SHARE * hi


def ring_lines(paper: np.ndarray) -> list[bool]:
    """`sides_disagree` for every square of a side at once ((n, 4) side levels): one array
    operation, what a clean sheet pays for this rule (all False when not ENABLED)."""
    if not ENABLED:
        return [False] * paper.shape[0]
    out: list[bool] = (paper.min(axis=1) < SIDE_SHARE * paper.max(axis=1)).tolist()
    return out


def second_chance(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float
) -> bool:
    """The reader's hook for a square about to read `empty` with no look: True (send it to
    review, `marginal_mark`) when its ring sides disagree and a pencil test finds a
    stroke in or beside it (module docstring). False when not ENABLED."""
    if not ENABLED or not sides_disagree(levels):
        return False
    return pencil7.pencil_or_stroke_near(image, centre, scale, levels, gain)


# --- joined strokes: a V tick or an X whose strokes meet, measured as one wide run -------------

JOINED_WIDE_MM = (
    1.0  # the runs the pencil tests skip: wider than pencil6.TRACE_WIDTH_MM (area over length) ...
)
JOINED_THICK_MM = 1.0  # ... yet thin everywhere: twice the 90th percentile of the distance to paper
JOINED_STROKE_MM = 4.0  # ... with this much stroke (area over that thickness) ...
JOINED_LEN_MM = 2.5  # ... over this much of the inside (its principal axis)
JOINED_NOISE = 4.0  # its median contrast this many times the paper's spread (pencil6.TRACE_NOISE)
JOINED_BEYOND = 0.1  # a line of the paper goes on: its pixels in the band beyond the square,
PRINT_LEVEL = 0.25  # print: at least this contrast (and 3 x the run's); its pixels ...
PRINT_NEAR_MM = 0.6  # ... and this far around them are left out of that band
BEYOND_MM = (0.3, 2.0)  # this far out from the printed border's zone, at most this share of the run's


# speed24: False searches every square (the readings are the same: `joined_need` is a necessary
# condition of any run the search keeps).
JOINED_COUNT_FIRST = True
JOINED_NEED_SLACK = 0.99  # `joined_need` rounds down from this share of the bound (float rounding)


def joined_need(scale: float) -> int:
    """The fewest pixels at TRACE_FAINT inside that a run `joined_strokes` goes on to judge
    can have: its area over its length (mm) exceeds JOINED_WIDE_MM at a length of JOINED_LEN_MM
    or more, so it has more than JOINED_WIDE_MM x JOINED_LEN_MM x scale^2 pixels
    (`pencil6.runs`' width, computed in float64, is that area over that length; the bound is
    taken JOINED_NEED_SLACK lower, far beyond the rounding); and `pencil6.runs` keeps 4 pixels
    or more. Every pixel of a run is an inside pixel at TRACE_FAINT: fewer of those than this
    and the search finds nothing (tests/test_speed24.py checks the answers with and without)."""
    return max(4, math.floor(JOINED_NEED_SLACK * JOINED_WIDE_MM * JOINED_LEN_MM * scale * scale))


def joined_strokes(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    widen_columns: int = 0,
) -> bool:
    """A pencil mark of strokes that meet (a V tick, an X) in the square: one run of
    `pencil6.trace_contrast` at `pencil6.TRACE_FAINT` inside the square, wider than
    JOINED_WIDE_MM as area over length (so `pencil6.pencil_near` and `pencil7.stroke_near`
    skip it as a blob) but thin everywhere (JOINED_THICK_MM), JOINED_STROKE_MM of stroke
    over JOINED_LEN_MM of the inside, JOINED_NOISE times the paper's spread, and not going on
    beyond the square (a fold crossing a streak is an X too, but its lines run on across
    the window: under JOINED_BEYOND of the run's pixels in the band beyond the border's
    zone). True: send the square to review. False when not ENABLED. `widen_columns`: passed to
    `wrong11.beyond_on_rules` (plus31: a streak's flanks beside the square; 0 everywhere else)."""
    if not ENABLED:
        return False
    from kiosk.reading import crop
    from kiosk.reading.pencil6 import BORDER_MM, INSIDE_MM, TRACE_AROUND_MM, TRACE_FAINT, trace_contrast

    got = crop.around(image, (float(centre[0]), float(centre[1])), int((BORDER_MM + TRACE_AROUND_MM) * scale))
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= INSIDE_MM * scale
    border = ~inside & (box <= BORDER_MM * scale)
    c = trace_contrast(win, scale, float(np.max(levels)), gain)
    around = ~inside & ~border  # the paper beyond the border, its spread the floor's
    if not around.any():
        return False
    # speed24: a run the loop below measures has more pixels than the inside may hold at
    # TRACE_FAINT: no search (no spread, no labelling) where it holds fewer (`joined_need`).
    if JOINED_COUNT_FIRST and int(np.count_nonzero(c[inside] >= TRACE_FAINT)) < joined_need(scale):
        return False
    spread = clear56.trace_spread("faint9", c, around, scale)
    beyond = (box > (BORDER_MM + BEYOND_MM[0]) * scale) & (box <= (BORDER_MM + BEYOND_MM[1]) * scale)
    for sy, sx, length, width in pencil6.runs(c, inside, TRACE_FAINT, scale, JOINED_LEN_MM * scale):
        if width <= JOINED_WIDE_MM or length < JOINED_LEN_MM:
            continue
        level = float(np.median(c[sy, sx]))
        if level < JOINED_NOISE * spread:
            continue
        mask = np.zeros(win.shape, np.uint8)
        mask[sy, sx] = 1
        dist = cv2.distanceTransform(np.pad(mask, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
        thick = 2.0 * float(np.percentile(dist[sy, sx], 90)) / scale
        if thick > JOINED_THICK_MM or len(sx) / (scale * scale) / max(thick, 1e-6) < JOINED_STROKE_MM:
            continue
        # Print (a rule, a letter) and its blurred sides are not a line of the paper.
        ink = (c >= max(PRINT_LEVEL, 3.0 * level)).astype(np.uint8)
        r = max(1, round(PRINT_NEAR_MM * scale))
        near_print = cv2.dilate(ink, np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
        counted = beyond & ~near_print & (c >= 0.5 * level) & (c <= 2.0 * level)
        out_px = int(np.count_nonzero(counted))
        if out_px <= JOINED_BEYOND * len(sx):
            return True
        # wrong11: a light printed rule beside the square is not the run going on.
        if wrong11.beyond_on_rules(
            c, counted, xs, ys, BORDER_MM * scale, level, len(sx), JOINED_BEYOND, widen_columns
        ):
            return True
    return False


def second_look(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, v: Verdict
) -> Verdict:
    """The closer look's `empty` (after pencil6's and pencil7's second looks), unless
    `joined_strokes` finds a V or an X: then `marginal` (marginal_mark), for the commission."""
    if v.mark == "empty" and joined_strokes(image, centre, scale, levels, gain):
        return replace(v, mark="marginal", reason="marginal_mark")
    return v
