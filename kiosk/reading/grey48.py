"""A light pencil's grey strokes settled as a mark (issue 10, grey48: the forty-fifth pass).

Why. On pencil sheets most of the review beyond the truth is real marks the closer look leaves
`marginal_mark` (census47, seed 203: 74 squares; 47 of 162 sheets in review beyond truth hold
nothing else). To the eye they are plain grey ticks, X's and scribbles, strokes about 1 mm wide
(`benchmarks/results/pass48/short203-*.png`). settle7 refuses them: its stroke pixels are the
pencil contrast against paper boxes 0.8 mm to each side, which on a 1 mm light stroke leaves only
broken pieces of its middle (the first arm under 2.5 mm, the second under arm41's own-pixel
bound). broad40's shape tests see the whole stroke (darkness against the grey closing over 3.5 mm),
but at its CONTRAST (0.25) these strokes, 0.15-0.3 against the paper, break up too.

The rule (`settles`, asked beside settle7 where switched on for the closer look's own `marginal_mark`, its score in
settle7's band, strictly over `marginal`): broad40's shape tests at CONTRAST (two broad strokes in
the square: a run of 6 mm2 or more spanning 3.7 mm, no fat drop, spread across its axis as two arms
are), no hesitation dot (`settle7.pen_dot`), and broad42's look round the square at the same
darkness (`broad42.quiet`: nothing stray beside it, what crosses the border ends within 3.2 mm of it
at this darkness and at half the strokes' own, no paper enclosed), what is followed beyond the
border leaving out the sheet's other print (at this darkness a tick's tip 0.5 mm from a printed row
line would carry the reach along the line). The reader keeps the square `marked` only as the
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
letters are not. What a kept version needs (docs/reading.md, forty-fifth pass): enclosure sought
up to the printed border (or a circle fit), a spread or two-straight-arms test that refuses a
single curved stroke, and this attack run again.

Where it stops (switched on). A grey shape inside one square that looks like two crossing strokes,
13 % or more darker than the paper round it, with nothing beside it and no line of the paper
through it, is read as the mark it looks like; broad42 says the same of such a shape at 25 %.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import broad40, broad42, crop, settle7

if TYPE_CHECKING:
    from kiosk.reading.inspect import Verdict

ENABLED = False  # built and OFF: an outside attack turned non-marks into votes (below)
CONTRAST = 0.13  # a stroke's pixel against the closing: light pencil 0.15-0.3 (settle7's ARM_LEVEL)
AREA_MM2 = 3.5  # broad40's run inside the square, at least (its 6: strokes 1-1.5 mm wide; these 0.6-1)
SPREAD_MM = 0.45  # its spread across its main axis (broad40's 0.55; a thin V tick: 0.47-0.6)
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
    if not broad40.strokes(
        np.ascontiguousarray(win), inside, margin, scale, (CONTRAST, AREA_MM2, SPREAD_MM, OPEN_MM)
    ):
        return False
    if settle7.pen_dot(image, at, scale, float(np.max(levels)), gain):
        return False
    return broad42.quiet(broad42.context(image, at[0], at[1], scale, CONTRAST, print_out=True))
