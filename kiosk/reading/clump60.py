"""A hair with a dust clump on it is not a vote (issue 10, clump60: session 60's review). A
rule that only SENDS a square to the commission (review, `possible_stain`), never decides one.

Why. fix8's hair test sends a square about to read `marked` to review when all its dark
features inside are thinner than fix8.HAIR_MM: a hair on the scanner's glass. A dark dust
clump on the hair (a disc 0.7-1.4 mm across) makes the ink as a whole thicker than that, and
the line through the dot passes for a stroke: the red team's hair with a clump on it across
an empty square read as a vote in 8 of 30 variants (tests/test_redteam60.py), though the clump
alone and the hair alone each go to review.

The rule. Asked, as fix8 asks, of a square about to read `marked` scoring under
fix8.HAIR_SCORE_MAX: take fix8's dark pixels inside (`fix8._dark`'s thresholds); the compact
blobs are what an opening with a disc BLOB_MM across keeps, each no longer than BLOB_LONG_MM
(`cv2.minAreaRect`'s long side: a pen's stroke wide enough to survive the opening runs
longer); with no compact blob the rule has nothing to say. The rest is the dark pixels beyond
the blobs grown by AROUND_MM and EDGE_MM in from the inside's edge (a broad stroke cut off by
the edge leaves slivers along it that measure thin), taken afresh against the rest's own
darkest (against the blob's, a pencil stroke would keep only its grain's tops). When the rest
holds a feature at least REST_LONG_MM long, lies DEEP_SHARE or more EDGE_MM further in still
(a hair crosses the square; a broad stroke's slivers hug the edge that cut them), and
measures hair-thin by fix8's own width (`fix8._width` under REST_MM, fix8.HAIR_MM), the
square goes to review: a blob on a hair. A pen's stroke with a resting blob at its start
stays as it was (tests/test_redteam60.py, strokes 0.35 and 0.5 mm); so does a grainy
pencil's (fix8's width counts its grain as stroke). A fine pen's X or plus whose crossing
is a blob goes to review too (session 60's price); `is_clump` (RATIO_GUARD, OFF) would keep
it, but makes thick hairs with a clump votes (session 61).

It runs after fix8.hairline on the marks it left `marked`, and only turns `marked` into
`marginal`: it can take a right vote to the commission, never make a wrong one.

Switched off with ENABLED (benchmarks/hook_ab.py --module clump60).
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from kiosk.reading import fix8, kernels, speed32
from kiosk.reading.model import MarkReading, marked_to_review

ENABLED = True  # benchmarks/hook_ab.py --module clump60 reads each sheet with it off too
FAST_GATE = True  # speed67: `compact_blobs` asks the compiled gate first (False: the reference alone)

BLOB_MM = 0.5  # an opening with a disc this wide keeps a clump and no hair or fine stroke
BLOB_LONG_MM = 1.6  # a kept piece no longer than this is compact (a clump, a dot)
AROUND_MM = 0.2  # the blobs grown by this before the rest is taken (their blurred rims)
REST_LONG_MM = 1.0  # the rest must hold a feature this long: a line, not the blob's crumbs
EDGE_MM = 0.25  # the rest is taken this far in from the inside's edge
DEEP_SHARE = 0.5  # and this share of it lies EDGE_MM further in still (a hair crosses the square)
# the rest's width (fix8's measure) under this: fix8's hair bound. Session 61 tried 0.36 (a 0.12 mm
# hair at 150 dpi under JPEG 50 measures 0.26-0.30, and one clump case there read as a vote,
# tests/test_clump61.py's strict xfail): 58 real marks more to review on 300 sheets of the
# independent corpus, sheets in review 90 -> 135 (benchmarks/results/pass61/indep61-restmm-*.json)
REST_MM = fix8.HAIR_MM
# session 61, OFF: the clump told from a pen's crossing by its thickness against the line's
# (`is_clump`). It kept fine pen X's votes, but a helper's attack found 8 hair + clump cases it
# made votes (hairs 0.19-0.2 mm, ratios 1.4-2.5: tests/test_clump61.py); review is the safe side.
RATIO_GUARD = False
CLUMP_TIMES = 2.5  # the blob's inscribed diameter at least this many times the rest's


def _dark_in(ink: np.ndarray, region: np.ndarray) -> np.ndarray:
    """fix8's dark pixels (`fix8._dark`'s thresholds) of `region`, against the region's own
    99th percentile of ink."""
    top = float(np.percentile(ink[region], 99))
    out: np.ndarray = (region & (ink >= max(fix8.HAIR_FLOOR, fix8.HAIR_HALF * top))).astype(np.uint8)
    return out


def blob_disc(scale: float) -> np.ndarray:
    """The opening's disc, BLOB_MM across (odd, 3 px at least): it keeps a clump and no hair or
    fine stroke (dot63 opens with it too)."""
    return _disc(max(3, round(BLOB_MM * scale) | 1))


@functools.lru_cache(maxsize=16)
def _disc(k: int) -> np.ndarray:
    """The k x k ellipse, made once per size (speed68: OpenCV made it again for every mark).
    Shared: nobody writes into it (and it stays writeable, the type the kernels compiled for)."""
    disc: np.ndarray = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return disc


def compact_blobs(dark: np.ndarray, inside: np.ndarray, scale: float) -> np.ndarray | None:
    """The dark mask's compact blobs (what an opening with a disc BLOB_MM across keeps, each
    piece no longer than BLOB_LONG_MM), as a mask; None: there are none. `inside`: the
    mask's region (the blobs are looked for within it).

    speed67: one compiled call first (`kernels.open_pieces_long`), which answers None where
    nothing survives the opening or every piece left spans more than sqrt(2) BLOB_LONG_MM
    (most pen marks: their strokes survive, and run long); the rest is asked in full by
    `compact_blobs_reference`, the code this was (tests/test_speed67.py: the same answers)."""
    fits = (
        dark.dtype == np.uint8 and dark.ndim == 2 and inside.dtype == np.bool_ and inside.shape == dark.shape
    )
    if (
        FAST_GATE
        and fits
        and kernels.open_pieces_long(
            np.ascontiguousarray(dark), np.ascontiguousarray(inside), blob_disc(scale), _span_limit(scale)
        )
        < 2
    ):
        return None
    return compact_blobs_reference(dark, inside, scale)


def _span_limit(scale: float) -> float:
    """A piece spanning more than this (px, between its outermost pixel centres) has a
    cv2.minAreaRect long side over BLOB_LONG_MM: that rectangle's diagonal, at most sqrt(2)
    times its long side, holds the span (a millionth more against float32's rounding)."""
    return math.sqrt(2.0) * BLOB_LONG_MM * scale * (1.0 + 1e-6) + 1e-6


def compact_blobs_reference(dark: np.ndarray, inside: np.ndarray, scale: float) -> np.ndarray | None:
    """`compact_blobs` as OpenCV asks it, in full (the code before speed67)."""
    opened = cv2.morphologyEx(dark, cv2.MORPH_OPEN, blob_disc(scale))
    if not opened.any():
        return None
    opened = opened & inside.astype(np.uint8)
    contours, _ = cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    blobs: np.ndarray = np.zeros_like(dark)
    for c in contours:
        if max(cv2.minAreaRect(c)[1]) <= BLOB_LONG_MM * scale:
            cv2.drawContours(blobs, [c], -1, 1, thickness=cv2.FILLED)
    return blobs if blobs.any() else None


def blob_on_hair(ink: np.ndarray, inside: np.ndarray, scale: float, blobs: np.ndarray | None = None) -> bool:
    """Does the square's inside (`inside`, a mask of the window whose ink is `ink`) hold a
    compact blob among fix8's dark pixels, and is the rest beyond it, its dark pixels taken
    afresh against the rest's own darkest (a blob would leave a pencil's grain under its half),
    a hair-thin line at least REST_LONG_MM long? `blobs`: `compact_blobs` already found on
    the same window (the reader's pass finds them on fix8's compiled mask first)."""
    if np.count_nonzero(inside) < fix8.HAIR_MIN_PX:
        return False
    if blobs is None:
        blobs = compact_blobs(_dark_in(ink, inside), inside, scale)
    if blobs is None:
        return False
    g = max(1, round(AROUND_MM * scale))
    grown = cv2.dilate(blobs, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * g + 1, 2 * g + 1)))
    # the rest is looked at clear of the inside's edge (EDGE_MM): a broad stroke cut off by the
    # edge leaves slivers along it that measure thin and are no hair
    e = max(1, round(EDGE_MM * scale))
    clear = cv2.erode(inside.astype(np.uint8), np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
    region = clear & (grown == 0)
    if np.count_nonzero(region) < fix8.HAIR_MIN_PX:
        return False
    rest = _dark_in(ink, region)
    if np.count_nonzero(rest) < fix8.HAIR_MIN_PX:
        return False
    rest_contours, _ = cv2.findContours(rest, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not any(max(cv2.minAreaRect(c)[1]) >= REST_LONG_MM * scale for c in rest_contours):
        return False
    # most of the rest lies away from the region's edge (EDGE_MM further in): a hair crosses
    # the square; a broad stroke's slivers hug the edge that cut them
    deeper = cv2.erode(clear.astype(np.uint8), np.ones((2 * e + 1, 2 * e + 1), np.uint8)) > 0
    if np.count_nonzero(rest.astype(bool) & deeper) < DEEP_SHARE * np.count_nonzero(rest):
        return False
    if fix8._width(rest, scale) >= REST_MM:
        return False
    return not RATIO_GUARD or is_clump(_dark_in(ink, inside), blobs, rest, scale)


def is_clump(dark: np.ndarray, blobs: np.ndarray, rest: np.ndarray, scale: float) -> bool:
    """session 61 (asked only with RATIO_GUARD, OFF): is the blob a clump lying on the line,
    not where strokes cross or turn?
    Its inscribed diameter (the dark mask's distance to paper, at its deepest inside the
    blobs) is at least CLUMP_TIMES the rest's (at its 95th percentile: the line's own
    thickness). Two strokes crossing leave a blob at most 1.4 times a stroke's thickness
    (the inscribed disc where two strips cross at right angles), a pen's turn or a grainy
    clot about twice; a dust clump 1 mm across on a hair is three times it and more."""
    d_blob = float(cv2.distanceTransform(dark, cv2.DIST_L2, 5)[blobs.astype(bool)].max())
    d_rest = cv2.distanceTransform(rest, cv2.DIST_L2, 5)[rest.astype(bool)]
    return d_blob >= CLUMP_TIMES * float(speed32.percentile(d_rest, 95))


def clump_on_hair(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Each square read `marked`, scoring under fix8.HAIR_SCORE_MAX, whose ink is a compact
    blob on a hair-thin line (`blob_on_hair`) becomes `marginal` (`possible_stain`)."""
    if not ENABLED:
        return marks

    def doubt(i: int, m: MarkReading) -> bool:
        if m.score >= fix8.HAIR_SCORE_MAX:
            return False
        sc = float(scales[i])
        at = (float(centres[i, 0]), float(centres[i, 1]))
        got = fix8.hair_window(image, at, sc, float(paper[i].max()), gain)
        if got is None:
            return False
        win, inside, dark = got
        blobs = compact_blobs(dark, inside, sc)
        if blobs is None:
            return False
        ink = gain * (1.0 - win.astype(np.float64) / max(1.0, float(paper[i].max())))
        return blob_on_hair(ink, inside, sc, blobs)

    return marked_to_review(marks, doubt)
