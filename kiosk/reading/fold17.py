"""A light pencil mark under a fold, read `empty` by the closer look (issue 10, fold17: seed
10600 sheet 21234, jsdp).

Why. The seventeenth pass's untouched run read a faint HB pencil X (AST-LIST, 150 dpi; fold,
crease, show-through, pencil, faint streak) `empty`. A fold in thirds ran across the upper
part of the square (contrast 0.11). The fast score was 0.080, so the closer look decided: it
found the fold, took its band out of the score, and what was left scored 0.0144, under
`marginal`, with no stroke its own tests saw (the X's upper arms lie in the fold's band, its
lower arms are fainter than the top-hat and `pencil_stroke` thresholds at 150 dpi) and no dark
ink: its last `empty`. The later pencil tests (`fix8.small_cross`, `grain14.stroke_pair`,
`pencil6.pencil_near`, `pencil7.stroke_near`) look at the scan, where the fold is the
strongest feature in the window and the arms are read as part of it or as paper beside it.
With the fold divided out (`inspect.lines_divided_out`: each distance from the fold's axis
scaled back to the paper beside it), the X stands out and `fix8.small_cross` and
`grain14.stroke_pair` both find it.

The rule (`strokes`, asked by `inspect._strokes_under_lines` on the closer look's last
`empty` when it took a line out and found no thumb's ridges): on a crop around the square
with every line the closer look took out divided out, `fix8.small_cross` (a faint slanted
stroke inside the square, not running on as a line) or `grain14.stroke_pair` (a pair of faint
strokes). Found: review (`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. Squares with no line taken out are not asked (the tests above already looked
at them on the scan); a mark fainter than those tests' own thresholds once the line is
divided out stays `empty`; a line the closer look did not find (too faint, not continuing
beyond the window) is not divided out. docs/reading.md, "Seventeenth pass: a light pencil
mark under a fold (fold17)".
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import fix8, grain14, pencil6

# False: the closer look's `empty` stays `empty` (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

# The crop the lines are divided out of: as far as fix8's and grain14's tests look, and a margin.
CROP_MM = max(TARGET / 2 + pencil6.TRACE_AROUND_MM, pencil6.BORDER_MM + grain14.AROUND_MM) + 1.0
INSIDE_MM = pencil6.INSIDE_MM  # the inside and the printed border's zone, as `inspect` has them
BORDER_MM = pencil6.BORDER_MM


def strokes(
    divided: np.ndarray, centre: tuple[float, float], scale: float, levels: np.ndarray, gain: float
) -> bool:
    """True (review) when the crop `divided` (the scan round the square, the lines the closer
    look took out divided out; `centre` the square's centre in it) holds a faint slanted
    stroke inside the square or a pair of faint strokes."""
    if not ENABLED:
        return False
    return fix8.small_cross(divided, centre, scale, float(np.max(levels)), gain) or grain14.stroke_pair(
        divided, np.asarray(centre), scale, levels, gain
    )
