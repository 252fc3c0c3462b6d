"""Finding the page: corner fiducials, orientation candidates, ink levels.

Works on a coarse subsample (about 25 dpi) of the scan: the fiducials are 7 mm solid
squares, the only large solid squares near the corners of a ballot, and at that
resolution a connected-components pass over the whole page costs a fraction of a
millisecond. Centres are then refined on the full-resolution image.

`find_fiducials` runs the compiled kernels (`kernels.coarse_page`, `coarse_blobs`,
`fiducial_corners`); `reference.find_fiducials_reference` is the same search in numpy and OpenCV
calls, which the kernels must reproduce exactly (tests/test_kernels.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.ballots.layout import EDGE, FIDUCIAL
from kiosk.election.model import BALLOT_WIDTH_MM
from kiosk.reading import kernels

FIDUCIAL_SPAN_MM = BALLOT_WIDTH_MM - 2 * EDGE - FIDUCIAL  # centre to centre across the page
COARSE_DPI = 25.0
MIN_COARSE_AREA = 8  # px at COARSE_DPI: smaller blobs are text, dots, dust (a fiducial is 30-60)


@dataclass(frozen=True)
class Levels:
    paper: float
    black: float

    @property
    def mid(self) -> float:
        return (self.paper + self.black) / 2


@dataclass(frozen=True)
class PageCorners:
    """Fiducial centres in image pixels, in page order: top-left, top-right, bottom-right, bottom-left."""

    points: np.ndarray  # (4, 2) float64
    orientation: int  # degrees the page is turned in the image (clockwise)
    width_px: float
    height_px: float

    @staticmethod
    def of(points: np.ndarray, orientation: int) -> PageCorners:
        p = points.tolist()
        width = (math.dist(p[1], p[0]) + math.dist(p[2], p[3])) / 2
        height = (math.dist(p[3], p[0]) + math.dist(p[2], p[1])) / 2
        return PageCorners(points, orientation, width, height)

    @property
    def px_per_mm(self) -> float:
        return self.width_px / FIDUCIAL_SPAN_MM


@dataclass(frozen=True)
class Found:
    corners: tuple[PageCorners, PageCorners]  # the two orientations the geometry allows
    levels: Levels  # paper and black of the page between the fiducials


def subsample_factor(image: np.ndarray) -> int:
    # The short side of a scan is the page width (148 mm) plus some margin.
    short = min(image.shape[:2])
    return max(1, int(short / (160 / 25.4 * COARSE_DPI) + 0.5))


def grey_cdf(image: np.ndarray) -> np.ndarray:
    """Share of pixels at or below each grey level (256 values)."""
    hist = cv2.calcHist([np.ascontiguousarray(image)], [0], None, [256], [0, 256]).ravel()
    cdf: np.ndarray = hist.cumsum() / max(1.0, float(hist.sum()))
    return cdf


def grey_at(cdf: np.ndarray, share: float) -> float:
    """The grey level below which `share` of the pixels lie."""
    return float(cdf.searchsorted(share))


def coarse_levels(small: np.ndarray) -> Levels:
    paper, black = grey_cdf(small).searchsorted((0.75, 0.005)).tolist()  # grey_at, twice in one call
    return Levels(float(paper), float(black))


def find_fiducials(image: np.ndarray) -> Found | None:
    """Locate the four corner fiducials, or None when the image has no ballot page.

    One compiled call (`kernels.find_page`, front21): the same search as
    `find_fiducials_apart`, which is kept as its reference (tests/test_front21.py)."""
    pts, paper, black = kernels.find_page(
        image, subsample_factor(image), MIN_COARSE_AREA, FIDUCIAL, FIDUCIAL_SPAN_MM
    )
    if len(pts) == 0:
        return None
    return Found(_orientations(pts), Levels(paper, black))


# A thin dark line through or against a fiducial (a scanner streak, a fold) joins it into a
# long blob that is not a square, and the page is lost (seed 12500 sheet 45373: a faint
# streak along a stained fiducial, refused as not_a_ballot). Closing the scan's dark
# features narrower than this takes such lines away and leaves the 7 mm fiducials whole.
THIN_LINE_MM = 1.5
PAGE_WIDTH_IN_SCAN_MM = 160  # the short side of a scan: the page's 148 mm and some margin


def without_thin_lines(image: np.ndarray) -> np.ndarray:
    """The scan with its dark features under THIN_LINE_MM across lightened away (a grey
    closing with a square about that size, the scale guessed from the scan's short side):
    a solid square larger than that comes back exactly where it was."""
    px_per_mm = min(image.shape[:2]) / PAGE_WIDTH_IN_SCAN_MM
    k = 2 * max(1, round(THIN_LINE_MM * px_per_mm / 2)) + 1
    out: np.ndarray = cv2.morphologyEx(
        image, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    return out


def find_fiducials_past_lines(image: np.ndarray) -> Found | None:
    """`find_fiducials_apart` with its blobs found on, and their centres refined on,
    `without_thin_lines(image)`, for when the plain search found nothing or a frame that fails
    (`reader.REFRAMED`). The ink threshold and the paper and black levels stay the scan's own:
    the closing takes away the timing marks and the text too, and the dark end of the closed
    scan's grey levels then climbs into a stain's grey (seed 12500 sheet 45373, closed 1.5 mm
    across: the stain became a blob). The centres are refined on the closed scan, where no line
    pulls them."""
    return find_fiducials_apart(image, past_lines=True)


def find_fiducials_apart(image: np.ndarray, past_lines: bool = False) -> Found | None:
    """`find_fiducials` as three kernel calls (the reader's path until front21); `past_lines`:
    the blobs and their centres from the scan with its thin lines closed away
    (`find_fiducials_past_lines`), the levels from the scan."""
    f = subsample_factor(image)
    small, paper, black = kernels.coarse_page(image, f)
    levels = Levels(paper, black)
    if levels.paper - levels.black < 60:
        return None
    seen = without_thin_lines(image) if past_lines else image
    blobs = kernels.coarse_blobs(
        kernels.coarse_page(seen, f)[0] if past_lines else small, math.floor(levels.mid), MIN_COARSE_AREA
    )
    pts, paper, black = kernels.fiducial_corners(
        seen, small, f, blobs, levels.mid, paper, black, FIDUCIAL, FIDUCIAL_SPAN_MM
    )
    if len(pts) == 0:
        return None
    return Found(_orientations(pts), Levels(paper, black))


def _orientations(p: np.ndarray) -> tuple[PageCorners, PageCorners]:
    """The page's long side runs between the fiducials that are further apart; that leaves
    two candidates, told apart by where the QR code is (the reader checks)."""
    q = p.tolist()  # math.dist on lists: a fraction of np.linalg.norm's cost on 2-vectors
    horizontal = (math.dist(q[1], q[0]) + math.dist(q[2], q[3])) / 2
    vertical = (math.dist(q[3], q[0]) + math.dist(q[2], q[1])) / 2
    # front21: p[order] is the same new (4, 2) float64 array as np.array([...]) of the rows,
    # in one call; and each candidate's width and height are `horizontal` and `vertical`,
    # which `PageCorners.of` would compute again from the same pairs of fiducials: math.dist
    # takes the absolute differences (so d(a, b) == d(b, a) exactly) and a + b == b + a, so
    # they are equal to the bit (tests/test_front21.py checks against `_orientations_apart`).
    if horizontal <= vertical:  # portrait in the image
        return (
            PageCorners(p[_ORDER_0], 0, horizontal, vertical),
            PageCorners(p[_ORDER_180], 180, horizontal, vertical),
        )
    return (
        PageCorners(p[_ORDER_90], 90, vertical, horizontal),
        PageCorners(p[_ORDER_270], 270, vertical, horizontal),
    )


def _orientations_apart(p: np.ndarray) -> tuple[PageCorners, PageCorners]:
    """`_orientations` as it was until front21 (its reference)."""
    tl, tr, br, bl = p
    q = p.tolist()
    horizontal = (math.dist(q[1], q[0]) + math.dist(q[2], q[3])) / 2
    vertical = (math.dist(q[3], q[0]) + math.dist(q[2], q[1])) / 2
    if horizontal <= vertical:  # portrait in the image
        return (
            PageCorners.of(np.array([tl, tr, br, bl]), 0),
            PageCorners.of(np.array([br, bl, tl, tr]), 180),
        )
    return (
        PageCorners.of(np.array([tr, br, bl, tl]), 90),
        PageCorners.of(np.array([bl, tl, tr, br]), 270),
    )


# The fiducials (top-left, top-right, bottom-right, bottom-left in the image) in page order
# for each orientation.
_ORDER_0 = np.array([0, 1, 2, 3])
_ORDER_180 = np.array([2, 3, 0, 1])
_ORDER_90 = np.array([1, 2, 3, 0])
_ORDER_270 = np.array([3, 0, 1, 2])


def project(h: np.ndarray, points_h: np.ndarray) -> np.ndarray:
    """Homogeneous (3, n) points through a homography to (n, 2) image points, written out
    element by element as the kernels do it (a matrix product may add in another order)."""
    x, y, z = points_h
    px = h[0, 0] * x + h[0, 1] * y + h[0, 2] * z
    py = h[1, 0] * x + h[1, 1] * y + h[1, 2] * z
    pz = h[2, 0] * x + h[2, 1] * y + h[2, 2] * z
    out = np.empty((len(x), 2))
    out[:, 0], out[:, 1] = px / pz, py / pz
    return out


# --- windows around points -----------------------------------------------------------------


def gather_windows(
    image: np.ndarray, centres: np.ndarray, half_w: int, half_h: int
) -> tuple[np.ndarray, np.ndarray]:
    """All windows of one size around `centres`, as one (n, 2*half_h+1, 2*half_w+1) array,
    and each window's top-left corner. Windows are shifted inside the image at its edges."""
    hh, ww = image.shape
    size_w, size_h = min(2 * half_w + 1, ww), min(2 * half_h + 1, hh)
    # (np.minimum/np.maximum: np.clip's Python wrapper costs more than the clipping here.)
    x0 = np.minimum(np.maximum(np.rint(centres[:, 0]).astype(np.intp) - half_w, 0), ww - size_w)
    y0 = np.minimum(np.maximum(np.rint(centres[:, 1]).astype(np.intp) - half_h, 0), hh - size_h)
    # A strided view of every possible window; indexing it copies just the ones we want.
    # (The ndarray constructor is one C call; sliding_window_view does the same in Python.)
    s0, s1 = image.strides
    shape = (hh - size_h + 1, ww - size_w + 1, size_h, size_w)
    if image.flags.c_contiguous:
        view = np.ndarray(shape, image.dtype, image, 0, (s0, s1, s0, s1))
    else:
        view = np.lib.stride_tricks.as_strided(image, shape, (s0, s1, s0, s1), writeable=False)
    origin = np.empty((len(x0), 2), np.intp)
    origin[:, 0], origin[:, 1] = x0, y0
    return view[y0, x0], origin
