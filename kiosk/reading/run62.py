"""A dark line that crosses the square and runs on beyond it is a hair or a thread, not a
vote (issue 10, session 62: run62). A rule that only SENDS a square to the commission
(review, `crossing_line`), never decides one.

Why. Session 62 gave the corpus debris (`fieldkit.debris`: hairs, fibres, dust specks, a hair
with a dust clump, laid across squares). On 2,000 dev sheets with debris on each (seed 196,
every other condition mixed as usual) the reader read 15 empty squares `marked`, 12 outcomes
wrong (a vote made an overvote, a blank ballot a vote): a hair 0.1-0.2 mm thick at 150-250 dpi,
blurred and JPEG'd, measures wider than fix8's hair bound (HAIR_MM), and a hair with a dust
clump whose line is that thick passes clump60. Each is one dark line, or two, crossing the
square's inside and going on beyond it; a voter's tick, cross, plus, circle or scribble is not.
fix8 and clump60 look inside the square only; this rule looks beyond it.

The rule. Asked of a square read `marked` scoring under RUN_SCORE_MAX:
- the ink: fix8's dark pixels inside. `lines_in` finds one or two straight lines through them (a
  Hough line, refined twice by the principal axis of the pixels within BAND_MM of it), each
  spanning LONG_SHARE of the inside, with what they leave small pieces only (none over REST_MM:
  a clump, specks, a tick's short arm); else nothing to say;
- not asked: a line within STREAK_DEG of the scan's columns (a scanner's streak: the streak
  rules' own), two lines within TWIN_DEG and TWIN_MM of each other (one broad stroke's edges),
  a line whose own contrast inside (`line_ink`: the median over its cross-sections, the darkest
  pixel within SEARCH_MM against the median of the paper BESIDE_MM-WIDE_MM either side) is under
  MIN_INK (a hair is dark; a light pencil line is not);
- each line must run on beyond the printed square (`runs_on`): followed from CLEAR_MM past the
  square for RUN_MM, every STEP_MM the darkest pixel within SEARCH_MM across at PRESENT of the
  line's contrast against the paper beside it (a stain round the line is no line), at
  PRESENT_SHARE of the steps; the path re-centred there and turned TURN of the way towards it,
  up to MAX_TURN_DEG from its direction inside (a hair bends; a tick's arms turn);
- at one end at least where the line is alone or what is left is a clump (CLUMP_TIMES the
  line's depth, the distance to paper, and CLUMP_MIN_MM deep at least); at both ends where
  anything else is left (a tick is a line and a short arm as deep as it).
Then the square goes to review, `crossing_line`.

What it keeps: an X, a plus or a tick whose strokes stop at the border or turn, a circle, a
scribble, a fill, a light pencil's strokes, anything on a streak. What it sends to the commission
that is a vote: a dark straight stroke through the square and on beyond it (a person would ask
too). Where it stops (tests/test_run62.py): a hair ending within CLEAR_MM + RUN_MM past the
square at both ends (a short hair, an eyelash), a hair curling away beyond the border, a hair
beside a streak, a hair too light beside its clump to be among fix8's dark pixels (the clump
alone then reads as a dot scoring over `marked`: dot63's since session 63), three lines or more,
a hair over a voter's real mark (the mark's ink is off the line: it stays `marked`, rightly).

Switched off with ENABLED (benchmarks/hook_ab.py --module run62).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import crop, fix8, kernels, speed32
from kiosk.reading.model import MarkReading, marked_to_review

ENABLED = True

# asked of squares read `marked` scoring under this (speed62): a hair 0.2 mm thick across the
# inside's diagonal scores about 0.05, with a dust clump 1.6 mm across 0.13, two such 0.2 (the
# debris sets' wrong squares 0.065-0.167); a pen X 0.2-0.42. fix8.HAIR_SCORE_MAX (0.3) at first:
# 0.65 ms a clean sheet, 0.24 with this
RUN_SCORE_MAX = 0.2
BAND_MM = 0.3  # a line's pixels lie within this of its axis
REST_MM = 2.5  # what the lines leave: nothing, or pieces no wider than this
TWIN_DEG = 10.0  # two lines this near parallel ...
TWIN_MM = 1.0  # ... and this near each other are one broad stroke's two edges
STREAK_DEG = 2.0  # a line within this of the scan's columns is a streak's (not asked here)
CLUMP_TIMES = 2.0  # what is left is a clump when its depth (distance to paper) is this many times
CLUMP_MIN_MM = 0.3  # the line's median depth and at least this: a stroke's arm is as deep as its line
LONG_SHARE = 0.6  # a line spans at least this share of the inside's width along itself
CLEAR_MM = 0.5  # the run-on is looked for from this far beyond the printed square
RUN_MM = 2.0  # ... along this much of the line's own direction
STEP_MM = 0.25
SEARCH_MM = 0.35  # each step: the darkest pixel within this across the line ...
WIDE_MM = 0.9  # ... against the median of the paper this far across
BESIDE_MM = 0.5  # ... and no nearer (the line's own blur is nearer)
TURN = 0.2  # each step turns the way this share towards where the line was found ...
MAX_TURN_DEG = 20.0  # ... up to this from the line's own direction inside (a hair's bend)
MIN_INK = 0.25  # a line's own contrast inside at least this: a hair is dark (a light pencil is not)
PRESENT = 0.4  # ... at least this share of the line's median contrast inside (`line_ink`)
PRESENT_SHARE = 0.75  # ... at this share of the steps, at each end
# The Hough transform that finds a line (`_strongest`, `kernels.hough_first`): steps of 2
# degrees (float32, as OpenCV takes them), a line through more than HAIR_MIN_PX pixels
HOUGH_THETA = np.float32(math.pi / 90)
HOUGH_ANGLES = round(math.pi / float(HOUGH_THETA))
HOUGH_THRESHOLD = max(2, fix8.HAIR_MIN_PX)


def _axis(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The principal axis of points (n, 2): their mean and unit direction (the 2 x 2 scatter's
    major axis in closed form: half the angle of (sxx - syy, 2 sxy); speed62, a tenth of
    np.cov and eigh's time; `_axis_reference` is those)."""
    mean = pts.mean(axis=0)
    c = pts - mean
    sxx = float(c[:, 0] @ c[:, 0])
    syy = float(c[:, 1] @ c[:, 1])
    sxy = float(c[:, 0] @ c[:, 1])
    theta = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    return mean, np.array([math.cos(theta), math.sin(theta)])


def _axis_reference(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_axis` by numpy's covariance and eigenvectors (the direction up to its sign)."""
    mean = pts.mean(axis=0)
    _vals, vecs = np.linalg.eigh(np.cov((pts - mean).T))
    d = vecs[:, 1]
    return mean, d / max(1e-9, float(np.hypot(d[0], d[1])))


def _off(pts: np.ndarray, mean: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Each point's distance across the line (mean, d)."""
    rel = pts - mean
    return np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0])  # type: ignore[no-any-return]


def _point_mask(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points (px offsets, whole pixels apart) as a uint8 mask of their box, and the box's
    corner (`pts.min`)."""
    lo = pts.min(axis=0)
    q = np.rint(pts - lo).astype(np.intp)
    mask = np.zeros((int(q[:, 1].max()) + 1, int(q[:, 0].max()) + 1), np.uint8)
    mask[q[:, 1], q[:, 0]] = 255
    return lo, mask


def _strongest(pts: np.ndarray, band: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The line through most of `pts` (a Hough transform of them, 2-degree steps), then
    refined twice: the principal axis of the points within `band` of it."""
    lo, mask = _point_mask(pts)
    hough = cv2.HoughLines(mask, 1, float(HOUGH_THETA), HOUGH_THRESHOLD)
    if hough is None:
        return None
    rho, theta = (float(v) for v in hough[0][0])
    d = np.array([-math.sin(theta), math.cos(theta)])
    mean = lo + rho * np.array([math.cos(theta), math.sin(theta)])
    for _ in range(2):
        near = _off(pts, mean, d) <= band
        if np.count_nonzero(near) < fix8.HAIR_MIN_PX:
            return None
        mean, d = _axis(pts[near])
    return mean, d


def _compact(pts: np.ndarray, scale: float) -> bool:
    """Is what the lines leave nothing, or small pieces (8-connected, none with a side over
    REST_MM: a clump, specks, a tick's short arm)?"""
    if len(pts) < fix8.HAIR_MIN_PX:
        return True
    _lo, mask = _point_mask(pts)
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    longest = max(int(stats[1:, cv2.CC_STAT_WIDTH].max()), int(stats[1:, cv2.CC_STAT_HEIGHT].max()))
    return longest <= REST_MM * scale


def lines_in(
    pts: np.ndarray, scale: float, span: float
) -> tuple[list[tuple[np.ndarray, np.ndarray]], int] | None:
    """One or two lines through the dark pixels `pts` (px offsets from the centre), each
    spanning LONG_SHARE of `span` (the inside's width, px) along itself, what they leave at
    most a clump (`_compact`): the lines and how many points they leave; None: the ink is
    not that. speed69: in one compiled call (`kernels.line_pair`: OpenCV's Hough, the axis and
    the pieces' boxes computed there; 320 us a call in numpy and OpenCV, half the rule's time
    on a clean sheet); `lines_in_reference` is the code it replaces, and tests/test_speed69.py
    checks they agree."""
    if len(pts) < fix8.HAIR_MIN_PX:
        return None
    count, lines, left = kernels.line_pair(
        np.ascontiguousarray(pts, np.float64),
        BAND_MM * scale,
        LONG_SHARE * span,
        REST_MM * scale,
        fix8.HAIR_MIN_PX,
        HOUGH_THRESHOLD,
        HOUGH_THETA,
        HOUGH_ANGLES,
    )
    if count < 0:
        return lines_in_reference(pts, scale, span)
    if count == 0:
        return None
    # A line's direction is the reference's to 1e-9, but for its sign where the line runs
    # along the scan's columns: there the axis's angle is +-90 degrees by a cross sum that is
    # 0 up to rounding, summed in another order here (numpy's BLAS). `hair_lines` drops such
    # a line before any use of its sign (STREAK_DEG).
    return [(lines[k, :2].copy(), lines[k, 2:].copy()) for k in range(count)], int(left)


def lines_in_reference(
    pts: np.ndarray, scale: float, span: float
) -> tuple[list[tuple[np.ndarray, np.ndarray]], int] | None:
    """`lines_in` in numpy and OpenCV (session 62's code, the reference)."""
    if len(pts) < fix8.HAIR_MIN_PX:
        return None
    band = BAND_MM * scale
    found = []
    rest = pts
    for _ in range(2):
        line = _strongest(rest, band)
        if line is None:
            return None
        mean, d = line
        own = _off(rest, mean, d) <= band
        along = (rest[own] - mean) @ d
        if along.size == 0 or float(along.max() - along.min()) < LONG_SHARE * span:
            return None
        found.append(line)
        rest = rest[~own]
        if _compact(rest, scale):
            return found, len(rest)
    return None


def _offsets(scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cross-section's offsets (px, WIDE_MM each way), those searched for the line (within
    SEARCH_MM) and those that are the paper beside it (BESIDE_MM and further)."""
    offs = np.arange(-WIDE_MM * scale, WIDE_MM * scale + 0.5, 1.0)
    offs -= offs[len(offs) // 2]
    return offs, np.abs(offs) <= SEARCH_MM * scale, np.abs(offs) >= BESIDE_MM * scale


def _section(
    image: np.ndarray,
    at: np.ndarray,
    across: np.ndarray,
    offs: np.ndarray,
    near: np.ndarray,
    beside: np.ndarray,
    paper: float,
    gain: float,
) -> tuple[int, float] | None:
    """The cross-section at `at` (image px) along `across`: the darkest searched offset's index
    and its contrast against the median of the paper beside (`gain` x grey difference over
    `paper`: a stain round the line is not the line); None where it leaves the image."""
    h, w = image.shape
    xy = at + offs[:, None] * across
    xi = np.rint(xy[:, 0]).astype(np.intp)
    yi = np.rint(xy[:, 1]).astype(np.intp)
    if xi.min() < 0 or xi.max() >= w or yi.min() < 0 or yi.max() >= h:
        return None
    grey = image[yi, xi].astype(np.float64)
    k = int(np.argmin(np.where(near, grey, np.inf)))
    return k, gain * (float(speed32.median(grey[beside])) - grey[k]) / max(1.0, paper)


def line_ink(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    mean: np.ndarray,
    d: np.ndarray,
) -> float:
    """The line's own contrast inside the square: the median over its cross-sections every
    STEP_MM within the inside (as `runs_on` measures beyond it; a clump on it is a few of them).
    All cross-sections in one gather (speed62); `line_ink_reference` is `_section` in a loop."""
    offs, near, beside = _offsets(scale)
    across = np.array([-d[1], d[0]])
    c = np.array(centre)
    half = fix8.INSIDE_MM * scale
    ts = np.arange(-2 * half, 2 * half + 1e-9, STEP_MM * scale)
    p = mean[None, :] + ts[:, None] * d[None, :]
    p = p[np.max(np.abs(p), axis=1) <= half]
    if len(p) == 0:
        return 0.0
    xy = (c + p)[:, None, :] + offs[None, :, None] * across[None, None, :]
    xi = np.rint(xy[..., 0]).astype(np.intp)
    yi = np.rint(xy[..., 1]).astype(np.intp)
    h, w = image.shape
    on = (xi.min(axis=1) >= 0) & (xi.max(axis=1) < w) & (yi.min(axis=1) >= 0) & (yi.max(axis=1) < h)
    if not on.any():
        return 0.0
    grey = image[yi[on], xi[on]].astype(np.float64)
    darkest = np.where(near[None, :], grey, np.inf).min(axis=1)
    contrast = gain * (np.median(grey[:, beside], axis=1) - darkest) / max(1.0, paper)
    return float(speed32.median(contrast))


def line_ink_reference(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    mean: np.ndarray,
    d: np.ndarray,
) -> float:
    """`line_ink`, one cross-section at a time."""
    offs, near, beside = _offsets(scale)
    across = np.array([-d[1], d[0]])
    c = np.array(centre)
    half = fix8.INSIDE_MM * scale
    got = []
    for t in np.arange(-2 * half, 2 * half + 1e-9, STEP_MM * scale):
        p = mean + t * d
        if float(np.max(np.abs(p))) > half:
            continue
        sec = _section(image, c + p, across, offs, near, beside, paper, gain)
        if sec is not None:
            got.append(sec[1])
    return float(np.median(got)) if got else 0.0


def _walk(scale: float) -> tuple[float, float, int]:
    """The walk beyond the square (`runs_on` and its reference): where it starts, CLEAR_MM past
    the printed square (px from the centre, Chebyshev), its step (px) and its number of steps."""
    return (TARGET / 2 + TARGET_STROKE + CLEAR_MM) * scale, STEP_MM * scale, max(1, round(RUN_MM / STEP_MM))


def runs_on(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    mean: np.ndarray,
    d: np.ndarray,
    ink: float,
) -> int:
    """At how many of its ends (0, 1, 2) does the line (mean, d: px offsets from `centre`) go on
    beyond the printed square, at PRESENT of its ink `ink` inside? Followed from CLEAR_MM past
    the square for RUN_MM, each step re-centred on the darkest pixel across (a hair bends).
    speed65: the walk in one compiled call (`kernels.run_ends`; it was a third of the rule's
    time, numpy on a few pixels a step); `runs_on_reference` is the walk it replaces, and
    tests/test_run62.py checks they agree. A scan not grey uint8 goes to the reference."""
    if image.dtype != np.uint8 or image.ndim != 2:
        return runs_on_reference(image, centre, scale, paper, gain, mean, d, ink)
    offs, near, beside = _offsets(scale)
    start, step, n = _walk(scale)
    return int(
        kernels.run_ends(
            image,
            float(centre[0]),
            float(centre[1]),
            float(mean[0]),
            float(mean[1]),
            float(d[0]),
            float(d[1]),
            offs,
            near,
            beside,
            start,
            step,
            n,
            paper,
            gain,
            PRESENT * ink,
            TURN,
            math.cos(math.radians(MAX_TURN_DEG)),
            PRESENT_SHARE,
        )
    )


def runs_on_reference(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    paper: float,
    gain: float,
    mean: np.ndarray,
    d: np.ndarray,
    ink: float,
) -> int:
    """`runs_on` in numpy, a section at a time (session 62's code, the reference)."""
    start, step, n = _walk(scale)
    offs, near, beside = _offsets(scale)
    c = np.array(centre)
    ends = 0
    for sign in (1.0, -1.0):
        first = sign * d
        way = first
        # the first point along the line this far from the centre (Chebyshev: the square's box)
        p = mean.copy()
        while float(np.max(np.abs(p))) < start and float(np.hypot(*(p - mean))) <= 4 * start:
            p = p + way * (step / 2)
        seen = 0
        for step_no in range(n):
            across = np.array([-way[1], way[0]])
            if seen + (n - step_no) < PRESENT_SHARE * n:
                break  # this end cannot reach PRESENT_SHARE any more: its answer is no
            got = _section(image, c + p, across, offs, near, beside, paper, gain)
            if got is not None:
                k, contrast = got
                if contrast >= PRESENT * ink:
                    seen += 1
                    # follow the line's own bend, slowly: a hair bends, a tick's arms turn
                    p = p + offs[k] * across
                    turned = way * step + TURN * offs[k] * across
                    turned = turned / max(1e-9, float(np.hypot(*turned)))
                    # written out, not `turned @ first`: numpy's `@` goes through the BLAS's dot,
                    # an FMA on some CPUs (one rounding) and not on others; the kernel rounds
                    # each product (session 65's review: the last bit decided a turn at cos 20)
                    along = float(turned[0] * first[0] + turned[1] * first[1])
                    if along >= math.cos(math.radians(MAX_TURN_DEG)):
                        way = turned
            p = p + way * step
        ends += seen >= PRESENT_SHARE * n
    return ends


def hair_lines(image: np.ndarray, at: tuple[float, float], sc: float, paper: float, gain: float) -> bool:
    """`crossing`'s test of one square: is its ink one or two dark lines (what is left at most
    small pieces), each running on beyond the square (at one end, or at both where what is
    left is not a clump)?"""
    got = crop.around(image, at, int(fix8.INSIDE_MM * sc) + 1)  # fix8's window
    if got is None:
        return False
    _win, xs, ys = got
    dark = fix8._dark(image, at, sc, paper, gain)  # fix8's cut, the same window
    if dark is None:
        return False
    rows, cols = np.nonzero(dark)
    pts = np.stack([xs[0, cols], ys[rows, 0]], axis=1).astype(np.float64)
    got_lines = lines_in(pts, sc, 2 * fix8.INSIDE_MM * sc)
    if got_lines is None:
        return False
    found, left = got_lines
    if any(abs(float(d[0])) < math.sin(math.radians(STREAK_DEG)) for _mean, d in found):
        # along the scan's columns: a scanner's streak, whose rules (lines10, wrong11, ...) decide
        return False
    if len(found) == 2:
        (m1, d1), (m2, d2) = found
        if (
            abs(float(d1 @ d2)) >= math.cos(math.radians(TWIN_DEG))
            and float(_off(m2[None], m1, d1)[0]) < TWIN_MM * sc
        ):
            return False  # two edges of one broad stroke (a soft pencil's), not two hairs
    on_lines = np.zeros(len(pts), bool)
    for mean, d in found:
        on_lines |= _off(pts, mean, d) <= BAND_MM * sc
    # A line alone, or with a clump on it (CLUMP_TIMES its thickness), runs on at one end at
    # least; a line with anything else left (a voter's tick is a line and a short arm) at both.
    ends = 1
    if left >= fix8.HAIR_MIN_PX:
        depth = cv2.distanceTransform(dark, cv2.DIST_L2, 5)
        clump = float(depth[rows[~on_lines], cols[~on_lines]].max())
        line = float(speed32.median(depth[rows[on_lines], cols[on_lines]]))
        ends = 1 if clump >= max(CLUMP_MIN_MM * sc, CLUMP_TIMES * line) else 2
    for mean, d in found:
        ink = line_ink(image, at, sc, paper, gain, mean, d)
        if ink < MIN_INK or runs_on(image, at, sc, paper, gain, mean, d, ink) < ends:
            return False
    return True


def crossing(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Each square read `marked`, scoring under RUN_SCORE_MAX, whose ink is one or two dark
    lines running on beyond the square (`hair_lines`) becomes `marginal` (`crossing_line`)."""
    if not ENABLED:
        return marks

    def doubt(i: int, m: MarkReading) -> bool:
        if m.score >= RUN_SCORE_MAX:
            return False
        return hair_lines(
            image, (float(centres[i, 0]), float(centres[i, 1])), float(scales[i]), float(paper[i].max()), gain
        )

    return marked_to_review(marks, doubt, "crossing_line")
