"""A line's own level where the trace lost it beside the window (issue 10, own39: the
thirty-ninth pass).

Why. `lines7.stroke_along` calls a run through the square a hand's stroke lying on a line of
the paper when it is darker than the line's own level beyond the window by ALONG_MORE (or
ALONG_SHARE of it). That level is the median of the two sides' levels, each the median of the
line's first judged segments within TRACE_OWN_MM beyond the window (`lines7._own_level`). On
seed 190 (1,500 dev sheets, census37's map) two empty squares a page-long scanner streak
crosses went to the commission for it (190/677/13 at 300 dpi, 190/1197/5 at 250; the streak
at 0.19-0.21 through the window and on both sides to the page's edges): at one side two of
the first three segments read about 0 (the trace off the streak for 4 mm beside the next
square's print, then on it again to the edge), so that side's level was -0.00 and the median
0.09-0.11, under the streak's own 0.19-0.21 by more than ALONG_MORE. `benchmarks/results/
pass39/own39-probe.*`.

The rule (`lines7.own_levels`). Where both sides have a level and one is under lines7.TRACE_GONE of the
other (one side says "the line is not here" right beside the window, the other that it is),
each side's level is taken again over its judged segments within OWN_FAR_MM; that median
stands where it has at least three segments, else the side's near level stands. A line
really gone on one side stays gone there (its far segments are paper too), and the near
levels stand wherever the sides agree. Only `stroke_along`'s level changes; `ends_on_sheet`
judges as before.

Where it stops. A line whose trace is lost beside the window for more than half of OWN_FAR_MM
on one side keeps its near level there.
"""

from __future__ import annotations

# False: the near levels stand, as before (the A/B). The rule itself is `lines7.own_levels`
# (lines7 imports this module, so the two share `lines7._own_level`).
ENABLED = True
OWN_FAR_MM = 12.0  # a side's level taken again over its judged segments this far out
FAR_MIN = 3  # ... where it has at least this many
