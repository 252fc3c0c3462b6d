"""rebase14 (issue 10): tick13 extended from -0.003 up to the wider band, on a side whose
baseline (the lower quartile of the window sums) stands over its emptiest window. The drawn
family's mark still read `empty` after tick13 (sheet 101402: a pencil tick scoring +0.0021,
+0.025 against the emptiest window) goes to review; 10100/25420's amanat stays tick13's;
a plain sheet's side is not asked. docs/reading.md, "Fourteenth pass: the baseline on inked
windows (rebase14)"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.reading import beside35, miss11, pencil6, rebase14, tick13, under23, vote11

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet
from test_tick13 import _drawn_sheet


def test_101402_respublica_goes_to_review_only_with_rebase14(monkeypatch: pytest.MonkeyPatch) -> None:
    reader, sheet, image = _drawn_sheet(monkeypatch, 101402, 4, True)
    marks = reader.read(image).contests[0].marks
    k = 2
    assert marks[k].option == "respublica" and sheet.truth.squares[k].expected == "marked"
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    scores = np.array([m.score for m in marks])
    # the cause: from -0.003 up (not tick13's), over the wider band against the emptiest window
    assert vote11.NEAR_LO <= marks[k].score < pencil6.LOOK_FROM
    assert marks[k].score - scores.min() >= 0.02
    assert not tick13.band(scores)[k] and rebase14.band(scores)[k]
    # under23 (a blank contest) and beside35 (ink in the frame's corner) find it too
    with switched_off(rebase14), switched_off(under23), switched_off(beside35):
        old = reader.read(image).contests[0].marks
    assert old[k].mark == "empty"
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]
    assert all(
        m.mark == "empty" for m, q in zip(marks, sheet.truth.squares, strict=True) if q.expected == "empty"
    )


def test_25420_amanat_stays_tick13s() -> None:
    reader, _sheet, image = field_sheet(10100, 25420)
    marks = reader.read(image).contests[0].marks
    assert (marks[0].mark, marks[0].reason) == ("marginal", "marginal_mark")
    scores = np.array([m.score for m in marks])
    assert not rebase14.band(scores)[0]  # under -0.003: tick13's, not asked twice
    with switched_off(rebase14):
        old = reader.read(image).contests[0].marks
    assert [(m.mark, m.reason) for m in old] == [(m.mark, m.reason) for m in marks]


@pytest.mark.parametrize(("index", "option"), [(480, "baitaq"), (9086, "ak-zhol"), (12127, "c02")])
def test_a_second_net_for_vote11s_and_miss11s_marks(index: int, option: str) -> None:
    """Seed 9900's marks that vote11 (12127) and miss11 (480, 9086) send to review sit on
    sides whose baseline stands 0.03-0.047 over the emptiest window: with those two rules off
    rebase14 still sends them; with rebase14 off too they read `empty` (their tests)."""
    reader, _sheet, image = field_sheet(9900, index)
    with switched_off(vote11), switched_off(miss11):
        marks = [m for c in reader.read(image).contests for m in c.marks]
    k = [m.option for m in marks].index(option)
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert rebase14.band(np.array([m.score for m in marks]))[k]


def test_9700_28549_c09_only_with_the_closer_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """test_faint9's strict xfail 9700/28549/c09 (a light pencil V tick scoring -0.0023 on a
    43-square side whose baseline stands 0.049 over its emptiest window): gated; the pencil
    tests do not find it (it stays `empty`), the closer look given its rebased score does
    (CLOSER_LOOK on, off by default for its price); no other square changes."""
    reader, sheet, image = field_sheet(9700, 28549)
    marks = [m for c in reader.read(image).contests for m in c.marks]
    k = [m.option for m in marks].index("c09")
    assert sheet.truth.squares[k].kind == "light_pencil"
    assert rebase14.band(np.array([m.score for m in marks]))[k]
    assert marks[k].mark == "empty"
    monkeypatch.setattr(rebase14, "CLOSER_LOOK", True)
    looked = [m for c in reader.read(image).contests for m in c.marks]
    assert (looked[k].mark, looked[k].reason) == ("marginal", "marginal_mark")
    assert [m.mark for j, m in enumerate(looked) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def test_a_plain_sheets_side_is_not_asked() -> None:
    # dev seed 105 sheet 2 (show-through, falloff, pencil, corner out; one mark): the lowest
    # score is near the baseline, so nothing is gated and the reading is the one without rebase14
    reader, _sheet, image = field_sheet(105, 2)
    marks = [m for c in reader.read(image).contests for m in c.marks]
    scores = np.array([m.score for m in marks])
    assert -scores.min() < rebase14.SHIFT_FROM
    assert rebase14.band(scores) == [False] * len(marks)
    with switched_off(rebase14):
        old = [m for c in reader.read(image).contests for m in c.marks]
    assert [(m.mark, m.reason) for m in old] == [(m.mark, m.reason) for m in marks]


def test_band_edges() -> None:
    lo = -0.02  # a side whose baseline stands 0.02 over its emptiest window
    s = np.array(
        [
            lo,
            vote11.NEAR_LO - 1e-4,  # tick13's
            lo + rebase14.REBASED_FROM + 1e-6,  # -0.002: 0.018 against the emptiest window
            lo + rebase14.REBASED_FROM - 1e-4,  # just under it
            0.005,
            pencil6.LOOK_FROM,  # the wider band's
        ]
    )
    assert rebase14.band(s) == [False, False, True, False, True, False]
    # a side whose emptiest window is within SHIFT_FROM of the baseline asks nothing
    s2 = np.array([-rebase14.SHIFT_FROM + 1e-4, 0.009, 0.0, 0.0])
    assert rebase14.band(s2) == [False] * 4
    assert rebase14.band(np.array([-rebase14.SHIFT_FROM - 1e-4, 0.009, 0.0, 0.0])) == [
        False,
        True,
        False,
        False,
    ]
    with switched_off(rebase14):
        assert rebase14.band(s) == [False] * 6


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-0.06, max_value=0.06, allow_nan=False), min_size=1, max_size=50))
def test_band_agrees_with_its_reference(values: list[float]) -> None:
    assert rebase14.band(np.array(values)) == rebase14.band_reference(values)
