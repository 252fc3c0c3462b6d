"""A soft pencil's broad light strokes (issue 10, broad40: the fortieth pass).

Why. The closer look finds a hand by pen-dark pixels (ink >= DARK_INK) or thin features (its
black top-hat over TOPHAT_MM, 1.6 mm, at THIN_CONTRAST or more). A soft pencil pressed
broadly draws grey strokes 1-1.5 mm wide at 25-50 % contrast: no pixel is pen-dark and the
1.6 mm top-hat sees little of a stroke that wide. Such a square falls to the closer look's
last branch ("no stroke and no dark ink: darkened paper or a light smooth mark") and goes to
the commission as `marginal_mark`, whatever its score. census40 (seed 198, 1,500 dev sheets)
found 8 of them, each a plain grey X or tick over the whole square at score 0.19-0.42
(`benchmarks/results/pass40/pencil-high-198.png`), each keeping its sheet in review.

The rule (`strokes`). The window's grey closing over an ellipse HAT_MM wide, and each pixel's
darkness against it: a stroke narrower than HAT_MM at its own contrast, a stain, a shadow or
a fill wider than that gone (a closing leaves a dark region the ellipse fits in as it is).
Where that darkness is CONTRAST or more inside the square: its largest 8-connected run is
- AREA_MM2 or more (two arms of a tick or an X, 1 mm wide, across the inside),
- REACH_MM or more along its box's longer side (it spans the inside),
- not a blob: no pixel further than HALF_WIDTH_MM from its edge (a drop narrower than HAT_MM
  is round and fat; strokes cross in a spot no wider than their own width times 1.5),
- not one bar: the run's pixels spread SPREAD_MM or more (standard deviation) across its
  main axis, and their 5-95 % extent across it is TWO_ARMS times its widest point's width
  (twice the distance above) or more: a straight band of any width has about 0.9 of it
  (a drip, a shadow's piece, a single slash), two arms at an angle 1.3-1.8 (measured),
and of all such darkness inside the square and in the window's margin beyond the printed
border, at most MARGIN_SHARE lies in the margin (a voter's strokes stay mostly in the
square; a tick's long arm past its corner: 0.21). Asked only where the closer look took no line out of the
window, its score and the score against the local paper are both at least `marked`, and
there is no pen-dark or thin evidence (its last branch). Then the square is `marked`.

Where it stops. A light stroke narrower than about 1 mm is the thin top-hat's (the closer
look's other tests); one wider than HAT_MM reads as a fill (`is_fill`). A stain shaped like
two crossing bars, darker than CONTRAST against the paper round it and inside one square,
would read `marked`: the generator has none (its stains are 5-45 mm ellipses with a soft rim
under 0.35 darkness), nor has any dev seed measured (`pass40/broad-probe.*`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# OFF (a study): an outside attack (docs/reading.md, "Fortieth pass"; benchmarks/results/pass40/
# broad40-attack.*) found a coffee ring's broad rim straddling the square (150 dpi, 0.4 dark, 1.4 mm)
# and show-through letters at 30-38 % with 1.4 mm strokes read `marked` with it on and not with it
# off, and some 60 more non-marks it said yes to that only erase9 sent back. Its MARGIN_SHARE sees
# 0.7 mm beyond the printed border; what runs on past the window is never looked at.
ENABLED = False
HAT_MM = 3.5  # the closing's ellipse: strokes narrower than this seen at their own contrast
CONTRAST = 0.25  # of the closing's grey: light pencil 0.3-0.5; show-through 0.05-0.15
AREA_MM2 = 6.0  # the run inside the square (measured: marks 8.8-15.4, empty squares <= 2.7)
REACH_MM = 3.7  # the run's box, its longer side (the inside is about 4.7 mm)
HALF_WIDTH_MM = 1.3  # no pixel of the run further than this from its edge (measured: 0.8-1.2)
SPREAD_MM = 0.55  # the run's spread across its main axis (a 1.3 mm bar: 0.38; marks 0.68-1.28)
TWO_ARMS = 1.2  # its 5-95 % extent across, against its widest point's width (a band: 0.9)
MARGIN_SHARE = 0.25  # of the darkness inside and beyond the printed border, beyond it at most


def darkness(win: np.ndarray, scale: float) -> np.ndarray:
    """Each pixel's darkness against the window's grey closing over an ellipse HAT_MM wide."""
    k = max(3, int(HAT_MM * scale) | 1)
    se = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(win, cv2.MORPH_CLOSE, se).astype(np.float32)
    out: np.ndarray = (closed - win.astype(np.float32)) / np.maximum(closed, 1.0)
    return out


def seen_at(win: np.ndarray, scale: float, contrast: float, open_mm: float = 0.0) -> np.ndarray:
    """The window's pixels at `contrast` or darker (`darkness`), opened over an ellipse open_mm
    across (at least 3 px) where open_mm > 0."""
    seen: np.ndarray = darkness(win, scale) >= contrast
    if open_mm > 0:
        k = max(3, round(open_mm * scale) | 1)
        se = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        seen = cv2.morphologyEx(seen.astype(np.uint8), cv2.MORPH_OPEN, se) > 0
    return seen


def strokes(win: np.ndarray, inside: np.ndarray, margin: np.ndarray, scale: float) -> bool:
    """Broad light strokes in the square (the module's rule). `inside`: the square's inside;
    `margin`: the window beyond the printed border."""
    return strokes_run(win, inside, margin, scale) is not None


def strokes_run(
    win: np.ndarray,
    inside: np.ndarray,
    margin: np.ndarray,
    scale: float,
    lighter: tuple[float, float, float, float] | None = None,
) -> np.ndarray | None:
    """`strokes`' tests, answered with the run they passed (0/1: the largest 8-connected run of
    what is seen inside the square) or None. `lighter`: grey48's (contrast, area_mm2, spread_mm,
    open_mm) in place of CONTRAST, AREA_MM2 and SPREAD_MM (a light pencil's narrower strokes),
    what is seen first opened over an ellipse open_mm across (at least 3 px): a hair's or a
    streak's blur is narrower than a pencil's stroke."""
    contrast, area_mm2, spread_mm, open_mm = (
        (CONTRAST, AREA_MM2, SPREAD_MM, 0.0) if lighter is None else lighter
    )
    seen = seen_at(win, scale, contrast, open_mm)
    n_seen = int((seen & (inside | margin)).sum())  # the printed border's own line left out
    if n_seen == 0 or int((seen & margin).sum()) > MARGIN_SHARE * n_seen:
        return None
    mask = (seen & inside).astype(np.uint8)
    n, labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 2:
        return None
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[big, cv2.CC_STAT_AREA] < area_mm2 * scale * scale:
        return None
    if max(stats[big, cv2.CC_STAT_WIDTH], stats[big, cv2.CC_STAT_HEIGHT]) < REACH_MM * scale:
        return None
    run = (labels == big).astype(np.uint8)
    half_width = float(cv2.distanceTransform(run, cv2.DIST_L2, 5).max())
    if half_width > HALF_WIDTH_MM * scale:
        return None
    spread, extent = across(run)
    return run if spread >= spread_mm * scale and extent >= TWO_ARMS * 2 * half_width else None


def across(run: np.ndarray) -> tuple[float, float]:
    """The run's pixels across its main axis (the axis of their covariance's larger
    eigenvalue), px: their standard deviation and their 5-95 % extent."""
    ys, xs = np.nonzero(run)
    x, y = xs - xs.mean(), ys - ys.mean()
    a, b, c = float((x * x).mean()), float((x * y).mean()), float((y * y).mean())
    theta = 0.5 * math.atan2(2 * b, a - c)  # the main axis
    d = y * math.cos(theta) - x * math.sin(theta)
    lo, hi = np.percentile(d, [5.0, 95.0])
    return float(d.std()), float(hi - lo)
