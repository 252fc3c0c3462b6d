"""A dark stain's body read as a vote (issue 10, dark49: session 49). A rule that only SENDS
a square to the commission (review, `possible_stain`), never decides one.

Why. The field corpus's stains (`fieldkit.conditions._stain`: tea, water, a thumb; rims
0.03-0.12 of the light) never read `marked` on an empty square any more, but a real spill or
a greasy thumb can be darker. The forty-fifth pass's attack harness drew fieldkit's own stains
through an empty square of a blank contest at one, two and three times their darkness
(`benchmarks/results/pass49/stain-marked.py.txt`, `shipped-marked-field-stain.png`): none of 600
read `marked` at the corpus's darkness, 2 at twice it (thumbs at 150 dpi, where wrong10's ridge
spectrum is not asked) and 24 at three times (tea bodies covering the square with their edge
beside it, thumbprints): a blank ballot read as a vote. Their darkness is a pen's (0.45 and
more), so the closer look takes it for ink.

The rule (`stain_body`, asked of every square read `marked` after the other post-loop checks).
The neighbourhood, FAR_MM beyond the printed border, is looked at at WORK_PX_MM (an area
resize: the same answer at every resolution), its darkness against the neighbourhood's own
paper (its PAPER_PCT percentile, not the sheet's: a grey or coloured paper is the paper) and
averaged over SMOOTH_MM (a pen stroke, half a millimetre wide, drops to a fraction of its
darkness; a stain's body or a thumbprint's ridges do not). Where that is at least LEVEL, what
an ellipse OPEN_MM across fits inside (`broad`: a body, not a stroke; a voter's X, tick or
circle has none) is the patch. The square is a stain's when the patch
- covers at least SHARE of the square's inside,
- runs on at least BEYOND_MM beyond the printed border (a voter's fill stops at the border
  or overshoots it by a millimetre or two), and
- is about as dark beyond the border as inside (the median of its smoothed darkness from
  1 mm beyond the border at least RATIO of the inside's median): a fill inside a lighter
  stain is darker inside than the stain round it, and is the voter's.

Measured (`benchmarks/results/pass49/blob49-probe.py.txt`): 16 of the 24 stains at three times
the corpus's darkness (the two at twice it among them) go to review; over the dev caches (seeds
198-203, 6,300 sheets) no square read `marked` is touched (one fill inside a grey stain comes
near: covered, running on, but its ratio 0.42), nor any of the harness's real light X's and
ticks, rings, smudges or text.

The guard (session 50, `hand_mm2`). A voter's pen X, tick or circle over a stain that dark is
still the voter's: where the inside holds at least HAND_MM2 of stroke, darker by HAND_EXCESS
than the body round it and narrower than HAND_OPEN_MM, the mark stays. Measured by the
forty-sixth pass's outside attack (`benchmarks/results/pass49/dark49-attack*.py.txt`; again
with the module as shipped, `benchmarks/results/pass50/dark49-attack-*-shipped50.json`): real
marks sent to review 38 -> 26 of 570 (the 12 are pen X's, pluses, ticks and circles over stains
at two and three times the corpus's darkness, and a scribble by a page edge), dark stains on an
empty square still read `marked` 30 -> 30 of 594, the field-stain family 83 to review and 7
marked as without it: it is asked only of a square the rule would send, so nothing else moves.

Where it stops. A stain whose body does not reach BEYOND_MM past the border (a drop the size
of the square: it looks like a fill, and is read as one), a stain covering the whole
neighbourhood (its paper is the stain; the local score is then near zero anyway), a rim
crossing the square with the body beside it (under SHARE), and a real mark inside a stain as
dark as it (the commission: the price).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop, kernels
from kiosk.reading.model import MarkReading, marked_to_review

ENABLED = True  # tests and benchmarks/hook_ab.py --module dark49 switch the rule off ("before")

WORK_PX_MM = 4.0  # the neighbourhood is looked at at this resolution
FAR_MM = 6.0  # the neighbourhood: this far beyond the printed border (box)
PAPER_PCT = 95.0  # its paper: this percentile of its grey
SMOOTH_MM = 1.5  # darkness averaged over a box this wide
LEVEL = 0.3  # the patch: smoothed darkness at least this (the corpus's stain bodies stay under)
OPEN_MM = 3.5  # ... where an ellipse this wide fits (a body, not a stroke)
SHARE = 0.2  # of the square's inside the patch covers, at least ...
EDGE_MM = 1.0  # ... and the rest of the inside, this far clear of the patch (its soft edge, a rim) ...
REST_MM2 = 0.5  # ... holds at most this much at LEVEL (a stroke there is a hand's: the mark stays)
BEYOND_MM = 3.0  # how far beyond the printed border it runs, at least
RATIO = 0.7  # its darkness beyond the border (from 1 mm) against the inside's, at least
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
# the guard (session 50): a hand's stroke inside the patch keeps the mark
HAND_SIGMA_MM = 0.2  # the inside's darkness at the scan's resolution, Gaussian (a thumb's ridges average out)
HAND_OPEN_MM = 1.8  # ... minus its grey opening by an ellipse this wide: what is narrower (a stroke)
HAND_EXCESS = 0.1  # ... standing at least this far above the body round it
HAND_MM2 = 3.5  # ... over at least this area of the inside: a hand's stroke, the mark stays


NONE = {"share": 0.0, "reach": 0.0, "ratio": 0.0, "rest_mm2": 0.0}


def measures(
    image: np.ndarray, centre: tuple[float, float], scale: float, gate: bool = True
) -> dict[str, float]:
    """The patch's measures round one square: `share` of the inside it covers, its `reach`
    beyond the printed border (mm), `ratio`, its darkness beyond the border against the
    inside's (0 where it has none there), and `rest_mm2`, the ink in the rest of the inside.

    `gate` (time): NONE where no patch can reach BEYOND_MM (`_could_reach`), before the
    percentile and the opening are made. The answer of `is_stain_body` is the same either
    way (tests/test_dark49.py, hypothesis); `gate=False` is the reference."""
    if gate and not _may_reach_at(image, centre, scale):  # speed58: before the resize
        return dict(NONE)
    patch, w, h, xs, ys = _hood(image, centre, scale)
    b, o = _sizes()
    rect = _inner_rect(xs, ys, o)
    small = cv2.resize(patch, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    if gate and not _could_reach(small, rect, b, o):
        return dict(NONE)
    box = np.maximum(xs[None, :], ys[:, None])
    paper = max(1.0, float(np.percentile(small, PAPER_PCT)))
    dark = np.clip((paper - small) / paper, 0.0, 1.0)
    smooth = cv2.blur(dark, (b, b))
    level = smooth >= LEVEL
    broad = cv2.morphologyEx(level.astype(np.uint8), cv2.MORPH_OPEN, _ellipse(o))
    inside = box <= INSIDE_MM
    _n, labels = cv2.connectedComponents(broad, connectivity=8)
    ids = np.unique(labels[inside & (broad > 0)])
    patch_mask = np.isin(labels, ids[ids > 0])
    if not patch_mask.any():  # (its pieces touch the inside: none where there is no inside)
        return dict(NONE)
    share = float((patch_mask & inside).sum()) / float(inside.sum())
    reach = float(box[patch_mask].max()) - TARGET / 2
    beyond = patch_mask & (box >= TARGET / 2 + 1.0)
    covered = patch_mask & inside
    ratio = (
        float(np.median(smooth[beyond]) / max(float(np.median(smooth[covered])), 1e-6))
        if beyond.any()
        else 0.0
    )
    # the rest of the inside, clear of the patch and its edge (a stain's rim lies there)
    g = max(3, round(2 * EDGE_MM * WORK_PX_MM) | 1)
    near = cv2.dilate(patch_mask.astype(np.uint8), _ellipse(g)) > 0
    rest = float(((dark >= LEVEL) & inside & ~near).sum()) / WORK_PX_MM**2
    return {"share": share, "reach": reach, "ratio": ratio, "rest_mm2": rest}


def _hood(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, int, int, np.ndarray, np.ndarray]:
    """The neighbourhood (FAR_MM beyond the printed border, in the scan), the size it is
    looked at (w x h at WORK_PX_MM), and each small pixel's centre's distance from the
    square's centre, mm, across (xs) and down (ys)."""
    patch, x0, y0, k, w, h = _hood_box(image, centre, scale)
    xs = np.abs((x0 + (np.arange(w) + 0.5) / k - centre[0]) / scale)
    ys = np.abs((y0 + (np.arange(h) + 0.5) / k - centre[1]) / scale)
    return patch, w, h, xs, ys


def _hood_box(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, int, int, float, int, int]:
    """`_hood`'s neighbourhood in the scan, its top left corner, the shrink (small pixels
    per scan pixel) and the size it is looked at."""
    cx, cy = centre
    half = (TARGET / 2 + FAR_MM) * scale
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(image.shape[1], round(cx + half) + 1), min(image.shape[0], round(cy + half) + 1)
    patch = image[y0:y1, x0:x1]
    k = WORK_PX_MM / scale
    w, h = max(1, round(patch.shape[1] * k)), max(1, round(patch.shape[0] * k))
    return patch, x0, y0, k, w, h


def _may_reach_at(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """speed68: `may_reach` of the square at `centre`, its neighbourhood's rectangle found
    by `kernels.near_span` (the same float operations as `_hood` and `_inner_rect`, without
    their arrays: tests/test_speed68.py)."""
    patch, x0, y0, k, w, h = _hood_box(image, centre, scale)
    b, o = _sizes()
    near = _near(o)
    c0, c1 = kernels.near_span(x0, w, k, centre[0], scale, near)
    r0, r1 = kernels.near_span(y0, h, k, centre[1], scale, near)
    rect = (c0, c1, r0, r1) if c0 >= 0 and r0 >= 0 else (-1, -1, -1, -1)
    return may_reach(patch, w, h, rect, b, o)


def _near(o: int) -> float:
    """The gate's `near`: a core pixel this close to the square's centre (box distance, mm)
    has its ellipse within BEYOND_MM of the printed border."""
    return TARGET / 2 + BEYOND_MM - (o // 2) / WORK_PX_MM


def _sizes() -> tuple[int, int]:
    """The smoothing box (SMOOTH_MM) and the opening's ellipse (OPEN_MM, odd), in small pixels."""
    return max(1, round(SMOOTH_MM * WORK_PX_MM)), max(3, round(OPEN_MM * WORK_PX_MM) | 1)


def may_reach(patch: np.ndarray, w: int, h: int, rect: tuple[int, int, int, int], b: int, o: int) -> bool:
    """speed58: `_could_reach`'s bound from the scan's own pixels, before the resize
    (`kernels.stain_may_reach`): False only where `_could_reach` is False too. Asked where
    the resize shrinks (at 4 px/mm and more); an enlargement (cv2's INTER_AREA is then
    bilinear) is let through."""
    if patch.dtype != np.uint8 or patch.ndim != 2 or patch.shape[1] < w or patch.shape[0] < h:
        return True  # (the bound is argued for a grey scan shrunk, tests/test_speed58.py)
    return bool(kernels.stain_may_reach(patch, w, h, b, _inscribed(o).shape[0] // 2, LEVEL, *rect))


def _inner_rect(xs: np.ndarray, ys: np.ndarray, o: int) -> tuple[int, int, int, int]:
    """The small pixels whose box distance is under the gate's `near` (a centred rectangle:
    its first and last column and row), or (-1, -1, -1, -1) where it has no pixel."""
    near = _near(o)
    cols, rows = np.flatnonzero(xs < near), np.flatnonzero(ys < near)
    if not len(cols) or not len(rows):
        return (-1, -1, -1, -1)
    return (int(cols[0]), int(cols[-1]), int(rows[0]), int(rows[-1]))


def _could_reach(small: np.ndarray, rect: tuple[int, int, int, int], b: int, o: int) -> bool:
    """`measures`' gate: could a patch reach BEYOND_MM beyond the printed border? Its darkness
    taken against the neighbourhood's brightest pixel (at least its PAPER_PCT percentile, so
    every pixel at least as dark as `measures` has it), smoothed; a patch pixel that far out
    lies in a whole ellipse of LEVEL whose centre is within the ellipse's half-width of it,
    and that centre survives an erosion by the square inscribed in the ellipse (a rectangle:
    cheap). A printed line, a rule or a pen stroke averaged over SMOOTH_MM never does."""
    top = max(1.0, float(small.max()))
    smooth = cv2.blur(np.clip((top - small) / top, 0.0, 1.0), (b, b))
    core = cv2.erode((smooth >= LEVEL).astype(np.uint8), _inscribed(o))
    # any core pixel out of the centred rectangle where the box distance is under `near`
    c0, c1, r0, r1 = rect
    if c0 < 0:
        return bool(core.any())
    inner = int(np.count_nonzero(core[r0 : r1 + 1, c0 : c1 + 1]))
    return int(np.count_nonzero(core)) > inner


@lru_cache(maxsize=8)
def _ellipse(o: int) -> np.ndarray:
    """The o x o ellipse element (made once per size: every marked square asks)."""
    out: np.ndarray = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (o, o))
    return out


@lru_cache(maxsize=8)
def _inscribed(o: int) -> np.ndarray:
    """The largest square of offsets, centred, that the o x o ellipse element holds whole."""
    ellipse = _ellipse(o)
    c = o // 2
    a = c
    while a > 0 and not ellipse[c - a : c + a + 1, c - a : c + a + 1].all():
        a -= 1
    return np.ones((2 * a + 1, 2 * a + 1), np.uint8)


def is_stain_body(m: dict[str, float]) -> bool:
    """`measures` say a stain's body covers the square (the module's rule)."""
    return (
        m["share"] >= SHARE and m["reach"] >= BEYOND_MM and m["ratio"] >= RATIO and m["rest_mm2"] <= REST_MM2
    )


def hand_mm2(image: np.ndarray, centre: tuple[float, float], scale: float) -> float:
    """A hand's stroke inside the square (mm2): the inside's darkness against the
    neighbourhood's PAPER_PCT paper, at the scan's own resolution (a pen stroke is half a
    millimetre), Gaussian HAND_SIGMA_MM, minus its grey opening by a HAND_OPEN_MM ellipse (a
    black-hat: what is darker than the body round it and narrower than that), counted where at
    least HAND_EXCESS. A pen X, tick, circle or a fill's edge over a stain shows; a smooth
    stain body and a thumb's ridges (0.45 mm apart, averaged out by the Gaussian) do not."""
    cx, cy = centre
    half = (TARGET / 2 + FAR_MM) * scale
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(image.shape[1], round(cx + half) + 1), min(image.shape[0], round(cy + half) + 1)
    patch = image[y0:y1, x0:x1].astype(np.float32)
    paper = max(1.0, float(np.percentile(patch, PAPER_PCT)))
    dark = cv2.GaussianBlur(np.clip((paper - patch) / paper, 0.0, 1.0), (0, 0), HAND_SIGMA_MM * scale)
    k = max(3, round(HAND_OPEN_MM * scale) | 1)
    stroke = dark - cv2.morphologyEx(dark, cv2.MORPH_OPEN, _ellipse(k))
    xs = np.abs(x0 + np.arange(patch.shape[1]) - cx) / scale
    ys = np.abs(y0 + np.arange(patch.shape[0]) - cy) / scale
    inside = np.maximum(xs[None, :], ys[:, None]) <= INSIDE_MM
    return float(((stroke >= HAND_EXCESS) & inside).sum()) / scale**2


def stain_body(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, marks: list[MarkReading]
) -> list[MarkReading]:
    """Each square read `marked` that a stain's dark body covers, running on beyond the
    printed border about as dark, becomes `marginal` (`possible_stain`): the commission,
    unless a hand's stroke shows inside it (`hand_mm2`: a pen X over a spill is a vote)."""
    if not ENABLED:
        return marks

    def covered(i: int, _m: MarkReading) -> bool:
        at = (float(centres[i, 0]), float(centres[i, 1]))
        scale = float(scales[i])
        return is_stain_body(measures(image, at, scale)) and hand_mm2(image, at, scale) < HAND_MM2

    return marked_to_review(marks, covered)
