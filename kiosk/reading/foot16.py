"""A light pencil stroke inside a square that miss11's `foot` gate let through, asked of
`pencil7.stroke_near` too (issue 10, foot16: seed 10500 sheet 19474, jsdp).

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
stroke found sends the square to the commission (`marginal_mark`). Nothing is read `marked`
or `empty` here. The gate is unchanged (about one square in two sheets on field sheets,
miss11's survey), so the time added is one `stroke_near` per gated square.

Where it stops. Squares the foot gate does not let through (under 0.006, or no pixel inside
0.07 darker than the paper) are not asked; `stroke_near`'s own limits hold (a run inside at
`pencil6.TRACE_FAINT`, followed 4 mm, ending within 1 mm of the border). docs/reading.md,
"Sixteenth pass: a light stroke inside a square the foot gate let through (foot16)".
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import pencil7

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True


def foot_stroke(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """`pencil7.stroke_near` against the square's paper (its ring's lightest side), for a
    square miss11's `foot` gate let through. False when not ENABLED."""
    if not ENABLED:
        return False
    return pencil7.stroke_near(
        image, (float(centre[0]), float(centre[1])), scale, float(np.max(levels)), gain
    )
