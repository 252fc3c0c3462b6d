"""A line of the paper proven to run on, straight and at its own level (issue 10, the
twenty-sixth pass: crease27).

The closer look takes a straight band through the window out as the paper's line (a fold, a
crease, a streak) when it goes on 1-4 mm beyond the window at both ends. Three of its stroke
tests then ask whether the line ENDS, as a hand's stroke does: `inspect.stroke_taken_for_line`
(gone 1-4 mm beyond the window at one end, on the line's fitted path), `inspect.
line_stops_short` (gone 4-10 mm beyond it, the path turned up to 6 degrees from where it leaves
the window) and `lines7.ends_on_sheet` (followed segment by segment, each segment free to move
0.4 mm across, gone for 4 mm before the sheet's edge). Each measures the line beyond the
window on a path fitted inside a window about 10 mm wide, or let loose: census26 found empty
squares sent to review by them where a person sees a crease crossing the square from edge to
edge (155/65/22, 155/227/0, 140/157/25 ...). Traced (crease27-trace.py.txt): lines7's follower
leaves a faint crease for a darker scanner streak crossing it (0.3 against 0.13) and is then
led off the crease; the short tests' paths miss a 0.1-0.4 mm crease a degree or two off its
fitted angle.

`runs_on` measures the line itself along its whole length on the sheet, straight: the line's
path is fitted by least squares to its valley in blocks of BLOCK_MM beyond the window (where
`_continues` saw it), and followed outwards block by block, the valley searched only SEARCH_MM
either side of the straight path (a crossing line cannot lead it off), each block found at its
own level refining the fit, to the sheet's edge (the page frame, as lines7's) at both ends.
It answers yes only where the line is there all the way, at its own level, and no darker nor
wider through the square's inside than beyond (a stroke drawn along it adds ink there: red23,
fold24); with TWIN, also where the crease's relief shows its light twin beside the valley inside
the square as beyond it. Then a yes of the three "it ends" tests for that line is not a hand's:
the chain of stroke tests goes on (wrong8, fold24, the lines divided out: a stroke ON the line
is theirs and stays theirs). Never `marked`, never `empty` on its own: it only takes back one
reason for review.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.linalg import _umath_linalg

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import kernels, lines7

ENABLED = True  # `runs_on` (off: the reader as 24484fe)
TWIN = False  # also ask for the crease's light twin (measured: see docs, crease27)

STEP_MM = 0.25  # positions along the line
BLOCK_MM = 2.0  # a block: its median cross-section is measured (lines7's segment)
# the first fit: blocks this far beyond the window at both ends (`_continues` saw the line 1-4 mm)
FIT_MM = (1.0, 5.0)
SEARCH_MM = 0.3  # the valley searched this far either side of the straight path (a streak crossing
# at 10 degrees leaves such a window within 1.7 mm; the crease's valley is 0.1-0.4 mm wide)
PROFILE_MM = 1.3  # the cross-section, this far each side of the path (PAPER_MM's outer edge)
VALLEY_MM = 0.6  # the valley's ink summed over this far each side of its bottom (LINE_BAND_MM / 2)
PAPER_MM = (0.9, 1.3)  # the paper beside the line: the lighter side's median this far out (inside the
# square a wider cross-section meets the printed border on most of a line off the middle)
PRINT_DARK = 0.45  # a sample this much darker than the paper is print (lines7's, inspect.LINE_FAINT)
JUDGED = 0.5  # of a block's positions on paper (no print, on the image) to judge it
GONE_SHARE = 0.5  # a block under this share of the line's own level: the line not there
GAP_BLOCKS = 2  # not there on this many judged blocks on end (4 mm, lines7's TRACE_GAP_MM): it ended
MIN_BLOCKS = 3  # judged blocks at each end at least (6 mm of the line seen beyond the window)
EDGE_MM = 8.0  # the follow must end (page frame or image) no further than this from where the page
# frame's margin stops it: a line lost before the edge for lack of judged blocks is not proven
LEVEL_MORE = 0.2  # inside no darker than this share above the line's level beyond ...
LEVEL_NOISE = 0.02  # ... plus this (the contrast's noise on one short block)
INK_MORE_MM = 0.03  # and no more ink across it than this above its level beyond (fold24.EXCESS_MM:
# a light HB stroke along a fold adds about 0.05 mm)
TWIN_MIN = 0.01  # the light twin: the valley's lighter flank this much above the paper (measured)


@dataclass(frozen=True)
class Block:
    t: float  # px along the line from its foot
    off: float  # px across: the valley's bottom
    contrast: float  # 1 - valley / paper, the lighter usable side's paper (the follow's measure)
    sides: tuple[float, float]  # the contrast against each side's paper (nan: that side unusable)
    inks: tuple[float, float]  # the valley's ink summed across it, mm, against each side's paper
    twin: float  # the lighter flank's rise above the paper (+: its side of the valley, sign kept)


@dataclass(frozen=True)
class Run:
    inside: Block | None
    lo: list[Block | None]  # beyond the window at the low end, outwards (None: not judged)
    hi: list[Block | None]
    level: float  # the line's own level beyond the window (median contrast)
    sides: tuple[float, float]  # its median contrast beyond, against each side's paper
    inks: tuple[float, float]  # its median ink across it beyond, against each side's paper
    edge_lo: bool  # the follow stopped at the sheet's edge (not for a gap)
    edge_hi: bool


def _sections(
    img: np.ndarray,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    offs: np.ndarray,
    ds: np.ndarray,
    crop: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear cross-sections: rows at ts (px along (-s, c) from the foot), each at its offset
    `offs` across plus `ds` (px along (c, s)); and which rows lie wholly on the image. `crop`
    (stroke28): only the samples' bounding box is made float (the image may be uint8), the
    coordinates taken relative to it (bilinear weights to float32's rounding of those)."""
    d = offs[:, None] + ds[None, :]
    x64 = fx - ts[:, None] * s + d * c
    y64 = fy + ts[:, None] * c + d * s
    x, y = x64.astype(np.float32), y64.astype(np.float32)
    hh, ww = img.shape
    ok = (x.min(axis=1) >= 0) & (y.min(axis=1) >= 0) & (x.max(axis=1) <= ww - 1) & (y.max(axis=1) <= hh - 1)
    if crop:
        x0 = min(max(0, math.floor(float(x64.min()))), ww - 1)
        y0 = min(max(0, math.floor(float(y64.min()))), hh - 1)
        x1 = max(min(ww - 1, math.ceil(float(x64.max())) + 1), x0)
        y1 = max(min(hh - 1, math.ceil(float(y64.max())) + 1), y0)
        sub = np.ascontiguousarray(img[y0 : y1 + 1, x0 : x1 + 1], np.float32)
        g = cv2.remap(
            sub,
            (x64 - x0).astype(np.float32),
            (y64 - y0).astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    else:
        g = cv2.remap(img, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(g, np.float64), ok


def block(
    img: np.ndarray,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    offs: np.ndarray,
    scale: float,
    middle_dark: float | None = None,
    crop: bool = False,
) -> Block | None:
    """The line at positions ts, its path at offs: the median cross-section of the positions
    whose valley (SEARCH_MM + VALLEY_MM of the path) holds no print-dark sample and one side's
    paper (PAPER_MM) none either; each side's paper from the positions where that side is clear
    (at least JUDGED of them: else that side is unusable); the valley within SEARCH_MM of the
    path, its contrast and ink against each usable side's paper, and the twin. None if fewer
    than JUDGED of the positions are judged or no side is usable. `middle_dark`: the valley's
    print test instead of PRINT_DARK (more than 1: none, where no print can lie: the square's
    inside, stroke28; a ballpoint stroke on a fold is print-dark). `crop`: `_sections`'."""
    step = 0.5
    ds = np.arange(-PROFILE_MM * scale, PROFILE_MM * scale + 1e-9, step)
    g, ok = _sections(img, fx, fy, c, s, ts, offs, ds, crop)
    far = np.abs(ds)
    zones = (
        (ds <= -PAPER_MM[0] * scale) & (ds >= -PAPER_MM[1] * scale),
        (ds >= PAPER_MM[0] * scale) & (ds <= PAPER_MM[1] * scale),
    )
    search = far <= max(1.0, SEARCH_MM * scale)
    middle = far <= (SEARCH_MM + VALLEY_MM) * scale
    level = np.percentile(g, 75, axis=1)  # the paper of each cross-section (most of it is paper)
    dark = (1.0 - PRINT_DARK) * level
    mdark = dark if middle_dark is None else (1.0 - middle_dark) * level
    side_ok = [ok & (g[:, z].min(axis=1) > dark) for z in zones]
    rows = ok & (g[:, middle].min(axis=1) > mdark) & (side_ok[0] | side_ok[1])
    need = max(2, JUDGED * len(ts))
    if rows.sum() < need:
        return None
    p = np.median(g[rows], axis=0)
    k = int(np.flatnonzero(search)[np.argmin(p[search])])
    bottom = ds[k]
    valley = np.abs(ds - bottom) <= VALLEY_MM * scale
    sides, inks, papers = [], [], []
    for z, sok in zip(zones, side_ok, strict=True):
        use = rows & sok
        if use.sum() < need:
            sides.append(math.nan)
            inks.append(math.nan)
            papers.append(math.nan)
            continue
        paper = max(1.0, float(np.median(g[np.ix_(use, z)])))
        rel = 1.0 - np.median(g[use], axis=0) / paper
        sides.append(float(rel[k]))
        inks.append(float(np.clip(rel[valley], 0.0, None).sum() * step / scale))
        papers.append(paper)
    if not any(math.isfinite(x) for x in papers):
        return None
    paper = max(x for x in papers if math.isfinite(x))
    rel = 1.0 - p / paper
    twin = 0.0
    for sign in (-1.0, 1.0):
        flank = (sign * (ds - bottom) >= 0.3 * scale) & (sign * (ds - bottom) <= 1.1 * scale)
        if flank.any():
            rise = float(-rel[flank].min())  # the lightest of the flank above the paper
            if rise > abs(twin):
                twin = sign * rise
    return Block(
        float(ts.mean()),
        float(offs.mean() + bottom),
        float(rel[k]),
        (sides[0], sides[1]),
        (inks[0], inks[1]),
        twin,
    )


def _fit_plain(points: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """off = a + b * t, weighted least squares over (t, off, weight); None under two points
    (the reference for `_fit`)."""
    if len(points) < 2:
        return None
    t = np.array([p[0] for p in points])
    o = np.array([p[1] for p in points])
    w = np.array([p[2] for p in points])
    if float(np.ptp(t)) <= 0:
        return None
    A = np.stack([np.ones_like(t), t], axis=1) * np.sqrt(w)[:, None]
    sol, *_ = np.linalg.lstsq(A, o * np.sqrt(w), rcond=None)
    return float(sol[0]), float(sol[1])


_EPS = float(np.finfo(np.float64).eps)


class _Points:
    """The follow's points (t, off, weight) in one growing array, the fit's rows kept beside
    them (stroke34: no list made an array again at every fit)."""

    def __init__(self) -> None:
        self.n = 0
        self.rows = np.empty((64, 3))
        self.a = np.empty((64, 2))
        self.rhs = np.empty((64, 1))

    def append(self, t: float, off: float, weight: float) -> None:
        if self.n == len(self.rows):
            grow = 2 * len(self.rows)
            self.rows = np.resize(self.rows, (grow, 3))
            self.a = np.resize(self.a, (grow, 2))
            self.rhs = np.resize(self.rhs, (grow, 1))
        kernels.fit_row(self.rows, self.a, self.rhs, self.n, t, off, weight)
        self.n += 1


def _fit(points: _Points) -> tuple[float, float] | None:
    """`_fit_plain`, the same numbers (stroke34): the weighted rows made as each point comes
    (`kernels.fit_row`: sqrt(w), t * sqrt(w), off * sqrt(w), numpy's arithmetic), and LAPACK's
    least squares through numpy's own gufunc with `np.linalg.lstsq`'s arguments (its rcond:
    eps * the rows), without the wrapper's shape and type handling (2 columns, real): most of
    a whole-line follow's time went to it. Where LAPACK fails (a non-finite point: the follow
    never makes one), LinAlgError as np.linalg.lstsq raises."""
    n = points.n
    if n < 2:
        return None
    t = points.rows[:n, 0]
    if float(t.max() - t.min()) <= 0:
        return None
    try:
        with np.errstate(invalid="raise", over="ignore", divide="ignore", under="ignore"):
            sol = _umath_linalg.lstsq(points.a[:n], points.rhs[:n], _EPS * max(2, n), signature="ddd->ddid")[
                0
            ]
    except FloatingPointError as err:
        raise np.linalg.LinAlgError("SVD did not converge in Linear Least Squares") from err
    return float(sol[0, 0]), float(sol[1, 0])


def follow(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: lines7.Page | None,
    gone_share: float = GONE_SHARE,
    gap_blocks: int | None = GAP_BLOCKS,
    fit_mm: tuple[float, float] = FIT_MM,
    inside_dark: float = PRINT_DARK,
    stride_mm: float = BLOCK_MM,
    crop: bool = False,
    block_fn: Callable[..., Block | None] | None = None,
) -> Run | None:
    """The line (theta, rho: the closer look's, about the square's centre) measured straight:
    fitted beyond the window (FIT_MM at both ends), followed outwards at both ends to the
    sheet's edge, and measured through the square's inside on the fitted path. A block under
    `gone_share` of the first fit's level is not there (not added to the fit); `gap_blocks` of
    them on end stop the follow (None: never, to the sheet's edge: stroke28). `fit_mm`: the
    first fit's reach beyond the window; `inside_dark`: `block`'s middle_dark through the
    square's inside (not through the window's chord, where the printed border lies);
    `stride_mm`: from one block's start to the next's outwards (BLOCK_MM: every block);
    `crop`: the image is not made float whole, each block's samples are (`_sections`);
    `block_fn`: what measures a block in place of `block(..., crop=crop)` (stroke29's
    `stroke28._block_fast`, the same numbers cheaper)."""
    img = image if crop else np.ascontiguousarray(image, np.float32)
    measure_block = functools.partial(block, crop=crop) if block_fn is None else block_fn
    fx, fy, c, s, t_lo, t_hi = lines7._geometry(centre, theta, rho, half)
    if t_hi <= t_lo:
        return None
    n = max(2, round(BLOCK_MM / STEP_MM))
    seg = np.arange(n) * STEP_MM * scale  # a block's positions, from its start

    def starts(sign: float, t_edge: float, a: float, b: float) -> np.ndarray:
        return t_edge + sign * (a * scale + np.arange(0.0, (b - a) * scale, stride_mm * scale))

    def measure(t0: float, sign: float, a: float, b: float) -> Block | None:
        ts = t0 + sign * seg
        return measure_block(img, fx, fy, c, s, ts, a + b * ts, scale)

    # the first fit: the valley beyond the window, where `_continues` saw the line
    points = _Points()
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        for t0 in starts(sign, t_edge, *fit_mm):
            got = measure(float(t0), sign, 0.0, 0.0)
            if got is not None and got.contrast > 0:
                points.append(got.t, got.off, got.contrast)
    fit = _fit(points)
    if fit is None:
        return None
    level0 = float(np.median(points.rows[: points.n, 2]))
    ends: dict[float, list[Block | None]] = {}
    edge: dict[float, bool] = {}
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        got_end: list[Block | None] = []
        t0 = t_edge + sign * fit_mm[0] * scale
        at_edge = False
        gone = 0
        for _ in range(400):  # at most 800 mm: a sheet's length
            ts = t0 + sign * seg
            mid = float(ts[len(ts) // 2])
            x, y = fx - mid * s, fy + mid * c
            if page is not None and not page.inside_at(x, y):
                at_edge = True
                break
            if not (0 <= x < image.shape[1] and 0 <= y < image.shape[0]):
                at_edge = True
                break
            a, b = fit
            got = measure_block(img, fx, fy, c, s, ts, a + b * ts, scale)
            got_end.append(got)
            if got is not None:
                if got.contrast >= gone_share * level0:
                    points.append(got.t, got.off, got.contrast)
                    fit = _fit(points) or fit
                    gone = 0
                else:
                    gone += 1
                    if gap_blocks is not None and gone >= gap_blocks:
                        break
            t0 += sign * stride_mm * scale
        ends[sign], edge[sign] = got_end, at_edge
    a, b = fit
    inner = (TARGET / 2 - TARGET_STROKE - 0.35 - lines7.PATH_NEAR_MM) * scale - 1
    from kiosk.reading.inspect import _chord

    i_lo, i_hi = _chord(rho, c, s, inner)
    dark: float | None = inside_dark
    if i_hi - i_lo < 4 * STEP_MM * scale:  # a line past the inside: its chord through the window
        i_lo, i_hi = t_lo, t_hi
        dark = None
    ts = np.arange(i_lo, i_hi, STEP_MM * scale)
    inside = (
        measure_block(img, fx, fy, c, s, ts, a + b * ts, scale, middle_dark=dark) if len(ts) >= 4 else None
    )
    beyond = [x for e in ends.values() for x in e if x is not None]
    if not beyond:
        return None

    def med(values: list[float]) -> float:
        v = [x for x in values if math.isfinite(x)]
        return float(np.median(v)) if len(v) >= MIN_BLOCKS else math.nan

    return Run(
        inside,
        ends[-1.0],
        ends[1.0],
        float(np.median([x.contrast for x in beyond])),
        (med([x.sides[0] for x in beyond]), med([x.sides[1] for x in beyond])),
        (med([x.inks[0] for x in beyond]), med([x.inks[1] for x in beyond])),
        edge[-1.0],
        edge[1.0],
    )


def _whole(blocks: list[Block | None], level: float, at_edge: bool) -> bool:
    """The line is there on every judged block to the sheet's edge (no GAP_BLOCKS gone on
    end), with MIN_BLOCKS judged."""
    judged = [x for x in blocks if x is not None]
    if not at_edge or len(judged) < MIN_BLOCKS:
        return False
    run = 0
    for x in judged:
        run = run + 1 if x.contrast < GONE_SHARE * level else 0
        if run >= GAP_BLOCKS:
            return False
    return True


def proven(run: Run | None) -> bool:
    """The line runs edge to edge, straight, at its own level, and is no darker nor wider
    through the square's inside than beyond (with TWIN: the twin beside it inside as beyond)."""
    if run is None or run.inside is None or not run.level > 0:
        return False
    if not (_whole(run.lo, run.level, run.edge_lo) and _whole(run.hi, run.level, run.edge_hi)):
        return False
    inside = run.inside
    # each side usable inside, against the same side's paper beyond (a fold's shadow darkens
    # one side alike all along the line): no darker, no more ink
    compared = 0
    for k in (0, 1):
        if not math.isfinite(inside.sides[k]):
            continue
        if not (math.isfinite(run.sides[k]) and math.isfinite(run.inks[k])):
            return False
        if inside.sides[k] > run.sides[k] * (1 + LEVEL_MORE) + LEVEL_NOISE:
            return False
        if inside.inks[k] > run.inks[k] + INK_MORE_MM:
            return False
        compared += 1
    if compared == 0:
        return False
    if TWIN:
        beyond = [x.twin for x in run.lo + run.hi if x is not None]
        side = float(np.median(beyond))
        if abs(side) < TWIN_MIN or inside.twin * side <= 0 or abs(inside.twin) < TWIN_MIN:
            return False
    return True


def runs_on(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    source: lines7.PageSource | None,
) -> bool:
    """Is the line (theta, rho) one line of the paper, proven along its whole length (`proven`)?
    False when off (ENABLED) or without the page's frame."""
    if not ENABLED or source is None:
        return False
    page = source.frame
    if page is None:
        return False
    return proven(follow(image, centre, theta, rho, half, scale, page))


class Proven:
    """`runs_on` for one square's lines, each line measured once (two or three of the closer
    look's tests may ask of the same line)."""

    def __init__(
        self,
        image: np.ndarray,
        centre: tuple[float, float],
        half: int,
        scale: float,
        source: lines7.PageSource | None,
    ) -> None:
        self.image, self.centre, self.half, self.scale, self.source = image, centre, half, scale, source
        self.known: dict[tuple[float, float], bool] = {}

    def __call__(self, theta: float, rho: float) -> bool:
        key = (theta, rho)
        if key not in self.known:
            self.known[key] = runs_on(self.image, self.centre, theta, rho, self.half, self.scale, self.source)
        return self.known[key]
