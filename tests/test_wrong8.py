"""Eighth pass (issue 10, branch wrong8): the known ways the reader still made a wrong
decision (kiosk/reading/wrong8.py). Each case reads right here and wrong with its rule
switched off (the companion pins the old cause)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import test_redteam7 as red
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import CleanSquare
from test_settle7 import Clean, _long_line

import kiosk.reading.lines7 as lines7
import kiosk.reading.rims7 as rims7
import kiosk.reading.run62 as run62
import kiosk.reading.wrong8 as wrong8
from fieldkit.conditions import FieldOptions, FieldSheet, generate_field_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading.reader import BallotReader
from kiosk.reading.reference import band_ink_reference

sheet = red.sheet  # the red team's clean sheet: one X in square 38, square 39 empty

# --- a stroke lying along a line of the paper (stroke_on_lines) ---------------------------


@pytest.fixture(scope="module")
def plus_on_streak() -> tuple[BallotReader, FieldSheet, np.ndarray]:
    """Development check seed 161, sheet 1208 (MZ-LIST, 200 dpi, a crease, pencil, a faint
    streak down the squares' column): square 6 holds a voter's pencil plus whose bar runs
    along the streak (benchmarks/results/wrong8/161-1208-sq6.png). Every other square is
    empty, the streak through each of them."""
    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[1208 % len(styles)])
    fs = generate_field_sheet(pkg.election, pkg.election_hash, layout, 161, 1208, FieldOptions())
    image = cv2.imdecode(np.frombuffer(fs.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return reader, fs, image


def test_pencil_plus_along_a_streak_is_not_read_empty(
    plus_on_streak: tuple[BallotReader, FieldSheet, np.ndarray],
) -> None:
    """The plus goes to the commission (its bar and the streak were one run, taken out
    together as the streak: a vote read blank); the seven empty squares under the same
    streak stay `empty`."""
    reader, fs, image = plus_on_streak
    assert fs.truth.squares[6].kind == "plus" and fs.truth.squares[6].expected == "marked"
    assert "faint_streak" in fs.square_conditions[6]
    marks = reader.read(image).contests[0].marks
    assert (marks[6].mark, marks[6].reason) == ("marginal", "marginal_mark"), marks[6]
    for k, q in enumerate(fs.truth.squares):
        if k != 6:
            assert q.expected == "empty" and marks[k].mark == "empty", (k, marks[k])


def test_pencil_plus_along_a_streak_without_the_rule_reads_empty(
    plus_on_streak: tuple[BallotReader, FieldSheet, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The companion: with `stroke_on_lines` off the plus reads `empty` (-0.0104), the sheet
    an undervote with no review, as on main b40c58b."""
    reader, _, image = plus_on_streak
    monkeypatch.setattr(wrong8, "STROKE_ON_LINE", False)
    import kiosk.reading.wrong11 as wrong11  # wrong11: a stroke beside the streak is its doubt too

    monkeypatch.setattr(wrong11, "ENABLED", False)
    import kiosk.reading.fold17 as fold17  # fold17: the pencil tests with the streak divided out

    monkeypatch.setattr(fold17, "ENABLED", False)
    # fold24 (the twenty-fourth pass) measures the streak's band without wrong8's print and
    # side-step guards and finds the plus too: review with the three rules above off.
    import kiosk.reading.fold24 as fold24

    got = reader.read(image).contests[0].marks[6]
    assert (got.mark, got.reason) == ("marginal", "marginal_mark"), got
    monkeypatch.setattr(fold24, "ENABLED", False)
    import kiosk.reading.stroke28 as stroke28  # stroke30: asked after fold24 (a stroke along a line)

    monkeypatch.setattr(stroke28, "ENABLED", False)
    r = reader.read(image)
    assert r.contests[0].marks[6].mark == "empty" and r.status == "ok"


def test_band_excess_measures_the_streak_and_the_bar(
    plus_on_streak: tuple[BallotReader, FieldSheet, np.ndarray],
) -> None:
    """What the rule sees (the lines the closer look took out, recorded): under the plus the
    band carries more ink than the streak over 2 mm or more; under the empty squares never
    (the streak's own level, about 0.07 mm, the same inside and beyond)."""
    reader, _, image = plus_on_streak
    seen: list[tuple[float, float, float, float]] = []
    real = wrong8.excess_along

    def spy(*a: object) -> tuple[float, float]:
        own, length = real(*a)  # type: ignore[arg-type]
        seen.append((float(a[1][1]), own, length, 0.0))  # type: ignore[index]
        return own, length

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wrong8, "excess_along", spy)
        mp.setattr(lines7, "hand_on_lines", lambda *a: False)
        reader.read(image)
    assert len(seen) >= 6
    long = [x for x in seen if x[2] >= wrong8.ALONG_MM]
    assert len(long) == 1 and 0.05 <= long[0][1] <= 0.1, seen


EXAMPLES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(
    seed=st.integers(0, 2**31),
    band=st.integers(1, 5),
    gap=st.integers(1, 3),
    width=st.integers(1, 5),
    angle=st.floats(0.0, 6.3),
    streak=st.booleans(),
)
def test_band_ink_matches_the_reference(
    seed: int, band: int, gap: int, width: int, angle: float, streak: bool
) -> None:
    """`wrong8.band_ink` equals `reference.band_ink_reference` (positions near and off the
    image's edge, noise or paper with a streak and print)."""
    rng = np.random.default_rng(seed)
    if streak:
        img = np.full((40, 50), 200, np.uint8)
        img[:, 20:22] = 150
        img[5:8, :] = 20
    else:
        img = rng.integers(60, 256, (40, 50)).astype(np.uint8)
    px, py = rng.uniform(-5, 55, 16), rng.uniform(-5, 45, 16)
    side = (band + gap, band + gap + width)
    nx, ny = float(np.cos(angle)), float(np.sin(angle))
    got = wrong8.band_ink(img, px, py, nx, ny, band, side)
    want = band_ink_reference(img, px, py, nx, ny, band, side)
    assert np.allclose(got, want, equal_nan=True), (got, want)


# --- a ring's rim leaving a window straight (line_across) ---------------------------------


def test_rim_through_the_next_window_is_not_a_vote(sheet: CleanSquare) -> None:
    """The red team's coffee rim at 0.45 (radius 6 mm, through square 39 below the voter's
    X) crosses square 40's top-right corner too; it leaves that window along a few mm of
    arc as straight as a fold's (0.5 mm of bend). Square 40 now goes to review
    (`possible_stain`) with 39, and the contest with them: no overvote."""
    reader = sheet[0]
    r = reader.read(red._ring(sheet, 0.45))
    marks = r.contests[0].marks
    assert marks[38].mark == "marked"
    assert (marks[39].mark, marks[39].reason) == ("marginal", "possible_stain")
    assert (marks[40].mark, marks[40].reason) == ("marginal", "possible_stain")
    assert r.contests[0].outcome == "review"


def test_rim_through_the_next_window_without_the_rule_is_an_overvote(
    sheet: CleanSquare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The companion: with `line_across` off (rims7 as on main b40c58b) the arc is left out
    as a line of the paper, square 40 reads `marked` (0.064) and the X becomes an
    overvote."""
    monkeypatch.setattr(wrong8, "LINE_ACROSS", False)
    r = sheet[0].read(red._ring(sheet, 0.45))
    assert r.contests[0].marks[40].mark == "marked"
    assert r.contests[0].outcome == "overvote"


def test_line_across_keeps_a_fold_a_line_of_the_paper() -> None:
    """A straight line through the whole window (a fold) is found on the far side too;
    a line ending within the window is not, beside a line across on the far side either."""
    s = 8.0
    n = 121
    beyond = np.ones((n, n), bool)
    beyond[30:91, 30:91] = False  # the window
    yy, xx = np.mgrid[0:n, 0:n]
    fold = np.abs(yy - (0.3 * (xx - 60) + 60)) <= 1
    comp = fold & (xx > 95)
    assert wrong8.line_across(fold, comp, beyond, s)
    assert not wrong8.line_across(fold & (xx > 40), comp, beyond, s)  # stops within the window
    other = (fold & (xx > 40)) | (np.abs(xx - 15) <= 1)  # a line across on the far side
    assert not wrong8.line_across(other, comp, beyond, s)
    monkey = pytest.MonkeyPatch()
    monkey.setattr(wrong8, "LINE_ACROSS", False)  # off: every straight feature is the paper's
    assert wrong8.line_across(other, comp, beyond, s)
    monkey.undo()


# --- two long creases crossing a square's middle ------------------------------------------


@pytest.fixture(scope="module")
def clean() -> Clean:
    return Clean()


def test_two_long_creases_crossing_a_square_are_not_a_vote(clean: Clean) -> None:
    """Two straight 0.4 mm lines at 0.2 and 0.25 of the light crossing square 4's middle at
    40 and 130 degrees, 40 mm each way (docs/reading.md, settle7's "Found on the way":
    `marked`, 0.095-0.16, before rims7). Since rims7 (merged at def57e5) they go to review
    (`possible_stain`): each line's pixels beyond the window are straight, but the two
    together are one thin feature reaching beyond the window, not one straight line."""
    c = clean.centres[4]
    for k in (0.2, 0.25):
        img = _long_line(_long_line(clean.blank(), c, clean.s, 40.0, k), c, clean.s, 130.0, k)
        m = clean.reader.read(img).contests[0].marks[4]
        assert m.mark == "marginal", (k, m)


def test_two_long_creases_without_rims7_read_marked(clean: Clean, monkeypatch: pytest.MonkeyPatch) -> None:
    """The companion: with rims7 off (the reader settle7 saw) they read `marked`; since session
    62 run62 sends them to review as well (two dark lines running on beyond the square: review,
    `crossing_line`), so it is off here too."""
    monkeypatch.setattr(rims7, "ENABLED", False)
    c = clean.centres[4]
    img = _long_line(_long_line(clean.blank(), c, clean.s, 40.0, 0.25), c, clean.s, 130.0, 0.25)
    m = clean.reader.read(img).contests[0].marks[4]
    assert m.mark == "marginal" and m.reason == "crossing_line", m
    monkeypatch.setattr(run62, "ENABLED", False)
    m = clean.reader.read(img).contests[0].marks[4]
    assert m.mark == "marked" and m.score >= 0.063, m


# --- a faint stroke kept inside a stained square (stroke_inside) --------------------------


def _square_masks(scale: float = 10.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A 9 mm window at `scale` px per mm: (ys, xs about the middle, inside, border, search)."""
    n = int(9 * scale) | 1
    yy, xx = np.mgrid[0:n, 0:n] - n // 2
    box = np.maximum(np.abs(yy), np.abs(xx))
    inside = box <= 2.3 * scale
    border = ~inside & (box <= 3.5 * scale)
    return yy, xx, inside, border, ~border


def test_stroke_inside_tells_a_tick_from_a_line_through() -> None:
    """A faint 4 mm stroke drawn inside (ending short of the edge, or overshooting the border
    once) is a hand's; a line through the inside that goes on into the margin at both ends
    (a rim, a ridge) is not; nor a stroke under INSIDE_MM; off, nothing is."""
    yy, xx, inside, border, search = _square_masks()
    thin = np.zeros(inside.shape)
    tick = (np.abs(yy - xx) <= 2) & (np.abs(xx) <= 20)  # 4 mm inside
    thin[tick] = 0.15
    assert wrong8.stroke_inside(thin, inside, border, search, 0.1, 10.0)
    over = (np.abs(yy - xx) <= 2) & (xx >= -20) & (xx <= 40)  # on past the border once
    thin[:] = 0.0
    thin[over] = 0.15
    assert wrong8.stroke_inside(thin, inside, border, search, 0.1, 10.0)
    through = np.abs(yy - 5) <= 2  # across the whole window
    thin[:] = 0.0
    thin[through] = 0.15
    assert not wrong8.stroke_inside(thin, inside, border, search, 0.1, 10.0)
    thin[:] = 0.0
    thin[(np.abs(yy - xx) <= 2) & (np.abs(xx) <= 12)] = 0.15  # 2.4 mm
    assert not wrong8.stroke_inside(thin, inside, border, search, 0.1, 10.0)
    thin[:] = 0.0
    thin[tick] = 0.15
    mp = pytest.MonkeyPatch()
    mp.setattr(wrong8, "STROKE_INSIDE", False)
    assert not wrong8.stroke_inside(thin, inside, border, search, 0.1, 10.0)
    mp.undo()


def test_stroke_along_a_streak_goes_to_review_by_the_band_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/test_lines7.py's 3.5 mm pencil stroke (0.15) on a faint streak: with lines7's
    `stroke_along` answering no, `band_excess` alone sends it to review; a 1 mm speck on the
    streak and the streak alone stay `empty`."""
    from readkit import clean_empty_square
    from test_lines7 import _streak_and_dash

    clean_sq = clean_empty_square()
    reader, i = clean_sq[0], clean_sq[2]
    monkeypatch.setattr(lines7, "stroke_along", lambda *a: False)
    import kiosk.reading.wrong11 as wrong11  # wrong11 sends the 1 mm speck to review (test_lines7)

    monkeypatch.setattr(wrong11, "ENABLED", False)
    import kiosk.reading.fold17 as fold17  # fold17: the pencil tests with the streak divided out

    monkeypatch.setattr(fold17, "ENABLED", False)
    import kiosk.reading.stroke28 as stroke28  # stroke30: the chain's last test, off for wrong8's own reach

    monkeypatch.setattr(stroke28, "ENABLED", False)
    m = reader.read(_streak_and_dash(clean_sq, 0.15, 3.5)).contests[0].marks[i]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark"), m
    assert reader.read(_streak_and_dash(clean_sq, 0.15, 1.0)).contests[0].marks[i].mark == "empty"
