"""A tick drawn beside the square, its foot on the printed border, on a side whose baseline sat
on inked windows (issue 10, beside35: the thirty-third pass's untouched run, 12200/23039/c02).

Why. That run read an HB pencil tick `empty` with no doubt: the generator's edge tick, drawn
wholly below and right of AST-SMD-07's c02, the short arm's foot on the bottom border from
outside, the V's vertex 2.5 mm under it, the long arm passing the lower right corner. Nothing
is inside the square. Its arms lie in the window's frame, so its window holds 0.033 of ink
more than the side's emptiest window, a score in the doubt band, where the closer look sends
such a tick to review. But the side's baseline (the lower quartile of its window sums,
`reader._scores_from_sums`) sat on windows inked by the sheet's stain, pencil and streak, 0.033
over the emptiest one: c02 scored -0.00001. rebase14 gates it (a side shifted SHIFT_FROM or
more, the square 0.018 or more against its emptiest window) and asks the pencil tests, which
look for a stroke in and just beside the square and find none; its closer look (rebase14's
CLOSER_LOOK) is off, because on 43-square sides shaded across the page and on a side with a
window lighter than print it sent truth-empty squares to review.

The rule (`asked`, after rebase14's pencil tests said no, on rebase14's band alone). The
window's frame (the fast score's window outside the square's inside, `edge16.quadrants`, cut
into four quadrants at the square's centre lines) has one quadrant holding QUAD_MIN mm2 of ink
or more over the median quadrant: ink beside the square on one corner's side, where a tick
drawn beside it puts its arms. Then the closer look (`inspect.inspect_square`) given the
rebased score, as tick13 asks it; other than `empty` sends the square to the commission
(`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. Shading across the page and a light window lift a whole side or a whole
window, not one quadrant of one frame: the truth-empty squares rebase14's closer look sent to
review on the dev sheets had quadrants at most 0.32 mm2 over the median (the 12200 tick 0.97;
drawn ticks with a foot on the border 0.66-3.5). A tick whose frame quadrant stands under
QUAD_MIN, or on a side not shifted SHIFT_FROM (rebase14's band), is left to the bands as
before; the closer look is the judge of what is there, and its `empty` stands. docs/reading.md,
"Thirty-fourth pass: a tick beside the square on a side whose baseline sat on inked windows
(beside35)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import edge16, lines7

# False: rebase14's pencil tests alone, as before (tests' companions; the A/B).
ENABLED = True

# mm2: the frame's fullest quadrant this much over the median quadrant (the dev sheets' empty
# squares of rebase14's band that its closer look sent: at most 0.32; 12200/23039/c02: 0.97).
QUAD_MIN = 0.5


def stands_out(q: np.ndarray) -> bool:
    """The fullest quadrant QUAD_MIN or more over the median of the four (`edge16.quadrants`)."""
    return bool(float(np.max(q)) - float(np.median(q)) >= QUAD_MIN)


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
    """True (send to review, `marginal_mark`) when a square of rebase14's band has a frame
    quadrant standing out (`stands_out`) and the closer look given its `rebased` score (its
    score minus the side's lowest) reads it other than `empty`. False when not ENABLED."""
    if not ENABLED:
        return False
    if not stands_out(edge16.quadrants(image, centre, scale, half, ring, levels, gain)):
        return False
    from kiosk.reading.inspect import inspect_square

    c = (float(centre[0]), float(centre[1]))
    v = inspect_square(
        image, c, scale, half, ring, levels, gain, rebased, denominator, marginal, marked, page
    )
    return v.mark != "empty"
