"""A line lying on the title side's known print is that print showing through (issue 10,
the forty-third pass: show43; built, OFF).

`inspect.line_stops_short` sends a square to the commission when a line taken out of the
window is gone 4-10 mm beyond it at one end (a tick's long arm). Through thin paper the title
side's headings show on the back mirrored (`show10`), and where a row of their letters crosses
a square, the letters' horizontal bars line up into a faint straight line through the window
that ends where the word does: on the dev sheets (seeds 198-203, 4,650 sheets) 13 empty
squares, all the party list's square 2 under the title's heading, went to review that way
(a probe of every `line_stops_short` yes; its measures are in docs/reading.md, forty-third pass).

The print is known exactly (`show10.window_print`: the front's render mirrored and placed by
the squares' own frame). `line_on_print` says yes when the line's chord through the window
lies on it: at least ON_SHARE of the chord's positions within `show10.TOLERANCE_MM` of print
(the 13 lines: 1.0 each; the real tick arm whose end the rule caught on the same square: 0.62),
and the line no darker than show-through can be (`seen` at most `show10.C_RANGE`'s top).
`line_stops_short` then does not fire: where that line ends, the print ends.

Where it stops, and why it is OFF: a pencil stroke drawn along a row of show-through letters,
within 0.45 mm of their bars over 90 % of the window and no darker than 0.22, is taken for the
print. Where the heading's letters fill a square that is nearly any line across it: an outside
attack drew 6,322 light pencil ticks, strokes and crosses (0.05-0.22, 0.3-0.8 mm) along such
rows and 523 read `empty` with show43 and `marginal` without; a larger ON_SHARE (1.0: 469 still
lost), a lower cap (0.10: 241) or the show-through's own contrast (1.2x: 370) do not stop it, as
a light pencil line is as dark as the print showing through. Asked only where
`line_stops_short` would fire and the layout has print behind the square (`show10.has_print`);
no fast version, so no slow reference.
"""

from __future__ import annotations

import math

import numpy as np

from kiosk.reading import show10
from kiosk.reading.lines7 import PageSource

# OFF: an outside attack (benchmarks/results/pass46/show43-helper-attack.txt) drew light pencil
# ticks, strokes and crosses along the show-through rows and had 523 of them read `empty`: where the
# title's letters fill a square, nearly any line through it lies within 0.45 mm of print (docs,
# forty-third pass)
ENABLED = False

ON_SHARE = 0.9  # of the chord's positions on the known print (within show10.TOLERANCE_MM)
MARGIN_MM = 1.0  # the print map is made this far round the window


def line_on_print(
    centre: tuple[float, float],
    theta: float,
    rho: float,
    chord: tuple[float, float],
    seen: float,
    half: int,
    scale: float,
    page: PageSource | None,
) -> bool:
    """Does the line (normal `theta`, `rho` px from `centre`; `chord` its (t_lo, t_hi) through
    the window) lie on the title side's known print, no darker than show-through?"""
    if not ENABLED or page is None or page.layout is None or seen > show10.C_RANGE[1]:
        return False
    layout = page.layout
    index = int(np.argmin(np.hypot(page.centres_px[:, 0] - centre[0], page.centres_px[:, 1] - centre[1])))
    if not show10.has_print(layout, index):
        return False
    turn = show10._turn(page)
    if turn is None:
        return False
    at = (float(page.centres_px[index, 0]), float(page.centres_px[index, 1]))
    reach = half + math.ceil(MARGIN_MM * scale)
    x0, y0 = round(centre[0]) - reach, round(centre[1]) - reach
    shape = (2 * reach + 1, 2 * reach + 1)
    dark = show10.window_print(layout, index, at, scale, turn, shape, (x0, y0))
    on = show10.print_mask(dark, scale, show10.TOLERANCE_MM)
    c, s = math.cos(theta), math.sin(theta)
    fx, fy = centre[0] + rho * c, centre[1] + rho * s
    ts = np.arange(chord[0], chord[1], 0.25 * scale)
    if len(ts) == 0:
        return False
    qx = np.clip(np.rint(fx - ts * s - x0).astype(np.int64), 0, shape[1] - 1)
    qy = np.clip(np.rint(fy + ts * c - y0).astype(np.int64), 0, shape[0] - 1)
    return float(on[qy, qx].mean()) >= ON_SHARE
