"""A light pencil cross whose strokes meet, asked by the low hooks (issue 10, cross16: seed 10500
sheet 972, against-all).

Why. The sixteenth pass's untouched run read a clearly visible grey pencil X filling
10500/972's against-all square (MZ-LIST, 300 dpi, HB pencil, show-through, a faint streak)
`empty` at a fast score of 0.0097: the streak crossed the side's other seven windows and lifted
the side's baseline (as 10400/43678, low15), so the X scored under pencil6's wider band. Two low
hooks asked it: miss11 (`never_asked`, gate "short") and rebase14 (`asked`: 0.0097 against the
side's lowest -0.0123 reaches `marginal`). Both ask `pencil6.pencil_near` and
`pencil7.stroke_near`, and both said no, for one reason: the X's two strokes (contrast 0.14,
far above every floor) meet, so at `pencil6.TRACE_FAINT` they are ONE 8-connected run of 944
pixels, 3.8 mm long along an axis 0.8 degrees from the square's side, 1.8 mm wide as area over
length. Both tests skip a run wider than `pencil6.TRACE_WIDTH_MM` (1 mm: a stain's blob) before
anything else (and pencil6 would also find it not slanted). `faint9.joined_strokes` is the test
for exactly that run (a V or an X whose strokes meet: wide as area over length, thin
everywhere, with stroke enough, not going on beyond the square) and finds 972's X (thickness
0.7 mm, 9.8 mm of stroke); but it was asked only in the wider band (0.010 to `marginal`) and on
the closer look's `empty`, never by the hooks under the wider band. The closer look
(`inspect.inspect_square`) reads the square `marginal` (marginal_mark) at its score and at its
rebased score: the hole is only in what the low hooks ask.

The rule (`joined_near`, `low_look`). Where a low hook asks the pencil tests of a square about
to read `empty` and they say no, it asks `faint9.joined_strokes` too:

- `pencil7.pencil_or_stroke_near` (the pair vote11, faint9's second chance, tick13, rebase14 and
  low15 ask) ends with `joined_near`;
- `miss11.never_asked` ends with it, under both gates ("short": a run inside that an X's
  crossing breaks; "foot": a faint-dark pixel inside, which a light X whose box-mean runs fail
  the short gate passes: 23 of the drawn family's 148 crosses forced to 0.007, all 'foot');
- pencil7's low band (`reader`: `low_look` in place of `pencil7.wider_look`) ends with it.

A joined X or plus found sends the square to the commission (`marginal_mark`). Nothing is read
`marked` or `empty` here. The wider band and the closer look's `empty` asked it already and are
unchanged.

Where it stops. Only squares a low hook's own gate lets through are asked (the gates are
unchanged: a light X on a side whose baseline is not shifted, scoring under 0.004 with no run
inside, is still no one's). `joined_strokes`' own limits hold: a run at `pencil6.TRACE_FAINT`,
thin everywhere (1 mm), 4 mm of stroke, 4 times the paper's spread, not going on beyond the
square. docs/reading.md, "Sixteenth pass: a light pencil cross whose strokes meet (cross16)".
"""

from __future__ import annotations

import numpy as np

# False: the low hooks ask what they asked before (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True


def joined_near(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """`faint9.joined_strokes` (a V or an X whose strokes meet, one run too wide for the other
    pencil tests) against the square's paper (its ring's lightest side), for a low hook whose
    pencil tests said no. False when not ENABLED."""
    if not ENABLED:
        return False
    from kiosk.reading import faint9  # faint9 imports pencil7, which asks this

    return faint9.joined_strokes(image, centre, scale, levels, gain)


def low_look(image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float) -> bool:
    """pencil7's low band's look (`pencil7.wider_look`), then `joined_near`."""
    from kiosk.reading import pencil7

    return pencil7.wider_look(image, centre, scale, levels, gain) or joined_near(
        image, centre, scale, levels, gain
    )
