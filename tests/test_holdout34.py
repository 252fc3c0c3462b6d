"""The real mark the thirty-third pass's untouched run (seed 12200, read by main c8f68b8, stroke28
off; the same reading with stroke34's main, stroke28 on) read `empty` (docs/reading.md, "The
thirty-third pass's untouched run").

- 23039/c02 (AST-SMD-07, 300 dpi; stain, fold, pencil, faint streak, skew; no condition on the
  square's window): an HB pencil tick drawn as the deck's edge tick, wholly below and right of
  the square, its tip just touching the printed bottom border from outside
  (benchmarks/results/pass33/holdout34-23039-c02.png). The inside is clean paper: score -0.0, read
  `empty` with no doubt. The sheet goes to review for another square (c06, truth `empty`,
  `marginal_mark`), but c02 itself is decided: a lost vote unless the commission looks beyond the
  square it is shown. What it should be: in review (a hand's stroke against the square's border,
  outside it). Fixed by beside35 (the thirty-fourth pass, tests/test_beside35.py): the side's
  baseline sat 0.033 over its emptiest window (rebase14's band); one quadrant of the window's
  frame holds 0.97 mm2 over the median, and the closer look given the rebased score reads
  `marginal`.
"""

from __future__ import annotations

from readkit import field_sheet
from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import beside35


def test_the_tick_against_the_bottom_border_is_not_empty() -> None:  # fixed by beside35
    assert _read(12200, 23039, "c02", "tick") != "empty"


def test_what_the_reader_sees_of_it() -> None:
    """Nothing inside: the square scores about 0, under every doubt band; without beside35 the
    sheet is in review for c06 alone (truth `empty`)."""
    reader, sheet, image = field_sheet(12200, 23039)
    with switched_off(beside35):
        reading = reader.read(image)
    marks = reading.contests[0].marks
    k = [m.option for m in marks].index("c02")
    assert abs(marks[k].score) < 0.003
    assert marks[k].mark == "empty"
    assert reading.status == "review"
    assert [(m.option, m.mark) for m in marks if m.mark != "empty"] == [("c06", "marginal")]
    assert all(q.expected == "empty" for j, q in enumerate(sheet.truth.squares) if j != k)
