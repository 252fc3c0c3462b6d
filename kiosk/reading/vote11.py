"""A light pencil tick scored just under the doubt band, read `empty` with no look (issue 10,
vote11: seed 9900 sheet 12127, option c02).

Why. The tenth pass's untouched run read a plainly visible HB tick across AST-SMD-07's c02
(300 dpi, skew 4 degrees, JPEG 57) `empty`: score -0.0001, the doubt band's faint tests start
at `reader.DOUBT_LO` (0.0), pencil7's low band at 0.004, so nothing looked. The ring was NOT
darker on one side (side levels 208/208/207/207: the dark band at the left is 5 mm away,
outside the window), so `faint9.second_chance` (ring sides disagree) was never asked;
`pencil6.pencil_near` and `pencil7.stroke_near` both find the tick when asked.

The rule (`just_under`). A square about to read `empty` with no look, scoring from NEAR_LO up
to the doubt band (`reader.DOUBT_LO`), whose inside holds a pixel at least
`reader.FAINT_CONTRAST` dark against the ring's lightest side (the doubt band's own gate),
gets the pencil tests: `pencil6.pencil_near` or `pencil7.stroke_near`. A stroke found sends
the square to the commission (`marginal_mark`). Nothing is read `marked` or `empty` here.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import kernels, pencil7

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

NEAR_LO = -0.003  # from this score up to reader.DOUBT_LO (0.0): just under the doubt band
FAINT_GATE = True  # and the doubt band's faint-run test (kernels.faint_runs) finds a run


def band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
    darkest: np.ndarray | None = None,
) -> list[bool]:
    """Squares just under the doubt band with a faint-dark pixel inside: one array test on
    the scores, the compiled darkest-inside pass only if any square is in that score band
    (all False when not ENABLED). `darkest`: that pass's answer when the caller has it
    (speed19: the reader's, made once for the doubt band)."""
    from kiosk.reading.reader import DOUBT_LO

    if not ENABLED:
        return [False] * scores.shape[0]
    near = (scores >= NEAR_LO) & (scores < DOUBT_LO)
    return faint_gate(image, centres, scales, near, paper, gain, darkest, FAINT_GATE)


def faint_gate(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    near: np.ndarray,
    paper: np.ndarray,
    gain: float,
    darkest: np.ndarray | None = None,
    runs: bool = True,
    run_contrast: float | None = None,
) -> list[bool]:
    """Of the squares `near` (a score band), those with a pixel inside at least the doubt
    band's faint contrast dark and (`runs`) the doubt band's faint run through it (at
    `run_contrast`, deep29's; the doubt band's own by default): vote11's gates, shared with
    deep29's band further down. The compiled passes only if any square is near."""
    from kiosk.reading.reader import _INNER_MM, FAINT_CONTRAST, FAINT_REACH_MM, FAINT_RUN_MM

    if not near.any():
        return [False] * near.shape[0]
    if darkest is None:
        darkest = kernels.darkest_inside(image, centres, scales, _INNER_MM)
    lightest = np.maximum(1.0, paper.max(axis=1))
    ink = gain * (1.0 - darkest / lightest)
    want = near & (darkest >= 0) & (ink >= FAINT_CONTRAST)
    if runs and want.any():
        # the doubt band's own faint-run test (compiled): a run of faint stroke, not a speck
        want = want & kernels.faint_runs(
            image,
            centres,
            scales,
            want,
            lightest,
            gain,
            _INNER_MM,
            FAINT_REACH_MM,
            FAINT_CONTRAST if run_contrast is None else run_contrast,
            FAINT_RUN_MM,
        )
    out: list[bool] = want.tolist()
    return out


def just_under(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """True (send to review, `marginal_mark`) when a pencil test finds a stroke in or beside
    a square of `band` (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    return pencil7.pencil_or_stroke_near(image, centre, scale, levels, gain)
