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

import cv2
import numpy as np

from kiosk.reading import crease27, kernels, lines7

ENABLED = True  # `stroke_on_run` (off: the reader as 27dae8a). Its price (session 33, read again on
# this code in session 34: on the 1,500 dev sheets and 1,500 with no condition, 2 sheets more in
# review, 0 wrong either way) and its gain (fold24's 47 attacks: 6 read `empty` off, 0 on). ON again
# since stroke34 made its follow about 3x cheaper a line, the same numbers (+5-6 % of the reading
# CPU on field sheets, from +25-30 %: docs/reading.md, "Thirty-third pass: stroke28's follow compiled").
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
FAST = True  # stroke29, stroke34: `whole_run_fast` (the same numbers, about 8x cheaper than plain;
# False: `whole_run_plain`)


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


# --- stroke29, stroke34: the same follow, cheaper (the reference: `whole_run_plain`) ---
#
# A call followed 40-50 blocks of 2 mm and spent most of its time in numpy's per-call overhead
# (np.median five times and np.percentile once a block, their axis handling, partition, unique,
# the masks made again every block; then, stroke29's numpy version, lstsq's wrapper and the page
# test's arrays). `_block_fast` is `crease27.block` (crop, no twin: stroke28 never reads it) in
# two compiled calls round OpenCV's own remap (the float coordinates and the crop; the 75th
# percentile, the medians, the valley, the inks, with numpy's arithmetic: its lerp, the two middle
# values' mean, its pairwise sums), the masks made once a scale as runs of the offsets; crease27's
# fit and page test are their own cheaper twins (`_fit`, `Page.inside_at`). The same floats to
# the bit (tests/test_stroke29.py; the 447 lines stroke28 followed on 300 dev sheets replayed:
# docs/reading.md, "Thirty-third pass").


@functools.lru_cache(maxsize=32)
def _cross(scale: float) -> tuple[np.ndarray, np.ndarray]:
    """`crease27.block`'s cross-section offsets and its masks as runs [start, stop) of them
    (they are symmetric and sorted): the two sides' paper zones, the valley's search, the
    middle."""
    ds = np.arange(-crease27.PROFILE_MM * scale, crease27.PROFILE_MM * scale + 1e-9, 0.5)
    far = np.abs(ds)

    def run(mask: np.ndarray) -> tuple[int, int]:
        at = np.flatnonzero(mask)
        assert len(at) and at[-1] - at[0] + 1 == len(at)
        return int(at[0]), int(at[-1]) + 1

    zones = np.array(
        [
            run((ds <= -crease27.PAPER_MM[0] * scale) & (ds >= -crease27.PAPER_MM[1] * scale)),
            run((ds >= crease27.PAPER_MM[0] * scale) & (ds <= crease27.PAPER_MM[1] * scale)),
            run(far <= max(1.0, crease27.SEARCH_MM * scale)),
            run(far <= (crease27.SEARCH_MM + crease27.VALLEY_MM) * scale),
        ],
        np.int64,
    )
    ds.setflags(write=False)
    zones.setflags(write=False)
    return ds, zones


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
    """`crease27.block(..., crop=True)`, its twin left 0.0 (stroke28 never reads it): the
    coordinates and the statistics each one compiled call (stroke34), the remap OpenCV's as
    the reference's. The same numbers on any finite image (a decoded scan is uint8); a NaN or
    inf pixel, which numpy's medians carry through and the compiled sorts do not, would differ."""
    ds, zones = _cross(scale)
    n, m = len(ts), len(ds)
    xr = np.empty((n, m), np.float32)
    yr = np.empty((n, m), np.float32)
    ok = np.empty(n, np.bool_)
    hh, ww = img.shape
    x0, y0, x1, y1, t_mean, off_mean = kernels.stroke_block_map(
        hh, ww, fx, fy, c, s, ts, offs, ds, xr, yr, ok
    )
    sub = np.ascontiguousarray(img[y0 : y1 + 1, x0 : x1 + 1], np.float32)
    g = cv2.remap(sub, xr, yr, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    paper_share = 1.0 - crease27.PRINT_DARK
    judged, bottom, contrast, side0, side1, ink0, ink1 = kernels.stroke_block_stats(
        g,
        ok,
        ds,
        zones,
        paper_share,
        paper_share if middle_dark is None else 1.0 - middle_dark,
        float(max(2, crease27.JUDGED * n)),
        crease27.VALLEY_MM * scale,
        scale,
    )
    if not judged:
        return None
    return crease27.Block(t_mean, off_mean + bottom, contrast, (side0, side1), (ink0, ink1), 0.0)


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
