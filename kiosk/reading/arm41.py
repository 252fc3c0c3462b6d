"""settle7's second arm beyond the first stroke's own width (issue 10, the forty-first pass: arm41).

settle7's positive test (`settle7.hand_strokes`) asks for two straight arms in the square. Its
second arm was the band (0.6 mm) of most cover 30 degrees or more off the first arm among the
stroke pixels outside the first arm's band. A stroke wider than that band leaves its own flanks
there, and a band crossing them at 30 degrees covers 1.2-1.6 mm: ONE stroke gave two arms (the
single-slash strict xfail since the ninth pass; a lone dash's edges; arm40's failure). On the
18 real marks arm40 decided (`benchmarks/results/pass41/own-probe-arm40.txt`), settle7's
second arm was that band across the first stroke for 14: the tick's real short arm covers less.

The rule (`second_arm`, asked for every second arm, so by settle7, pencil9 and wrong10 alike):

- the first stroke's centre line and width (`first_stroke`): of the inside's pixels at
  WIDTH_LEVEL of the first arm's contrast or more (settle7's stroke pixels of a light wide
  stroke are its middle ridge only), those within OWN_NEAR_MM of the arm's band give the line
  (their median offset) and those within WIDTH_REACH_MM of the line the width (the median
  span across it of the 1-px slices along it);
- a stroke pixel is the second arm's own from half that width plus OWN_MARGIN_MM (at least
  OWN_MIN_MM) from the line (`own_distance`);
- settle7's band is the second arm where it covers settle7's 1.5 mm and its own pixels cover
  OWN_LEN_MM along it (`own_band`);
- else the band of most cover among the own pixels alone, where it covers OWN_LEN_MM, unless
  a band nearer the first arm's direction covers PARALLEL times as much of them (a second
  stroke alongside) or their median contrast is outside 1/LEVEL_RATIO-LEVEL_RATIO of the first
  arm's (one hand, one pencil: a speck, a hair, a pen's rest, a letter beside a dash is not)
  (`own_arm`); its cover is then that of all the stroke pixels off the first arm's band along it.

Every other step of settle7's test is asked of that arm unchanged (the arms meet, each is paper
again on its own line beyond the square, the arms' contrast, the quiet band round the square,
the inside's paper), then the score band, the hesitation dot, `reaches_beyond` and the
contest's guard.

Where it stops: a tick whose corner lies outside the square (inside it, only the long arm)
goes to the commission, as does a short arm under OWN_LEN_MM beyond the long arm's width; a
dash with a speck or a blob of its own darkness beside it, a curve leaving its first line by
more than its width, may still settle (docs/reading.md, forty-first pass: 24 of an attack's
5,899 single-stroke cases; session 71's sweep of a grainy dash with a speck 0.8-1.5 mm beside it
settled 48 of 96; touch71 since asks that the second arm be drawn from the first stroke's ink or
be a stroke's length apart from it: 18 of 96, tests/test_redteam71.py). `reference.first_stroke_reference` is `first_stroke` in plain
loops (tests/test_arm41.py checks they agree).

The second arm `own_arm` finds is held to OWN_LEN_MM of its own pixels, not to settle7's 1.5 mm
again, on purpose: a tick's short arm beyond a 0.6-1 mm stroke is about that long. Session 54
(`benchmarks/results/pass54/arm41-short-*`): on dev caches 198 (1,500 sheets) and 203 (600,
pencil and stains) 43 such arms under 1.5 mm were found (0.76-1.32 mm); holding them to 1.5 mm
sends 11 squares back to review, every one a real tick or light pencil mark, and no other.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from kiosk.reading import coarse72, touch71

if TYPE_CHECKING:
    from kiosk.reading.settle7 import Arm

ENABLED = True  # tests and the A/B switch it off to show what it decides
OWN_MARGIN_MM = 0.25  # the second arm's own pixels: this far beyond the first stroke's half-width ...
OWN_MIN_MM = 0.4  # ... and at least this far from its centre line ...
OWN_LEN_MM = 0.75  # ... covering this much along it at least
WIDTH_REACH_MM = 1.0  # the first stroke's width: its pixels this near its centre line, ...
# ... spanned in each 1-px slice across it; the median slice's span is the width
PARALLEL = 1.5  # a band near the first arm's direction beyond its width covering this many times
# the second arm's own cover: a second stroke alongside the first, not an arm
LEVEL_RATIO = 1.4  # the second arm's own pixels as dark as the first arm's, within this factor
# (one hand, one pencil: a speck, a hair, a pen's rest or a show-through letter beside a dash is not)
WIDTH_LEVEL = 0.5  # the first stroke's pixels for its width and centre line: the inside's at
# this share of its level (settle7's stroke pixels of a light stroke 1-1.5 mm wide are its
# middle ridge only, 0.2-0.3 mm: its flanks then passed for a second arm)
OWN_NEAR_MM = 1.0  # the first stroke's centre line: from its pixels this near the first arm's band


def _covered(along: np.ndarray) -> int:
    """1-px positions covered along a line (the pixels' projections on it)."""
    return len(np.unique(np.floor(along).astype(np.int64)))


def first_stroke(allx: np.ndarray, ally: np.ndarray, first: Arm, scale: float) -> tuple[float, float] | None:
    """The first stroke's centre line (rho, px: the median offset of its stroke pixels within
    OWN_NEAR_MM of the first arm's band, which sits on a fixed grid up to half its width off
    the stroke) and its width (px: the median span of its stroke pixels within WIDTH_REACH_MM
    of that line in the 1-px slices across it; a crossing stroke widens a few slices only)."""
    t1 = math.radians(first.angle)
    r1 = -allx * math.sin(t1) + ally * math.cos(t1)
    near = np.abs(r1 - first.rho) <= OWN_NEAR_MM * scale
    if not near.any():
        return None
    line = float(np.median(r1[near]))
    on = np.abs(r1 - line) <= WIDTH_REACH_MM * scale
    along = np.floor(allx[on] * math.cos(t1) + ally[on] * math.sin(t1)).astype(np.int64)
    across = r1[on]
    # Each slice's span (its outermost stroke pixels, one pixel added): a light grainy
    # stroke leaves gaps inside, not at its edges as often.
    order = np.argsort(along, kind="stable")
    along, across = along[order], across[order]
    starts = np.flatnonzero(np.r_[True, along[1:] != along[:-1]])
    spans = np.maximum.reduceat(across, starts) - np.minimum.reduceat(across, starts) + 1.0
    return line, float(np.median(spans))


def own_distance(width: float, scale: float) -> float:
    """How far (px) from the first stroke's centre line a pixel is the second arm's own."""
    return max(OWN_MIN_MM * scale, width / 2 + OWN_MARGIN_MM * scale)


def _beyond(
    px: np.ndarray, py: np.ndarray, stroke: tuple[float, float] | None, first: Arm, scale: float
) -> np.ndarray:
    """Which of (px, py) lie beyond the first stroke's own width (`stroke`: `first_stroke`'s
    line and width; none: no first stroke)."""
    if stroke is None:
        return np.zeros(len(px), dtype=bool)
    line, width = stroke
    return beyond_line(px, py, first.angle, line, own_distance(width, scale))


def beyond_line(px: np.ndarray, py: np.ndarray, angle: float, line: float, own: float) -> np.ndarray:
    """Which of (px, py) lie `own` px or more from the line at `angle` degrees, offset `line` px."""
    t1 = math.radians(angle)
    return np.asarray(np.abs(-px * math.sin(t1) + py * math.cos(t1) - line) >= own)


def _band(
    px: np.ndarray, py: np.ndarray, a: float, rho: float, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Which of (px, py) lie in settle7's band (a, rho), and their positions along it."""
    from kiosk.reading.settle7 import ARM_BAND_MM  # settle7 imports this module

    t = math.radians(a)
    on = np.abs(-px * math.sin(t) + py * math.cos(t) - rho) <= max(1.0, ARM_BAND_MM * scale) / 2
    return on, px * math.cos(t) + py * math.sin(t)


def own_band(px: np.ndarray, py: np.ndarray, far: np.ndarray, a: float, rho: float, scale: float) -> bool:
    """Do the band's (a, rho) pixels among (px, py) beyond the first stroke's own width
    (`far`) cover OWN_LEN_MM along it?"""
    on, along = _band(px, py, a, rho, scale)
    return _covered(along[on & far]) >= OWN_LEN_MM * scale


def second_arm(
    found: tuple[float, float, float],
    need: float,
    px: np.ndarray,
    py: np.ndarray,
    vals: np.ndarray,
    allx: np.ndarray,
    ally: np.ndarray,
    first: Arm,
    angles: np.ndarray,
    scale: float,
) -> tuple[float, float, float] | None:
    """settle7's second arm: `found` (settle7.best_arm's band of the most cover among (px,
    py), the stroke pixels off the first arm's band) where it covers `need` mm and is a
    stroke of its own (`own_band`); else the band beyond the first stroke's width
    (`own_arm`); None: no second arm. With the rule off: `found` where it covers `need`."""
    a, rho, cover = found
    if coarse72.too_coarse(scale):
        return None  # coarse72: at 150 dpi a speck beside a stroke blurs into the stroke's own ink
    if not ENABLED:
        return found if cover >= need * scale else None
    stroke = first_stroke(allx, ally, first, scale)  # the first stroke's line and width, measured once
    far = _beyond(px, py, stroke, first, scale)
    if not (cover >= need * scale and own_band(px, py, far, a, rho, scale)):
        got = own_arm(px, py, vals, far, first, angles, scale)
        if got is None:
            return None
        found = got
    # touch71: the second arm is drawn from the first stroke's ink, or is a stroke's length
    # apart from it (a speck beside a dash is neither)
    if stroke is None:
        return found if not touch71.ENABLED else None
    line, width = stroke
    own = own_distance(width, scale)
    return found if touch71.drawn(allx, ally, line, own, first.angle, found[0], found[1], scale) else None


def own_arm(
    px: np.ndarray,
    py: np.ndarray,
    vals: np.ndarray,
    far: np.ndarray,
    first: Arm,
    angles: np.ndarray,
    scale: float,
) -> tuple[float, float, float] | None:
    """The second arm beyond the first stroke's own width: (angle, rho px, cover px) as
    `settle7.best_arm` gives it (its cover: all of (px, py) along its band), or None.
    px, py, vals: the stroke pixels off the first arm's band (offsets from the square's
    centre, px) and their contrast; far: which of them lie beyond the first stroke's width
    (`_beyond`); angles: those far enough from the first arm's."""
    if len(px) == 0:
        return None
    from kiosk.reading.settle7 import best_arm  # settle7 imports this module

    found = best_arm(px[far], py[far], scale, angles)
    if found is None or found[2] < OWN_LEN_MM * scale:
        return None
    a, rho, own = found
    # Not a second stroke alongside the first (two parallel dashes): beyond the first
    # stroke's width no band nearer its direction covers PARALLEL times as much (a tick's
    # short arm end, 0.6-1 mm, is covered about alike in any direction).
    along_first = best_arm(px[far], py[far], scale, angles_near(first.angle))
    if along_first is not None and along_first[2] >= PARALLEL * own:
        return None
    on, along = _band(px, py, a, rho, scale)
    level = float(np.median(vals[on & far]))
    if not first.level / LEVEL_RATIO <= level <= first.level * LEVEL_RATIO:
        return None
    return a, rho, float(_covered(along[on]))


def angles_near(angle: float) -> np.ndarray:
    """settle7's directions under ARM_APART_DEG from `angle` (the rest are a second arm's)."""
    from kiosk.reading.settle7 import ARM_APART_DEG, ARM_STEP_DEG, _apart

    angles = np.arange(0, 180, ARM_STEP_DEG, dtype=np.float64)
    return np.asarray(angles[np.array([_apart(x, angle) < ARM_APART_DEG for x in angles.tolist()])])
