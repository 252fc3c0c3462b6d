"""Erased marks the reader read as votes (issue 10, the ninth pass: erase9). A rule that only
SENDS a square to the commission (review, `possible_erasure`), never decides one.

A voter who pencils a mark and rubs it out has changed their mind; what the ballot then
says is for the commission to judge (the law reads a ballot by what the commission sees),
not the reader. A rubber eraser lifts graphite unevenly and smears what it lifts round the
patch it rubbed: the mark's remnants stay grey (0.02-0.2 of the light), and the paper
JUST OUTSIDE the printed square is greyed too, a soft halo that a voter's own mark lacks (a
hand's fill stops at the border; an X's strokes cross the band round the square in a few
places, leaving most of it paper). Before this pass two such sheets read as votes with no
review (tests/test_redteam8.py: an X under an eraser's patch, `inspect.is_fill`;
tests/test_review8.py: a fill rubbed out to an even grey 0.15-0.2 with a smear round it,
`marks8`): each rule measured the paper level locally, inside the smear, so the smear
itself was the paper and the greyed square stood out from it as a fill.

`erased`, asked of every square about to read `marked` that scores under SCORE_MAX, after
the other closer looks (reader._interpret, after fix8.hairline), measures against the
paper of the whole neighbourhood (the median of the window's outer frame, FRAME_MM wide, FAR_MM from the
centre: beyond an eraser's patch), not the local one:

- grey: the inside's darkest ink (its INK_PCT percentile) under GREY_MAX: no pen-dark or
  firm pencil stroke (ink barely erases, and a dark stroke is a vote's, not a remnant's);
- smeared: in the band just outside the printed border (BAND_MM from the centre), at least
  SMEAR_SIDES of its four sides have a median darkening of SMEAR_MIN or more (most of that
  side greyed evenly, not a stroke crossing it), and the band's overall median too.

Such a square becomes `marginal` with `possible_erasure`. Where it stops: an erasure on a
sheet under a stain or a fold's grey that covers the whole neighbourhood (no clean paper
to measure against), a patch that misses the band round the square on all but one side,
an erased pen mark (dark: left to the other rules, it reads as what it shows). A real
pencil mark with a hand's graphite smudge round it goes to review too (its cost on the
corpus: docs/reading.md, "Ninth pass: erased marks (erase9)").

Switched off with ENABLED (tests/test_erase9.py, benchmarks/hook_ab.py --module erase9).
"""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop, kernels, speed32
from kiosk.reading.model import MarkReading

ENABLED = True  # tests and benchmarks/hook_ab.py --module erase9 switch the rule off ("before")

SCORE_MAX = 0.45  # asked only of squares scoring under this (a pen X 0.2-0.42 is dark anyway)
FAR_MM = 8.0  # the neighbourhood: this far from the centre (box)
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
INK_PCT = 99.0  # the inside's darkest ink: this percentile of its darkening ...
GREY_MAX = 0.4  # ... under this: grey remnants, no firm stroke
FIRM_MAX = 0.55  # the cheap first look: the inside's own range this wide (a pen's stroke)
BAND_MM = (TARGET / 2 + 0.8, TARGET / 2 + 1.3)  # outside the printed border and its blur
# (marks8's QUIET_MM; at 0.35 mm a field scan's blurred border greys the band 0.01-0.03)
FRAME_MM = 1.5  # the smear test's paper: the median of the neighbourhood's outer frame
SMEAR_MIN = 0.01  # a side of the band greyed at least this (its median darkening)
SMEAR_SIDES = 2  # on at least this many sides, two of them opposite (a scan's falloff or a
# grey paper's ramp darkens one side of the band against the frame's median, not both)
CLOSE_MM = 2.2  # as `inspect.CLOSE_MM`: a grey closing that takes strokes out
GHOST_PCT = 97.0  # what stands above the inside's grey background: this percentile ...
GHOST_MIN = 0.04  # ... at least this (a remnant's strokes) ...
UNDER_MIN = 0.06  # ... over a background darkened at least this (the eraser's grey patch) ...
CORE_MM = 1.5  # (the square's core, this far from the centre, box)
CORNER_MM = 1.0  # ... whose lightest corner box of the inside (this far in on both axes) ...
CORNER_PCT = 50.0  # (each corner box's median)
CORNER_SHARE = 0.68  # ... is under this share of the core's: the patch does not fill the
# square (a hand's fill reaches its corners: 0.94 and more at 200 dpi, but 0.697 for
# tests/test_rims7's light fill (0.15) at the worst scan, turned 5 degrees: the fill's
# edge moves into a box; the red team's 6 x 5 mm patches 0.63-0.64, at the worst scan 0.5-0.54)


def measures(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[float, list[float]] | None:
    """(ink, sides): the inside's INK_PCT darkening and the median darkening of each side of
    the band round the square (left, right, top, bottom), both against the neighbourhood's
    paper (its outer frame's median). None: nothing to judge by (the square at the image's edge)."""
    got = crop.around(image, centre, int(FAR_MM * scale))
    if got is None:
        return None
    win, xs, ys = got
    ax, ay = np.abs(xs), np.abs(ys)
    box = np.maximum(ax, ay)
    frame = box >= (FAR_MM - FRAME_MM) * scale
    if not frame.any():
        return None
    paper = float(speed32.median(win[frame]))  # the median, as the band's: a scan's noise cancels
    if paper <= 0:
        return None
    dark = 1.0 - win.astype(np.float32) / paper
    inside = box <= INSIDE_MM * scale
    lo, hi = BAND_MM[0] * scale, BAND_MM[1] * scale
    band = (box >= lo) & (box <= hi)
    along = 2.5 * scale  # a side's middle part (its corners belong to two sides)
    sides = [
        band & (xs < 0) & (ay <= along),
        band & (xs > 0) & (ay <= along),
        band & (ys < 0) & (ax <= along),
        band & (ys > 0) & (ax <= along),
    ]
    if not inside.any() or not all(s.any() for s in sides):
        return None
    ink = float(np.percentile(dark[inside], INK_PCT))
    return ink, [float(speed32.median(dark[s])) for s in sides]


def patch_measures(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[float, float, float] | None:
    """(under, ghost, corner): the median darkening of the grey background (a grey closing
    CLOSE_MM across takes strokes out) in the square's core (CORE_MM from the centre), the
    GHOST_PCT percentile inside of what stands above that background (a remnant's strokes),
    and the lightest of the inside's four corner boxes (CORNER_MM) as a share of the core's
    background; all against the neighbourhood's paper (its outer frame's median). None: nothing to judge by."""
    got = crop.around(image, centre, int(FAR_MM * scale))
    if got is None:
        return None
    win, xs, ys = got
    ax, ay = np.abs(xs), np.abs(ys)
    frame = np.maximum(ax, ay) >= (FAR_MM - FRAME_MM) * scale
    paper = float(speed32.median(win[frame])) if frame.any() else 0.0
    if paper <= 0:
        return None
    edge = INSIDE_MM * scale
    inside = np.maximum(ax, ay) <= edge
    core = np.maximum(ax, ay) <= CORE_MM * scale
    if not core.any():
        return None
    k = max(3, int(CLOSE_MM * scale) | 1)
    bg = cv2.morphologyEx(win, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    under = 1.0 - bg.astype(np.float32) / paper
    above = (bg.astype(np.float32) - win.astype(np.float32)) / paper
    mid = float(speed32.median(under[core]))
    corners = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            box = (xs * sx >= edge - CORNER_MM * scale) & (xs * sx <= edge)
            box = box & (ys * sy >= edge - CORNER_MM * scale) & (ys * sy <= edge)
            if box.any():
                corners.append(float(np.percentile(under[box], CORNER_PCT)))
    if not corners or mid <= 0:
        return mid, 0.0, 1.0
    return mid, float(np.percentile(above[inside], GHOST_PCT)), min(corners) / mid


def _firm(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """A cheap first look: the inside's INK_PCT darkening against the lightest of the
    inside's own 99th percentile and the image's (a pen-dark stroke is FIRM_MAX and more
    against any paper the square could be on). post20: one compiled call
    (`kernels.firm_levels`: the histogram and `percentile_u8`'s steps; `_firm_numpy` is the
    code it replaces, tests/test_post20.py checks they agree)."""
    lo, hi = kernels.firm_levels(
        image, round(centre[0]), round(centre[1]), int(INSIDE_MM * scale), 100 - INK_PCT, INK_PCT
    )
    return bool(hi > 0 and 1.0 - lo / hi >= FIRM_MAX)  # (-1, -1): nothing on the image


def _firm_numpy(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """`_firm` as the ninth pass wrote it (bincount, cumsum, `percentile_u8`)."""
    got = crop.around(image, centre, int(INSIDE_MM * scale))
    if got is None:
        return False
    counts = np.bincount(got[0].ravel(), minlength=256).cumsum()
    lo, hi = percentile_u8(counts, 100 - INK_PCT), percentile_u8(counts, INK_PCT)
    return bool(hi > 0 and 1.0 - lo / hi >= FIRM_MAX)


def percentile_u8(counts: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)` (its linear rule, to the last bit) of uint8 values from
    their histogram's running total `counts` (256 bins): the clean path asks `_firm` of
    every vote, and two order statistics from a histogram cost a fifth of numpy's sort
    (reference: `reference.firm_percentiles_reference`, tests/test_erase9.py)."""
    n = int(counts[-1])
    at = (n - 1) * (q / 100)
    lo = math.floor(at)
    hi = min(lo + 1, n - 1)
    a = float(np.searchsorted(counts, lo, side="right"))  # the lo-th smallest grey
    b = float(np.searchsorted(counts, hi, side="right"))
    t = at - lo
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _greyed_core(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """Another cheap look before the closing: the core's median at least UNDER_MIN / 2
    under the square's neighbourhood corner's grey (a mark on clean paper: its core is
    paper between strokes)."""
    got = crop.around(image, centre, int(FAR_MM * scale))
    if got is None:
        return False
    win, xs, ys = got
    core = np.maximum(np.abs(xs), np.abs(ys)) <= CORE_MM * scale
    c = max(1, int(FRAME_MM * scale))
    paper = float(
        speed32.median(
            np.concatenate(
                [win[:c, :c].ravel(), win[-c:, -c:].ravel(), win[:c, -c:].ravel(), win[-c:, :c].ravel()]
            )
        )
    )
    return paper > 0 and 1.0 - float(speed32.median(win[core])) / paper >= UNDER_MIN / 2


def erased(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """Does the square look rubbed out (grey inside, a grey smear round it)?"""
    if _firm(image, centre, scale):
        return False  # the clean path: a pen-dark stroke inside (most votes), nothing more cut
    m = measures(image, centre, scale)
    if m is None:
        return False
    ink, sides = m
    if ink >= GREY_MAX:
        return False
    grey = [v >= SMEAR_MIN for v in sides]  # left, right, top, bottom
    opposite = (grey[0] and grey[1]) or (grey[2] and grey[3])  # a smear, not a page's ramp
    if opposite and sum(grey) >= SMEAR_SIDES and float(speed32.median(sides)) >= SMEAR_MIN / 2:
        return True  # smeared round the square
    if not _greyed_core(image, centre, scale):
        return False  # no grey patch under the core: no closing needed
    p = patch_measures(image, centre, scale)
    # a ghost's strokes on a grey patch that does not fill the square to its corners
    return p is not None and p[0] >= UNDER_MIN and p[1] >= GHOST_MIN and p[2] < CORNER_SHARE


def possible_erasure(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, marks: list[MarkReading]
) -> list[MarkReading]:
    """Each square about to read `marked` (score under SCORE_MAX) that `erased` says is
    rubbed out becomes `marginal` (`possible_erasure`): the commission looks."""
    if not ENABLED:
        return marks
    out = list(marks)
    for i, m in enumerate(marks):
        if m.mark != "marked" or m.score >= SCORE_MAX:
            continue
        if erased(image, (float(centres[i, 0]), float(centres[i, 1])), float(scales[i])):
            out[i] = replace(m, mark="marginal", reason="possible_erasure")
    return out
