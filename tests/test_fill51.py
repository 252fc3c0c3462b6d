"""A voter's fill that stops short of marks8's corner boxes reads `marked` when the printed
square, fitted, says it is square, not round (issue 10, fill51: kiosk/reading/fill51.py).

Sheets: the red team's clean blank ballot (tests/test_redteam8.py: MZ-SMD-02, 200 dpi, all 43
squares empty); a fill drawn as the inside evenly grey with no grain of its own, stopping
0.3 mm inside the printed border (tests/test_fill50.py's `_fill`); dark49's round spill
(tests/test_dark49.py's `_body`) for the drops that are not fills.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dark49 import _body, _pen_x, _sheet
from test_fill50 import _apply, _fill
from test_redteam8 import Blank, _contest
from test_redteam8 import blank as _blank_fixture

import kiosk.reading.fill51 as fill51
import kiosk.reading.marks8 as marks8_module

blank = _blank_fixture  # the module-scoped fixture, re-exported here


@pytest.fixture(autouse=True)
def _fill51_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """fill51 is OFF in the reader (an outside attack: 13 of 960 non-marks read as votes);
    these tests switch it on to pin what it does."""
    monkeypatch.setattr(fill51, "ENABLED", True)


SQ = 20


@pytest.mark.parametrize("k", [0.18, 0.22])
def test_a_smooth_fill_short_of_the_corners_is_a_vote(blank: Blank, k: float) -> None:
    """A fill stopping 0.3 mm inside the printed border, too smooth for the grain test: marks8
    asks, its corner boxes (in image axes, up to 2.5 mm out) are half paper, fill51's fitted
    square says square: the contest's one vote."""
    reader, img, centres, s = blank
    got = _contest(reader, _apply(img, _fill(img, centres[SQ], s, k)))
    assert (got.outcome, got.marks[SQ].mark) == ("vote", "marked"), got.marks[SQ]


@pytest.mark.parametrize("k", [0.18, 0.22])
def test_companion_without_fill51_the_fill_goes_to_review(
    blank: Blank, k: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What it exists for: marks8's corner boxes alone send a plain filled box to the commission."""
    monkeypatch.setattr(fill51, "ENABLED", False)
    reader, img, centres, s = blank
    got = _contest(reader, _apply(img, _fill(img, centres[SQ], s, k)))
    assert (got.outcome, got.marks[SQ].mark, got.marks[SQ].reason) == ("review", "marginal", "marginal_mark")


def test_the_fill_beside_another_doubt_stays_in_review(blank: Blank) -> None:
    """marks8's contest guard holds for fill51's fills too: nothing is decided beside a doubt."""
    reader, img, centres, s = blank
    image = _apply(img, _fill(img, centres[SQ], s, 0.22), _fill(img, centres[0], s, 0.08))
    got = _contest(reader, image)
    assert got.marks[0].mark == "marginal", got.marks[0]
    assert (got.outcome, got.marks[SQ].mark) == ("review", "marginal")


@pytest.mark.parametrize(("r_mm", "at_mm"), [(4.0, (0.0, 0.0)), (5.0, (1.0, 0.5)), (2.6, (0.0, 0.0))])
def test_a_round_drop_over_the_square_is_no_vote(
    blank: Blank, r_mm: float, at_mm: tuple[float, float]
) -> None:
    """A smooth drop as dark as the fills above: one 8-10 mm across lies over the band
    outside the border, one 5 mm across leaves the inside's corners (`_body`'s ellipse is
    0.85 as tall as wide, turned 20 degrees): no fill, no vote."""
    reader, img, centres, s = blank
    image = _body(img, centres[SQ], s, at_mm, r_mm, 0.22)
    assert not fill51.is_square_fill(fill51.measures(image, centres[SQ], s))
    got = _contest(reader, image)
    assert got.marks[SQ].mark != "marked", got.marks[SQ]


@pytest.mark.parametrize("r_mm", [3.0, 3.2, 3.4, 3.6])
@pytest.mark.parametrize("how", ["clean", "worst", "turned"])
def test_a_disc_filling_the_inside_is_round(r_mm: float, how: str) -> None:
    """tests/test_marks8's smooth discs (0.25), centred on the square, 6-7.2 mm across: they
    cover the inside as a fill does; the fitted square's zone between the inside and the
    border (dark at each side's middle, light at its ends) or the band just outside it (a
    disc pokes out at the middle) says round, at 200 dpi, at the worst scan (150 dpi, turned
    5 degrees, JPEG 50) and turned 3 degrees."""
    from test_marks8 import disc
    from test_redteam7 import _scan
    from test_settle7 import Clean

    cl = Clean()
    img = disc(cl.blank(), cl.centres[4], cl.s, r_mm, 0.25)
    scan = {"clean": img, "worst": _scan(img), "turned": _scan(img, 3.0, 200, 200, 90)}[how]
    asked: list[bool] = []
    real = fill51.square_fill

    def spy(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
        asked.append(real(image, centre, scale))
        return asked[-1]

    with pytest.MonkeyPatch.context() as m:
        m.setattr(fill51, "square_fill", spy)
        got = cl.reader.read(scan).contests[0].marks[4]
    assert got.mark != "marked" and not any(asked), (got, asked)


# --- the measures -----------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_measures_a_fill_is_the_square_shape(dpi: int) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    m = fill51.measures(_apply(img, _fill(img, c, s, 0.25)), c, s)
    assert all(0.23 <= q <= 0.27 for q in m["quarters"]), m
    assert min(m["corners"]) >= 0.9 * m["inside"][0] and max(m["outside"]) <= 0.02, m
    assert fill51.is_square_fill(m)


@pytest.mark.parametrize("dpi", [150, 300])
def test_measures_a_drop_covering_the_square_runs_on_outside(dpi: int) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    m = fill51.measures(_body(img, c, s, (0.0, 0.0), 4.5, 0.3), c, s)
    assert min(m["quarters"]) >= fill51.LEVEL and max(m["outside"]) >= 0.9 * m["inside"][0], m
    assert not fill51.is_square_fill(m)


def test_measures_a_fill_overshooting_the_border_stays_in_doubt() -> None:
    """A fill running 1 mm over the border on every side: the band outside is the fill's
    (the rule's stated limit: such a square keeps its review)."""
    s = 200 / 25.4
    img, c = _sheet(s)
    assert not fill51.is_square_fill(fill51.measures(_apply(img, _fill(img, c, s, 0.25, inset=-1.4)), c, s))


def test_measures_a_pen_x_and_an_empty_square_are_no_fill() -> None:
    s = 200 / 25.4
    img, c = _sheet(s)
    assert not fill51.is_square_fill(fill51.measures(_pen_x(img, c, s), c, s))
    m = fill51.measures(img, c, s)
    assert max(m["quarters"]) < 0.01 and not fill51.is_square_fill(m), m


def test_measures_a_square_at_the_image_edge_is_no_fill() -> None:
    """No paper on a side: nothing to judge by, no fill."""
    s = 200 / 25.4
    img, c = _sheet(s)
    image = _apply(img, _fill(img, c, s, 0.3))
    cut = image[:, round(c[0] - 3.6 * s) :]
    m = fill51.measures(cut, (c[0] - round(c[0] - 3.6 * s), c[1]), s)
    assert m["quarters"] == [] and not fill51.is_square_fill(m)


@settings(max_examples=40, deadline=None)
@given(
    dpi=st.integers(150, 300),
    paper=st.floats(0.5, 1.0),
    k=st.floats(0.0, 0.45),
    inset=st.floats(-1.0, 0.6),
    drop=st.booleans(),
)
def test_property_an_even_paper_level_changes_nothing(
    dpi: int, paper: float, k: float, inset: float, drop: bool
) -> None:
    """The measures are against the sheet's own paper: the same square on a paper (or under a
    light) `paper` times as bright gives the same answer, away from the thresholds."""
    s = dpi / 25.4
    img, c = _sheet(s)
    img = _apply(img, _fill(img, c, s, k, inset))
    if drop:
        img = _body(img, c, s, (0.5, 0.0), 4.0, 0.2)
    dim = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)
    a, b = fill51.measures(img, c, s), fill51.measures(dim, c, s)
    mid = a["inside"][0]
    near = (
        abs(min(a["quarters"]) - fill51.LEVEL) < 0.02
        or abs(min(a["quarters"]) - fill51.EVEN * max(a["quarters"])) < 0.02
        or abs(min(a["corners"]) - fill51.CORNER * mid) < 0.02
        or abs(max(a["outside"]) - fill51.OUT_SHARE * mid) < 0.02
    )
    if not near:
        assert fill51.is_square_fill(a) == fill51.is_square_fill(b), (a, b)


def test_fill51_is_asked_by_marks8() -> None:
    assert vars(marks8_module)["fill51"] is fill51
