"""A light pencil fill inside the square, read `empty` by the closer look (issue 10, blob16: seed
10500 sheet 52303, c05).

Why. The sixteenth pass's untouched run read a grey pencil scribble (a filled blob about 4 by
2 mm in the lower half of the square; AST-SMD-07, 250 dpi; crease, show-through, pencil, faint
streak) `empty`, and its contest `blank`: a vote lost on a sheet that was not sent to review.
A scanner's streak (contrast 0.24) ran through the square; the closer look found it and took
it out, and what was left scored 0.0146, under `marginal`. The closer look's last `empty`
reads "no stroke and no dark ink" under `marginal` as darkened paper (a stain's edge, a
shadow): its stroke tests (top-hat `faint_stroke`, `pencil_stroke`, the lines' own tests)
look for strokes, and a smooth fill has none: its box-mean contrast against the paper beside
it is only at its edges, in runs wider than a stroke or lying along the square's sides.

The rule (`fill_inside`, asked by `inspect._fill_inside` on that `empty`, with the lines the
closer look took out divided out of the window): the ink against the square's paper (its
ring's lightest side), box-averaged over FILL_BOX_MM, has a connected region inside the
square at FILL_INK or more, of FILL_AREA_MM2 or more, at least FILL_WIDE_MM wide (area over
its principal length: not a stroke or a line's remnant), not reaching across the inside from
one side to the opposite one (a line, a fold or a stain's edge crosses it), while the window's margin (outside
the printed border's zone) stays under MARGIN_SHARE of the region's median ink at its 95th
percentile (a stain's edge or a shadow that darkens the square darkens the paper around it
too). Found: review (`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. A fill fainter than FILL_INK or smaller than FILL_AREA_MM2 stays `empty`; a
fill on a sheet whose margin around the square is as dark (a stain over the square and around
it) is left to the stain tests; a small drop or smudge lying wholly inside a square goes to
the commission with the fill. docs/reading.md, "Sixteenth pass: a light fill inside the
square (blob16)".
"""

from __future__ import annotations

import cv2
import numpy as np

# False: the closer look's `empty` stays `empty` (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

FILL_BOX_MM = 0.6  # the box the ink is averaged over (graphite's grain, JPEG noise)
FILL_INK = 0.08  # a fill: this much darker than the paper ...
FILL_AREA_MM2 = 3.0  # ... over at least this much of the inside ...
FILL_WIDE_MM = 1.0  # ... at least this wide (area over length): not a stroke
MARGIN_SHARE = 0.5  # the margin's 95th percentile stays under this share of the fill's median
SPAN_SHARE = (
    0.85  # the fill's length stays under this share of the inside's side (a line, an edge crosses it)
)


def fill_inside(
    win: np.ndarray, inside: np.ndarray, margin: np.ndarray, scale: float, paper: float, gain: float
) -> bool:
    """True when the window (lines divided out) holds a fill inside the square and the
    margin does not share its darkening (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    ink = np.clip(gain * (1.0 - win.astype(np.float32) / max(1.0, paper)), 0.0, 1.0)
    k = max(3, round(FILL_BOX_MM * scale) | 1)
    ink = cv2.blur(ink, (k, k))
    mask = (inside & (ink >= FILL_INK)).astype(np.uint8)
    if int(mask.sum()) < FILL_AREA_MM2 * scale * scale:
        return False
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    edge = float(np.percentile(ink[margin], 95)) if margin.any() else 0.0
    rows, cols = np.nonzero(inside.any(axis=1))[0], np.nonzero(inside.any(axis=0))[0]
    for j in range(1, n):
        area = int(stats[j, cv2.CC_STAT_AREA])
        if area < FILL_AREA_MM2 * scale * scale:
            continue
        ys, xs = np.nonzero(labels == j)
        across = (ys.min() <= rows[0] and ys.max() >= rows[-1]) or (
            xs.min() <= cols[0] and xs.max() >= cols[-1]
        )
        if across or area / scale / max(_length(ys, xs), 1e-6) < FILL_WIDE_MM:
            continue
        if edge < MARGIN_SHARE * float(np.median(ink[ys, xs])):
            return True
    return False


def _length(ys: np.ndarray, xs: np.ndarray) -> float:
    """The region's extent along its principal axis, px."""
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    pts -= pts.mean(axis=0)
    _w, v = np.linalg.eigh(pts.T @ pts)
    proj = pts @ v[:, -1]
    return float(proj.max() - proj.min() + 1.0)
