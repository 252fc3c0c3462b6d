"""The wrong decisions still known outside the corpus (issue 10, the tenth pass: wrong10).
Each rule here only SENDS a square to the commission (review); none decides one.

- `hair_arm`: settle7's (and pencil9's) two hand strokes, one of them hair-thin. A hair on
  the scanner's glass across a single light pencil dash is a second "arm" crossing the
  first, and the square settled `marked` (tests/test_review9.py: a 3.6 mm dash at 0.26 of
  the light, a 0.13 mm hair across it, 150 dpi). Asked of a square about to be settled:
  the arms `settle7.hand_strokes` finds, each measured across (`arm_width`: the inside's
  ink profile across the arm's line, averaged along it, its area over its height); an arm
  narrower than HAIR_MM (fix8's: a ballpoint's line is 0.3 mm and more) is no hand's
  stroke, and the square stays in review. Asked only where the arms are two strokes
  (`pencil9.two_strokes`): a single wide slash's two edges are pencil9's question.
- `ridged_print`: a square read `marked` (score under fix8.HAIR_SCORE_MAX) whose inside is
  a fingertip's ridges: most of the inside's detail (its ink less a 1 mm mean) lies at the
  ridges' spacing, RIDGE_PERIOD_MM, as no hand's stroke, fill or graphite grain puts it
  (`ridge_share`, from the inside's power spectrum). fix8 counts ridges as separate dark
  features; at 200 dpi a small print's ridges, 0.48 mm apart, merge into one
  (test_review9.py), while their spacing still shows in the spectrum: `possible_stain`.
- `last_look`: a square the fast score sent to the closer look that the closer look and
  the second looks all read `empty` gets the wider band's own tests (pencil6.pencil_near,
  pencil7.wider_look, fix8.small_cross, faint9.joined_strokes), which a square scoring a
  little lower gets: a faint pencil X under a crease on dev seed 134 (sheet 45, square 30)
  read `empty` without them; with them `marginal_mark`.

Each rule is switched off with ENABLED (tests/test_wrong10.py; fieldkit.hook_ab).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.reading import crop, kernels
from kiosk.reading.model import MarkReading, marked_to_review

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict
    from kiosk.reading.settle7 import Arm

ENABLED = True

INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
HAIR_MM = 0.3  # an arm narrower than this (its profile's area over its height) is a hair
PROFILE_MM = 1.0  # the profile across an arm: this far to each side of its line
PROFILE_BIN = 0.5  # ... in bins of this many pixels
REFINE_DEG = 0.5  # the arm's direction refined in steps of this ...
REFINE_SPAN = 3.0  # ... this far each way (settle7's step; wider, it meets other lines)
CROSSING_MM = 0.6  # the other arm's pixels (this far from its line) left out of the profile
RIDGE_PERIOD_MM = (0.35, 0.65)  # a fingertip's ridges are this far apart
RIDGE_SHARE = 0.5  # the inside's detail at that spacing: this share of it at least
RIDGE_SCORE_MAX = 0.3  # asked of squares read `marked` under this score (fix8's)
RIDGE_MIN_SCALE = 7.0  # px/mm (178 dpi): below, the ridges' spacing nears the scan's limit
# (150 dpi: 2.8 px) and graphite's grain fills the band (a light pencil X on seed 130)
DETAIL_MM = 1.0  # the detail: the ink less its mean over a box this wide
DETAIL_MIN = 0.03  # the detail's RMS under this: nothing to judge by
DETAIL_SHARE = 0.4  # ... or under this share of the inside's mean ink: a fill's grain, not ridges
# The gate before the spectrum (shape11: the FFT was most of the clean path's cost of the rule):
# a box about a ridge period wide blurs a print's ridges away, not a stroke's body. The FFT is
# asked only where the box takes at least RIDGE_GATE of the detail's energy: the prints of
# tests/test_wrong10.py 0.86 or more with ridges 0.48 mm apart, 0.70 with 0.65 mm (the band's
# top; 200 dpi); the clean corpus's marks 0.55 at most, strokes 0.50-0.67. A heuristic; the FFT
# still decides.
RIDGE_GATE_MM = 0.5
RIDGE_GATE = 0.6


def _ink(win: np.ndarray, paper: float, gain: float) -> np.ndarray:
    out: np.ndarray = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    return out


def arm_width(
    win: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    arm: Arm,
    other: Arm,
) -> float | None:
    """The arm's width (mm): the inside's ink across the arm's line (within PROFILE_MM of
    it, the other arm's crossing, CROSSING_MM round its line, left out) averaged along it
    in PROFILE_BIN px bins, its area above the outer bins' median over its height. The
    line is settle7's to its band's 0.6 mm: the profile is taken at REFINE_DEG steps
    within REFINE_SPAN of its direction, and the sharpest (highest peak) kept. None: no
    profile."""
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= INSIDE_MM * scale
    ink = _ink(win, paper, gain)
    px = np.broadcast_to(xs, win.shape)[inside].astype(np.float64)
    py = np.broadcast_to(ys, win.shape)[inside].astype(np.float64)
    vals = ink[inside]
    to = math.radians(other.angle)
    keep = np.abs(-px * math.sin(to) + py * math.cos(to) - other.rho) > CROSSING_MM * scale
    px, py, vals = px[keep], py[keep], vals[keep]
    reach = PROFILE_MM * scale + arm_band(scale)
    best: tuple[float, float] | None = None
    for da in np.arange(-REFINE_SPAN, REFINE_SPAN + 1e-9, REFINE_DEG).tolist():
        t = math.radians(arm.angle + da)
        d = -px * math.sin(t) + py * math.cos(t) - arm.rho
        near = np.abs(d) <= reach
        if near.sum() < 4 * scale:
            continue
        got = _profile_width(d[near], vals[near], scale)
        if got is not None and (best is None or got[0] > best[0]):
            best = got
    return None if best is None else best[1]


def _profile_width(d: np.ndarray, vals: np.ndarray, scale: float) -> tuple[float, float] | None:
    """(height, width mm) of the profile of `vals` across distance `d` (px): binned, its
    peak found, PROFILE_MM to each side of it kept, the lighter outer 0.3 mm's median its base."""
    bins = np.floor(d / PROFILE_BIN).astype(np.int64)
    bins -= bins.min()
    counts = np.bincount(bins)
    sums = np.bincount(bins, weights=vals)
    ok = counts >= 2
    if not ok.any():
        return None
    prof = np.where(ok, sums / np.maximum(1, counts), np.nan)
    # The height: the highest mean of three neighbouring bins (graphite's grain and the
    # scan's noise lift a single bin).
    three = np.ones(3)
    n3 = np.convolve(np.where(ok, counts, 0), three, "same")
    s3 = np.convolve(np.where(ok, sums, 0.0), three, "same")
    smooth = np.where(n3 > 0, s3 / np.maximum(1, n3), -np.inf)
    k = int(np.argmax(smooth))
    reach = int(PROFILE_MM * scale / PROFILE_BIN)
    lo, hi = max(0, k - reach), min(len(prof), k + reach + 1)
    seg = prof[lo:hi]
    seg = seg[~np.isnan(seg)]
    if seg.size < 4:
        return None
    edge = max(1, int(0.3 * scale / PROFILE_BIN))
    # The base: the lighter of the two outer sides (a line or print on one side would
    # lift the other's paper and thin the profile).
    sides = [v[~np.isnan(v)] for v in (prof[lo : lo + edge], prof[hi - edge : hi])]
    base = min((float(np.median(v)) for v in sides if v.size), default=0.0)
    height = float(smooth[k]) - base
    if height <= 0:
        return None
    area = float(np.clip(seg - base, 0, None).sum()) * PROFILE_BIN
    return height, area / height / scale


def arm_band(scale: float) -> float:
    from kiosk.reading import settle7

    return max(1.0, settle7.ARM_BAND_MM * scale) / 2


def hair_arm(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """Is one of the two arms settle7 finds in the square hair-thin (`arm_width` under
    HAIR_MM)? Asked of a square about to be settled `marked`: then it is not."""
    if not ENABLED:
        return False
    from kiosk.reading import pencil9, settle7  # settle7 imports the reader's helpers

    at = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    arms = settle7.hand_strokes(image, at, scale, paper, gain)
    if arms is None or not pencil9.two_strokes(image, at, scale, paper, gain, arms):
        return False  # one wide stroke's two edges: pencil9's question, not a hair's
    got = settle7.neighbourhood(image, at, scale)
    if got is None:
        return False
    win, xs, ys = got
    for a, b in (arms, arms[::-1]):
        w = arm_width(win, xs, ys, scale, paper, gain, a, b)
        if w is None or w < HAIR_MM:
            return True
    return False


def ridge_share(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    gate: bool = True,
    floor: float = DETAIL_SHARE,
) -> float:
    """The share of the inside's detail (`ridge_detail`) whose spatial period lies within
    RIDGE_PERIOD_MM; 0.0 where `ridge_detail` has none, or, with `gate`, where the detail is
    no print's (`ridge_gate` under RIDGE_GATE: the spectrum is not asked). `floor`: handed on
    to `ridge_detail` (ridge52 asks with 0)."""
    x = ridge_detail(image, centre, scale, paper, gain, floor)
    if x is None:
        return 0.0
    _window, band = _spectrum_masks(x.shape[0], round(scale, 2))
    return _spectrum_share(x, scale, band, gate)


def ridge_detail(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    floor: float = DETAIL_SHARE,
) -> np.ndarray | None:
    """The inside's detail (its ink less a DETAIL_MM box mean) under a Hann window; None when
    the detail is too weak (its RMS under DETAIL_MIN, or under `floor` (DETAIL_SHARE) of the
    inside's mean ink: a fill's grain on its dark ground; a print's ridges alternate with
    paper) or the inside is not all on the image. post20: the window's detail, its RMS and mean ink in
    one compiled call (`kernels.ridge_detail`, the same float32 numbers as
    `ridge_detail_numpy`, which it replaces; tests/test_post20.py)."""
    got = _detail(image, centre, scale, paper, gain)
    if got is None:
        return None
    detail, rms, mean_ink = got
    if rms < DETAIL_MIN or rms < floor * mean_ink:
        return None
    window, _band = _spectrum_masks(detail.shape[0], round(scale, 2))
    out: np.ndarray = detail * window
    return out


def _detail(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[np.ndarray, float, float] | None:
    """`ridge_detail`'s kernel call: the inside's detail (before the window), its RMS and
    the inside's mean ink; None where the inside is not all on the image."""
    half = int(INSIDE_MM * scale)
    n = 2 * half + 1
    x0, y0 = round(centre[0]) - half, round(centre[1]) - half
    hh, ww = image.shape[:2]
    if x0 < 0 or y0 < 0 or x0 + n > ww or y0 + n > hh:
        return None  # crop.around would cut it: not all on the image
    k = max(3, int(DETAIL_MM * scale) | 1)
    unit = gain / max(1.0, paper)
    detail, rms, clipped = kernels.ridge_detail(image, x0, y0, n, k, unit, max(1.0, paper))
    return detail, float(rms), unit * clipped  # the mean ink, clipped at 0


def ridge_measures(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[float, bool]:
    """speed68: what wrong10 and ridge52 ask of a square, from one kernel call and one gate
    and spectrum: the share `ridge_share` gives with no floor (ridge52's), and whether the
    detail clears DETAIL_SHARE of the mean ink (wrong10's floor; `ridge_share` is the share
    where it does, 0 where not). tests/test_speed68.py checks both against `ridge_share`."""
    got = _detail(image, centre, scale, paper, gain)
    if got is None or got[1] < DETAIL_MIN:
        return 0.0, False
    detail, rms, mean_ink = got
    window, band = _spectrum_masks(detail.shape[0], round(scale, 2))
    x = detail * window
    return _spectrum_share(x, scale, band), not rms < DETAIL_SHARE * mean_ink


def _spectrum_share(x: np.ndarray, scale: float, band: np.ndarray, gate: bool = True) -> float:
    """`ridge_share` from the windowed detail on: the share of its power (the mean's left
    out) in `band`; 0.0, with `gate`, where `ridge_gate` is under RIDGE_GATE."""
    if gate and ridge_gate(x, scale) < RIDGE_GATE:
        return 0.0
    power = np.abs(np.fft.fft2(x)) ** 2
    power[0, 0] = 0.0
    total = float(power.sum())
    if total <= 0:
        return 0.0
    return float(power[band].sum()) / total


RidgeMemo = dict[tuple[float, float, float, float, float], tuple[float, bool]]


def measures_once(
    memo: RidgeMemo | None,
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
) -> tuple[float, bool]:
    """`ridge_measures`, kept in `memo` (one sheet's: the reader hands wrong10 and ridge52
    the same dict for the same image) so ridge52 does not make them again."""
    if memo is None:
        return ridge_measures(image, centre, scale, paper, gain)
    key = (centre[0], centre[1], scale, paper, gain)
    got = memo.get(key)
    if got is None:
        got = memo[key] = ridge_measures(image, centre, scale, paper, gain)
    return got


def ridge_detail_numpy(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> np.ndarray | None:
    """`ridge_detail` in numpy (the tenth pass's code, its reference). The inside's detail
    (its ink less a DETAIL_MM box mean) under a Hann window; None when
    the detail is too weak (its RMS under DETAIL_MIN, or under DETAIL_SHARE of the inside's
    mean ink: a fill's grain on its dark ground; a print's ridges alternate with paper) or
    the inside is not all on the image."""
    half = int(INSIDE_MM * scale)
    got = crop.around(image, centre, half)
    if got is None:
        return None
    win = got[0]
    n = 2 * half + 1
    if win.shape != (n, n):
        return None
    w = win.astype(np.float32)
    k = max(3, int(DETAIL_MM * scale) | 1)
    unit = gain / max(1.0, paper)
    # The ink is unit x (paper - w): its detail is unit x (box mean of w - w).
    detail = (cv2.blur(w, (k, k), borderType=cv2.BORDER_REFLECT) - w) * unit
    rms = float(np.sqrt(np.mean(detail * detail)))
    mean_ink = unit * float(np.maximum(0.0, max(1.0, paper) - w).mean())  # of the ink, clipped at 0
    if rms < DETAIL_MIN or rms < DETAIL_SHARE * mean_ink:
        return None
    window, _band = _spectrum_masks(n, round(scale, 2))
    out: np.ndarray = detail * window
    return out


def ridge_gate(x: np.ndarray, scale: float) -> float:
    """The share of the windowed detail's energy that a RIDGE_GATE_MM box takes away: near 1
    for a print's ridges (finer than the box), lower for a stroke's body (wider)."""
    k = max(3, int(RIDGE_GATE_MM * scale) | 1)
    energy = float(np.dot(x.ravel(), x.ravel()))
    if energy <= 0:
        return 0.0
    lo = cv2.blur(x, (k, k), borderType=cv2.BORDER_CONSTANT).ravel()
    return 1.0 - float(np.dot(lo, lo)) / energy


@lru_cache(maxsize=32)
def _spectrum_masks(n: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The n x n Hann window and the mask of spatial frequencies whose period lies within
    RIDGE_PERIOD_MM at `scale` px/mm (cached: a few sizes per scanner)."""
    hann = np.hanning(n).astype(np.float32)
    f = np.fft.fftfreq(n) * scale  # cycles per mm
    radius = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    band = (radius >= 1.0 / RIDGE_PERIOD_MM[1]) & (radius <= 1.0 / RIDGE_PERIOD_MM[0])
    return np.outer(hann, hann), band


def ridged_print(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
    memo: RidgeMemo | None = None,
) -> list[MarkReading]:
    """Each square read `marked` under RIDGE_SCORE_MAX whose inside's detail is mostly at a
    fingertip's ridge spacing (`ridge_share` at least RIDGE_SHARE): `possible_stain`.
    `memo`: the sheet's `measures_once` memo, shared with ridge52 (None: made here)."""
    if not ENABLED:
        return marks

    def is_print(image: np.ndarray, at: tuple[float, float], scale: float, paper: float, gain: float) -> bool:
        share, strong = measures_once(memo, image, at, scale, paper, gain)
        return strong and share >= RIDGE_SHARE

    return prints_to_review(image, centres, scales, paper, gain, marks, is_print)


def prints_to_review(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
    is_print: Callable[[np.ndarray, tuple[float, float], float, float, float], bool],
) -> list[MarkReading]:
    """The squares a print's ridges are asked of (read `marked` under RIDGE_SCORE_MAX, at
    least RIDGE_MIN_SCALE px/mm) where `is_print(image, centre, scale, paper, gain)` (the
    square's brightest paper level): `possible_stain`. `ridged_print`'s loop, and ridge52's."""
    return marked_to_review(
        marks,
        lambda i, m: (
            m.score < RIDGE_SCORE_MAX
            and float(scales[i]) >= RIDGE_MIN_SCALE
            and is_print(
                image,
                (float(centres[i, 0]), float(centres[i, 1])),
                float(scales[i]),
                float(np.max(paper[i])),
                gain,
            )
        ),
    )


def last_look(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, v: Verdict
) -> bool:
    """Does a square the closer look and the second looks read `empty` hold a faint stroke
    by the wider band's tests (which a square scoring a little lower is asked)?"""
    if not ENABLED or v.mark != "empty":
        return False
    from kiosk.reading import faint9, fix8, pencil6, pencil7

    at = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    return bool(
        pencil6.pencil_near(image, at, scale, paper, gain)
        or pencil7.wider_look(image, centre, scale, levels, gain)
        or fix8.small_cross(image, at, scale, paper, gain)
        or faint9.joined_strokes(image, centre, scale, levels, gain)
    )
