"""The two real marks the thirty-fifth pass's untouched run (seed 12400, read by main 59f5e34:
stroke28 and beside35 on) read `empty` (docs/reading.md, "The thirty-fifth pass's untouched
run"). Both sheets were decided with no review; faint37 (the thirty-sixth pass, ON since the
thirty-seventh) sends both squares to review, and without it they read `empty` again.

- 31193/c28 (MZ-SMD-02; pencil, no condition on the square): a light pencil caret (an upside-down
  V) across the inside, plain to the eye (benchmarks/results/pass35/holdout35-12400-31193-c28.png),
  fast score 0.0079. The contest's other mark, c21, reads `marked` (0.068): the truth is an
  overvote, the reading was a vote for c21.
- 39768/qhp (MZ-LIST; pencil, no condition on the square): a very light pencil X, seen on the
  crop only as a faint grey cross (`...-39768-qhp.png`), fast score 0.0058, the contest's only
  mark: the truth is a vote for qhp, the reading was `blank`.
"""

from __future__ import annotations

import pytest
from test_holdout21 import _read

from kiosk.reading import faint37


def test_the_light_caret_beside_a_vote_goes_to_review() -> None:
    assert faint37.ENABLED
    assert _read(12400, 31193, "c28", "light_pencil") == "marginal"


def test_the_very_light_x_goes_to_review() -> None:
    assert _read(12400, 39768, "qhp", "light_pencil") == "marginal"


def test_both_are_faint37s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faint37, "ENABLED", False)
    assert _read(12400, 31193, "c28", "light_pencil") == "empty"
    assert _read(12400, 39768, "qhp", "light_pencil") == "empty"
