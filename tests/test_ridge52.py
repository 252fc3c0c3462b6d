"""A greasy thumb's print over its own body goes to the commission (issue 10, ridge52:
kiosk/reading/ridge52.py).

The case: the forty-eighth pass's untouched run's one wrong decision (seed 13400, sheet 601,
square c41: an EMPTY square under fieldkit's thumb, its edge through the inside, read
`marked` 0.111; docs/reading.md, "The forty-eighth pass's range").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from readkit import field_sheet
from test_marks8 import pencil_fill
from test_redteam8 import Blank
from test_redteam8 import blank as _blank_fixture

import kiosk.reading.ridge52 as ridge52
import kiosk.reading.wrong10 as wrong10
from fieldkit.hook_ab import switched_off

blank = _blank_fixture  # the module-scoped fixture, re-exported here


def test_the_thumb_over_c41_goes_to_the_commission() -> None:
    reader, sheet, image = field_sheet(13400, 601)
    marks = reader.read(image).contests[0].marks
    k = [m.option for m in marks].index("c41")
    assert sheet.truth.squares[k].expected == "empty" and sheet.truth.squares[k].kind == "none"
    assert "stain" in sheet.square_conditions[k]
    assert (marks[k].mark, marks[k].reason) == ("marginal", "possible_stain")
    with switched_off(ridge52):
        before = reader.read(image).contests[0].marks[k]
    assert before.mark == "marked"  # the untouched run's reading: ridge52 is what sends it


def test_the_print_body_hides_the_ridges_from_wrong10_alone() -> None:
    """wrong10's floor (the detail at least DETAIL_SHARE of the mean ink) keeps the spectrum
    from being asked; without it, more than BODY_SHARE of the detail is at the ridges' spacing."""
    cap: dict[str, Any] = {}
    orig = wrong10.ridged_print

    def spy(
        image: np.ndarray,
        centres: np.ndarray,
        scales: np.ndarray,
        paper: np.ndarray,
        gain: float,
        marks: Any,
        memo: Any = None,
    ) -> Any:
        cap.update(
            image=image,
            centres=centres.copy(),
            scales=scales.copy(),
            paper=paper.copy(),
            gain=gain,
            marks=marks,
        )
        return orig(image, centres, scales, paper, gain, marks, memo)

    reader, _sheet, image = field_sheet(13400, 601)
    mp = pytest.MonkeyPatch()
    mp.setattr(wrong10, "ridged_print", spy)
    try:
        reader.read(image)
    finally:
        mp.undo()
    k = [m.option for m in cap["marks"]].index("c41")
    at = (float(cap["centres"][k, 0]), float(cap["centres"][k, 1]))
    args = (cap["image"], at, float(cap["scales"][k]), float(np.max(cap["paper"][k])), cap["gain"])
    assert wrong10.ridge_share(*args) == 0.0
    assert wrong10.ridge_detail(*args) is None
    assert wrong10.ridge_share(*args, floor=0.0) >= ridge52.BODY_SHARE


@pytest.mark.parametrize("c", [0.2, 0.3, 0.45])
def test_a_pencil_fill_stays_a_vote(blank: Blank, c: float) -> None:
    """A pencil fill's grain (unblurred: all its detail kept) is no print's spectrum: read
    `marked` with ridge52 on, its measure about 0.33, under BODY_SHARE (the dev caches' fills
    reach 0.61)."""
    reader, clean, centres, scale = blank
    sq = 20
    image = pencil_fill(clean, centres[sq], scale, c, blur=0.0)
    got = reader.read(image).contests[0].marks[sq]
    assert got.mark == "marked", got
    share = wrong10.ridge_share(image, centres[sq], scale, 255.0, 1.0, floor=0.0)
    assert 0.0 < share < ridge52.BODY_SHARE, share  # (0.0: no detail to judge, no test)
