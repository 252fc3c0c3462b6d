"""The two real marks the twenty-eighth pass's untouched run (seed 11700, read by main
8b11f5d) read `empty` (docs/reading.md, "Twenty-eighth pass: two light pencil marks the
untouched run read empty (trace29)"). Both contests go to review for other squares; the
square itself read `empty` is a lost vote all the same.

- 24667/c05 (AST-SMD-07, 250 dpi; pencil, skew; JPEG quality 51, noise 4.5): a light HB
  pencil tick at the floor of the scan's noise: fast score 0.0007, the inside's ink (0.2 mm
  box-mean) at most 0.069 where the sheet's empty insides reach 0.040-0.062. No band asks
  it (the doubt band's runs need 0.09, or 0.05 box-mean from a score of 0.003), and asked
  directly, no test finds it (benchmarks/results/pass28/trace29-trace2.txt). Not fixed.
- 25635/c01 (AST-SMD-07, 250 dpi; falloff, pencil, faint streak, skew): a light pencil tick,
  its long arm across the inside to the top right corner, plain to the eye, fast score
  -0.0045: a scanner's streak (5 px, ink 0.32) runs through every other window of the
  column, so the baseline (lower quartile of the window sums) is a streaked empty window's.
  Under every band; asked, every pencil test and the closer look find it. deep29 (OFF):
  vote11's band and test from -0.015.
"""

from __future__ import annotations

import pytest
from test_holdout21 import _read

from kiosk.reading import deep29


@pytest.mark.xfail(
    strict=True, reason="trace29: at the scan's noise floor; no test finds it, no rule proposed"
)
def test_the_tick_at_the_noise_floor_is_not_empty() -> None:
    assert _read(11700, 24667, "c05", "light_pencil") != "empty"


@pytest.mark.xfail(
    not deep29.ENABLED,
    strict=True,
    reason="deep29 is off (it is on by default since session 30)",
)
def test_the_tick_beside_the_streaked_windows_is_not_empty() -> None:  # deep29
    assert _read(11700, 25635, "c01", "light_pencil") != "empty"
