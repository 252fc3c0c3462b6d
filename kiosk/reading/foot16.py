"""A light pencil stroke inside a square that miss11's `foot` gate let through, asked of
`pencil7.stroke_near` too (issue 10, foot16: seed 10500 sheet 19474, jsdp), behind a compiled
first stage that makes it cheap (foot17).

Why. The sixteenth pass's untouched run read a light HB pencil tick `empty` at a fast score
of 0.0096 (AST-LIST, 300 dpi; stain, falloff, pencil; the paper clipped white): its vertex on
the square's bottom border, its long arm going up to the top right corner, both arms inside.
0.0004 under pencil6's wider band (`pencil6.LOOK_FROM`, 0.010), where `pencil6.pencil_near`
and `pencil7.stroke_near` are asked of every square. Under it, miss11's `foot` gate (a score
from 0.006 and a faint-dark pixel inside) let the square through, and `miss11.never_asked`
asked `pencil6.pencil_near` alone (its tick's-arm test, for a tick beside the square with
only its foot over the border); `stroke_near`, asked only under the `short` gate, finds the
tick ("slanted": a run inside followed 4 mm or more, ending at the border). No one asked it.

The rule (`foot_stroke`, asked by `miss11.never_asked` under the `foot` gate after
`pencil6.pencil_near` says no): `pencil7.stroke_near`, the wider band's second test. A
stroke found sends the square to the commission (`marginal_mark`). Nothing is read
`marked` or `empty` here.

foot17: the price. On clean sheets the foot gate lets through about one square in a sheet
(JPEG noise: a pixel 0.07 darker than the paper), and a full `stroke_near` on each (the
contrast over a 16 mm window, every run in and beside the square labelled and measured,
runs walked along their lines in Python) cost 1.48x the interpretation on MZ-SMD-02. First
stage (`could_hold`, compiled: `kernels.stroke_could_hold`; plain version
`reference.stroke_could_hold_reference`): pencil6's contrast on the pixels that matter only,
and two necessary conditions of `stroke_found`'s two searches:

- inside: an 8-connected run at `pencil6.TRACE_FAINT`, 4 pixels or more, its box 0.5 mm long
  (every run the inside search measures is one);
- beside: a run at `pencil6.TRACE_ARM`, 4 pixels or more, its box 0.5 mm long, within
  `pencil6.TRACE_TOUCH_MM` of the printed border's zone, slanted (`pencil6._slanted`, a
  degree looser: a printed rule beside the square is not).

Neither: no `stroke_near` (it would find nothing). Else `stroke_found` searches only where
the first stage says a stroke could be. The answer is `stroke_near`'s on every square
(tests/test_foot16.py checks it on drawn strokes and noise); only the time changes. Not a
4 mm run test: 19474's tick and 10200/50770's, broken by graphite's grain, have no run inside
longer than 1.2 and 1.8 mm at TRACE_FAINT; `stroke_near` follows their pieces.

Where it stops. Squares the foot gate does not let through (under 0.006, or no pixel inside
0.07 darker than the paper) are not asked; `stroke_near`'s own limits hold (a run inside at
`pencil6.TRACE_FAINT`, followed 4 mm, ending within 1 mm of the border). docs/reading.md,
"Sixteenth pass: a light stroke inside a square the foot gate let through (foot16)" and
"Seventeenth pass: foot16 made cheap (foot17)".
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop, kernels, pencil6, pencil7

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True


def could_hold(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> tuple[bool, bool]:
    """foot17's first stage on `pencil7.stroke_found`'s own window: can its inside search,
    can its search beside the square find anything (module docstring)? (False, False)
    where the window is off the image (`stroke_found` finds nothing there either)."""
    got = crop.around(image, centre, int((TARGET / 2 + pencil7.FOLLOW_AROUND_MM) * scale))
    if got is None:
        return False, False
    win, xs, ys = got
    inner, beside = kernels.stroke_could_hold(win, *_arguments(xs, ys, scale, paper, gain))
    return bool(inner), bool(beside)


def _arguments(xs: np.ndarray, ys: np.ndarray, scale: float, paper: float, gain: float) -> tuple[float, ...]:
    """The kernel's arguments after the window: the centre in the window and the bounds in
    px as `pencil7.stroke_found` computes them (the same float products)."""
    return (
        float(-xs[0, 0]),
        float(-ys[0, 0]),
        scale,
        paper,
        gain,
        pencil6.TRACE_SMOOTH_MM,
        pencil6.TRACE_REACH_MM,
        pencil6.INSIDE_MM * scale,
        pencil6.BORDER_MM * scale,
        (pencil6.BORDER_MM + pencil6.TRACE_TOUCH_MM) * scale,
        (TARGET / 2 + pencil6.TRACE_AROUND_MM) * scale,
        pencil6.TRACE_FAINT,
        pencil6.TRACE_ARM,
        0.5 * scale,
        pencil6.TRACE_SQUARE_DEG,
    )


def foot_stroke(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """`pencil7.stroke_near` against the square's paper (its ring's lightest side), for a
    square miss11's `foot` gate let through, behind `could_hold`. False when not ENABLED."""
    if not ENABLED:
        return False
    c = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    inner, beside = could_hold(image, c, scale, paper, gain)
    if not (inner or beside):
        return False
    return pencil7.stroke_found(image, c, scale, paper, gain, inner, beside) is not None
