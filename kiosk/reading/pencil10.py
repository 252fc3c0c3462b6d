"""Two clear pencil marks in one contest: an overvote (issue 10, the tenth pass: pencil10).

On pencil sheets a third of the review beyond the truth (35 of 104 sheets on seeds 130 and
131, `--always pencil`, the ninth pass's count) is an overvote by the truth whose doubtful
mark settle7's positive test already finds: `settle7.settle_contest` keeps a settled square
`marked` only as the contest's single vote with nothing else in doubt, so a contest of a
clear mark and a settled pencil cross (or of two settled crosses) goes to the commission.

The rule (`overvote_kept`, called by the reader just before `settle7.settle_contest`): a
settled square still `marked` there (rims7's `unlike_marks`, fix8's `hairline` and erase9's
`possible_erasure` have had their say: a pencil mark much lighter than the contest's pen
mark, a hair, an erasure are back in review already) is kept `marked` beside other marks
when it is CERTAIN, a stricter test than the one that settled it:

- settle7's test finds two hand strokes in it (`settle7.hand_strokes`; no hesitation dot,
  `settle7.pen_dot`; no thin curve running on beyond the window, `settle7.reaches_beyond`),
- the two arms are two strokes, not the two edges of one wide slash (`pencil9.two_strokes`),
- each arm covers CERTAIN_LEN_MM of the inside (a mark across the square, not a small one),
- its score is at least SETTLE_FLOOR (the closer look found ink, not its floor `marginal`).

When the contest then holds two or more `marked` squares that are each either the reader's
own decision (not settled) or a certain settled square, it is an overvote: those settled
squares are taken out of the list `settle_contest` sends back, and `contest_outcome` reads
the contest `overvote` (an invalid ballot in the contest; nothing marginal can undo two
clear marks). Any other settled square goes back to the commission as before. A contest of
ONE certain mark beside doubt stays in review (settle_contest's guard, unchanged).

A station whose calibration raised `marginal` or `marked` above the defaults keeps the
contest in review (as settle7 and pencil9 do). Nothing is read `empty`.

THE RULE IS SWITCHED OFF (`ENABLED = False`), because its test is not certain. On the corpus
every square it decides is a real mark (seeds 130 and 131 `--always pencil`, see
docs/reading.md, "Tenth pass: two pencil marks in a contest (pencil10)"), but a mirrored
letter of the title side showing through an empty square (0.18-0.3 of the light, diffused
0.15 mm, 300 dpi: H, X, Y, T, K, V, N, A) passes settle7's test, `two_strokes` and the
arms' length beside a real light pencil X, and the contest would read `overvote`: the
voter's vote lost (tests/test_pencil10.py, xfail strict). The single vote has the same
flaw today (tests/test_review9.py, a letter on a blank ballot read as a vote); settling
overvotes would add a second way to it. A graphite-grain test (each arm's ridge rougher
than print diffused through paper) separates drawn letters from drawn pencil on clean
images, but not the corpus's pencil at 250-300 dpi (ridge roughness 0.03-0.07) from
letters on a noisy JPEG scan (up to 0.10 at 150 dpi): measured, not kept. Switch the rule
on once the title side's known print keeps show-through letters out of settle7's test.
"""

from __future__ import annotations

import numpy as np

from kiosk.reading import pencil9, settle7
from kiosk.reading.model import MarkReading, Thresholds

ENABLED = False  # OFF: not certain (a show-through letter beside a real mark passes; see above).
# Tests switch it on to show what it would decide and what it would decide wrongly.
DEFAULT = Thresholds()  # the calibration the rule was measured under
CERTAIN_LEN_MM = (3.0, 2.0)  # each of the two arms covers this much of the inside at least


def certain(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    half: int,
    score: float,
) -> bool:
    """Is the settled square certainly a hand's mark (the module's stricter test)?"""
    if score < settle7.SETTLE_FLOOR:
        return False
    at = (float(centre[0]), float(centre[1]))
    paper = float(np.max(levels))
    if settle7.pen_dot(image, at, scale, paper, gain):
        return False
    arms = settle7.hand_strokes(image, at, scale, paper, gain)
    if arms is None:
        return False
    if arms[0].cover < CERTAIN_LEN_MM[0] or arms[1].cover < CERTAIN_LEN_MM[1]:
        return False
    if not pencil9.two_strokes(image, at, scale, paper, gain, arms):
        return False
    return not settle7.reaches_beyond(image, at, scale, paper, gain, half)


def overvote_kept(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    half: int,
    marks: list[MarkReading],
    settled: list[int],
    thresholds: Thresholds,
) -> list[int]:
    """The settled squares `settle7.settle_contest` may still send back: `settled` less the
    certain ones kept `marked` in a contest of two or more clear marks (an overvote)."""
    if not ENABLED or not settled:
        return settled
    return decide(image, centres, scales, paper, gain, half, marks, settled, thresholds)


def decide(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    half: int,
    marks: list[MarkReading],
    settled: list[int],
    thresholds: Thresholds,
) -> list[int]:
    """`overvote_kept`'s decision whether or not the module is on (pencil11 asks it where
    no title-side print is near the contest's marks)."""
    if thresholds.marginal > DEFAULT.marginal or thresholds.marked > DEFAULT.marked:
        return settled
    plain = [i for i, m in enumerate(marks) if m.mark == "marked" and i not in settled]
    kept = [
        i
        for i in settled
        if marks[i].mark == "marked"
        and certain(image, centres[i], float(scales[i]), paper[i], gain, half, marks[i].score)
    ]
    if len(plain) + len(kept) < 2 or not kept:
        return settled
    return [i for i in settled if i not in kept]
