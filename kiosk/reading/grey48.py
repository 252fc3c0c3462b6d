"""A light pencil's grey strokes settled as a mark (issue 10, grey48: the forty-fifth pass).

Why. On pencil sheets most of the review beyond the truth is real marks the closer look leaves
`marginal_mark` (census47, seed 203: 74 squares; 47 of 162 sheets in review beyond truth hold
nothing else). To the eye they are plain grey ticks, X's and scribbles, strokes about 1 mm wide
(`benchmarks/results/pass48/short203-*.png`). settle7 refuses them: its stroke pixels are the
pencil contrast against paper boxes 0.8 mm to each side, which on a 1 mm light stroke leaves only
broken pieces of its middle (the first arm under 2.5 mm, the second under arm41's own-pixel
bound). broad40's shape tests see the whole stroke (darkness against the grey closing over 3.5 mm),
but at its CONTRAST (0.25) these strokes, 0.15-0.3 against the paper, break up too.

The rule (`settles`, asked beside settle7 where switched on, for the closer look's own
`marginal_mark`, its score from settle7's floor and strictly over `marginal`): broad40's shape
tests at CONTRAST with AREA_MM2 and SPREAD_MM, what is seen first opened over OPEN_MM (two strokes
in the square: a run spanning 3.7 mm, no fat drop, spread across its axis as two arms are); the
run's skeleton two straight bands cover (`arms_cover`, ARMS_SHARE); no hesitation dot
(`settle7.pen_dot`); and broad42's look round the square at the same darkness (`broad42.quiet`:
nothing stray beside it, what crosses the border ends within 3.2 mm of it at this darkness and at
half the strokes' own, no paper enclosed), what is followed beyond the border passing through the
sheet's other print without measuring it (at this darkness a tick's tip near a printed row line
would carry the reach along the line). The reader keeps the square `marked` only as the
contest's one vote with nothing else in doubt (`settle7.settle_contest`), and the checks after the
loop (`rims7.unlike_marks`, `fix8.hairline`, `erase9.possible_erasure`) still apply.

Measured (`benchmarks/results/pass48/`): on the census's doubtful squares of seeds 198, 200 and
203 no truth-empty square passes broad40's shape tests at 0.13 or even 0.10.

Why it is OFF. Over 6,600 dev A/B sheets it decided 24 real marks and no empty square, but an
outside attack (`benchmarks/results/pass48/grey48-helper-attack.*`: 3,240 drawn non-marks on an
empty square of a blank contest at 150-300 dpi) had 57 of them read `marked` with it on and not
with it off: single mirrored letters at 15-30 % (Z, N, Ж, Г, X, V, L...), small ring rims and
drops (an O 4-6 mm across: the hole test looks for enclosed paper inside the inside's box only,
and a ring that wide reaches past it), two fading rims crossing, C-shaped arcs, single S-shaped
wavy strokes (their spread 0.46-0.54 mm, just over SPREAD_MM) and ghosts of erased X's. Some
(a grey X-shaped letter, an erased X's ghost) are marks to the eye; the rims, arcs, waves and most
letters are not. Two guards were added after the attack, measured on its cases
and on two dev A/Bs, not attacked again: SPREAD_MM back at broad40's 0.55 (the wavy strokes) and
`arms_cover`, the share of the run's skeleton that two straight bands cover, at least ARMS_SHARE
(rims, arcs, Z- and N-like letters). Left by them on the attack's cases: 15 mark-shaped non-marks
(X-, V-, L-shaped letters, erased X's with no eraser's trace, two rims crossing like an X); their
price, on seeds 203 and 200, 7 of the 15 real marks the unguarded rule decided.

Session 49 (docs/reading.md, "Forty-sixth pass"): the guarded rule attacked again
(`benchmarks/results/pass49/`: the old harness, 15 of 3,240 flipped, and ten new families, 11 of
4,200: narrow V's of two splayed strokes, a 7 and a 9, a mirrored К and an X at 15 % on a stain)
and A/B'd on every dev seed (14 real marks decided over 6,300 sheets, none wrong: about one
sheet in a thousand of the mixed corpus taken out of review). Some six of the 26 flips are
shapes a careful person would not call a vote (a C-shaped rim, a Г, an И, a к, a 9, a К), and
the erased X's ghosts with no eraser's trace are exactly the ballots the law leaves to the
commission; the two further guards measured (the longer arm 2.5 mm, the arms 45 degrees apart)
leave 15. Enclosure up to the printed border was not built: arms_cover already refuses the
rings. It stays OFF: its gain does not pay for a rule whose remaining failures are shapes a
careful person would send to the commission.

Where it stops (switched on). A grey shape inside one square that looks like two crossing strokes,
13 % or more darker than the paper round it, with nothing beside it and no line of the paper
through it, is read as the mark it looks like; broad42 says the same of such a shape at 25 %.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import broad40, broad42, crop, settle7

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

ENABLED = False  # built and OFF: an outside attack turned non-marks into votes (below)
CONTRAST = 0.13  # a stroke's pixel against the closing: light pencil 0.15-0.3 (settle7's ARM_LEVEL)
AREA_MM2 = 3.5  # broad40's run inside the square, at least (its 6: strokes 1-1.5 mm wide; these 0.6-1)
SPREAD_MM = 0.55  # its spread across its main axis (broad40's; 0.45 let wavy single strokes through)
ARMS_SHARE = 0.9  # of the run's skeleton, two straight bands cover at least this (an X, a tick: 0.85-1)
ARMS_BAND_MM = 0.35  # each band's width
ARMS_APART_DEG = 30.0  # the second band's direction this far from the first, at least
OPEN_MM = 0.4  # what is seen, opened over an ellipse this wide first: a hair's blur goes, a stroke stays


def settles(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    v: Verdict,
    marginal: float,
    marked: float,
    half: int | None = None,
) -> bool:
    """Does the closer look's `marginal_mark` settle as `marked`: a light pencil's two grey
    strokes in the square (the module's rule)? The reader keeps it only if the contest becomes
    one vote (`settle7.settle_contest`)."""
    if not ENABLED or half is None or v.mark != "marginal" or v.reason != "marginal_mark":
        return False
    # From settle7's floor, strictly over `marginal`. No ceiling on the reader's own thresholds:
    # a light pencil's strokes may score over `marked` and still be left in doubt (no pen-dark
    # or thin evidence). A station whose calibration raised `marked` over settle7's ceiling is
    # believed: under its `marked`, its doubt band.
    if v.score < settle7.SETTLE_FLOOR or v.score <= marginal:
        return False
    if marked > settle7.SETTLE_CEIL and v.score < marked:
        return False
    at = (float(centre[0]), float(centre[1]))
    win, x0, y0 = crop.placed(image, at[0], at[1], half)
    xs, ys = crop.offsets(win.shape[0], win.shape[1], at[0] - x0, at[1] - y0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= settle7.INSIDE_MM * scale
    margin = box > (TARGET / 2 + 0.5) * scale
    run = broad40.strokes_run(
        np.ascontiguousarray(win), inside, margin, scale, (CONTRAST, AREA_MM2, SPREAD_MM, OPEN_MM)
    )
    if run is None or arms_cover(run, scale) < ARMS_SHARE:
        return False
    if settle7.pen_dot(image, at, scale, float(np.max(levels)), gain):
        return False
    return broad42.quiet(broad42.context(image, at[0], at[1], scale, CONTRAST, print_out=True))


def skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a 0/1 array: each stroke down to its one-pixel middle line."""
    img = np.pad((mask > 0).astype(np.uint8), 1)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            c = img[1:-1, 1:-1]
            # the 8 neighbours, clockwise from the one above
            nb = [
                img[:-2, 1:-1],
                img[:-2, 2:],
                img[1:-1, 2:],
                img[2:, 2:],
                img[2:, 1:-1],
                img[2:, :-2],
                img[1:-1, :-2],
                img[:-2, :-2],
            ]
            b = sum(x.astype(np.int32) for x in nb)
            a = sum(((nb[i] == 0) & (nb[(i + 1) % 8] == 1)).astype(np.int32) for i in range(8))
            p2, p4, p6, p8 = nb[0], nb[2], nb[4], nb[6]
            if step == 0:
                keep = ((p2 * p4 * p6) == 0) & ((p4 * p6 * p8) == 0)
            else:
                keep = ((p2 * p4 * p8) == 0) & ((p2 * p6 * p8) == 0)
            gone = (c == 1) & (b >= 2) & (b <= 6) & (a == 1) & keep
            if gone.any():
                c[gone] = 0
                changed = True
    out: np.ndarray = img[1:-1, 1:-1]
    return out


def arms_cover(run: np.ndarray, scale: float) -> float:
    """The share of the run's skeleton that two straight bands ARMS_BAND_MM wide, ARMS_APART_DEG
    or more apart in direction, cover (the first the band covering most, at 3-degree steps; the
    second the same among what is left): an X, a tick, a V or a plus nearly all of it; a ring, an
    arc, a wave, a Z or an N less (0.5-0.8 drawn)."""
    ys, xs = np.nonzero(skeleton(run))
    n = len(xs)
    if n < 3:
        return 0.0
    x, y = xs / scale, ys / scale
    left = np.ones(n, bool)
    step = 0.05  # mm: the bands' offsets
    width = max(1, round(ARMS_BAND_MM / step))
    first: float | None = None
    covered = 0
    for _arm in range(2):
        best, best_on, best_a = -1, np.zeros(n, bool), 0.0
        for a in range(0, 180, 3):
            if first is not None and min(abs(a - first) % 180, 180 - abs(a - first) % 180) < ARMS_APART_DEG:
                continue
            t = math.radians(a)
            rho = -x * math.sin(t) + y * math.cos(t)
            q = np.floor((rho - rho.min()) / step).astype(np.int64)
            sums = np.concatenate([[0], np.cumsum(np.bincount(q[left], minlength=int(q.max()) + 1))])
            wins = sums[width:] - sums[:-width] if len(sums) > width else sums[-1:] - sums[:1]
            j = int(np.argmax(wins))
            if wins[j] > best:
                best, best_a = int(wins[j]), float(a)
                best_on = left & (q >= j) & (q < j + width)
        first = best_a if first is None else first
        covered += int(best_on.sum())
        left &= ~best_on
    return covered / n
