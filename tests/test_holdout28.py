"""The real mark the twenty-seventh pass's untouched run (seed 11600, read by main 27dae8a)
read `empty`: its first wrong decision in three runs.

- 5299/against-all (AST-SMD-07, 150 dpi; stain on square 0, HB pencil; a bright scan, gain
  1.002, bias 19.56): a light pencil X drawn corner to corner, plain to the eye. Fast score
  0.025 (the doubt band); the closer look read it `empty` (its score 0.0174, under
  `marginal`), the second looks and `wrong10.last_look` (the wider band's tests but grain14's
  pair) said no: graphite's grain breaks both arms into pieces no run test keeps. The
  contest read `blank` instead of a vote for against-all. Fixed by cross28 (two crossing
  strokes each 4 mm of the square's diagonal, grain14's floor; tests/test_cross28.py), ON since
  cross29 (each stroke running the whole 4 mm; its price read on all 1,500 dev sheets).
"""

from __future__ import annotations

from test_holdout21 import _read


def test_the_light_pencil_x_corner_to_corner_is_not_empty() -> None:  # cross28
    assert _read(11600, 5299, "against-all", "light_pencil") != "empty"
