"""Light pencil read `empty` under a line in the paper ring (issue 10, the ninth pass: faint9).

Why. The fast score measures a square's ink against a paper plane fitted through the four
sides of its window's ring (`kernels.window_local_ink`: each side's level is the grey at
75 % of its pixels). When a faint scanner streak, a show-through line or a stain's edge
runs along one side of the ring, that side's level is the streak's, not the paper's: the
plane tilts darker towards it, the pixels of the square on that side count as paper, and
a light pencil stroke in the square loses its ink. The seed-9700 run had a 2B tick in
MZ-LIST 16056 (amanat, 300 dpi) whose left ring side lay on a 24 % streak: side levels
221/221/167/221, score -0.009. Every pencil test (`pencil6.pencil_near`, `pencil7.stroke_near`)
finds that tick, but none was asked: the doubt band starts at 0 (DOUBT_LO) / 0.003
(PENCIL_LO), pencil7's low band at 0.004 (LOW_FROM), the wider band at 0.010; under those
the reader writes `empty` with no look at all.

The rule (`second_chance`). A square the reader is about to read `empty` without any look
(under every band), whose ring sides disagree (the darkest side under SIDE_SHARE of the
lightest: a line in the ring, so the score is not to be trusted), gets the pencil tests it
was denied, against the lightest side (as the other looks do): `pencil6.pencil_near` or
`pencil7.stroke_near`. A stroke found sends it to the commission (`marginal_mark`).
Nothing is ever read `marked` or `empty` here: the rule only sends to review.

Where it stops. Only squares whose ring sides disagree are looked at (on a clean sheet
almost none: the rule costs nothing there); a stroke the pencil tests cannot see is not
found (two of the three seed-9700 squares, 28549 and 33190, are that: a stroke of 0.02-0.04
contrast under JPEG noise, with even sides; docs/reading.md, "Ninth pass").
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import pencil6, pencil7

# False: the hook finds nothing, the reader as the eighth pass left it (tests' companions).
ENABLED = True

SIDE_SHARE = 0.9  # ring sides disagree: the darkest side's level under this share of the lightest's


def sides_disagree(levels: np.ndarray) -> bool:
    """A line (streak, show-through, a stain's edge) on some side of the window's ring:
    its four side levels (top, bottom, left, right) not alike."""
    hi = float(np.max(levels))
    return hi > 0 and float(np.min(levels)) < SIDE_SHARE * hi


def ring_lines(paper: np.ndarray) -> list[bool]:
    """`sides_disagree` for every square of a side at once ((n, 4) side levels): one array
    operation, what a clean sheet pays for this rule (all False when not ENABLED)."""
    if not ENABLED:
        return [False] * paper.shape[0]
    out: list[bool] = (paper.min(axis=1) < SIDE_SHARE * paper.max(axis=1)).tolist()
    return out


def second_chance(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float
) -> bool:
    """The reader's hook for a square about to read `empty` with no look: True (send it to
    review, `marginal_mark`) when its ring sides disagree and a pencil test finds a
    stroke in or beside it (module docstring). False when not ENABLED."""
    if not ENABLED or not sides_disagree(levels):
        return False
    c = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    return pencil6.pencil_near(image, c, scale, paper, gain) or pencil7.stroke_near(
        image, c, scale, paper, gain
    )
