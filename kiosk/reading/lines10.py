"""A scanner's streak divided out of its columns (issue 10, the tenth pass: lines10).

A scanner's faint streak (dirt on the glass or the sensor's bar) darkens one sensor
element's column: every pixel of those image columns, from the top of the scan to its
bottom, multiplied by one factor. Through a square it is one of the lines the closer look
takes out, but where it runs along the printed border, crosses a crease or a fold inside
the square (the two darken each other's pixels to pen-dark), or lies beside a faint
line, `empty8.nothing_drawn` found "dark" ink or a "run" it could not explain, and the
empty square went to the commission (seeds 145 and 147, sheets 0-299: 13 of the 24 empty
squares under a line that went to review beyond the truth were under a streak).

The streak's factor is a fact of the scan, measured where the square is not: for each
column of the square's neighbourhood (`empty8.neighbourhood`), the paper's level
(STRIP_PCT percentile of the column's pixels: print and marks are darker and fewer) in a
strip STRIP_MM long starting GAP_MM above the neighbourhood, and in one as far below,
against the paper of the columns around it (BASE_MM either side, the same percentile).
A column is a streak's where both strips see it STREAK_MIN or more darker and agree
within AGREE; it is divided by the lesser of the two darkenings (`column_gain`). Nothing
else is changed: a column the strips disagree on, or that only one strip sees, keeps its
pixels.

`settles_empty` (one hook in `reader.BallotReader._interpret`, after empty8's) then asks
empty8's own questions of the square with the streak divided out: no hesitation dot
(`settle7.pen_dot`), nothing drawn (`empty8.nothing_drawn`: no pen-dark pixel, every
stroke run a line of the paper that goes on beyond the square, no noise, no fill), asked
only of a square still in review as `marginal_mark` or `possible_stain` with its score
under `marked`, and only where a streak was found (`column_gain` darkens some column of
the neighbourhood). The square then reads `empty`.

Why this is proof: the factor divided out of a column is measured 9.5 mm and more away
from the square, above and below it, and must agree on both sides: a stroke, a dot or a
dash drawn in the square, along the streak or across it, is in neither strip, so it is
left in the square at its own contrast, and empty8's tests (which find a pencil stroke of
0.025 contrast and a pen-dark dot) see it as they would on a clean sheet.

Where it stops: a streak along the image's rows (a flatbed's bar moving across the page)
is not looked for; a voter's line ruled down the whole sheet in one column, as dark above
the square as below it, is taken for a streak (as lines7 takes such a line for a fold);
a streak near the top or bottom of the scan (less than MIN_STRIP_MM of paper beyond the
gap on either side) is not divided out.

`reference.column_gain_reference` (the `# lines10` block) is `column_gain` in plain
loops; tests/test_lines10.py checks they agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kiosk.ballots.layout import TARGET
from kiosk.reading import lines7, speed32

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

ENABLED = True  # tests and the A/B read each sheet with it off too ("before")

AROUND_MM = 5.5  # the neighbourhood beyond the square's edge (as `empty8.AROUND_MM`)
GAP_MM = 1.0  # the strips start this far beyond the neighbourhood (above and below) ...
STRIP_MM = 30.0  # ... and run this long
MIN_STRIP_MM = 8.0  # each strip at least this long on the image, or no streak is measured
STRIP_PCT = 75.0  # a column's paper: this percentile of its pixels in a strip
BASE_MM = 2.0  # the paper around a column: the columns this far either side ...
STREAK_MIN = 0.04  # a streak's column: this much darker than the paper around, in both strips
AGREE = 0.03  # ... the two strips' darkenings within this of each other
EDGE_NEAR = 0.01  # a column beside a streak's this much darker in both strips is its blur's
EDGE_MM = 0.5  # a stroke run inside must reach this close to the inside's edge at both ends
SIDE_MM = (0.6, 1.0)  # the paper beside a streak's column: these columns towards the square's middle
ALONG_NEAR_MM = 0.8  # the inside's columns this close to a streak's are asked too
ALONG_MAX = 0.03  # a streak's column, divided, at most this darker than that paper ...
ALONG_RUN_MM = 0.8  # ... for this long in the square's rows (a dash on the streak)


def _paper_levels(strip: np.ndarray) -> np.ndarray:
    """Each column's paper in a strip: its STRIP_PCT percentile."""
    return np.asarray(np.percentile(strip.astype(np.float64), STRIP_PCT, axis=0))


def _around(levels: np.ndarray, reach: int) -> np.ndarray:
    """The paper around each column: the STRIP_PCT percentile of the levels within `reach`.
    fast12: the columns whose whole reach is on the strip in one call (a sliding window, the
    same percentile of the same values), the few at the ends one at a time; equal to
    `around_reference` (tests/test_fast12.py)."""
    n = len(levels)
    k = 2 * reach + 1
    if n < k:
        return around_reference(levels, reach)
    out = np.empty(n)
    out[reach : n - reach] = np.percentile(sliding_window_view(levels, k), STRIP_PCT, axis=1)
    for x in (*range(reach), *range(n - reach, n)):
        out[x] = _around_one(levels, x, reach)
    return out


def _around_one(levels: np.ndarray, x: int, reach: int) -> float:
    """The paper around column x: the STRIP_PCT percentile of the levels within `reach`."""
    # pass32: numpy's percentile to the bit, without its 40 us of argument handling
    return speed32.percentile(levels[max(0, x - reach) : x + reach + 1], STRIP_PCT)


def around_reference(levels: np.ndarray, reach: int) -> np.ndarray:
    """`_around` one column at a time."""
    n = len(levels)
    out = np.empty(n)
    for x in range(n):
        out[x] = _around_one(levels, x, reach)
    return out


def column_gain(image: np.ndarray, cx: float, cy: float, scale: float) -> tuple[int, np.ndarray] | None:
    """(x0, gain): the factor each image column x0 .. x0 + len(gain) - 1 around the square
    at (cx, cy) is darkened by (1.0: not a streak's column, or not known), from the strips
    above and below; None when a strip is too short on the image."""
    h, w = image.shape
    reach = round((TARGET / 2 + AROUND_MM) * scale)
    base = max(1, round(BASE_MM * scale))
    x0, x1 = max(0, round(cx) - reach - base), min(w, round(cx) + reach + base + 1)
    gap = round((TARGET / 2 + AROUND_MM + GAP_MM) * scale)
    length = round(STRIP_MM * scale)
    top = (max(0, round(cy) - gap - length), max(0, round(cy) - gap))
    bottom = (min(h, round(cy) + gap), min(h, round(cy) + gap + length))
    need = MIN_STRIP_MM * scale
    if top[1] - top[0] < need or bottom[1] - bottom[0] < need or x1 - x0 < 2 * base + 1:
        return None
    darkening = []
    for y0, y1 in (top, bottom):
        levels = _paper_levels(image[y0:y1, x0:x1])
        darkening.append(1.0 - levels / np.maximum(_around(levels, base), 1.0))
    up, down = darkening
    streak = (up >= STREAK_MIN) & (down >= STREAK_MIN) & (np.abs(up - down) <= AGREE)
    # the streak's blurred edges (JPEG, the sensor's spread): the columns next to a
    # streak's darkened in both strips too, by the lesser of the two
    near = np.zeros_like(streak)
    near[1:] |= streak[:-1]
    near[:-1] |= streak[1:]
    streak |= near & (up >= EDGE_NEAR) & (down >= EDGE_NEAR) & (np.abs(up - down) <= AGREE)
    gain = np.where(streak, 1.0 - np.minimum(up, down), 1.0)
    # the `base` columns at each end were only there to measure the paper around
    inner = slice(base, len(gain) - base)
    return x0 + base, np.asarray(gain[inner])


def divided(
    image: np.ndarray, centre: tuple[float, float], scale: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The image with the streak's columns around the square divided by their factor (a
    copy), and those columns; None when no streak is there (or it cannot be measured)."""
    got = column_gain(image, centre[0], centre[1], scale)
    if got is None:
        return None
    x0, gain = got
    if not (gain < 1.0).any():
        return None
    out = image.copy()
    cols = slice(x0, x0 + len(gain))
    out[:, cols] = np.clip(np.rint(image[:, cols] / gain[None, :]), 0, 255).astype(image.dtype)
    return out, x0 + np.nonzero(gain < 1.0)[0]


def settles_empty(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
    marked: float,
    half: int,
    page: lines7.PageSource | None,
) -> bool:
    """Does the square in doubt read `empty` once a scanner's streak is divided out of its
    columns (module docstring)? The same preconditions as `empty8.settles_empty`."""
    from kiosk.reading import empty8, settle7

    if not ENABLED or page is None or not empty8.in_doubt(v.mark, v.reason, v.score, marked):
        return False
    at = (float(centre[0]), float(centre[1]))
    got = divided(image, at, scale)
    if got is None:
        return False
    clean, cols = got
    paper = float(np.max(levels))
    if settle7.pen_dot(clean, at, scale, paper, gain) or dash_on_streak(clean, at, scale, cols):
        return False

    return runs_cross(clean, at, scale, paper, gain) and empty8.nothing_drawn(
        clean, at, scale, paper, gain, empty8.hand_line_test(clean, at, half, scale, page)
    )


def dash_on_streak(image: np.ndarray, at: tuple[float, float], scale: float, cols: np.ndarray) -> bool:
    """Is anything left on or beside the streak's columns `cols` once divided (`image`:
    `divided`'s), in the square's rows: any inside column within ALONG_NEAR_MM of the
    streak (two columns' mean) ALONG_MAX darker than the paper SIDE_MM beside it (towards
    the square's middle) for ALONG_RUN_MM on end? A dash drawn on the streak or beside it,
    a dot on it; also where the streak hugs the printed border, beside which empty8's
    stroke contrast is blind (found by tests/test_lines10.py's attacks)."""
    from kiosk.reading import empty8

    h, w = image.shape
    inner = empty8.INSIDE_MM * scale
    y0, y1 = max(0, round(at[1] - inner)), min(h, round(at[1] + inner) + 1)
    reach = round(ALONG_NEAR_MM * scale)
    xs = np.arange(int(cols.min()) - reach, int(cols.max()) + reach + 1)
    xs = xs[(np.abs(xs - at[0]) <= inner) & (xs >= 0) & (xs + 1 < w)]
    if y1 - y0 < 3 or len(xs) == 0:
        return True  # cannot be judged: a hand's until shown otherwise
    block = image[y0:y1].astype(np.float64)
    near, far = (round(m * scale) for m in SIDE_MM)
    need = max(1, round(ALONG_RUN_MM * scale))
    for x in xs.tolist():
        toward = 1 if x <= at[0] else -1
        side = np.array([x + toward * d for d in range(near, far + 1)])
        side = side[(side >= 0) & (side < w)]
        if len(side) == 0:
            return True
        on = block[:, x : x + 2].mean(axis=1)
        paper = np.median(block[:, side], axis=1)
        d = 1.0 - on / np.maximum(paper, 1.0)
        # a running median over three rows: one noisy row neither makes nor breaks a run
        padded = np.concatenate([d[:1], d, d[-1:]])
        smooth = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
        run = 0
        for above in (smooth >= ALONG_MAX).tolist():
            run = run + 1 if above else 0
            if run >= need:
                return True
    return False


def runs_cross(image: np.ndarray, at: tuple[float, float], scale: float, paper: float, gain: float) -> bool:
    """Does every stroke run left inside the square (empty8's: `pencil6.trace_contrast` at
    `empty8.LEVEL`, 8-connected, at least `empty8.RUN_MM` long) cross the inside, both
    ends of it (along its main axis) within EDGE_MM of the inside's edge? A line of the
    paper crosses the square; a dash, a dot's tail or a tick's arm stops in it."""
    import cv2

    from kiosk.reading import empty8, pencil6

    got = empty8.neighbourhood(image, at, scale)
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    inner = empty8.INSIDE_MM * scale
    inside = box <= inner
    c = pencil6.trace_contrast(win, scale, paper, gain)
    stroke = (inside & (c >= empty8.LEVEL)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(stroke, connectivity=8)
    for k in range(1, n):
        if max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) < empty8.RUN_MM * scale:
            continue  # noise: empty8 counts it
        iy, ix = np.nonzero(labels == k)
        u, v = xs[iy, ix], ys[iy, ix]
        pts = np.stack([u - u.mean(), v - v.mean()])
        _, vecs = np.linalg.eigh(pts @ pts.T)
        t = vecs[:, -1] @ pts  # along the run's main axis
        for end in (int(np.argmin(t)), int(np.argmax(t))):
            if max(abs(u[end]), abs(v[end])) < inner - EDGE_MM * scale:
                return False
    return True
