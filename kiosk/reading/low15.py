"""A light mark scoring its side's lowest, alone under the rest (issue 10, low15: seed 10400
sheet 43678, amanat).

Why. The fifteenth pass's untouched run read a light pencil inverted V `empty` at -0.0138,
the lowest score of its side. A square's fast score is its window's ink minus the side's
baseline (the lower quartile of its windows' sums). A scanner's streak, moved by the skew,
crossed the side's other seven windows and missed this one (miss15): the baseline sat on
two streaked empty windows, 0.011 over this window's paper, so the mark scored under every
band, and every hook that measures a square against the side's emptiest window (tick13,
rebase14) had nothing to measure it against: it was the emptiest.

The rule (`band`, then `pencil7.pencil_or_stroke_near`). The side's lowest-scoring square,
scoring under `vote11.NEAR_LO` (-0.003, under every band) and at least GAP under the side's
next lowest score, about to read `empty` with no look, gets the pencil tests the other
`empty` hooks ask (`pencil6.pencil_near` or `pencil7.stroke_near`). A stroke found sends it
to the commission (`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. One square a side at most, and only one standing apart under the rest (a
side whose windows shade evenly has no gap); a side of one square is not asked. The
baseline is unchanged. A mark the pencil tests miss stays `empty`; so does a light mark
whose side's next lowest window is within GAP of it (two windows missed by the streak).
docs/reading.md, "Fifteenth pass: a light mark scoring its side's lowest (low15)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import vote11

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

# The lowest square stands this far under the side's next lowest (43678's gap: 0.0116; on 750
# dev sheets a gap this wide came 5-17 times in 150-200 sheets, miss15).
GAP = 0.010


def band_reference(scores: list[float]) -> list[bool]:
    """`band`, one square at a time (the property test's reference)."""
    out = [False] * len(scores)
    if not ENABLED or len(scores) < 2:
        return out
    order = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    low, nxt = order[0], order[1]
    if scores[low] < vote11.NEAR_LO and scores[nxt] - scores[low] >= GAP:
        out[low] = True
    return out


def band(scores: np.ndarray) -> list[bool]:
    """For each square: is it the side's lowest, under `vote11.NEAR_LO`, at least GAP under
    the next lowest? All False when not ENABLED or the side has fewer than two squares."""
    n = int(scores.shape[0])
    out = [False] * n
    if not ENABLED or n < 2:
        return out
    low = int(np.argmin(scores))  # the first of equal lowest, as the reference's stable sort
    rest = np.delete(scores, low)
    if float(scores[low]) < vote11.NEAR_LO and float(rest.min()) - float(scores[low]) >= GAP:
        out[low] = True
    return out
