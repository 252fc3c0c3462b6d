"""low15 (issue 10): the fifteenth pass's untouched run's light pencil mark that scored its
side's lowest (10400/43678/amanat: a streak, moved by the skew, lifted the side's baseline
and missed its window) goes to review with low15 and reads `empty` without it; no other
square of the sheet changes. docs/reading.md, "Fifteenth pass: a light mark scoring its
side's lowest (low15)"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import deep29, low15, vote11

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_holdout15_light_pencil_scoring_the_sides_lowest_goes_to_review_only_with_low15() -> None:
    reader, sheet, image = field_sheet(10400, 43678)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("amanat")
    assert sheet.truth.squares[k].kind == "light_pencil"
    assert sheet.truth.squares[k].expected == "marked"
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert marks[k].score < vote11.NEAR_LO  # its fast score: under every band (the side's lowest, -0.0138)
    with switched_off(low15), switched_off(deep29):  # deep29 (later) reaches it too
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def test_band_is_the_lowest_standing_apart_under_every_band() -> None:
    s = np.array([0.002, -0.0138, -0.0022, 0.19])
    assert low15.band(s) == [False, True, False, False]
    assert low15.band(np.array([0.002, -0.0138, -0.0040, 0.19])) == [False] * 4  # gap 0.0098
    assert low15.band(np.array([0.010, -0.0025, 0.0100, 0.19])) == [False] * 4  # not under -0.003
    assert low15.band(np.array([-0.02])) == [False]  # one square: no side to stand apart from
    with switched_off(low15):
        assert low15.band(s) == [False] * 4


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-0.05, 0.3, allow_nan=False), min_size=0, max_size=43))
def test_band_is_its_reference(scores: list[float]) -> None:
    assert low15.band(np.array(scores, dtype=np.float64)) == low15.band_reference(scores)
