"""The real marks the twenty-first pass's untouched run (seed 11000, read by main 93240fe,
docs/reading.md "The twenty-first pass's untouched run") read `empty`.

- 13447/c03 (AST-SMD-07; stain, felt tip, corner out): a felt-tip tick drawn mostly below
  the square, its long arm over the lower right corner, a stain's rim beside it; stain10
  explained the inside by the rim. Fixed by stain21 (tests/test_stain21.py reads it).
- 10052/auyl (MZ-LIST, 200 dpi; stain, fold, show-through, pencil): a faint HB pencil X
  (its darkest pixel 0.11 of the light, the inside's 5th percentile 0.06), score 0.009,
  show-through letters of 0.12 around it: under pencil6's wider band; miss11's `foot`
  gate asked pencil6.pencil_near, which found no stroke. Its sheet went to review for
  another square. Fixed by faint22 (grain14's segment pair asked last under miss11's gates;
  tests/test_faint22.py reads it).
- 29178/auyl (AST-LIST, 300 dpi; stain, fold, show-through, grey paper, felt tip): an EMPTY
  square read `marked` (0.11), the contest's vote for qhp made an overvote: a soft stain
  with no rim covers the square's left half (the ring's left side 127 against 170 on the
  other three) and a fold's shadow crosses the square under it
  (`benchmarks/results/pass21/holdout21-11000-29178-auyl.png`). The closer look found no
  crossing line (the fold's shadow is wider than the black-hat's 1.6 mm). Against the paper
  plane (levels 170/170/127/170) the inside holds ink 0.18 on average, and 37 pixels at
  rims7.HOOK_PEN (0.6; the speck bound is 35.8) in one row along the inner edge of the top
  border, where the fold's shadow lies on the printed border's blur (`...-auyl-ink.png`,
  red). That pen count is evidence of a hand (0.033), keeps rims7 and stain9 from asking
  (look20's skip answers for them as they would), and the score against the stain's paper
  is over `marked`: `marked`. The same reading before the twentieth pass. Fixed by edge22
  (the twenty-second pass): `marginal` (`marginal_mark`).
"""

from __future__ import annotations

from readkit import field_sheet


def _read(seed: int, index: int, option: str, kind: str) -> str:
    reader, sheet, image = field_sheet(seed, index)
    marks = reader.read(image).contests[0].marks
    k = [m.option for m in marks].index(option)
    assert sheet.truth.squares[k].kind == kind
    assert sheet.truth.squares[k].expected == "marked"
    return marks[k].mark


def test_the_felt_tip_tick_beside_the_square_is_not_empty() -> None:
    assert _read(11000, 13447, "c03", "tick") != "empty"


def test_the_faint_pencil_x_is_not_empty() -> None:  # fixed by faint22 (tests/test_faint22.py)
    assert _read(11000, 10052, "auyl", "light_pencil") != "empty"


def test_the_stain_and_fold_square_is_not_marked() -> None:
    """Fixed by edge22 (tests/test_edge22.py): the 37 pixels lie along the top border's inner
    edge and nothing leaves it: not a hand's pen; the square goes to review."""
    reader, sheet, image = field_sheet(11000, 29178)
    marks = reader.read(image).contests[0].marks
    k = [m.option for m in marks].index("auyl")
    assert sheet.truth.squares[k].expected == "empty"
    assert marks[k].mark != "marked"
