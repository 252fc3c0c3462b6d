"""Light pencil marks scored under the wider band and never looked at (issue 10, miss11: seed
9900 sheets 480, option baitaq, and 9086, option ak-zhol).

Why. The tenth pass's untouched run read two real pencil marks `empty` with no look at all:

- 480/baitaq (MZ-LIST, 250 dpi): a light X, arms about 0.08 of the light, score 0.0093. Under
  pencil6's wider band (`pencil6.LOOK_FROM`, 0.010); in pencil7's low band's score range, but
  its box-mean run test (`kernels.faint_runs`, 2 mm) finds no run: the crossing breaks each
  arm into runs of 1.5-2 mm (at 1.5 mm it passes). No inside pixel 0.45 dark; the doubt
  band's faint run (0.09, 2 mm) fails for the same reason.
- 9086/ak-zhol (AST-LIST, 150 dpi): a tick drawn mostly below the square, only its short
  arm's start over the bottom border, score 0.0074. Inside the square there is only that
  foot (darkest inside 0.08 of the paper): no run inside for any band to find.

`pencil6.pencil_near` and `pencil7.stroke_near` (the wider band's own tests, which look in
and beside the square) find both when asked. The wider band asks them of every square
scoring from 0.010 to `marginal`; under 0.010 a square is asked only if a run inside passes
(pencil7's low band) or vote11's just-under band.

The rule (`never_asked`), two cheap gates, then the wider band's tests. A square about to
read `empty` with no look, scoring from LO up to `pencil6.LOOK_FROM`, not in pencil7's low
band (which asked `stroke_near` already):

- `short run` (an X's crossing breaks its arms): its inside holds pencil7's low band's
  box-mean stroke with runs from SHORT_RUN_MM (1.5 mm, not 2 mm) (`kernels.faint_runs`,
  compiled): then `pencil6.pencil_near` or `pencil7.stroke_near`;
- `foot` (a tick beside the square, only its foot over the border): it scores from FOOT_FROM
  and its inside's darkest pixel is at least FOOT_INK darker than the ring's lightest side
  (`kernels.darkest_inside`, compiled): then `pencil6.pencil_near` (its tick's-arm test),
  then `pencil7.stroke_near` (foot16: a light stroke inside, 10500/19474; behind foot17's
  compiled first stage, `foot16.could_hold`).

Under both gates, `cross16.joined_near` last but one and `faint22.crossing_pair` (grain14's
segment pair: a faint X broken by grain, 11000/10052) last.

A stroke found sends the square to the commission (`marginal_mark`). Nothing is read
`marked` or `empty` here. The gates are there for time: asking the tests of every square
of the band (about ten a sheet, 20 ms each) costs a tenth of the reading; these ask about
one square in two to three sheets.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import cross16, faint22, foot16, kernels, pencil6, pencil7

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

LO = 0.0  # from this score (reader.DOUBT_LO; vote11 looks just under it) ...
# ... up to pencil6.LOOK_FROM (0.010), where the wider band asks the same tests
SHORT_RUN_MM = 1.5  # short run: pencil7's low band's box-mean stroke, runs from this long
FOOT_FROM = 0.006  # foot: a score from this ...
FOOT_INK = 0.07  # ... and a pixel inside this much darker than the paper


def band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
    left_out: np.ndarray,
    darkest: np.ndarray | None = None,
) -> list[str | None]:
    """For each square: "short" or "foot" (the gate it passed, module docstring) when it is
    `left_out` of every band (doubt, wider, pencil7's low) and scores from LO up to
    `pencil6.LOOK_FROM`; else None (all None when not ENABLED). Compiled passes only over
    the squares in that score band. `darkest`: `kernels.darkest_inside`'s answer at the doubt
    band's inside when the caller has it (speed19: the reader's, made once)."""
    n = int(scores.shape[0])
    if not ENABLED:
        return [None] * n
    near = left_out & (scores >= LO) & (scores < pencil6.LOOK_FROM)
    if not near.any():
        return [None] * n
    lightest = np.maximum(1.0, paper.max(axis=1))
    short = runs_inside(image, centres, scales, near, lightest, gain, SHORT_RUN_MM)
    foot = near & ~short & (scores >= FOOT_FROM)
    if foot.any():
        foot &= ink_inside(image, centres, scales, lightest, gain, darkest)
    return [
        "short" if s else "foot" if f else None for s, f in zip(short.tolist(), foot.tolist(), strict=True)
    ]


def runs_inside(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    want: np.ndarray,
    lightest: np.ndarray,
    gain: float,
    run_mm: float,
) -> np.ndarray:
    """The `short` gate's run test for each square of `want`: pencil7's low band's box-mean
    stroke inside, a run from `run_mm` long (`kernels.faint_runs`; under23 asks it shorter).
    `lightest`: each ring's lightest side, at least 1."""
    from kiosk.reading.inspect import PENCIL_INSET_MM, PENCIL_REACH_MM, PENCIL_SMOOTH_MM
    from kiosk.reading.reader import _INNER_MM

    runs: np.ndarray = kernels.faint_runs(
        image,
        centres,
        scales,
        want,
        lightest,
        gain,
        _INNER_MM - PENCIL_INSET_MM,
        PENCIL_REACH_MM,
        pencil7.LOW_CONTRAST,
        run_mm,
        PENCIL_SMOOTH_MM,
    )
    return runs


def ink_inside(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    lightest: np.ndarray,
    gain: float,
    darkest: np.ndarray | None = None,
) -> np.ndarray:
    """The `foot` gate's ink test for each square: a pixel inside (the doubt band's inside)
    at least FOOT_INK darker than the ring's lightest side. `darkest`: that inside's
    `kernels.darkest_inside` when the caller has it."""
    if darkest is None:
        from kiosk.reading.reader import _INNER_MM

        darkest = kernels.darkest_inside(image, centres, scales, _INNER_MM)
    dark: np.ndarray = (darkest >= 0) & (gain * (1.0 - darkest / lightest) >= FOOT_INK)
    return dark


def never_asked(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, gate: str
) -> bool:
    """True (send to review, `marginal_mark`) when the pencil tests find a stroke in or
    beside a square `band` let through (`gate`: "short" or "foot", module docstring).
    False when not ENABLED."""
    if not ENABLED:
        return False
    c = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    if pencil6.pencil_near(image, c, scale, paper, gain):
        return True
    if gate == "short" and pencil7.stroke_near(image, c, scale, paper, gain):
        return True
    # foot16: a light stroke inside, under the foot gate
    if gate == "foot" and foot16.foot_stroke(image, centre, scale, levels, gain):
        return True
    # cross16: an X or a plus whose strokes meet is one run, too wide for both tests above; a
    # light X's box-mean runs may fail the short gate while its darkest pixel passes the foot's.
    if cross16.joined_near(image, centre, scale, levels, gain):
        return True
    # faint22: a faint X whose arms grain breaks into pieces no run test keeps: the segment pair.
    return faint22.crossing_pair(image, centre, scale, levels, gain)
