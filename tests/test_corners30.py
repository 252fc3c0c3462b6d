"""speed30 (issue 10, twenty-ninth pass): `corners30.find_page_fast` labels only the coarse
page's corner windows when that is proven to pick the same fiducials, and answers as
`kernels.find_page` (kept as its reference) to the bit: the points, the paper and the black."""

from __future__ import annotations

import math

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import field_sheet  # (pytest puts tests/ on the path)
from test_kernels import grey_images, synthetic_pages

from kiosk.ballots.layout import FIDUCIAL
from kiosk.reading import corners30, kernels, locate
from kiosk.reading.locate import FIDUCIAL_SPAN_MM, MIN_COARSE_AREA, subsample_factor

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELD = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Dev seeds (fieldkit.conditions.HOLDOUT_SEEDS are never used here), one sheet a condition the
# corner search meets: skewed, shifted off the canvas's corner, stained, folded, creased, a
# corner out of the frame, and plain.
FIELD_SHEETS = (
    (105, 0, ("skew",)),
    (105, 1, ("corner_out",)),
    (105, 2, ("stain",)),
    (105, 3, ("fold",)),
    (105, 4, ("crease",)),
    (105, 5, ("skew", "corner_out")),
    (105, 6, ()),
)


def answers(image: np.ndarray) -> tuple[tuple[np.ndarray, float, float], tuple[np.ndarray, float, float]]:
    args = (subsample_factor(image), MIN_COARSE_AREA, FIDUCIAL, FIDUCIAL_SPAN_MM)
    return corners30.find_page_fast(image, *args), kernels.find_page(image, *args)


def assert_same(image: np.ndarray) -> None:
    (pf, paper_f, black_f), (pr, paper_r, black_r) = answers(image)
    assert pf.dtype == pr.dtype and pf.shape == pr.shape
    assert pf.tobytes() == pr.tobytes()
    assert (paper_f, black_f) == (paper_r, black_r)


def proven(image: np.ndarray) -> bool:
    """Whether the windows answered (the fast path) rather than the whole-page search."""
    f = subsample_factor(image)
    small, hist = kernels._sample_hist(image, f)
    paper = kernels._share_index(hist, small.size, 0.75)
    black = kernels._share_index(hist, small.size, 0.005)
    ithresh = math.floor((paper + black) / 2)
    blank = kernels._dark_columns_counted(small, ithresh)
    return bool(corners30.window_blobs(small, blank, ithresh, MIN_COARSE_AREA, FIDUCIAL, FIDUCIAL_SPAN_MM)[1])


@EXAMPLES
@given(img=synthetic_pages())
def test_fast_on_synthetic_pages(img: np.ndarray) -> None:
    assert_same(img)


@EXAMPLES
@given(img=grey_images(max_side=120))
def test_fast_on_grey_images(img: np.ndarray) -> None:
    """Tiny and noisy images: windows of one or two pixels, blobs cut by every side."""
    assert_same(img)


def _transformed(data: st.DataObject, image: np.ndarray) -> np.ndarray:
    """A field sheet moved about: turned a little more, shifted, cropped, a dark blot or a
    black corner (the scanner's lid) near a fiducial, a dark band along an edge."""
    img = image.copy()
    h, w = img.shape
    paper = int(np.percentile(img, 75))
    angle = data.draw(st.floats(-6.0, 6.0))
    dx, dy = data.draw(st.integers(-w // 8, w // 8)), data.draw(st.integers(-h // 8, h // 8))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[0, 2] += dx
    m[1, 2] += dy
    fill = data.draw(st.sampled_from([paper, 0, 30, 255]))
    img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)
    for _ in range(data.draw(st.integers(0, 3))):  # blots and stains, often near a corner
        cy = data.draw(st.sampled_from([0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95]))
        cx = data.draw(st.sampled_from([0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95]))
        r = data.draw(st.integers(3, max(4, w // 10)))
        cv2.circle(img, (int(cx * w), int(cy * h)), r, data.draw(st.integers(0, 200)), -1)
    if data.draw(st.booleans()):  # a corner out: a black triangle over it
        corner = data.draw(st.integers(0, 3))
        size = data.draw(st.integers(10, w // 3))
        x0, y0 = (0, w - 1, w - 1, 0)[corner], (0, 0, h - 1, h - 1)[corner]
        sx, sy = (1, -1, -1, 1)[corner], (1, 1, -1, -1)[corner]
        tri = np.array([[x0, y0], [x0 + sx * size, y0], [x0, y0 + sy * size]], np.int32)
        cv2.fillPoly(img, [tri], data.draw(st.integers(0, 60)))
    if data.draw(st.booleans()):  # a dark band along an edge (the lid's shadow)
        band = data.draw(st.integers(1, h // 10))
        side = data.draw(st.integers(0, 3))
        v = data.draw(st.integers(0, 80))
        if side == 0:
            img[:band] = v
        elif side == 1:
            img[-band:] = v
        elif side == 2:
            img[:, :band] = v
        else:
            img[:, -band:] = v
    if data.draw(st.booleans()):  # cropped
        t, b = data.draw(st.integers(0, h // 10)), data.draw(st.integers(0, h // 10))
        left, right = data.draw(st.integers(0, w // 10)), data.draw(st.integers(0, w // 10))
        img = img[t : h - b, left : w - right]
    return np.ascontiguousarray(img)


@FIELD
@given(data=st.data())
def test_fast_on_field_sheets_moved_about(data: st.DataObject) -> None:
    seed, index, always = data.draw(st.sampled_from(FIELD_SHEETS))
    _, _, image = field_sheet(seed, index, always)
    assert_same(_transformed(data, image))


def test_field_sheets_as_made() -> None:
    """The sheets as fieldkit made them: the same answer; the windows answer on the skewed,
    stained and creased ones (the fast path is taken, not only the fallback); on the others a
    dark component from the canvas's edge or a blot reaches nearer a corner than its fiducial,
    out of the window, and the whole page's search answers."""
    taken = set()
    for seed, index, always in FIELD_SHEETS:
        _, _, image = field_sheet(seed, index, always)
        assert_same(image)
        if proven(image):
            taken.add(always)
    assert {("skew",), ("stain",), ("crease",)} <= taken


def _page(corners: bool = True) -> np.ndarray:
    """A plain coarse-sized page, 9x its coarse pixels, with four fiducial squares."""
    h, w = 1800, 1260
    img = np.full((h, w), 235, np.uint8)
    side = 60  # about 7 mm here
    for y, x in ((90, 90), (90, w - 90), (h - 90, w - 90), (h - 90, 90)):
        img[y - side // 2 : y + side // 2, x - side // 2 : x + side // 2] = 20
    return img


def test_windows_answer_on_a_plain_page() -> None:
    img = _page()
    assert proven(img)
    assert_same(img)
    pts = answers(img)[0][0]
    assert pts.shape == (4, 2)


def test_a_missing_fiducial_falls_back() -> None:
    """The top-left fiducial gone and a square of its size out of the top-left window (nearer
    that corner than any other): the windows cannot prove the corner; the whole page's
    search answers, picking the square outside the window."""
    img = _page()
    img[50:130, 50:130] = 235
    img[600:652, 300:352] = 20  # below the window, nearer the corner than the other fiducials
    assert not proven(img)
    assert_same(img)
    pts = answers(img)[0][0]
    assert abs(pts[0, 0] - 325.5) < 2 and abs(pts[0, 1] - 625.5) < 2


def test_a_cut_component_near_the_corner_falls_back() -> None:
    """A long dark bar from inside the top-left window out of it, passing nearer the corner
    than the fiducial: it may be a blob beyond the window, so the windows do not answer."""
    img = _page()
    img[20:60, 20:1000] = 20
    assert not proven(img)
    assert_same(img)


def test_flag_off_is_find_page() -> None:
    img = _page()
    saved = locate.FAST_FIND_PAGE
    try:
        locate.FAST_FIND_PAGE = False
        off = locate.find_fiducials(img)
        locate.FAST_FIND_PAGE = True
        on = locate.find_fiducials(img)
    finally:
        locate.FAST_FIND_PAGE = saved
    assert off is not None and on is not None
    assert off.levels == on.levels
    for a, b in zip(off.corners, on.corners, strict=True):
        assert a.points.tobytes() == b.points.tobytes()
