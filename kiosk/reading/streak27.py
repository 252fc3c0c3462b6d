"""A scanner's streak through settle7's quiet band, divided out where it is proven page-long
(issue 10, the twenty-sixth pass: streak27).

census26 found real marks that settle7's two-hand-strokes test (`settle7.hand_strokes`, asked
by settle7 and pencil9) refuses only because the band round the square is not quiet, and in
the crops a straight vertical scanner streak, 1-2 px wide, runs the whole tile through that
band. A scanner's streak darkens one sensor element's column over the whole scan by one
factor: a fact of the scan, not of the paper or the hand.

`page_streak` proves such a streak before anything leaves the band, from nothing in the band
itself:

- `lines10.column_gain` finds the columns round the square darkened STREAK_MIN or more over
  two strips 30 mm long above and below it, the two agreeing within AGREE;
- then each such column is followed over the WHOLE image height outside the square's
  neighbourhood, in pieces PIECE_MM long: in at least PAGE_SHARE of the pieces the column is
  darkened by the same factor (within lines10.AGREE), and those pieces cover at least
  PAGE_MM of the image. A line ruled or drawn by hand, however straight, stops on the page;
  a streak runs from the top of the scan to its bottom.

Only then is the streak divided out of those columns (each by its own factor, as
`lines10.divided` does), and settle7 asks its own test again of that image, unchanged:
anything drawn on the streak (a voter's stroke along the column) is left at its own
contrast and still breaks the band or makes an arm.

Where it stops: a streak not found by lines10 (fainter than STREAK_MIN, blurred over more
columns, too near the scan's top or bottom) keeps the band as it is; nothing is guessed
from the band.
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import lines10

ENABLED = False  # OFF: not safe (a show-through letter settle7 already takes for a vote on clean
# paper, plus a real page-long streak through the band, reads `marked` with it on: the
# streak's accidental protection is lost; benchmarks/results/pass26/streak27-attack.jsonl).
# Tests and the A/B switch it on to show what it decides.
PIECE_MM = 10.0  # the column followed over the page in pieces this long
PAGE_SHARE = 0.9  # ... at least this share of the pieces darkened by the streak's own factor
# (a piece crossed by heavy print may read otherwise; a drawn line misses most of them)
OFF_PAPER = 0.5  # a piece whose paper round the columns is under this share of the median piece's
# is off the sheet (the scanner's lid: grey 30-50 against paper 190-245) and not counted
PAGE_MM = 100.0  # ... and those pieces cover at least this much of the image's height
# (a ballot's scan is 200-300 mm tall; lines10's strips alone prove 60 mm)


def page_streak(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[int, np.ndarray] | None:
    """(x0, gain) as `lines10.column_gain` gives them, where some column is a streak's and
    every such column is darkened by its factor over the whole page (module docstring);
    None otherwise."""
    got = lines10.column_gain(image, centre[0], centre[1], scale)
    if got is None:
        return None
    x0, gain = got
    cols = np.nonzero(gain < 1.0)[0]
    if len(cols) == 0:
        return None
    h, w = image.shape
    base = max(1, round(lines10.BASE_MM * scale))
    a, b = max(0, x0 + int(cols.min()) - base), min(w, x0 + int(cols.max()) + base + 1)
    keep_out = round((TARGET / 2 + lines10.AROUND_MM) * scale)
    y_lo, y_hi = round(centre[1]) - keep_out, round(centre[1]) + keep_out
    piece = max(4, round(PIECE_MM * scale))
    want = 1.0 - gain[cols]
    found = []
    for y0 in range(0, h - piece + 1, piece):
        if y0 < y_hi and y0 + piece > y_lo:
            continue  # the square's own rows: lines10's neighbourhood
        levels = lines10._paper_levels(image[y0 : y0 + piece, a:b])
        around = lines10._around(levels, base)
        dark = 1.0 - levels / np.maximum(around, 1.0)
        at = x0 + cols - a
        found.append((float(np.min(around[at])), bool(np.all(np.abs(dark[at] - want) <= lines10.AGREE))))
    if not found:
        return None
    # the scanner's dark lid beyond the sheet's edge: too dark to measure a factor on
    # (one grey level there is 0.03 of it), so not counted either way
    paper = OFF_PAPER * float(np.median([p for p, _ok in found]))
    on_paper = [ok for p, ok in found if p >= paper]
    agree = sum(on_paper)
    if not on_paper or agree < PAGE_SHARE * len(on_paper) or agree * piece < PAGE_MM * scale:
        return None
    return x0, gain


def divided(image: np.ndarray, centre: tuple[float, float], scale: float) -> np.ndarray | None:
    """The image with a proven page-long streak divided out of its columns (a copy), or None."""
    if not ENABLED:
        return None
    got = page_streak(image, centre, scale)
    if got is None:
        return None
    x0, gain = got
    out = image.copy()
    cols = slice(x0, x0 + len(gain))
    out[:, cols] = np.clip(np.rint(image[:, cols] / gain[None, :]), 0, 255).astype(image.dtype)
    return out
