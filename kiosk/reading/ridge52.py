"""A greasy thumb's print whose body darkens part of the square, read as a vote (issue 10,
ridge52: session 52). A rule that only SENDS a square to the commission (review,
`possible_stain`), never decides one.

Why. The forty-eighth pass's untouched run (seed 13400, 745,200 squares) made one wrong
decision: an EMPTY square (13400/601, c41, AST 300 dpi) read `marked` (0.111). fieldkit's
thumb (`conditions._stain`: a smudge 0.08-0.25 dark whose ridges, 0.45 mm apart, modulate
it by 0.7-1.0) covers the square's right two thirds, its soft edge running down through the
inside (`benchmarks/results/pass52/holdout52-13400-601-c41.png`). The closer look found thin
evidence (the ridges' top-hat, 0.014) and a score over `marked` against the window's paper;
rims7's ridge test asks all four sides of the band round the window (the left one is clean
paper); wrong10's `ridged_print` never looked at the spectrum: the print's body, its mean
darkness 0.2 against the sheet's paper, puts the ridges' detail (RMS 0.048) under
wrong10.DETAIL_SHARE (0.4) of the inside's mean ink, the test that keeps a pencil fill's grain
on its dark ground out. Yet 92 % of that detail lies at a fingertip's ridge spacing (the gate
0.96): the spectrum alone says print.

The rule (`ridged_body`, asked after wrong10.ridged_print, of the squares it asks: read
`marked` under wrong10.RIDGE_SCORE_MAX, at least wrong10.RIDGE_MIN_SCALE px/mm): wrong10's
spectrum with no floor under the detail's share of the mean ink (`wrong10.ridge_share`,
`floor=0`), its gate as before, and at least BODY_SHARE of the detail at the ridges' spacing
(wrong10 asks RIDGE_SHARE, 0.5, of a print with no body). Measured over the dev caches
(`benchmarks/results/pass52/ridgeprobe.py.txt`, seeds 198-203, 6,300 sheets): of the 599
squares read `marked` that DETAIL_SHARE kept out of the spectrum, all real marks, pencil fills
reach 0.61 and one pen tick 0.74; the thumb 0.92.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import wrong10
from kiosk.reading.model import MarkReading

ENABLED = True  # tests and benchmarks/hook_ab.py --module ridge52 switch the rule off ("before")

BODY_SHARE = 0.8  # of the detail at a fingertip's ridge spacing, with the print's body under it


def is_ridged_body(
    image: np.ndarray, at: tuple[float, float], scale: float, paper: float, gain: float
) -> bool:
    """Is the inside's detail a fingertip's ridges, however dark the print's body under them?"""
    return wrong10.ridge_share(image, at, scale, paper, gain, floor=0.0) >= BODY_SHARE


def ridged_body(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
    memo: wrong10.RidgeMemo | None = None,
) -> list[MarkReading]:
    """Each square still read `marked` under wrong10.RIDGE_SCORE_MAX (at least
    wrong10.RIDGE_MIN_SCALE px/mm) whose inside's detail is a print's ridges over its body
    (`is_ridged_body`): `possible_stain`, the commission (wrong10's loop, its own switch).
    `memo`: the sheet's `wrong10.measures_once` memo (speed68: wrong10 made the measures);
    `is_ridged_body` is the same rule for one square by `wrong10.ridge_share` (its reference,
    tests/test_speed68.py)."""
    if not ENABLED:
        return marks

    def is_body(image: np.ndarray, at: tuple[float, float], scale: float, paper: float, gain: float) -> bool:
        return wrong10.measures_once(memo, image, at, scale, paper, gain)[0] >= BODY_SHARE

    return wrong10.prints_to_review(image, centres, scales, paper, gain, marks, is_body)
