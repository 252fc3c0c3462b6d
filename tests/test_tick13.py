"""tick13 (issue 10): the twelfth pass's untouched run's one wrong decision, 10100/25420's
amanat square (MZ-LIST, 150 dpi; stain, pencil, skew), a light pencil tick scoring -0.0068
because the side's baseline (the lower quartile of the window sums) sat on marked and
stained squares: it goes to review with tick13, and reads `empty` without it (the untouched
run's reading). docs/reading.md, "Thirteenth pass: the light tick under zero (tick13)"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from fieldkit.hook_ab import switched_off
from kiosk.reading import tick13, vote11

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_25420_amanat_goes_to_review_only_with_tick13() -> None:
    reader, sheet, image = field_sheet(10100, 25420)
    marks = reader.read(image).contests[0].marks
    assert marks[0].option == "amanat"
    assert sheet.truth.squares[0].kind == "light_pencil"
    assert sheet.truth.squares[0].expected == "marked"
    assert (marks[0].mark, marks[0].reason) == ("marginal", "marginal_mark")
    # the cause: under every band (vote11's too), over the wider band against the emptiest window
    scores = np.array([m.score for m in marks])
    assert marks[0].score < vote11.NEAR_LO
    assert marks[1].option == "auyl" and sheet.truth.squares[1].kind == "none"
    assert marks[0].score - marks[1].score >= 0.03
    # the other squares read as before; the truth-empty ones stay empty
    with switched_off(tick13):
        old = reader.read(image).contests[0].marks
    assert old[0].mark == "empty"
    assert [m.mark for m in old[1:]] == [m.mark for m in marks[1:]]
    assert all(
        m.mark == "empty" for m, q in zip(marks, sheet.truth.squares, strict=True) if q.expected == "empty"
    )
    assert scores.min() == marks[1].score


def test_band_is_the_score_against_the_lowest_under_every_band() -> None:
    lo = -0.03
    s = np.array(
        [lo, lo + tick13.REBASED_FROM, lo + tick13.REBASED_FROM - 1e-4, -0.0031, vote11.NEAR_LO, 0.005]
    )
    assert tick13.band(s) == [False, True, False, True, False, False]
    # a side whose squares all score alike asks nothing
    assert tick13.band(np.full(8, -0.004)) == [False] * 8
    with switched_off(tick13):
        assert tick13.band(s) == [False] * 6
