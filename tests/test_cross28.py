"""cross28 (issue 10): the twenty-seventh pass's untouched run's light pencil X read `empty`
(11600/5299/against-all, AST-SMD-07 150 dpi: the doubt band, every look `empty`) goes to
review with cross28 (two crossing strokes each DIAG_MM of the square's diagonal, asked after
`wrong10.last_look`) and reads `empty` without it; no other square of the sheet changes.
Drawn light X's corner to corner are found; blank paper, a single stroke and a tick are not;
the empty stained squares grain14's plain pair finds in the same place are not.
docs/reading.md, "Twenty-seventh pass: a light pencil X corner to corner the closer look read
empty (cross28)". cross29 (twenty-eighth pass): each stroke must run the whole 4 mm (both
0.5 mm ends and three of four 1 mm quarters at the floor), so a tick and a short X, however
dark, are not pairs; "Twenty-eighth pass: ... (cross29)"."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_faint22 import _blank, _levels
from test_grain15 import _ink, _strokes
from test_redteam8 import _polylines
from test_review9 import _line

from fieldkit.hook_ab import switched_off
from kiosk.reading import blank65, cross28, cross55, grain14

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


@pytest.fixture(autouse=True)
def _on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule's own behaviour, whatever the shipped flag (cross28.ENABLED)."""
    monkeypatch.setattr(cross28, "ENABLED", True)


def test_the_untouched_runs_light_x_goes_to_review_only_with_cross28() -> None:
    reader, sheet, image = field_sheet(11600, 5299)
    side = reader.read(image.copy())
    marks = side.contests[0].marks
    k = [m.option for m in marks].index("against-all")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert side.status == "review"
    # cross55 asks the same pair (session 55); blank65 asks the blank contest's faint squares
    # again on lower floors (session 65)
    with switched_off(cross28), switched_off(cross55), switched_off(blank65):
        old = reader.read(image.copy())
    assert old.contests[0].marks[k].mark == "empty"  # the run's reading
    assert old.contests[0].outcome == "blank"
    assert [(m.mark, m.reason) for j, m in enumerate(old.contests[0].marks) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]


def _pair(im: np.ndarray, c: tuple[float, float], s: float) -> cross28.Pair:
    ink = grain14.ink_window(im, np.array(c), s, float(_levels(im, c, s).max()), 1.0)
    assert ink is not None
    return cross28.diagonal_pair(ink, s)


def _asked(im: np.ndarray, c: tuple[float, float], s: float) -> bool:
    return cross28.doubt_pair(im, np.array(c), s, _levels(im, c, s), 1.0, "empty")


X = [_line(45, 5.5, 0.0), _line(135, 5.5, 0.0)]  # corner to corner (the generator's X: 4-6 mm arms)


@pytest.mark.parametrize(
    ("style", "dpi", "k", "grain"),
    [("AST-SMD-07", 150, 0.1, 0.7), ("AST-SMD-07", 300, 0.08, 0.7), ("MZ-LIST", 200, 0.08, 0.7)],
)
def test_a_light_x_corner_to_corner_is_found(style: str, dpi: int, k: float, grain: float) -> None:
    img, c, s = _blank(style, dpi)
    im = _polylines(img, c, s, X, 0.5, k, grain=grain, seed=28)
    p = _pair(im, c, s)
    assert p.found and p.apart_mm == 0.0
    assert _asked(im, c, s)
    assert not cross28.doubt_pair(im, np.array(c), s, _levels(im, c, s), 1.0, "marginal")  # only `empty`
    with switched_off(cross28):
        assert not _asked(im, c, s)


@pytest.mark.parametrize(("style", "dpi"), [("AST-SMD-07", 150), ("AST-SMD-07", 300), ("MZ-LIST", 200)])
def test_blank_paper_and_a_slash_are_not_a_diagonal_pair(style: str, dpi: int) -> None:
    img, c, s = _blank(style, dpi)
    assert not _pair(img, c, s).found
    slash = _polylines(img, c, s, [_line(45, 5.5, 0.0)], 0.5, 0.15, grain=0.4, seed=28)
    assert not _pair(slash, c, s).found


TICK = [[(-1.8, 0.2), (-0.6, 1.4), (2.0, -2.2)]]  # a 1.7 mm short arm, a 4.5 mm long arm


@pytest.mark.parametrize("dpi", [150, 200])
def test_a_tick_is_not_a_diagonal_pair(dpi: int) -> None:
    """A tick at 0.15 of the light: its short arm alone lifted cross28's 4 mm mean over the
    floor (the twenty-seventh pass's strict xfail); the whole-length segment (cross29) asks
    both ends of the run, and the arm reaches one."""
    img, c, s = _blank("AST-SMD-07", dpi)
    p = _pair(_polylines(img, c, s, TICK, 0.5, 0.15, grain=0.4, seed=28), c, s)
    assert p.rising is not None and p.rising.level >= p.floor  # the long arm is a segment
    assert not p.found


@pytest.mark.parametrize(("dpi", "k"), [(150, 0.15), (200, 0.15), (300, 0.15), (200, 0.3), (300, 0.3)])
def test_a_short_x_is_not_a_diagonal_pair(dpi: int, k: float) -> None:
    """An X of 2.5 mm arms (3 mm with the pen's round ends), under DIAG_MM: its 4 mm mean
    reached the floor (the twenty-seventh pass's strict xfail); darker does not help, an end
    of the run is paper (cross29)."""
    img, c, s = _blank("AST-SMD-07", dpi)
    im = _polylines(img, c, s, [_line(45, 2.5, 0.0), _line(135, 2.5, 0.0)], 0.5, k, grain=0.4, seed=28)
    assert not _pair(im, c, s).found


def _row(values: list[tuple[int, int, float]], n: int = 41) -> np.ndarray:
    e = np.zeros((1, n), np.float32)
    for a, b, v in values:
        e[0, a:b] = v
    return e


def test_whole_length_asks_both_ends_and_three_quarters() -> None:
    """A row segment 23 px long centred on pixel 20 (pixels 9-31; its eighths 3 px but the
    last, 2; its quarters 6, 6, 6, 5): a stroke along all of it is its level; one 6 px quarter
    at 0 (an X's crossing) leaves it; a stroke missing one end's 3 px, or two quarters low,
    is not; a darker stroke three quarters long is not either."""
    full = cross28.whole_length(_row([(9, 32, 0.05)]), 23)[0, 20]
    dip = cross28.whole_length(_row([(9, 15, 0.05), (21, 32, 0.05)]), 23)[0, 20]
    short_end = cross28.whole_length(_row([(12, 32, 0.05)]), 23)[0, 20]
    two_low = cross28.whole_length(_row([(9, 15, 0.05), (27, 32, 0.05)]), 23)[0, 20]
    dark_short = cross28.whole_length(_row([(9, 26, 0.2)]), 23)[0, 20]
    assert full == pytest.approx(0.05) and dip == pytest.approx(0.05)
    assert (
        short_end == pytest.approx(0.0) and two_low == pytest.approx(0.0) and dark_short == pytest.approx(0.0)
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(1, 5),
    n=st.integers(8, 60),
    half=st.integers(4, 30),
)
def test_whole_length_is_its_reference(seed: int, rows: int, n: int, half: int) -> None:
    """The running sums against the segment read off its row pixel by pixel (odd lengths,
    as grain14._odd gives; the window's edges as zeros)."""
    e = np.random.default_rng(seed).normal(0.0, 0.05, (rows, n)).astype(np.float32)
    length = 2 * half + 1
    assert np.allclose(cross28.whole_length(e, length), cross28.whole_length_reference(e, length), atol=1e-9)


@pytest.mark.parametrize(("index", "square"), [(7, 5), (11, 4), (15, 3), (22, 0)])
def test_stained_empty_squares_the_plain_pair_finds_stay_empty(
    index: int, square: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dev 140 `--always stain` (cross28-ab-plainpair-partial.json): the doubt band's empty
    squares under a stain where `wrong10.last_look` said no and `grain14.stroke_pair` finds a
    pair (a stain's rim: 2-3 mm pieces that meet); cross28 is asked and finds no diagonal
    pair, and the square reads `empty`."""
    answers: list[bool] = []
    plain: list[bool] = []
    real = cross28.doubt_pair

    def spy(
        image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, mark: str
    ) -> bool:
        r = real(image, centre, scale, levels, gain, mark)
        if mark == "empty":
            answers.append(r)
            plain.append(grain14.stroke_pair(image, centre, scale, levels, gain))
        return r

    monkeypatch.setattr(cross28, "doubt_pair", spy)
    reader, sheet, image = field_sheet(140, index, ("stain",))
    m = reader.read(image).contests[0].marks[square]
    assert sheet.truth.squares[square].expected == "empty"
    assert any(plain)  # the plain pair would have sent one of the asked squares
    assert answers and not any(answers)
    assert m.mark == "empty"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), strokes=_strokes, scale=st.floats(5.0, 12.5))
def test_floor_first_finds_what_the_whole_measure_finds(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    """`doubt_pair`'s way (the spread skipped where a sign's best is under LEVEL) against the
    whole measure: the same segments, the same answer."""
    ink = _ink(seed, strokes, scale)
    whole = cross28.diagonal_pair(ink, scale)
    first = cross28.diagonal_pair(ink, scale, True)
    assert first.found == whole.found
    assert (first.rising, first.falling, first.apart_mm) == (whole.rising, whole.falling, whole.apart_mm)
    if not np.isnan(first.spread):
        assert (first.spread, first.floor) == (whole.spread, whole.floor)


def test_floor_first_skips_the_spread_only_under_level() -> None:
    img, c, s = _blank("AST-SMD-07", 200)
    ink = grain14.ink_window(img, np.array(c), s, float(_levels(img, c, s).max()), 1.0)
    assert ink is not None
    p = cross28.diagonal_pair(ink, s, True)
    assert np.isnan(p.spread) and not p.found  # blank paper: no segment reaches LEVEL
    im = _polylines(img, c, s, X, 0.5, 0.1, grain=0.7, seed=28)
    ink = grain14.ink_window(im, np.array(c), s, float(_levels(im, c, s).max()), 1.0)
    assert ink is not None
    p = cross28.diagonal_pair(ink, s, True)
    assert not np.isnan(p.spread) and p.found
