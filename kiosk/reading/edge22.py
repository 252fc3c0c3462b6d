"""Twenty-second pass (issue 10, branch edge22): a printed border's inner edge taken for a hand.

The twenty-first pass's untouched run (seed 11000) read one EMPTY square `marked` (sheet
29178, AST-LIST, 300 dpi, option auyl, 0.11): a soft stain with no rim covers the square's
left half and a fold's shadow crosses it. The closer look (`inspect.inspect_square`) found
no crossing line (the shadow is wider than the top-hat), the score against the paper was
over `marked`, and its evidence held 37 pixels at `rims7.HOOK_PEN`, over rims7's speck
bound (`rims7.PEN_SPECK_MM2`, 35.8 px at 300 dpi): a hand's pen, so rims7's and stain9's
hooks did not ask whether the rest is the paper's. Those 37 pixels are one row along the
inner edge of the top printed border: the border, slightly skewed in its window, darkened
by the fold's shadow over its blur, reaches the outermost row of the inside (0.35 mm in
from the border as the closer look places it).

The rule (`hugging_pen`, asked in `inspect.inspect_square` only where a square would be
read `marked` with the hooks silenced by that pen count): when the pen-dark evidence is
over the speck bound, but the pixels of it beyond HUG_MM of the inside's edge are fewer
than the bound and none of them touches the run along the edge (nothing leaves the
border's edge into the inside), the pen count is the printed border's, not a hand's: the
square is not read `marked` on it. It goes to review, with rims7's and stain9's reason when
they, asked without the edge's pixels, take the rest for the paper's (`possible_stain`),
else `marginal_mark`. Never `empty`: a real stroke drawn along the inside of a border is
such a run too, and the commission sees it.

Where it stops: a square whose pen count is under the bound was asked by the hooks before
and still is; evidence off the edge (a tick, a cross, a fill, felt tip) keeps its reading.
A light mark (no pixel at HOOK_PEN of its own) in a square whose border reaches the inside
goes to review instead of `marked`: the price (docs/reading.md, "Twenty-second pass: ...
(edge22)").
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from kiosk.reading import kernels, rims7
from kiosk.reading.model import ReviewReason

ENABLED = True  # benchmarks/results/pass22/edge22-ab.py.txt reads each sheet with it off too

# The inside starts 0.35 mm in from the printed border's inner edge; a border's blur (about
# 2 px at 300 dpi) darkened by a shadow, or drawn in by a skew of a degree or two and the
# registration's residual, reaches its outermost 1-2 px (3 px at 300 dpi is 0.25 mm; at
# 150 dpi the band is 1-2 px). A pen stroke is 0.3-1 mm wide: its pen-dark core crosses
# the band inward unless it lies along the border itself.
HUG_MM = 0.25


def hugging_pen(
    ink: np.ndarray, evidence: np.ndarray, box: np.ndarray, inner: float, scale: float
) -> np.ndarray | None:
    """The pen-dark evidence along the inside's edge (a mask of the window) when it alone
    carries rims7's pen count over its speck bound: `evidence & (ink >= rims7.HOOK_PEN)`
    holds at least `rims7.PEN_SPECK_MM2 * scale**2` pixels, those beyond HUG_MM of the
    inside's edge (`box > inner - HUG_MM * scale`: `box` the Chebyshev distance from the
    centre, `inner` the inside's half width) are fewer, and none of them is 8-adjacent to
    one within it. Else None."""
    if not ENABLED:
        return None
    bound = rims7.PEN_SPECK_MM2 * scale * scale
    if (
        ink.dtype == np.float64
        and evidence.dtype == np.bool_
        and box.dtype == np.float64
        and ink.ndim == 2
        and ink.shape == evidence.shape == box.shape
    ):
        # speed68: the three counts the answer None rests on, in one compiled pass over the
        # window (numpy made six); the masks are made only where they do not answer
        pen_n, off_n, hug_n = kernels.hug_counts(ink, evidence, box, rims7.HOOK_PEN, inner - HUG_MM * scale)
        if pen_n < bound or off_n >= bound or hug_n == 0:
            return None
    return hugging_pen_reference(ink, evidence, box, inner, scale)


def hugging_pen_reference(
    ink: np.ndarray, evidence: np.ndarray, box: np.ndarray, inner: float, scale: float
) -> np.ndarray | None:
    """`hugging_pen` in numpy alone (the code before speed68)."""
    if not ENABLED:
        return None
    pen = evidence & (ink >= rims7.HOOK_PEN)
    bound = rims7.PEN_SPECK_MM2 * scale * scale
    if int(pen.sum()) < bound:
        return None
    zone = box > inner - HUG_MM * scale
    hug = pen & zone
    off = pen & ~zone
    if int(off.sum()) >= bound or not hug.any():
        return None
    if off.any():
        near = cv2.dilate(hug.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        if bool((near & off).any()):
            return None
    return hug


def border_only(
    ink: np.ndarray,
    evidence: np.ndarray,
    box: np.ndarray,
    inner: float,
    scale: float,
    stain_hooks: Callable[[np.ndarray], ReviewReason | None],
) -> ReviewReason | None:
    """The hook in `inspect.inspect_square` for a square about to be read `marked` (before
    rims7's and stain9's): when its pen-dark evidence is the printed border's inner edge
    alone (`hugging_pen`), the review reason: `stain_hooks` (rims7's `thin_stain`, then
    stain9's `bent_through`, as the closer look asks them) given the evidence less that edge
    (`possible_stain` when they take the rest for the paper's), else `marginal_mark`. None
    when the rule does not apply (the closer look goes on as before)."""
    hug = hugging_pen(ink, evidence, box, inner, scale)
    if hug is None:
        return None
    return stain_hooks(evidence & ~hug) or "marginal_mark"
