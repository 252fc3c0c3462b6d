"""settle7's second arm is drawn from the first stroke, or is a stroke's length (issue 10,
session 71: touch71).

settle7's positive test (`settle7.hand_strokes`) settles a light mark in the doubt band as a
vote when it finds two straight arms that meet. arm41 holds the second arm to pixels of its
own beyond the first stroke's width (0.75 mm of them along its band), but not to where they
lie: a dust speck 0.8 mm across, 1-1.5 mm beside a light dash and of the dash's own darkness,
is 0.75 mm of own pixels, and the band through it also crosses the dash, so the arms "meet".
Session 71's sweep (`benchmarks/results/pass71/touch71/speck-sweep.py.txt`: a grainy 4 mm
dash, a 0.5 or 0.8 mm speck 0.8-1.5 mm off it, 200/250/300 dpi) read 48 of 96 such drawings as
votes, every one with the 0.8 mm speck.

The rule (`drawn`): the second arm's own pixels (on its band, beyond the first stroke's own
width) lie mostly (SHARE) in the first stroke's piece of ink, the stroke ink's pixels joined
across gaps up to GAP_MM (a hand draws the short arm of a tick from the long one, the second
stroke of a cross across the first); or, apart from it, they cover DETACHED_MM along the band
(a stroke's length, more than a speck's). The stroke ink is arm41's: the inside's pixels at
WIDTH_LEVEL of the first arm's contrast.

It only takes a second arm away, so a settle: the square stays `marginal_mark`, for the
commission. On 600 pencil dev sheets (seed 130) it sent 6 real marks back to review (review
beyond the truth 18.0 -> 19.0 %) and decided none; on 1,000 mixed dev sheets (seed 188) it
changed none. A speck touching the dash or within 0.3 mm of it is joined to it and still
settles (18 of the sweep's 96), as do two staggered dashes (the first arm a band through both).
Where it stops, a tick whose short arm is parted from the long one by a gap over GAP_MM (the
grain of a light line) and is shorter than DETACHED_MM goes to the commission.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.reading import piece72

ENABLED = True
GAP_MM = 0.2  # the stroke ink's pixels this near each other are one piece of ink
SHARE = 0.5  # of the second arm's own pixels in the first stroke's piece, at least ...
DETACHED_MM = 1.2  # ... or, apart from it, covering this much along the second arm's band


def drawn(
    allx: np.ndarray,
    ally: np.ndarray,
    line: float,
    own: float,
    first_angle: float,
    angle: float,
    rho: float,
    scale: float,
) -> bool:
    """Is the second arm (`angle` degrees, `rho` px: settle7's band) drawn from the first stroke
    (centre line `line` px at `first_angle`; its own pixels from `own` px off that line), or a
    stroke's length apart from it? (allx, ally): the stroke ink's pixels, offsets from the
    square's centre (px)."""
    if not ENABLED:
        return True
    if len(allx) == 0:
        return False
    from kiosk.reading.arm41 import _band, _covered, beyond_line  # arm41 imports this module

    first = ~beyond_line(allx, ally, first_angle, line, own)
    on, along = _band(allx, ally, angle, rho, scale)
    mine = ~first & on
    if not first.any() or not mine.any():
        return False
    piece = pieces(allx, ally, scale)
    main = int(np.bincount(piece[first]).argmax())
    if float(np.mean(piece[mine] == main)) >= SHARE:
        return True
    # piece72: apart from the first stroke, one piece of ink covers the stroke's length
    return _covered(along[piece72.apart(mine, piece, main)]) >= DETACHED_MM * scale


def pieces(allx: np.ndarray, ally: np.ndarray, scale: float) -> np.ndarray:
    """Each pixel's piece of ink (a label): the pixels joined across gaps up to GAP_MM (each
    grown by GAP_MM / 2, then 8-connected)."""
    gx = np.round(allx - allx.min()).astype(np.int64)
    gy = np.round(ally - ally.min()).astype(np.int64)
    dots = np.zeros((int(gy.max()) + 1, int(gx.max()) + 1), np.uint8)
    dots[gy, gx] = 1
    r = max(1, round(GAP_MM / 2 * scale))
    grown = cv2.dilate(dots, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    _n, labels = cv2.connectedComponents(grown, connectivity=8)
    out: np.ndarray = labels[gy, gx]
    return out
