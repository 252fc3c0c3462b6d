"""A contest about to read blank looks at its faint squares again (issue 10, blank65: session
65's untouched run, 14500/57685/c38). A rule that only SENDS a square to the commission
(review, `marginal_mark`), never decides one.

Why. Session 65's untouched run (seed 14500, 1,035,000 squares) read one real mark `empty`: a
light pencil slash across c38's inside on MZ-SMD-02 at 150 dpi (fold, show-through, lamp
falloff), the contest's only mark, fast score 0.0104. A vote was read as a blank ballot. faint37
was asked (through wide38: 0.0104 is just over pencil6.LOOK_FROM, 0.010) and found the slash as
one lone arm at 0.0373, 7.7 times the paper's clean spread, under its floor of LONE_NOISE (8)
times that spread; no other look said yes.

The rule. When every square of the contest is about to read `empty` (the contest would be
`blank`), each square scoring in faint37's low band or wide38's wider band is asked faint37's
question again with the floors' multiples of the clean spread at NOISE_SHARE of theirs
(`faint37.asked(..., noise_share=NOISE_SHARE)`): a faint pair over grain14.NOISE x NOISE_SHARE
times the spread, or one lone arm over LONE_NOISE x NOISE_SHARE times it that does not go on
beyond both of its ends (a fold's, a crease's line does). The absolute floors (grain14.LEVEL,
faint37.LONE_LEVEL) do not move. A yes sends the square to review, and so the contest, unless
all that is dark in it is the title side's known print showing through (show10's rule (b),
`show10.explained_by_print`, as for the closer look's doubts).

Why only blank contests. A vote read as a blank ballot is the costliest of the faint misses (the
voter's only choice lost), and blank contests are few, so the lower floor's price in review is
paid on few sheets; in a contest with a vote already read, faint37's floors stay as they were.
The squares asked again (blank66, session 66): only those faint37 was asked of in the reader's
loop and answered no (the loop's `faint.no`). A square the closer look or a positive empty
test (empty8, stain10, lines10, show10) settled before faint37 was reached is left as it is.
On 8,971 sheets of session 66's spent untouched range, blank65 by score band alone sent 21
empty squares to review (15 under a stain, whose edge faint37 takes for a faint pair, on most
of them even at its full floors). ASKED_ONLY = False is that first rule (benchmarks/hook_ab.py --module blank66).

Switched off with ENABLED (benchmarks/hook_ab.py --module blank65).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kiosk.ballots.layout import BallotLayout
from kiosk.reading import faint37, show10, wide38
from kiosk.reading.model import MarkReading

ENABLED = True

NOISE_SHARE = 0.75  # the floors' multiples of the clean spread at this share: lone arm 6x, pair 3.75x
# blank66: only squares faint37 was asked of in the loop (and said no to) are asked again; False:
# every square in the bands, settled or not, as in session 65 (benchmarks/hook_ab.py --module blank66)
ASKED_ONLY = True


def faint_in_blank(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    layout: BallotLayout,
    page: object,
    marginal: float,
    marks: list[MarkReading],
    faint_no: np.ndarray | None = None,
) -> list[MarkReading]:
    """`marks` with each faint square of a contest about to read blank that faint37 answers yes
    at NOISE_SHARE made `marginal` (`marginal_mark`); `marks` itself where the contest is not
    about to read blank or the rule is off. `faint_no`: the squares faint37 was asked of in the
    reader's loop and said no to (blank66: only those are asked again); None: every square in
    the bands, as the rule was first written."""
    if not ENABLED or any(m.mark != "empty" for m in marks):
        return marks
    out = list(marks)
    for i, m in enumerate(marks):
        if not (faint37.in_band(m.score) or wide38.in_band(m.score, marginal)):
            continue
        if ASKED_ONLY and faint_no is not None and not faint_no[i]:
            continue  # blank66: settled before faint37 was reached (a positive empty test, the closer look)
        if not faint37.asked(
            image, centres[i], float(scales[i]), paper[i], gain, layout, i, page, noise_share=NOISE_SHARE
        ):
            continue
        # show10's rule (b), as for every other doubt: all that is dark in it the title side's
        # known print showing through, it stays `empty` (no print behind the square: False)
        if show10.explained_by_print(image, centres[i], float(scales[i]), paper[i], gain, layout, i, page):
            continue
        out[i] = replace(m, mark="marginal", reason="marginal_mark")
    return out
