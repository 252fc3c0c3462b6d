"""Sixth pass (issue 10, branch stain6): a thumb print's ridges over an empty square.

A thumb leaves a greasy smudge drawn with the ridges of the skin, fine parallel lines
about 0.45 mm apart that cover the square, its window and the paper around it. Each
ridge is a thin faint stroke that runs on beyond the window, so the closer look took
ridges for lines of the paper (`find_crossing_line`) and the next ridge beside them for
a faint pencil stroke, or the box-mean pencil test (`pencil_stroke`) found a ridge inside
the square; either way the square went to the commission (`marginal_mark`,
`possible_stain`) though a careful human sees only a thumb print.

The rule (`ridge_measures`, `ridges_explain`, asked through `thumb_score`): blur the
window with a Gaussian of RIDGE_SIGMA_MM (0.4 mm), the printed border's zone and the print
beyond the window left out of every average (normalised convolution), which takes out what
is periodic finer than about 1 mm (ridges 0.45 mm apart keep nothing, 1 mm apart about 4 %)
and keeps about 40 % of the contrast of a stroke 0.4 mm wide; the paper under it is the
grey closing over RIDGE_CLOSE_MM (as `inspect.paper_closing`). Measured against that paper,
the printed border's zone left out:
- `peak`: the darkest blurred pixel of the square's inside and of the window's margin. A
  stroke, a dot, a fold, a tea stain's dried rim or a water ring survive the blur and are
  darker than RIDGE_PEAK (0.03); the ridges are not.
- `inside`, `outside`: the blurred ink left inside the square and in the margin (share of
  the inside): under RIDGE_INK (a third of `marginal`) each.
- `stroke_in`, `stroke_out`: the strongest `inspect.stroke_contrast` (the box-mean pencil
  test's measure) inside and in the margin: ridges in the margin (RIDGE_STROKES) and nothing
  inside stronger than them by RIDGE_STROKE_EXCESS: a voter's stroke over the ridges is.
- `texture_in`, `texture_out`: mean |pixel - blurred| against the paper, inside and in the
  margin: at least RIDGE_TEXTURE both, the inside at most RIDGE_BALANCE times the margin's
  (not rougher than the paper around it: graphite's grain).
A square the ridges explain, with no pen-dark pixel and no darkening that stops at the
printed border (`inspect.stain_measures`' `pen`, `step`, `darker`, as `paper_explains` asks),
is `empty`. It is asked only after the dot rule and the evidence of a hand (ink >= 0.5 or
thin contrast >= 0.2 inside the square) have had their say, so a pen mark or a hesitation dot
under a thumb is decided as before.

Where it stops: a light pencil stroke under a thumb print fainter than about 0.07 of
contrast (0.03 once blurred) and no stronger than the ridges beside it is taken for the
ridges; ridges coarser than about 1 mm survive the blur and go to review as before; tea
rims and water rings are untouched (they survive the blur). docs/reading.md, "Sixth pass:
stains".

`reference.ridge_measures_reference` is the same with the blur and the closing written
out in loops; `tests/test_stains6.py` checks that they agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE

RIDGE_SIGMA_MM = 0.4  # the blur that takes out the skin's ridges (0.45-1 mm apart)
RIDGE_CLOSE_MM = 2.5  # the paper: a grey closing this wide (as inspect.STAIN_CLOSE_MM)
RIDGE_PEAK = 0.03  # no pixel of the blurred inside or margin this much darker than the paper
RIDGE_INK = 1 / 3  # of `marginal`: the blurred ink left inside and in the margin, each at most
RIDGE_TEXTURE = 0.008  # the ridges' mean contrast, in the margin and inside, at least
RIDGE_BALANCE = 1.5  # the inside's texture at most this times the margin's
RIDGE_STROKES = 0.03  # the margin's strongest stroke (`inspect.stroke_contrast`) at least
RIDGE_STROKE_EXCESS = 0.015  # the inside's strongest stroke at most this above the margin's


@dataclass(frozen=True)
class RidgeMeasures:
    """What `ridge_measures` finds in one window (ink units; `inside`, `outside` as a
    share of the square's inside, as the score)."""

    peak: float  # the darkest blurred pixel of the inside and the margin
    inside: float  # the blurred ink inside the square
    outside: float  # the blurred ink in the window's margin
    texture_in: float  # mean |pixel - blurred| inside
    texture_out: float  # the same in the margin
    stroke_in: float  # the strongest stroke contrast inside
    stroke_out: float  # the strongest stroke contrast in the margin


def ridge_blur(region: np.ndarray, weight: np.ndarray, scale: float) -> np.ndarray:
    """The Gaussian blur (RIDGE_SIGMA_MM) of `region` over the pixels where `weight` is
    true (normalised convolution: the printed border's zone and the print beyond the
    window are left out of every average); where no weighted pixel is near, the pixel
    itself. Float64."""
    s = RIDGE_SIGMA_MM * scale
    k = 2 * math.ceil(3 * s) + 1
    f = region.astype(np.float64)
    w = weight.astype(np.float64)
    num = cv2.GaussianBlur(f * w, (k, k), s, borderType=cv2.BORDER_REPLICATE)
    den = cv2.GaussianBlur(w, (k, k), s, borderType=cv2.BORDER_REPLICATE)
    out: np.ndarray = np.where(den > 1e-3, num / np.maximum(den, 1e-3), f)
    return out


def ridge_closing(blurred: np.ndarray, scale: float) -> np.ndarray:
    """The paper under the blurred window: a grey closing over RIDGE_CLOSE_MM (an ellipse)."""
    k = max(3, int(RIDGE_CLOSE_MM * scale) | 1)
    out: np.ndarray = cv2.morphologyEx(
        blurred, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    return out


def ridge_measures(
    ext: np.ndarray,
    weight: np.ndarray,
    inside: np.ndarray,
    margin: np.ndarray,
    strokes: np.ndarray,
    scale: float,
    gain: float,
    denominator: float,
) -> RidgeMeasures:
    """`ext`: the window and RIDGE_CLOSE_MM + the blur's reach around it (grey, uint8);
    `weight`: the window less the printed border's zone; `inside`, `margin`: masks of
    `ext` (the square's inside; the window's margin outside the zone); `strokes`: the
    stroke contrast (`inspect.stroke_contrast`) over `ext`'s pixels, nan where not looked at."""
    g = ridge_blur(ext, weight, scale)
    paper = np.maximum(ridge_closing(g, scale), 1.0)
    ink = np.clip(gain * (1.0 - g / paper), 0.0, 1.0)
    tex = gain * np.abs(ext.astype(np.float64) - g) / paper
    seen = inside | margin
    s_in, s_out = strokes[inside], strokes[margin]
    return RidgeMeasures(
        peak=float(ink[seen].max()) if seen.any() else 0.0,
        inside=float(ink[inside].sum()) / denominator,
        outside=float(ink[margin].sum()) / denominator,
        texture_in=float(tex[inside].mean()) if inside.any() else 0.0,
        texture_out=float(tex[margin].mean()) if margin.any() else 0.0,
        stroke_in=float(np.nanmax(s_in)) if np.isfinite(s_in).any() else 0.0,
        stroke_out=float(np.nanmax(s_out)) if np.isfinite(s_out).any() else 0.0,
    )


def ridges_explain(m: RidgeMeasures, marginal: float) -> bool:
    """Does a ridge field (a thumb print) explain the window: ridges in the margin and
    inside (texture, and strokes in the margin), the inside no rougher than the margin
    and holding no stroke stronger than the margin's, and once the ridges are blurred
    out nothing darker than RIDGE_PEAK and little ink left inside and around?"""
    return (
        m.texture_out >= RIDGE_TEXTURE
        and m.texture_in >= RIDGE_TEXTURE
        and m.texture_in <= RIDGE_BALANCE * m.texture_out
        and m.stroke_out >= RIDGE_STROKES
        and m.stroke_in <= m.stroke_out + RIDGE_STROKE_EXCESS
        and m.peak < RIDGE_PEAK
        and m.inside < RIDGE_INK * marginal
        and m.outside < RIDGE_INK * marginal
    )


def ridge_look(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    denominator: float,
    strokes: np.ndarray,
    inner_mm: float,
    inset_mm: float,
    zone_out_mm: float,
) -> RidgeMeasures:
    """`ridge_measures` for the square at `centre` (image px) whose window is `half`
    px: the inside up to `inner_mm` from the centre (box distance), the printed border's
    zone up to `zone_out_mm`, the margin from there to the window's edge; `strokes`: the
    window's `inspect.stroke_contrast`, looked at inside up to `inset_mm` and in the margin."""
    from kiosk.reading.crop import placed as _window  # tidy8: was inspect._window

    e = math.ceil(RIDGE_CLOSE_MM * scale) + math.ceil(3 * RIDGE_SIGMA_MM * scale) + 1
    ext, ex0, ey0 = _window(image, centre[0], centre[1], half + e)
    _, x0, y0 = _window(image, centre[0], centre[1], half)
    h, w = ext.shape
    wy, wx = y0 - ey0, x0 - ex0
    hw, ww = strokes.shape
    in_window = np.zeros((h, w), np.bool_)
    in_window[wy : wy + hw, wx : wx + ww] = True
    cx, cy = centre[0] - ex0, centre[1] - ey0
    ys = np.arange(h)[:, None] - cy
    xs = np.arange(w)[None, :] - cx
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= inner_mm * scale
    zone = ~inside & (box <= zone_out_mm * scale)
    margin = in_window & ~inside & ~zone
    sc = np.full((h, w), np.nan)
    sc[wy : wy + hw, wx : wx + ww] = strokes
    sc[inside & (box > inset_mm * scale)] = np.nan
    return ridge_measures(ext, in_window & ~zone, inside, margin, sc, scale, gain, denominator)


def thumb_score(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    denominator: float,
    win: np.ndarray,
    paper: float,
    inside: np.ndarray,
    border: np.ndarray,
    marginal: float,
) -> float | None:
    """The hook in `inspect.inspect_square`, after the dot rule and the evidence of a hand:
    the square's score (the blurred ink left inside) if a thumb print's ridges explain its
    window (`ridges_explain`) and the paper of the neighbourhood finds no pen-dark pixel
    and no darkening that stops at the printed border (`inspect.stain_measures`' `pen`,
    `step`, `darker`, as `inspect.paper_explains` asks); else None."""
    from kiosk.reading import inspect as ins  # the closer look imports this module

    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    m = ridge_look(
        image,
        centre,
        half,
        scale,
        gain,
        denominator,
        ins.stroke_contrast(win, scale, paper, gain),
        inner / scale,
        inner / scale - ins.PENCIL_INSET_MM,
        TARGET / 2 + 0.5,
    )
    if not ridges_explain(m, marginal):
        return None
    s = ins.stain_measures(image, centre, half, scale, gain, inside, border, ~border, denominator)
    if s.pen < ins.STAIN_PEN and s.step < ins.STAIN_STEP and s.darker < ins.STAIN_DARKER:
        return m.inside
    return None
