"""The real mark the eleventh pass's untouched run (seed 10000, read by main 7befa08,
docs/reading.md "The eleventh pass's untouched run") read `empty`: a strict xfail until the
seventeenth pass, whose fold17 (the closer look's last `empty` with a line taken out: the
pencil tests asked again with the line divided out) sends it to review; now a test, with its
companion (fold17 off: `empty`).

- 22618/baitaq (AST-LIST, 150 dpi; fold, pencil, faint streak, corner out): a light pencil
  X plainly visible inside the square, a faint scanner streak down its right side. Score
  0.0121, inside the wider band (0.010-0.018), where the pencil tests are asked and each
  answered no (`pencil6.pencil_near`, `pencil7.stroke_near`, `pencil7.wider_look`,
  `faint9.joined_strokes`); switching any one rule module off or on (wrong11, lines10, stain10, empty8,
  show10, wrong10, fix8, faint9, wrong8, rims7, marks8, stain9, pencil9, erase9, miss11,
  vote11) leaves it `empty`, with d334aea too. The voter also marked jsdp (0.117, read
  `marked`), so an overvote was counted as a vote for jsdp: the contest's outcome is wrong.
  The twelfth pass found the path (docs/reading.md, "Twelfth pass: real marks read empty
  (miss12, not merged)"): the square's fast score is 0.024, so it had the closer look, which
  took the streak out as a line (0.0121, `empty`); the tests that said no are those asked
  after it (pencil6's, pencil7's and faint9's `second_look`), each cutting the contrast at
  0.035, where graphite's grain breaks the X's arms (0.03-0.06) into pieces under every
  test's length. miss12 (branch `miss12`) sends it to review but costs 1-4 points of review
  on dev seeds, so it is not merged. fold17 asks `fix8.small_cross` and `grain14.stroke_pair`
on the square with the streak divided out, and they find the X (docs/reading.md,
"Seventeenth pass: a light pencil mark under a fold (fold17)").
"""

from __future__ import annotations

from readkit import field_sheet

from fieldkit.hook_ab import switched_off
from kiosk.reading import fold17


def test_holdout11_light_x_is_not_empty() -> None:
    reader, sheet, image = field_sheet(10000, 22618)
    contest = reader.read(image.copy()).contests[0]
    marks = contest.marks
    k = [m.option for m in marks].index("baitaq")
    assert sheet.truth.squares[k].kind == "light_pencil"
    assert sheet.truth.squares[k].expected == "marked"
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert contest.outcome == "review"  # an overvote (jsdp marked too): the commission looks
    with switched_off(fold17):
        old = reader.read(image.copy()).contests[0]
    assert old.marks[k].mark == "empty"  # the run's reading ...
    assert (old.outcome, old.choice) == ("vote", "jsdp")  # ... and the overvote counted as a vote
