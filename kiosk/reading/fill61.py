"""A hand's light fill in part of the square keeps it out of empty8's `empty` (issue 10,
session 61: fill61).

Session 60's untouched run (seed 14200) read one real mark `empty`: a pencil scribble
laid as a grey band along the top of the inside (1.5 mm high, 0.25 darker than the paper
under it; `tests/test_holdout60.py`). empty8 settled it: its pen test (`DARK`, 0.3) is
set above a stain's rim, its stroke runs are found by a box mean 0.8 mm to both sides (a
band wider than that has no ridge), and its fill test takes the median of the inside, which
a band over a fifth of it leaves at the paper's level.

The test here (`hand_fill`): the inside's pixels at least INK darker than the paper under
them (empty8's grey closing over CLOSE_MM, which keeps a stain's darkening and takes out
anything narrower), opened with a disc OPEN_MM wide (a rim, a fold's or a crease's line,
show-through letters and a streak are narrower and go), cover at least AREA_MM2 in one
piece. Such a patch is drawn: empty8's `drawn` says "fill" and the square stays in review.

Where it stops: a patch lighter than INK (a pencil fill that faint is under the closer
look's marginal band too), a fill wider than CLOSE_MM all round (it is in the paper under
it: empty8's median fill test and its stroke runs answer for it), and a dark band of the
paper itself narrower than CLOSE_MM and wider than OPEN_MM inside the square (a fold's
shadow that dark) is taken for a hand's: review, the safe side. No fast version (asked
only where empty8 is, a square in doubt), so no slow reference.
"""

from __future__ import annotations

import cv2
import numpy as np

ENABLED = True  # tests and the A/B read each sheet with it off too ("before")

INK = 0.12  # a patch pixel: at least this much darker than the paper under it (gain applied)
OPEN_MM = 0.8  # ... in what an opening with a disc this wide leaves (lines are narrower)
AREA_MM2 = 0.6  # ... one piece of at least this area


def hand_fill(ink: np.ndarray, inside: np.ndarray, scale: float) -> bool:
    """Is there a patch of a hand's light fill inside the square? `ink` is each pixel's
    darkening against the paper under it (empty8's), `inside` the square's inside."""
    if not ENABLED:
        return False
    dark = (inside & (ink >= INK)).astype(np.uint8)
    k = max(3, round(OPEN_MM * scale) | 1)
    patch = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(patch, connectivity=8)
    return n > 1 and float(stats[1:, cv2.CC_STAT_AREA].max()) >= AREA_MM2 * scale * scale
