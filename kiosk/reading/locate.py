"""Finding the page: corner fiducials, orientation candidates, ink levels.

Works on a coarse subsample (about 25 dpi) of the scan: the fiducials are 7 mm solid
squares, the only large solid squares near the corners of a ballot, and at that
resolution a connected-components pass over the whole page costs a fraction of a
millisecond. Centres are then refined on the full-resolution image.

`find_fiducials` runs the compiled kernels (`kernels.coarse_page`, `coarse_blobs`,
`fiducial_corners`); `find_fiducials_reference` is the same search in numpy and OpenCV
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
    """Locate the four corner fiducials, or None when the image has no ballot page."""
    f = subsample_factor(image)
    small, paper, black = kernels.coarse_page(image, f)
    levels = Levels(paper, black)
    if levels.paper - levels.black < 60:
        return None
    blobs = kernels.coarse_blobs(small, math.floor(levels.mid), MIN_COARSE_AREA)
    pts, paper, black = kernels.fiducial_corners(
        image, small, f, blobs, levels.mid, paper, black, FIDUCIAL, FIDUCIAL_SPAN_MM
    )
    if len(pts) == 0:
        return None
    return Found(_orientations(pts), Levels(paper, black))


def find_fiducials_reference(image: np.ndarray) -> Found | None:
    """`find_fiducials` in numpy and OpenCV calls: what the kernels must reproduce."""
    f = subsample_factor(image)
    small = np.ascontiguousarray(image[f // 2 :: f, f // 2 :: f])
    levels = coarse_levels(small)
    if levels.paper - levels.black < 60:
        return None
    return _corners_from_blobs(image, small, f, levels, coarse_blobs_reference(small, levels.mid))


def coarse_blobs_reference(
    small: np.ndarray, mid: float, min_area: int = MIN_COARSE_AREA
) -> list[list[float]]:
    """[cx, cy, area] of the solid, square-ish dark blobs of the coarse image, in the
    raster order of each blob's first pixel (`kernels.coarse_blobs`)."""
    _, binary = cv2.threshold(small, mid, 255, cv2.THRESH_BINARY_INV)
    h, _w = small.shape
    # A scanner streak is a dark image column from end to end; it would join a fiducial to
    # the text around it. Blank such columns here (the reader checks streaks separately).
    # Only thin lines: a dark scanner background is a wide band of dark columns.
    dark = np.count_nonzero(binary, axis=0)
    padded = np.pad(dark, 3, constant_values=h)
    thin = (dark * 5 > 3 * h) & (padded[:-6] * 2 < h) & (padded[6:] * 2 < h)
    binary[:, thin] = 0
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    blobs = []
    for i in range(1, n):
        _x, y, bw, bh, area = stats[i].tolist()
        if area >= min_area and area > 0.55 * bw * bh and 0.6 * bh < bw < 1.67 * bh:
            first_x = int(np.argmax(labels[y] == i))
            blobs.append((y, first_x, [float(centroids[i, 0]), float(centroids[i, 1]), float(area)]))
    return [b for _, _, b in sorted(blobs, key=lambda b: (b[0], b[1]))]


def _corners_from_blobs(
    image: np.ndarray, small: np.ndarray, f: int, levels: Levels, blobs: list[list[float]]
) -> Found | None:
    """`kernels.fiducial_corners` in Python and numpy."""
    if len(blobs) < 4:
        return None
    # Two passes: pick the extreme blobs, estimate the scale from them, keep blobs of the
    # fiducial size, pick again. A voter's filled square is never the extreme one.
    chosen = _extremes(blobs)
    for _ in range(2):
        corner_pts = [blobs[i][:2] for i in chosen]
        sides = [math.dist(corner_pts[i], corner_pts[(i + 1) % 4]) for i in range(4)]
        short_side = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
        px_per_mm = short_side / FIDUCIAL_SPAN_MM
        expected = (FIDUCIAL * px_per_mm) ** 2
        if expected < 4:
            return None
        blobs = [b for b in blobs if 0.45 * expected < b[2] < 1.8 * expected]
        if len(blobs) < 4:
            return None
        chosen = _extremes(blobs)
    if len(set(chosen)) != 4:
        return None
    coarse_pts = np.array([blobs[i][:2] for i in chosen], dtype=np.float64)
    pts = coarse_pts * f + (f // 2)
    # Centroid of each fiducial's ink at full resolution, the four windows at once.
    r = int(FIDUCIAL * px_per_mm * f * 0.8) + 2
    refined, ink = ink_centroids_reference(image, pts, r, r, levels.mid)
    pts = np.where((ink > 0)[:, None], refined, pts)
    return Found(_orientations(pts), _page_levels(small, coarse_pts, levels))


def _page_levels(small: np.ndarray, pts: np.ndarray, coarse: Levels) -> Levels:
    """Black from the fiducials' centres; paper from the page between them (not the scanner
    background around it)."""
    xi = np.rint(pts[:, 0]).astype(np.intp)
    yi = np.rint(pts[:, 1]).astype(np.intp)
    corners = sorted(small[yi, xi].tolist())
    black = (corners[1] + corners[2]) / 2  # median of four; np.median costs 100x more here
    x0, y0 = pts.min(axis=0).astype(int)
    x1, y1 = pts.max(axis=0).astype(int)
    # (At least 38 coarse pixels each way: a smaller frame makes fiducials of under 4 px.)
    paper = grey_at(grey_cdf(small[y0 : y1 + 1, x0 : x1 + 1]), 0.6)
    if paper - black < 40:
        return coarse
    return Levels(paper, black)


def _extremes(blobs: list[list[float]]) -> list[int]:
    """Indices of the blobs nearest each image corner: top-left, top-right, bottom-right,
    bottom-left (the first one on a tie, as numpy's argmin/argmax)."""
    tl = tr = br = bl = 0
    min_sum = max_sum = blobs[0][0] + blobs[0][1]
    max_diff = blobs[0][0] - blobs[0][1]
    min_diff = max_diff
    for i, (cx, cy, _) in enumerate(blobs):
        total, diff = cx + cy, cx - cy
        if total < min_sum:
            tl, min_sum = i, total
        if total > max_sum:
            br, max_sum = i, total
        if diff > max_diff:
            tr, max_diff = i, diff
        if diff < min_diff:  # cy - cx largest
            bl, min_diff = i, diff
    return [tl, tr, br, bl]


def _orientations(p: np.ndarray) -> tuple[PageCorners, PageCorners]:
    """The page's long side runs between the fiducials that are further apart; that leaves
    two candidates, told apart by where the QR code is (the reader checks)."""
    tl, tr, br, bl = p
    q = p.tolist()  # math.dist on lists: a fraction of np.linalg.norm's cost on 2-vectors
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


def ink_centroids_reference(
    image: np.ndarray, points: np.ndarray, half_w: int, half_h: int, mid: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centroid of the ink (darker than `mid`) in a window around each point, all windows
    at once, and each window's ink pixel count (`kernels.ink_centroids`)."""
    windows, origin = gather_windows(image, points, half_w, half_h)
    n, wh, wwid = windows.shape
    _, flat = cv2.threshold(windows.reshape(n * wh, wwid), mid, 1, cv2.THRESH_BINARY_INV)
    mask = flat.reshape(n, wh, wwid)
    cols = np.add.reduce(mask, axis=1, dtype=np.int32)  # (ufunc reduce: no Python wrapper)
    rows = np.add.reduce(mask, axis=2, dtype=np.int32)
    m00 = np.add.reduce(cols, axis=1, dtype=np.float64)
    mx = cols @ np.arange(wwid, dtype=np.float64)
    my = rows @ np.arange(wh, dtype=np.float64)
    safe = np.maximum(m00, 1.0)
    out = np.empty((n, 2), np.float64)
    out[:, 0] = origin[:, 0] + mx / safe
    out[:, 1] = origin[:, 1] + my / safe
    return out, m00
