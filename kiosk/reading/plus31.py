"""A pencil plus beside a scanner's streak, read `empty` in vote11's band (issue 10, plus31: the
twenty-ninth pass's untouched run, seed 11800 sheet 39502, against-all).

Why. A grey HB pencil plus (ink 0.33, AST-LIST, 250 dpi; fold, show-through, faint streak,
skew 4 degrees) scored -0.0014: a streak down the column lifts the baseline (the other
windows -0.03 to -0.04), so the square sat in vote11's band (-0.003 up to 0), where only
the pencil tests are asked (`pencil7.pencil_or_stroke_near`). `pencil6.pencil_near` and
`pencil7.stroke_near` skip an upright stroke (within `pencil6.TRACE_SQUARE_DEG` of the square's
sides, where folds and streaks run) and a run as wide as a plus; `faint9.joined_strokes`
(through `cross16.joined_near`) measures the plus as what it is (one run, 3.5 mm long, 0.8 mm
thick, contrast 0.15) but then asks whether a line of the paper goes on beyond the square,
and the streak itself, 1.3 mm left of the printed border, lies in that band: 627 pixels
against the 59 it allows. `wrong11.beyond_on_rules` leaves out a column beyond the square at
half the run's contrast over `wrong11.RULE_SPAN` (0.8) of the window: the streak's core (four
columns at 1.0, one at 0.89), not its blurred flanks (0.74, 0.64: 110 pixels, still over 59).

The rule (`by_streak`). Asked only where vote11 asks the pencil tests (a square about to read
`empty` with no look, in vote11's band, vote11's faint gates passed) and they said no:
`faint9.joined_strokes` again, with `wrong11.beyond_on_rules`' columns widened by
`widen_px` (SMEAR_MM: the contrast box's half-width, `pencil6.TRACE_SMOOTH_MM`, and the
scanner's blur) to either side, beyond the border's zone only. A plus found sends the square to
the commission (`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. Only image columns are widened (a scanner's streak runs down the scan's
columns); a printed rule's rows are as wrong11 left them. A line crossing the square (its
columns within the border's zone) still counts as going on. A plus whose arms the pencil
contrast does not resolve, or scoring outside vote11's band, is not this rule's.
docs/reading.md, "Thirtieth pass: a pencil plus beside a scanner's streak (plus31)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import cross16, faint9, pencil6, vote11

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`). ON since
# session 31: on all 1,500 dev sheets it was asked of 298 squares and said yes to none (no reading
# changed; `benchmarks/results/pass30/plus31-price.json`).
ENABLED = True

# A rule column's neighbours this far to either side are the rule's too: the contrast box's
# half-width (pencil6.TRACE_SMOOTH_MM, 0.2) and about a pixel of the scanner's blur.
SMEAR_MM = pencil6.TRACE_SMOOTH_MM + 0.1


def widen_px(scale: float) -> int:
    """How many columns to either side of a rule's column are on it at `scale` px/mm (at least 1)."""
    return max(1, round(SMEAR_MM * scale))


def by_streak(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """True (send to review, `marginal_mark`) when `faint9.joined_strokes` finds strokes that
    meet, with a rule column's flanks beyond the square left out of its going-on count
    (module docstring). Asked by the reader in vote11's band where vote11's pencil tests
    said no. False when not ENABLED, or vote11 or cross16 not ENABLED (it widens cross16's
    question, joined strokes for a low hook, in vote11's hook: their companions stay theirs)."""
    if not ENABLED or not vote11.ENABLED or not cross16.ENABLED:
        return False
    return faint9.joined_strokes(image, centre, scale, levels, gain, widen_px(scale))
