"""foot16 (issue 10): the sixteenth pass's untouched run's light pencil tick scoring just under
pencil6's wider band (10500/19474/jsdp, 0.0096), let through by miss11's `foot` gate and asked
only `pencil6.pencil_near`, goes to review with foot16 (`pencil7.stroke_near` asked too) and
reads `empty` without it; no other square of the sheet changes. docs/reading.md, "Sixteenth
pass: a light stroke inside a square the foot gate let through (foot16)"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from fieldkit.hook_ab import switched_off
from kiosk.reading import foot16, miss11, pencil6

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet
from test_redteam8 import _polylines
from test_review9 import _blank


def test_holdout16_light_tick_under_the_wider_band_goes_to_review_only_with_foot16() -> None:
    reader, sheet, image = field_sheet(10500, 19474)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("jsdp")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert miss11.FOOT_FROM <= marks[k].score < pencil6.LOOK_FROM  # 0.0096: under the wider band
    with switched_off(foot16):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]


def test_foot_stroke_finds_a_light_tick_inside_and_not_blank_paper() -> None:
    _reader, img, centres, s = _blank(300)
    c = np.array(centres[30])
    levels = np.full(4, float(np.median(img)))  # the paper
    # a V tick inside: vertex 0.5 mm over the bottom border, long arm up to the top right corner
    tick = [(-2.5, 1.0), (-0.5, 3.6), (3.4, -3.4)]
    drawn = _polylines(img, centres[30], s, [tick], 0.4, 0.12, grain=0.4, seed=7)
    assert foot16.foot_stroke(drawn, c, s, levels, 1.0)
    assert not foot16.foot_stroke(img, c, s, levels, 1.0)
    with switched_off(foot16):
        assert not foot16.foot_stroke(drawn, c, s, levels, 1.0)
