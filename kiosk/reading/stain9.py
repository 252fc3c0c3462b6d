"""Ninth pass (issue 10, branch stain9): a drop's rim bending through an empty square.

The eighth pass's untouched run (seed 9700) read one EMPTY square `marked` (sheet 28964,
MZ-LIST, 300 dpi, option jsdp, 0.094): a tea drop about 28 mm across lies over the
square's row, and its rim (a thin line, top-hat contrast 0.19-0.25) runs through the
square diagonally, leaves it over the top-left corner heading left and over
the bottom edge heading down. The closer look (`inspect.inspect_square`) found no line
crossing the square (the rim bends), took the rim inside the square for a hand's thin
evidence (no pen-dark pixel), and the score against the ring (0.094) was over `marked`,
so rims7's hook (`rims7.thin_stain`) was asked: every pixel of that evidence belongs to a
thin feature that runs on 3 mm beyond the window (REACH_SHARE 1.0), but both pieces it
runs on as (the arc to the left, the arc below) were each, over the few millimetres
looked at, within `rims7.STRAIGHT_MM` of a straight line, and `wrong8.line_across` found
thin features on the window's far side (a fingerprint's ridges lie there). So each was
taken for a line of the paper (a fold, a crease) and left out, and the square read
`marked`. The generator draws a stain's outline as a polygon (straight 2-3 mm between
corners for a drop this size), and a real rim of 15 mm radius is straight to 0.15 mm over
the 4 mm looked at; a fold is straight across the whole window.

The rule (`bent_through`, a hook in `inspect.inspect_square` after `rims7.thin_stain`,
asked only where that said no): with no pen-dark evidence (rims7's own precondition), the
thin evidence inside the square that is joined (8-connected, across the printed border's
zone as rims7 joins it) to reaching features rims7 left out as straight, where those
features' pixels beyond the window, together, are NOT one line (the 95th percentile of
their distance to their common line over STRAIGHT_MM, rims7's own tolerance) and lie on
two sides of the window (their directions from the centre at least APART_DEG apart: the
feature enters the square and leaves it), covering REACH_SHARE of the thin evidence:
`possible_stain`. A fold or a crease is one line through the window; a voter's stroke
never runs REACH_MM beyond the window, let alone at both ends. The rule only ever sends a
square to review (never decides one), so a real mark it takes for a rim costs a review.

Where it stops: a rim whose pieces beyond the window are all on one side, or one piece
only (the rim leaves the square and comes back), is left to rims7 as before; a pencil
mark crossed by two lines of the paper that the closer look did not take out goes to
review. docs/reading.md, "Ninth pass: stains (stain9)".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.reading import rims7
from kiosk.reading.model import ReviewReason

if TYPE_CHECKING:
    from kiosk.reading.inspect import Line

ENABLED = True  # benchmarks/hook_ab.py --module stain9 reads each sheet with it off too ("before")

APART_DEG = 60.0  # the pieces beyond the window lie at least this far apart round its centre


def bent_through(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    ink: np.ndarray,
    evidence: np.ndarray,
    win_origin: tuple[int, int],
    lines: Sequence[Line],
    shared: rims7.ReachShared | None = None,
) -> ReviewReason | None:
    """The hook in `inspect.inspect_square` for a square about to be read `marked` that
    `rims7.thin_stain` let through: `possible_stain` when none of its evidence is pen-dark
    and its thin evidence runs on, at both ends, as features rims7 took for straight
    lines that are not one line (`bent_share` >= `rims7.REACH_SHARE`); else None.
    `shared`: handed on to `bent_share` (look21: the one `thin_stain` was given)."""
    if not ENABLED or int((evidence & (ink >= rims7.HOOK_PEN)).sum()) >= rims7.PEN_SPECK_MM2 * scale * scale:
        return None
    thin_ev = evidence & (ink < rims7.HOOK_PEN)
    if not thin_ev.any():
        return None
    bands = [(ln.theta, ln.rho) for ln in lines]
    if rims7.PAPER_BOUND_FIRST:
        # speed26: bent_share counts a point only when its component meets the neighbourhood
        # of a straight piece (a reaching component): at most `Reach.joined_bound`, so under
        # REACH_SHARE there the answer is None without `straight_reaching`.
        shared = shared or rims7.ReachShared()
        r7 = shared.get(image, centre, half, scale, gain, paper, bands)
        if r7.joined_bound(*r7.points(thin_ev, win_origin), scale) < rims7.REACH_SHARE:
            return None
    share = bent_share(image, centre, half, scale, gain, paper, thin_ev, win_origin, bands, shared)
    return "possible_stain" if share >= rims7.REACH_SHARE else None


def bent_share(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    evidence: np.ndarray,
    win_origin: tuple[int, int],
    bands: Sequence[tuple[float, float]] = (),
    shared: rims7.ReachShared | None = None,
) -> float:
    """The share of `evidence`'s pixels (a mask of the window at `win_origin`) on a thin
    feature (`rims7.reach_mask`, the same extended window, cut and joining distance as
    `rims7.paper_thin`) joined to reaching features that rims7 left out as straight
    (`rims7.straight_reaching`) whose pixels beyond the window are, together, not one
    line (`one_line`) and lie on two sides of it (`two_sides`).
    `shared`: the extended window's work (`rims7.Reach`: the window, its cut, reach_mask,
    the labels, straight_reaching's answer, each as computed here before), made once for
    rims7's `paper_thin` and this (look21; `reference.bent_share_reference` is this without it)."""
    r7 = (shared or rims7.ReachShared()).get(image, centre, half, scale, gain, paper, bands)
    bx, by = np.broadcast_arrays(r7.xs, r7.ys)
    mask = r7.mask
    ly, lx = r7.points(evidence, win_origin)
    if ly.size == 0:
        return 0.0
    beyond = r7.beyond
    straight = r7.straight(scale)
    if not straight.any():
        return 0.0
    labels = r7.labels()
    r = rims7.join_radius(scale)
    k = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    pieces_all = np.unique(labels[straight])
    hit = np.zeros(ly.size, bool)
    ev_labels = labels[ly, lx]
    for lab in np.unique(ev_labels):
        if lab == 0:
            continue
        comp = labels == lab
        near = cv2.dilate(comp.astype(np.uint8), k) > 0
        pieces = np.intersect1d(np.unique(labels[near & mask]), pieces_all)
        if pieces.size == 0:
            continue
        joined = np.isin(labels, pieces) & beyond
        py, px = np.nonzero(joined)
        if py.size < 3:
            continue
        pts = np.stack([bx[py, px], by[py, px]], axis=1).astype(np.float64)
        if not one_line(pts, scale) and two_sides(pts, labels[py, px]):
            hit |= ev_labels == lab
    return float(hit.mean())


def one_line(pts: np.ndarray, scale: float) -> bool:
    """Are the points (x, y), in px, within `rims7.STRAIGHT_MM` of one straight line (the
    95th percentile of their distance to the line through their mean along their main
    axis), as `rims7.straight_reaching` asks of each piece on its own?"""
    q = pts - pts.mean(axis=0)
    _w, v = np.linalg.eigh(q.T @ q)
    return bool(float(np.percentile(np.abs(q @ v[:, 0]), 95)) <= rims7.STRAIGHT_MM * scale)


def two_sides(pts: np.ndarray, piece: np.ndarray) -> bool:
    """Do the pieces (one label per point; points (x, y) about the square's centre) lie
    on two sides of the window: the directions of two pieces' mean points from the
    centre at least APART_DEG apart?"""
    angles = []
    for lab in np.unique(piece):
        m = pts[piece == lab].mean(axis=0)
        angles.append(math.atan2(float(m[1]), float(m[0])))
    for i, a in enumerate(angles):
        for b in angles[i + 1 :]:
            d = abs(a - b) % (2 * math.pi)
            if math.degrees(min(d, 2 * math.pi - d)) >= APART_DEG:
                return True
    return False
