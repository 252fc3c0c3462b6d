"""The real mark session 55's untouched run (seed 13800, read by 4983afa) read `empty`, sent to
review since by cross55 (session 55).

- 2997/c09 (MZ-SMD-02, 300 dpi; stain, show-through, HB pencil, JPEG 55; no condition touches
  the square's window): a light pencil X corner to corner, plain to the eye
  (`benchmarks/results/pass55/holdout55-13800-2997-c09.png`), score 0.0167 after the closer
  look, every look `empty`. cross28 measured its two strokes at 0.055 and 0.061 over their sides
  against a floor of 0.079, raised by the row rules beside the square; cross55 measures the
  paper's spread clear of print (floor 0.02) and the commission looks (`marginal_mark`). The
  contest was an overvote either way (the voter marked four squares): a wrong square, not a
  wrong outcome.
"""

from __future__ import annotations

from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import cross55


def test_the_light_pencil_x_by_the_row_rules_is_not_empty() -> None:
    assert _read(13800, 2997, "c09", "light_pencil") == "marginal"


def test_without_cross55_it_was_read_empty() -> None:
    with switched_off(cross55):
        assert _read(13800, 2997, "c09", "light_pencil") == "empty"
