"""Two hand strokes outside settle7's score band (issue 10, the ninth pass: pencil9).

On pencil sheets (seeds 130 and 131, `--always pencil`, sheets 0-299 each, main a3ff0a8)
156 squares were in doubt on sheets the reader sent to review beyond the truth. Most real
marks among them that settle7's test (`settle7.hand_strokes`) already finds are on sheets
whose contest holds another mark (an overvote by the truth) or another doubt: the
contest's guard (`settle7.settle_contest`) keeps those with the commission by design.
Of the marks that are ALONE in their contest and pass settle7's test, four were never
asked: the closer look's `marginal_mark` with a score outside settle7's band,

- at `marginal` itself (0.018: the closer look reports max(score, `marginal`), so the
  fast score was lower): light pencil plus signs at 300 dpi (130/76/6, 130/222/3, arms
  0.20 of the light, 4-4.7 mm) and a pencil tick at 150 dpi (130/40/1);
- or at `marked` and above (a pencil scribble at 0.081, 131/46/7), where the closer look
  found no pen-dark evidence: settle7 stops at `marked`, marks8 asks only for a fill.

The rule (`settles`): the same positive test as settle7, unchanged (two straight arms of
graphite or ink in the square at ARM_LEVEL 0.13 of the light, 2.5 and 1.5 mm, crossing
within the square, each paper again on its own line beyond the square on both sides, the
band round the square quiet, the inside's paper not darkened, no hesitation dot, no thin
curve running on beyond the window), asked of the closer look's own `marginal_mark`
whose score is from `marginal` up to settle7's SETTLE_FLOOR, or from `marked` up to
HIGH_CEIL. A square it decides joins settle7's `settled` list: the reader keeps it
`marked` only as the contest's single vote with nothing else in doubt, and fix8's hair
test (`fix8.hairline`, every `marked` square under 0.3) still sends a hair-thin mark to
the commission.

A station whose calibration raised `marginal` or `marked` above the defaults the rule was
measured under keeps these squares in review (as settle7 does). Nothing is read `empty`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from kiosk.reading import settle7
from kiosk.reading.model import Thresholds

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

ENABLED = True  # tests switch the rule off to show what it decides
HIGH_CEIL = 0.15  # above `marked` asked up to this score (the pencil strokes in doubt
# scored up to 0.145 on seeds 130/131; fills above are marks8's)
DEFAULT = Thresholds()  # the calibration the rule was measured under
LOW_LEN_MM = (3.5, 2.0)  # under SETTLE_FLOOR the arms cover this much of the inside at least
# (a light mark across the square, not a small one: tests/test_settle7.py's small thin cross
# scoring 0.023 stays in review, as settle7's floor keeps it)
APART_MM = 1.0  # the second arm's own pixels: this far from the first arm's line at least ...
APART_LEN_MM = 0.6  # ... covering this much along the second arm (`two_strokes`)


def in_band(score: float, marginal: float, marked: float) -> bool:
    """Is `score` outside settle7's band and inside this rule's: from `marginal` up to
    SETTLE_FLOOR, or from `marked` up to HIGH_CEIL (thresholds no higher than the
    defaults)?"""
    if marginal > DEFAULT.marginal or marked > DEFAULT.marked:
        return False
    low = marginal <= score < min(settle7.SETTLE_FLOOR, marked)
    high = marked <= score <= HIGH_CEIL
    return low or high


def settles(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
    marginal: float,
    marked: float,
    half: int | None = None,
) -> bool:
    """Does the closer look's `marginal_mark` outside settle7's band hold two hand strokes
    (settle7's test: `hand_strokes`, no `pen_dot`, not `reaches_beyond`)?"""
    if not ENABLED or v.mark != "marginal" or v.reason != "marginal_mark":
        return False
    if not in_band(v.score, marginal, marked):
        return False
    at = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    if settle7.pen_dot(image, at, scale, paper, gain):
        return False
    arms = settle7.hand_strokes(image, at, scale, paper, gain)
    if arms is None or not two_strokes(image, at, scale, paper, gain, arms):
        return False
    if v.score < marked and (arms[0].cover < LOW_LEN_MM[0] or arms[1].cover < LOW_LEN_MM[1]):
        return False
    return half is None or not settle7.reaches_beyond(image, at, scale, paper, gain, half)


def _on(px: np.ndarray, py: np.ndarray, arm: settle7.Arm) -> np.ndarray:
    """Each pixel's distance (px) from the arm's line."""
    t = math.radians(arm.angle)
    return np.asarray(np.abs(-px * math.sin(t) + py * math.cos(t) - arm.rho))


def two_strokes(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    arms: tuple[settle7.Arm, settle7.Arm],
) -> bool:
    """Are settle7's two arms two strokes, not the two edges of one wide stroke? A single
    slash 0.5-0.7 mm wide at 0.2-0.3 of the light leaves stroke pixels on both sides of
    the first arm's 0.6 mm band; settle7 takes the far edge for a second arm 30 degrees
    off that crosses the first (tests/test_pencil9.py). Asked: the second arm's stroke
    pixels (settle7's, off the first arm's band) that lie at least APART_MM from the first
    arm's line cover APART_LEN_MM or more along the second arm."""
    got = settle7.stroke_pixels(image, centre, scale, paper, gain)
    if got is None:
        return False
    _win, xs, ys, _box, _inside, _c, py, px = got
    fx, fy = xs[py, px].astype(np.float64), ys[py, px].astype(np.float64)
    first, second = arms
    half_band = max(1.0, settle7.ARM_BAND_MM * scale) / 2
    d1, d2 = _on(fx, fy, first), _on(fx, fy, second)
    own = (d2 <= half_band) & (d1 > half_band) & (d1 >= APART_MM * scale)
    if not own.any():
        return False
    t = math.radians(second.angle)
    along = np.floor(fx[own] * math.cos(t) + fy[own] * math.sin(t)).astype(np.int64)
    return len(np.unique(along)) >= APART_LEN_MM * scale
