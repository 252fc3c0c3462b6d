"""front21 (issue 10, twenty-first pass): the stages of the read before `_interpret`, each
one compiled call, give the same numbers to the bit as the code they replace, which is
kept beside them (`locate.find_fiducials_apart`, `locate._orientations_apart`,
`reader._frame_apart`, `BallotReader._register_apart`, `BallotReader._streak_apart`,
`reader.score_squares_apart`) and the kernels those called."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import field_sheet  # (pytest puts tests/ on the path)
from test_kernels import grey_images, points_in, synthetic_pages

from kiosk.reading import kernels
from kiosk.reading import reader as reader_module
from kiosk.reading.locate import (
    Found,
    Levels,
    PageCorners,
    _orientations,
    _orientations_apart,
    find_fiducials,
    find_fiducials_apart,
)
from kiosk.reading.model import SideReading
from kiosk.reading.reader import (
    BallotReader,
    Scores,
    _frame,
    _frame_apart,
    score_squares,
    score_squares_apart,
)

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_corners(a: PageCorners, b: PageCorners) -> None:
    assert a.orientation == b.orientation
    assert a.points.dtype == b.points.dtype and a.points.shape == b.points.shape
    assert a.points.tobytes() == b.points.tobytes()
    assert a.points.flags.c_contiguous and b.points.flags.c_contiguous
    assert np.array_equal([a.width_px, a.height_px], [b.width_px, b.height_px], equal_nan=True)


def same_found(a: Found | None, b: Found | None) -> None:
    if b is None:
        assert a is None
        return
    assert a is not None
    assert a.levels == b.levels
    for x, y in zip(a.corners, b.corners, strict=True):
        same_corners(x, y)


def same_scores(a: Scores, b: Scores) -> None:
    for k in ("scores", "paper", "denominators"):
        x, y = getattr(a, k), getattr(b, k)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), k
    assert (a.half, a.ring, a.gain) == (b.half, b.ring, b.gain)
    assert type(a.half) is type(b.half) is int and type(a.ring) is type(b.ring) is int


def outcome(fn: Any, *args: Any) -> Any:
    """What a call returns, or the type of what it raises."""
    try:
        return fn(*args)
    except Exception as e:
        return type(e)


# --- the kernels' parts against the kernels they replace ------------------------------------


@EXAMPLES
@given(img=grey_images(), f=st.integers(1, 9))
def test_sample_hist(img: np.ndarray, f: int) -> None:
    if img.shape[0] <= f // 2 or img.shape[1] <= f // 2:
        return
    small, hist = kernels._sample_hist(img, f)
    want, paper, black = kernels.coarse_page(img, f)
    assert np.array_equal(small, want)
    assert np.array_equal(hist, np.bincount(want.ravel(), minlength=256))
    total = small.size
    assert kernels._share_index(hist, total, 0.75) == paper
    assert kernels._share_index(hist, total, 0.005) == black


@EXAMPLES
@given(img=grey_images(), data=st.data(), share=st.sampled_from([0.6, 0.75, 0.005, 0.5, 1.0]))
def test_grey_level4(img: np.ndarray, data: st.DataObject, share: float) -> None:
    h, w = img.shape
    y0 = data.draw(st.integers(0, h - 1))
    x0 = data.draw(st.integers(0, w - 1))
    y1 = data.draw(st.integers(y0 + 1, h))
    x1 = data.draw(st.integers(x0 + 1, w))
    assert kernels._grey_level4(img, y0, y1, x0, x1, share) == kernels.grey_level(img, y0, y1, x0, x1, share)


@EXAMPLES
@given(img=grey_images(), data=st.data(), gain=st.floats(0.5, 20.0))
def test_local_ink_rows(img: np.ndarray, data: st.DataObject, gain: float) -> None:
    """The same sums to the bit (not close): odd and even sizes, windows at and beyond the
    image's edge, tiny windows, rings of every width."""
    pts = data.draw(points_in(img))
    half = data.draw(st.integers(0, 40))
    ring = data.draw(st.integers(1, 12))
    got, got_levels = kernels._local_ink_rows(img, pts, half, ring, gain)
    want, want_levels = kernels.window_local_ink(img, pts, half, ring, gain)
    assert got_levels.tobytes() == want_levels.tobytes()
    assert got.tobytes() == want.tobytes()


# --- find_fiducials ---------------------------------------------------------------------------


@EXAMPLES
@given(img=grey_images(max_side=90))
def test_find_fiducials_on_grey_images(img: np.ndarray) -> None:
    same_found(find_fiducials(img), find_fiducials_apart(img))


@EXAMPLES
@given(img=synthetic_pages())
def test_find_fiducials_on_synthetic_pages(img: np.ndarray) -> None:
    same_found(find_fiducials(img), find_fiducials_apart(img))


@EXAMPLES
@given(
    pts=st.lists(
        st.tuples(
            st.one_of(st.floats(-5000, 5000), st.sampled_from([0.0, 1.0, math.nan, math.inf])),
            st.one_of(st.floats(-5000, 5000), st.sampled_from([0.0, 1.0, math.nan, -math.inf])),
        ),
        min_size=4,
        max_size=4,
    )
)
def test_orientations(pts: list[tuple[float, float]]) -> None:
    """Widths and heights to the bit (ties between the two sides, NaN, infinities)."""
    p = np.array(pts, np.float64)
    for a, b in zip(_orientations(p), _orientations_apart(p), strict=True):
        same_corners(a, b)


def test_orientations_square() -> None:
    """A square page: horizontal == vertical, the portrait pair."""
    p = np.array([[10.0, 10.0], [110.0, 10.0], [110.0, 110.0], [10.0, 110.0]])
    got = _orientations(p)
    assert [c.orientation for c in got] == [0, 180]
    for a, b in zip(got, _orientations_apart(p), strict=True):
        same_corners(a, b)


# --- the stages on generated sheets -------------------------------------------------------------


def stages(reader: BallotReader, image: np.ndarray, new: bool) -> list[Any]:
    """The stages of `_read` up to `_interpret`, the new paths or the old."""
    out: list[Any] = []
    found = (find_fiducials if new else find_fiducials_apart)(image)
    out.append(found)
    if found is None:
        return out
    ident = reader._identify(image, found)
    if isinstance(ident, SideReading):
        return [*out, ident.reason]
    info, corners, plan, h = ident
    if h is None:
        h = reader_module.page_to_image(corners, plan.fiducials_mm)
    out.append((info, corners.orientation, h.tobytes()))
    register = reader._register if new else reader._register_apart
    reg = register(image, h, plan, found.levels, corners.px_per_mm)
    out.append(None if reg is None else (reg[0].tobytes(), reg[1].tobytes()))
    if reg is None:
        return out
    streak = reader._streak if new else reader._streak_apart
    out.append(streak(image, reg[0], reg[1], found.levels, corners))
    scores = (score_squares if new else score_squares_apart)(
        image, reg[0], reg[1], found.levels, plan.interior_mm2
    )
    out.append(scores)
    return out


def same_stages(reader: BallotReader, image: np.ndarray) -> int:
    new, old = stages(reader, image, True), stages(reader, image, False)
    assert len(new) == len(old)
    same_found(new[0], old[0])
    for a, b in zip(new[1:], old[1:], strict=True):
        if isinstance(a, Scores):
            same_scores(a, b)
        else:
            assert a == b
    return len(new)


@FEW
@given(
    seed=st.integers(100, 199),
    index=st.integers(0, 5000),
    always=st.sampled_from([(), ("skew",), ("corner_out",), ("skew", "corner_out"), ("faint_streak",)]),
)
def test_stages_on_field_sheets(seed: int, index: int, always: tuple[str, ...]) -> None:
    """Field sheets (development seeds): 150-300 dpi, skew up to 5 degrees, a corner out of
    the frame, faint streaks; every stage's output equal."""
    reader, _, image = field_sheet(seed, index, always)
    assert same_stages(reader, image) >= 1


def test_stages_with_a_streak_and_a_missing_mark() -> None:
    """A dark column through the squares (the streak found, the count never stopped early)
    and a timing mark covered (the numpy path for missing marks), and cut images."""
    reader, _, image = field_sheet(120, 7)
    assert same_stages(reader, image) == 5
    found = find_fiducials(image)
    assert found is not None
    ident = reader._identify(image, found)
    assert not isinstance(ident, SideReading)
    _, corners, plan, h = ident
    assert h is not None
    reg = reader._register(image, h, plan, found.levels, corners.px_per_mm)
    assert reg is not None
    centres, scales = reg
    streaked = image.copy()
    x = int(centres[0, 0])
    streaked[:, x : x + 2] = 20
    assert reader._streak(streaked, centres, scales, found.levels, corners)
    assert same_stages(reader, streaked) == 5
    covered = image.copy()
    rx, ry, _ = reader_module.timing_mark_window(corners.px_per_mm)
    pred = kernels.timing_rows(image, h, plan.mark_rows_h, rx, ry, found.levels.mid, 1.0)[0]
    px, py = (int(v) for v in pred[2])
    covered[max(0, py - ry) : py + ry + 1, max(0, px - rx) : px + rx + 1] = 255
    same_stages(reader, covered)
    for cut in (image[: image.shape[0] // 2], image[:, 5:-7], image[1:, :-1]):
        same_stages(reader, np.ascontiguousarray(cut))


# --- the stages on random inputs (edges, NaN) ---------------------------------------------------


def corners_of(points: np.ndarray) -> PageCorners:
    return PageCorners(points, 0, 100.0, 140.0)


floats_or_nan = st.one_of(
    st.floats(-50, 400, allow_nan=False), st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1e300])
)


@EXAMPLES
@given(img=grey_images(max_side=120), data=st.data(), early=st.booleans(), odd=st.booleans())
def test_streak_side(img: np.ndarray, data: st.DataObject, early: bool, odd: bool) -> None:
    """streak_side (with and without its early stop) against `_streak_apart`: streak columns
    through the windows or beside them, bounds at and beyond the edges, NaN and infinities
    (the old path raises where Python's int() of an infinity does: so does the new)."""
    h, w = img.shape
    n = data.draw(st.integers(1, 6))
    centres = np.array(
        [
            [data.draw(floats_or_nan if odd else st.floats(-5, w + 5)), data.draw(st.floats(-5, h + 5))]
            for _ in range(n)
        ]
    )
    scales = np.array([data.draw(floats_or_nan if odd else st.floats(0.1, 8.0)) for _ in range(n)])
    points = np.array(
        [
            [data.draw(st.floats(-5, w + 5)), data.draw(floats_or_nan if odd else st.floats(-20, h + 20))]
            for _ in range(4)
        ]
    )
    levels = Levels(float(data.draw(st.integers(0, 255))), float(data.draw(st.integers(0, 255))))
    step = data.draw(st.integers(1, 5))
    share = data.draw(st.sampled_from([0.85, 0.5, 0.99, 1.0, 0.3]))

    def new() -> bool:
        got = kernels.streak_side(
            img, centres, scales, points, reader_module.HALF_MM, levels.mid, step, share, early
        )
        if got < 0:
            return old()
        return bool(got == 1)

    def old() -> bool:
        half = reader_module.HALF_MM * scales
        lo, hi = centres[:, 0] - half, centres[:, 0] + half
        x0 = int(max(0, lo.min()))
        x1 = int(min(img.shape[1], hi.max() + 1))
        ys = points[:, 1].tolist()
        y0 = int(max(0, min(ys)))
        y1 = int(min(img.shape[0], max(ys)))
        if x1 <= x0 or y1 - y0 < 10:
            return False
        return bool(kernels.streak_crosses(img, y0, y1, step, x0, x1, levels.mid, share, lo, hi))

    with np.errstate(all="ignore"):
        assert outcome(new) == outcome(old)
        if share == 0.85 and step == 4:
            want = outcome(BallotReader._streak_apart, None, img, centres, scales, levels, corners_of(points))
            assert outcome(old) == want


@EXAMPLES
@given(img=grey_images(), data=st.data(), mid=st.floats(0, 255), share=st.floats(0.3, 1.0))
def test_streak_rows_stop(img: np.ndarray, data: st.DataObject, mid: float, share: float) -> None:
    """The early stop gives the full count's answer (its proof in `kernels._streak_rows`),
    on images with streak columns and long runs of rows (so the stop is reached)."""
    w = img.shape[1]
    tall = np.ascontiguousarray(np.tile(img, (data.draw(st.integers(1, 12)), 1)))
    y0 = data.draw(st.integers(0, tall.shape[0] - 1))
    x0 = data.draw(st.integers(0, w - 1))
    y1 = data.draw(st.integers(y0 + 1, tall.shape[0]))
    x1 = data.draw(st.integers(x0 + 1, w))
    step = data.draw(st.integers(1, 5))
    lo = np.array(data.draw(st.lists(st.floats(-5, w + 5), min_size=1, max_size=5)))
    hi = lo + data.draw(st.floats(0, 20))
    args = (tall, y0, y1, step, x0, x1, mid, share, lo, hi)
    assert kernels._streak_rows(*args) == kernels.streak_crosses(*args)


def test_streak_rows_stop_is_reached() -> None:
    """On a clean page the count stops after about a sixth of the rows; a column dark
    to the last row is still found."""
    img = np.full((4000, 50), 220, np.uint8)
    lo, hi = np.array([0.0]), np.array([49.0])
    assert not kernels._streak_rows(img, 0, 4000, 4, 0, 50, 120.0, 0.85, lo, hi)
    img[:, 20] = 10
    assert kernels._streak_rows(img, 0, 4000, 4, 0, 50, 120.0, 0.85, lo, hi)
    img[: 4000 - 4 * 160, 20] = 220  # dark only over the last 16 % of the rows: not a streak
    assert not kernels._streak_rows(img, 0, 4000, 4, 0, 50, 120.0, 0.85, lo, hi)
    assert not kernels.streak_crosses(img, 0, 4000, 4, 0, 50, 120.0, 0.85, lo, hi)


@EXAMPLES
@given(img=grey_images(), data=st.data(), odd=st.booleans())
def test_score_squares(img: np.ndarray, data: st.DataObject, odd: bool) -> None:
    """score_squares against `score_squares_apart`: windows at and beyond the edges, 1-6
    squares (odd and even counts: the median of the scales), scales that put the window's
    half-size exactly on .5 (Python's round), tiny and zero scales, NaN, paper and black
    levels anywhere."""
    pts = data.draw(points_in(img))
    n = len(pts)
    scale = st.one_of(
        st.floats(0.05, 12.0),
        st.sampled_from([2.5 / reader_module.HALF_MM, 1.0, 3.0, 2.0 / reader_module.RING_MM]),
    )
    scales = np.array([data.draw(floats_or_nan if odd else scale) for _ in range(n)])
    levels = Levels(float(data.draw(st.integers(0, 255))), float(data.draw(st.integers(0, 255))))
    interior = data.draw(st.sampled_from([16.0, 21.16, 9.0, 0.0]))
    with np.errstate(all="ignore"):
        got = outcome(score_squares, img, pts, scales, levels, interior)
        want = outcome(score_squares_apart, img, pts, scales, levels, interior)
    if isinstance(want, Scores):
        assert isinstance(got, Scores)
        same_scores(got, want)
    else:
        assert got == want


@EXAMPLES
@given(img=grey_images(max_side=120), data=st.data(), any_dy=st.booleans())
def test_register(img: np.ndarray, data: st.DataObject, any_dy: bool) -> None:
    """`_register` against `_register_apart` on random pages and homographies (marks found,
    missing, or of the wrong size; scales inside and outside the 6 % check)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    rows = data.draw(st.integers(1, 6))
    h, w = img.shape
    marks = np.vstack(
        [
            rng.uniform(-2, w / 2 + 2, (1, 2 * rows)),
            rng.uniform(-2, h / 2 + 2, (1, 2 * rows)),
            np.ones((1, 2 * rows)),
        ]
    )
    homography = np.array([[2.0, 0.05, 1.0], [-0.05, 2.0, 2.0], [0.0, 0.0, 1.0]]) + rng.normal(
        0, 0.01, (3, 3)
    ) * [
        [1, 1, 10],
        [1, 1, 10],
        [0.001, 0.001, 0],
    ]
    plan = SimpleNamespace(
        mark_rows_h=marks,
        target_t=rng.uniform(0.5, 0.95, rows),
        target_dy_mm=rng.normal(0, 2, rows),
        any_dy=any_dy,
        mark_span_mm=data.draw(st.sampled_from([133.0, 20.0, 5.0])),
    )
    levels = Levels(float(data.draw(st.integers(100, 255))), float(data.draw(st.integers(0, 99))))
    px_per_mm = data.draw(st.one_of(st.floats(0.05, 20.0), st.sampled_from([0.5, 1.0])))
    got = outcome(BallotReader._register, None, img, homography, plan, levels, px_per_mm)
    want = outcome(BallotReader._register_apart, None, img, homography, plan, levels, px_per_mm)
    if isinstance(want, tuple):
        assert isinstance(got, tuple)
        assert got[0].tobytes() == want[0].tobytes() and got[1].tobytes() == want[1].tobytes()
    else:
        assert got == want


def test_frame() -> None:
    """The page's homography and QR box as before, for every page length, on random corners."""
    rng = np.random.default_rng(5)
    reader, _, _ = field_sheet(101, 3)
    for _ in range(200):
        pts = np.array([[10.0, 12.0], [1000.0, 15.0], [1003.0, 1400.0], [8.0, 1398.0]]) + rng.normal(
            0, 30, (4, 2)
        )
        corners = corners_of(pts)
        for hh in reader.book.heights:
            a, qa = _frame(corners, hh)
            b, qb = _frame_apart(corners, hh)
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
            assert qa == qb


@pytest.mark.parametrize("style_index", [0, 1, 2, 3])
def test_stages_on_clean_sheets(style_index: int) -> None:
    """Each style of the sample election, a field sheet with no condition: the same stages."""
    reader, _, image = field_sheet(150, style_index)
    assert same_stages(reader, image) == 5
