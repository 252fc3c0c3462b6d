"""A second arm apart from the first stroke is one piece of ink (issue 10, session 72: piece72).

touch71 accepts settle7's second arm when its own pixels lie mostly in the first stroke's piece
of ink, or, apart from it, cover touch71.DETACHED_MM along the arm's band (a stroke's length).
Those pixels apart were counted together, whatever they were: session 72's red team laid toner
dots along a line across a light dash (66 of 192 drawings read as votes), and session 71's two
specks on either side of a dash at 250 dpi (tests/test_redteam71.py) were two pieces whose cover
added up to 1.2 mm. A hand's detached stroke is one piece. (A period or speck joined to the
dash's own piece is touch71's other route, and stays open: tests/test_redteam72.py.)

The rule: apart from the first stroke, the cover is that of the largest single piece of ink
(touch71's pieces: the stroke ink's pixels joined across touch71.GAP_MM) among the arm's own
pixels. It only takes second arms away, so settles: the square stays `marginal_mark`, for the
commission. Its price is the detached short arm that the grain breaks into pieces apart by more
than GAP_MM (`benchmarks/hook_ab.py --module piece72`).
"""

from __future__ import annotations

import numpy as np

ENABLED = True


def apart(mine: np.ndarray, piece: np.ndarray, main: int) -> np.ndarray:
    """Which of the arm's own pixels (`mine`) count as apart from the first stroke (whose piece
    is `main`): the largest single other piece's (every other piece's with the rule off)."""
    if not ENABLED:
        return mine
    rest: np.ndarray = mine & (piece != main)
    if not rest.any():
        return rest
    big = int(np.bincount(piece[rest]).argmax())
    out: np.ndarray = rest & (piece == big)
    return out
