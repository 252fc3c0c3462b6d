"""A faint pencil X under the wider band that miss11's gates let through (issue 10, faint22:
seed 11000 sheet 10052, auyl).

Why. The twenty-first pass's untouched run read 11000/10052/auyl `empty` (MZ-LIST, 200 dpi;
stain, fold, show-through, pencil; truth `light_pencil`, `marked`): a faint HB pencil X along
the square's two diagonals, its darkest pixel 0.11 of the light, score 0.009, under pencil6's
wider band (`pencil6.LOOK_FROM`, 0.010), with the title side's letters showing through at
about 0.12 around it. miss11's `foot` gate let it in (a score from 0.006, a pixel 0.07 dark)
and `miss11.never_asked` asked `pencil6.pencil_near` (no slanted run of 2.5 mm: graphite's
grain breaks both arms into pieces), `foot16.foot_stroke` (foot17's first stage: no run of
4 pixels at `pencil6.TRACE_FAINT` inside) and `cross16.joined_near` (no joined run): all no,
so `empty`. `grain14.stroke_pair` (no cut: the best `/` and `\\` segments of 3 mm and 2 mm
against their sides 0.7 mm away, at least `grain14.LEVEL` and 5 times the paper's spread,
meeting) finds it: levels 0.035 and 0.034 against a floor of 0.02 (the spread 0.0036). It is
asked in the wider band; its own low band (`grain14.LOW_BAND`, 0.004 up to the wider band,
no gate but the score) is off for its time (8 squares a clean MZ-SMD-02 sheet).

The rule (`crossing_pair`, asked by `miss11.never_asked` last, under both its gates): where
the gate let a square in and the other tests said no, `grain14.stroke_pair`. The gates are
miss11's (about one square in two field sheets; 1.4 a clean MZ-SMD-02 sheet), so the time is
grain14's gate and compiled first look on those few squares. A pair found sends the square to
the commission (`marginal_mark`); nothing is read `marked` or `empty` here.

Where it stops: squares miss11's gates do not let in (under 0.006 with no 1.5 mm box-mean run
inside, or no pixel 0.07 dark) are not asked; `grain14.stroke_pair`'s own limits hold (a single
stroke is not a pair; an erased X's ghost is one). docs/reading.md, "Twenty-second pass: a
faint pencil X under the wider band (faint22)".
"""

from __future__ import annotations

import numpy as np

# False: miss11 asks what it asked before (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True


def crossing_pair(
    image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float
) -> bool:
    """`grain14.stroke_pair` (a faint `/` and `\\` pair meeting in the square, its floor the
    square's own paper spread) for a square miss11's gate let in whose other tests said no.
    False when not ENABLED (or grain14 is off)."""
    if not ENABLED:
        return False
    from kiosk.reading import grain14

    return grain14.stroke_pair(image, centre, scale, levels, gain)
