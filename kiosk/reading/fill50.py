"""A light fill read `empty` because something dark beside the square lowered its paper
(issue 10, fill50: session 50). A rule that only SENDS a square to the commission (review,
`marginal_mark`), never decides one.

Why. The forty-sixth pass's untouched run (seed 13200) read a voter's light pencil fill
`empty` (tests/test_holdout49.py, 14227/c06): the whole inside evenly grey, a fifth of the
light taken, plain to the eye, but a thumbprint beside the square darkened the left side of
its window's paper ring (162 against 192 on the other three sides), and the score, ink
against a paper interpolated between the ring's four sides, came out 0.017, just under
`marginal`. No test of the bands under `marginal` looks for an even fill: they look for
strokes.

Where it can happen. Two ways, found by this pass's attack (below). The fast score is ink
against the window's paper, interpolated between the four sides of its ring: where something
dark beside the square lowers one side, a fill scores low (the untouched run's, 0.017). And
where a fill scores well (0.1 and more), the closer look measures ink against a local paper,
which an even fill beside a stain can become: the square reads `empty` after it. So the rule
is asked of a square read `empty` whose window's paper sides (the score's own,
`Scores.paper`) differ by SPREAD of the brightest, or whose fast score is at least FAST: on
the clean sheets of `benchmarks/read.py` no square is asked.

The rule (`is_light_fill`). Against the brightest side's paper further out (each side's
wedge FAR_MM from the centre, its median: the side a stain or a streak did not reach):
- the inside is grey evenly: each quarter of it (its median darkness) at least LEVEL, the
  lightest at least EVEN of the darkest, and
- it stops at the printed border: on at least SIDES of the four sides, the band just inside
  the border (IN_MM) is darker than the band just outside it (OUT_MM) by JUMP or by half the
  inside's darkness, whichever is more. A stain's body, a fold's or show-through's grey runs
  on across the border on two sides or more; a voter's fill stops there (the fourth side may
  be the thumbprint).
Such a square becomes `marginal` (`marginal_mark`).

Measured (`benchmarks/results/pass50/`). The attack (`fill50-attack.py.txt`: a fill 0.06-0.3
dark, with or without a pencil's grain, beside a thumbprint, a tea stain or a line, 720
cases at 150/200/300 dpi): 134 read `empty` without the rule, 59 of them sent to review with
it; every fill from 0.13 is caught, those left are at 0.06-0.1 under a heavy grain (their
quarters 0.04-0.05). Empty squares under fieldkit's stains (x1-x3) and square-sized drops
(720): 10 sent to review, all a drop or a water stain about the size of the square, lying
over it (for the commission a drop and a fill look alike). The dev caches (seeds 198-203,
6,300 sheets, `fill50-ab-*.json`): one square sent to review (200s/94/1, a square inside a
thumbprint, its inside evenly a tenth darker than the paper: jumps 0.084/0.067/0.071 on
three sides), none decided. Where it stops: a fill lighter than LEVEL, a stain beside that
covers two sides of the border, a stain the size of the square (sent, as above).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop
from kiosk.reading.model import MarkReading

ENABLED = True  # tests and benchmarks/hook_ab.py --module fill50 switch the rule off ("before")

SPREAD = 0.05  # asked where the window's paper sides differ by this share of the brightest ...
FAST = 0.03  # ... or where the square's own fast score is at least this (the closer look read it `empty`)
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
IN_MM = (1.4, INSIDE_MM)  # the band just inside the printed border (box distance from the centre)
OUT_MM = (TARGET / 2 + 0.45, TARGET / 2 + 1.3)  # ... and just outside it (clear of its blur)
FAR_MM = (TARGET / 2 + 1.3, TARGET / 2 + 2.8)  # the paper: the brightest side's median here
LEVEL = 0.05  # each quarter of the inside at least this dark (median) ...
EVEN = 0.6  # ... the lightest at least this share of the darkest
JUMP = 0.05  # a side's step across the border, at least this (and half the inside's darkness)
SIDES = 3  # ... on at least this many of the four sides


def measures(image: np.ndarray, centre: tuple[float, float], scale: float) -> dict[str, list[float]]:
    """Round one square, against the brightest side's paper: `quarters`, the median darkness
    of each quadrant of the inside; `jumps`, each side's (left, right, top, bottom) median
    darkness just inside the border minus just outside it; `paper`, that level."""
    p, xs, ys = crop.in_mm(image, centre, scale, FAR_MM[1])
    box = np.maximum(np.abs(xs), np.abs(ys))
    wedges = crop.sides(xs, ys)

    def band(lo_hi: tuple[float, float]) -> np.ndarray:
        out: np.ndarray = (box >= lo_hi[0]) & (box <= lo_hi[1])
        return out

    far, near_in, near_out = band(FAR_MM), band(IN_MM), band(OUT_MM)
    sides = [float(np.median(p[far & w])) if (far & w).any() else 0.0 for w in wedges]
    paper = max(1.0, max(sides))
    dark = (paper - p) / paper
    inside = box <= INSIDE_MM
    quarters = [
        float(np.median(dark[inside & (xs < 0) & (ys < 0)])),
        float(np.median(dark[inside & (xs >= 0) & (ys < 0)])),
        float(np.median(dark[inside & (xs < 0) & (ys >= 0)])),
        float(np.median(dark[inside & (xs >= 0) & (ys >= 0)])),
    ]
    jumps = [float(np.median(dark[near_in & w]) - np.median(dark[near_out & w])) for w in wedges]
    return {"quarters": quarters, "jumps": jumps, "paper": [paper]}


def is_light_fill(m: dict[str, list[float]]) -> bool:
    """`measures` say an even grey fill stopping at the printed border (the module's rule)."""
    q = m["quarters"]
    if min(q) < LEVEL or min(q) < EVEN * max(q):
        return False
    jump = max(JUMP, 0.5 * float(np.median(q)))
    return sum(j >= jump for j in m["jumps"]) >= SIDES


def light_fill(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    fast: np.ndarray,
    marks: list[MarkReading],
) -> list[MarkReading]:
    """Each square read `empty` whose window's paper sides disagree (`paper`, the score's
    four per square) or whose fast score (`fast`) is at least FAST, and that holds an even
    fill stopping at its border: `marginal`."""
    if not ENABLED:
        return marks
    top, low = paper.max(axis=1), paper.min(axis=1)
    asked = (fast >= FAST) | ((top > 0) & (top - low >= SPREAD * top))  # one pass: a clean sheet asks none
    out = list(marks)
    for i in np.flatnonzero(asked).tolist():
        m = marks[i]
        if m.mark != "empty":
            continue
        at = (float(centres[i, 0]), float(centres[i, 1]))
        if is_light_fill(measures(image, at, float(scales[i]))):
            out[i] = replace(m, mark="marginal", reason="marginal_mark")
    return out
