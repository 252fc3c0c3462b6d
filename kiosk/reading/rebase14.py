"""A light mark read `empty` from -0.003 up because the side's baseline sat on marked and
stained windows (issue 10, rebase14: tick13 extended upward).

Why. A square's fast score is its window's ink minus the side's baseline, the lower quartile
of the side's window sums (`reader._scores_from_sums`: "most squares on a sheet are empty").
When most windows carry ink beyond their print (several marks, a stain), the lower quartile
sits on inked windows and a real light mark scores low. tick13 asks the squares pushed under
every band (under `vote11.NEAR_LO`, -0.003). A mark pushed only to -0.003 .. +0.010 is left to
the bands there (vote11, miss11, pencil7's low band), whose gates look for dark or faint
pixels and can fail on a light tick: tick13's drawn family's sheet 101402, a pencil tick
scoring +0.0021, +0.0251 against the side's emptiest window.

The rule (`band`, then `asked`). A square about to read `empty` with no look, scoring from
`vote11.NEAR_LO` up to `pencil6.LOOK_FROM` (0.010, where the wider band asks), on a side
whose baseline stands at least SHIFT_FROM over its emptiest window (the lowest score is at
most -SHIFT_FROM: most windows inked), whose score against the emptiest window (its score
minus the side's lowest) reaches REBASED_FROM, gets `pencil6.pencil_near` or
`pencil7.stroke_near` (and, only with CLOSER_LOOK on, then the closer look,
`inspect.inspect_square`, given that rebased score). A stroke found (or a closer look other
than `empty`) sends the square to the commission (`marginal_mark`). Nothing is read `marked`
or `empty` here.

Where it stops. The baseline is unchanged (every band was chosen against it). A side whose
baseline is within SHIFT_FROM of its emptiest window is left alone: there the bands'
own gates (vote11, miss11) are the answer, and their squares are not asked twice. The
emptiest window is trusted as an empty square's print (as tick13 trusts it); a window
lighter than print gates more squares (time only: the pencil tests find no stroke in an
empty square). A mark the pencil tests miss stays `empty` (9700/28549/c09, two drawn sheets:
the closer look finds them, at a review price over the limit). docs/reading.md,
"Fourteenth pass: the baseline on inked windows (rebase14)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import lines7, pencil6, tick13, vote11

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

# The side's baseline stands this far (score terms) over its emptiest window: most windows inked
# (0.005 gated 424 squares on 66 of seed 110's 300 stained sheets, this 46 on 15; every mark
# it catches stands on a side 0.023 or more over).
SHIFT_FROM = 0.010
# Against the emptiest window, a square scoring from this (`marginal`, 0.018) gets the pencil
# tests and the closer look (pencil6.LOOK_FROM, 0.010, gated 3-10x more squares for the same
# catches: every mark caught scores 0.025 or more against the emptiest window).
REBASED_FROM = 0.018
# Ask the closer look (given the rebased score) when the pencil tests find nothing. Off: on
# 43-square sides whose windows shade across the page (and a side whose emptiest window is
# lighter than print) it sent 3 truth-empty squares of 900 dev sheets to review (+0.33 points
# on seeds 105 and 130, over the +0.3 limit) for 3 more marks caught (9700/28549/c09, two
# drawn sheets). docs/reading.md, "Fourteenth pass: ... (rebase14)".
CLOSER_LOOK = False


def band_reference(scores: list[float]) -> list[bool]:
    """`band`, one square at a time (the property test's reference)."""
    if not ENABLED or not scores:
        return [False] * len(scores)
    low = min(scores)
    return [
        -low >= SHIFT_FROM and vote11.NEAR_LO <= s < pencil6.LOOK_FROM and s - low >= REBASED_FROM
        for s in scores
    ]


def band(scores: np.ndarray) -> list[bool]:
    """For each square: scoring from `vote11.NEAR_LO` up to `pencil6.LOOK_FROM`, on a side
    whose lowest score is at most -SHIFT_FROM, its score minus the lowest reaching
    REBASED_FROM. A few array operations; all False when not ENABLED."""
    n = int(scores.shape[0])
    if not ENABLED or n == 0:
        return [False] * n
    low = float(scores.min())
    if -low < SHIFT_FROM:
        return [False] * n
    out: list[bool] = (
        (scores >= vote11.NEAR_LO) & (scores < pencil6.LOOK_FROM) & (scores - low >= REBASED_FROM)
    ).tolist()
    return out


def asked(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    rebased: float,
    half: int,
    ring: int,
    denominator: float,
    marginal: float,
    marked: float,
    page: lines7.PageSource | None,
) -> bool:
    """True (send to review, `marginal_mark`) when a pencil test finds a stroke in or beside
    a square of `band`, or the closer look given its `rebased` score (its score minus the
    side's lowest) reads it other than `empty` (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    return tick13.look_again(
        image,
        centre,
        scale,
        levels,
        gain,
        rebased,
        half,
        ring,
        denominator,
        marginal,
        marked,
        page,
        CLOSER_LOOK,
    )
