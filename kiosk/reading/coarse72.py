"""No second arm under 178 dpi (issue 10, session 72: coarse72).

settle7 settles a light mark in the doubt band as a vote when it finds two straight arms that
meet (`settle7.hand_strokes`; the second arm is arm41's, held by touch71 to the first stroke's
ink or a stroke's length apart from it). At 150 dpi a pixel is 0.17 mm: the JPEG's blur joins a
dust speck 0.5 mm beside a light dash to the dash's piece of ink, so touch71 takes it for the
dash's own arm, and a speck touching the dash, a hair across it or a period under it makes a
band that passes for a tick's short arm. Session 72's red team (`tests/test_redteam72.py`) read
25 of 30 drawings of a grainy 4 mm dash with a 0.8 mm speck 0.5 mm beside it as votes at 150
dpi, none at 200-300.

The rule: under MIN_SCALE px per mm (pencil70's floor: 178 dpi) no second arm is found, so
settle7 and pencil9 (which asks settle7's arms outside its score band) settle nothing, and
wrong10's hair test, which asks the same arms, has none to measure: the square stays
`marginal_mark`, for the commission. grey48 finds a light pencil's grey strokes its own way
(broad40's runs) and is not changed. It only takes settles away; its price
is the light ticks and crosses settle7 read as votes at 150 dpi, which now go to review
(`benchmarks/hook_ab.py --module coarse72`).
"""

from __future__ import annotations

# OFF at the end of session 72: with it on, the fresh-clone suite failed 12 older tests whose
# companions show settle7's mechanism at 150 dpi (test_wrong10, test_streak27, test_pencil11,
# test_pencil9's 131/46), not yet read again with it; tests/test_redteam72.py switches it on.
ENABLED = False
MIN_SCALE = 7.0  # px per mm (178 dpi): under it a speck and a stroke's end blur into one piece


def too_coarse(scale: float) -> bool:
    """Is the scan too coarse (under MIN_SCALE px per mm) for a second arm to be told from a speck?"""
    return ENABLED and scale < MIN_SCALE
