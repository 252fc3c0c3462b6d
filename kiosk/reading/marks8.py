"""Real marks the reader sent to review: a filled square (issue 10, the eighth pass: marks8).

On pencil sheets the largest group of real marks the reader sends to the commission
beyond the truth is a square FILLED in pencil (seed 130 `--always pencil`, sheets 0-299:
16 of 82 doubtful squares on sheets in review beyond truth, scoring 0.09-0.42, nearly all
far above `marked`). Graphite is grey (0.15-0.4 of the light) and has no thin strokes, so the closer
look finds no evidence (no pen-dark pixel, no black top-hat feature); `inspect.is_fill`
asks for a background step of 0.1 under a grey closing and a grain 1.5 times the margin's,
which a blurred or light fill misses; the paper around does not explain the ink
(`paper_explains`), so the square goes to review as `marginal_mark`. A careful human
sees a grey square filled to its printed border with clean paper round it.

The test (`filled`), asked only of the closer look's own `marginal_mark` whose score is at
least `marked` (the ink is there; only what it is was in doubt), on the square's
neighbourhood (`settle7.neighbourhood`) with the ink against the window's lightest ring
level (as settle7 and rims7 measure it):

- dark: the median ink of the square's core (FILL_CORE_MM from the centre) at least
  FILL_LEVEL (a tea stain's body reaches 0.25: the level alone does not tell a fill from
  a stain; the band round the square does);
- filled: at least FILL_COVER of the inside (0.35 mm in from the printed border) at
  half that median or more, and the inside even (its FILL_EVEN percentile at least
  FILL_EVEN_SHARE of the median: not a stroke, not a stain's edge crossing it);
- it stops at the square: on every side of the band QUIET_MM from the centre (inside
  every style's printed rules) at most QUIET_SHARE of the pixels reach half the median,
  and that side's median ink is under FILL_AROUND of it (a stain, a shadow or a fold's
  grey that darkens the square darkens the paper round it too);
- square, not round (`square_not_round`): each of the inside's four corner boxes
  (FILL_CORNER_MM) has a median ink of at least FILL_CORNER of the core's (a smooth drop
  centred in the square, a blot, a thumb print are round and leave the corners up to 6.6
  mm across), and just outside the printed border no side is dark at its middle and
  clear at its ends (a drop 7 mm across or more pokes out there); or, where those corner
  boxes (in image axes) are half paper, fill51's test on the printed square fitted (its
  centre and turn), `fill51.square_fill` (session 51). Graphite's grain is no guide:
  blurred at 250-300 dpi, a real fill is as smooth as a drop (`rims7.smooth_fill`'s
  measure 0.77 on seed 130's sheet 229).

The reader keeps the square `marked` only if the contest then holds one vote and nothing
else in doubt (`settle7.settle_contest`, the same list of settled squares). Nothing is
read `empty` here. Where it stops: a fill that spills over the printed border by more
than about 0.8 mm, a fill lighter than FILL_LEVEL, a fill under a stain or a fold's grey
that reaches the band round the square, a partial fill (a blob, a scribbled patch) and any
fill beside another doubt stay in review.
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop, fill51, settle7

ENABLED = True  # tests switch the rule off to show what it decides
FILL_LEVEL = 0.15  # the core's median ink at least this (pencil fills: 0.2-0.4)
FILL_CORE_MM = 1.8  # the core: this far from the centre (box)
FILL_COVER = 0.9  # of the inside at half the core's median or more
FILL_EVEN = 10.0  # the inside's this percentile ...
FILL_EVEN_SHARE = 0.4  # ... at least this share of the core's median
QUIET_MM = (TARGET / 2 + 0.8, TARGET / 2 + 1.3)  # the band round the square (settle7's)
QUIET_SHARE = 0.1  # of each side's band pixels at half the core's median, at most (a fold's
# or a streak's thin line across a side holds 4-9 %; a stain's body or a line along it more)
FILL_AROUND = 0.25  # each side's median ink under this share of the core's median
FILL_CORNER_MM = (2.0, 2.5)  # the inside's four corner boxes, from and to this far from the
# middle on both axes (2.8-3.5 mm from it) ...
FILL_CORNER = 0.8  # ... each with a median ink at least this share of the core's (a round
# drop or a blot 6.6 mm across or less leaves them; a hand's fill follows the square)
CLEAR_MM = (TARGET / 2 + 0.25, TARGET / 2 + 0.7)  # just outside the printed border ...
MID_MM = 1.2  # ... a side's middle (this far from it along the side) ...
END_MM = (2.0, 3.2)  # ... and its ends
POKE_SHARE = 0.15  # a side whose middle has this share at half the core's median, and its
# ends under half that share: a disc poking out (a drop 7 mm across or more)
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
BORDER_MM = TARGET / 2 + 0.5  # the printed border's zone, as `inspect` has it


def filled(image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float) -> bool:
    """Is the square filled by a hand (the module's test)?"""
    got = settle7.neighbourhood(image, centre, scale)
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    inside = box <= INSIDE_MM * scale
    core = box <= FILL_CORE_MM * scale
    if not core.any():
        return False
    med = float(np.median(ink[core]))
    if med < FILL_LEVEL:
        return False
    if float((ink[inside] >= 0.5 * med).mean()) < FILL_COVER:
        return False
    if float(np.percentile(ink[inside], FILL_EVEN)) < FILL_EVEN_SHARE * med:
        return False
    band = (box > QUIET_MM[0] * scale) & (box <= QUIET_MM[1] * scale)
    for side in (ys < -np.abs(xs), ys > np.abs(xs), xs < -np.abs(ys), xs > np.abs(ys)):
        part = ink[band & side]
        # The band must be on the image on every side (a square at the image's edge: no).
        if part.size < QUIET_MM[1] * scale:
            return False
        if float((part >= 0.5 * med).mean()) > QUIET_SHARE or float(np.median(part)) >= FILL_AROUND * med:
            return False
    # fill51 (session 51): a fill stopping short of the corner boxes (in image axes) is
    # still square when the printed square, fitted, says so
    return square_not_round(ink, xs, ys, scale, med) or fill51.square_fill(image, centre, scale)


def square_not_round(ink: np.ndarray, xs: np.ndarray, ys: np.ndarray, scale: float, med: float) -> bool:
    """The darkening follows the square, not a circle: the inside's four corners are dark
    (each corner box's median ink at least FILL_CORNER of `med`: a disc smaller than the
    square's diagonal leaves them), and just outside the printed border (CLEAR_MM) no
    side is dark at its middle and clear towards its ends (a disc larger than the
    square's side pokes out there; a hand's fill that overshoots the border does so
    along the side, most at its jittered corners)."""
    a, b = FILL_CORNER_MM[0] * scale, FILL_CORNER_MM[1] * scale
    for sx in (-1.0, 1.0):
        for sy in (-1.0, 1.0):
            corner = (sx * xs >= a) & (sx * xs <= b) & (sy * ys >= a) & (sy * ys <= b)
            if not corner.any() or float(np.median(ink[corner])) < FILL_CORNER * med:
                return False
    box = np.maximum(np.abs(xs), np.abs(ys))
    zone = (box >= CLEAR_MM[0] * scale) & (box <= CLEAR_MM[1] * scale)
    dark = ink >= 0.5 * med
    horizontal = np.abs(ys) >= np.abs(xs)  # the top and bottom sides: along is x
    along = np.where(horizontal, np.abs(xs), np.abs(ys)) / scale
    for side in (ys < -np.abs(xs), ys > np.abs(xs), xs < -np.abs(ys), xs > np.abs(ys)):
        mid, end = zone & side & (along <= MID_MM), zone & side & (along >= END_MM[0]) & (along <= END_MM[1])
        if not mid.any() or not end.any():
            return False
        m, e = float(dark[mid].mean()), float(dark[end].mean())
        if m >= POKE_SHARE and e < 0.5 * m:
            return False
    return True


def settles(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    reason: str | None,
    score: float,
    marked: float,
) -> bool:
    """The reader's hook: does the closer look's own `marginal_mark` at or above `marked`
    read `marked` as a filled square? (The contest's guard is settle7's.)"""
    if not ENABLED or reason != "marginal_mark" or score < marked:
        return False
    return filled(image, (float(centre[0]), float(centre[1])), scale, float(np.max(levels)), gain)
