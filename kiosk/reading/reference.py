"""The slow, obvious references of the reader's fast steps, apart from the fast path.

Each function here computes what one compiled kernel or one fast numpy step computes,
written with library calls or plain loops, so that the fast code can be checked against
it (tests/test_kernels.py, tests/test_inspect.py, tests/test_reading_properties.py). No
production module imports this one (tests/test_reading_reference.py checks it): an
official station never runs these.

- `find_fiducials_reference`, `coarse_blobs_reference`, `ink_centroids_reference`:
  `locate.find_fiducials` and its kernels.
- `qr_nearest_reference`, `qr_match_reference`: `kernels.qr_nearest`, `QrBook.match`.
- `timing_rows_reference`, `row_geometry_reference`, `window_local_ink_reference`,
  `window_ink_sums_reference`, `streak_crosses_reference`: the reader's kernels.
- `score_squares_reference`: the whole score, from a page warped flat.
- `find_crossing_line_reference`, `line_residual_reference`, `dot_blob_reference`,
  `faint_stroke_reference`, `fill_measures_reference`, `stroke_contrast_reference`,
  `pencil_stroke_reference`, `lines_divided_out_reference`: the closer look (`inspect`).
- `stroke_could_hold_reference`: `kernels.stroke_could_hold`, foot16's first stage (foot17).
- `corner_quadrants_reference`: `kernels.corner_quadrants`, edge16's gate for a side (edge18).
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.ballots.layout import FIDUCIAL, TARGET, TARGET_STROKE, BallotLayout
from kiosk.reading import kernels
from kiosk.reading.inspect import (
    ABOVE_LINE,
    ANGLES,
    BESIDE_MM,
    CLOSE_MM,
    DOT_MIN_MM2,
    DOT_MM,
    DOT_RIM_MM,
    FAINT_STROKE,
    FAINT_STROKE_MM,
    LINE_BAND_MM,
    LINE_MAX_LEVEL,
    LINE_SHARE,
    PENCIL_CONTRAST,
    PENCIL_INSET_MM,
    PENCIL_REACH_MM,
    PENCIL_RUN_MM,
    PENCIL_SMOOTH_MM,
    RING_FREE,
    STAIN_CLOSE_MM,
    Line,
    StainMeasures,
    _candidates,
    _checked,
    _hidden,
)
from kiosk.reading.lines6 import BORDER_ZONE_MM, END_STEP_PX, PEN_DOUBT_LO  # issue 10, sixth pass (line6)
from kiosk.reading.locate import (
    FIDUCIAL_SPAN_MM,
    MIN_COARSE_AREA,
    Found,
    Levels,
    _orientations,
    coarse_levels,
    gather_windows,
    grey_at,
    grey_cdf,
    project,
    subsample_factor,
)
from kiosk.reading.qr import KnownCode, QrBook
from kiosk.reading.reader import (
    _INNER_MM,
    DOUBT_INK,
    DOUBT_LO,
    FAINT_CONTRAST,
    FAINT_REACH_MM,
    FAINT_RUN_MM,
    PENCIL_LO,
    RING_MM,
    WINDOW_MARGIN_MM,
    Bands,
    Scores,
    _scores_from_sums,
    ink_gain,
    row_geometry_numpy,
    side_bands_apart,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kiosk.reading.lines7 import Page

# The numpy row geometry is also the production path when timing marks are missing.
row_geometry_reference = row_geometry_numpy


def qr_match_reference(
    book: QrBook, image: np.ndarray, page_to_image: np.ndarray, qr_x: float, qr_y: float, height_mm: float
) -> KnownCode | None:
    """`QrBook.match` with `qr_nearest_reference` in place of the kernel."""
    return book._match(qr_nearest_reference, image, page_to_image, qr_x, qr_y, height_mm)


# --- from locate.py ------------------------------------------------------------


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


# --- from qr.py ------------------------------------------------------------


def qr_nearest_reference(
    image: np.ndarray, hm: np.ndarray, module_mm: np.ndarray, qr_x: float, qr_y: float, matrices: np.ndarray
) -> tuple[int, int, int]:
    """`kernels.qr_nearest` in numpy calls."""
    grid = project(hm, module_mm + np.array([[qr_x], [qr_y], [0.0]]))
    xs = np.rint(grid[:, 0]).astype(np.intp)
    ys = np.rint(grid[:, 1]).astype(np.intp)
    h, w = image.shape
    if xs.min() < 0 or ys.min() < 0 or xs.max() >= w or ys.max() >= h:
        return -1, -1, -1
    values = image[ys, xs]
    part = values.copy()
    rank = kernels.QR_END_RANK
    part.partition((rank, values.size - rank - 1))
    lo, hi = int(part[rank]), int(part[values.size - rank - 1])
    if hi - lo < kernels.QR_MIN_CONTRAST:
        return -1, -1, -1
    bits = values < (lo + hi) // 2
    dist = np.add.reduce(matrices != bits, axis=1, dtype=np.intp)
    order = dist.argsort(kind="stable")
    second = int(dist[order[1]]) if len(order) > 1 else values.size + 1
    return int(order[0]), int(dist[order[0]]), second


# --- from reader.py ------------------------------------------------------------


def timing_rows_reference(
    image: np.ndarray,
    h: np.ndarray,
    marks_h: np.ndarray,
    half_w: int,
    half_h: int,
    mid: float,
    expected: float,
) -> tuple[np.ndarray, np.ndarray, int]:
    """`kernels.timing_rows` in numpy."""
    predicted = project(h, marks_h)
    refined, m00 = ink_centroids_reference(image, predicted, half_w, half_h, mid)
    ok = (m00 >= 0.5 * expected) & (m00 <= 1.7 * expected)
    refined[~ok] = np.nan
    return predicted, refined, int(ok.reshape(-1, 2).all(axis=1).sum())


def window_local_ink_reference(
    image: np.ndarray, centres: np.ndarray, half: int, ring: int, gain: float
) -> tuple[np.ndarray, np.ndarray]:
    """`kernels.window_local_ink` in numpy: every window gathered at once; each ring side's
    level from its histogram; the plane of inverse levels; ink clipped and summed."""
    windows, _ = gather_windows(image, centres, half, half)
    n, size_h, size_w = windows.shape
    r = max(1, min(ring, size_w // 3, size_h // 3))
    sides = [
        windows[:, :r, :],
        windows[:, max(r, size_h - r) :, :],
        windows[:, r : size_h - r, :r],
        windows[:, r : size_h - r, size_w - r :],
    ]
    levels = np.empty((n, 4))
    for j, side in enumerate(sides):
        flat = side.reshape(n, -1)
        for k in range(n):
            cdf = np.cumsum(np.bincount(flat[k], minlength=256)).astype(np.float32) / np.float32(
                max(1, flat.shape[1])
            )
            levels[k, j] = max(1.0, float(np.searchsorted(cdf, kernels.LOCAL_PAPER_SHARE)))
    inv = 1.0 / levels
    i_c = inv.sum(axis=1) / 4.0
    g_x = (inv[:, 3] - inv[:, 2]) / max(1.0, size_w - r)
    g_y = (inv[:, 1] - inv[:, 0]) / max(1.0, size_h - r)
    ys = np.arange(size_h)[None, :, None] - (size_h - 1) / 2.0
    xs = np.arange(size_w)[None, None, :] - (size_w - 1) / 2.0
    plane = i_c[:, None, None] + g_y[:, None, None] * ys + g_x[:, None, None] * xs
    ink = np.clip(gain * (1.0 - windows * plane), 0.0, 1.0)
    sums: np.ndarray = ink.sum(axis=(1, 2))
    return sums, levels


def dark_inside_reference(
    image: np.ndarray, centre: np.ndarray, scale: float, scores: Scores, i: int
) -> bool:
    """Does the inside of square `i` (0.35 mm in from its printed border) hold a pixel at
    least DOUBT_INK dark against the lightest side of its window's ring? One slice and
    one min per square: the doubt-band test as the third pass ran it in Python, before
    `kernels.darkest_inside` (`reader.doubt_band`)."""
    r = int(_INNER_MM * scale)
    cx, cy = round(float(centre[0])), round(float(centre[1]))
    hh, ww = image.shape
    x0, x1, y0, y1 = max(0, cx - r), min(ww, cx + r + 1), max(0, cy - r), min(hh, cy + r + 1)
    if x1 <= x0 or y1 <= y0:
        return False
    darkest = float(image[y0:y1, x0:x1].min())
    paper = max(1.0, float(scores.paper[i].max()))
    return scores.gain * (1.0 - darkest / paper) >= DOUBT_INK


def doubt_band_reference(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, marginal: float
) -> list[bool]:
    """`reader.doubt_band` square by square: the third pass's loop (pen-dark pixel), then
    the faint-stroke test for light pencil on the squares that are still out."""
    out = []
    for i, sc in enumerate(scores.scores.tolist()):
        look = not (
            sc < marginal
            and not (sc >= PEN_DOUBT_LO and dark_inside_reference(image, centres[i], scales[i], scores, i))
        )
        if not look and sc >= DOUBT_LO:
            r = int(_INNER_MM * scales[i])
            cx, cy = round(float(centres[i][0])), round(float(centres[i][1]))
            hh, ww = image.shape
            x0, x1, y0, y1 = max(0, cx - r), min(ww, cx + r + 1), max(0, cy - r), min(hh, cy + r + 1)
            paper = max(1.0, float(scores.paper[i].max()))
            if (
                x1 > x0
                and y1 > y0
                and scores.gain * (1.0 - float(image[y0:y1, x0:x1].min()) / paper) >= FAINT_CONTRAST
            ):
                look = faint_runs_reference(
                    image,
                    centres[i : i + 1],
                    scales[i : i + 1],
                    np.ones(1, np.bool_),
                    np.array([paper]),
                    scores.gain,
                    _INNER_MM,
                    FAINT_REACH_MM,
                    FAINT_CONTRAST,
                    FAINT_RUN_MM,
                )[0]
        if not look and sc >= PENCIL_LO:
            # Pass 5: the same with every pixel its box's mean, fainter, further in.
            r = int(_INNER_MM * scales[i])
            cx, cy = round(float(centres[i][0])), round(float(centres[i][1]))
            hh, ww = image.shape
            x0, x1, y0, y1 = max(0, cx - r), min(ww, cx + r + 1), max(0, cy - r), min(hh, cy + r + 1)
            paper = max(1.0, float(scores.paper[i].max()))
            if (
                x1 > x0
                and y1 > y0
                and scores.gain * (1.0 - float(image[y0:y1, x0:x1].min()) / paper) >= PENCIL_CONTRAST
            ):
                look = faint_runs_reference(
                    image,
                    centres[i : i + 1],
                    scales[i : i + 1],
                    np.ones(1, np.bool_),
                    np.array([paper]),
                    scores.gain,
                    _INNER_MM - PENCIL_INSET_MM,
                    PENCIL_REACH_MM,
                    PENCIL_CONTRAST,
                    PENCIL_RUN_MM,
                    PENCIL_SMOOTH_MM,
                )[0]
        out.append(look)
    return out


def _FOUR_AND_CENTRE(d: int) -> list[tuple[int, int]]:
    return [(0, -d), (0, d), (-d, 0), (d, 0), (0, 0)]


def faint_runs_reference(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    want: np.ndarray,
    paper: np.ndarray,
    gain: float,
    inner_mm: float,
    reach_mm: float,
    contrast: float,
    length_mm: float,
    smooth_mm: float = 0.0,
) -> list[bool]:
    """`kernels.faint_runs` in numpy and OpenCV: the image padded with its edge, summed
    over each pixel's (2b + 1)^2 box (numpy's sliding windows, whole numbers), the four
    shifted copies, and OpenCV's 8-connected components' boxes."""
    hh, ww = image.shape
    out = []
    for k in range(len(centres)):
        r = int(inner_mm * scales[k])
        d = max(1, int(np.rint(reach_mm * scales[k])))
        b = max(0, int(np.rint(smooth_mm * scales[k])))
        cx, cy = int(np.rint(centres[k, 0])), int(np.rint(centres[k, 1]))
        x0, x1, y0, y1 = max(0, cx - r), min(ww, cx + r + 1), max(0, cy - r), min(hh, cy + r + 1)
        if not want[k] or x1 <= x0 or y1 <= y0:
            out.append(False)
            continue
        e = d + b
        g = np.pad(image.astype(np.int64), e, mode="edge")[y0 : y1 + 2 * e, x0 : x1 + 2 * e]
        sums = np.lib.stride_tricks.sliding_window_view(g, (2 * b + 1, 2 * b + 1)).sum(axis=(2, 3))
        # sums[i, j]: the box centred on the inside's pixel (i - d, j - d).
        bh, bw = y1 - y0, x1 - x0
        shifted = [sums[d + dy : d + dy + bh, d + dx : d + dx + bw] for dy, dx in _FOUR_AND_CENTRE(d)]
        left, right, up, down, centre = shifted
        t = np.maximum(np.minimum(left, right), np.minimum(up, down)) - centre
        p = max(1.0, float(paper[k])) * ((2 * b + 1) * (2 * b + 1))
        mask = (gain * t.astype(np.float64) / p) >= contrast
        n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        longest = max(
            (max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) for i in range(1, n)),
            default=0,
        )
        out.append(n > 1 and longest >= length_mm * scales[k])
    return out


def window_ink_sums_reference(
    image: np.ndarray, centres: np.ndarray, half: int, lut: np.ndarray
) -> np.ndarray:
    """`kernels.window_ink_sums` in numpy: every window gathered at once, ink by table."""
    windows, _ = gather_windows(image, centres, half, half)
    n, side_h, side_w = windows.shape
    ink = cv2.LUT(windows.reshape(n * side_h, side_w), lut).reshape(n, side_h * side_w)
    sums: np.ndarray = np.add.reduce(ink, axis=1, dtype=np.float64)
    return sums


def streak_crosses_reference(
    image: np.ndarray,
    y0: int,
    y1: int,
    step: int,
    x0: int,
    x1: int,
    mid: float,
    dark_share: float,
    lo: np.ndarray,
    hi: np.ndarray,
) -> bool:
    """`kernels.streak_crosses` in numpy."""
    band = image[y0:y1:step, x0:x1]
    dark = np.count_nonzero(band < mid, axis=0)
    cols = (dark >= dark_share * band.shape[0]).nonzero()[0] + x0
    return bool(((cols[:, None] >= lo[None, :]) & (cols[:, None] <= hi[None, :])).any())


def score_squares_reference(
    image: np.ndarray, h: np.ndarray, layout: BallotLayout, levels: Levels, px_per_mm: float
) -> np.ndarray:
    """Plain reference: warp the page flat with the corner homography, then sum the ink in
    each square's window in page coordinates. Slow and obvious; the fast path must agree.

    `px_per_mm` should be at least the scan's own resolution: resampling below it skips
    pixels, and a thin printed border's ink would then depend on where the samples fall."""
    gain = ink_gain(levels)
    sums = []
    for win, (top_l, bottom_l, left_l, right_l), ring in _reference_windows(image, h, layout, px_per_mm):
        side = win.shape[0]
        centre = (side - 1) / 2
        ys, xs = np.mgrid[0:side, 0:side] - centre
        inv = (
            (1 / top_l + 1 / bottom_l + 1 / left_l + 1 / right_l) / 4
            + (1 / right_l - 1 / left_l) / (side - ring) * xs
            + (1 / bottom_l - 1 / top_l) / (side - ring) * ys
        )
        sums.append(float(np.clip(gain * (1 - win * inv), 0, 1).sum()))
    return _scores_from_sums(np.array(sums), np.full(len(sums), px_per_mm), (TARGET - 2 * TARGET_STROKE) ** 2)


def window_paper_reference(
    image: np.ndarray, h: np.ndarray, layout: BallotLayout, px_per_mm: float
) -> np.ndarray:
    """The paper level `score_squares_reference` takes on each side of each window (top,
    bottom, left, right), shape (squares, 4): what a disagreement with the fast path's own
    ring levels (`Scores.paper`) is measured against."""
    return np.array([lv for _, lv, _ in _reference_windows(image, h, layout, px_per_mm)])


def _reference_windows(
    image: np.ndarray, h: np.ndarray, layout: BallotLayout, px_per_mm: float
) -> list[tuple[np.ndarray, tuple[float, float, float, float], int]]:
    """Each square's window of the flattened page, the 75th percentile of the paper on each
    side of its outer ring, and the ring's width in pixels."""
    scale = np.diag([px_per_mm, px_per_mm, 1.0])
    page_size = (int(layout.width_mm * px_per_mm), int(layout.height_mm * px_per_mm))
    flat = cv2.warpPerspective(
        image.astype(np.float32),
        h @ np.linalg.inv(scale),
        page_size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255.0,
    )
    ring = max(1, round(RING_MM * px_per_mm))
    out = []
    for t in layout.targets:
        x0 = round((t.box.x - WINDOW_MARGIN_MM) * px_per_mm)
        y0 = round((t.box.y - WINDOW_MARGIN_MM) * px_per_mm)
        side = round((TARGET + 2 * WINDOW_MARGIN_MM) * px_per_mm)
        win = flat[y0 : y0 + side, x0 : x0 + side]
        # The paper on each side of the window's outer ring, then the plane through them.
        top, bottom = win[:ring], win[side - ring :]
        left, right = win[ring : side - ring, :ring], win[ring : side - ring, side - ring :]
        top_l, bottom_l, left_l, right_l = (
            max(1.0, float(np.percentile(p, 75))) for p in (top, bottom, left, right)
        )
        out.append((win, (top_l, bottom_l, left_l, right_l), ring))
    return out


# --- from inspect.py ------------------------------------------------------------


def line_residual_reference(ink: np.ndarray, offs: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """`line_residual`, one pixel at a time."""
    h, w = ink.shape
    groups: dict[int, list[float]] = {}
    for y in range(h):
        for x in range(w):
            if clear[y, x]:
                groups.setdefault(int(offs[y, x]), []).append(float(ink[y, x]))
    level = {}
    for b, vals in groups.items():
        vals.sort()
        n = len(vals)
        level[b] = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
    out = np.empty((h, w), np.float64)
    for y in range(h):
        for x in range(w):
            v = float(ink[y, x])
            if clear[y, x]:
                a = v - level[int(offs[y, x])]
                v = a if a >= ABOVE_LINE else 0.0
            out[y, x] = v
    return out


def border_line_ink_reference(
    ink: np.ndarray, offs: np.ndarray, clear: np.ndarray, zone: np.ndarray, gain: float
) -> float:
    """`inspect.border_line_ink`, one pixel at a time: the level at each distance the
    median of the clear pixels there, each zone pixel's share added by the line."""
    h, w = ink.shape
    groups: dict[int, list[float]] = {}
    for y in range(h):
        for x in range(w):
            if clear[y, x]:
                groups.setdefault(int(offs[y, x]), []).append(float(ink[y, x]))
    if not groups:
        return 0.0
    level = {}
    for b, vals in groups.items():
        vals.sort()
        n = len(vals)
        level[b] = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
    total = 0.0
    for y in range(h):
        for x in range(w):
            if not zone[y, x]:
                continue
            i = float(ink[y, x])
            d = min(level.get(int(offs[y, x]), 0.0), LINE_MAX_LEVEL) / gain
            if i < 1.0:
                total += (gain - i) * d / (1.0 - d)
    return total


def ring_levels_reference(
    win: np.ndarray, bands: np.ndarray | None, ring: int, levels: np.ndarray
) -> np.ndarray | None:
    """`inspect.ring_levels`, one pixel at a time: each ring pixel to its side (top and
    bottom rows whole, left and right between them, as `window_local_ink_reference`),
    the pixels outside the bands sorted, the one at 75 %."""
    if bands is None:
        return None
    h, w = win.shape
    r = max(1, min(ring, w // 3, h // 3))
    free: list[list[int]] = [[], [], [], []]
    size = [0, 0, 0, 0]
    touched = [False, False, False, False]
    for y in range(h):
        for x in range(w):
            if y < r:
                k = 0
            elif y >= h - r:
                k = 1
            elif x < r:
                k = 2
            elif x >= w - r:
                k = 3
            else:
                continue
            size[k] += 1
            if bands[y, x]:
                touched[k] = True
            else:
                free[k].append(int(win[y, x]))
    if not any(touched):
        return None
    out = [float(v) for v in levels]
    lost = []
    for k in range(4):
        if not touched[k]:
            continue
        if len(free[k]) >= RING_FREE * size[k]:
            vals = sorted(free[k])
            out[k] = max(1.0, float(vals[max(0, math.ceil(0.75 * len(vals)) - 1)]))
        else:
            lost.append(k)
    for k in lost:
        a, b = (2, 3) if k < 2 else (0, 1)
        if a not in lost and b not in lost:
            out[k] = (out[a] + out[b]) / 2
    return np.array(out)


def find_crossing_line_reference(
    thin: np.ndarray,
    inside: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    scale: float,
    inner: float,
    min_share: float = LINE_SHARE,
    hidden: np.ndarray | None = None,
) -> Line | None:
    """`find_crossing_line` as plain loops: for each angle and offset, add up the thin ink of
    every candidate pixel whose rounded offset lies in the band."""
    cand = _candidates(thin, inside)
    if cand is None:
        return None
    yy, xx, w = cand
    u = xs[0, xx]
    v = ys[yy, 0]
    total = float(w.sum())
    hb = max(1, int(LINE_BAND_MM / 2 * scale))
    reach = math.ceil(float(np.hypot(np.abs(xs).max(), np.abs(ys).max()))) + 1
    thetas = np.arange(ANGLES) * (math.pi / ANGLES)
    cos_t, sin_t = np.cos(thetas), np.sin(thetas)  # the fast path's table, value for value
    best, best_a, best_r = -1.0, 0, 0
    for a in range(ANGLES):
        c, s = float(cos_t[a]), float(sin_t[a])
        offs = [round(float(uu) * c + float(vv) * s) for uu, vv in zip(u, v, strict=True)]
        for r in range(-reach, reach + 1):
            acc = sum(float(wi) for o, wi in zip(offs, w, strict=True) if r - hb <= o <= r + hb)
            if acc > best:
                best, best_a, best_r = acc, a, r
    share = best / total
    if share < min_share:
        return None
    line = Line(best_a * (math.pi / ANGLES), float(best_r), share, 0.0)
    return _checked(line, u, v, w, scale, inner, _hidden(hidden, xs, ys, inside))


# --- the closer look's structure tests (inspect.py) --------------------------------------


def _components(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """The 8-connected components of a mask, by a plain flood fill, in raster order."""
    h, w = mask.shape
    seen = np.zeros((h, w), bool)
    out = []
    for y in range(h):
        for x in range(w):
            if mask[y, x] and not seen[y, x]:
                comp, stack = [], [(y, x)]
                seen[y, x] = True
                while stack:
                    cy, cx = stack.pop()
                    comp.append((cy, cx))
                    for dy in (-1, 0, 1):
                        for dx in (-1, 0, 1):
                            ny, nx = cy + dy, cx + dx
                            if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                                seen[ny, nx] = True
                                stack.append((ny, nx))
                out.append(comp)
    return out


def _box_side(comp: list[tuple[int, int]]) -> int:
    ys = [p[0] for p in comp]
    xs = [p[1] for p in comp]
    return max(max(ys) - min(ys) + 1, max(xs) - min(xs) + 1)


def dot_blob_reference(dark: np.ndarray, scale: float) -> np.ndarray | None:
    """`inspect.dot_blob`: flood fill, then every pixel within the rim by brute force."""
    min_area = DOT_MIN_MM2 * scale * scale
    big = [c for c in _components(dark) if len(c) >= min_area]
    if len(big) != 1 or _box_side(big[0]) > DOT_MM * scale:
        return None
    r = max(1, round(DOT_RIM_MM * scale))
    h, w = dark.shape
    out = np.zeros((h, w), bool)
    for y, x in big[0]:
        out[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1] = True
    return out


def faint_stroke_reference(thin: np.ndarray, where: np.ndarray, scale: float) -> bool:
    """`inspect.faint_stroke`: flood fill of the faint thin pixels, the longest box side."""
    comps = _components(where & (thin >= FAINT_STROKE))
    return max((_box_side(c) for c in comps), default=0) >= FAINT_STROKE_MM * scale


def stroke_contrast_reference(win: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    """`inspect.stroke_contrast` in plain loops: each box summed pixel by pixel, every
    coordinate clamped to the window."""
    b = max(0, int(np.rint(PENCIL_SMOOTH_MM * scale)))
    d = max(1, int(np.rint(PENCIL_REACH_MM * scale)))
    h, w = win.shape

    def box(y: int, x: int) -> int:
        return sum(
            int(win[min(max(y + i, 0), h - 1), min(max(x + j, 0), w - 1)])
            for i in range(-b, b + 1)
            for j in range(-b, b + 1)
        )

    out = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            across = min(box(y, x - d), box(y, x + d))
            down = min(box(y - d, x), box(y + d, x))
            t = max(across, down) - box(y, x)
            out[y, x] = gain * float(t) / (max(1.0, paper) * ((2 * b + 1) * (2 * b + 1)))
    return out


def pencil_stroke_reference(
    win: np.ndarray, where: np.ndarray, scale: float, paper: float, gain: float
) -> bool:
    """`inspect.pencil_stroke`: flood fill of the pixels at PENCIL_CONTRAST, the longest box side."""
    comps = _components(where & (stroke_contrast_reference(win, scale, paper, gain) >= PENCIL_CONTRAST))
    return max((_box_side(c) for c in comps), default=0) >= PENCIL_RUN_MM * scale


def _grey_morph(img: np.ndarray, k: int, op: str) -> np.ndarray:
    """Grey dilation ("max") or erosion ("min") over an elliptic k x k element, offset by
    offset, pixels outside the image ignored (OpenCV's default border for both)."""
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    h, w = img.shape
    fill = 0 if op == "max" else 255
    out = np.full((h, w), fill, np.int32)
    c = k // 2
    for dy in range(k):
        for dx in range(k):
            if not element[dy, dx]:
                continue
            oy, ox = dy - c, dx - c
            shifted = np.full((h, w), fill, np.int32)
            ys, ye = max(0, -oy), min(h, h - oy)
            xs, xe = max(0, -ox), min(w, w - ox)
            if ys < ye and xs < xe:
                shifted[ys:ye, xs:xe] = img[ys + oy : ye + oy, xs + ox : xe + ox]
            out = np.maximum(out, shifted) if op == "max" else np.minimum(out, shifted)
    return out.astype(np.uint8)


def fill_measures_reference(
    win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float
) -> tuple[float, float, float] | None:
    """`inspect.fill_measures` with the closing as a max then a min over the element's
    offsets and the 3 x 3 mean as nine shifted copies (edges mirrored without repeating the
    edge pixel, as OpenCV's default border)."""
    k = max(3, int(CLOSE_MM * scale) | 1)
    bg = _grey_morph(_grey_morph(win, k, "max"), k, "min")
    h, w = win.shape
    outside = ~inside & ~border
    ys = np.arange(h)[:, None]
    xs = np.arange(w)[None, :]
    sides = (
        outside & (ys < h // 4),
        outside & (ys >= h - h // 4),
        outside & (xs < w // 4),
        outside & (xs >= w - w // 4),
    )
    if not inside.any() or not all(m.any() for m in sides):
        return None
    darkest_side = min(float(np.median(bg[m])) for m in sides)
    step = gain * (1.0 - float(np.median(bg[inside])) / max(1.0, darkest_side))
    f = win.astype(np.float64)
    padded = np.pad(f, 1, mode="reflect")
    mean = sum(padded[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)) / 9.0
    grain = np.abs(f - mean)
    return step, float(np.mean(grain[inside])), float(np.mean(grain[outside]))


def _float_morph(img: np.ndarray, k: int, op: str) -> np.ndarray:
    """Grey dilation ("max") or erosion ("min") of a float image over an elliptic k x k
    element, pixels outside the image ignored (OpenCV's default border for both)."""
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    h, w = img.shape
    fill = -np.inf if op == "max" else np.inf
    out = np.full((h, w), fill)
    c = k // 2
    for dy in range(k):
        for dx in range(k):
            if not element[dy, dx]:
                continue
            oy, ox = dy - c, dx - c
            shifted = np.full((h, w), fill)
            ys, ye = max(0, -oy), min(h, h - oy)
            xs, xe = max(0, -ox), min(w, w - ox)
            if ys < ye and xs < xe:
                shifted[ys:ye, xs:xe] = img[ys + oy : ye + oy, xs + ox : xe + ox]
            out = np.maximum(out, shifted) if op == "max" else np.minimum(out, shifted)
    return out


def paper_closing_reference(region: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """`inspect.paper_closing`: the 3 x 3 mean as nine shifted copies (edges mirrored
    without repeating the edge pixel, OpenCV's default), the closing as a max then a min
    over the element's offsets, in float64."""
    k = max(3, int(STAIN_CLOSE_MM * scale) | 1)
    f = region.astype(np.float64)
    h, w = f.shape
    padded = np.pad(f, 1, mode="reflect")
    sm = np.zeros((h, w))
    for dy in range(3):
        for dx in range(3):
            sm += padded[dy : dy + h, dx : dx + w]
    sm /= 9.0
    return sm, _float_morph(_float_morph(sm, k, "max"), k, "min")


def stain_measures_reference(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    inside: np.ndarray,
    border: np.ndarray,
    search: np.ndarray,
    denominator: float,
) -> StainMeasures:
    """`inspect.stain_measures` pixel by pixel: the neighbourhood cut out with the
    window's origin rule, each pixel's place (inside, margin, the bands beside the
    printed border, which side) decided on its own."""
    hh, ww = image.shape
    e = math.ceil(STAIN_CLOSE_MM * scale)

    def origin(c: float, side: int, hw: int) -> tuple[int, int]:
        size = min(2 * hw + 1, side)
        return min(max(round(c) - hw, 0), side - size), size

    (ex0, ew), (ey0, eh) = origin(centre[0], ww, half + e), origin(centre[1], hh, half + e)
    (x0, w), (y0, h) = origin(centre[0], ww, half), origin(centre[1], hh, half)
    sm_all, bg_all = paper_closing_reference(image[ey0 : ey0 + eh, ex0 : ex0 + ew], scale)
    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    ink_in = ink_out = 0.0
    pen = 0.0
    bands: dict[tuple[str, int], list[float]] = {}
    margin_bg: list[float] = []
    cells: list[tuple[bool, bool, float]] = []  # (inside, just outside the border, bg)
    for j in range(h):
        for i in range(w):
            sm = float(sm_all[y0 - ey0 + j, x0 - ex0 + i])
            bg = max(float(bg_all[y0 - ey0 + j, x0 - ex0 + i]), 1.0)
            raw = float(image[y0 + j, x0 + i])
            ink = min(max(gain * (1.0 - sm / bg), 0.0), 1.0)
            u, v = i + x0 - centre[0], j + y0 - centre[1]
            box = max(abs(u), abs(v))
            if search[j, i] and (inside[j, i] or not border[j, i]):
                pen = max(pen, min(max(gain * (1.0 - raw / bg), 0.0), 1.0))
                if inside[j, i]:
                    ink_in += ink
                else:
                    ink_out += ink
            if not inside[j, i] and not border[j, i] and box <= half:
                margin_bg.append(bg)
            band_in = bool(inside[j, i]) and box > inner - 0.6 * scale
            band_out = (TARGET / 2 + 0.3) * scale < box <= (TARGET / 2 + 0.9) * scale
            side = -1
            if v < -abs(u):
                side = 0
            elif v > abs(u):
                side = 1
            elif u < -abs(v):
                side = 2
            elif u > abs(v):
                side = 3
            if side >= 0 and (band_in or band_out):
                bands.setdefault(("in" if band_in else "out", side), []).append(bg)
            cells.append((bool(inside[j, i]), band_out, bg))
    steps = [
        1.0 - float(np.median(bands[("in", k)])) / float(np.median(bands[("out", k)]))
        for k in range(4)
        if ("in", k) in bands and ("out", k) in bands
    ]
    paper_ref = float(np.percentile(margin_bg, 90)) if margin_bg else max(c[2] for c in cells)
    dark_in = [1.0 - c[2] / paper_ref for c in cells if c[0]]
    dark_out = [1.0 - c[2] / paper_ref for c in cells if c[1]]
    darker = (
        float(np.percentile(dark_in, 95)) - float(np.percentile(dark_out, 95))
        if dark_in and dark_out
        else 1.0
    )
    return StainMeasures(
        inside=ink_in / denominator,
        outside=ink_out / denominator,
        pen=pen,
        step=min(steps) if len(steps) == 4 else 1.0,
        darker=darker,
    )


def lines_divided_out_reference(
    win: np.ndarray, xs: np.ndarray, ys: np.ndarray, lines: list[Line], clear: np.ndarray, scale: float
) -> np.ndarray:
    """`inspect.lines_divided_out` in plain loops: for each line, each pixel's distance to
    its axis; the paper's median grey beside the band, each whole-pixel distance's median
    grey in the band, and the band's pixels divided by their ratio (float32, as the
    window is kept)."""
    h, w = win.shape
    out = [[np.float32(win[i, j]) for j in range(w)] for i in range(h)]
    hb = LINE_BAND_MM / 2 * scale
    for line in lines:
        c, s = math.cos(line.theta), math.sin(line.theta)
        beside: list[int] = []
        at: dict[int, list[tuple[int, int]]] = {}
        for i in range(h):
            for j in range(w):
                d = float(xs[0, j]) * c + float(ys[i, 0]) * s - line.rho
                if abs(d) <= hb:
                    at.setdefault(int(np.rint(d)), []).append((i, j))
                elif hb + 1 < abs(d) <= hb + 1 + BESIDE_MM * scale and clear[i, j]:
                    beside.append(int(win[i, j]))
        if not beside:
            continue
        paper = max(1.0, float(statistics.median(beside)))
        for pixels in at.values():
            greys = [int(win[i, j]) for i, j in pixels if clear[i, j]]
            if not greys:
                continue
            r = float(statistics.median(greys)) / paper
            if 0.0 < r < 1.0:
                for i, j in pixels:
                    out[i][j] = np.float32(out[i][j] / np.float32(r))
    res = np.zeros((h, w), np.uint8)
    for i in range(h):
        for j in range(w):
            res[i, j] = int(min(255.0, max(0.0, float(np.rint(out[i][j])))))
    return res


# --- stain6 (issue 10, sixth pass): a thumb print's ridges -----------------------------------


def ridge_measures_reference(
    ext: np.ndarray,
    weight: np.ndarray,
    inside: np.ndarray,
    margin: np.ndarray,
    strokes: np.ndarray,
    scale: float,
    gain: float,
    denominator: float,
) -> tuple[float, float, float, float, float, float, float]:
    """`stains6.ridge_measures` written out: the Gaussian's weights from its formula, each
    pixel's blurred grey the weighted mean of the pixels around it that `weight` lets in
    (the image's edge repeated beyond it), the pixel itself where none is near; the
    closing as a max then a min over the ellipse's offsets; then each measure pixel by
    pixel. (peak, inside, outside, texture_in, texture_out, stroke_in, stroke_out)."""
    from kiosk.reading.stains6 import RIDGE_CLOSE_MM, RIDGE_SIGMA_MM

    s = RIDGE_SIGMA_MM * scale
    r = math.ceil(3 * s)
    taps = [math.exp(-(i * i) / (2 * s * s)) for i in range(-r, r + 1)]
    total = sum(taps)
    taps = [t / total for t in taps]
    h, w = ext.shape
    g = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            num = den = 0.0
            for dy in range(-r, r + 1):
                yy = min(max(y + dy, 0), h - 1)
                for dx in range(-r, r + 1):
                    xx = min(max(x + dx, 0), w - 1)
                    k = taps[dy + r] * taps[dx + r] * float(weight[yy, xx])
                    num += k * float(ext[yy, xx])
                    den += k
            g[y, x] = num / den if den > 1e-3 else float(ext[y, x])
    k = max(3, int(RIDGE_CLOSE_MM * scale) | 1)
    paper = np.maximum(_float_morph(_float_morph(g, k, "max"), k, "min"), 1.0)
    peak = total_in = total_out = tex_in = tex_out = 0.0
    n_in = n_out = 0
    s_in: list[float] = []
    s_out: list[float] = []
    for y in range(h):
        for x in range(w):
            ink = min(1.0, max(0.0, gain * (1.0 - g[y, x] / paper[y, x])))
            tex = gain * abs(float(ext[y, x]) - g[y, x]) / paper[y, x]
            if inside[y, x] or margin[y, x]:
                peak = max(peak, ink)
            if inside[y, x]:
                total_in += ink
                tex_in += tex
                n_in += 1
                if not math.isnan(strokes[y, x]):
                    s_in.append(float(strokes[y, x]))
            if margin[y, x]:
                total_out += ink
                tex_out += tex
                n_out += 1
                if not math.isnan(strokes[y, x]):
                    s_out.append(float(strokes[y, x]))
    return (
        peak,
        total_in / denominator,
        total_out / denominator,
        tex_in / n_in if n_in else 0.0,
        tex_out / n_out if n_out else 0.0,
        max(s_in, default=0.0),
        max(s_out, default=0.0),
    )


# --- line6 (issue 10, sixth pass): kiosk/reading/lines6.py ------------------------------


def end_hidden_reference(
    ends_seen: tuple[bool, bool],
    rho: float,
    c: float,
    s: float,
    t_lo: float,
    t_hi: float,
    scale: float,
    hidden: tuple[np.ndarray, float, float] | None,
) -> bool:
    """`lines6.end_hidden` in plain loops: walk each end that was not seen from the
    window's edge towards the middle of the line's chord, half a pixel at a time; every
    pixel on the way that lies in the window's margin (beyond the printed border's zone,
    TARGET / 2 + 0.5 mm from the square's centre) must be under a band already taken out,
    and there must be one."""
    if hidden is None or ends_seen[0] == ends_seen[1]:
        return False
    mask, u0, v0 = hidden
    h, w = mask.shape
    zone = (TARGET / 2 + BORDER_ZONE_MM) * scale
    mid = (t_lo + t_hi) / 2
    for k, seen in enumerate(ends_seen):
        if seen:
            continue
        start, step = (t_lo, END_STEP_PX) if k == 0 else (t_hi, -END_STEP_PX)
        outer = 0
        for n in range(max(0, math.ceil((mid - start) / step))):
            t = start + n * step
            j = round(rho * c - t * s - u0)
            i = round(rho * s + t * c - v0)
            if not (0 <= i < h and 0 <= j < w):
                continue
            if max(abs(j + u0), abs(i + v0)) <= zone:
                continue
            outer += 1
            if not mask[i, j]:
                return False
        if outer == 0:
            return False
    return True


# --- pencil6 (issue 10, the sixth pass: pencil) -------------------------------------------------


def trace_contrast_reference(win: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    """`pencil6.trace_contrast` in plain loops: each box summed pixel by pixel, every
    coordinate clamped to the window, the lighter of the two boxes on both sides taken
    across, down and along both diagonals, the best of the four."""
    from kiosk.reading.pencil6 import TRACE_REACH_MM, TRACE_SMOOTH_MM

    b = max(0, int(np.rint(TRACE_SMOOTH_MM * scale)))
    d = max(1, int(np.rint(TRACE_REACH_MM * scale)))
    h, w = win.shape

    def box(y: int, x: int) -> int:
        return sum(
            int(win[min(max(y + i, 0), h - 1), min(max(x + j, 0), w - 1)])
            for i in range(-b, b + 1)
            for j in range(-b, b + 1)
        )

    out = np.zeros((h, w))
    for y in range(h):
        for x in range(w):
            best = max(
                min(box(y + dy, x + dx), box(y - dy, x - dx)) for dy, dx in ((0, d), (d, 0), (d, d), (d, -d))
            )
            out[y, x] = gain * float(best - box(y, x)) / (max(1.0, paper) * ((2 * b + 1) * (2 * b + 1)))
    return out


def paper_spread_reference(around: np.ndarray) -> float:
    """`pencil6.paper_spread` with np.median (its code before speed19)."""
    if around.size == 0:
        return 0.0
    return 1.4826 * float(np.median(np.abs(around - np.median(around))))


def trace_contrast_numpy(win: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    """`pencil6.trace_contrast` as numpy and OpenCV calls (its code before speed19's
    `kernels.trace_contrast`). Each pixel as a stroke: how much darker (as ink against `paper`) the mean of its
    (2b + 1)^2 box (b = TRACE_SMOOTH_MM) is than the lighter of the two boxes TRACE_REACH_MM
    away on both sides, across, down or along either diagonal, the best of the four
    (the window's edge clamped). Whole-number box sums from one integral image."""
    from kiosk.reading.pencil6 import TRACE_REACH_MM, TRACE_SMOOTH_MM

    b = max(0, int(np.rint(TRACE_SMOOTH_MM * scale)))
    d = max(1, int(np.rint(TRACE_REACH_MM * scale)))
    e = d + b
    h, w = win.shape
    g = np.pad(np.ascontiguousarray(win, np.uint8), e, mode="edge")
    integ = cv2.integral(g, sdepth=cv2.CV_32S).astype(np.int64)
    side = 2 * b + 1
    sums = integ[side:, side:] - integ[:-side, side:] - integ[side:, :-side] + integ[:-side, :-side]
    # sums[i, j]: the box centred on the window's pixel (i - d, j - d).
    centre = sums[d : d + h, d : d + w]
    across = np.minimum(sums[d : d + h, :w], sums[d : d + h, 2 * d : 2 * d + w])
    down = np.minimum(sums[:h, d : d + w], sums[2 * d : 2 * d + h, d : d + w])
    diag = np.minimum(sums[:h, :w], sums[2 * d : 2 * d + h, 2 * d : 2 * d + w])
    anti = np.minimum(sums[:h, 2 * d : 2 * d + w], sums[2 * d : 2 * d + h, :w])
    t = np.maximum(np.maximum(across, down), np.maximum(diag, anti)) - centre
    out: np.ndarray = gain * t.astype(np.float64) / (max(1.0, paper) * (side * side))
    return out


def stroke_could_hold_reference(
    win: np.ndarray,
    ox: float,
    oy: float,
    scale: float,
    paper: float,
    gain: float,
    inside_px: float,
    border_px: float,
    near_px: float,
    around_px: float,
    faint: float,
    arm: float,
    min_px: float,
    square_deg: float,
) -> tuple[bool, bool]:
    """`kernels.stroke_could_hold` (foot17) with `pencil6.trace_contrast` over the whole
    window, OpenCV's 8-connected components and each run's second moments from numpy
    (the kernel's smoothing and reach are pencil6's TRACE_SMOOTH_MM and TRACE_REACH_MM)."""
    from kiosk.reading.pencil6 import trace_contrast

    h, w = win.shape
    xs = np.arange(w)[None, :] - ox
    ys = np.arange(h)[:, None] - oy
    box = np.maximum(np.abs(xs), np.abs(ys))
    c = trace_contrast(win, scale, paper, gain)
    inside = box <= inside_px
    around = (box > border_px) & (box <= around_px)
    out = []
    for where, level in ((inside, faint), (around, arm)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(
            (where & (c >= level)).astype(np.uint8), connectivity=8
        )
        found = False
        for k in range(1, n):
            if stats[k, cv2.CC_STAT_AREA] < 4:
                continue
            if max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) < min_px:
                continue
            if where is inside:
                found = True
                break
            ry, rx = np.nonzero(labels == k)
            if not (box[ry, rx] <= near_px).any():
                continue
            fx, fy = rx.astype(np.float64), ry.astype(np.float64)
            sxx = float(np.mean(fx * fx) - fx.mean() ** 2)
            syy = float(np.mean(fy * fy) - fy.mean() ** 2)
            sxy = float(np.mean(fx * fy) - fx.mean() * fy.mean())
            if math.hypot(sxx - syy, 2.0 * sxy) <= 1e-6 * (sxx + syy):
                found = True
                break
            theta = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
            a = math.degrees(math.atan2(abs(math.sin(theta)), abs(math.cos(theta))))
            lo = square_deg - 1.0
            if lo <= a <= 90.0 - lo:
                found = True
                break
        out.append(found)
    return out[0], out[1]


def corner_quadrants_reference(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    levels: np.ndarray,
    asked: np.ndarray,
    half: int,
    ring: int,
    gain: float,
) -> np.ndarray:
    """`kernels.corner_quadrants` (edge18): `edge16.quadrants` (numpy over the fast score's
    window) of each asked square, one at a time; rows of squares not asked are 0."""
    from kiosk.reading import edge16

    out = np.zeros((centres.shape[0], 4))
    for k in np.flatnonzero(asked):
        out[k] = edge16.quadrants(image, centres[k], float(scales[k]), half, ring, levels[k], gain)
    return out


# --- lines7 (issue 10, the seventh pass: lines) --------------------------------------------------


def contrast_grid_reference(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    shifts: np.ndarray,
    scale: float,
    dark_on: bool = False,
) -> np.ndarray:
    """`lines7.contrast_grid` in plain loops: each pixel of each cross-section looked up
    one by one, the darkest within PATH_NEAR_MM of the path and of the two paths beside it
    taken by hand, the paper level and the print tests written out."""
    from kiosk.reading.lines7 import BESIDE_DARK, BESIDE_DARKER, BESIDE_MM, PATH_NEAR_MM, PRINT_DARK

    hh, ww = image.shape
    near = max(1, round(PATH_NEAR_MM * scale))
    b = round(BESIDE_MM * scale)
    lo, hi = int(min(shifts)) - b - near, int(max(shifts)) + b + near

    def grey(m: int, j: int) -> float:
        qx, qy = int(np.rint(px[m] + j * nx)), int(np.rint(py[m] + j * ny))
        return float(image[qy, qx]) if 0 <= qx < ww and 0 <= qy < hh else math.nan

    samples = [grey(m, j) for m in range(len(px)) for j in range(lo, hi + 1)]
    finite = [v for v in samples if not math.isnan(v)]
    out = np.full((len(shifts), len(px)), np.nan)
    if not finite:
        return out
    level = float(np.percentile(np.array(finite), 75))

    def darkest(m: int, at: int) -> float:
        vals = [grey(m, j) for j in range(at - near, at + near + 1)]
        return math.nan if any(math.isnan(v) for v in vals) else min(vals)

    for r, sh in enumerate(int(x) for x in shifts):
        for m in range(len(px)):
            on, left, right = darkest(m, sh), darkest(m, sh - b), darkest(m, sh + b)
            across = [grey(m, j) for j in range(sh - b - near, sh + b + near + 1)]
            if math.isnan(on) or math.isnan(left) or math.isnan(right) or any(math.isnan(v) for v in across):
                continue
            v = 1.0 - on / max((left + right) / 2, 1.0)
            if (
                (min(across) <= (1.0 - PRINT_DARK) * level and not dark_on)
                or min(left, right) <= (1.0 - BESIDE_DARK) * level
                or v < -BESIDE_DARKER
            ):
                continue
            out[r, m] = v
    return out


def _median_judged(v: np.ndarray, judged: float) -> float:
    """The median of a row's positions on paper, nan when fewer than `judged` of them are
    (`segments_reference`'s; `kernels._segment_medians` does the same in the compiled follower)."""
    ok = np.isfinite(v)
    if ok.sum() < judged * len(v) or not ok.any():
        return math.nan
    return float(np.median(v[ok]))


def segments_reference(
    image: np.ndarray,
    start: tuple[float, float],
    d: tuple[float, float],
    n: tuple[float, float],
    scale: float,
    page: Page,
) -> list[float]:
    """Follow a line from `start` along `d`, segment by segment, each at the offset across
    (`n`) within TRACE_SIDE_MM of the last that shows it darkest: each segment's median
    contrast (nan: not judged), until the sheet's edge or the image's. The numpy code
    `lines7._segments` was before field19 (`kernels.trace_segments`), unchanged."""
    from kiosk.reading.lines7 import (
        STEP_MM,
        TRACE_GONE,
        TRACE_JUDGED,
        TRACE_MIN,
        TRACE_SEG_MM,
        TRACE_SIDE_MM,
        contrast_grid,
    )

    hh, ww = image.shape
    seg = TRACE_SEG_MM * scale
    ts = np.arange(0.0, TRACE_SEG_MM, STEP_MM) * scale
    side = max(1, round(TRACE_SIDE_MM * scale))
    shifts = np.arange(-side, side + 1)
    x, y = start
    out: list[float] = []
    for _ in range(400):  # at most 800 mm: a sheet's length
        px, py = x + ts * d[0], y + ts * d[1]
        on_page = page.inside(px, py) & (px >= 0) & (py >= 0) & (px < ww) & (py < hh)
        if on_page.mean() < TRACE_JUDGED:
            break
        grid = contrast_grid(image, px, py, n[0], n[1], shifts, scale)
        grid[:, ~on_page] = np.nan
        meds = np.array([_median_judged(r, TRACE_JUDGED) for r in grid])
        if np.isfinite(meds).any():
            k = int(np.nanargmax(meds))
            out.append(float(meds[k]))
            if meds[k] >= TRACE_MIN * TRACE_GONE:
                x, y = x + shifts[k] * n[0], y + shifts[k] * n[1]
        else:
            out.append(math.nan)
        x, y = x + seg * d[0], y + seg * d[1]
    return out


# --- settle7 (issue 10, the seventh pass: settling doubt) ---------------------------------------


def best_arm_reference(
    px: np.ndarray, py: np.ndarray, scale: float, angles: np.ndarray
) -> tuple[float, float, float] | None:
    """`settle7.best_arm` in plain loops: for each direction, each pixel's band (its
    distance along the normal, in band widths, rounded down) and 1-px position along
    the line, a set of positions per band; the band covering the most positions wins
    (the first direction, then the lowest band, on a tie)."""
    from kiosk.reading.settle7 import ARM_BAND_MM

    if len(px) == 0 or len(angles) == 0:
        return None
    band = max(1.0, ARM_BAND_MM * scale)
    best: tuple[float, float, float] | None = None
    for a in [float(v) for v in angles]:
        t = math.radians(a)
        c, s = math.cos(t), math.sin(t)
        seen: dict[int, set[int]] = {}
        for x, y in zip(px.tolist(), py.tolist(), strict=True):
            rho = -x * s + y * c
            along = x * c + y * s
            seen.setdefault(math.floor(rho / band), set()).add(math.floor(along))
        k = min(seen, key=lambda r: (-len(seen[r]), r))
        cover = float(len(seen[k]))
        if best is None or cover > best[2]:
            best = (a, (k + 0.5) * band, cover)
    return best


def arm_stops_reference(
    c: np.ndarray, xs: np.ndarray, ys: np.ndarray, angle: float, rho: float, level: float, scale: float
) -> bool:
    """`settle7._stops` in plain loops: along the arm's line from END_FROM_MM beyond the
    centre to the window's edge on each side, 1 px apart, the darkest contrast within
    pencil6.TRACE_SIDEWAYS_MM sideways; on each side at least a millimetre of positions
    and a median under ARM_AGAIN of the arm's level."""
    from kiosk.reading.pencil6 import TRACE_SIDEWAYS_MM
    from kiosk.reading.settle7 import ARM_AGAIN, END_FROM_MM

    h, w = c.shape
    ox, oy = float(-xs[0, 0]), float(-ys[0, 0])
    t = math.radians(angle)
    ca, sa = math.cos(t), math.sin(t)
    off = max(1, round(TRACE_SIDEWAYS_MM * scale))
    for sign in (-1.0, 1.0):
        vals = []
        step = 0
        while True:
            d = END_FROM_MM * scale + step
            x = ox - sa * rho + sign * d * ca
            y = oy + ca * rho + sign * d * sa
            if round(x) < 0 or round(x) >= w or round(y) < 0 or round(y) >= h:
                break
            near = [
                float(c[round(y + k * ca), round(x - k * sa)])
                for k in range(-off, off + 1)
                if 0 <= round(x - k * sa) < w and 0 <= round(y + k * ca) < h
            ]
            if near:
                vals.append(max(near))
            step += 1
        if len(vals) < scale:
            return False
        vals.sort()
        n = len(vals)
        median = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
        if median >= ARM_AGAIN * level:
            return False
    return True


# --- rims7 (issue 10, seventh pass): stains read as votes ----------------------------------


def reach_share_reference(mask: np.ndarray, far: np.ndarray, r: int, ys: np.ndarray, xs: np.ndarray) -> float:
    """`rims7.reach_share` with a plain 8-connected flood fill and the Chebyshev
    neighbourhood walked pixel by pixel."""
    if len(ys) == 0:
        return 0.0
    h, w = mask.shape
    label = [[0] * w for _ in range(h)]
    n = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x] and not label[y][x]:
                n += 1
                label[y][x] = n
                stack = [(y, x)]
                while stack:
                    cy, cx = stack.pop()
                    for dy in (-1, 0, 1):
                        for dx in (-1, 0, 1):
                            yy, xx = cy + dy, cx + dx
                            if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not label[yy][xx]:
                                label[yy][xx] = n
                                stack.append((yy, xx))
    reaching = {label[y][x] for y in range(h) for x in range(w) if far[y, x] and mask[y, x]}
    if not reaching:
        return 0.0
    joined = set()
    for y in range(h):
        for x in range(w):
            if not mask[y, x]:
                continue
            for yy in range(max(0, y - r), min(h, y + r + 1)):
                if any(label[yy][xx] in reaching for xx in range(max(0, x - r), min(w, x + r + 1))):
                    joined.add(label[y][x])
                    break
    hits = sum(1 for y, x in zip(ys.tolist(), xs.tolist(), strict=True) if label[y][x] in joined)
    return hits / len(ys)


# --- wrong8 (issue 10, eighth pass): the band's ink across a line -------------------------


def band_ink_reference(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    band: int,
    side: tuple[int, int],
) -> np.ndarray:
    """`wrong8.band_ink` position by position in plain loops: the samples across the line
    at whole-pixel offsets -side[1]..side[1] (nearest pixel); the paper, the mean of the
    median of each side's samples at offsets side[0]..side[1]; the band's darkness against
    it summed over offsets -band..band; nan off the image, over print (a sample 0.45
    darker than the paper) or where the sides differ by 0.1 of the paper."""
    from kiosk.reading.wrong8 import PRINT_DARK, SIDE_STEP

    hh, ww = image.shape
    out = []
    for x, y in zip(px.tolist(), py.tolist(), strict=True):
        samples: dict[int, float] = {}
        for o in range(-side[1], side[1] + 1):
            qx, qy = int(np.rint(x + o * nx)), int(np.rint(y + o * ny))
            if not (0 <= qx < ww and 0 <= qy < hh):
                break
            samples[o] = float(image[qy, qx])
        if len(samples) < 2 * side[1] + 1:
            out.append(math.nan)
            continue
        left = statistics.median(samples[o] for o in range(-side[1], -side[0] + 1))
        right = statistics.median(samples[o] for o in range(side[0], side[1] + 1))
        paper = max((left + right) / 2.0, 1.0)
        if abs(left - right) > SIDE_STEP * paper or min(samples.values()) <= (1.0 - PRINT_DARK) * paper:
            out.append(math.nan)
            continue
        out.append(sum(1.0 - samples[o] / paper for o in range(-band, band + 1)))
    return np.array(out)


# --- tidy9 (issue 10, ninth pass): fix8's hair test, the plain numpy it was --------------------


def hair_dark_reference(
    image: np.ndarray, centre: tuple[float, float], scale: float, paper: float, gain: float
) -> np.ndarray | None:
    """`fix8._dark` (`kernels.hair_dark`) as the eighth pass wrote it in numpy: the
    inside INSIDE_MM round the centre, ink gain * (1 - grey / max(1, paper)), the dark
    pixels those of ink at least max(HAIR_FLOOR, HAIR_HALF x np.percentile(inside's ink,
    99)); None when the inside is off the image or fewer than HAIR_MIN_PX are dark."""
    from kiosk.reading import crop
    from kiosk.reading.fix8 import HAIR_FLOOR, HAIR_HALF, HAIR_MIN_PX
    from kiosk.reading.fix8 import INSIDE_MM as HAIR_INSIDE_MM

    got = crop.around(image, centre, int(HAIR_INSIDE_MM * scale) + 1)
    if got is None:
        return None
    win, xs, ys = got
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= HAIR_INSIDE_MM * scale
    if not inside.any():
        return None
    ink = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    top = float(np.percentile(ink[inside], 99))
    dark = inside & (ink >= max(HAIR_FLOOR, HAIR_HALF * top))
    if int(dark.sum()) < HAIR_MIN_PX:
        return None
    out: np.ndarray = dark.astype(np.uint8)
    return out


def hair_ridged_reference(dark: np.ndarray, scale: float) -> bool:
    """`fix8._ridged`: `fix8._ridges(dark, scale) >= RIDGE_COUNT`, counted in full."""
    from kiosk.reading.fix8 import RIDGE_COUNT, _ridges

    return _ridges(dark, scale) >= RIDGE_COUNT


def straight_reaching_reference(
    mask: np.ndarray, far: np.ndarray, beyond: np.ndarray, scale: float
) -> np.ndarray:
    """`rims7.straight_reaching` as the eighth pass wrote it: `wrong8.line_across` finds
    the window's centre afresh for every component (tidy9 asks it once a call)."""
    from kiosk.reading import wrong8
    from kiosk.reading.rims7 import STRAIGHT_MM

    _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    out = np.zeros(mask.shape, bool)
    for lab in np.unique(labels[far & mask]):
        if lab == 0:
            continue
        comp = labels == lab
        ys, xs = np.nonzero(comp & beyond)
        if ys.size < 3:
            continue
        pts = np.stack([xs, ys], axis=1).astype(np.float64)
        pts -= pts.mean(axis=0)
        _w, v = np.linalg.eigh(pts.T @ pts)
        perp = np.abs(pts @ v[:, 0])
        if float(np.percentile(perp, 95)) <= STRAIGHT_MM * scale and wrong8.line_across(
            mask, comp, beyond, scale
        ):
            out |= comp
    return out


# --- erase9 (ninth pass): the cheap first look's two percentiles, numpy's own -------------


def firm_percentiles_reference(win: np.ndarray, ink_pct: float) -> tuple[float, float]:
    """`erase9._firm`'s (lo, hi): numpy's percentiles of the inside's greys."""
    lo, hi = np.percentile(win, [100 - ink_pct, ink_pct])
    return float(lo), float(hi)


# --- show10 (issue 10, tenth pass): the title side's known print -------------------------------


def best_fit_reference(
    obs: np.ndarray, dark: np.ndarray, inside: np.ndarray, scale: float
) -> tuple[float, float, float, float] | None:
    """`show10.best_fit` the plain way: for every diffusion and every shift, the model cut
    out pixel by pixel (the shifted index taken modulo the size, as a roll), numpy's least
    squares on [1, model]; the least sum of squares wins (ties: the first); its residual's
    largest value inside and the patch left over."""
    from kiosk.reading import show10

    h, w = dark.shape
    best: tuple[float, float, float, np.ndarray] | None = None
    for sigma in show10.DIFFUSE_MM:
        diffused = show10._box(cv2.GaussianBlur(dark, (0, 0), sigma * scale), scale)
        for sx, sy in show10.shifts(scale):
            model = np.zeros_like(diffused)
            for y in range(h):
                for x in range(w):
                    model[y, x] = diffused[(y - sy) % h, (x - sx) % w]
            xs = model[inside]
            ys = obs[inside]
            if len(xs) < 3 or float(((xs - xs.mean()) ** 2).sum()) <= 1e-9:
                continue
            a = np.stack([np.ones_like(xs), xs], axis=1)
            (c0, c), *_ = np.linalg.lstsq(a, ys, rcond=None)
            ss = float(((ys - c0 - c * xs) ** 2).sum())
            if best is None or ss < best[2]:
                best = (float(c0), float(c), ss, model)
    if best is None:
        return None
    c0, c, _ss, model = best
    resid = obs - c0 - c * model
    patch = max(show10.left_over(resid, inside, scale), show10.along(resid, inside, scale))
    return c0, c, float(resid[inside].max()), patch


# --- lines10 (issue 10, the tenth pass: a scanner's streak) ------------------------------------


def column_gain_reference(
    image: np.ndarray, cx: float, cy: float, scale: float
) -> tuple[int, np.ndarray] | None:
    """`lines10.column_gain` in plain loops: each column's paper in each strip (the
    STRIP_PCT percentile of its pixels, sorted and interpolated by hand), the paper around
    it (the same percentile of the levels within BASE_MM), the darkening in each strip, and
    the factor where both strips see a streak and agree."""
    from kiosk.ballots.layout import TARGET
    from kiosk.reading.lines10 import (
        AGREE,
        AROUND_MM,
        BASE_MM,
        EDGE_NEAR,
        GAP_MM,
        MIN_STRIP_MM,
        STREAK_MIN,
        STRIP_MM,
        STRIP_PCT,
    )

    def pct(values: list[float]) -> float:
        v = sorted(values)
        at = STRIP_PCT / 100 * (len(v) - 1)
        lo = math.floor(at)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (at - lo)

    h, w = image.shape
    reach = round((TARGET / 2 + AROUND_MM) * scale)
    base = max(1, round(BASE_MM * scale))
    x0, x1 = max(0, round(cx) - reach - base), min(w, round(cx) + reach + base + 1)
    gap = round((TARGET / 2 + AROUND_MM + GAP_MM) * scale)
    length = round(STRIP_MM * scale)
    strips = [
        (max(0, round(cy) - gap - length), max(0, round(cy) - gap)),
        (min(h, round(cy) + gap), min(h, round(cy) + gap + length)),
    ]
    if any(y1 - y0 < MIN_STRIP_MM * scale for y0, y1 in strips) or x1 - x0 < 2 * base + 1:
        return None
    dark: list[list[float]] = []
    for y0, y1 in strips:
        levels = [pct([float(image[y, x]) for y in range(y0, y1)]) for x in range(x0, x1)]
        n = len(levels)
        row = []
        for k in range(n):
            around = pct(levels[max(0, k - base) : k + base + 1])
            row.append(1.0 - levels[k] / max(around, 1.0))
        dark.append(row)
    n = x1 - x0

    def core(k: int) -> bool:
        up, down = dark[0][k], dark[1][k]
        return up >= STREAK_MIN and down >= STREAK_MIN and abs(up - down) <= AGREE

    gain = []
    for k in range(base, n - base):
        up, down = dark[0][k], dark[1][k]
        beside = (k > 0 and core(k - 1)) or (k + 1 < n and core(k + 1))
        blur = beside and up >= EDGE_NEAR and down >= EDGE_NEAR and abs(up - down) <= AGREE
        gain.append(1.0 - min(up, down) if core(k) or blur else 1.0)
    return x0 + base, np.array(gain)


# --- bands20 (twentieth pass) ---


def side_bands_reference(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, marginal: float
) -> Bands:
    """`kernels.side_bands`' reference: the reader's bands, each by its own function in
    `_interpret`'s order (speed19's code, kept in the reader as `side_bands_apart`, its path
    for a test's spy or a non-finite input)."""
    return side_bands_apart(image, centres, scales, scores, marginal)


# --- post20 (twentieth pass) ---


def hair_shape_reference(dark: np.ndarray, scale: float, long_px: float) -> tuple[float, int]:
    """`kernels.hair_shape`'s two numbers from a dark mask with OpenCV, as fix8 measures
    them: `fix8._width` (the 2 x 2 closing's external contours, filled by drawContours,
    their arcLength) and how many of the mask's own external contours have max(1,
    arcLength) / 2 at least `long_px` (`fix8._ridged`'s gate)."""
    from kiosk.reading import fix8

    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    long = sum(max(1.0, cv2.arcLength(c, True)) / 2 >= long_px for c in contours)
    return fix8._width(dark, scale), int(long)


def mean_f32_reference(values: np.ndarray) -> float:
    """np.mean of float32 values (what `kernels._mean_f32` reproduces)."""
    return float(np.mean(values))


# --- look20 (twentieth pass) ---


def closer_look_setup_numpy(
    win: np.ndarray,
    levels: np.ndarray,
    ring: int,
    scale: float,
    gain: float,
    cx: float,
    cy: float,
) -> tuple[object, ...]:
    """The closer look's window setup as `inspect.inspect_square` computed it in numpy
    before the twentieth pass (`kernels.closer_look_setup`'s reference, in its order:
    inv, ink, paper_local, ink_local, thin, xs, ys, box, inside, border, evidence, dark as
    uint8, then ink.sum(), ink_local.sum(), ink[dark].sum(), ink[evidence].sum() and the
    count of evidence & (ink >= rims7.HOOK_PEN)). (cx, cy): the square's centre in the
    window."""
    from kiosk.reading import inspect, rims7

    size_h, size_w = win.shape
    inv = inspect.paper_inverse(levels, size_h, size_w, ring)
    ink = np.clip(gain * (1.0 - win * inv), 0.0, 1.0)
    paper_local = inspect.coons_paper(win, ring, scale)
    ink_local = np.clip(gain * (1.0 - win / paper_local), 0.0, 1.0)
    k = max(3, int(inspect.TOPHAT_MM * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    thin = cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, kernel) * inv * gain
    ys = np.arange(size_h)[:, None] - cy
    xs = np.arange(size_w)[None, :] - cx
    inner = (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= inner
    border = (~inside) & (box <= (TARGET / 2 + 0.5) * scale)
    evidence = inside & ((ink >= inspect.DARK_INK) | (thin >= inspect.THIN_CONTRAST))
    dark = inside & (ink >= inspect.DARK_INK)
    return (
        inv,
        ink,
        paper_local,
        ink_local,
        thin,
        xs,
        ys,
        box,
        inside,
        border,
        evidence,
        dark.astype(np.uint8),
        ink.sum(),
        ink_local.sum(),
        ink[dark].sum(),
        ink[evidence].sum(),
        int((evidence & (ink >= rims7.HOOK_PEN)).sum()),
    )


def straight_stroke_numpy(
    ink: np.ndarray, inside: np.ndarray, xs: np.ndarray, ys: np.ndarray, scale: float, inner: float
) -> Line | None:
    """`inspect._straight_stroke` in numpy, as it was before the twentieth pass."""
    from kiosk.reading.inspect import DARK_INK, _chord

    dark = inside & (ink >= DARK_INK)
    yy, xx = np.nonzero(dark)
    if len(yy) < 4:
        return None
    u, v = xs[0, xx], ys[yy, 0]
    w = ink[yy, xx].astype(np.float64)
    mu, mv = float((u * w).sum() / w.sum()), float((v * w).sum() / w.sum())
    du, dv = u - mu, v - mv
    cuu, cvv, cuv = float((w * du * du).sum()), float((w * dv * dv).sum()), float((w * du * dv).sum())
    along = 0.5 * math.atan2(2 * cuv, cuu - cvv)
    theta = (along + math.pi / 2) % math.pi
    c, s = math.cos(theta), math.sin(theta)
    across = du * c + dv * s
    if math.sqrt(float((w * across * across).sum() / w.sum())) > 0.35 * scale:
        return None
    rho = mu * c + mv * s
    pos = -u * s + v * c
    t_lo, t_hi = _chord(rho, c, s, inner)
    if t_hi - t_lo < 1.0 * scale or float(pos.max() - pos.min()) < 0.9 * (t_hi - t_lo):
        return None
    return Line(theta, rho, 1.0, float(np.median(w)))


# --- look21 (twenty-first pass) ---


def paper_thin_reference(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    evidence: np.ndarray,
    win_origin: tuple[int, int],
    bands: Sequence[tuple[float, float]] = (),
) -> bool:
    """`rims7.paper_thin` as it was before the twenty-first pass: its own extended window,
    cut, reach_mask and straight_reaching (look21 shares them with stain9's `bent_share`)."""
    from kiosk.reading import crop
    from kiosk.reading.rims7 import (
        BORDER_MM,
        PRINT_INK,
        REACH_MM,
        REACH_SHARE,
        TEXTURE_MIN,
        TEXTURE_MM,
        TEXTURE_SHARE,
        reach_mask,
        reach_share,
        straight_reaching,
    )

    if not evidence.any():
        return False
    e = math.ceil((REACH_MM + 1.0) * scale)
    ext, ex0, ey0 = crop.placed(image, centre[0], centre[1], half + e)
    h, w = ext.shape
    xs, ys = crop.offsets(h, w, centre[0] - ex0, centre[1] - ey0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    edge = (TARGET / 2 - TARGET_STROKE / 2) * scale
    cut = np.abs(box - edge) <= (TARGET_STROKE / 2 + BORDER_MM) * scale
    for theta, rho in bands:
        cut |= np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= 0.6 * scale
    mask, ink = reach_mask(ext, scale, paper, gain, cut)
    wy, wx = np.nonzero(evidence)
    ly, lx = wy + (win_origin[1] - ey0), wx + (win_origin[0] - ex0)
    ok = (ly >= 0) & (ly < h) & (lx >= 0) & (lx < w)
    if not ok.any():
        return False
    far = box >= half + REACH_MM * scale
    mask &= ~straight_reaching(mask, far, box > half, scale)
    r = max(1, math.ceil((TARGET_STROKE + 2 * BORDER_MM + 0.2) * scale))
    if reach_share(mask, far, r, ly[ok], lx[ok]) >= REACH_SHARE:
        return True
    q = max(1, round(0.3 * scale))
    print_px = cv2.dilate((ink >= PRINT_INK).astype(np.uint8), np.ones((2 * q + 1, 2 * q + 1), np.uint8)) > 0
    ring = (box > half) & (box <= half + TEXTURE_MM * scale) & ~print_px
    inner = box <= (TARGET / 2 - TARGET_STROKE - 0.35) * scale
    if not ring.any() or not inner.any():
        return False
    d_in = float(mask[inner].mean())
    for side in (ys < -np.abs(xs), ys > np.abs(xs), xs < -np.abs(ys), xs > np.abs(ys)):
        part = ring & side
        if not part.any():
            return False
        d_out = float(mask[part].mean())
        if d_out < TEXTURE_MIN or d_out < TEXTURE_SHARE * d_in:
            return False
    return True


def bent_share_reference(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    evidence: np.ndarray,
    win_origin: tuple[int, int],
    bands: Sequence[tuple[float, float]] = (),
) -> float:
    """`stain9.bent_share` as it was before the twenty-first pass: its own extended window,
    cut, reach_mask, straight_reaching and labels (look21 takes them from rims7's)."""
    from kiosk.reading import crop, rims7
    from kiosk.reading.stain9 import one_line, two_sides

    e = math.ceil((rims7.REACH_MM + 1.0) * scale)
    ext, ex0, ey0 = crop.placed(image, centre[0], centre[1], half + e)
    h, w = ext.shape
    xs, ys = crop.offsets(h, w, centre[0] - ex0, centre[1] - ey0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    bx, by = np.broadcast_arrays(xs, ys)
    edge = (TARGET / 2 - TARGET_STROKE / 2) * scale
    cut = np.abs(box - edge) <= (TARGET_STROKE / 2 + rims7.BORDER_MM) * scale
    for theta, rho in bands:
        cut |= np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= 0.6 * scale
    mask, _ink = rims7.reach_mask(ext, scale, paper, gain, cut)
    wy, wx = np.nonzero(evidence)
    ly, lx = wy + (win_origin[1] - ey0), wx + (win_origin[0] - ex0)
    ok = (ly >= 0) & (ly < h) & (lx >= 0) & (lx < w)
    if not ok.any():
        return 0.0
    ly, lx = ly[ok], lx[ok]
    far = box >= half + rims7.REACH_MM * scale
    beyond = box > half
    straight = rims7.straight_reaching(mask, far, beyond, scale)
    if not straight.any():
        return 0.0
    _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    r = max(1, math.ceil((TARGET_STROKE + 2 * rims7.BORDER_MM + 0.2) * scale))
    k = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    pieces_all = np.unique(labels[straight])
    hit = np.zeros(ly.size, bool)
    ev_labels = labels[ly, lx]
    for lab in np.unique(ev_labels):
        if lab == 0:
            continue
        comp = labels == lab
        near = cv2.dilate(comp.astype(np.uint8), k) > 0
        pieces = np.intersect1d(np.unique(labels[near & mask]), pieces_all)
        if pieces.size == 0:
            continue
        joined = np.isin(labels, pieces) & beyond
        py, px = np.nonzero(joined)
        if py.size < 3:
            continue
        pts = np.stack([bx[py, px], by[py, px]], axis=1).astype(np.float64)
        if not one_line(pts, scale) and two_sides(pts, labels[py, px]):
            hit |= ev_labels == lab
    return float(hit.mean())


def dot_blob_loop(dark: np.ndarray, scale: float) -> np.ndarray | None:
    """`inspect.dot_blob` as it was before the twenty-first pass: the components of at least
    DOT_MIN_MM2 picked by a Python loop over every component's stats."""
    from kiosk.reading.inspect import DOT_MIN_MM2, DOT_MM, _widen

    n, labels, stats, _c = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    min_area = DOT_MIN_MM2 * scale * scale
    big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= min_area]
    if len(big) != 1:
        return None
    i = big[0]
    side = max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT]))
    if side > DOT_MM * scale:
        return None
    return _widen(labels == i, scale)


def darkest_paths_reference(
    image: np.ndarray, px: np.ndarray, py: np.ndarray, c: float, s: float, offsets: list[list[float]]
) -> list[np.ndarray]:
    """`speed32.darkest_paths` as `inspect._path_contrast` took it before the thirty-second
    pass: one path at a time, each group's running minimum from +inf (NaN where any path of
    the group is off the image)."""
    hh, ww = image.shape
    out = []
    for group in offsets:
        low = np.full(len(px), np.inf)
        for off in group:
            qx = np.rint(px + off * c).astype(np.int64)
            qy = np.rint(py + off * s).astype(np.int64)
            ok = (qx >= 0) & (qy >= 0) & (qx < ww) & (qy < hh)
            v = np.full(len(px), np.nan)
            v[ok] = image[qy[ok], qx[ok]]
            low = np.minimum(low, v)
        out.append(low)
    return out


def levels_reference(ink: np.ndarray, offs: np.ndarray, clear: np.ndarray) -> tuple[int, np.ndarray]:
    """`inspect._levels` before the thirty-second pass: a mask and an `np.median` for each
    whole-pixel distance."""
    o = offs[clear]
    v = ink[clear]
    lo = int(o.min())
    level = np.zeros(int(o.max()) - lo + 1)
    for b in np.unique(o):
        level[b - lo] = float(np.median(v[o == b]))
    return lo, level


def first_stroke_reference(
    allx: np.ndarray, ally: np.ndarray, angle: float, rho: float, scale: float
) -> tuple[float, float] | None:
    """`arm41.first_stroke` in plain loops: the median offset (along the arm's normal) of the
    pixels within OWN_NEAR_MM of the band's line; then, of the pixels within WIDTH_REACH_MM of
    that offset, each 1-px slice along the line (its position rounded down) spans from its
    lowest to its highest offset, plus one pixel; the median span is the width."""
    from kiosk.reading.arm41 import OWN_NEAR_MM, WIDTH_REACH_MM

    t = math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    pts = [(-x * s + y * c, x * c + y * s) for x, y in zip(allx.tolist(), ally.tolist(), strict=True)]
    near = [r for r, _ in pts if abs(r - rho) <= OWN_NEAR_MM * scale]
    if not near:
        return None
    line = float(np.median(near))
    slices: dict[int, list[float]] = {}
    for r, a in pts:
        if abs(r - line) <= WIDTH_REACH_MM * scale:
            slices.setdefault(math.floor(a), []).append(r)
    spans = [max(v) - min(v) + 1.0 for v in slices.values()]
    return line, float(np.median(spans))
