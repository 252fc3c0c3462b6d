"""The wider band's pencil tests measure the paper's spread clear of print (issue 10, clear56:
session 55's attack on MZ-SMD-02, `benchmarks/results/pass55/smdblind55-*`). A change that only
SENDS squares to the commission (review, `marginal_mark`), never decides one.

Why. Each pencil test of the wider band keeps a faint run only where its level reaches a floor:
a few times the paper's own spread (a robust sigma) of the same contrast beyond the printed
border (pencil6.pencil_near, fix8.small_cross, faint9.joined_strokes: TRACE_NOISE x the spread
of pencil6's trace contrast; pencil7's stroke_near: FOLLOWED_NOISE x; grain14's pair:
NOISE x the spread of its segment statistic). On MZ-SMD-02 that paper holds the row rules 2 mm
beyond the border and the border's blur: the spread is 0.0116 at 150 dpi where the same paper
with the rules painted out gives 0.0058 (0.0077/0.0049 at 200, 0.0070/0.0051 at 300), and
grain14's 0.019 against 0.007. Light pencil X's, ticks and circles that the same tests find on
MZ-LIST were read `empty` on MZ-SMD-02 (43 of 648 cells of the attack's sweep), and session 55's
untouched run read one light X `empty` for this reason (cross55 took cross28's pair; this
takes the others').

The rule. Where a test's name is in TESTS, its spread is measured only on the pixels of its
usual region clear of print: pixels the trace contrast itself sees as a line at least
faint37.PRINT darker than the paper on both sides (a rule, a letter, the border's edge; a
stain's even body is not one, its contrast near 0), grown by faint37.PRINT_CLEAR_MM plus
pencil6.TRACE_SMOOTH_MM (the contrast averages a box that wide, so a pixel that near the print
carries some of it). grain14's pair takes its segments wholly on paper clear of print as
faint37 and cross55 do (`faint37.print_near`: its window ink at least faint37.PRINT). Where fewer than
CLEAR_SHARE of the region's pixels (grain14: its long segments) are clear, the spread is the
region's as before: too little paper to know its own spread. Otherwise it is the lesser of the
two: leaving the print out can also raise a spread (the print's even blur had lowered the
median deviation of a stained paper), and a floor raised is a mark lost, so it never rises.

Where it stops. A lower floor finds fainter strokes, and only ever to review: an erased mark's
ghost or a faint smudge beside print now goes to the commission too (the A/B's price). One
coupling of the closer look (G1 in docs/reading.md's table) is the exception: a square fold17
returns `marginal` (fix8's cross or grain14's pair, the fold divided out) is then asked the
positive settles, and pencil9's band starts at `marginal` itself, so an empty folded square
could reach pencil9 (none did on the five dev caches of the A/B). Print
the test does not know as print (under faint37.PRINT: show-through, a stain's edge) stays in
the spread, as before.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# False: every test's spread is its whole region's, as before (tests' companions; the A/B).
ENABLED = True
# The tests whose spread is measured clear of print (one name out: that test as before).
TESTS = frozenset({"pencil6", "pencil7", "fix8", "faint9", "grain14"})
CLEAR_SHARE = 0.25  # under this share of the region clear of print: the region's spread


def on(test: str) -> bool:
    """Is `test`'s spread measured clear of print?"""
    return ENABLED and test in TESTS


def print_near(c: np.ndarray, scale: float) -> np.ndarray:
    """The window's print as the trace contrast `c` sees it (a line at least faint37.PRINT
    darker than the paper on both sides: a rule, a letter, the border's edge; not the even body
    of a stain, whose contrast is near 0) grown by faint37.PRINT_CLEAR_MM +
    pencil6.TRACE_SMOOTH_MM (the contrast's box is that wide: a pixel that near a line carries
    some of it), bool."""
    from kiosk.reading import faint37, pencil6

    on_print = (c >= faint37.PRINT).astype(np.uint8)  # NaN compares False: not print
    r = max(1, math.ceil((faint37.PRINT_CLEAR_MM + pencil6.TRACE_SMOOTH_MM) * scale))
    grown: np.ndarray = cv2.dilate(
        on_print, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    )
    return grown.astype(bool)


def lesser_spread(every: np.ndarray, clear: np.ndarray, share: float = CLEAR_SHARE) -> float:
    """The rule's one spread: pencil6.paper_spread of `every` value of the region, or, where the
    values clear of print (`clear`, a part of them) are at least `share` of them, the lesser of
    that and their own spread (never a higher floor than before)."""
    from kiosk.reading import pencil6

    whole = pencil6.paper_spread(every)
    if clear.size == 0 or clear.size < share * every.size:
        return whole
    return min(whole, pencil6.paper_spread(clear))


def trace_spread(test: str, c: np.ndarray, region: np.ndarray, scale: float) -> float:
    """pencil6.paper_spread of the trace contrast `c` over `region` (bool, the window's shape);
    where `test` is on, `lesser_spread` with the region's pixels clear of print."""
    if not on(test):
        from kiosk.reading import pencil6

        return pencil6.paper_spread(c[region])
    return lesser_spread(c[region], c[region & ~print_near(c, scale)])
