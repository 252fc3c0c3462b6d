"""A light stroke drawn along a fold or a crease (issue 10, the twenty-fourth pass: fold24).

The closer look takes a straight band that goes on beyond the window out as the paper's
line, with its level: the median of the band's ink along it inside the square. A voter's
light pencil stroke drawn along a dark fold over most of the square IS that median, and
goes out with the line: a vote read blank (red23: 47 of 201 light-pencil strokes along a
dark fold or crease). `wrong8.stroke_on_lines` is the guard for a stroke on a line (the band
carries more ink through the square than the line beyond the window), but on a dark fold it
judges no position inside the square: the fold with the pencil on it is darker than
`wrong8.PRINT_DARK` (taken for print), the fold's one-sided shadow makes the two sides differ
by `wrong8.SIDE_STEP` (on stained paper), and the light stroke adds less than
`wrong8.EXCESS_SHARE` of a dark fold's own level.

A fold or a crease is the same along its whole length across the page; a stroke along it
adds ink over only part of it. `excess_along` measures the band's ink integrated across it
(`band_ink`) inside the square's inside and beyond the window at both ends, as wrong8 does,
with three differences made for a dark line of the paper:

- inside the square's inside there is no print, so no sample there is taken for print
  (beyond the window the print test stays: print of the page lies there); a position whose
  band reaches past the inside (a line near the printed border, the border's blur in the
  band) is not judged, and the paper beside it is taken from samples within the inside;
- the paper beside the band is the LIGHTER of its two sides (the fold's shadow darkens one
  side; a stroke beside the band or a stain's edge cannot lighten it), at every position
  both inside and beyond, so the two are measured alike;
- the excess is an absolute amount of ink (EXCESS_MM), not a share of the line's level.

A square the rule answers for goes to the commission (`marginal_mark`), never `marked`: the
test only keeps a square from being read `empty`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import lines7, speed32, wrong8

ENABLED = True  # `stroke_on_fold` (off: the reader as 5614af5)
# The band, its slack beyond the window, the paper's distance, the steps and the reach
# beyond the window are wrong8's (`wrong8.BAND_MM`, ...): the same line, measured alike.
EXCESS_MM = 0.03  # a stroke on the line: its integrated ink at least this much above the line's ...
ALONG_MM = 2.0  # ... over at least this much of the line's length inside the square (wrong8's)
# Another line taken out that runs within this angle of the line (the same fold found twice,
# its shadow's edge, a wide fold's two flanks) runs alongside it beyond the window too, where
# the wider band and the paper beside it measure it alike: it is not masked (wrong8 masks
# every other line by the cross-section's whole reach, which on a parallel line is the whole
# chord: red23's wide fold, two lines 0.6 mm apart, judged nowhere).
PARALLEL_DEG = 20.0
SIDE_MIN = 2  # a side's median inside the square from at least this many samples (pixels)


def band_ink(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    band: int,
    side: tuple[int, int],
    inside: tuple[float, float, float] | None,
) -> np.ndarray:
    """At each position (px, py): the darkness of the band (whole-pixel offsets -band..band
    along the normal (nx, ny)) against the paper beside it (the lighter of the two sides'
    medians over offsets side[0]..side[1] each way), summed across the band, in pixels.
    Without `inside` (beyond the window): nan where a sample is off the image or one is
    `wrong8.PRINT_DARK` darker than that paper (print). With `inside` ((x, y, r): the
    square's middle and the inside's half side, px; no print lies within it): nan where a
    band sample lies beyond it (the printed border's blur in the band); a side's samples
    beyond it are left out of its median, a side with fewer than SIDE_MIN left is not
    used, nan where neither is."""
    offs, qx, qy, ok, g = wrong8.band_samples(image, px, py, nx, ny, side)
    a = np.abs(offs)
    bad = ~ok
    if inside is not None:
        beyond = np.maximum(np.abs(qx - inside[0]), np.abs(qy - inside[1])) > inside[2]
        bad = bad | beyond[a <= band].any(axis=0)
        g = np.where(beyond & (a >= side[0])[:, None], np.nan, g)
    sides = []
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for pick in ((offs < 0) & (a >= side[0]), (offs > 0) & (a >= side[0])):
            m = speed32.nanmedian(g[pick], 0)
            m[np.isfinite(g[pick]).sum(axis=0) < SIDE_MIN] = np.nan
            sides.append(m)
        paper = np.fmax(sides[0], sides[1])
        bad = bad | np.isnan(paper)
        paper = np.maximum(np.nan_to_num(paper, nan=255.0), 1.0)
        if inside is None:
            bad = bad | (np.where(np.isnan(g), np.inf, g).min(axis=0) <= (1.0 - wrong8.PRINT_DARK) * paper)
        out = (1.0 - g[a <= band] / paper).sum(axis=0)
    out[bad] = np.nan
    return np.asarray(out)


def excess_along(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    others: Sequence[tuple[float, float]] = (),
) -> tuple[float, float, float]:
    """(the line's own level beyond the window in mm, nan if not measured at either end; the
    length in mm of the square's inside where the band carries EXCESS_MM more; the largest
    excess there in mm, a running median over three positions). Positions inside whose
    cross-section reaches the band of another line taken out (`others`) are not judged."""
    from kiosk.reading.inspect import _chord

    fx, fy, c, s, t_lo, t_hi = lines7._geometry(centre, theta, rho, half)
    band = max(1, round(wrong8.BAND_MM * scale))
    wide = max(band, round((wrong8.BAND_MM + wrong8.BAND_SLACK_MM) * scale))
    side = (band + max(1, round(wrong8.SIDE_MM[0] * scale)), band + max(2, round(wrong8.SIDE_MM[1] * scale)))
    side_wide = (wide + side[0] - band, wide + side[1] - band)
    if t_hi <= t_lo:
        return math.nan, 0.0, math.nan
    owns = []
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        ts = t_edge + sign * np.arange(wrong8.BEYOND_MM[0], wrong8.BEYOND_MM[1], wrong8.STEP_MM) * scale
        v = band_ink(image, fx - ts * s, fy + ts * c, c, s, wide, side_wide, None)
        v = v[np.isfinite(v)]
        if len(v) >= wrong8.MIN_JUDGED:
            owns.append(float(np.median(v)) / scale)
    if not owns:
        return math.nan, 0.0, math.nan
    own = max(0.0, max(owns))
    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale - 1
    i_lo, i_hi = _chord(rho, c, s, inner)
    if i_hi - i_lo < ALONG_MM * scale:
        return own, 0.0, math.nan
    ts = np.arange(i_lo, i_hi, wrong8.STEP_MM * scale)
    v = band_ink(image, fx - ts * s, fy + ts * c, c, s, band, side, (centre[0], centre[1], inner)) / scale
    x, y = rho * c - ts * s, rho * s + ts * c  # about the square's middle
    for th, rh in others:
        # the cross-section (along this line's normal) reaches the other line's band where
        # its middle is within band + side[1] * |cos| of it (|cos|: the angle between the
        # normals; across a perpendicular line the cross-section runs along it)
        cos = abs(math.cos(th - theta))
        if cos < math.cos(math.radians(PARALLEL_DEG)):
            v[np.abs(x * math.cos(th) + y * math.sin(th) - rh) <= band + side[1] * cos] = np.nan
    padded = np.concatenate([v[:1], v, v[-1:]])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smooth = speed32.nanmedian(np.stack([padded[:-2], padded[1:-1], padded[2:]]), 0)
        more = smooth >= own + EXCESS_MM
        top = float(np.nanmax(smooth)) - own if np.isfinite(smooth).any() else math.nan
    return own, float(more.sum() * wrong8.STEP_MM), top


def stroke_on_fold(
    image: np.ndarray,
    centre: tuple[float, float],
    lines: list[tuple[float, float]],
    half: int,
    scale: float,
) -> bool:
    """For the lines the closer look took out ((theta, rho) each): does one of them carry
    EXCESS_MM more ink through the square's inside than beyond the window, over ALONG_MM
    (`excess_along`)? The closer look's hook beside wrong8's: a square it would read `empty`
    goes to the commission."""
    if not ENABLED:
        return False
    for k, (th, rh) in enumerate(lines):
        own, length, _top = excess_along(image, centre, th, rh, half, scale, lines[:k] + lines[k + 1 :])
        if math.isfinite(own) and length >= ALONG_MM:
            return True
    return False
