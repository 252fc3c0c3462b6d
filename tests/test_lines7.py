"""A line of the paper against a hand's stroke (issue 10, the seventh pass,
kiosk/reading/lines7.py): real folds, creases, streaks and show-through from the field
generator still read `empty`; a line ruled by a hand that ends on the sheet, and a stroke
drawn along a line of the paper, go to the commission; the fast contrast against its
plain-loop reference. The red team's marks that this pass reads right are in
tests/test_redteam6.py (no longer xfail)."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import clean_empty_square

from fieldkit.conditions import FieldOptions, generate_field_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import lines7, wrong8, wrong11  # wrong11
from kiosk.reading.reader import BallotReader
from kiosk.reading.reference import contrast_grid_reference

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the fast contrast against its reference -------------------------------------------------


@st.composite
def _grids(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, np.ndarray, float, bool]:
    """A grey image with paper, print (dark specks and a dark bar), a faint line and noise;
    positions on and off the image; any direction; a few shifts; any scale."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    h, w = draw(st.integers(8, 40)), draw(st.integers(8, 40))
    img = rng.normal(draw(st.floats(120, 250)), draw(st.floats(0, 12)), (h, w))
    if draw(st.booleans()):
        img[:, rng.integers(0, w)] *= draw(st.floats(0.6, 0.95))  # a streak
    if draw(st.booleans()):
        img[rng.integers(0, h), :] *= 0.3  # print
    img[rng.random((h, w)) < draw(st.floats(0, 0.1))] = 20
    n = draw(st.integers(1, 12))
    px = rng.uniform(-4, w + 4, n)
    py = rng.uniform(-4, h + 4, n)
    theta = draw(st.floats(0, math.pi))
    a = draw(st.integers(-3, 0))
    shifts = np.arange(a, a + draw(st.integers(1, 5)))
    scale = draw(st.sampled_from([150 / 25.4, 200 / 25.4, 300 / 25.4, 3.0, 4.5]))
    dark_on = draw(st.booleans())
    return (
        np.clip(img, 0, 255).astype(np.uint8),
        px,
        py,
        math.cos(theta),
        math.sin(theta),
        shifts,
        scale,
        dark_on,
    )


@EXAMPLES
@given(_grids())
def test_contrast_grid_agrees_with_its_reference(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, float, float, np.ndarray, float, bool],
) -> None:
    img, px, py, nx, ny, shifts, scale, dark_on = case
    fast = lines7.contrast_grid(img, px, py, nx, ny, shifts, scale, dark_on)
    slow = contrast_grid_reference(img, px, py, nx, ny, shifts, scale, dark_on)
    assert np.array_equal(fast, slow, equal_nan=True)


# --- real lines of the paper from the field generator: still empty ---------------------------

# (condition, seed, sheet, square): empty squares of development seeds whose window the
# condition crosses, where the closer look takes the line out and asks lines7 (found with
# FieldOptions(only=condition); every line followed to the sheet's edge).
REAL_LINES = [
    ("fold", 170, 0, 1),
    ("fold", 170, 5, 20),
    ("fold", 170, 15, 4),
    ("crease", 170, 21, 29),
    ("crease", 170, 21, 32),
    ("crease", 170, 9, 9),
    ("faint_streak", 170, 0, 0),
    ("faint_streak", 170, 0, 3),
    ("show_through", 170, 30, 2),
]


@pytest.fixture(scope="module")
def field() -> tuple[Any, BallotReader, list[str]]:
    pkg = load_election(None)
    return (
        pkg,
        BallotReader(pkg.election, pkg.election_hash, keep_crops="never"),
        [s.id for s in pkg.election.styles],
    )


def _read_asked(
    field: tuple[Any, BallotReader, list[str]],
    cond: str,
    seed: int,
    index: int,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, list[tuple[int, bool]]]:
    """Sheet `index` of `seed` with only `cond`: its truth, the reading, and for each call
    of `lines7.hand_on_lines` (lines handed, answer)."""
    pkg, reader, styles = field
    layout = build_layout(pkg.election, pkg.election_hash, styles[index % len(styles)])
    opts = FieldOptions(only=cond)  # type: ignore[arg-type]
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, opts)
    asked: list[tuple[int, bool]] = []
    real = lines7.hand_on_lines

    def spy(*a: Any) -> bool:
        out = real(*a)
        asked.append((len(a[2]), out))
        return out

    monkeypatch.setattr(lines7, "hand_on_lines", spy)
    return (sheet, reader.read_bytes(sheet.image)), asked


@pytest.mark.parametrize(("cond", "seed", "index", "square"), REAL_LINES)
def test_a_real_line_of_the_paper_through_an_empty_square_still_reads_empty(
    field: tuple[Any, BallotReader, list[str]],
    cond: str,
    seed: int,
    index: int,
    square: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fold, a crease, a faint streak or show-through through an empty square: the line
    is taken out, lines7 follows it to the sheet's edge and finds it the same all along:
    `empty`, as before this pass."""
    (sheet, r), asked = _read_asked(field, cond, seed, index, monkeypatch)
    assert sheet.truth.squares[square].expected == "empty" and cond in sheet.square_conditions[square]
    assert any(n >= 1 for n, _ in asked)  # the rule was asked about a line
    assert r.contests[0].marks[square].mark == "empty", r.contests[0].marks[square]


def test_the_real_lines_are_judged_not_skipped(
    field: tuple[Any, BallotReader, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fold of seed 170 sheet 0 is followed (not too faint to judge) and is found to
    run on: with the gap that ends a line set to nothing and any dip counted as gone
    (TRACE_GONE 1.5, TRACE_GAP_MM 0), the same square would go to review, so the test
    above reads `empty` because the rule judged the line, not because it looked away.
    crease27 (the twenty-sixth pass) off: its straight follow proves this fold runs on to the
    sheet's edge and takes ends_on_sheet's yes back (with it on, the square stays `empty`)."""
    from kiosk.reading import crease27

    monkeypatch.setattr(lines7, "TRACE_GONE", 1.5)
    monkeypatch.setattr(lines7, "TRACE_GAP_MM", 0.5)
    (_sheet, r), asked = _read_asked(field, "fold", 170, 0, monkeypatch)
    assert not any(a for _, a in asked)
    assert r.contests[0].marks[1].mark == "empty"
    monkeypatch.setattr(crease27, "ENABLED", False)
    (_sheet, r), asked = _read_asked(field, "fold", 170, 0, monkeypatch)
    assert any(a for _, a in asked)
    assert r.contests[0].marks[1].mark == "marginal"


# --- a hand's line: ends on the sheet, or lies on a line of the paper ------------------------


@pytest.fixture(scope="module")
def clean() -> tuple[BallotReader, np.ndarray, int, float, float, float]:
    return clean_empty_square()


def _ruled(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float],
    left_mm: float,
    right_mm: float,
    k: float,
    angle_deg: float = 0.0,
) -> np.ndarray:
    """A 0.4 mm line (`k` of the light taken) through the square 0.8 mm off its middle,
    from `left_mm` to `right_mm` (mm from the square's middle along the line), at
    `angle_deg` from the horizontal."""
    _, img, _, cx, cy, s = clean
    a = math.radians(angle_deg)
    dx, dy = math.cos(a), math.sin(a)
    ox, oy = -0.8 * dy, 0.8 * dx
    p0 = (cx + (ox + left_mm * dx) * s, cy + (oy + left_mm * dy) * s)
    p1 = (cx + (ox + right_mm * dx) * s, cy + (oy + right_mm * dy) * s)
    layer = np.zeros(img.shape, np.uint8)
    pts = [(round(x * 16), round(y * 16)) for x, y in (p0, p1)]
    cv2.line(layer, pts[0], pts[1], 255, round(0.4 * s), cv2.LINE_AA, 4)
    out: np.ndarray = np.clip(img * (1 - k * layer.astype(np.float32) / 255), 0, 255).astype(np.uint8)
    return out


@pytest.mark.parametrize(("reach", "k", "angle"), [(20.0, 0.3, 0.0), (30.0, 0.15, 0.0), (16.0, 0.2, 25.0)])
def test_a_ruled_line_that_ends_on_the_sheet_goes_to_review(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float],
    reach: float,
    k: float,
    angle: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pencil line ruled through the square and `reach` mm on to the left (far past
    where the sixth pass looked, 10 mm), to the page's right edge on the right: it ends
    on the sheet at the left, so it is a hand's, and the square goes to review. With
    lines7 answering no it reads `empty` (the sixth pass's reading), with edge24 off too: at 25
    degrees edge24 (the twenty-fourth pass) takes the line's piece by the square's corner and
    the line beyond for a V whose foot is on the border, and sends the square to review as well
    (a false V, but review is this line's right answer)."""
    reader, _, i, *_ = clean
    img = _ruled(clean, -reach, 40.0, k, angle)
    m = reader.read(img).contests[0].marks[i]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark"), m
    monkeypatch.setattr(lines7, "hand_on_lines", lambda *a: False)
    if angle:
        assert reader.read(img).contests[0].marks[i].mark == "marginal"
    import kiosk.reading.edge24 as edge24

    monkeypatch.setattr(edge24, "ENABLED", False)
    assert reader.read(img).contests[0].marks[i].mark == "empty"


def test_where_the_rule_stops_a_line_ruled_edge_to_edge_is_taken_for_a_fold(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float],
) -> None:
    """Where the rule stops (docs/reading.md, "Seventh pass: lines"): a uniform pencil line
    ruled across the whole sheet, edge to edge, is what a crease is on the image, and
    reads `empty`. Pinned so that a change here is seen."""
    reader, _, i, *_ = clean
    m = reader.read(_ruled(clean, -140.0, 40.0, 0.2)).contests[0].marks[i]
    assert m.mark == "empty", m


def _streak_and_dash(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float], c: float, length: float
) -> np.ndarray:
    """A faint scanner streak (2 px, 0.8 of the light) down the whole image 0.5 mm right
    of the square's middle, and a grainy 0.5 mm pencil dash `length` mm long along it
    (`c` its mean darkening over graphite's grain), centred on the square."""
    _, img, _, cx, cy, s = clean
    img = img.copy()
    col = round(cx + 0.5 * s)
    img[:, col : col + 2] = (img[:, col : col + 2] * 0.8).astype(np.uint8)
    layer = np.zeros(img.shape, np.uint8)
    x = (cx + 0.5 * s + 1) * 16
    cv2.line(
        layer,
        (round(x), round((cy - length / 2 * s) * 16)),
        (round(x), round((cy + length / 2 * s) * 16)),
        255,
        round(0.5 * s),
        cv2.LINE_AA,
        4,
    )
    grain = np.random.default_rng(3).uniform(0.35, 1.0, img.shape).astype(np.float32)
    f = layer.astype(np.float32) / 255 * grain * (c / 0.675)
    out: np.ndarray = np.clip(img * (1 - f), 0, 255).astype(np.uint8)
    return out


def test_a_stroke_along_a_streak_goes_to_review_the_streak_alone_is_empty(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streak alone reads `empty`; a 3.5 mm pencil stroke at 0.15 drawn on it is
    darker through the square than the streak beyond the window: review. A 1 mm speck on
    it (under ALONG_RUN_MM) is the streak's. With `stroke_along` answering no the stroke
    reads `empty` (the sixth pass)."""
    reader, img, i, cx, _, s = clean
    streak = img.copy()
    col = round(cx + 0.5 * s)
    streak[:, col : col + 2] = (streak[:, col : col + 2] * 0.8).astype(np.uint8)
    assert reader.read(streak).contests[0].marks[i].mark == "empty"
    m = reader.read(_streak_and_dash(clean, 0.15, 3.5)).contests[0].marks[i]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark"), m
    # wrong11: the speck (1.5 mm with the pencil's round ends, 0.15) is a stroke beside the
    # divided streak to stroke_by_streak: review, as a hesitation dot; `empty` without it.
    speck = _streak_and_dash(clean, 0.15, 1.0)
    assert reader.read(speck).contests[0].marks[i].mark == "marginal"
    # fold17 (the pencil tests with the streak divided out) finds the speck and the stroke too
    import kiosk.reading.fold17 as fold17

    monkeypatch.setattr(fold17, "ENABLED", False)
    monkeypatch.setattr(wrong11, "ENABLED", False)
    import kiosk.reading.stroke28 as stroke28  # stroke30: the chain's last test (a stroke along a line)

    monkeypatch.setattr(stroke28, "ENABLED", False)
    assert reader.read(speck).contests[0].marks[i].mark == "empty"
    monkeypatch.setattr(stroke28, "ENABLED", True)
    monkeypatch.setattr(wrong11, "ENABLED", True)
    monkeypatch.setattr(lines7, "stroke_along", lambda *a: False)
    monkeypatch.setattr(wrong8, "STROKE_ON_LINE", False)  # wrong8: its band test finds the stroke too
    monkeypatch.setattr(wrong11, "ENABLED", False)  # wrong11: stroke_by_streak finds it too
    # fold24 (the twenty-fourth pass): the streak's band carries more ink through the inside
    # than beyond the window, measured without wrong8's guards: review with all of those off
    import kiosk.reading.fold24 as fold24

    m = reader.read(_streak_and_dash(clean, 0.15, 3.5)).contests[0].marks[i]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark"), m
    monkeypatch.setattr(fold24, "ENABLED", False)
    monkeypatch.setattr(stroke28, "ENABLED", False)  # stroke30: asked after fold24
    assert reader.read(_streak_and_dash(clean, 0.15, 3.5)).contests[0].marks[i].mark == "empty"


def test_without_the_page_frame_the_rule_is_off(
    clean: tuple[BallotReader, np.ndarray, int, float, float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader hands the closer look where the sheet is (`page_frame`, fitted to the
    squares' centres); without it (None, as a direct caller of `inspect_square` who gives
    none) lines7 judges nothing and the ruled line reads as the sixth pass read it."""
    reader, _, i, *_ = clean
    img = _ruled(clean, -20.0, 40.0, 0.3)
    monkeypatch.setattr(lines7, "page_frame", lambda *a: None)  # PageSource.frame calls it
    assert reader.read(img).contests[0].marks[i].mark == "empty"


def test_page_frame_maps_the_squares_back() -> None:
    """The similarity fitted to the squares' centres maps them back to the page (mm),
    turned, scaled and shifted, or upside down (a sheet fed the other way)."""
    mm = np.array([[128.0, 50.0 + 10 * k] for k in range(8)])
    for turn, sc in ((0.03, 7.87), (math.pi + 0.02, 5.9)):
        a = sc * complex(math.cos(turn), math.sin(turn))
        z = a * (mm[:, 0] + 1j * mm[:, 1]) + complex(300, 80)
        page = lines7.page_frame(mm, np.stack([z.real, z.imag], axis=1), 148.0, 210.0)
        assert page is not None
        back = (z - page.b) / page.a
        assert np.allclose(back.real, mm[:, 0]) and np.allclose(back.imag, mm[:, 1])
        edge = a * complex(147.0, 100.0) + complex(300, 80)
        middle = a * complex(60.0, 100.0) + complex(300, 80)
        inside = page.inside(np.array([edge.real, middle.real]), np.array([edge.imag, middle.imag]))
        assert inside.tolist() == [False, True]
    assert lines7.page_frame(mm[:1], mm[:1], 148.0, 210.0) is None
