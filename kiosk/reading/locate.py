"""Finding the page: corner fiducials, orientation candidates, ink levels.

Works on a coarse subsample (about 25 dpi) of the scan: the fiducials are 7 mm solid
squares, the only large solid squares near the corners of a ballot, and at that
resolution a connected-components pass over the whole page costs a fraction of a
millisecond. Centres are then refined on the full-resolution image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.ballots.layout import EDGE, FIDUCIAL
from kiosk.election.model import BALLOT_WIDTH_MM

FIDUCIAL_SPAN_MM = BALLOT_WIDTH_MM - 2 * EDGE - FIDUCIAL  # centre to centre across the page
COARSE_DPI = 25.0


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
        p = points
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
    cdf: np.ndarray = np.cumsum(hist) / max(1.0, float(hist.sum()))
    return cdf


def grey_at(cdf: np.ndarray, share: float) -> float:
    """The grey level below which `share` of the pixels lie."""
    return float(np.searchsorted(cdf, share))


def coarse_levels(small: np.ndarray) -> Levels:
    cdf = grey_cdf(small)
    return Levels(grey_at(cdf, 0.75), grey_at(cdf, 0.005))


def find_fiducials(image: np.ndarray) -> Found | None:
    """Locate the four corner fiducials, or None when the image has no ballot page."""
    f = subsample_factor(image)
    small = np.ascontiguousarray(image[f // 2 :: f, f // 2 :: f])
    levels = coarse_levels(small)
    if levels.paper - levels.black < 60:
        return None
    _, binary = cv2.threshold(small, levels.mid, 255, cv2.THRESH_BINARY_INV)
    # A scanner streak is a dark image column from end to end; it would join a fiducial to
    # the text around it. Blank such columns here (the reader checks streaks separately).
    # Only thin lines: a dark scanner background is a wide band of dark columns.
    share = cv2.reduce(binary, 0, cv2.REDUCE_AVG, dtype=cv2.CV_32F).ravel() / 255.0
    padded = np.pad(share, 3, constant_values=1.0)
    thin = (share > 0.6) & (padded[:-6] < 0.5) & (padded[6:] < 0.5)
    binary[:, thin] = 0
    n, _, stats, centroids = cv2.connectedComponentsWithStatsWithAlgorithm(
        binary, 8, cv2.CV_32S, cv2.CCL_BBDT
    )
    if n < 5:
        return None
    h, w = small.shape
    # Most components are bits of text: drop them by size first, on the cheap.
    big = np.nonzero(stats[:, 4] >= 4)[0]
    big = big[big > 0]
    st, ce = stats[big], centroids[big]
    x, y, bw, bh, area = st[:, 0], st[:, 1], st[:, 2], st[:, 3], st[:, 4]
    cx, cy = ce[:, 0], ce[:, 1]
    fill = area / np.maximum(1, bw * bh)
    aspect = bw / np.maximum(1, bh)
    inside = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    solid = inside & (fill > 0.55) & (aspect > 0.6) & (aspect < 1.67)
    idx = np.nonzero(solid)[0]
    if len(idx) < 4:
        return None
    # Two passes: pick the extreme blobs, estimate the scale from them, keep blobs of the
    # fiducial size, pick again. A voter's filled square is never the extreme one.
    chosen = _extremes(cx[idx], cy[idx])
    for _ in range(2):
        pts = np.stack([cx[idx][chosen], cy[idx][chosen]], axis=1).tolist()
        sides = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
        short_side = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
        px_per_mm = short_side / FIDUCIAL_SPAN_MM
        expected = (FIDUCIAL * px_per_mm) ** 2
        if expected < 4:
            return None
        ok = (area[idx] > 0.45 * expected) & (area[idx] < 1.8 * expected)
        if ok.sum() < 4:
            return None
        idx = idx[ok]
        chosen = _extremes(cx[idx], cy[idx])
    if len(set(chosen.tolist())) != 4:
        return None
    coarse_pts = np.stack([cx[idx][chosen], cy[idx][chosen]], axis=1)
    pts = coarse_pts * f + (f // 2)
    pts = np.array([_refine(image, p, float(px_per_mm * f), levels) for p in pts])
    return Found(_orientations(pts), _page_levels(small, coarse_pts, levels))


def _page_levels(small: np.ndarray, pts: np.ndarray, coarse: Levels) -> Levels:
    """Black from the fiducials' centres; paper from the page between them (not the scanner
    background around it)."""
    xi = np.rint(pts[:, 0]).astype(np.intp)
    yi = np.rint(pts[:, 1]).astype(np.intp)
    corners = sorted(int(v) for v in small[yi, xi])
    black = (corners[1] + corners[2]) / 2  # median of four; np.median costs 100x more here
    x0, y0 = pts.min(axis=0).astype(int)
    x1, y1 = pts.max(axis=0).astype(int)
    page = small[y0 : y1 + 1, x0 : x1 + 1]
    if page.size < 16:
        return coarse
    paper = grey_at(grey_cdf(page), 0.6)
    if paper - black < 40:
        return coarse
    return Levels(paper, black)


def _extremes(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """Indices of the blobs nearest each image corner: top-left, top-right, bottom-right, bottom-left."""
    return np.array(
        [np.argmin(cx + cy), np.argmax(cx - cy), np.argmax(cx + cy), np.argmax(cy - cx)], dtype=np.intp
    )


def _refine(image: np.ndarray, p: np.ndarray, px_per_mm: float, levels: Levels) -> np.ndarray:
    """Centroid of the fiducial's ink at full resolution."""
    r = int(FIDUCIAL * px_per_mm * 0.8) + 2
    x0, y0 = max(0, int(p[0]) - r), max(0, int(p[1]) - r)
    win = image[y0 : int(p[1]) + r + 1, x0 : int(p[0]) + r + 1]
    if win.size == 0:
        return p
    _, mask = cv2.threshold(win, levels.mid, 1, cv2.THRESH_BINARY_INV)
    m = cv2.moments(mask, binaryImage=True)
    if m["m00"] <= 0:
        return p
    return np.array([x0 + m["m10"] / m["m00"], y0 + m["m01"] / m["m00"]])


def _orientations(p: np.ndarray) -> tuple[PageCorners, PageCorners]:
    """The page's long side runs between the fiducials that are further apart; that leaves
    two candidates, told apart by where the QR code is (the reader checks)."""
    tl, tr, br, bl = p
    horizontal = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    vertical = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if horizontal <= vertical:  # portrait in the image
        return (
            PageCorners.of(np.array([tl, tr, br, bl]), 0),
            PageCorners.of(np.array([br, bl, tl, tr]), 180),
        )
    return (
        PageCorners.of(np.array([tr, br, bl, tl]), 90),
        PageCorners.of(np.array([bl, tl, tr, br]), 270),
    )
