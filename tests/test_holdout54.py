"""The real mark session 54's untouched run (seed 13700, read by 22518a1: the readings of
94fbaf8) read `empty`, fixed by deep29's run contrast (session 54).

- 34012/amanat (MZ-LIST, 254 dpi; fold, show-through, pencil, a faint streak, skew; no condition
  touches the square's window): a light pencil tick, plain to the eye, its darkest pixel 0.15 of
  the light and its 1st percentile 0.12 (`benchmarks/results/pass54/holdout54-13700-34012-amanat.png`),
  score -0.0041 against the side's -0.024-0.005: in deep29's band, whose faint run was asked at the
  doubt band's 0.09 and not found there (it is at 0.07). The contest's one vote read `blank`: a
  wrong decision and a wrong outcome. With deep29.RUN_CONTRAST at 0.07 pencil6 finds the stroke
  and the commission looks (`marginal_mark`).
"""

from __future__ import annotations

import pytest
from test_holdout21 import _read

from kiosk.reading import deep29


def test_the_faint_pencil_tick_is_not_empty() -> None:
    assert _read(13700, 34012, "amanat", "light_pencil") == "marginal"


def test_at_the_doubt_bands_run_contrast_it_was_read_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deep29, "RUN_CONTRAST", 0.09)
    assert _read(13700, 34012, "amanat", "light_pencil") == "empty"
