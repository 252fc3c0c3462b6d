"""A light pencil tick inside a square that scores under miss11's `foot` gate (issue 10,
under23: the twenty-third pass's untouched run, seed 11200 sheet 3246, amanat).

Why. The run read a light HB pencil tick `empty` (AST-LIST; pencil): both arms inside the
square, the darkest pixel 0.09 under the paper, fast score 0.0022. Every hook under the
wider band is gated on a score: pencil7's low band and grain14's from 0.004 with a box-mean
run inside, miss11's `short` gate with a 1.5 mm run, its `foot` gate from `FOOT_FROM`
(0.006). Graphite's grain broke the tick into pieces no run test keeps, and its score is
under 0.006, so no test was asked. `foot16.foot_stroke` (pencil7's `stroke_near` behind
foot17's compiled first stage), the test the `foot` gate asks, finds it.

The rule (`unasked_strokes`, after the reader's per-square loop): squares read `empty` that
no test under the wider band asked (not pencil7's low band, no miss11 gate), scoring from
`miss11.LO` up to `miss11.FOOT_FROM`, with a pixel inside `miss11.FOOT_INK` darker than the
ring's lightest side (the `foot` gate's ink test on the same inside) and a faint box-mean run
inside from RUN_MM long (the `short` gate's run test, shorter): `gate`; each gets
`foot16.foot_stroke`. A stroke found sends the square to the commission (`marginal_mark`).
Nothing is read `marked` or `empty` here.

Only where the contest is not decided (`decided`: a square `marked` and none `marginal`: one
vote, or an overvote a further mark does not change): a blank contest (a light vote lost there
is a vote lost) or one in doubt. The time: on clean sheets JPEG noise alone gives a pixel 0.07
dark in about one empty square in five (8 a clean MZ-SMD-02 sheet), and the test costs about
0.3 ms each: 20 % of an MZ-SMD-02 reading if asked everywhere, against a 1.3x cap met with
0.02 to spare. So the contests that are decided are left out (the tick lost beside one clear
vote, an overvote read as that vote, is not looked for: docs/reading.md says so), and the run
test keeps the noise out (its dots make no run): with both, the reader costs what it did.

Only `foot_stroke`: on the four dev caches (3,781 squares through the gate, every contest),
it answered yes on none; `pencil6.pencil_near`, the `foot` gate's first test, answered yes
on 6 empty squares under a crease or a stain's rim (a price with no gain), and costs about
1 ms a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from kiosk.reading import foot16, miss11
from kiosk.reading.model import MarkReading

# False: the hook finds nothing (tests' companions; `fieldkit.hook_ab.switched_off`).
ENABLED = True

# The gate's run: pencil7's low band's box-mean stroke (LOW_CONTRAST) inside, its box at least
# this long. 3246's tick has one of 0.6-0.8 mm (none of 1.0); on read_ab's clean sheets none of
# the 146 squares the ink test let in has one even at 0.6 mm (JPEG noise is dots, not runs).
RUN_MM = 0.6


def decided(marks: Sequence[MarkReading]) -> bool:
    """A square `marked` and none `marginal`: the contest reads as one vote or an overvote."""
    return any(m.mark == "marked" for m in marks) and not any(m.mark == "marginal" for m in marks)


def unasked(
    look: Sequence[bool],
    wide: Sequence[bool],
    low: Sequence[bool],
    never: Sequence[str | None],
    marks: Sequence[MarkReading],
) -> list[int]:
    """The squares `_interpret`'s loop read `empty` on its no-look path with no test under
    the wider band asked: out of the doubt band, the wider band and pencil7's low band, no
    miss11 gate, and no later hook of that path sent them to review (the loop's bands)."""
    return [
        i
        for i, m in enumerate(marks)
        if not look[i] and not wide[i] and not low[i] and never[i] is None and m.mark == "empty"
    ]


def gate(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
) -> np.ndarray:
    """Per square: a score from `miss11.LO` up to `miss11.FOOT_FROM`, a pixel inside at least
    `miss11.FOOT_INK` darker than the ring's lightest side (`kernels.darkest_inside` at the
    doubt band's inside, the same test as `miss11.band`'s `foot` gate), and a faint box-mean
    run inside from RUN_MM long (`kernels.faint_runs`, miss11's `short` gate's test)."""
    out = (scores >= miss11.LO) & (scores < miss11.FOOT_FROM)
    if not out.any():
        return out
    lightest = np.maximum(1.0, paper.max(axis=1))
    out &= miss11.ink_inside(image, centres, scales, lightest, gain)
    if not out.any():
        return out
    # the `short` gate's run test, from RUN_MM instead of 1.5 mm
    return miss11.runs_inside(image, centres, scales, out, lightest, gain, RUN_MM)


def unasked_strokes(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
    unasked: Sequence[int],
) -> list[MarkReading]:
    """`marks` with each square of `unasked` (read `empty`, no test under the wider band
    asked) that passes `gate` and where `foot16.foot_stroke` finds a stroke sent to review
    (`marginal_mark`), unless the contest is `decided`. Unchanged when not ENABLED."""
    if not ENABLED or not unasked or decided(marks):
        return marks
    idx = np.asarray(unasked, np.int64)
    through = gate(image, centres[idx], scales[idx], scores[idx], paper[idx], gain)
    out = list(marks)
    for i in idx[through].tolist():
        if foot16.foot_stroke(image, centres[i], float(scales[i]), paper[i], gain):
            out[i] = replace(out[i], mark="marginal", reason="marginal_mark")
    return out
