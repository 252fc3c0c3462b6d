"""faint37's test asked of the wider band's squares that read `empty` (issue 10, wide38: the
thirty-seventh pass's untouched run, 12600/36041/c39).

Why. That run read a very light pencil tick (a V across the inside's lower half, HB, JPEG
quality 55 at 200 dpi) `empty` with no doubt: its fast score, 0.0115, is just over faint37's
low band (up to pencil6.LOOK_FROM, 0.010), in pencil6's wider band, where pencil6's, pencil7's,
fix8's, faint9's and grain14's stroke tests are asked, and each cuts a contrast or a run the
tick's grainy strokes do not reach. faint37's rule (a pair of averaged segments against the
clean spread beyond the border, or one long arm that stops) finds it.

The rule. A square of the wider band (pencil6.LOOK_FROM up to `marginal`) with no look, about
to read `empty` after the wider band's own tests, is asked `faint37.asked`, exactly as a low
band square is. It only sends to review (`marginal_mark`), never decides.

Where it stops. As faint37's: a lone straight slash going on both ways, or a mark whose arms
both lie on the title side's print, stays `empty` unless a pair is found.
"""

from __future__ import annotations

from kiosk.reading import faint37, pencil6

# False: the wider band's `empty` stands after its own tests, as before (the A/B).
ENABLED = True


def in_band(score: float, marginal: float) -> bool:
    """The wider band's score range (pencil6.LOOK_FROM up to `marginal`); False when off, or
    when faint37 is off."""
    return ENABLED and faint37.ENABLED and pencil6.LOOK_FROM <= score < marginal
