"""pencil10's overvote where no print is behind (issue 10, the eleventh pass: pencil11).

pencil10 (`kiosk/reading/pencil10.py`, switched off) reads a contest of two certain pencil
marks as an overvote instead of review. It was merged off because the title side's print
showing through thin paper (a mirrored letter: H, X, N... at 0.18-0.3 of the light) beside
a real pencil X passes its test. Show-through is the title side's KNOWN print (show10
renders it from the package): where none of it lies behind a square or near it, no
show-through can be there.

The rule (`overvote_kept`, called by the reader where pencil10's is, with the layout): it is
pencil10's decision, allowed only when every square it counts (each `marked` square of the
contest: the reader's own and the certain settled ones) is CLEAR of the title side's print:
no map pixel of it at least CLEAR_LEVEL dark within the square's neighbourhood (settle7's
AROUND_MM, where its arms are looked for) grown by CLEAR_MARGIN_MM (registration error and
the paper's diffusion), in page coordinates (`clear_of_print`). Any square of the contest
with print near it keeps the contest in review (as pencil10 off).

THE RULE IS SWITCHED OFF (`ENABLED = False`): on the corpus every square it decides is a
real mark and the printed title side's show-through (letters over print, the whole title
side at 0.15-0.4 of the light, shifted up to 3 mm) never passes it, but a letter-like faint
X drawn where the title side has NO print still passes beside a real pencil X (pencil10's
attack with the letter in a clear square: 71 of 870 attack cases at 150-300 dpi), and so does a
look-alike the reader reads `marked` itself (a wide slash, a graphite smudge: the rule
counts the reader's own `marked` squares as they are), each an overvote where the truth
has one vote (tests/test_pencil11.py, xfail strict).

Where it stops: it knows only the PRINTED title side. Anything else on the front (a hand's
writing, a stamp) showing through is unknown to it, as to show10; and the guards on the
marks themselves are pencil10's (settle7's two hand strokes, no dot, not running beyond,
`pencil9.two_strokes`, arms of 3 and 2 mm, score at least SETTLE_FLOOR, after rims7,
fix8, wrong10 and erase9 had their say). See docs/reading.md, "Eleventh pass: pencil10
where no print is behind (pencil11)".
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import BallotLayout
from kiosk.reading import pencil10, settle7, show10
from kiosk.reading.model import MarkReading, Thresholds

ENABLED = False  # OFF: a letter-like faint X where no print is behind still passes (see the docstring)
CLEAR_LEVEL = 0.1  # a map pixel at least this dark (of black) is print (show10's PRINT_LEVEL: 0.25)
CLEAR_MARGIN_MM = 1.5  # beyond settle7's neighbourhood: registration (~1 mm) and diffusion


def clear_of_print(layout: BallotLayout, index: int) -> bool:
    """No title-side print within AROUND_MM + CLEAR_MARGIN_MM (each axis) of square
    `index`'s centre, page coordinates (`show10.print_near`, cached per layout)."""
    return not show10.print_near(layout, settle7.AROUND_MM + CLEAR_MARGIN_MM, CLEAR_LEVEL)[index]


def overvote_kept(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    half: int,
    marks: list[MarkReading],
    settled: list[int],
    thresholds: Thresholds,
    layout: BallotLayout,
) -> list[int]:
    """pencil10's `overvote_kept` when every `marked` square of the contest is clear of the
    title side's print (`clear_of_print`); else `settled` unchanged (review as before)."""
    if not ENABLED or not settled:
        return settled
    if any(m.mark == "marked" and not clear_of_print(layout, i) for i, m in enumerate(marks)):
        return settled
    return pencil10.decide(image, centres, scales, paper, gain, half, marks, settled, thresholds)
