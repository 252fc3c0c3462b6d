"""streak27 (issue 10, twenty-sixth pass): a scanner's streak proven page-long divided out of
settle7's quiet band (kiosk/reading/streak27.py). The rule ships OFF: its attack grid
(benchmarks/results/pass26/streak27-attack.py.txt) found show-through letters that settle7
already takes for a vote on clean paper, plus a real page-long streak through the band, read
`marked` with it on where the shipped reader sends them to review. These tests hold the
shipped reader to that review, show why the rule is off, and what it would decide."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import readkit
from test_redteam8 import _show_through_letter
from test_review9 import _blank
from test_settle7 import _long_line

import kiosk.reading.streak27 as streak27
from kiosk.reading import lines10, settle7
from kiosk.reading.reader import BallotReader


def _streak(image: np.ndarray, col: int, width: int, dark: float) -> np.ndarray:
    """A scanner's faint streak as fieldkit.conditions._apply_faint_streak draws it: every
    row of `width` columns from `col`, multiplied by 1 - `dark`, top to bottom of the scan."""
    out = image.copy()
    out[:, col : col + width] = (out[:, col : col + width] * (1 - dark)).astype(np.uint8)
    return out


def _letter_and_streak(
    ch: str, k: float, off_mm: float, width: int, dark: float
) -> tuple[BallotReader, np.ndarray]:
    """The attack grid's case: a mirrored show-through letter (`k` of the light, diffused 0.15
    mm) in EMPTY square 20 of the blank MZ-SMD-02 back at 150 dpi, and a page-long streak
    whose left column is `off_mm` from the square's centre (through the quiet band)."""
    reader, img, centres, s = _blank(150)
    c = centres[20]
    im = _show_through_letter(img, c, s, ch, k, blur_mm=0.15)
    return reader, _streak(im, round(c[0] + off_mm * s), width, dark)


# (letter, light, streak offset mm, px, dark): read `marked` with streak27 on, review with it off.
ATTACKS = [
    ("H", 0.15, 4.05, 2, 0.12),
    ("X", 0.2, 4.05, 2, 0.12),
    ("X", 0.2, -4.1, 1, 0.25),
    ("V", 0.2, 4.05, 2, 0.12),
]


@pytest.mark.parametrize("case", ATTACKS)
def test_a_letter_beside_a_page_long_streak_is_not_a_vote(case: tuple[str, float, float, int, float]) -> None:
    reader, im = _letter_and_streak(*case)
    got = reader.read(im).contests[0]
    assert not (got.outcome == "vote" and got.marks[20].mark == "marked"), got.marks[20]


@pytest.mark.parametrize("case", ATTACKS[:2])
def test_with_streak27_on_that_letter_reads_a_vote(
    case: tuple[str, float, float, int, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the rule is off: the streak's division gives back settle7's clean-paper answer,
    and settle7 takes these letters for a vote (test_review9's strict xfail family)."""
    monkeypatch.setattr(streak27, "ENABLED", True)
    reader, im = _letter_and_streak(*case)
    got = reader.read(im).contests[0]
    assert (got.outcome, got.marks[20].mark) == ("vote", "marked"), got.marks[20]


def test_page_streak_proves_a_streak_and_not_a_ruled_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """lines10's strips (30 mm above and below) take a vertical line ruled 80 mm long for a
    streak; streak27 follows the column over the whole page and does not."""
    monkeypatch.setattr(streak27, "ENABLED", True)
    _reader, img, centres, s = _blank(300)
    c = centres[20]
    col = round(c[0] + 4.0 * s)
    real = _streak(img, col, 2, 0.2)
    got = streak27.page_streak(real, c, s)
    assert got is not None and bool((got[1] < 1.0).any())
    ruled = _long_line(img, (col + 0.5, c[1]), s, 90.0, 0.2, 2 / s)
    seen = lines10.column_gain(ruled, c[0], c[1], s)
    assert seen is not None and bool((seen[1] < 1.0).any())  # lines10 alone: a "streak"
    assert streak27.page_streak(ruled, c, s) is None
    assert streak27.divided(ruled, c, s) is None


def test_a_hand_stroke_along_the_streak_keeps_the_band_loud(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stroke drawn in the streak's own column through the band is left at its own
    contrast by the division: settle7's band stays not quiet (a plus that passes alone)."""
    from test_review9 import _line, _stroke

    monkeypatch.setattr(streak27, "ENABLED", True)
    _reader, img, centres, s = _blank(300)
    c = centres[20]
    plus = _stroke(img, c, s, _line(0, 4.0, 0.0), 0.5, 0.3)
    plus = _stroke(plus, c, s, _line(90, 4.0, 0.0), 0.5, 0.3)
    col = round(c[0] + 4.0 * s)
    streaked = _streak(plus, col, 2, 0.3)  # the blank back's paper is 250
    assert settle7.hand_strokes(plus, c, s, 250.0, 1.0) is not None  # alone: two strokes
    monkeypatch.setattr(streak27, "ENABLED", False)
    assert settle7.hand_strokes(streaked, c, s, 250.0, 1.0) is None  # the streak: band not quiet
    monkeypatch.setattr(streak27, "ENABLED", True)
    assert settle7.hand_strokes(streaked, c, s, 250.0, 1.0) is not None  # divided out
    x = (col + 1 - c[0]) / s
    over = _stroke(streaked, c, s, [(x, -1.0), (x, 6.0)], 0.5, 0.3)
    assert settle7.hand_strokes(over, c, s, 250.0, 1.0) is None  # the hand's stroke stays


def test_a_real_tick_under_a_streak_is_what_the_rule_would_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dev seed 105, sheet 72 (MZ-LIST, 150 dpi): a light tick in square 1 with a scanner
    streak 1-2 px wide down the band's left side (census26's family 1, band not quiet).
    Shipped: review (`marginal_mark`); with streak27 on: the contest's vote."""
    reader, sheet, image = readkit.field_sheet(105, 72)
    assert sheet.truth.squares[1].expected == "marked" and "faint_streak" in sheet.square_conditions[1]
    got = reader.read(image)
    assert (got.status, got.contests[0].marks[1].mark) == ("review", "marginal"), got.contests[0].marks[1]
    monkeypatch.setattr(streak27, "ENABLED", True)
    got = reader.read(image)
    assert (got.status, got.contests[0].marks[1].mark) == ("ok", "marked"), got.contests[0].marks[1]
