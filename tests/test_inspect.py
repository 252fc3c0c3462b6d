"""The closer look at inked squares (kiosk/reading/inspect.py) and the local-paper score,
on real rendered ballots: uniform darkening scores zero, a fold line through a square is
not a mark, a thin tick still is, a pen line across the whole row goes to review. And
the crossing-line search agrees with its plain-loop reference."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from kiosk.ballots.layout import TARGET, build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.inspect import _q75, border_line_ink, find_crossing_line, line_residual, ring_levels
from kiosk.reading.reader import BallotReader
from kiosk.reading.reference import (
    border_line_ink_reference,
    find_crossing_line_reference,
    line_residual_reference,
    ring_levels_reference,
)

STYLE = "MZ-SMD-02"


@pytest.fixture(scope="module")
def setup() -> tuple[BallotReader, object, str]:
    e = sample_election()
    h = election_hash(e)
    return BallotReader(e, h, keep_crops="never"), e, h


def _sheet(
    setup: tuple[BallotReader, object, str], index: int
) -> tuple[np.ndarray, list[str], float, tuple[int, int]]:
    """A clean, upright scan (200 dpi): its image, the truth per square, px/mm, and where
    page (0, 0) is in the image."""
    _, e, h = setup
    opt = DeckOptions.clean()
    s = generate_sheet(e, h, STYLE, 5, index, opt, with_front=False)  # type: ignore[arg-type]
    scale = 200 / 25.4
    layout = build_layout(e, h, STYLE)  # type: ignore[arg-type]
    page_h, page_w = round(layout.height_mm * scale), round(layout.width_mm * scale)
    mx, my = canvas_margins(page_h, page_w, opt, scale)
    return s.back.copy(), [q.expected for q in s.truth.squares], scale, (mx, my)


def _square_centres(
    setup: tuple[BallotReader, object, str], scale: float, origin: tuple[int, int]
) -> list[tuple[float, float]]:
    _, e, h = setup
    layout = build_layout(e, h, STYLE)  # type: ignore[arg-type]
    return [(origin[0] + t.box.cx * scale, origin[1] + t.box.cy * scale) for t in layout.targets]


def _empty_index(expected: list[str]) -> int:
    return next(i for i, x in enumerate(expected) if x == "empty" and 3 < i < len(expected) - 3)


def test_uniform_darkening_scores_zero(setup: tuple[BallotReader, object, str]) -> None:
    """Paper darkened by a third everywhere (a grey sheet, a dim lamp, a big stain): the
    scores of every square stay where they were on white paper."""
    reader = setup[0]
    img, expected, _, _ = _sheet(setup, 3)
    plain = reader.read(img)
    dark = reader.read(cv2.convertScaleAbs(img, alpha=0.68))
    assert plain.status != "rejected" and dark.status != "rejected"
    a = np.array([m.score for m in plain.contests[0].marks])
    b = np.array([m.score for m in dark.contests[0].marks])
    empty = np.array([x == "empty" for x in expected])
    assert np.abs(b[empty]).max() < 0.01, b[empty]
    assert np.abs(b - a)[empty].max() < 0.01
    assert [m.mark for m in plain.contests[0].marks] == [m.mark for m in dark.contests[0].marks]


def test_stain_over_an_empty_square_is_not_a_mark(setup: tuple[BallotReader, object, str]) -> None:
    """A tea stain (25 % darker, soft edge) covering an empty square and its neighbours."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 4)
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    mask: np.ndarray = np.zeros(img.shape, np.float32)
    cv2.circle(mask, (round(cx + 3 * scale), round(cy - 2 * scale)), round(12 * scale), 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 0.8 * scale)
    stained = (img * (1 - 0.25 * mask)).astype(np.uint8)
    r = reader.read(stained)
    assert r.status != "rejected"
    assert r.contests[0].marks[i].mark == "empty", r.contests[0].marks[i]


def _line(
    img: np.ndarray, p0: tuple[float, float], angle_deg: float, width_px: int, factor: float
) -> np.ndarray:
    """A straight line across the whole image through p0, multiplying the grey by `factor`."""
    layer = np.zeros(img.shape, np.uint8)
    a = math.radians(angle_deg)
    d = (math.cos(a), math.sin(a))
    far = 10 * max(img.shape)
    q0 = (round(p0[0] - far * d[0]), round(p0[1] - far * d[1]))
    q1 = (round(p0[0] + far * d[0]), round(p0[1] + far * d[1]))
    cv2.line(layer, q0, q1, 255, width_px, cv2.LINE_AA)
    f = 1 - (1 - factor) * layer.astype(np.float32) / 255
    out: np.ndarray = (img * f).astype(np.uint8)
    return out


@pytest.mark.parametrize("angle", [0.0, 1.5, 37.0, 90.0])
def test_fold_line_through_an_empty_square_is_not_a_mark(
    setup: tuple[BallotReader, object, str], angle: float
) -> None:
    """A fold's valley (25 % darker, 0.5 mm) through the middle of an empty square and on
    across the page: the square stays empty and the sheet is not sent to review for it."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 6)
    i = _empty_index(expected)
    centre = _square_centres(setup, scale, origin)[i]
    before = reader.read(img)
    folded = _line(img, centre, angle, max(1, round(0.5 * scale)), 0.75)
    r = reader.read(folded)
    assert r.status != "rejected"
    m = r.contests[0].marks[i]
    assert m.mark == "empty", m
    assert r.status == before.status


def test_thin_tick_still_counts(setup: tuple[BallotReader, object, str]) -> None:
    """A thin (0.3 mm) pen tick, and a fold through the same square: marked."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 6)
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    half = TARGET / 2 * scale
    pts = np.array(
        [[cx - 0.6 * half, cy], [cx - 0.1 * half, cy + 0.6 * half], [cx + 0.7 * half, cy - 0.7 * half]]
    )
    ticked = img.copy()
    cv2.polylines(
        ticked, [pts.astype(np.int32).reshape(-1, 1, 2)], False, 30, max(1, round(0.3 * scale)), cv2.LINE_AA
    )
    for image in (ticked, _line(ticked, (cx, cy), 0.5, max(1, round(0.5 * scale)), 0.75)):
        m = reader.read(image).contests[0].marks[i]
        assert m.mark == "marked", m


def test_pen_line_across_the_row_goes_to_review(setup: tuple[BallotReader, object, str]) -> None:
    """A dark pen line through a square and across the whole row is not quietly taken for
    a fold: the commission sees it (`crossing_line`)."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 6)
    if sum(x == "marked" for x in expected) >= 2:
        pytest.skip("an overvote stays an overvote")
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    struck = img.copy()
    cv2.line(
        struck,
        (round(cx - 60 * scale), round(cy)),
        (round(cx + 10 * scale), round(cy)),
        25,
        max(1, round(0.5 * scale)),
    )
    r = reader.read(struck)
    m = r.contests[0].marks[i]
    assert m.mark == "marginal" and m.reason == "crossing_line", m
    assert r.status == "review" and "crossing_line" in r.review_reasons
    assert r.to_json()["review_reasons"] == list(r.review_reasons)


@st.composite
def line_windows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """A window of thin-feature contrast: noise, maybe a line at any angle and offset, maybe
    short strokes; the inside of a square in it."""
    scale = draw(st.sampled_from([150 / 25.4, 200 / 25.4, 300 / 25.4]))
    half = round((TARGET / 2 + 1.2) * scale)
    size = 2 * half + 1
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    thin = np.abs(rng.normal(0, draw(st.floats(0.0, 0.05)), (size, size))).astype(np.float32)
    canvas = np.zeros((size, size), np.uint8)
    if draw(st.booleans()):
        a = draw(st.floats(0, math.pi))
        off = draw(st.floats(-half, half))
        c, s = math.cos(a), math.sin(a)
        p = (half + off * c, half + off * s)
        q0 = (round(p[0] - 3 * size * s), round(p[1] + 3 * size * c))
        q1 = (round(p[0] + 3 * size * s), round(p[1] - 3 * size * c))
        cv2.line(canvas, q0, q1, draw(st.integers(20, 255)), draw(st.integers(1, 4)))
    for _ in range(draw(st.integers(0, 3))):
        x0, y0, x1, y1 = (draw(st.integers(0, size - 1)) for _ in range(4))
        cv2.line(canvas, (x0, y0), (x1, y1), draw(st.integers(20, 255)), draw(st.integers(1, 3)))
    thin = np.maximum(thin, canvas.astype(np.float32) / 255)
    ys = np.arange(size)[:, None] - half + draw(st.floats(-0.5, 0.5))
    xs = np.arange(size)[None, :] - half + draw(st.floats(-0.5, 0.5))
    box = np.maximum(np.abs(xs), np.abs(ys))
    search = ~((box > (TARGET / 2 - 0.7) * scale) & (box <= (TARGET / 2 + 0.5) * scale))
    return thin, search, xs, ys, scale, float(half)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(w=line_windows())
def test_crossing_line_fast_and_reference_agree(
    w: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float],
) -> None:
    fast = find_crossing_line(*w)
    ref = find_crossing_line_reference(*w)
    assert fast == ref


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    w=line_windows(),
    min_share=st.sampled_from([0.0, 0.3, 0.5]),
    band=st.none() | st.tuples(st.floats(0, math.pi), st.floats(-10, 10)),
)
def test_crossing_line_any_share_fast_and_reference_agree(
    w: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float],
    min_share: float,
    band: tuple[float, float] | None,
) -> None:
    """The search as the closer look runs it since pass 4: any share of the thin ink, and
    the band of a line already taken out hidden from the search and from the length."""
    thin, search, xs, ys, scale, inner = w
    hidden = None
    if band is not None:
        hidden = np.abs(xs * math.cos(band[0]) + ys * math.sin(band[0]) - band[1]) <= 0.6 * scale
        search = search & ~hidden
    args = (thin, search, xs, ys, scale, inner)
    fast = find_crossing_line(*args, min_share=min_share, hidden=hidden)
    assert fast == find_crossing_line_reference(*args, min_share=min_share, hidden=hidden)


# A line's own level is removed from its band, what lies above it is kept (issue 10, pass 2).


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(3, 24),
    w=st.integers(3, 24),
    seed=st.integers(0, 2**31 - 1),
    spread=st.integers(1, 6),
)
def test_line_residual_fast_and_reference_agree(h: int, w: int, seed: int, spread: int) -> None:
    rng = np.random.default_rng(seed)
    ink = rng.random((h, w)) * rng.choice([0.3, 1.0])
    offs = rng.integers(-spread, spread + 1, (h, w))
    clear = rng.random((h, w)) < 0.6
    fast = line_residual(ink, offs, clear)
    ref = line_residual_reference(ink, offs, clear)
    assert np.allclose(fast, ref, atol=1e-12)


def test_line_residual_keeps_a_dot_on_the_line() -> None:
    # A faint line (0.2 at its axis, 0.1 beside) across a 30 px band, a dark dot (0.8) on it.
    ink = np.zeros((5, 30))
    ink[1], ink[2], ink[3] = 0.1, 0.2, 0.1
    ink[1:4, 14:17] = 0.8
    offs = np.repeat(np.arange(-2, 3)[:, None], 30, axis=1)
    clear = np.ones_like(ink, dtype=bool)
    kept = line_residual(ink, offs, clear)
    assert np.allclose(kept[:, :14], 0.0) and np.allclose(kept[:, 17:], 0.0)
    assert np.allclose(kept[2, 14:17], 0.6) and np.allclose(kept[1, 14:17], 0.7)
    assert abs(float(kept.sum()) - (3 * 0.6 + 6 * 0.7)) < 1e-9


# Two lines of the paper through one square (issue 10, pass 4: seed 9200's wrong decisions).


def _streak(img: np.ndarray, x: float, width_px: int, factor: float) -> np.ndarray:
    """A faint scanner streak: a whole image column range multiplied by `factor`."""
    out = img.copy()
    x0 = round(x - width_px / 2)
    out[:, x0 : x0 + width_px] = (out[:, x0 : x0 + width_px] * factor).astype(np.uint8)
    return out


@pytest.mark.parametrize("angle", [0.0, 12.0, 37.0])
def test_two_lines_through_an_empty_square_are_not_a_mark(
    setup: tuple[BallotReader, object, str], angle: float
) -> None:
    """A fold (20 % darker, 0.4 mm) and a faint scanner streak (20 %, 0.4 mm) crossing one
    empty square: neither holds three quarters of the faint ink, both continue beyond the
    window: both are taken out, the square stays empty."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 6)
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    two = _line(img, (cx, cy + 0.8 * scale), angle, max(1, round(0.4 * scale)), 0.8)
    two = _streak(two, cx - 1.1 * scale, max(2, round(0.4 * scale)), 0.8)
    m = reader.read(two).contests[0].marks[i]
    assert m.mark == "empty", m


@pytest.mark.parametrize("shape", ["tick", "cross"])
def test_thin_marks_across_two_lines_still_count(setup: tuple[BallotReader, object, str], shape: str) -> None:
    """A thin (0.3 mm) pen tick or X in a square that a fold and a faint streak also cross:
    every line that passes the continuation test is taken out whatever its share, and a
    hand's stroke never passes it, so the mark stays marked."""
    reader = setup[0]
    img, expected, scale, origin = _sheet(setup, 6)
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    half = TARGET / 2 * scale
    if shape == "tick":
        strokes = [[(-0.6, 0.0), (-0.1, 0.6), (0.7, -0.7)]]
    else:
        strokes = [[(-0.7, -0.7), (0.7, 0.7)], [(-0.7, 0.7), (0.7, -0.7)]]
    marked = img.copy()
    for st_ in strokes:
        pts = np.array([[cx + a * half, cy + b * half] for a, b in st_])
        cv2.polylines(
            marked,
            [pts.astype(np.int32).reshape(-1, 1, 2)],
            False,
            40,
            max(1, round(0.3 * scale)),
            cv2.LINE_AA,
        )
    crossed = _line(marked, (cx, cy + 0.8 * scale), 12.0, max(1, round(0.4 * scale)), 0.8)
    crossed = _streak(crossed, cx - 1.1 * scale, max(2, round(0.4 * scale)), 0.85)
    for image in (marked, crossed):
        m = reader.read(image).contests[0].marks[i]
        assert m.mark == "marked", m


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 30), seed=st.integers(0, 2**31 - 1))
def test_q75_is_numpys_percentile(rows: int, cols: int, seed: int) -> None:
    """The ring profile's 75 % level (`coons_paper`) equals np.percentile's, truncated to
    a grey level as the profile uses it, on whole grey levels in float32."""
    values = np.random.default_rng(seed).integers(0, 256, (rows, cols)).astype(np.float32)
    want = np.percentile(values, 75, axis=0)
    got = _q75(values)
    assert np.array_equal(got.astype(np.uint8), want.astype(np.uint8))
    assert np.array_equal(got.astype(np.float64), want.astype(np.float64))


# Lines of the paper along the square's printed border (issue 10, pass 5): a fold beside
# it, a crease or a streak down its side. Their ink is in the window (so the fast score
# counts it), but the search never saw enough of them: the printed border's zone, where it
# does not look, was counted in the length they had to cover.


def _empty_square(
    setup: tuple[BallotReader, object, str], index: int = 6
) -> tuple[np.ndarray, int, float, float, float]:
    img, expected, scale, origin = _sheet(setup, index)
    i = _empty_index(expected)
    cx, cy = _square_centres(setup, scale, origin)[i]
    return img, i, cx, cy, scale


@pytest.mark.parametrize(("dx", "angle"), [(-3.0, 88.0), (3.1, 88.0), (2.8, 80.0), (-2.5, 80.0), (2.8, 74.0)])
def test_line_along_a_side_of_the_square_is_not_a_mark(
    setup: tuple[BallotReader, object, str], dx: float, angle: float
) -> None:
    """A faint line (25 % darker, 0.4 mm) down the page close to the square's left or
    right printed border, at 2 degrees to it (a faint streak on a skewed scan) or 10-16
    (a crease): it runs through the border's zone for much of the window, and where it
    crosses the inside it is near the border. Empty (pass 4 scored 0.027-0.046 here:
    `marginal_mark`), and the sheet reads as before: the same line runs through other
    squares' windows further down the page, some of them in the window's outer ring."""
    reader = setup[0]
    img, i, cx, cy, scale = _empty_square(setup)
    before = reader.read(img)
    lined = _line(img, (cx + dx * scale, cy), angle, max(1, round(0.4 * scale)), 0.75)
    r = reader.read(lined)
    m = r.contests[0].marks[i]
    assert m.mark == "empty", m
    assert r.status == before.status


@pytest.mark.parametrize(
    ("dx", "dy", "angle"), [(0.0, 3.9, 0.7), (0.0, -4.0, 0.7), (4.0, 0.0, 88.0), (-3.9, 0.0, 88.0)]
)
def test_line_in_the_windows_ring_is_not_a_mark(
    setup: tuple[BallotReader, object, str], dx: float, dy: float, angle: float
) -> None:
    """A fold (25 % darker, 0.4-0.5 mm) running through the window's outer ring, the paper
    the score is measured against: the ring's side is darker, so the whole window seemed
    inked against it (pass 4: `possible_stain`). The side's paper is measured again
    without the line's band (the two sides across it when the band covers it): empty,
    and the sheet reads as before."""
    reader = setup[0]
    img, i, cx, cy, scale = _empty_square(setup)
    before = reader.read(img)
    width = max(1, round((0.5 if dx == 0 else 0.4) * scale))
    lined = _line(img, (cx + dx * scale, cy + dy * scale), angle, width, 0.75)
    r = reader.read(lined)
    m = r.contests[0].marks[i]
    assert m.mark == "empty", m
    assert r.status == before.status


@pytest.mark.parametrize("dy", [3.1, -3.2])
def test_fold_beside_the_printed_border_is_not_a_mark(
    setup: tuple[BallotReader, object, str], dy: float
) -> None:
    """A fold's valley (25 % darker, 0.5 mm) running along the square's top or bottom
    printed border (0.1-0.2 mm outside it, tilted 0.7 degrees): it is seen only in the
    window's margin at its two ends. Empty (pass 4: 0.018-0.042, `marginal_mark`)."""
    reader = setup[0]
    img, i, cx, cy, scale = _empty_square(setup)
    before = reader.read(img)
    folded = _line(img, (cx, cy + dy * scale), 0.7, max(1, round(0.5 * scale)), 0.75)
    r = reader.read(folded)
    m = r.contests[0].marks[i]
    assert m.mark == "empty", m
    assert r.status == before.status


@pytest.mark.parametrize("where", ["border", "side"])
def test_thin_tick_beside_a_border_line_still_counts(
    setup: tuple[BallotReader, object, str], where: str
) -> None:
    """A thin (0.3 mm) pen tick in a square whose printed border a fold runs along, or that
    a crease passes down its side: the line is taken out, the tick is not."""
    reader = setup[0]
    img, i, cx, cy, scale = _empty_square(setup)
    half = TARGET / 2 * scale
    pts = np.array(
        [[cx - 0.6 * half, cy], [cx - 0.1 * half, cy + 0.6 * half], [cx + 0.7 * half, cy - 0.7 * half]]
    )
    ticked = img.copy()
    cv2.polylines(
        ticked, [pts.astype(np.int32).reshape(-1, 1, 2)], False, 40, max(1, round(0.3 * scale)), cv2.LINE_AA
    )
    if where == "border":
        lined = _line(ticked, (cx, cy + 3.1 * scale), 0.7, max(1, round(0.5 * scale)), 0.75)
    else:
        lined = _line(ticked, (cx + 2.8 * scale, cy), 80.0, max(1, round(0.4 * scale)), 0.75)
    m = reader.read(lined).contests[0].marks[i]
    assert m.mark == "marked", m


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(3, 24),
    w=st.integers(3, 24),
    seed=st.integers(0, 2**31 - 1),
    spread=st.integers(1, 6),
    gain=st.floats(1.0, 1.3),
)
def test_border_line_ink_fast_and_reference_agree(
    h: int, w: int, seed: int, spread: int, gain: float
) -> None:
    """The line's ink in the printed border's zone (pass 5): random ink (some of it the
    border's black, 1.0), random offsets, a clear part and a zone that may share
    distances or not."""
    rng = np.random.default_rng(seed)
    ink = np.where(rng.random((h, w)) < 0.2, 1.0, rng.random((h, w)) * rng.choice([0.3, 1.0]))
    offs = rng.integers(-spread, spread + 1, (h, w))
    pick = rng.random((h, w))
    clear = pick < 0.4
    zone = (pick >= 0.4) & (pick < 0.4 + rng.random() * 0.6)
    fast = border_line_ink(ink, offs, clear, zone, gain)
    ref = border_line_ink_reference(ink, offs, clear, zone, gain)
    assert abs(fast - ref) <= 1e-9 * max(1.0, abs(ref))


def test_border_line_ink_takes_the_line_not_the_border() -> None:
    """A line of level 0.2 along a printed border: on bare paper in the zone it added its
    level, on the border's black nothing, on a stroke (ink 0.6) less than its level."""
    gain = 1.0
    ink = np.zeros((3, 10))
    ink[:, :4] = 0.2  # the line in the clear part (offsets -1..1)
    ink[:, 4:] = 0.2  # in the zone: bare paper under the line...
    ink[1, 6] = 1.0  # ...the printed border's black
    ink[1, 8] = 0.6 + 0.2 * 0.4  # ...a stroke of ink 0.6 under the line
    offs = np.repeat(np.arange(-1, 2)[:, None], 10, axis=1)
    clear = np.zeros_like(ink, dtype=bool)
    clear[:, :4] = True
    zone = ~clear
    got = border_line_ink(ink, offs, clear, zone, gain)
    paper = 16 * 0.2  # 18 zone pixels, 2 of them not bare paper
    stroke = (1.0 - 0.68) * 0.2 / 0.8  # = 0.08: 0.68 under the line, 0.6 without it
    assert abs(got - (paper + stroke)) < 1e-9


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(3, 30),
    w=st.integers(3, 30),
    ring=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1),
    lines=st.lists(st.tuples(st.floats(0, math.pi), st.floats(-20, 20), st.floats(0.5, 4)), max_size=3),
)
def test_ring_levels_fast_and_reference_agree(
    h: int, w: int, ring: int, seed: int, lines: list[tuple[float, float, float]]
) -> None:
    """The ring's paper levels without the bands of the lines taken out (pass 5): random
    grey windows, up to three bands at any angle and width (none: no band touches the
    ring; wide ones along a side: that side takes the two sides across it)."""
    rng = np.random.default_rng(seed)
    win = rng.integers(0, 256, (h, w)).astype(np.uint8)
    levels = rng.uniform(100, 255, 4)
    bands = None
    ys = np.arange(h)[:, None] - (h - 1) / 2
    xs = np.arange(w)[None, :] - (w - 1) / 2
    for theta, rho, half_width in lines:
        b = np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= half_width
        bands = b if bands is None else bands | b
    fast = ring_levels(win, bands, ring, levels)
    ref = ring_levels_reference(win, bands, ring, levels)
    assert (fast is None) == (ref is None)
    if fast is not None and ref is not None:
        assert np.array_equal(fast, ref)


def test_wide_light_tick_is_not_taken_for_a_line() -> None:
    """Field corpus, development seed 102, sheet 1109 (found in pass 5): a wide felt-tip
    tick in light ink, its long arm running out of the window, title-side text showing
    through beyond the other end. The arm has little thin contrast (it is 1.2 mm wide), so
    the continuation test asked for almost nothing beyond the window (0.35 of that
    contrast) and the glyphs passed it: the arm was taken for a line of the paper and the
    tick read `empty`. The continuation must also be 0.35 of the line's darkness on its
    axis: the tick is not taken out (review or marked, never empty)."""
    from fieldkit.conditions import FieldOptions, generate_field_sheet
    from kiosk.election.load import load_election

    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[1109 % len(styles)])
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, 102, 1109, FieldOptions())
    assert sheet.truth.squares[3].expected == "marked"
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    m = reader.read_bytes(sheet.image).contests[0].marks[3]
    assert m.mark != "empty", m
