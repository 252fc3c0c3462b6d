"""Seventh pass (issue 10, branch rims7): stains read as votes.

The red team (tests/test_redteam7.py) drew, beside a voter's single X, a coffee ring's
rim, an inked fingerprint's ridges and a smooth coffee drop through the EMPTY square below
it; each was read `marked` and the vote became an `overvote` with no review. Two layers
keep such a square out of `marked`; each sends it to the commission (`possible_stain`),
never to `empty`, so a real mark they take for a stain costs a review, not a vote.

1. The contest (`unlike_marks`, called by the reader after every square is read): a
   contest read as an overvote holds two or more `marked` squares. One voter's marks are
   drawn with one pen or pencil, so their ink is about as dark; a square whose darkest ink
   (`darkness`: the UNLIKE_QUANTILE of the ink inside it, against the paper around its
   window) is under UNLIKE_RATIO of the darkest marked square's in the contest, and not
   pen-dark itself, is not decided: `marginal` (`possible_stain`), the contest in review.
   It does not recognise the stain; it asks only how the marks compare.
2. The square (`paper_thin`, `smooth_fill`, hooks in `inspect.inspect_square` where a
   square would be read `marked` with no pen-dark ink):
   - thin features that are the paper's, not a hand's (`paper_thin`): the thin contrast
     that made the square's evidence of a hand (black top-hat >= `inspect.THIN_CONTRAST`)
     is, for at least REACH_SHARE of it, part of a thin feature (top-hat >= REACH_LOW,
     8-connected; the printed border's zone, the lines the closer look took out, vertical
     runs of RULE_MM (a scanner's streak) and reaching features straight within
     STRAIGHT_MM (folds, creases) left out) that runs on at least REACH_MM beyond the window: a
     ring's rim continuing round its circle, a fingerprint's ridges running over the
     paper around the square. A voter's tick, cross, circle or scribble ends within about
     1.5 mm of the square; its overshoot never reaches REACH_MM beyond the window;
   - a smooth "fill" (`smooth_fill`): `inspect.is_fill` said fill, but the grain of the
     inside (pixels against their 3 x 3 mean) over its flatter half is under SMOOTH_GRAIN
     times the margin's: a drop of coffee is flat inside, and only its edge (and a JPEG's
     blocks along it) is rough, which `is_fill`'s mean over the whole inside counted;
     graphite is rough all over.

Where it stops: a real overvote drawn with a dark pen and a light pencil (the field
corpus draws each mark with its own pen, light pencil 120-150 of 255 against pens 10-70)
under UNLIKE_RATIO goes to review; a stain darker than UNLIKE_RATIO of the voter's mark
and not recognised by layer 2 is still read `marked`; a stain alone on a blank ballot is
caught by layer 2 only. docs/reading.md, "Seventh pass: stains read as votes (rims7)".

`reference.reach_share_reference` (appended block marked rims7) is the slow version of
`reach_share`; tests/test_rims7.py checks that they agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import (
    crop,
    speed32,  # session 64: numpy's small medians and percentiles, exact and cheaper
    wrong8,  # issue 10, eighth pass (wrong8)
)
from kiosk.reading.model import MarkReading, ReviewReason

if TYPE_CHECKING:
    from kiosk.reading.inspect import Line

ENABLED = True  # benchmarks/hook_ab.py --module rims7 reads each sheet with it off too ("before")

# Layer 1: the contest.
UNLIKE_RATIO = 0.45  # a marked square's darkness under this share of the darkest one's
UNLIKE_QUANTILE = 98.0  # a square's darkness: this percentile of the ink inside it
UNLIKE_PEN = 0.5  # ... unless that darkness is pen-dark itself (inspect.DARK_INK)
HOOK_PEN = 0.6  # the square's hook: pen-dark pixels this dark (a rim of 0.45 reaches 0.5)

# Layer 2: thin features that run on beyond the window.
REACH_LOW = 0.12  # thin contrast of the pixels followed (a rim or a ridge of 0.2-0.45)
REACH_MM = 3.0  # how far beyond the window's edge the feature must reach
REACH_SHARE = 0.5  # of the evidence's thin pixels inside that must belong to such features
RULE_MM = 5.0  # a vertical run of thin features this long is a scanner's streak
STRAIGHT_MM = 0.8  # a reaching feature this close to one straight line is a line of the paper
BORDER_MM = 0.3  # the printed border's zone: the border and this much either side
TEXTURE_MM = 2.0  # the band round the window where a fingerprint's ridges are looked for
TEXTURE_MIN = 0.1  # of it covered by thin features, at least
TEXTURE_SHARE = 0.5  # ... and at least this share of the inside's cover
PRINT_INK = 0.6  # print (a neighbour's border, a rule, text) and pen: left out of that band
TOPHAT_MM = 1.6  # as inspect.TOPHAT_MM
PEN_SPECK_MM2 = 0.25  # pen-dark pixels fewer than this are specks (inspect.DOT_MIN_MM2)

# Layer 2: a smooth fill.
SMOOTH_GRAIN = 1.05  # the inside's flatter half's grain at least this times the margin's: graphite


def reach_mask(
    ext: np.ndarray, scale: float, paper: float, gain: float, cut: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(thin features, ink) of `ext`: black top-hat over TOPHAT_MM (as ink against
    `paper`) at least REACH_LOW, outside `cut` (the printed border's zone and the lines
    the closer look took out); the ink against `paper`."""
    k = max(3, int(TOPHAT_MM * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    p = max(1.0, paper)
    thin = cv2.morphologyEx(ext, cv2.MORPH_BLACKHAT, kernel).astype(np.float64) * gain / p
    ink = np.clip(gain * (1.0 - ext.astype(np.float64) / p), 0.0, 1.0)
    out: np.ndarray = (thin >= REACH_LOW) & ~cut
    # A scanner's faint streak runs down an image column: vertical runs RULE_MM long out
    # (they join a pencil mark to the row's printed rules, which reach far).
    n = max(3, round(RULE_MM * scale))
    out &= ~(cv2.morphologyEx(out.astype(np.uint8), cv2.MORPH_OPEN, np.ones((n, 1), np.uint8)) > 0)
    return out, ink


def reach_share(
    mask: np.ndarray,
    far: np.ndarray,
    r: int,
    ys: np.ndarray,
    xs: np.ndarray,
    labels: np.ndarray | None = None,
) -> float:
    """The share of the points (ys, xs) on a component of `mask` (8-connected) that
    reaches `far`, or on one that meets the Chebyshev `r`-neighbourhood of such a component
    (a piece across the printed border from it). `reference.reach_share_reference` is the
    same with a plain flood fill and the neighbourhood written out. `labels`:
    `cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)`'s labels when the caller
    has them (speed26: `Reach.joined_bound`)."""
    if ys.size == 0:
        return 0.0
    if labels is None:
        _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    # one flag per label, a lookup table (session 64: np.isin sorting the whole window was most of the time)
    table = np.zeros(int(labels.max()) + 1, bool)
    table[labels[far & mask]] = True
    table[0] = False
    if not table.any():
        return 0.0
    k = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    near = cv2.dilate(table[labels].view(np.uint8), k) > 0
    table[:] = False
    table[labels[near & mask]] = True
    table[0] = False
    return float(table[labels[ys, xs]].mean())


def straight_reaching(
    mask: np.ndarray, far: np.ndarray, beyond: np.ndarray, scale: float, labels: np.ndarray | None = None
) -> np.ndarray:
    """The components of `mask` (8-connected) that reach `far` and whose pixels `beyond`
    the window all lie within STRAIGHT_MM of one straight line (the 95th percentile of
    their distance to the line through their mean along their main axis): a fold, a
    crease, a scanner streak or a line of show-through, with whatever touches it (a
    pencil mark crossed by it). A ring's rim curves away within the few mm looked at.
    `labels`: `cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)`'s labels
    when the caller has them (look21: `Reach`)."""
    if labels is None:
        _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if STRAIGHT_BY_POINTS:
        return _straight_by_points(mask, far, beyond, scale, labels)
    out = np.zeros(mask.shape, bool)
    centre = None  # tidy9: wrong8's window centre, the same for every component: once a call
    for lab in np.unique(labels[far & mask]):
        if lab == 0:
            continue
        comp = labels == lab
        ys, xs = np.nonzero(comp & beyond)
        if ys.size < 3:
            continue
        if not _straight_piece(ys, xs, scale):
            continue
        # wrong8: and the line is found on the window's far side too (a rim's arc is not)
        centre = wrong8.window_centre(beyond) if centre is None else centre
        if wrong8.line_across(mask, comp, beyond, scale, centre):
            out |= comp
    return out


def join_radius(scale: float) -> int:
    """The Chebyshev radius (px) across which a piece inside the printed border's zone is
    joined to one outside it (`reach_share`'s `r`, as `paper_thin` and stain9's `bent_share`
    ask it): the border's stroke and its zone on both sides, and 0.2 mm."""
    return max(1, math.ceil((TARGET_STROKE + 2 * BORDER_MM + 0.2) * scale))


def _straight_piece(ys: np.ndarray, xs: np.ndarray, scale: float) -> bool:
    """A component's pixels beyond the window (ys, xs: 3 or more) lie along a straight line:
    95 % of them within STRAIGHT_MM of their principal axis."""
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    pts -= pts.mean(axis=0)
    _w, v = np.linalg.eigh(pts.T @ pts)
    perp = np.abs(pts @ v[:, 0])  # the eigenvector of the smaller spread: across
    return float(speed32.percentile(perp, 95)) <= STRAIGHT_MM * scale


# speed26: `straight_reaching`'s work by each component's points, not by whole-window masks
# (the closer look's stain hooks spent about half their time on `labels == lab`, `comp &
# beyond`, `mask & beyond & ~comp` over the extended window, 3-4 components a call).
STRAIGHT_BY_POINTS = True


def _straight_by_points(
    mask: np.ndarray, far: np.ndarray, beyond: np.ndarray, scale: float, labels: np.ndarray
) -> np.ndarray:
    """`straight_reaching` (flag off: its loop as it was) from one list of the points of
    `mask & beyond` in row-major order and their labels (speed26). Exact: a component's label
    is positive and lies only on `mask`, so `np.nonzero((labels == lab) & beyond)` is the
    points of that list whose label is `lab`, in the same row-major order (a boolean selection
    keeps the order), and `np.nonzero(mask & beyond & ~comp)` is those whose label is not
    `lab`; the same arrays go into the same arithmetic (`wrong8.line_across_points` is
    `line_across` on them), so every answer is the same to the bit; the component's whole mask
    is made only when it is taken (tests/test_speed26.py)."""
    out = np.zeros(mask.shape, bool)
    centre = None  # tidy9: wrong8's window centre, the same for every component: once a call
    reaching = np.unique(labels[far & mask])
    if not (reaching > 0).any():
        return out
    by, bx = np.nonzero(mask & beyond)
    blab = labels[by, bx]
    for lab in reaching:
        if lab == 0:
            continue
        sel = blab == lab
        ys, xs = by[sel], bx[sel]
        if ys.size < 3:
            continue
        if not _straight_piece(ys, xs, scale):
            continue
        # wrong8: and the line is found on the window's far side too (a rim's arc is not)
        centre = wrong8.window_centre(beyond) if centre is None else centre
        other = ~sel
        if wrong8.line_across_points(ys, xs, by[other], bx[other], scale, centre):
            out |= labels == lab
    return out


class Reach:
    """The extended window's work that `paper_thin` and stain9's `bent_share` each did from
    the same arguments (look21): the window `half` + (REACH_MM + 1 mm) round the centre
    (`crop.placed`), the offsets, `box`, the cut (the printed border's zone and the `bands`),
    `reach_mask`'s thin features (`mask`, never changed after) and ink, `far`, `beyond`; and,
    when first asked, the mask's 8-connected labels and `straight_reaching`'s answer. Each
    is what either function computed, by the same calls on the same inputs (so the same
    arrays: tests/test_look21.py compares both functions with and without it against their
    references)."""

    def __init__(
        self,
        image: np.ndarray,
        centre: tuple[float, float],
        half: int,
        scale: float,
        gain: float,
        paper: float,
        bands: Sequence[tuple[float, float]],
    ) -> None:
        e = math.ceil((REACH_MM + 1.0) * scale)
        ext, ex0, ey0 = crop.placed(image, centre[0], centre[1], half + e)
        h, w = ext.shape
        xs, ys = crop.offsets(h, w, centre[0] - ex0, centre[1] - ey0)
        box = np.maximum(np.abs(xs), np.abs(ys))
        edge = (TARGET / 2 - TARGET_STROKE / 2) * scale
        cut = np.abs(box - edge) <= (TARGET_STROKE / 2 + BORDER_MM) * scale
        for theta, rho in bands:
            cut |= np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= 0.6 * scale
        self.ext, self.ex0, self.ey0 = ext, ex0, ey0
        self.xs, self.ys, self.box = xs, ys, box
        self.mask, self.ink = reach_mask(ext, scale, paper, gain, cut)
        self.far = box >= half + REACH_MM * scale
        self.beyond = box > half
        self._labels: np.ndarray | None = None
        self._straight: np.ndarray | None = None
        self._bound: tuple[tuple[bytes, bytes, float], float] | None = None  # speed26: joined_bound's last

    def labels(self) -> np.ndarray:
        """`cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)`'s labels."""
        if self._labels is None:
            _n, self._labels = cv2.connectedComponents(self.mask.astype(np.uint8), connectivity=8)
        return self._labels

    def points(self, evidence: np.ndarray, win_origin: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The pixels of `evidence` (a mask of the closer look's window at `win_origin`) in
        this window's coordinates, those on it, row-major: the points `paper_thin`, stain9's
        `bent_share` and `bent_through` (for the bound) each judge."""
        h, w = self.ext.shape
        wy, wx = np.nonzero(evidence)
        ly, lx = wy + (win_origin[1] - self.ey0), wx + (win_origin[0] - self.ex0)
        ok = (ly >= 0) & (ly < h) & (lx >= 0) & (lx < w)
        return ly[ok], lx[ok]

    def joined_bound(self, ly: np.ndarray, lx: np.ndarray, scale: float) -> float:
        """speed26: `reach_share(self.mask, far, r, ly, lx)` with `paper_thin`'s r: the share of
        the points on a component of reach_mask's features (straight ones kept) that reaches
        `far` or meets the r-neighbourhood of one. An upper bound of `paper_thin`'s own
        `reach_share` (on the mask less `straight`: fewer whole components, so fewer reaching,
        a smaller neighbourhood, fewer joined; the count of points can only drop and k/n in
        float64 is monotone in k) and of stain9's `bent_share` (a point counts there only when
        its component meets the r-neighbourhood of a straight piece, a reaching component).
        Cached for the last points asked (thin_stain and bent_through ask the same)."""
        key = (ly.tobytes(), lx.tobytes(), scale)
        if self._bound is None or self._bound[0] != key:
            self._bound = (key, reach_share(self.mask, self.far, join_radius(scale), ly, lx, self.labels()))
        return self._bound[1]

    def straight(self, scale: float) -> np.ndarray:
        """`straight_reaching(mask, far, beyond, scale)` (a new array; do not change it)."""
        if self._straight is None:
            self._straight = straight_reaching(self.mask, self.far, self.beyond, scale, self.labels())
        return self._straight


class ReachShared:
    """One closer look's `Reach`, made on the first ask and handed back while the arguments
    are the same objects and values (else made afresh): `inspect.inspect_square` passes one
    to rims7's `thin_stain` and then stain9's `bent_through`, which ask with the same
    arguments (look21)."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._reach: Reach | None = None

    def get(
        self,
        image: np.ndarray,
        centre: tuple[float, float],
        half: int,
        scale: float,
        gain: float,
        paper: float,
        bands: Sequence[tuple[float, float]],
    ) -> Reach:
        key = (
            id(image),
            image.shape,
            float(centre[0]),
            float(centre[1]),
            half,
            scale,
            gain,
            paper,
            tuple(bands),
        )
        if self._reach is None or key != self._key:
            self._reach, self._key = Reach(image, centre, half, scale, gain, paper, bands), key
        return self._reach


def paper_thin(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    evidence: np.ndarray,
    win_origin: tuple[int, int],
    bands: Sequence[tuple[float, float]] = (),
    shared: ReachShared | None = None,
) -> bool:
    """Is the thin evidence of a hand inside the square (`evidence`, a mask of the window
    whose origin in the image is `win_origin`) the paper's? Either (a ring's rim) at least
    REACH_SHARE of its pixels belong to thin features (`reach_mask`, 8-connected; the
    printed border's zone left out, a piece inside joined to a piece outside that meets
    the border's zone across from it) that run on REACH_MM or more beyond the window; or
    (a fingerprint's ridges) each of the four sides of the band TEXTURE_MM wide round the
    window (print and its 0.3 mm left out) is at least TEXTURE_MIN covered by thin
    features and at least TEXTURE_SHARE as densely as the square's inside. `bands`: the lines the closer look
    took out, (theta, rho) about the square's centre as `inspect.Line`, left out.
    `shared`: the extended window's work (`Reach`), made once for this call and stain9's
    `bent_share` after it (look21; `reference.paper_thin_reference` is this without it)."""
    if not evidence.any():
        return False
    r7 = (shared or ReachShared()).get(image, centre, half, scale, gain, paper, bands)
    ly, lx = r7.points(evidence, win_origin)
    if ly.size == 0:
        return False
    if (
        PAPER_BOUND_FIRST
        and r7.joined_bound(ly, lx, scale) < REACH_SHARE
        and not _ridges(r7, r7.mask, half, scale, True)
    ):
        # speed26: neither test can pass on the mask less the straight features (a subset of
        # r7.mask: every share and density below is at most r7.mask's), so `straight` is not made.
        return False
    mask = r7.mask & ~r7.straight(scale)  # a new array: r7.mask stays reach_mask's, for bent_share
    if reach_share(mask, r7.far, join_radius(scale), ly, lx) >= REACH_SHARE:
        return True
    return _ridges(r7, mask, half, scale)


# speed26: `paper_thin` asks first whether either of its tests could pass on reach_mask's
# features with the straight ones kept (`Reach.joined_bound`, `_ridges` on r7.mask): where
# neither can, the answer is False without `straight_reaching`; else it goes on as before.
PAPER_BOUND_FIRST = True


def _ridges(r7: Reach, mask: np.ndarray, half: int, scale: float, bound: bool = False) -> bool:
    """`paper_thin`'s second test on `mask` (its features less the straight ones): a
    fingerprint's ridges, as dense round the window as inside the square. `bound` (speed26,
    on r7.mask): the test without its TEXTURE_SHARE comparison, so that False proves the test
    False on any subset of r7.mask (each side's density there is a mean of fewer of the same
    pixels, float64 k/n monotone in k, and must reach TEXTURE_MIN; d_in is not bounded so
    that comparison is left out)."""
    xs, ys, box, ink = r7.xs, r7.ys, r7.box, r7.ink
    q = max(1, round(0.3 * scale))
    print_px = cv2.dilate((ink >= PRINT_INK).astype(np.uint8), np.ones((2 * q + 1, 2 * q + 1), np.uint8)) > 0
    ring = (box > half) & (box <= half + TEXTURE_MM * scale) & ~print_px
    inner = box <= (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    if not ring.any() or not inner.any():
        return False
    # Each side of the band (the triangles between the diagonals) on its own: a row's
    # printed rules cross only the top and bottom sides, a print's ridges cover all four.
    d_in = float(mask[inner].mean())
    for side in (ys < -np.abs(xs), ys > np.abs(xs), xs < -np.abs(ys), xs > np.abs(ys)):
        part = ring & side
        if not part.any():
            return False
        d_out = float(mask[part].mean())
        if d_out < TEXTURE_MIN or (not bound and d_out < TEXTURE_SHARE * d_in):
            return False
    return True


def thin_stain(
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
    shared: ReachShared | None = None,
) -> ReviewReason | None:
    """The hook in `inspect.inspect_square` for a square about to be read `marked` on a
    hand's evidence: `possible_stain` when none of that evidence is pen-dark
    (`inspect.DARK_INK`) and its thin features are the paper's (`paper_thin`); else None.
    `shared`: handed on to `paper_thin` (look21)."""
    if not ENABLED or int((evidence & (ink >= HOOK_PEN)).sum()) >= PEN_SPECK_MM2 * scale * scale:
        return None
    thin_ev = evidence & (ink < HOOK_PEN)
    bands = [(ln.theta, ln.rho) for ln in lines]
    if paper_thin(image, centre, half, scale, gain, paper, thin_ev, win_origin, bands, shared):
        return "possible_stain"
    return None


def fill_stain(win: np.ndarray, inside: np.ndarray, border: np.ndarray) -> ReviewReason | None:
    """The hook in `inspect.inspect_square` for a square `inspect.is_fill` took for a
    light fill: `possible_stain` when it is smooth inside (`smooth_fill`), else None."""
    return "possible_stain" if ENABLED and smooth_fill(win, inside, border) else None


def smooth_fill(win: np.ndarray, inside: np.ndarray, border: np.ndarray) -> bool:
    """Is what `inspect.is_fill` took for a fill smooth inside: the grain (|pixel - 3 x 3
    mean|) over the flatter half of the inside (its pixels where the image, blurred by a
    Gaussian of 1 px, changes least: a drop's edge and the JPEG's blocks along it left
    out) under SMOOTH_GRAIN times the margin's mean grain (at least 0.5 grey level, as
    `is_fill`'s floor)? Graphite is rough all over; a drop only at its edge."""
    outside = ~inside & ~border
    if not inside.any() or not outside.any():
        return False
    f = win.astype(np.float64)
    grain = np.abs(f - cv2.blur(f, (3, 3)))
    b = cv2.GaussianBlur(f, (0, 0), 1.0)
    slope = np.hypot(cv2.Sobel(b, cv2.CV_64F, 1, 0), cv2.Sobel(b, cv2.CV_64F, 0, 1))
    flat = inside & (slope <= speed32.median(slope[inside]))
    return bool(float(grain[flat].mean()) < SMOOTH_GRAIN * max(0.5, float(grain[outside].mean())))


def darkness(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    half: int,
    ring: int,
    paper: np.ndarray,
    gain: float,
) -> float:
    """The darkest ink inside one square: the UNLIKE_QUANTILE percentile of its inside's
    ink (0.35 mm in from the printed border), against the paper plane of its window's
    four ring levels (`inspect.paper_inverse`), as the closer look measures ink."""
    from kiosk.reading.inspect import paper_inverse  # the closer look imports this module

    win, x0, y0 = crop.placed(image, centre[0], centre[1], half)
    h, w = win.shape
    inv = paper_inverse(paper, h, w, ring)
    xs, ys = crop.offsets(h, w, centre[0] - x0, centre[1] - y0)
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    if not inside.any():
        return 0.0
    ink = np.clip(gain * (1.0 - win[inside] * inv[inside]), 0.0, 1.0)
    return float(speed32.percentile(ink, UNLIKE_QUANTILE))


def unlike_marks(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    half: int,
    ring: int,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Layer 1: in a contest with two or more `marked` squares, each one whose `darkness`
    is under UNLIKE_RATIO of the darkest's (and under UNLIKE_PEN) becomes `marginal`
    (`possible_stain`). `marks`: the contest's MarkReadings in square order."""
    idx = [i for i, m in enumerate(marks) if m.mark == "marked"]
    if not ENABLED or len(idx) < 2:
        return marks
    dark = {
        i: darkness(
            image, (float(centres[i, 0]), float(centres[i, 1])), float(scales[i]), half, ring, paper[i], gain
        )
        for i in idx
    }
    top = max(dark.values())
    out = list(marks)
    for i in idx:
        if dark[i] < UNLIKE_PEN and dark[i] < UNLIKE_RATIO * top:
            out[i] = replace(marks[i], mark="marginal", reason="possible_stain")
    return out
