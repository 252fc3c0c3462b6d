"""A lone dark dot is not yet a vote (issue 10, dot63: session 63). A rule that only SENDS a
square to the commission (review, `marginal_mark`), never decides one.

Why. Session 62's `debris` stress set (`fieldkit/debris.py`) lays hairs with a dust clump
(two to four discs 0.5-1.6 mm, together up to 2.2 mm) across squares. Where the hair is too
light for fix8's dark pixels, or runs along the scan's columns (run62 leaves a line there to the
streak rules), the clump is the square's ink: a dark blob scoring just over `marked` (0.067 on
seed 196's sheet 375, square 6; 0.09 on seed 197's 195/7, 910/7, 1249/10) that no hair test
takes, since nothing in the square is a line fix8 can measure. The deck's own truth already
calls a small dot in a square a doubt (`hesitation_dot`: `marginal`), and a person at the table
would ask too: a voter's dot and a speck of dust look the same.

The rule. Asked of a square about to read `marked` scoring under SCORE_MAX: fix8's dark pixels
inside (`fix8._dark`); their thick part, what an opening with a disc clump60.BLOB_MM across
keeps (a hair or a pen's line does not survive it), is one roundish solid blob (DOT_LONG_MM,
ROUND, SOLID) which, grown by AROUND_MM, holds INK_SHARE of the inside's ink. Then the ink is a
dot and the square goes to review, unless the blob lies within EDGE_MM of the inside's edge and
its thick ink runs on past the printed border (`reaches_out`: a piece over REACH_LONG_MM within
REACH_MM beyond the inside, a broad stroke cut off by the edge). What it keeps: a pen's tick or X (thin: nothing thick, or the
crossing alone, which holds too little of the ink; a small X thick all over is not solid), a
felt tip's stroke (long and narrow), a fill (too long), a pencil tick with one dark clot (the
rest of its stroke holds the ink). What it sends that may be a vote: a voter's dot pressed hard,
a small filled circle or square (2-2.8 mm: a helper's attack sent 21 of 72 to review), a small
scrawl at 150 dpi (a 0.5 mm pen line survives the 3 px opening there); docs/reading.md,
session 63. Where it stops: a clump on a hair dark enough to hold a third of the ink
(run62's, when the hair runs on; else still read `marked`: seed 197's 567/3, 803/2, 1178/4, 1826/3).

It runs after run62 on the marks left `marked`, and only turns `marked` into `marginal`: it
can take a right vote to the commission, never make a wrong one.

Switched off with ENABLED (benchmarks/hook_ab.py --module dot63).
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.reading import clump60, crop, fix8
from kiosk.reading.model import MarkReading, marked_to_review

ENABLED = True  # benchmarks/hook_ab.py --module dot63 reads each sheet with it off too

SCORE_MAX = 0.2  # asked under this: a dot scores 0.06-0.15; a pen X 0.2-0.42, a fill 0.7 and more
DOT_LONG_MM = 2.5  # the thick ink (what an opening with a disc clump60.BLOB_MM keeps) no longer than this
ROUND = 0.5  # ... and at least this wide for its length (a felt tip's stroke is long and narrow)
# ... and this solid (its pixels over its convex hull's area, which counts a small blob's edge
# short: a clump 1.07-1.21 on the debris sets, a drawn disc 1.06-1.12; a small pen X 2.4 mm
# across, thick all over at 200 dpi, 0.73)
SOLID = 0.9
AROUND_MM = 0.3  # the thick ink grown by this (its blurred rim) ...
INK_SHARE = 0.7  # ... holds this share of the inside's ink: what else lies there is faint or thin
EDGE_MM = 0.25  # a blob this near the inside's edge may be a broad stroke cut off by it ...
REACH_MM = 1.5  # ... so its thick ink is followed this far beyond the inside (past the border)
# ... and runs on when a piece of it is longer than this. Not DOT_LONG_MM: at 150 dpi the printed
# border (TARGET_STROKE) partly survives the opening as dashes, and a clump at the edge joined to
# one measured 2.53-3.72 mm in a helper's sweep (21 holes at the worst scan; 7 at 3.0, no price
# added); a felt tip's tick cut off by the edge measures 4.98 (seed 198, sheet 1143)
REACH_LONG_MM = 3.0


def is_dot(ink: np.ndarray, thick: np.ndarray, inside: np.ndarray, scale: float) -> bool:
    """Is the square's ink a dot? `thick`: the thick part of fix8's dark pixels of the inside
    (`inside`, a mask of the window whose ink is `ink`), what an opening with clump60's disc
    (`thick_part`) keeps: a hair or a pen's line does not survive it. It is one roundish blob
    (its `cv2.minAreaRect` at most DOT_LONG_MM long, ROUND as wide as long, SOLID) which, grown
    by AROUND_MM, holds INK_SHARE of the inside's ink: a hair under a clump, or specks, may lie
    beside it; a pencil tick with one dark clot has the rest of its stroke beside it."""
    pts = cv2.findNonZero(thick)
    if pts is None:
        return False
    w, h = cv2.minAreaRect(pts)[1]
    if max(w, h) > DOT_LONG_MM * scale or min(w, h) < ROUND * max(w, h):
        return False
    if np.count_nonzero(thick) < SOLID * cv2.contourArea(cv2.convexHull(pts)):
        return False  # strokes crossing (a small X), not a blob
    g = max(1, round(AROUND_MM * scale))
    grown = cv2.dilate(thick, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * g + 1, 2 * g + 1))) > 0
    body = np.clip(ink, 0.0, None) * inside
    total = float(body.sum())
    return total > 0.0 and float(body[grown].sum()) >= INK_SHARE * total


def thick_part(dark: np.ndarray, scale: float) -> np.ndarray:
    """What an opening with clump60's disc (clump60.BLOB_MM across) keeps of a dark mask."""
    out: np.ndarray = cv2.morphologyEx(dark, cv2.MORPH_OPEN, clump60.blob_disc(scale))
    return out


def near_edge(thick: np.ndarray, inside: np.ndarray, scale: float) -> bool:
    """Does the thick part (`thick_part`) come within EDGE_MM of the inside's edge?"""
    e = max(1, round(EDGE_MM * scale))
    clear = cv2.erode(inside.astype(np.uint8), np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
    return bool(np.any((thick > 0) & ~clear))


def reaches_out(
    image: np.ndarray, at: tuple[float, float], scale: float, paper: float, gain: float, level: float
) -> bool:
    """Does thick ink inside the square run on beyond it? The window REACH_MM wider than the
    inside, its pixels at least `level` of ink (the inside's dark level), opened as inside (the
    printed border, TARGET_STROKE thin, does not survive it): some piece that meets the inside
    is longer than REACH_LONG_MM (a felt tip's tick cut off by the inside's edge: session 63's
    price case on seed 198, sheet 1143, square 6)."""
    got = crop.around(image, at, int((fix8.INSIDE_MM + REACH_MM) * scale) + 1)
    if got is None:
        return False
    win, xs, ys = got
    ink = gain * (1.0 - win.astype(np.float64) / paper)
    thick = thick_part((ink >= level).astype(np.uint8), scale)
    _n, labels, _stats, _c = cv2.connectedComponentsWithStats(thick, connectivity=8)
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= fix8.INSIDE_MM * scale
    for label in np.unique(labels[inside & (thick > 0)]):
        pts = cv2.findNonZero((labels == label).astype(np.uint8))
        if max(cv2.minAreaRect(pts)[1]) > REACH_LONG_MM * scale:
            return True
    return False


def lone_dot(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Each square read `marked`, scoring under SCORE_MAX, whose dark ink is a dot (`is_dot`)
    becomes `marginal` (`marginal_mark`)."""
    if not ENABLED:
        return marks

    def doubt(i: int, m: MarkReading) -> bool:
        if m.score >= SCORE_MAX:
            return False
        sc = float(scales[i])
        at = (float(centres[i, 0]), float(centres[i, 1]))
        got = fix8._inside_window(image, at, sc)
        if got is None:
            return False
        win, inside = got
        p = max(1.0, float(paper[i].max()))
        dark = fix8._dark(image, at, sc, p, gain)
        if dark is None or dark.shape != inside.shape:
            return False
        ink = gain * (1.0 - win.astype(np.float64) / p)
        thick = thick_part(dark, sc)  # fix8._dark has HAIR_MIN_PX dark pixels at least
        if not is_dot(ink, thick, inside, sc):
            return False
        if not near_edge(thick, inside, sc):
            return True
        # fix8's own dark level (`fix8._dark`): the inside's 99th percentile of ink
        level = max(fix8.HAIR_FLOOR, fix8.HAIR_HALF * fix8._percentile_99(ink[inside]))
        return not reaches_out(image, at, sc, p, gain, level)

    return marked_to_review(marks, doubt, reason="marginal_mark")
