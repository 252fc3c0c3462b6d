"""A light tick scored under zero because the sheet's baseline sat on marked and stained
squares (issue 10, tick13: seed 10100 sheet 25420, option amanat).

Why. The twelfth pass's untouched run read a plainly visible light pencil tick in MZ-LIST's
amanat square (150 dpi; stain, pencil, skew) `empty` with score -0.0068: under every band,
so nothing looked. The ring was not at fault (side levels 252/250/250/251, as the clean
squares'), nor a line division or a clip (no look ran at all). The score is a square's
window ink minus `reader._scores_from_sums`'s baseline, the lower quartile of the side's
window sums (an empty square's print, when most squares are empty). On that sheet seven of
the eight squares carried ink beyond their print: four marks (amanat's tick, baitaq, ak-zhol,
jsdp) and three stained windows (a thumb's ridges over respublica and qhp, a grey stain over
against-all). Only auyl was a plain empty square (sum 295.7); the lower quartile (332.9) fell
between amanat itself (326.4) and the stained respublica (335.0), so amanat scored below its
own baseline. Against auyl it scores +0.0326, over `marginal`, and `pencil6.pencil_near`
and `pencil7.stroke_near` both find the tick when asked.

The rule (`band`, then `asked`). A square about to read `empty` with no look, scoring under
every band (under `vote11.NEAR_LO`, -0.003: from there up, the bands of vote11, miss11,
pencil7 and the doubt band have their own gates and tests), whose score taken against the
side's emptiest window instead (its score minus the side's lowest score: the same ink, the
lowest sum as baseline) reaches `pencil6.LOOK_FROM` (0.010: it would have been in the wider
band, which asks these very tests), gets `pencil6.pencil_near` or `pencil7.stroke_near`,
then, if both say no, the closer look (`inspect.inspect_square`) given that score. A stroke
found, or a closer look other than `empty`, sends the square to the commission
(`marginal_mark`). Nothing is read `marked` or `empty` here.

Where it stops. The baseline itself is left as it is (every other band and threshold was
chosen against it); only the squares it sinks under every band are asked. A square sunk
only to -0.003 or above is left to the bands there and their gates (the drawn family's one
mark still `empty`, a pencil tick at +0.0021). A mark that neither the pencil tests nor the
closer look find stays `empty`. The emptiest window is trusted as an empty square's print:
where it is not (a window lighter than print, e.g. cut by the page's edge), more squares are
asked, and time is spent. docs/reading.md, "Thirteenth pass: the light tick under zero
(tick13)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import lines7, pencil6, pencil7, vote11

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

# Against the side's emptiest window, a square scoring from this gets the pencil tests
# (pencil6.LOOK_FROM: where the wider band starts asking them).
REBASED_FROM = pencil6.LOOK_FROM


def band(scores: np.ndarray) -> list[bool]:
    """For each square: its score minus the side's lowest score reaches REBASED_FROM while
    the score itself is under every band (`vote11.NEAR_LO`, -0.003, where the lowest,
    vote11's, starts). One array operation; all False when not ENABLED."""
    n = int(scores.shape[0])
    if not ENABLED or n == 0:
        return [False] * n
    out: list[bool] = ((scores - scores.min() >= REBASED_FROM) & (scores < vote11.NEAR_LO)).tolist()
    return out


def asked(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    rebased: float,
    half: int,
    ring: int,
    denominator: float,
    marginal: float,
    marked: float,
    page: lines7.PageSource | None,
) -> bool:
    """True (send to review, `marginal_mark`) when a pencil test finds a stroke in or beside
    a square of `band`, or the closer look given its `rebased` score (its score minus the
    side's lowest) reads it other than `empty` (module docstring). False when not ENABLED."""
    if not ENABLED:
        return False
    return look_again(
        image, centre, scale, levels, gain, rebased, half, ring, denominator, marginal, marked, page, True
    )


def look_again(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    rebased: float,
    half: int,
    ring: int,
    denominator: float,
    marginal: float,
    marked: float,
    page: lines7.PageSource | None,
    closer_look: bool,
) -> bool:
    """The pencil pair (`pencil7.pencil_or_stroke_near`), then, with `closer_look`, the closer
    look given the `rebased` score: True when either finds the square other than `empty`.
    Shared by tick13 and rebase14 (each keeps its own ENABLED)."""
    if pencil7.pencil_or_stroke_near(image, centre, scale, levels, gain):
        return True
    if not closer_look:
        return False
    return closer_look_finds(
        image, centre, scale, levels, gain, rebased, half, ring, denominator, marginal, marked, page
    )


def closer_look_finds(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    rebased: float,
    half: int,
    ring: int,
    denominator: float,
    marginal: float,
    marked: float,
    page: lines7.PageSource | None,
) -> bool:
    """The closer look (`inspect.inspect_square`) given the `rebased` score reads the square other
    than `empty` (look_again's second step; beside35's test)."""
    from kiosk.reading.inspect import inspect_square

    c = (float(centre[0]), float(centre[1]))
    v = inspect_square(
        image, c, scale, half, ring, levels, gain, rebased, denominator, marginal, marked, page
    )
    return v.mark != "empty"
