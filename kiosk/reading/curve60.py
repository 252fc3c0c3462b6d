"""A fine pen's tick or X is not a hair on the glass (issue 10, curve60: session 59's lead;
built, OFF after session 60's review).

Why. `fix8.hairline` sends to the commission every square about to read `marked` (scoring
under fix8.HAIR_SCORE_MAX) whose dark features inside all measure under fix8.HAIR_MM across:
a hair on the scanner's glass. A fine ballpoint's line measures there too: on session 59's
independent corpus (its own pens, paper and scanner, benchmarks/results/pass59/) 42 of the 76
real marks its census found in review were fix8's, their strokes 0.19-0.30 mm by fix8's
measure against a hair's 0.1-0.35 (150-300 dpi, blurred, under JPEG). Width cannot tell them
apart; shape can. A hair is one feature, straight or gently curved (an eyelash: an arc of a
few millimetres' radius); a tick is two strokes meeting at a corner, an X or a plus two
crossing, a scribble many.

The rule. A hair-thin square stays `marked` (is not sent to review by fix8's width test)
when one of its long dark features (fix8's dark pixels, 2 x 2 closed; a feature's long side,
`cv2.minAreaRect`, at least LONG_MM) is strokes meeting at an angle: its pixels lie off one
smooth curve (the root mean square of their distance from the best circle and from the best
parabola across the feature's main axis, each fitted again without the worst TRIM of the
pixels and measured on the rest, so a dust speck touching the line does not count) by
CURVE_MM or more, and they do not all run one way (`aligned`, the coherence of their summed
structure tensor, under ALIGNED_MAX: an X's or a plus's arms cross at right angles, a tick's
meet at 40-100 degrees). Each feature is judged alone: hairs or a fingerprint's ridges side
by side are each one curve, and lines side by side that the closing joins into one band run
one way. No long feature: nothing drawn to judge by, hair-thin as before. fix8's ridge test
(a fingerprint) is asked as before.

Where it stops. A voter's circle, or a single slash, is one curve: still review, as before;
so is a tick whose arms the pen's skip parted (two features, each one curve). Two hairs
crossing in one square make an X and are read as a vote (`test_curve60`'s strict xfail), as
do thin lines that cross at a shallow angle; each hair alone is one curve (benchmarks/results/
pass60/hairs60-3000.json: simulated hairs at 150-300 dpi with dust, the most bent 0.165 mm
off against CURVE_MM 0.2). The rule only ever keeps a square `marked` that fix8 would have
sent to review; it never makes one `marked`.

OFF (ENABLED False; benchmarks/hook_ab.py --switch-on curve60 studies it): off, every
hair-thin square is one curve, as fix8 had it. Session 60's review attacked it on the red
team's blank ballot (tests/test_redteam8.py): the red team's hair with a dust clump on it (a
round clump's pixels run every way, so `aligned` is low), with a fibre of 2-3 mm touching it,
or with a second hair crossing it, is a vote with the rule on and review without it
(`test_curve60.test_why_curve60_is_off`; of 30 random crossings, 9 turned). Inside the square
a hair with a fibre across it is a fine pen's X; telling them apart needs what lies beyond
the square (a hair runs on for millimetres), which this rule does not look at.
"""

from __future__ import annotations

import cv2
import numpy as np

ENABLED = False  # OFF after session 60's review: a hair with a dust clump or fibre, or two hairs crossing, read as a vote (tests/test_curve60.py)

LONG_MM = 1.0  # a feature this long (its least-area rectangle's long side) is a stroke, not a speck
MIN_PX = 6  # fewer long pixels than this: nothing drawn to judge by
TRIM = 0.15  # the worst share of the pixels left out of the refit and of the measure
CURVE_MM = 0.2  # off one smooth curve by this much (rms, mm): two strokes, not a hair
ALIGNED_MAX = 0.5  # and its pixels' directions this little aligned: strokes that meet at an angle


def long_features(dark: np.ndarray, scale: float) -> list[np.ndarray]:
    """Each long feature of the dark mask as its pixels (x, y in mm, float64): the mask
    2 x 2 closed (graphite's grain, a ballpoint's skips bridged as fix8 measures), each
    outer outline's feature kept when its least-area rectangle is LONG_MM long or more and
    it holds MIN_PX pixels."""
    closed: np.ndarray = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out = []
    filled: np.ndarray = np.zeros_like(closed)
    for c in contours:
        if max(cv2.minAreaRect(c)[1]) < LONG_MM * scale:
            continue
        filled[:] = 0
        cv2.drawContours(filled, [c], -1, 1, thickness=cv2.FILLED)
        ys, xs = np.nonzero(filled & closed)
        if xs.size >= MIN_PX:
            out.append(np.stack([xs, ys], 1).astype(np.float64) / scale)
    return out


def _trimmed_rms(residuals: np.ndarray) -> float:
    r2 = np.sort(residuals * residuals)
    return float(np.sqrt(np.mean(r2[: max(1, int((1.0 - TRIM) * r2.size))])))


def _circle_rms(p: np.ndarray) -> float:
    """The best circle's (algebraic least squares, refit without the worst TRIM) trimmed rms."""
    x, y = p[:, 0], p[:, 1]
    a = np.stack([x, y, np.ones_like(x)], 1)
    b = x * x + y * y
    keep = np.ones(x.size, bool)
    for _ in range(2):
        sol = np.linalg.lstsq(a[keep], b[keep], rcond=None)[0]
        cx, cy = sol[0] / 2, sol[1] / 2
        r = float(np.sqrt(max(sol[2] + cx * cx + cy * cy, 0.0)))
        res = np.hypot(x - cx, y - cy) - r
        keep = np.abs(res) <= np.quantile(np.abs(res), 1.0 - TRIM)
    return _trimmed_rms(res)


def _parabola_rms(p: np.ndarray) -> tuple[float, float]:
    """(the least spread across the main axis, the best parabola's trimmed rms across it):
    a near-straight line, where the circle's fit is ill-posed."""
    q = p - p.mean(axis=0)
    values, vectors = np.linalg.eigh(q.T @ q / len(q))
    u, v = q @ vectors[:, 1], q @ vectors[:, 0]
    a = np.stack([np.ones_like(u), u, u * u], 1)
    fit = np.linalg.lstsq(a, v, rcond=None)[0]
    return float(np.sqrt(max(values[0], 0.0))), _trimmed_rms(v - a @ fit)


def aligned(p: np.ndarray, scale: float) -> float:
    """How much one feature's strokes run one way (0: every way, as an X's or a plus's two
    arms; 1: all one way, as lines side by side or a ridge that forks): the coherence of the
    summed structure tensor of its pixels drawn as a mask (blurred 0.7 px against the
    pixels' staircase)."""
    ij = np.round(p * scale).astype(np.int64)
    ij -= ij.min(axis=0) - 3
    mask = np.zeros((int(ij[:, 1].max()) + 4, int(ij[:, 0].max()) + 4), np.float32)
    mask[ij[:, 1], ij[:, 0]] = 1.0
    return tensor_coherence(cv2.GaussianBlur(mask, (0, 0), 0.7), 1.0)


def tensor_coherence(m: np.ndarray, empty: float) -> float:
    """The coherence of the summed structure tensor of the (blurred, float32) image `m`: 0 when
    its edges run every way, 1 when all one way; `empty` where it has no edge (pencil70 asks it
    too)."""
    gx = cv2.Sobel(m, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(m, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    total = jxx + jyy
    return empty if total <= 0 else float(np.hypot(jxx - jyy, 2 * jxy) / total)


def off_curve(dark: np.ndarray, scale: float) -> float | None:
    """How far (mm, trimmed rms) the most bent long feature's pixels lie off one smooth
    curve: for each feature the least of its circle's, its parabola's and its spread across
    its main axis; the largest of those. None: no long feature."""
    worst = None
    for p in long_features(dark, scale):
        off = _off(p)
        worst = off if worst is None else max(worst, off)
    return worst


def _off(p: np.ndarray) -> float:
    spread, parabola = _parabola_rms(p)
    return min(spread, parabola, _circle_rms(p))


def strokes_meet(dark: np.ndarray, scale: float) -> bool:
    """Does some long feature bend off one smooth curve by CURVE_MM or more with its
    strokes running different ways (`aligned` under ALIGNED_MAX): a tick's corner, an X's
    or a plus's crossing?"""
    return any(_off(p) >= CURVE_MM and aligned(p, scale) < ALIGNED_MAX for p in long_features(dark, scale))


def one_curve(dark: np.ndarray, scale: float) -> bool:
    """Is each of the hair-thin square's long dark features one smooth curve (a hair, hairs,
    a fingerprint's ridges side by side), or is nothing long enough to tell? False: a
    feature whose strokes meet or cross (a fine pen's tick, X, plus)."""
    return not ENABLED or not strokes_meet(dark, scale)
