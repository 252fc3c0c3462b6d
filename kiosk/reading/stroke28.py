"""A stroke along a line of the paper that runs on beyond the window (issue 10, the
twenty-seventh pass: stroke28).

The closer look's guards for a stroke lying on a line it takes out (`lines7.stroke_along`,
`wrong8.stroke_on_lines`, `fold24.stroke_on_fold`) compare the line through the square's
inside with the same line 1-6 mm beyond the window, its "own level". A voter's stroke drawn
along a crease or a fold that runs on 4-9 mm beyond the window lies there too: the own level
is the stroke's, the stroke goes out with the line, and the square is read `empty` (crease27's
attacks: 64 of 246 on 105/1/0, 49 of 246 on 105/3/0, every one a +-9 or +-13 mm line or one
running 11 mm on, HB or ballpoint, on every crease and fold profile).

A crease, a fold or a scanner streak has one level along its whole length across the sheet; a
hand's stroke is darker over a stretch of 20-30 mm round the square only. `crease27.follow`
measures the line straight to the sheet's edge at both ends; here it is asked never to stop
for a gap (`gap_blocks=None`) and to refine its fit only on blocks at FIT_SHARE of its first
level (a faint crease beyond a ballpoint stroke is far under half the stroke's level, where
crease27's follow would stop). `stroke_on_run` says yes for a line when:

- the line of the paper is there along its length: its whole-line level (the median of every
  judged block beyond the window, to the sheet's edge at both ends) is LINE_MIN or more, the
  line is at crease27.GONE_SHARE of that level on PRESENT of those blocks, and at least
  MIN_BLOCKS blocks were judged (a stain's rim or a short hand line, followed straight, is
  gone beyond: not a line of the paper, the "it ends" tests' case);
- through the square's inside it is darker, against every usable side's paper (EVERY_SIDE),
  than crease27's LEVEL_MORE above that level plus LEVEL_NOISE, or carries INK_MORE_MM more ink
  across it (crease27's own margins, the converse of its `proven`; a stain's edge or the back's
  print through the paper darkens one side's measure, a stroke on the line both). With one side
  usable through the inside (the other is print within crease27.PAPER_MM: the printed border
  beside a line along a side, the back's print showing through), that side's ink alone is no
  yes (ONE_SIDE_INK, stroke31): the valley's ink window reaches the print's blur; its contrast
  must be up.

Asked last in the closer look's chain of stroke tests (only where every other one said no, a
line having been taken out), never `marked`: the square goes to the commission
(`marginal_mark`), held there (stroke30: the reader's settles, which would take the same line
for the paper's, are not asked of it).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.reading import crease27, lines7

ENABLED = False  # `stroke_on_run` (off: the reader as 27dae8a). Its price in review is now read in full
# (session 33: on the 1,500 dev sheets and 1,500 with no condition, 2 sheets more in review, 0 wrong
# either way) and its gain too (fold24's 47 attacks: 6 read `empty` off, 0 on), and the 50 reader test
# files pass with it on. OFF for its CPU: it follows each line to the sheet's edge (35-45 ms a call),
# +25-30 % of the reading CPU on field sheets, and about +300 s of a fresh clone's `make test`, which
# CI's 30 minutes cannot take (docs/reading.md, "Thirty-second pass: stroke28 priced in full").
# Its yes is `held` (stroke30); ONE_SIDE_INK (stroke31) keeps a line beside the printed border quiet.

EVERY_SIDE = True  # darker against every usable side's paper (False: against one: see docs)
ONE_SIDE_INK = False  # stroke31: with one side usable through the inside, its ink alone is no yes
# (the other side is print within PAPER_MM: the valley's ink window reaches its blur; a line of the
# paper beside the printed border or under the back's print showing through carried 0.005-0.09 mm
# "more ink" at no more contrast: test_look23's 140/14/2, test_inspect's line at -3.0 mm / 88 deg)

FIT_SHARE = 0.25  # a block at this share of the first fit's level refines the fit (crease27: 0.5)
LINE_MIN = 0.04  # the whole-line level at least this (plain paper followed straight: about 0.01)
PRESENT = 0.6  # the line at GONE_SHARE of its level on this share of the judged blocks beyond
STRIDE_MM = 6.0  # one 2 mm block in every 6 mm of the line measured (crease27: every block)
MIN_BLOCKS = 6  # judged blocks beyond the window at least (36 mm of the line)
FIT_MM = (1.0, 15.0)  # the first fit from blocks this far beyond the window (crease27: 1-5 mm; a
# ballpoint stroke on a fold is print-dark to a block, not judged, for 8-9 mm beyond the window)
INSIDE_DARK = 2.0  # no valley sample through the square's inside is print (a ballpoint stroke is judged)
FAST = True  # stroke29: `whole_run_fast` (the same numbers, 2-3x cheaper; False: `whole_run_plain`)


@dataclass(frozen=True)
class Judged:
    """Why `stroke_on_run` answered as it did for one line (for traces and tests)."""

    line: bool  # a line of the paper along its length
    darker: bool  # the inside darker or inkier than the whole line
    level: float  # the whole-line level (median contrast beyond the window)
    present: float  # the share of judged blocks beyond at GONE_SHARE of it
    blocks: int  # judged blocks beyond


def whole_run_plain(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: lines7.Page,
) -> crease27.Run | None:
    """The line followed straight to the sheet's edge at both ends, never stopped by a gap, a
    block in every STRIDE_MM, each block's samples made float alone (not the whole sheet)."""
    return _follow(image, centre, theta, rho, half, scale, page, None)


def _follow(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: lines7.Page,
    block_fn: Callable[..., crease27.Block | None] | None,
) -> crease27.Run | None:
    """`crease27.follow` with stroke28's keywords, each block by `block_fn` (None: crease27's)."""
    return crease27.follow(
        image,
        centre,
        theta,
        rho,
        half,
        scale,
        page,
        gone_share=FIT_SHARE,
        gap_blocks=None,
        fit_mm=FIT_MM,
        inside_dark=INSIDE_DARK,
        stride_mm=STRIDE_MM,
        crop=True,
        block_fn=block_fn,
    )


def whole_run(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: lines7.Page,
) -> crease27.Run | None:
    """The whole line (`whole_run_fast`, or the plain `whole_run_plain` with FAST off)."""
    run = whole_run_fast if FAST else whole_run_plain
    return run(image, centre, theta, rho, half, scale, page)


# --- stroke29: the same follow, cheaper (the reference: `whole_run_plain`) ---
#
# A call followed 40-50 blocks of 2 mm and spent most of its time in numpy's per-call overhead
# (np.median five times and np.percentile once a block, their axis handling, partition, unique,
# the masks made again every block). `_block_fast` is `crease27.block` (crop, no twin: stroke28
# never reads it) with the masks made once a scale, the medians and the 75th percentile taken
# from one sort each, with numpy's own arithmetic (the two middle values' mean; the linear
# method's lerp, `b - (b - a) * (1 - g)` from g = 0.5 on), and a side's median reused where
# that side's rows are the valley's; `whole_run_fast` is `crease27.follow` with stroke28's
# keywords, each block from `_block_fast` (follow's `block_fn`). The same floats to the bit (tests/test_stroke29.py,
# benchmarks/results/pass28/stroke29-replay).


@functools.lru_cache(maxsize=32)
def _cross(scale: float) -> tuple[np.ndarray, slice, slice, slice, slice, int]:
    """`crease27.block`'s cross-section offsets and its masks as slices: the two sides' paper
    zones, the valley's search, the middle (each a run of the offsets: they are symmetric and
    sorted), and the 75th percentile's lower index."""
    ds = np.arange(-crease27.PROFILE_MM * scale, crease27.PROFILE_MM * scale + 1e-9, 0.5)
    far = np.abs(ds)

    def run(mask: np.ndarray) -> slice:
        at = np.flatnonzero(mask)
        assert len(at) and at[-1] - at[0] + 1 == len(at)
        return slice(int(at[0]), int(at[-1]) + 1)

    zone0 = run((ds <= -crease27.PAPER_MM[0] * scale) & (ds >= -crease27.PAPER_MM[1] * scale))
    zone1 = run((ds >= crease27.PAPER_MM[0] * scale) & (ds <= crease27.PAPER_MM[1] * scale))
    search = run(far <= max(1.0, crease27.SEARCH_MM * scale))
    middle = run(far <= (crease27.SEARCH_MM + crease27.VALLEY_MM) * scale)
    ds.setflags(write=False)
    return ds, zone0, zone1, search, middle, len(ds)


def _median_rows(x: np.ndarray) -> np.ndarray:
    """np.median(x, axis=0), from a sort (the two middle rows' mean, as numpy takes it)."""
    n = x.shape[0]
    srt = np.sort(x, axis=0)
    if n % 2:
        out: np.ndarray = srt[n // 2]
        return out
    mean: np.ndarray = (srt[n // 2 - 1] + srt[n // 2]) / 2.0
    return mean


def _median_all(x: np.ndarray) -> float:
    """float(np.median(x)), from a sort."""
    srt = np.sort(x, axis=None)
    n = srt.size
    if n % 2:
        return float(srt[n // 2])
    return float((srt[n // 2 - 1] + srt[n // 2]) / 2.0)


def _upper_quartile(g: np.ndarray) -> np.ndarray:
    """np.percentile(g, 75, axis=1) (the linear method), from a sort along the rows."""
    m = g.shape[1]
    virtual = (m - 1) * 0.75
    srt = np.sort(g, axis=1)
    if virtual >= m - 1:
        out: np.ndarray = srt[:, m - 1]
        return out
    lo = math.floor(virtual)
    gamma = virtual - lo
    a: np.ndarray = srt[:, lo]
    b: np.ndarray = srt[:, lo + 1]
    diff = b - a
    lerp: np.ndarray = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return lerp


def _block_fast(
    img: np.ndarray,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    offs: np.ndarray,
    scale: float,
    middle_dark: float | None = None,
) -> crease27.Block | None:
    """`crease27.block(..., crop=True)`, its twin left 0.0 (stroke28 never reads it)."""
    step = 0.5
    ds, zone0, zone1, search, middle, _m = _cross(scale)
    g, ok = crease27._sections(img, fx, fy, c, s, ts, offs, ds, True)
    level = _upper_quartile(g)
    dark = (1.0 - crease27.PRINT_DARK) * level
    mdark = dark if middle_dark is None else (1.0 - middle_dark) * level
    ok0 = ok & (g[:, zone0].min(axis=1) > dark)
    ok1 = ok & (g[:, zone1].min(axis=1) > dark)
    rows = ok & (g[:, middle].min(axis=1) > mdark) & (ok0 | ok1)
    need = max(2, crease27.JUDGED * len(ts))
    n_rows = int(np.count_nonzero(rows))
    if n_rows < need:
        return None
    p = _median_rows(g[rows])
    k = search.start + int(np.argmin(p[search]))
    bottom = ds[k]
    valley = np.abs(ds - bottom) <= crease27.VALLEY_MM * scale
    sides, inks, papers = [], [], []
    for z, sok in ((zone0, ok0), (zone1, ok1)):
        use = rows & sok
        n_use = int(np.count_nonzero(use))
        if n_use < need:
            sides.append(math.nan)
            inks.append(math.nan)
            papers.append(math.nan)
            continue
        gu = g[use]
        paper = max(1.0, _median_all(gu[:, z]))
        rel = 1.0 - (p if n_use == n_rows else _median_rows(gu)) / paper
        sides.append(float(rel[k]))
        inks.append(float(np.clip(rel[valley], 0.0, None).sum() * step / scale))
        papers.append(paper)
    if not any(math.isfinite(x) for x in papers):
        return None
    paper = max(x for x in papers if math.isfinite(x))
    return crease27.Block(
        float(ts.mean()),
        float(offs.mean() + bottom),
        float(1.0 - p[k] / paper),
        (sides[0], sides[1]),
        (inks[0], inks[1]),
        0.0,
    )


def whole_run_fast(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: lines7.Page,
) -> crease27.Run | None:
    """`whole_run_plain` (crease27.follow with stroke28's keywords), each block from
    `_block_fast`: the same Run but each block's twin (0.0)."""
    return _follow(image, centre, theta, rho, half, scale, page, _block_fast)


def judge(run: crease27.Run | None) -> Judged:
    """The whole-line test on a followed line (plain Python over its blocks)."""
    if run is None:
        return Judged(False, False, math.nan, 0.0, 0)
    beyond = [b for b in run.lo + run.hi if b is not None]
    level = run.level
    present = (
        sum(1 for b in beyond if b.contrast >= crease27.GONE_SHARE * level) / len(beyond) if beyond else 0.0
    )
    line = len(beyond) >= MIN_BLOCKS and level >= LINE_MIN and present >= PRESENT
    sides = []  # each usable side: darker (in contrast or in ink) against that side's paper
    inside = run.inside
    if inside is not None:
        usable = [
            k
            for k in (0, 1)
            if math.isfinite(inside.sides[k]) and math.isfinite(run.sides[k]) and math.isfinite(run.inks[k])
        ]
        for k in usable:
            sides.append(
                inside.sides[k] > run.sides[k] * (1 + crease27.LEVEL_MORE) + crease27.LEVEL_NOISE
                or (
                    (ONE_SIDE_INK or len(usable) == 2) and inside.inks[k] > run.inks[k] + crease27.INK_MORE_MM
                )
            )
    darker = bool(sides) and (all(sides) if EVERY_SIDE else any(sides))
    return Judged(line, darker, level, present, len(beyond))


def stroke_on_run(
    image: np.ndarray,
    centre: tuple[float, float],
    lines: list[tuple[float, float]],
    half: int,
    scale: float,
    source: lines7.PageSource | None,
) -> bool:
    """For the lines the closer look took out ((theta, rho) each): is one of them a line of the
    paper along its whole length that is darker through the square's inside than that whole
    line (`judge`)? False when off (ENABLED), with no line, or without the page's frame."""
    if not ENABLED or not lines or source is None:
        return False
    page = source.frame
    if page is None:
        return False
    for theta, rho in lines:
        j = judge(whole_run(image, centre, theta, rho, half, scale, page))
        if j.line and j.darker:
            return True
    return False
