"""broad40's strokes, asked only where the sheet round the square is quiet (issue 10, broad42:
the forty-second pass).

Why. broad40 (a soft pencil's broad light strokes: grey X's and ticks 1-1.5 mm wide with no
pen-dark pixel, which the closer look sends to the commission whatever their score) was built
and left OFF: an outside attack found what it reads `marked` on an empty square that the sheet
round the square explains (a coffee ring's rim straddling the square, heavy show-through
letters) and it never looked past the window. census42 (seed 198, 1,500 dev sheets) still
finds such marks keeping 8 sheets in review.

The rule (`quiet_round`). broad40's shape tests say two broad strokes, and in a patch of the
sheet round the square, at broad40's darkness (against the grey closing over HAT_MM, at
CONTRAST or more):
- nothing stray: no darkness WIDE_MM wide or wider (the printed rules' and text's blurred
  edges are narrower; a letter's or a drop's stroke is not), not joined to the square's printed
  border and not print (PEN or darker, or within PEN_NEAR_MM of it), lies within QUIET_MM
  beyond the printed border: STRAY_MM2 at most (a word of show-through letters, a second drop,
  an arc beside the square);
- what crosses the printed border ends near it: the darkness joined to the border, followed up
  to FOLLOW_MM beyond it, ends within REACH_MM and covers at most JOINED_MM2 there (a voter's
  overshoot: 2.1 mm and 3.4 mm2 measured at most; a letter running on, a drip, a ring's rim
  round the square, a line: further or more); followed again at LEVEL_SHARE of the strokes'
  own darkness (never under LEVEL_FLOOR), it still ends within REACH_MM (two faint rims
  crossing in the square are darker there than either is beyond it);
- no paper enclosed: the largest piece of the inside the strokes close round is at most
  HOLE_MM2 (a ring's or a drop's rim; an X's or a tick's arms leave the paper open to the
  square's edge).
Then `marked`.

Where it stops. Two rims that fade along their circumference, crossing in the square with
tails under half their darkness, read as the smudgy X they look like (an outside attack's
construction, docs/reading.md, "Forty-second pass"). A single isolated grey letter-shaped
thing at 30 % or more against the paper, inside one square with nothing beside it (the
attack's show-through letters at twice the corpus's strongest show-through) is read as the
voter's mark it looks like: the sheet round it is quiet, as round a mark. The reader without
this rule already reads many such letters `marked` (104 of 378 at 200 dpi).
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import broad40, settle7

ENABLED = True
QUIET_MM = 2.5  # the band round the printed border looked at for stray darkness, mm beyond it
FOLLOW_MM = 4.5  # what crosses the border is followed this far beyond it
PEN = 0.55  # darkness against the closing this high is print (or a pen), not a light stroke
PEN_NEAR_MM = 0.4  # and so is what lies this close to it (its blurred edge)
WIDE_MM = 0.6  # stray darkness narrower than this is a printed line's blur (rules, text), not a stroke
BORDER_MM = 0.5  # the printed border's own blur, beyond its outer edge (settle7.BORDER_MM's)
LEVEL_SHARE = 0.5  # the sheet round the square is looked at from this share of the strokes' own
LEVEL_FLOOR = 0.12  # darkness (their median inside the square), and never under this
STRAY_MM2 = 0.5  # stray darkness in the band round the square, at most (mm2)
REACH_MM = 3.2  # the darkness joined to the printed border ends this close to it ...
JOINED_MM2 = 5.0  # ... and covers at most this beyond it (one arm's end 1.5 mm wide, 3 mm on)
HOLE_MM2 = 0.5  # a piece of paper the strokes enclose in the square, at most (a ring's rim: more)


def context(
    image: np.ndarray,
    cx: float,
    cy: float,
    scale: float,
    contrast: float = broad40.CONTRAST,
    print_out: bool = False,
) -> dict[str, float]:
    """What the sheet round a square shows at broad40's darkness: the darkness joined to the
    square's printed border, followed past it (its reach beyond the border and its area
    there), the same reach at LEVEL_SHARE of the strokes' own darkness (`faint_reach_mm`), the
    largest piece of paper the strokes enclose in the square, and stray darkness (not joined,
    not print) in the QUIET_MM band round it (`pen_beyond_mm2`, the print there: a measure
    for the probes, not asked by `quiet_round`). `contrast`: the darkness looked at (grey48
    asks at a lighter one); `print_out`: what is followed beyond the border passes through the
    sheet's other print and PEN_NEAR_MM round it without measuring it (a light stroke's tip
    near a printed row line is not carried along the line; one crossing it runs on)."""
    r = round((TARGET / 2 + FOLLOW_MM + broad40.HAT_MM) * float(scale))
    x, y = round(float(cx)), round(float(cy))
    y0, x0 = max(0, y - r), max(0, x - r)
    patch = image[y0 : y + r + 1, x0 : x + r + 1]
    dk = broad40.darkness(np.ascontiguousarray(patch), scale)
    yy, xx = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]]
    box = np.maximum(np.abs(xx + x0 - cx), np.abs(yy + y0 - cy)) / scale
    printed = np.abs(box - (TARGET / 2 - TARGET_STROKE / 2)) <= TARGET_STROKE / 2 + 0.15
    beyond = box > TARGET / 2 + BORDER_MM
    inner = box <= settle7.INSIDE_MM
    dark = dk >= contrast
    own = dk[inner & dark]
    # half the strokes' own darkness: two faint rims crossing in the square are darker there
    # than either is beyond it, so where they run on is looked for at half as dark
    faint = dk >= max(LEVEL_FLOOR, LEVEL_SHARE * (float(np.median(own)) if own.size else contrast))
    band = box <= TARGET / 2 + QUIET_MM
    seen = dark & band
    joined = _joined(seen, printed)  # what touches the printed border, within the band
    followed = box <= TARGET / 2 + FOLLOW_MM
    k = max(3, int(2 * PEN_NEAR_MM * scale) | 1)
    pen = cv2.dilate((dk >= PEN).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0
    # print_out: the sheet's other print (and PEN_NEAR_MM round it) is passed through but not
    # measured: a tip near a printed line is not carried along it, a stroke crossing one is
    # followed on beyond it
    other = pen & ~_joined(pen, printed) if print_out else np.zeros_like(pen)
    out_join = _joined((dark | other) & followed, printed) & beyond & ~other  # followed further
    out_faint = _joined((faint | other) & followed, printed) & beyond & ~other
    o = max(3, int(WIDE_MM * scale) | 1)
    wide = (
        cv2.morphologyEx(
            seen.astype(np.uint8), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (o, o))
        )
        > 0
    )
    stray = wide & ~joined & ~pen & beyond
    return {
        "reach_mm": float(box[out_join].max() - TARGET / 2) if out_join.any() else 0.0,
        "faint_reach_mm": float(box[out_faint].max() - TARGET / 2) if out_faint.any() else 0.0,
        "hole_mm2": _hole(dark, inner) / scale**2,
        "joined_mm2": float(out_join.sum()) / scale**2,
        "stray_mm2": float(stray.sum()) / scale**2,
        "pen_beyond_mm2": float((pen & beyond & band).sum()) / scale**2,
    }


def _hole(dark: np.ndarray, inner: np.ndarray) -> float:
    """The largest piece of paper inside the square that `dark` encloses (px): a run of
    not-dark in the inside that does not touch its edge (a ring's or a drop's rim closes round
    paper; the arms of an X or a tick leave every piece of paper open to the square's edge; a
    pencil's grain leaves only specks)."""
    paper = (inner & ~dark).astype(np.uint8)
    n, labels, stats, _c = cv2.connectedComponentsWithStats(paper, connectivity=4)
    edge = inner & ~cv2.erode(inner.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    open_ids = set(np.unique(labels[edge & (paper > 0)]).tolist())
    areas = [int(stats[i, cv2.CC_STAT_AREA]) for i in range(1, n) if i not in open_ids]
    return float(max(areas, default=0))


def _joined(mask: np.ndarray, printed: np.ndarray) -> np.ndarray:
    """`mask`'s 8-connected runs that touch the printed border."""
    _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    ids = np.unique(labels[mask & printed])
    out: np.ndarray = np.isin(labels, ids[ids > 0])
    return out


def quiet_round(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """broad40's strokes are a voter's only where the sheet round the square does not explain
    them: nothing stray beside the square, and what crosses its border ends near it."""
    return quiet(context(image, centre[0], centre[1], scale))


def quiet(c: dict[str, float]) -> bool:
    """`context`'s measures say the sheet round the square does not explain its strokes."""
    return (
        c["stray_mm2"] <= STRAY_MM2
        and c["reach_mm"] <= REACH_MM
        and c["faint_reach_mm"] <= REACH_MM
        and c["joined_mm2"] <= JOINED_MM2
        and c["hole_mm2"] <= HOLE_MM2
    )
