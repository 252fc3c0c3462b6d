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
  print through the paper darkens one side's measure, a stroke on the line both).

Asked last in the closer look's chain of stroke tests (only where every other one said no, a
line having been taken out), never `marked`: the square goes to the commission
(`marginal_mark`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.reading import crease27, lines7

ENABLED = False  # `stroke_on_run` (off: the reader as 27dae8a). OFF: its price on all 1,500 dev
# sheets was not read to the end by the deadline (docs/reading.md, stroke28); the tests switch it on
EVERY_SIDE = True  # darker against every usable side's paper (False: against one: see docs)

FIT_SHARE = 0.25  # a block at this share of the first fit's level refines the fit (crease27: 0.5)
LINE_MIN = 0.04  # the whole-line level at least this (plain paper followed straight: about 0.01)
PRESENT = 0.6  # the line at GONE_SHARE of its level on this share of the judged blocks beyond
STRIDE_MM = 6.0  # one 2 mm block in every 6 mm of the line measured (crease27: every block)
MIN_BLOCKS = 6  # judged blocks beyond the window at least (36 mm of the line)
FIT_MM = (1.0, 15.0)  # the first fit from blocks this far beyond the window (crease27: 1-5 mm; a
# ballpoint stroke on a fold is print-dark to a block, not judged, for 8-9 mm beyond the window)
INSIDE_DARK = 2.0  # no valley sample through the square's inside is print (a ballpoint stroke is judged)


@dataclass(frozen=True)
class Judged:
    """Why `stroke_on_run` answered as it did for one line (for traces and tests)."""

    line: bool  # a line of the paper along its length
    darker: bool  # the inside darker or inkier than the whole line
    level: float  # the whole-line level (median contrast beyond the window)
    present: float  # the share of judged blocks beyond at GONE_SHARE of it
    blocks: int  # judged blocks beyond


def whole_run(
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
    )


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
        for k in (0, 1):
            if not (
                math.isfinite(inside.sides[k]) and math.isfinite(run.sides[k]) and math.isfinite(run.inks[k])
            ):
                continue
            sides.append(
                inside.sides[k] > run.sides[k] * (1 + crease27.LEVEL_MORE) + crease27.LEVEL_NOISE
                or inside.inks[k] > run.inks[k] + crease27.INK_MORE_MM
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
