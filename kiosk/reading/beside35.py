"""A tick drawn beside the square, mostly or wholly outside it, read `empty` with no look
(issue 10, beside35: the thirty-third pass's untouched run, 12200/23039/c02, and its drawn family
`fieldkit.beside`).

Why. That run read an HB pencil tick `empty` with no doubt: the generator's edge tick, drawn
wholly below and right of AST-SMD-07's c02, the short arm's foot on the bottom border from
outside, the V's vertex 2.5 mm under it, the long arm passing the lower right corner. Nothing
is inside the square. Its arms lie in the window's frame, so its window holds 0.033 of ink
more than the side's emptiest window, a score in the doubt band, where the closer look sends
such a tick to review. But the side's baseline (the lower quartile of its window sums,
`reader._scores_from_sums`) sat on windows inked by the sheet's stain, pencil and streak, 0.033
over the emptiest one: c02 scored -0.00001. rebase14 gates it and asks the pencil tests, which
look for a stroke in and just beside the square and find none; its closer look (rebase14's
CLOSER_LOOK) is off, because on 43-square sides shaded across the page and on a side with a
window lighter than print it sent truth-empty squares to review. The drawn family (a tick beside
a square of a side with 2-5 other marks and a stain; 400 sheets) lost 37 of 345 ticks that reach
the square's border or inside the same way, most of them light pencil scoring under the bands
even against the emptiest window.

The rule (`Frames.stands_out`, then `asked`: every square with no look that every test of its
band let go, about to read `empty`, scoring REBASED_FROM or more against the side's emptiest
window). The window's frame (the fast score's window outside the square's inside, as
`edge16.quadrants` has it, cut into four quadrants at the square's centre lines) has one quadrant holding QUAD_MIN mm2 of ink or more over the median quadrant: ink
beside the square on one corner's side, where a tick drawn beside puts its arms. Then the
closer look (`inspect.inspect_square`) given the score against the side's emptiest window, as
tick13 asks it; other than `empty` sends the square to the commission (`marginal_mark`).
Nothing is read `marked` or `empty` here.

Where it stops. Shading across the page and a light window lift a whole side or a whole window,
not one quadrant of one frame: of the dev sheets' squares with no look read `empty` whose frame
quadrant stands 0.3 or more over the median, the closer look sent 2 truth-empty ones (0.32 on
a 43-square side, below QUAD_MIN; 0.48 on another, the price). A tick whose frame quadrant stands
under QUAD_MIN (a light tick at 150 dpi holds little ink in the frame) is left to the bands as
before; the closer look is the judge of what is there, and its `empty` stands. The squares the
doubt band sends to the closer look are not asked (the closer look has seen them). docs/reading.md,
"Thirty-fourth pass: a tick drawn beside the square (beside35)".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kiosk.reading import edge16, kernels, lines7, tick13

# False: every no-look square's `empty` stands, as before (tests' companions; the A/B).
ENABLED = True

# mm2: the frame's fullest quadrant this much over the median quadrant. Of the dev sheets' squares
# with no look read `empty` standing 0.3 or more, the closer look (given the rebased score) sends
# two, both truth `empty`: 105/29/9 at 0.32 (a 43-square side shaded across the page, kept out)
# and 154/17/c36 at 0.48 (a crease across the corner, the price); 12200/23039/c02 stands 0.97,
# the drawn family's lost ticks 0.13-0.55.
QUAD_MIN = 0.35
# Only squares scoring this much or more against the side's emptiest window are measured (time:
# on a clean sheet most squares stand under it). The ticks the rule catches stand 0.0085 or more
# (the drawn family) and 0.033 (12200/23039/c02): a frame quadrant 0.35 mm2 over the others is
# about 0.012 of a square's inside.
REBASED_FROM = 0.006


class Frames:
    """The frame quadrants' margins (fullest minus the median of four, mm2) of a side's squares
    with no look scoring REBASED_FROM or more against the side's emptiest window, computed in
    one compiled call (`kernels.corner_quadrants`, edge18's: the pixels of `edge16.quadrants`,
    summed in another order, within a few ulps) when first asked; NaN for the other squares."""

    def __init__(
        self,
        image: np.ndarray,
        centres: np.ndarray,
        scales: np.ndarray,
        levels: np.ndarray,
        half: int,
        ring: int,
        gain: float,
        looked: Sequence[bool],
        scores: np.ndarray,
    ) -> None:
        self._args = (image, centres, scales, levels, half, ring, gain)
        self._looked = looked
        self._scores = scores
        self._margins: np.ndarray | None = None

    def margin(self, i: int) -> float:
        if self._margins is None:
            self._margins = self._measure()
        return float(self._margins[i])

    def _measure(self) -> np.ndarray:
        image, centres, scales, levels, half, ring, gain = self._args
        scores = self._scores
        asked = ~np.asarray(self._looked, dtype=bool)
        if scores.size:
            asked &= scores - scores.min() >= REBASED_FROM
        margins = np.full(asked.shape[0], np.nan)
        if asked.any():
            q = kernels.corner_quadrants(
                image, centres, scales, levels, asked, half, ring, gain, edge16.INNER_MM
            )
            margins[asked] = edge16.over_median(q[asked])
        return margins

    def stands_out(self, i: int) -> bool:
        """Square i's fullest frame quadrant QUAD_MIN or more over the median (False when not
        ENABLED: nothing is computed; False for a square under REBASED_FROM)."""
        return ENABLED and self.margin(i) >= QUAD_MIN


def stands_out(q: np.ndarray) -> bool:
    """The fullest quadrant QUAD_MIN or more over the median of the four (`edge16.quadrants`)."""
    return bool(edge16.over_median(np.asarray(q, dtype=np.float64)[None, :])[0] >= QUAD_MIN)


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
    """True (send to review, `marginal_mark`) when the closer look given the `rebased` score (the
    square's score minus the side's lowest) reads other than `empty`: asked of a square with no
    look about to read `empty` whose frame stands out (`Frames.stands_out`). False when not
    ENABLED."""
    if not ENABLED:
        return False
    return tick13.closer_look_finds(
        image, centre, scale, levels, gain, rebased, half, ring, denominator, marginal, marked, page
    )
