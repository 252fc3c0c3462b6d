"""A light pencil X the closer look read `empty` in the doubt band, whose two strokes
each run most of the square's diagonal (issue 10, cross28: the twenty-seventh pass's untouched run, seed
11600 sheet 5299, against-all).

Why. The run read 11600/5299/against-all `empty` (AST-SMD-07, 150 dpi; stain on another
square, HB pencil, a bright scan: gain 1.002, bias 19.56; truth `light_pencil`, `marked`):
a light X drawn corner to corner, plain to the eye, its fast score 0.025 (the doubt band),
the closer look's 0.0174 (under `marginal`, 0.018). The closer look read it `empty`;
the second looks (pencil6, pencil7, faint9) and `wrong10.last_look` (the wider band's
tests: pencil6.pencil_near, pencil7.wider_look, fix8.small_cross, faint9.joined_strokes)
said no: graphite's grain breaks both arms into pieces shorter than every run test's
minimum. `wrong10.last_look` was written (tenth pass) to give a square the closer look
read `empty` "the wider band's own tests"; the wider band has asked `grain14.stroke_pair`
last since the fourteenth pass, and `last_look` never did.

Asked directly, `grain14.stroke_pair` finds it (its best `/` and `\\` segments of 2 and 3 mm
stand 0.056 and 0.045 over their sides against a floor of 0.030, 5 times the square's paper
spread 0.006); but asked where `last_look` said no it also finds pairs in the rims of stains
on empty squares of the doubt band (4 of 44 squares asked on 25 stained dev sheets, 140,
one sheet sent to review: `benchmarks/results/pass27/cross28-ab-plainpair-partial.json`):
2-3 mm pieces of a rim's curve make a `/` and a `\\` that meet.

The rule (`doubt_pair`, asked by the reader right after `wrong10.last_look` says no, on the
squares of the doubt band every look so far read `empty`): what a person sees in an X drawn
corner to corner, two straight strokes crossing, each running most of the square's diagonal.
grain14's measure (no cut: the ink averaged along a segment WIDTH_MM wide, minus the darker
of the same segment OFFSET_MM to either side) along segments DIAG_MM long (4 mm of the
inside's 6.5 mm diagonal), slanted ANGLES degrees either way, a segment's level the least of
its two 0.5 mm ends and its 1 mm quarters but one (`whole_length`, cross29: the stroke runs
the whole length; the 4 mm mean cross28 took first was reached by a shorter, darker stroke,
a tick's arm or a short X); the best `/` and the best `\\`
each at least grain14's floor (LEVEL, and NOISE times the paper's spread of the same
statistic beyond the border), and crossing (within grain14.MEET_MM). Behind grain14's own
gate (`grain14.spread_inside`). The only new numbers are the length (DIAG_MM), the slants
(an X from corner to corner lies near 45 degrees) and the parts (ENDS, QUARTERS, cross29);
levels and floor are grain14's.

A pair found sends the square to the commission (`marginal_mark`); nothing is read `marked`
or `empty` here (empty8, stain10 and lines10 may still settle it `empty`, as any doubt).

Why one quarter may dip (cross29): where the other stroke of an X crosses, the segment's
sides (OFFSET_MM across) lie on that stroke's ink, and the excess falls to about 0 over the
other stroke's width (the drawn X's of tests/test_cross28.py: one 0.5 mm part near 0;
11600/5299's `\\`: its quarters 0.051 0.036 0.013 0.041 against a floor of 0.029). A
plain least of the four quarters loses 5299 (0.027).

Where it stops: a tick, a single stroke or an X whose arms are shorter than DIAG_MM inside
(however dark: an end of the run is paper) is not a pair here (the earlier tests'
question); a stroke fainter than grain14's floor is not found; squares out of the doubt
band are not asked (the wider band asks grain14's pair itself). docs/reading.md, "Twenty-seventh pass: a light pencil X corner to corner the closer
look read empty (cross28)".
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from kiosk.reading import grain14, pencil6

# False: the reader asks what it asked before (tests' companions; `fieldkit.hook_ab.switched_off`).
# ON (twenty-eighth pass, cross29): with the whole-length segment its price on all 1,500 dev
# sheets is 0 wrong, one erased X sent to review (docs/reading.md, cross29's section).
ENABLED = True

DIAG_MM = 4.0  # each stroke of the pair this long inside (the inside's diagonal is 6.5 mm)
# cross29: the stroke runs the whole length: its two END parts (the first and last of ENDS
# parts, 0.5 mm) each at the floor, and all but one of its QUARTERS (1 mm) at the floor (one
# may dip: where the other stroke of an X crosses, the sides lie on that stroke's ink).
ENDS = 8
QUARTERS = 4
ANGLES = tuple(range(30, 65, 5))  # slants looked at, degrees from the rows, both ways


class Pair(NamedTuple):
    """The best `/` and `\\` segments (grain14.Segment, window pixels; None where no
    position fits), the paper's spread and the floor, and the segments' distance in mm."""

    rising: grain14.Segment | None
    falling: grain14.Segment | None
    spread: float
    floor: float
    apart_mm: float

    @property
    def found(self) -> bool:
        a, b = self.rising, self.falling
        if a is None or b is None:
            return False
        return min(a.level, b.level) >= self.floor and self.apart_mm <= grain14.MEET_MM


def _part_means(
    cs: np.ndarray, length: int, parts: int, only: tuple[int, ...] | None = None
) -> list[np.ndarray]:
    """From a window's row running sums `cs` (`whole_length`), for each pixel the row segment
    `length` long centred on it cut into `parts` (np.array_split's sizes, in order): each
    part's mean, one map a part (`only`: just those parts, in order)."""
    n = cs.shape[1] - length
    out = []
    start = 0
    for k, size in enumerate(len(c) for c in np.array_split(np.arange(length), parts)):
        if only is None or k in only:
            out.append((cs[:, start + size : start + size + n] - cs[:, start : start + n]) / size)
        start += size
    return out


def whole_length(e: np.ndarray, length: int) -> np.ndarray:
    """A segment's level (cross29): for each pixel of a rotated window's excess map `e`, the
    row segment `length` (odd) long centred on it, 0 beyond the window (as cv2.blur's
    BORDER_CONSTANT): the least of its first and last ENDS part and its QUARTERS parts' second
    smallest. At the floor: the stroke stands out at both ends and along all but one quarter
    (an X's crossing), so a shorter, darker stroke (a tick's arm, a short X) is not a segment
    however dark. By running sums; `whole_length_reference`: pixel by pixel."""
    n_rows, n = e.shape
    h = length // 2
    cs = np.zeros((n_rows, n + 2 * h + 1), np.float64)  # cs[:, j]: the sum of the padded row's first j
    np.cumsum(e, axis=1, out=cs[:, h + 1 : h + 1 + n])
    cs[:, h + 1 + n :] = cs[:, h + n : h + n + 1]
    first, last = _part_means(cs, length, ENDS, only=(0, ENDS - 1))
    a, b, c, d = _part_means(cs, length, QUARTERS)
    # the second smallest of four: the larger of the pairs' smaller, unless both larger ones are under it
    second = np.minimum(
        np.maximum(np.minimum(a, b), np.minimum(c, d)), np.minimum(np.maximum(a, b), np.maximum(c, d))
    )
    out: np.ndarray = np.minimum(np.minimum(first, last), second)
    return out


def whole_length_reference(e: np.ndarray, length: int) -> np.ndarray:
    """`whole_length`, the slow obvious way: each pixel's segment read off its row, split."""
    n_rows, n = e.shape
    h = length // 2
    out = np.empty((n_rows, n))
    for y in range(n_rows):
        for x in range(n):
            row = np.array([float(e[y, j]) if 0 <= j < n else 0.0 for j in range(x - h, x + h + 1)])
            ends = [float(np.mean(p)) for p in np.array_split(row, ENDS)]
            quarters = sorted(float(np.mean(p)) for p in np.array_split(row, QUARTERS))
            out[y, x] = min(ends[0], ends[-1], quarters[1])
    return out


def diagonal_pair(
    ink: np.ndarray, scale: float, floor_first: bool = False, clear: np.ndarray | None = None
) -> Pair:
    """The pair's numbers on grain14's ink window (`grain14.ink_window`; module docstring):
    for each slant, the window rotated, each pixel's excess over its sides (grain14's
    `_excess` on the inside alone, the printed border as paper), along DIAG_MM (`whole_length`), at
    the positions where such a segment lies inside (grain14's `segment_positions`); the best
    of each sign. The spread: grain14's, its long segments wholly beyond the border, at these
    slants. `floor_first` (`doubt_pair`'s way): where either sign's best is under
    grain14.LEVEL, the spread is not measured (NaN, the floor LEVEL): the floor is at least
    LEVEL, so no pair is found either way (`found` is the same; tests/test_cross28.py).
    `clear` (cross55): a 0/1 float32 map of the window; the spread's long segments lie wholly
    on it too (faint37's print kept out of the paper's spread)."""
    n = ink.shape[0]
    c = (n - 1) / 2.0
    inside, outside = grain14.window_masks(n, scale)
    wk = grain14._odd(grain14.WIDTH_MM * scale)
    d = max(1, int(np.rint(grain14.OFFSET_MM * scale)))
    length = grain14._odd(DIAG_MM * scale)
    long_len = grain14._odd(grain14.LONG_MM * scale)
    best: dict[bool, grain14.Segment | None] = {True: None, False: None}
    rotated: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for ang in [float(sign * a) for sign in (1, -1) for a in ANGLES]:
        m = cv2.getRotationMatrix2D((c, c), -ang, 1.0)
        r = cv2.warpAffine(ink, m, (n, n), flags=cv2.INTER_LINEAR, borderValue=np.nan)
        ins = cv2.warpAffine(inside, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        valid = ~np.isnan(r)
        r = np.where(valid, r, 0.0).astype(np.float32)
        rotated.append((m, r, valid))
        seg = whole_length(grain14._excess(r * ins, wk, d), length)
        cand = np.where(grain14.segment_positions(ins, length, d, wk), seg, -np.inf)
        k = int(np.argmax(cand))
        y, x = divmod(k, n)
        v = float(cand[y, x])
        if np.isfinite(v):
            inv = cv2.invertAffineTransform(m)
            ox = inv[0, 0] * x + inv[0, 1] * y + inv[0, 2]
            oy = inv[1, 0] * x + inv[1, 1] * y + inv[1, 2]
            s = grain14.Segment(v, ang, float(ox), float(oy), float(length))
            held = best[ang > 0]
            if held is None or s.level > held.level:
                best[ang > 0] = s
    a, b = best[True], best[False]
    apart = float("inf") if a is None or b is None else grain14._seg_dist(a, b) / scale
    if floor_first and (a is None or b is None or min(a.level, b.level) < grain14.LEVEL):
        return Pair(a, b, float("nan"), grain14.LEVEL, apart)
    spread_vals: list[np.ndarray] = []
    for m, r, valid in rotated:
        paper = outside if clear is None else outside * clear
        out = cv2.warpAffine(paper, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        around = cv2.blur(grain14._excess(r, wk, d), (long_len, 1), borderType=cv2.BORDER_CONSTANT)
        beyond = cv2.blur(out * valid, (long_len, 1), borderType=cv2.BORDER_CONSTANT) >= 0.999
        beyond[: d + wk, :] = False
        beyond[n - d - wk :, :] = False
        spread_vals.append(around[beyond])
    vals = np.concatenate(spread_vals)
    if clear is not None and vals.size == 0:  # no paper clear of print: no floor known, no pair
        return Pair(a, b, float("nan"), float("nan"), apart)
    spread = pencil6.paper_spread(vals)
    floor = max(grain14.LEVEL, grain14.NOISE * spread)
    return Pair(a, b, spread, floor, apart)


def doubt_pair(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, mark: str
) -> bool:
    """True (send to review, `marginal_mark`) when a square of the doubt band every look so
    far read `empty` (`mark`: the verdict's mark; False unless "empty") holds two crossing
    strokes each DIAG_MM long (module docstring). False when not ENABLED, when the window
    leaves the image, or under grain14's gate."""
    if not ENABLED or mark != "empty":
        return False
    ink = grain14.gated_ink(image, centre, scale, levels, gain)
    return ink is not None and diagonal_pair(ink, scale, True).found
