"""empty8's trace kept on the run's own line (session 55, `empty8.ON_LINE`). A helper's attack
on MZ-SMD-02 (`benchmarks/results/pass55/smdblind55-empty8.*`) drew light single pencil strokes
across square 1 (0.09 of the light, 300 dpi): the closer look sent them to review, and empty8
settled them `empty` (a wrong decision). Followed beyond the square, the stroke's trace met the
row rule 2 mm beyond the printed border, turned onto it and "went on" along it: a line of the
paper. Kept within ON_LINE_MM of the run's own straight line, the trace finds the stroke ending
there and the square stays with the commission. docs/reading.md, "Session 55"."""

from __future__ import annotations

import numpy as np
import pytest
from test_faint22 import _blank
from test_redteam8 import _polylines
from test_review9 import _line

from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import empty8
from kiosk.reading.reader import BallotReader


@pytest.fixture(scope="module")
def reader() -> BallotReader:
    e = sample_election()
    return BallotReader(e, election_hash(e), keep_crops="never")


@pytest.mark.parametrize(
    ("angle", "length", "seed"), [(45, 6.0, 1), (45, 6.0, 2), (60, 4.5, 1), (60, 4.5, 3), (85, 6.0, 4)]
)
def test_a_light_stroke_by_the_row_rule_stays_in_review(
    reader: BallotReader, angle: int, length: float, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    img, c, s = _blank("MZ-SMD-02", 300)
    im = _polylines(img, c, s, [_line(angle, length, 0.0)], 0.5, 0.09, grain=0.7, seed=seed)
    got = reader.read(im).contests[0].marks[1]
    assert (got.mark, got.reason) == ("marginal", "marginal_mark")
    monkeypatch.setattr(empty8, "ON_LINE", False)
    assert reader.read(im).contests[0].marks[1].mark == "empty"  # the trace on the row rule


def test_a_straight_line_of_the_paper_is_still_followed() -> None:
    """A line that does go on straight is there all the way, kept on its line or not."""
    c = np.zeros((161, 161), np.float32)
    c[80 - 2, :] = 0.1  # a horizontal crease 0.2 mm above the middle
    free = np.ones_like(c, bool)
    end = (20.0, -2.0, 1.0, 0.0)
    kept = empty8.trace(c, free, -80.0, -80.0, end, 0.05, 10.0, 0.0, (0.0, -2.0, 1.0, 0.0))
    loose = empty8.trace(c, free, -80.0, -80.0, end, 0.05, 10.0)
    assert kept and float(np.mean(np.asarray(kept) >= 0.05)) == 1.0
    assert loose and float(np.mean(np.asarray(loose) >= 0.05)) == 1.0
