"""The compiled kernels (kiosk/reading/kernels.py) compute exactly what their numpy and
OpenCV references compute: equal arrays, not close ones, so readings cannot change."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import FIDUCIAL, qr_box_for_height
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import kernels
from kiosk.reading.locate import (
    FIDUCIAL_SPAN_MM,
    Found,
    Levels,
    _orientations,
    coarse_levels,
    find_fiducials,
    grey_at,
    grey_cdf,
)
from kiosk.reading.reader import (
    BallotReader,
    Scores,
    doubt_band,
    fiducial_centres,
    ink_lut,
    page_to_image,
)
from kiosk.reading.reference import (
    _corners_from_blobs,
    _extremes,
    coarse_blobs_reference,
    doubt_band_reference,
    faint_runs_reference,
    find_fiducials_reference,
    ink_centroids_reference,
    qr_match_reference,
    qr_nearest_reference,
    row_geometry_reference,
    streak_crosses_reference,
    timing_rows_reference,
    window_ink_sums_reference,
    window_local_ink_reference,
)

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def grey_images(draw: st.DrawFn, max_side: int = 60) -> np.ndarray:
    """Paper with dark rectangles (blobs, strokes, streak columns) and some noise: the
    shapes the fiducial search meets, at sizes that reach every edge case."""
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    paper = draw(st.integers(120, 255))
    img = np.full((h, w), paper, np.uint8)
    for _ in range(draw(st.integers(0, 12))):
        y0, x0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
        y1, x1 = draw(st.integers(y0 + 1, h)), draw(st.integers(x0 + 1, w))
        img[y0:y1, x0:x1] = draw(st.integers(0, 110))
    for _ in range(draw(st.integers(0, 3))):  # streak columns, from end to end
        x = draw(st.integers(0, w - 1))
        img[:, x : x + draw(st.integers(1, 3))] = draw(st.integers(0, 110))
    if draw(st.booleans()):  # speckle of a chosen density: blobs of every fill and shape
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        density = draw(st.floats(0.05, 0.95))
        img = np.where(rng.random((h, w)) < density, rng.integers(0, 256, (h, w)), img).astype(np.uint8)
    return np.ascontiguousarray(img)


def assert_same_found(fast: Found | None, ref: Found | None) -> None:
    if ref is None:
        assert fast is None
        return
    assert fast is not None
    assert fast.levels == ref.levels
    for a, b in zip(fast.corners, ref.corners, strict=True):
        assert a.orientation == b.orientation
        assert np.array_equal(a.points, b.points)


@EXAMPLES
@given(img=grey_images(), mid=st.floats(0, 255), min_area=st.integers(1, 10))
def test_coarse_blobs(img: np.ndarray, mid: float, min_area: int) -> None:
    got = kernels.coarse_blobs(img, math.floor(mid), min_area).tolist()
    assert got == coarse_blobs_reference(img, mid, min_area)


def test_coarse_blobs_on_small_random_images() -> None:
    """Many tiny random images hit the exact edges of the rules (a column exactly 60% dark,
    a blob exactly 0.6 times as wide as high, a streak three columns from the edge)."""
    exact = np.full((9, 9), 200, np.uint8)
    exact[2:7, 3:6] = 0  # 3 wide, 5 high: exactly 0.6, refused
    assert kernels.coarse_blobs(exact, 100, 1).tolist() == coarse_blobs_reference(exact, 100.0, 1) == []
    exact[2:7, 2:6] = 0  # 4 wide: kept
    assert kernels.coarse_blobs(exact, 100, 1).tolist() == coarse_blobs_reference(exact, 100.0, 1) != []
    rng = np.random.default_rng(7)
    for _ in range(3000):
        h, w = (int(v) for v in rng.integers(3, 13, 2))
        img = np.where(rng.random((h, w)) < rng.random(), 0, 200).astype(np.uint8)
        for x in rng.integers(0, w, int(rng.integers(0, 3))):
            img[rng.random(h) < 0.8, x] = 0
        got = kernels.coarse_blobs(img, 100, 3).tolist()
        assert got == coarse_blobs_reference(img, 100.0, 3), img


@EXAMPLES
@given(img=grey_images(), f=st.integers(1, 9))
def test_coarse_page(img: np.ndarray, f: int) -> None:
    if img.shape[0] <= f // 2 or img.shape[1] <= f // 2:
        return
    small, paper, black = kernels.coarse_page(img, f)
    want_small = np.ascontiguousarray(img[f // 2 :: f, f // 2 :: f])
    assert np.array_equal(small, want_small)
    assert Levels(paper, black) == coarse_levels(want_small)


@EXAMPLES
@given(img=grey_images(), share=st.sampled_from([0.005, 0.5, 0.6, 0.75, 1.0]), data=st.data())
def test_grey_level(img: np.ndarray, share: float, data: st.DataObject) -> None:
    h, w = img.shape
    y0 = data.draw(st.integers(0, h - 1))
    x0 = data.draw(st.integers(0, w - 1))
    y1 = data.draw(st.integers(y0 + 1, h))
    x1 = data.draw(st.integers(x0 + 1, w))
    want = grey_at(grey_cdf(img[y0:y1, x0:x1]), share)
    assert kernels.grey_level(img, y0, y1, x0, x1, share) == want


@st.composite
def points_in(draw: st.DrawFn, img: np.ndarray) -> np.ndarray:
    h, w = img.shape
    n = draw(st.integers(1, 6))
    # Also a little outside the image: windows are then shifted inside.
    xs = [draw(st.floats(-3, w + 3, allow_nan=False)) for _ in range(n)]
    ys = [draw(st.floats(-3, h + 3, allow_nan=False)) for _ in range(n)]
    return np.array([xs, ys], np.float64).T.copy()


@EXAMPLES
@given(img=grey_images(), data=st.data(), mid=st.floats(0, 255))
def test_ink_centroids(img: np.ndarray, data: st.DataObject, mid: float) -> None:
    pts = data.draw(points_in(img))
    half_w = data.draw(st.integers(0, 40))
    half_h = data.draw(st.integers(0, 40))
    got, got_m00 = kernels.ink_centroids(img, pts, half_w, half_h, mid)
    want, want_m00 = ink_centroids_reference(img, pts, half_w, half_h, mid)
    assert np.array_equal(got_m00, want_m00)
    assert np.array_equal(got, want)


@EXAMPLES
@given(img=grey_images(), data=st.data(), paper=st.integers(0, 255), black=st.integers(0, 255))
def test_window_ink_sums(img: np.ndarray, data: st.DataObject, paper: int, black: int) -> None:
    pts = data.draw(points_in(img))
    half = data.draw(st.integers(0, 40))
    lut = ink_lut(Levels(float(paper), float(black))).astype(np.float32)
    assert np.array_equal(
        kernels.window_ink_sums(img, pts, half, lut), window_ink_sums_reference(img, pts, half, lut)
    )


@EXAMPLES
@given(img=grey_images(), data=st.data(), mid=st.floats(0, 255), share=st.floats(0.5, 1.0))
def test_streak_crosses(img: np.ndarray, data: st.DataObject, mid: float, share: float) -> None:
    h, w = img.shape
    y0 = data.draw(st.integers(0, h - 1))
    x0 = data.draw(st.integers(0, w - 1))
    y1 = data.draw(st.integers(y0 + 1, h))
    x1 = data.draw(st.integers(x0 + 1, w))
    step = data.draw(st.integers(1, 5))
    lo = np.array(data.draw(st.lists(st.floats(-5, w + 5), min_size=1, max_size=5)))
    hi = lo + data.draw(st.floats(0, 20))
    args = (img, y0, y1, step, x0, x1, mid, share, lo, hi)
    assert kernels.streak_crosses(*args) == streak_crosses_reference(*args)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(["MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07"]),
    index=st.integers(0, 10_000),
    streak=st.booleans(),
)
def test_find_fiducials_on_ballots(style: str, index: int, streak: bool) -> None:
    """The whole search, fast and reference, on generated scans (rotated, shifted, 150 to
    300 dpi, JPEG, a scanner streak on some)."""
    e = sample_election()
    opt = DeckOptions(streak=1.0 if streak else 0.0)
    s = generate_sheet(e, election_hash(e), style, 5, index, opt, with_front=False)
    # (A few streaked sheets cannot be framed by either: the accuracy run counts them.)
    assert_same_found(find_fiducials(s.back), find_fiducials_reference(s.back))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(["MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07"]),
    index=st.integers(0, 10_000),
    shifts=st.lists(st.tuples(st.floats(-6, 6), st.floats(-6, 6)), min_size=8, max_size=8),
)
def test_qr_match(style: str, index: int, shifts: list[tuple[float, float]]) -> None:
    """The QR match, kernel and reference, where the code is and shifted off it by up to 6 mm
    (a module is 0.5 mm: most shifts find nothing, some leave the image)."""
    e = sample_election()
    reader = BallotReader(e, election_hash(e), keep_crops="never")
    s = generate_sheet(e, election_hash(e), style, 9, index, DeckOptions(streak=0.0), with_front=False)
    found = find_fiducials(s.back)
    assert found is not None
    matched = 0
    for corners in found.corners:
        for hh in reader.book.heights:
            for dx, dy in [(0.0, 0.0), *shifts]:
                h = page_to_image(corners, fiducial_centres(hh))
                qr = qr_box_for_height(hh)
                fast = reader.book.match(s.back, h, qr.x + dx, qr.y + dy, hh)
                assert fast == qr_match_reference(reader.book, s.back, h, qr.x + dx, qr.y + dy, hh)
                matched += fast is not None
    assert matched >= 1  # the unshifted grid on the right page length finds the code


@EXAMPLES
@given(data=st.data(), levels=st.lists(st.integers(0, 255), min_size=1, max_size=6))
def test_qr_nearest_on_random_grids(data: st.DataObject, levels: list[int]) -> None:
    """Few grey levels (modules often exactly on the threshold) or all of them (the rank
    statistics matter)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    if data.draw(st.booleans()):
        levels = list(range(256))  # every level: the ranks and the threshold move by one
    image = rng.choice(np.array(levels, np.uint8), (120, 130))
    module_mm = np.vstack([rng.uniform(0, 20, (2, 625)), np.ones((1, 625))])
    h = np.array([[4.0, 0.1, 5.0], [-0.1, 4.0, 7.0], [0.0, 0.0, 1.0]]) + rng.normal(0, 0.02, (3, 3)) * [
        [1, 1, 10],
        [1, 1, 10],
        [0.001, 0.001, 0],
    ]
    matrices = rng.random((data.draw(st.integers(1, 5)), 625)) < 0.5
    qr_x, qr_y = data.draw(st.floats(-2, 8)), data.draw(st.floats(-2, 8))
    args = (image, h, module_mm, qr_x, qr_y, matrices)
    assert kernels.qr_nearest(*args) == qr_nearest_reference(*args)


@st.composite
def synthetic_pages(draw: st.DrawFn) -> np.ndarray:
    """A page of dark squares: four near the corners (sometimes), others anywhere, of
    sizes around and away from the fiducial size the corners imply; grey noise on some."""
    h = draw(st.integers(200, 700))
    w = draw(st.integers(200, 500))
    img = np.full((h, w), draw(st.integers(150, 255)), np.uint8)
    ink = draw(st.integers(0, 60))
    # A fiducial is 7 mm and its centres are 133 mm apart across the page: about 4.5% of
    # the width here; off that by up to a factor of two either way.
    side = max(1, round(0.84 * w * 7 / 133 * draw(st.floats(0.5, 2.0))))
    if draw(st.integers(0, 3)) > 0:
        for cy, cx in ((0.08, 0.08), (0.08, 0.92), (0.92, 0.92), (0.92, 0.08)):
            y, x = int(cy * h) + draw(st.integers(-8, 8)), int(cx * w) + draw(st.integers(-8, 8))
            s = max(1, side + draw(st.integers(-3, 3)))
            img[max(0, y - s // 2) : y + s // 2 + 1, max(0, x - s // 2) : x + s // 2 + 1] = ink
    for _ in range(draw(st.integers(0, 16))):  # text lines, marks, a QR code's blob
        y, x = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
        s = draw(st.integers(1, 40))
        img[y : y + s, x : x + draw(st.integers(1, 60))] = draw(st.sampled_from([ink, 0, 90, 200]))
    if draw(st.booleans()):
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        img = np.clip(img + rng.normal(0, draw(st.floats(1, 25)), img.shape), 0, 255).astype(np.uint8)
    return img


@EXAMPLES
@given(img=synthetic_pages())
def test_find_fiducials_on_synthetic_pages(img: np.ndarray) -> None:
    assert_same_found(find_fiducials(img), find_fiducials_reference(img))


@EXAMPLES
@given(data=st.data())
def test_fiducial_corners_on_blob_lists(data: st.DataObject) -> None:
    """The choice among blobs, straight from blob lists: four corner blobs near the size
    their spacing implies, and others; integer centres make ties for the extreme corner
    common; a few grey levels put the page's contrast on its limits."""
    hs, ws = data.draw(st.integers(60, 200)), data.draw(st.integers(60, 160))
    g = data.draw(st.integers(0, 200))
    # Two greys 25-45 apart half the time: the page's contrast on its 40-level limit.
    near = [g, g + data.draw(st.integers(25, 45))]
    greys = np.array(
        data.draw(st.one_of(st.just(near), st.lists(st.integers(0, 255), min_size=1, max_size=4))), np.uint8
    )
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    small = rng.choice(greys, (hs, ws))
    f = data.draw(st.integers(1, 3))
    image = np.ascontiguousarray(np.repeat(np.repeat(small, f, axis=0), f, axis=1))
    x0, x1 = data.draw(st.integers(1, ws // 5)), data.draw(st.integers(ws - ws // 5, ws - 2))
    y0, y1 = data.draw(st.integers(1, hs // 5)), data.draw(st.integers(hs - hs // 5, hs - 2))
    area = (FIDUCIAL * min(x1 - x0, y1 - y0) / FIDUCIAL_SPAN_MM) ** 2
    blobs = []
    sizes = st.sampled_from([1.0, 0.8, 1.3, 0.45, 1.8, 0.4, 2.0])  # and the limits 0.45 and 1.8
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        jx, jy = data.draw(st.integers(-2, 2)), data.draw(st.integers(-2, 2))
        x, y = min(max(x + jx, 0), ws - 1), min(max(y + jy, 0), hs - 1)  # blobs lie inside the image
        blobs.append([float(x), float(y), float(round(area * data.draw(sizes)))])
    for i in data.draw(st.lists(st.integers(0, 3), max_size=3)):
        # A blob as extreme as a corner one, one pixel along the diagonal: a tie.
        dx = -1 if i in (0, 3) else 1
        tx, ty = (
            min(max(blobs[i][0] + dx, 0), ws - 1),
            min(max(blobs[i][1] - dx * (1 if i in (0, 2) else -1), 0), hs - 1),
        )
        blobs.append([tx, ty, blobs[i][2]])
    blob = st.tuples(st.integers(0, ws - 1), st.integers(0, hs - 1), st.integers(1, 200))
    blobs += [[float(v) for v in b] for b in data.draw(st.lists(blob, max_size=8))]
    blobs = data.draw(st.permutations(blobs))
    paper, black = float(data.draw(st.integers(0, 255))), float(data.draw(st.integers(0, 255)))
    levels = Levels(paper, black)
    pts, got_paper, got_black = kernels.fiducial_corners(
        image,
        small,
        f,
        np.array(blobs, np.float64).reshape(-1, 3),
        levels.mid,
        paper,
        black,
        FIDUCIAL,
        FIDUCIAL_SPAN_MM,
    )
    fast = Found(_orientations(pts), Levels(got_paper, got_black)) if len(pts) else None
    assert_same_found(fast, _corners_from_blobs(image, small, f, levels, blobs))


@EXAMPLES
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=10))
def test_extremes_break_ties_alike(centres: list[tuple[int, int]]) -> None:
    """On a small grid many blobs tie for a corner: both take the first."""
    blobs = [[float(x), float(y), 1.0] for x, y in centres]
    got = kernels._extremes(np.array(blobs), np.arange(len(blobs))).tolist()
    assert got == _extremes(blobs)


@EXAMPLES
@given(img=grey_images(), data=st.data(), mid=st.floats(0, 255))
def test_timing_rows(img: np.ndarray, data: st.DataObject, mid: float) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    rows = data.draw(st.integers(1, 6))
    h, w = img.shape
    marks_h = np.vstack(
        [rng.uniform(-2, w / 2 + 2, (1, 2 * rows)), rng.uniform(-2, h / 2 + 2, (1, 2 * rows))]
    )
    marks_h = np.vstack([marks_h, np.ones((1, 2 * rows))])
    homography = np.array([[2.0, 0.05, 1.0], [-0.05, 2.0, 2.0], [0.0, 0.0, 1.0]]) + rng.normal(
        0, 0.01, (3, 3)
    ) * [
        [1, 1, 10],
        [1, 1, 10],
        [0.001, 0.001, 0],
    ]
    half_w, half_h = data.draw(st.integers(0, 8)), data.draw(st.integers(0, 8))
    # Whole numbers too: a window's ink then falls exactly on the half and 1.7 limits.
    expected = data.draw(st.one_of(st.floats(0.5, 60), st.sampled_from([2.0, 4.0, 10.0, 20.0])))
    args = (img, homography, marks_h, half_w, half_h, mid, expected)
    got, want = kernels.timing_rows(*args), timing_rows_reference(*args)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1], equal_nan=True)
    assert got[2] == want[2]


@EXAMPLES
@given(data=st.data(), any_dy=st.booleans())
def test_row_geometry(data: st.DataObject, any_dy: bool) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    rows = data.draw(st.integers(1, 45))
    left = rng.uniform(0, 300, (rows, 2))
    right = left + np.array([rng.uniform(500, 1200), 0.0]) + rng.normal(0, 20, (rows, 2))
    refined = np.ascontiguousarray(np.stack([left, right], axis=1).reshape(-1, 2))
    t, dy = rng.uniform(0.5, 0.95, rows), rng.normal(0, 2, rows)
    got = kernels.row_geometry(refined, t, dy, any_dy, 133.0)
    want = row_geometry_reference(refined, t, dy, any_dy, 133.0)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])


@EXAMPLES
@given(img=grey_images(), data=st.data(), gain=st.floats(1.0, 1.5))
def test_window_local_ink(img: np.ndarray, data: st.DataObject, gain: float) -> None:
    """The local-paper score kernel against its numpy twin: the four ring levels equal, the
    sums equal to rounding (the plane is evaluated in another order)."""
    pts = data.draw(points_in(img))
    half = data.draw(st.integers(0, 40))
    ring = data.draw(st.integers(1, 12))
    got, got_levels = kernels.window_local_ink(img, pts, half, ring, gain)
    want, want_levels = window_local_ink_reference(img, pts, half, ring, gain)
    assert np.array_equal(got_levels, want_levels)
    assert np.allclose(got, want, rtol=1e-9, atol=1e-7)


@EXAMPLES
@given(img=grey_images(), data=st.data(), gain=st.floats(1.0, 1.5), marginal=st.floats(0.0, 0.05))
def test_doubt_band(img: np.ndarray, data: st.DataObject, gain: float, marginal: float) -> None:
    """The doubt band in one compiled pass (`kernels.darkest_inside`, `reader.doubt_band`)
    against the third pass's per-square slice and minimum: the same squares, exactly.
    Centres near and beyond the edges (empty or clipped insides), scales from a box of one
    pixel to one wider than the image, scores on both sides of DOUBT_LO and `marginal`,
    paper levels that put the darkest pixel exactly on DOUBT_INK."""
    pts = data.draw(points_in(img))
    n = len(pts)
    scales = np.array([data.draw(st.floats(0.05, 30.0)) for _ in range(n)])
    scores = np.array(
        [data.draw(st.sampled_from([-0.01, 0.0, 0.003, marginal, 0.5 * marginal, 0.1])) for _ in range(n)]
    )
    paper = np.array([[data.draw(st.integers(0, 255)) for _ in range(4)] for _ in range(n)], np.float64)
    s = Scores(scores, paper, 3, 1, gain, np.ones(n))
    got = doubt_band(img, pts, scales, s, marginal).tolist()
    assert got == doubt_band_reference(img, pts, scales, s, marginal)


def test_doubt_band_exact_edge() -> None:
    """A pixel just over DOUBT_INK dark is in the band; one a grey level lighter is not."""
    img = np.full((40, 40), 200, np.uint8)
    img[20, 20] = 109  # 1 - 109/200 = 0.455
    pts = np.array([[20.0, 20.0]])
    s = Scores(np.array([0.001]), np.full((1, 4), 200.0), 3, 1, 1.0, np.ones(1))
    assert doubt_band(img, pts, np.array([4.0]), s, 0.018).tolist() == [True]
    img[20, 20] = 111  # 0.445
    assert doubt_band(img, pts, np.array([4.0]), s, 0.018).tolist() == [False]


@EXAMPLES
@given(
    img=grey_images(),
    data=st.data(),
    gain=st.floats(1.0, 1.5),
    contrast=st.sampled_from([0.03, 0.05, 0.09, 0.2]),
    length=st.sampled_from([0.5, 2.0, 3.0]),
)
def test_faint_runs(
    img: np.ndarray, data: st.DataObject, gain: float, contrast: float, length: float
) -> None:
    """The light-pencil doubt test (`kernels.faint_runs`) against numpy and OpenCV's
    components: random rectangles and strokes, centres at and beyond the edges, reaches
    that leave the image, lengths that are a whole number of pixels."""
    pts = data.draw(points_in(img))
    n = len(pts)
    scales = np.array([data.draw(st.sampled_from([1.0, 2.0, 3.5, 8.0])) for _ in range(n)])
    want = np.array([data.draw(st.booleans()) for _ in range(n)])
    paper = np.array([float(data.draw(st.integers(0, 255))) for _ in range(n)])
    reach = data.draw(st.sampled_from([0.5, 1.0, 2.0]))
    inner = data.draw(st.sampled_from([1.0, 2.3, 5.0]))
    smooth = data.draw(st.sampled_from([0.0, 0.15, 0.3, 1.0]))  # b = 0 to 8 px, boxes beyond the edge
    args = (img, pts, scales, want, paper, gain, inner, reach, contrast, length, smooth)
    assert kernels.faint_runs(*args).tolist() == faint_runs_reference(*args)
