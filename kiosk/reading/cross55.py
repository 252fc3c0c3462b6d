"""A light pencil X corner to corner that cross28 does not find because the print beside the
square raises its floor (issue 10, cross55: session 55's untouched run, 13800/2997/c09). A rule
that only SENDS a square to the commission (review, `marginal_mark`), never decides one.

Why. That run read 13800/2997/c09 `empty` (MZ-SMD-02, 300 dpi; stain, show-through, HB pencil,
JPEG 55; truth `light_pencil`, `marked`): a light X drawn corner to corner, plain to the eye
(`benchmarks/results/pass55/holdout55-13800-2997-c09.png`), score 0.0167 after the closer look,
every look `empty`. cross28 asked and measured the X itself: its `/` and `\\` at 45 degrees,
crossing at the centre, each along the whole 4 mm, standing 0.055 and 0.061 over their sides.
But its floor was 0.079: NOISE times the spread of the same statistic on the paper beyond the
printed border (0.016), and on MZ-SMD-02 that paper holds the row rules 2 mm beyond the border
and the border's own blur. faint37 (the thirty-fifth pass) met the same floor in the low band and
measures the spread on segments wholly clear of print (`faint37.print_near`, `clean_spread`):
here 0.0021, a floor of grain14.LEVEL (0.02).

The rule (`clean_pair`, asked right after `cross28.doubt_pair` says no, on the same squares: the
doubt band, every look so far `empty`): cross28's diagonal pair on the same ink window, its
spread measured only on segments wholly clear of the window's print (faint37's `print_near`:
ink at least faint37.PRINT, grown by faint37.PRINT_CLEAR_MM). Where no such paper segment is
left the spread is not known and the rule says no. No new number: the pair's length, slants,
parts and levels are cross28's, the print and its margin faint37's.

Where it stops. It only sends to review; empty8, stain10 and lines10 may still settle the square
`empty`, as any doubt. What cross28 does not find for its own reasons (a tick, a short X, an X
whose strokes are under grain14.LEVEL over their sides) is not found here either.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import cross28, faint37, grain14

# False: the reader asks what it asked before (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True


def clean_pair(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, mark: str
) -> bool:
    """True (send to review, `marginal_mark`) when a square every look so far read `empty`
    (`mark`) holds cross28's two crossing strokes against the spread of paper clear of print
    (module docstring). False when not ENABLED, when the window leaves the image, under
    grain14's gate, or where no paper clear of print is left to measure the spread on."""
    if not ENABLED or mark != "empty":
        return False
    ink = grain14.gated_ink(image, centre, scale, levels, gain)
    if ink is None:
        return False
    clear = faint37.clear_of_print(ink, scale)
    # no paper clear of print: the floor is NaN and no pair is found (cross28.diagonal_pair)
    return cross28.diagonal_pair(ink, scale, True, clear).found
