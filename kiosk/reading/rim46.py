"""A line that bends on is not a line that stops (issue 10, the forty-third pass, session 46:
rim46; built, OFF).

`inspect.line_stops_short` sends a square to the commission when a line the crossing-line
rule took out of the window is gone 4-10 mm beyond it at one end: a tick's long arm across
the window's corner goes on 1-4 mm past the window and stops. It follows the line straight
on, turned up to 6 degrees. A stain's rim (tea, water: a ring of darker paper round the
stain, 2.5 mm to several cm across) or a crease that bends does not stop there: it curves
away, and 4-10 mm on it lies a millimetre or more off any straight path. On the dev sheets
(seeds 198-203, 4,650 sheets) the rule fired on 164 empty squares and 3 real marks; most
of the empty ones were such rims.

`bends_on` asks, at an end `line_stops_short` found gone, whether the line goes on along an
arc tangent to it (where it leaves the window, and with MIDDLE at the middle of its chord: a
tight rim's fitted line is a chord of it), bending either way with one of BENDS radii from
MIN_RADIUS_MM to MAX_RADIUS_MM: seen there, 4-10 mm on along the arc, at PENCIL_LINE_ENDS of
its contrast through the window or more, measured as `inspect._path_contrast` measures a
straight path (the darkest of the paths within 0.3 mm of the arc against the paper 1.2 mm
either side, across the arc's own direction at each position; pen-dark print left out). Then
the end is not gone and the rule does not fire there.

Where it stops, and why it is OFF: a hand's curved stroke and a rim look alike to this
measure. An outside attack found pencil hooks and rounded ticks (radius down to 4 mm: an arc
within 0.3 mm plus the stroke's width counts), ticks and strokes beside a tea rim or a crease
(the arc follows the rim on), hand-curved long arms, and arcs along the next square's printed
border or the row line (print's blurred grey edge is not left out) read `empty`. A clean tick
whose arm ends 1.5-3 mm past the window, and a 4.5 mm circle, are not followed
(tests/test_rim46.py).
No fast version (asked only where `line_stops_short` would fire), so no slow reference.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import lines6

# OFF: an outside attack (benchmarks/results/pass46/rim46-helper-attack.txt) had it read 377 real
# light pencil marks `empty` (hooks, rounded ticks, ticks beside a rim or a crease; docs, forty-third pass)
ENABLED = False

MIN_RADIUS_MM = 6.0  # a tighter curve is a hand's (a circle round the square)
MAX_RADIUS_MM = 30.0  # a flatter curve: the straight look's turned paths already follow it
BENDS = 16  # the arcs tried each way, evenly spaced in curvature: two neighbours part by under
# 0.45 mm 14 mm on, within the darkest-of-paths band of a 0.3 mm rim's +-0.3 mm
RADII_MM = tuple(float(1.0 / k) for k in np.linspace(1.0 / MAX_RADIUS_MM, 1.0 / MIN_RADIUS_MM, BENDS))
MIDDLE = True  # arcs tangent at the middle of the line's chord too (a tight rim's fit is a chord)


def arc_contrast(
    image: np.ndarray,
    ex: float,
    ey: float,
    direction: tuple[float, float],
    radius_px: float,
    side: float,
    us: np.ndarray,
    scale: float,
    beside_mm: float,
    line_faint: float,
    on_image: float,
) -> float:
    """`inspect._path_contrast` along an arc: from (ex, ey), leaving along `direction` (a
    unit vector), curving towards its left normal (-dy, dx) (`side` +1) or away from it
    (-1) with `radius_px`, at arc lengths `us` (px). Positions over print are left out;
    fewer than `on_image` of them on the image, or none left: 0 (not seen)."""
    dx, dy = direction
    nx, ny = -dy, dx  # the left normal of the direction
    a = us / radius_px
    px = ex + radius_px * (np.sin(a) * dx + side * (1.0 - np.cos(a)) * nx)
    py = ey + radius_px * (np.sin(a) * dy + side * (1.0 - np.cos(a)) * ny)
    # the arc's own normal at each position
    cx = np.cos(a) * nx - side * np.sin(a) * dx
    cy = np.cos(a) * ny - side * np.sin(a) * dy
    hh, ww = image.shape
    groups = [lines6.path_offsets(at, scale) for at in (0.0, -beside_mm * scale, beside_mm * scale)]
    out = []
    for group in groups:
        offs = np.asarray(group, np.float64)[:, None]
        qx = np.rint(px[None, :] + offs * cx[None, :]).astype(np.int64)
        qy = np.rint(py[None, :] + offs * cy[None, :]).astype(np.int64)
        ok = (qx >= 0) & (qy >= 0) & (qx < ww) & (qy < hh)
        v = np.full(qx.shape, np.nan)
        v[ok] = image[qy[ok], qx[ok]]
        out.append(v.min(axis=0))  # NaN anywhere in a column: NaN
    on, left, right = out
    with np.errstate(invalid="ignore"):
        paper = (left + right) / 2
        v = 1.0 - on / np.maximum(paper, 1.0)
        ok = np.isfinite(v)
        if float(ok.mean()) < on_image:
            return 0.0  # an arc mostly off the image says nothing
        level = float(np.median(np.maximum(left, right)[ok]))
        ok &= np.minimum(np.minimum(on, left), right) > (1.0 - line_faint) * level
    v = v[ok]
    return float(np.median(v)) if len(v) else 0.0


def bends_on(
    image: np.ndarray,
    anchors: list[tuple[float, float, float]],
    direction: tuple[float, float],
    need: float,
    far_mm: tuple[float, float],
    scale: float,
    beside_mm: float,
    line_faint: float,
    on_image: float,
) -> bool:
    """Does the line go on along an arc of RADII_MM either way, tangent to it at one of
    `anchors` (x, y, and the px from there along `direction` to where the line leaves the
    window), seen at `need` or more from far_mm[0] to far_mm[1] beyond the window along it?"""
    if not ENABLED:
        return False
    for ax, ay, lead in anchors:
        us = lead + np.arange(far_mm[0], far_mm[1], 0.25) * scale
        for r in RADII_MM:
            for side in (-1.0, 1.0):
                got = arc_contrast(
                    image, ax, ay, direction, r * scale, side, us, scale, beside_mm, line_faint, on_image
                )
                if got >= need:
                    return True
    return False
