"""Lines of the paper and the scanner in and around a square's window (issue 10, sixth pass).

Hooks from `inspect` (the closer look) and `reader` (the doubt band); docs/reading.md,
"Sixth pass: lines".

- `PEN_DOUBT_LO`: the doubt band's pen-dark test at any score (a hesitation dot on a sheet
  whose baseline a faint streak raised scored under 0 and was read `empty`).
- `path_offsets`: the paths along a line beyond the window, every pixel within 0.3 mm (a
  one-pixel streak was missed by three paths 0.3 mm apart and "stopped short").
- `unjudged`: a path mostly over print (or off the image) is not judged (light pencil's
  `stroke_taken_for_line` only).
- `end_hidden`: a second line of the paper whose end in the window's margin lies under
  the band of a line already taken out. A fold crossing a square while a faint scanner
  streak runs down the window's ring (seed 9400, sheet 25272): the streak is found first
  and its 1.2 mm band covers the whole of that side's margin, so the fold was never seen
  in the margin at that end and was not a crossing line; its valley, kept in the square,
  was a hand's evidence and the empty square read `marked`. The band hides the end as
  it hides the line's length there (`inspect._checked` leaves hidden steps out of the
  length since pass 5); the continuation tests beyond the window, which tell the paper
  from a hand, are unchanged and still asked at both ends.

`reference.end_hidden_reference` is the same in plain loops; tests/test_lines6.py checks
that they agree.
"""

from __future__ import annotations

import math

import numpy as np

from kiosk.ballots.layout import TARGET

# A pen-dark pixel inside a square sends it to the closer look whatever its score (the
# doubt band's DOUBT_LO, 0, stays for the faint tests). A faint streak through most of a
# sheet's windows raises the sheet's baseline (the lower quartile of the windows' ink), and
# a hesitation dot in a window the streak misses scored -0.0007 (seed 9400, sheet 38759):
# never looked at, `empty`, a vote where the commission must look. A clean sheet's empty
# squares have no pen-dark pixel, so this costs nothing there.
PEN_DOUBT_LO = float("-inf")

# `inspect._path_contrast` (what `stroke_taken_for_line` and `line_stops_short` measure
# along a line beyond the window) took the darkest of three paths 0.3 mm apart; a scanner
# streak one pixel wide falls between them wherever the line's fitted offset is a pixel
# off (seed 106, sheet 493: a streak through four squares, each sent to review as a line
# that "stops short"). As `inspect._continues` since pass 5: every whole-pixel path
# within PATH_NEAR_MM of the line, on the line and on the paper beside it alike (the same
# statistic on both, so that noise alone still gives about 0).
PATH_NEAR_MM = 0.3


def path_offsets(at: float, scale: float) -> list[float]:
    """The paths `inspect._path_contrast` takes the darkest of around offset `at` (px
    across the line): every whole pixel within PATH_NEAR_MM of it."""
    near = max(1, round(PATH_NEAR_MM * scale))
    return [at + k for k in range(-near, near + 1)]


# ... and, for `stroke_taken_for_line` (a faint line taken out that is not there 1-4 mm
# beyond the window: light pencil), where fewer than PATH_JUDGED of a path's positions
# are on paper (the rest over print: the next square's border beside a steep crease, the
# square's own border beside a faint line through the window; or off the image), the
# path says nothing (nan): the median of the two or three positions left was as likely
# -0.19 as 0.15 (seed 106, sheet 889: a crease running beside the next square's border
# "stopped" there; 1002, 1342: a faint second line "seen" through the window on three
# positions between the border's crossings). An end not judged never fires. Not for
# `line_stops_short` (4-10 mm beyond): there a tick's arm pointing at a timing mark
# (stress seed 130, sheet 203) would no longer be judged gone.
PATH_JUDGED = 0.5


def unjudged(kept: int, positions: int) -> bool:
    """Are `kept` of `positions` along a path too few to judge it (PATH_JUDGED)?"""
    return kept < PATH_JUDGED * positions


END_STEP_PX = 0.5  # the path through the window's margin is sampled every half pixel
BORDER_ZONE_MM = 0.5  # the printed border's zone reaches this far out of the square


def end_hidden(
    ends_seen: tuple[bool, bool],
    rho: float,
    c: float,
    s: float,
    t_lo: float,
    t_hi: float,
    scale: float,
    hidden: tuple[np.ndarray, float, float] | None,
) -> bool:
    """Is every end of the line u*c + v*s = rho that has no candidate pixel in the window's
    margin (`ends_seen`, low end then high end along (-s, c)) hidden there? Hidden: each
    pixel the line passes through (sampled every END_STEP_PX from `t_lo` or `t_hi` to the
    middle, rounded) that lies in the window's margin (outside the printed border's zone)
    is in `hidden`'s mask (mask, u of column 0, v of row 0: the bands of lines already
    taken out), and there is at least one such pixel. At least one end must be seen: a
    line is never taken on hidden ends alone. Before any line is taken out nothing in the
    margin is hidden, so this never changes the first search."""
    if hidden is None or ends_seen[0] == ends_seen[1]:
        return False
    mask, u0, v0 = hidden
    h, w = mask.shape
    zone = (TARGET / 2 + BORDER_ZONE_MM) * scale
    mid = (t_lo + t_hi) / 2
    for k, seen in enumerate(ends_seen):
        if seen:
            continue
        start, step = (t_lo, END_STEP_PX) if k == 0 else (t_hi, -END_STEP_PX)
        t = start + np.arange(max(0, math.ceil((mid - start) / step))) * step
        ix = np.rint(rho * c - t * s - u0).astype(np.int64)
        iy = np.rint(rho * s + t * c - v0).astype(np.int64)
        ok = (ix >= 0) & (iy >= 0) & (ix < w) & (iy < h)
        ix, iy = ix[ok], iy[ok]
        outer = np.maximum(np.abs(ix + u0), np.abs(iy + v0)) > zone
        if not outer.any() or not bool(mask[iy[outer], ix[outer]].all()):
            return False
    return True
