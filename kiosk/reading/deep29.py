"""vote11's band and test further under the doubt band (issue 10, deep29: the twenty-eighth
pass's untouched run, seed 11700 sheet 25635, c01). ON since session 30: surveyed on all 1,500
dev sheets (45 squares asked, 0 yes, no reading changed), never asked on 240 clean sheets; it
also catches the companions of test_faint9, test_low15 and test_tick13, which switch it off
with their own rule (docs/reading.md, "Twenty-eighth pass: two light pencil marks the untouched run read
empty (trace29)").

Why. A light HB pencil tick (AST-SMD-07, 250 dpi; falloff, faint streak, skew), its long arm
across the inside, read `empty` with fast score -0.0045. A scanner's streak (5 px, ink 0.32)
runs down the column of squares through the windows of c02 to against-all but not c01's:
the baseline (`reader._scores_from_sums`, the lower quartile of the window sums) is a
streaked empty window's, about 130 units over c01's streak-free print, which the tick's ink
does not make up. The score is under every band: vote11's starts at -0.003, miss11's at 0,
tick13 measures against the side's lowest (c02, -0.0108, its window only partly streaked:
c01 rebased +0.0062, under 0.010), low15 asks only the lowest. Asked, every pencil test and
the closer look find the tick (`pencil7.pencil_or_stroke_near`: yes); none finds anything in
the sheet's empty squares.

The rule (`band`, then `asked`). vote11's, from DEEP_LO up to `vote11.NEAR_LO`: a square
about to read `empty` with no look, a pixel inside the doubt band's faint contrast
(`reader.FAINT_CONTRAST`) dark and the doubt band's faint run through it
(`kernels.faint_runs`), gets `pencil7.pencil_or_stroke_near`; a stroke found sends it to the
commission (`marginal_mark`). Nothing is read `marked` or `empty` here.

Session 54: the faint run at RUN_CONTRAST (0.07), not the doubt band's 0.09. The untouched run
of seed 13700 read a light pencil tick `empty` (sheet 34012, amanat: darkest pixel 0.15 of the
light, score -0.0041, in this band): its darkest pixel passes, its run is found at 0.07 and not
at 0.09, and pencil6.pencil_near finds the stroke. Over the dev caches 198 (1,500 mixed sheets)
and 203 (600, pencil and stains) no reading changes with it
(`benchmarks/results/pass54/deep29-contrast54.py.txt`, outputs `deep29-ab54-*`).
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import kernels, pencil7, vote11

# False: the hook finds nothing (the reader as 8b11f5d). ON since session 30: the companions of test_faint9,
# test_low15 and test_tick13 (each rule off must read empty) switch it off too, as it catches their squares
ENABLED = True

DEEP_LO = -0.015  # from this score up to vote11.NEAR_LO (-0.003): vote11's band, deeper
RUN_CONTRAST = 0.07  # its faint run's contrast (the doubt band's 0.09 missed a faint tick: session 54)


def _gate_args() -> tuple[float, float, float, float]:
    from kiosk.reading.reader import _INNER_MM, FAINT_CONTRAST, FAINT_REACH_MM, FAINT_RUN_MM

    return _INNER_MM, FAINT_REACH_MM, FAINT_CONTRAST, FAINT_RUN_MM


def band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
) -> list[bool]:
    """For each square: scoring from DEEP_LO up to `vote11.NEAR_LO`, then vote11's gates
    (`vote11.faint_gate`: a pixel inside at least the doubt band's faint contrast dark, and
    the doubt band's faint run inside). All False when not ENABLED."""
    if not ENABLED:
        return [False] * int(scores.shape[0])
    near = (scores >= DEEP_LO) & (scores < vote11.NEAR_LO)
    return vote11.faint_gate(image, centres, scales, near, paper, gain, run_contrast=RUN_CONTRAST)


def band_reference(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
) -> list[bool]:
    """`band`, one square at a time (the property test's reference)."""
    n = int(scores.shape[0])
    out = [False] * n
    if not ENABLED:
        return out
    inner, reach, contrast, run = _gate_args()
    for i in range(n):
        s = float(scores[i])
        if not (DEEP_LO <= s < vote11.NEAR_LO):
            continue
        c, sc = centres[i : i + 1], scales[i : i + 1]
        darkest = int(kernels.darkest_inside(image, c, sc, inner)[0])
        lightest = max(1.0, float(np.max(paper[i])))
        if darkest < 0 or gain * (1.0 - darkest / lightest) < contrast:
            continue
        one = np.ones(1, bool)
        out[i] = bool(
            kernels.faint_runs(
                image, c, sc, one, np.array([lightest]), gain, inner, reach, RUN_CONTRAST, run
            )[0]
        )
    return out


def asked(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """True (send to review, `marginal_mark`) when a pencil test finds a stroke in or beside
    a square of `band`. False when not ENABLED."""
    if not ENABLED:
        return False
    return pencil7.pencil_or_stroke_near(image, centre, scale, levels, gain)
