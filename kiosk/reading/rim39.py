"""A line of the paper that runs on bent: a stain's rim (issue 10, the thirty-seventh pass: rim39).

census35 found the largest single source of review beyond the truth on dev sheets to be an
empty square crossed by a stain's rim, a thin curved line plain to the eye as no mark. The
closer look takes the rim's chord through the window out as a line of the paper; two of its
stroke tests then ask whether that line ENDS beyond the window, as a hand's stroke does
(`inspect.stroke_taken_for_line`, straight on 1-4 mm; `inspect.line_stops_short`, 4-10 mm,
turned up to 6 degrees), and a rim of 10-20 mm radius has curved 0.4-0.8 mm away from the
straight path 4 mm on: "it ends", to review. crease27 takes that answer back for a line proven
to run straight to the sheet's edge at both ends; a rim never does.

`runs_on_bent` follows the line from where it leaves the window at each end, step by step
along the best short chord ahead turned a little from the way so far (as faint37 follows an
arm), holding HOLD of the line's own level in the window, and answers yes only where it goes
on RUN_MM or more at both ends and the line beyond is not fainter than NOT_DARKER of itself
through the window (a hand's stroke drawn along a rim adds ink in the window). Then a yes of
those two tests for that line is not a hand's: the closer look's chain goes on (wrong8,
fold24, the lines divided out, stroke28: a stroke ON the line is theirs and stays theirs).
Never `marked`, never `empty` on its own: it only takes back one reason for review.

Where it stops: a hand's stroke that runs on RUN_MM past both sides of the window at the
line's own level (a slash some 25 mm long through the square, or along a rim with no more ink
than the rim) is taken for the paper's; the other stroke tests still ask of it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ENABLED = True

STEP_MM = 0.25  # the trace's step
CHORD_MM = 1.0  # each step's chord ahead, judged as a whole
STEP_TURN_DEG = 8  # a step's chord turned up to this from the way so far ...
TURN_STEP_DEG = 2  # ... in these steps
TURN_DEG = 90  # and this far in all from where the line left the window (a rim of 10 mm radius
# turns 46 degrees over 8 mm)
RUN_MM = 5.0  # the line goes on this far beyond both ends of the window
HOLD = 0.5  # each chord at least this share of the line's level through the window
NOT_DARKER = 0.7  # the line beyond (median of its chords) at least this share of that level
PRINT_GAP_MM = 3.0  # over print (not seen through) the way so far is kept, this far in all


def runs_on_bent(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    judge: bool = True,
) -> bool:
    """Does the line (normal `theta`, `rho` px from `centre`) run on, bent or straight, RUN_MM
    or more beyond both ends of the window at its own level (module docstring)?"""
    from kiosk.reading import inspect  # the closer look's own path statistic (it imports this module)

    c, s = math.cos(theta), math.sin(theta)
    fx, fy = centre[0] + rho * c, centre[1] + rho * s
    t_lo, t_hi = inspect._chord(rho, c, s, float(half))
    if t_hi <= t_lo:
        return False
    seen = inspect._path_contrast(
        image, fx, fy, c, s, np.arange(t_lo, t_hi, 0.25 * scale), scale, judge=judge
    )
    if not seen >= inspect.PENCIL_LINE_SEEN:
        return False
    got: list[float] = []
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        start = (fx - t_edge * s, fy + t_edge * c)  # where the line leaves the window
        way = math.atan2(sign * c, sign * -s)  # along (-s, c), outwards
        went = _trace(inspect, image, start, way, HOLD * seen, scale, got)
        if went < RUN_MM - 1e-9:
            return False
    return bool(got) and float(np.median(got)) >= NOT_DARKER * seen


def _trace(
    inspect: Any,
    image: np.ndarray,
    start: tuple[float, float],
    way: float,
    need: float,
    scale: float,
    got: list[float],
) -> float:
    """How far (mm, up to RUN_MM) the line goes on from `start` heading `way` (radians, image
    axes), each step's best chord's level appended to `got`."""
    x, y = start
    heading, turned, went, gap = way, 0.0, 0.0, 0.0
    step = STEP_MM * scale
    ts = np.arange(0.0, CHORD_MM, 0.25) * scale
    while went < RUN_MM:
        best, at = -np.inf, 0.0
        for a in range(-STEP_TURN_DEG, STEP_TURN_DEG + 1, TURN_STEP_DEG):
            if abs(turned + a) > TURN_DEG:
                continue
            h = heading + math.radians(a)
            dx, dy = math.cos(h), math.sin(h)
            # inspect's paths run along (-s, c) from a foot point: the normal of (dx, dy)
            v = inspect._path_contrast(image, x, y, dy, -dx, ts, scale, judge=True)
            if v == v and v > best:  # nan: the chord lies over print, not judged
                best, at = v, float(a)
        if best == -np.inf:
            gap += STEP_MM
            if gap > PRINT_GAP_MM:
                break
            x, y = x + step * math.cos(heading), y + step * math.sin(heading)
            continue
        if best < need:
            break
        got.append(best)
        turned += at
        heading += math.radians(at)
        x, y = x + step * math.cos(heading), y + step * math.sin(heading)
        went += STEP_MM
    return went


class Bent:
    """`runs_on_bent` for one square's lines, each line measured once."""

    def __init__(self, image: np.ndarray, centre: tuple[float, float], half: int, scale: float) -> None:
        self.image, self.centre, self.half, self.scale = image, centre, half, scale
        self.known: dict[tuple[float, float, bool], bool] = {}

    def __call__(self, theta: float, rho: float, judge: bool) -> bool:
        """`judge`: the line's level through the window measured as the asking test does
        (`stroke_taken_for_line` leaves out positions over print, `line_stops_short` not)."""
        if not ENABLED:
            return False
        key = (theta, rho, judge)
        if key not in self.known:
            self.known[key] = runs_on_bent(self.image, self.centre, theta, rho, self.half, self.scale, judge)
        return self.known[key]
