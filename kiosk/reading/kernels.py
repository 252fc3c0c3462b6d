"""Compiled loops for the reader's hot path (numba), one call per step.

Why: after a JPEG decode has flushed the CPU's caches, each numpy or OpenCV call costs
microseconds of dispatch before it touches a pixel, and the reader made over two hundred
of them per side. Each kernel here does one step in a single call, in plain loops.

Each kernel computes exactly what its numpy/OpenCV reference in `reference.py`
computes (same integer rules, the same float32 arithmetic where the
reference uses float32), so readings do not change; tests/test_kernels.py checks every
kernel against its reference with hypothesis. Set NUMBA_DISABLE_JIT=1 to run them as
plain Python.

Images are 2-D uint8 arrays; a pixel is dark ("ink") when it is <= floor(mid), which is
OpenCV's THRESH_BINARY_INV rule for 8-bit images.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(fn: F) -> F:
    # cache=True: compiled once per install into __pycache__ (about 13 s for all of them),
    # loaded from there in about 0.3 s by each process after.
    return cast(F, numba.njit(cache=True, nogil=True, boundscheck=False)(fn))


@_compiled
def _share_index(hist: np.ndarray, total: int, share: float) -> float:
    """numpy's `(hist.cumsum() / total).searchsorted(share)` on OpenCV's float32
    histogram: the first grey level whose cumulative share, divided in float32, reaches
    `share` (compared in float64, as numpy compares them)."""
    denom = np.float32(max(1, total))
    cum = 0
    for g in range(256):
        cum += hist[g]
        if float(np.float32(cum) / denom) >= share:
            return float(g)
    return 256.0


@_compiled
def coarse_page(image: np.ndarray, f: int) -> tuple[np.ndarray, float, float]:
    """The coarse image (every f-th pixel from f // 2) and its paper (75%) and black
    (0.5%) grey levels."""
    h, w = image.shape
    off = f // 2
    sh = (h - off + f - 1) // f
    sw = (w - off + f - 1) // f
    small = np.empty((sh, sw), np.uint8)
    hist = np.zeros(256, np.int64)
    for i in range(sh):
        row = image[off + i * f]
        out = small[i]
        for j in range(sw):
            v = row[off + j * f]
            out[j] = v
            hist[v] += 1
    total = sh * sw
    return small, _share_index(hist, total, 0.75), _share_index(hist, total, 0.005)


@_compiled
def grey_level(image: np.ndarray, y0: int, y1: int, x0: int, x1: int, share: float) -> float:
    """The grey level below which `share` of the pixels of image[y0:y1, x0:x1] lie."""
    hist = np.zeros(256, np.int64)
    for y in range(y0, y1):
        row = image[y]
        for x in range(x0, x1):
            hist[row[x]] += 1
    return _share_index(hist, (y1 - y0) * (x1 - x0), share)


@_compiled
def _find(parent: np.ndarray, a: int) -> int:
    while parent[a] != a:
        a = parent[a]
    return a


@_compiled
def _union(parent: np.ndarray, a: int, b: int) -> None:
    # The smaller label stays the root: it was given to the set's first pixel.
    a = _find(parent, a)
    b = _find(parent, b)
    if a < b:
        parent[b] = a
    elif b < a:
        parent[a] = b


@_compiled
def hug_counts(
    ink: np.ndarray, evidence: np.ndarray, box: np.ndarray, hook: float, zone_from: float
) -> tuple[int, int, int]:
    """speed68: `edge22.hugging_pen`'s counts in one pass: the pen-dark evidence
    (`evidence & (ink >= hook)`), its pixels with `box <= zone_from` (off the inside's edge)
    and those with `box > zone_from` (along it); float64 compared as numpy compares them."""
    h, w = ink.shape
    pen = 0
    off = 0
    for y in range(h):
        for x in range(w):
            if evidence[y, x] and ink[y, x] >= hook:
                pen += 1
                if not box[y, x] > zone_from:
                    off += 1
    return pen, off, pen - off


@_compiled
def _components8(
    dark: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8-connected components of dark's non-zero pixels by union-find: each pixel's
    component (its root label, 0 for paper), and per label its root (a root is its own),
    area and box (x_lo, x_hi, y_lo, y_hi; only roots' are filled). A component is the same
    set of pixels whoever labels it (OpenCV's labelling: tests/test_speed68.py, test_speed69.py)."""
    h, w = dark.shape
    labels = np.zeros((h, w), np.int32)
    parent = np.empty(h * w + 1, np.int32)
    parent[0] = 0
    n = 0
    for y in range(h):
        for x in range(w):
            if dark[y, x] == 0:
                continue
            lab = 0
            # the neighbours already seen: W, NW, N, NE
            for dy, dx in ((0, -1), (-1, -1), (-1, 0), (-1, 1)):
                yy = y + dy
                xx = x + dx
                if yy < 0 or xx < 0 or xx >= w:
                    continue
                other = labels[yy, xx]
                if other == 0:
                    continue
                if lab == 0:
                    lab = other
                else:
                    _union(parent, lab, other)
            if lab == 0:
                n += 1
                parent[n] = n
                lab = n
            labels[y, x] = lab
    area = np.zeros(n + 1, np.int64)
    x_lo = np.full(n + 1, w, np.int64)
    x_hi = np.full(n + 1, -1, np.int64)
    y_lo = np.full(n + 1, h, np.int64)
    y_hi = np.full(n + 1, -1, np.int64)
    for y in range(h):
        for x in range(w):
            lab = labels[y, x]
            if lab == 0:
                continue
            r = _find(parent, lab)
            labels[y, x] = r
            area[r] += 1
            x_lo[r] = min(x_lo[r], x)
            x_hi[r] = max(x_hi[r], x)
            y_lo[r] = min(y_lo[r], y)
            y_hi[r] = max(y_hi[r], y)
    return labels, parent[: n + 1], area, x_lo, x_hi, y_lo, y_hi


@_compiled
def dot_component(dark: np.ndarray, min_area: float, max_side: float) -> np.ndarray:
    """speed68: `inspect.dot_blob`'s blob without OpenCV's labelling and stats (about 30 us
    a window, most of it the stats): the 8-connected components of dark's non-zero pixels
    (`_components8`); where exactly one has at least `min_area` pixels and its box's longer
    side is at most `max_side`, that component (uint8 0/1), else a (0, 0) array."""
    h, w = dark.shape
    labels, parent, area, x_lo, x_hi, y_lo, y_hi = _components8(dark)
    big = 0
    root = 0
    for r in range(1, len(parent)):
        if parent[r] == r and area[r] >= min_area:
            big += 1
            root = r
    if big != 1 or max(x_hi[root] - x_lo[root] + 1, y_hi[root] - y_lo[root] + 1) > max_side:
        return np.zeros((0, 0), np.uint8)
    out = np.zeros((h, w), np.uint8)
    for y in range(y_lo[root], y_hi[root] + 1):
        for x in range(x_lo[root], x_hi[root] + 1):
            if labels[y, x] == root:
                out[y, x] = 1
    return out


@_compiled
def _points_mask(pts: np.ndarray) -> tuple[np.ndarray, float, float]:
    """`run62._point_mask` compiled: points (n, 2; x, y, whole pixels apart) as a uint8
    mask of their box (255 on each), and the box's corner (the points' least x and y)."""
    lo_x = pts[0, 0]
    lo_y = pts[0, 1]
    for i in range(1, pts.shape[0]):
        lo_x = min(lo_x, pts[i, 0])
        lo_y = min(lo_y, pts[i, 1])
    qx = np.empty(pts.shape[0], np.int64)
    qy = np.empty(pts.shape[0], np.int64)
    w = 0
    h = 0
    for i in range(pts.shape[0]):
        qx[i] = int(np.rint(pts[i, 0] - lo_x))
        qy[i] = int(np.rint(pts[i, 1] - lo_y))
        w = max(w, qx[i] + 1)
        h = max(h, qy[i] + 1)
    mask = np.zeros((h, w), np.uint8)
    for i in range(pts.shape[0]):
        mask[qy[i], qx[i]] = 255
    return mask, lo_x, lo_y


@_compiled
def hough_first(
    mask: np.ndarray, threshold: int, theta: np.float32, numangle: int
) -> tuple[bool, float, float]:
    """speed69: the first line `cv2.HoughLines(mask, 1, theta, threshold)` gives (rho, theta),
    as OpenCV's standard transform finds it (modules/imgproc/src/hough.cpp): float32 tables
    of an angle added up in float32, each pixel's rho rounded half to even, the local maxima
    over `threshold` (strictly over its left and upper neighbour, at least its right and
    lower), the greatest first, ties to the smaller angle, then the smaller rho. False: none.
    OpenCV's call is the reference (tests/test_speed69.py compares them mask by mask); with
    its result sorted and wrapped it took 70 us a window, most of it not the sums."""
    h, w = mask.shape
    numrho = 2 * (w + h) + 1
    tab_sin = np.empty(numangle, np.float32)
    tab_cos = np.empty(numangle, np.float32)
    ang = np.float32(0.0)
    for n in range(numangle):
        tab_sin[n] = np.float32(math.sin(np.float64(ang)))
        tab_cos[n] = np.float32(math.cos(np.float64(ang)))
        ang = np.float32(ang + theta)
    accum = np.zeros((numangle + 2, numrho + 2), np.int32)
    half = (numrho - 1) // 2
    fx = np.empty(h * w, np.float32)
    fy = np.empty(h * w, np.float32)
    k = 0
    for i in range(h):
        for j in range(w):
            if mask[i, j] != 0:
                fx[k] = np.float32(j)
                fy[k] = np.float32(i)
                k += 1
    # An angle's row at a time (the counts are the same in any order; the row stays in cache),
    # its cells worked out first in a loop the compiler can vectorise, then counted.
    cells = np.empty(k, np.int32)
    for n in range(numangle):
        c = tab_cos[n]
        s = tab_sin[n]
        for q in range(k):
            cells[q] = np.int32(np.rint(fx[q] * c + fy[q] * s))  # half to even, as cvRound
        row = accum[n + 1]
        for q in range(k):
            row[cells[q] + half + 1] += 1
    best = -1
    bn = 0
    br = 0
    for n in range(numangle):  # OpenCV goes by rho first; the order of the ties is written out
        for r in range(numrho):
            v = accum[n + 1, r + 1]
            if (
                v > threshold
                and v > accum[n + 1, r]
                and v >= accum[n + 1, r + 2]
                and v > accum[n, r + 1]
                and v >= accum[n + 2, r + 1]
                and (v > best or (v == best and (n < bn or (n == bn and r < br))))
            ):
                best = v
                bn = n
                br = r
    if best < 0:
        return False, 0.0, 0.0
    rho = np.float32(np.float32(br) - np.float32((numrho - 1) * 0.5))
    return True, float(rho), float(np.float32(np.float32(bn) * theta))


@_compiled
def _off_line(x: float, y: float, mx: float, my: float, dx: float, dy: float) -> float:
    """The point (x, y)'s distance across the line through (mx, my) along (dx, dy): as
    `run62._off` computes it, operation for operation."""
    return abs((x - mx) * dy - (y - my) * dx)


@_compiled
def strongest_line(
    pts: np.ndarray, band: float, min_px: int, threshold: int, theta: np.float32, numangle: int
) -> tuple[bool, float, float, float, float]:
    """`run62._strongest` compiled (speed69): the Hough line through most of `pts` (n, 2),
    then twice the principal axis of the points within `band` of it (`run62._axis`, its sums
    in order); (found, mean x, mean y, direction x, direction y)."""
    mask, lo_x, lo_y = _points_mask(pts)
    ok, rho, th = hough_first(mask, threshold, theta, numangle)
    if not ok:
        return False, 0.0, 0.0, 0.0, 0.0
    dx = -math.sin(th)
    dy = math.cos(th)
    mx = lo_x + rho * math.cos(th)
    my = lo_y + rho * math.sin(th)
    near = np.empty(pts.shape[0], np.bool_)
    for _ in range(2):
        cnt = 0
        sx = 0.0
        sy = 0.0
        for i in range(pts.shape[0]):
            near[i] = _off_line(pts[i, 0], pts[i, 1], mx, my, dx, dy) <= band
            if near[i]:
                cnt += 1
                sx += pts[i, 0]
                sy += pts[i, 1]
        if cnt < min_px:
            return False, 0.0, 0.0, 0.0, 0.0
        ax = sx / cnt
        ay = sy / cnt
        sxx = 0.0
        syy = 0.0
        sxy = 0.0
        for i in range(pts.shape[0]):
            if near[i]:
                cx = pts[i, 0] - ax
                cy = pts[i, 1] - ay
                sxx += cx * cx
                syy += cy * cy
                sxy += cx * cy
        t = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
        mx = ax
        my = ay
        dx = math.cos(t)
        dy = math.sin(t)
    return True, mx, my, dx, dy


@_compiled
def longest_piece(pts: np.ndarray) -> int:
    """`run62._compact`'s measure compiled (speed69): the longest side of the boxes of the
    8-connected pieces of the points (n >= 1, whole pixels apart)."""
    mask, _lo_x, _lo_y = _points_mask(pts)
    _labels, parent, _area, x_lo, x_hi, y_lo, y_hi = _components8(mask)
    longest = 0
    for r in range(1, len(parent)):
        if parent[r] == r:
            longest = max(longest, x_hi[r] - x_lo[r] + 1, y_hi[r] - y_lo[r] + 1)
    return longest


@_compiled
def line_pair(
    pts: np.ndarray,
    band: float,
    min_span: float,
    rest_max: float,
    min_px: int,
    threshold: int,
    theta: np.float32,
    numangle: int,
) -> tuple[int, np.ndarray, int]:
    """`run62.lines_in` compiled (speed69): one or two lines through `pts` (each `strongest_line`
    of what the ones before left, spanning `min_span` along itself), what they leave fewer than
    `min_px` points or pieces no longer than `rest_max`: (how many lines, 0 for none; the
    lines (2, 4): mean x, y, direction x, y; how many points they leave). -1 lines: a point
    is not finite (no pixel's offset is; `run62.lines_in` then asks its reference)."""
    out = np.zeros((2, 4))
    m = pts.shape[0]
    if m == 0 or m < min_px:
        return 0, out, 0
    for i in range(m):
        if not (np.isfinite(pts[i, 0]) and np.isfinite(pts[i, 1])):
            return -1, out, 0  # no mask holds such a point: the caller asks the reference
    rest = pts.copy()
    for k in range(2):
        ok, mx, my, dx, dy = strongest_line(rest[:m], band, min_px, threshold, theta, numangle)
        if not ok:
            return 0, out, 0
        lo = np.inf
        hi = -np.inf
        keep = 0
        for i in range(m):
            if _off_line(rest[i, 0], rest[i, 1], mx, my, dx, dy) <= band:
                along = (rest[i, 0] - mx) * dx + (rest[i, 1] - my) * dy
                lo = min(lo, along)
                hi = max(hi, along)
            else:
                # what the line leaves, in order (keep <= i: no point not yet read is overwritten)
                rest[keep, 0] = rest[i, 0]
                rest[keep, 1] = rest[i, 1]
                keep += 1
        if keep == m or hi - lo < min_span:
            return 0, out, 0
        out[k, 0] = mx
        out[k, 1] = my
        out[k, 2] = dx
        out[k, 3] = dy
        m = keep
        if m == 0 or m < min_px or longest_piece(rest[:m]) <= rest_max:
            return k + 1, out, m
    return 0, out, 0


@_compiled
def coarse_blobs(small: np.ndarray, ithresh: int, min_area: int) -> np.ndarray:
    """Solid, square-ish dark blobs of the coarse image: (n, 3) rows of centroid x, y and
    area, in the raster order of each blob's first pixel (`reference.coarse_blobs_reference`).

    Dark is <= ithresh, outside streak columns (`_dark_columns_counted`); blobs are 8-connected;
    kept are blobs of at least `min_area` pixels that fill more than 55% of their box, and are
    at most 1.67 times longer one way than the other (`_label_blobs`)."""
    return _label_blobs(small, _dark_columns_counted(small, ithresh), ithresh, min_area)


@_compiled
def _window_origin(c: float, half: int, size: int, limit: int) -> int:
    # gather_windows: np.rint (half to even), then shifted inside the image.
    o = int(np.rint(c)) - half
    if o < 0:
        o = 0
    if o > limit - size:
        o = limit - size
    return o


@_compiled
def ink_centroids(
    image: np.ndarray, points: np.ndarray, half_w: int, half_h: int, mid: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centroid of the ink (<= floor(mid)) in the window around each point, and each
    window's ink pixel count (`reference.ink_centroids_reference`)."""
    hh, ww = image.shape
    size_w = min(2 * half_w + 1, ww)
    size_h = min(2 * half_h + 1, hh)
    ithresh = int(np.floor(mid))
    n = points.shape[0]
    out = np.empty((n, 2), np.float64)
    m00 = np.empty(n, np.float64)
    for k in range(n):
        x0 = _window_origin(points[k, 0], half_w, size_w, ww)
        y0 = _window_origin(points[k, 1], half_h, size_h, hh)
        count = 0
        sx = 0
        sy = 0
        for dy in range(size_h):
            row = image[y0 + dy, x0 : x0 + size_w]
            in_row = 0
            for dx in range(size_w):
                ink = int(row[dx] <= ithresh)  # no branch: the loop vectorises
                in_row += ink
                sx += dx * ink
            count += in_row
            sy += dy * in_row
        m = float(count)
        safe = max(m, 1.0)
        out[k, 0] = x0 + sx / safe
        out[k, 1] = y0 + sy / safe
        m00[k] = m
    return out, m00


@_compiled
def window_ink_sums(image: np.ndarray, centres: np.ndarray, half: int, lut: np.ndarray) -> np.ndarray:
    """Sum of `lut[grey]` (float32 ink) over the square window around each centre, in
    float64 (`reference.window_ink_sums_reference`). The sums are exact, so the order of
    adding does not matter."""
    hh, ww = image.shape
    size_w = min(2 * half + 1, ww)
    size_h = min(2 * half + 1, hh)
    n = centres.shape[0]
    sums = np.empty(n, np.float64)
    for k in range(n):
        x0 = _window_origin(centres[k, 0], half, size_w, ww)
        y0 = _window_origin(centres[k, 1], half, size_h, hh)
        # Four running sums: one would wait on each addition before the next.
        s0 = s1 = s2 = s3 = 0.0
        quads = size_w - size_w % 4
        for dy in range(size_h):
            row = image[y0 + dy, x0 : x0 + size_w]
            for dx in range(0, quads, 4):
                s0 += lut[row[dx]]
                s1 += lut[row[dx + 1]]
                s2 += lut[row[dx + 2]]
                s3 += lut[row[dx + 3]]
            for dx in range(quads, size_w):
                s0 += lut[row[dx]]
        sums[k] = (s0 + s1) + (s2 + s3)
    return sums


LOCAL_PAPER_SHARE = 0.75


@_compiled
def _side_level(hist: np.ndarray, total: int) -> float:
    """The paper level of one side of a window's ring: the grey level at 75 % of its
    pixels (marks crossing the ring are darker and stay below it)."""
    return max(1.0, _share_index(hist, total, LOCAL_PAPER_SHARE))


@_compiled
def window_local_ink(
    image: np.ndarray, centres: np.ndarray, half: int, ring: int, gain: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ink in the square window around each centre, measured against the paper around
    that window (`reference.window_local_ink_reference`).

    The outer `ring` pixels of the window are paper: each side of that ring gives a level
    (`_side_level`), and the paper under the window is the plane through the four sides'
    inverse levels. A pixel's ink is `gain * (1 - grey / paper)`, clipped to 0..1: the
    share of the light that ink took away, the same under a stain, a shadow or tinted
    paper as on white paper. Returns the sums (float64) and the four side levels (top,
    bottom, left, right) of each window."""
    hh, ww = image.shape
    size_w = min(2 * half + 1, ww)
    size_h = min(2 * half + 1, hh)
    r = max(1, min(ring, size_w // 3, size_h // 3))
    n = centres.shape[0]
    sums = np.empty(n, np.float64)
    levels = np.empty((n, 4), np.float64)
    hist = np.zeros((4, 256), np.int64)
    for k in range(n):
        x0 = _window_origin(centres[k, 0], half, size_w, ww)
        y0 = _window_origin(centres[k, 1], half, size_h, hh)
        hist[:] = 0
        for dy in range(size_h):
            row = image[y0 + dy, x0 : x0 + size_w]
            if dy < r:
                for dx in range(size_w):
                    hist[0, row[dx]] += 1
            elif dy >= size_h - r:
                for dx in range(size_w):
                    hist[1, row[dx]] += 1
            else:
                for dx in range(r):
                    hist[2, row[dx]] += 1
                for dx in range(size_w - r, size_w):
                    hist[3, row[dx]] += 1
        across = r * size_w
        down = r * (size_h - 2 * r)
        top = _side_level(hist[0], across)
        bottom = _side_level(hist[1], across)
        left = _side_level(hist[2], down)
        right = _side_level(hist[3], down)
        levels[k, 0], levels[k, 1], levels[k, 2], levels[k, 3] = top, bottom, left, right
        i_c = (1.0 / top + 1.0 / bottom + 1.0 / left + 1.0 / right) / 4.0
        # Side bands' centres are this far from the window's centre.
        dist_x = max(1.0, size_w - r)
        dist_y = max(1.0, size_h - r)
        g_x = (1.0 / right - 1.0 / left) / dist_x
        g_y = (1.0 / bottom - 1.0 / top) / dist_y
        cx = (size_w - 1) / 2.0
        cy = (size_h - 1) / 2.0
        total = 0.0
        for dy in range(size_h):
            row = image[y0 + dy, x0 : x0 + size_w]
            base = i_c + g_y * (dy - cy) - g_x * cx
            acc = 0.0
            for dx in range(size_w):
                ink = gain * (1.0 - row[dx] * (base + g_x * dx))
                acc += min(max(ink, 0.0), 1.0)
            total += acc
        sums[k] = total
    return sums, levels


@_compiled
def darkest_inside(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, inner_mm: float) -> np.ndarray:
    """The darkest grey inside each square (`inner_mm` from its centre, at its own scale;
    the centre rounded half to even, as Python's `round`), or -1 where that box is
    empty (`reference.dark_inside_reference` is the reader's doubt-band test on it, one
    square at a time). The reader's doubt band: one call per side instead of a slice and
    a minimum per square."""
    hh, ww = image.shape
    n = centres.shape[0]
    out = np.empty(n, np.int64)
    for k in range(n):
        r = int(inner_mm * scales[k])
        cx = int(np.rint(centres[k, 0]))
        cy = int(np.rint(centres[k, 1]))
        x0 = max(0, cx - r)
        x1 = min(ww, cx + r + 1)
        y0 = max(0, cy - r)
        y1 = min(hh, cy + r + 1)
        if x1 <= x0 or y1 <= y0:
            out[k] = -1
            continue
        m = 255
        for y in range(y0, y1):
            row = image[y, x0:x1]
            for x in range(x1 - x0):
                m = min(m, int(row[x]))
        out[k] = m
    return out


@_compiled
def faint_runs(
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
) -> np.ndarray:
    """For each square with `want[k]`: does the inside (the box of `darkest_inside`) hold
    a faint stroke: a run of 8-connected pixels each at least `contrast` darker (as ink,
    against `paper[k]`) than the lighter of the two pixels `reach_mm` away on both
    sides, across or down (a stroke narrower than about twice `reach_mm`; a stain's
    flat inside or its edge is not), whose box is at least `length_mm` long?
    `smooth_mm`: every pixel (the centre and the four beside it) is first the mean of the
    (2b + 1)^2 box around it, b = round(smooth_mm * scale) px (0: the pixel itself), which
    takes out most of graphite's grain and a JPEG's noise, so that a fainter contrast can
    be asked for. Pixels beyond the image are its edge's (clamped).
    `reference.faint_runs_reference` is the same with numpy and OpenCV's connected
    components."""
    hh, ww = image.shape
    n = centres.shape[0]
    out = np.zeros(n, np.bool_)
    for k in range(n):
        if not want[k]:
            continue
        r = int(inner_mm * scales[k])
        d = max(1, int(np.rint(reach_mm * scales[k])))
        b = max(0, int(np.rint(smooth_mm * scales[k])))
        need = length_mm * scales[k]
        cx = int(np.rint(centres[k, 0]))
        cy = int(np.rint(centres[k, 1]))
        x0 = max(0, cx - r)
        x1 = min(ww, cx + r + 1)
        y0 = max(0, cy - r)
        y1 = min(hh, cy + r + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        bw = x1 - x0
        bh = y1 - y0
        # Box sums over the inside and `d` around it: an integral image of the pixels
        # (clamped to the image) from d + b before the box to d + b after it.
        e = d + b
        ih = bh + 2 * e
        iw = bw + 2 * e
        integ = np.zeros((ih + 1, iw + 1), np.int64)
        for i in range(ih):
            yy = min(max(y0 - e + i, 0), hh - 1)
            acc = np.int64(0)
            for j in range(iw):
                xx = min(max(x0 - e + j, 0), ww - 1)
                acc += np.int64(image[yy, xx])
                integ[i + 1, j + 1] = integ[i, j + 1] + acc
        side = 2 * b + 1
        p = max(1.0, paper[k]) * (side * side)
        mask = np.zeros((bh, bw), np.bool_)
        for y in range(bh):
            for x in range(bw):
                # The box whose top-left pixel is (i, j) in the integral's frame.
                i = y + d
                j = x + d
                g = integ[i + side, j + side] - integ[i, j + side] - integ[i + side, j] + integ[i, j]
                i2 = i - d
                lft = (
                    integ[i + side, j - d + side]
                    - integ[i, j - d + side]
                    - integ[i + side, j - d]
                    + integ[i, j - d]
                )
                rgt = (
                    integ[i + side, j + d + side]
                    - integ[i, j + d + side]
                    - integ[i + side, j + d]
                    + integ[i, j + d]
                )
                up = integ[i2 + side, j + side] - integ[i2, j + side] - integ[i2 + side, j] + integ[i2, j]
                i3 = i + d
                dn = integ[i3 + side, j + side] - integ[i3, j + side] - integ[i3 + side, j] + integ[i3, j]
                t = max(min(lft, rgt), min(up, dn)) - g
                mask[y, x] = gain * float(t) / p >= contrast
        # 8-connected runs by flood fill; a run's box long enough is a stroke.
        seen = np.zeros((bh, bw), np.bool_)
        stack = np.empty((bh * bw, 2), np.int64)
        found = False
        for sy in range(bh):
            if found:
                break
            for sx in range(bw):
                if not mask[sy, sx] or seen[sy, sx]:
                    continue
                top = 0
                stack[0, 0] = sy
                stack[0, 1] = sx
                seen[sy, sx] = True
                lo_x = hi_x = sx
                lo_y = hi_y = sy
                while top >= 0:
                    qy = stack[top, 0]
                    qx = stack[top, 1]
                    top -= 1
                    lo_x = min(lo_x, qx)
                    hi_x = max(hi_x, qx)
                    lo_y = min(lo_y, qy)
                    hi_y = max(hi_y, qy)
                    for ny in range(max(0, qy - 1), min(bh, qy + 2)):
                        for nx in range(max(0, qx - 1), min(bw, qx + 2)):
                            if mask[ny, nx] and not seen[ny, nx]:
                                seen[ny, nx] = True
                                top += 1
                                stack[top, 0] = ny
                                stack[top, 1] = nx
                if max(hi_x - lo_x + 1, hi_y - lo_y + 1) >= need:
                    found = True
                    break
        out[k] = found
    return out


@_compiled
def streak_crosses(
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
    """Is some column of image[y0:y1:step, x0:x1] darker than `mid` in at least
    `dark_share` of its rows, and within [lo[i], hi[i]] for some i? (`reader._streak`)"""
    rows = (y1 - y0 + step - 1) // step
    dark = np.zeros(x1 - x0, np.int64)
    for y in range(y0, y1, step):
        row = image[y, x0:x1]
        for i in range(x1 - x0):
            dark[i] += np.int64(row[i] < mid)
    need = dark_share * rows
    for i in range(x1 - x0):
        if dark[i] >= need:
            col = i + x0
            for k in range(lo.shape[0]):
                if lo[k] <= col <= hi[k]:
                    return True
    return False


@_compiled
def _project(h: np.ndarray, x: float, y: float, z: float) -> tuple[float, float]:
    """A homogeneous point through the homography `h` (`locate.project`, same order of
    operations)."""
    px = h[0, 0] * x + h[0, 1] * y + h[0, 2] * z
    py = h[1, 0] * x + h[1, 1] * y + h[1, 2] * z
    pz = h[2, 0] * x + h[2, 1] * y + h[2, 2] * z
    return px / pz, py / pz


QR_END_RANK = 30  # modules ignored at each end of the grey range (dust, glare)
QR_MIN_CONTRAST = 40  # grey levels between the robust dark and light ends


@_compiled
def qr_nearest(
    image: np.ndarray, h: np.ndarray, module_mm: np.ndarray, qr_x: float, qr_y: float, matrices: np.ndarray
) -> tuple[int, int, int]:
    """Sample the QR module grid through the page-to-image homography `h`, threshold it
    between its dark and light ends, and compare it with each known module matrix.
    Returns (nearest code, its distance, the next distance), or (-1, -1, -1) when the grid
    leaves the image or has too little contrast (`reference.qr_nearest_reference`)."""
    hh, ww = image.shape
    n = module_mm.shape[1]
    values = np.empty(n, np.uint8)
    hist = np.zeros(256, np.int64)
    for k in range(n):
        px, py = _project(h, module_mm[0, k] + qr_x, module_mm[1, k] + qr_y, module_mm[2, k] + 0.0)
        xi = int(np.rint(px))
        yi = int(np.rint(py))
        if xi < 0 or yi < 0 or xi >= ww or yi >= hh:
            return -1, -1, -1
        v = image[yi, xi]
        values[k] = v
        hist[v] += 1
    # The 31st darkest and 31st lightest module: robust ends of the grey range.
    lo = hi = -1
    cum = 0
    for g in range(256):
        cum += hist[g]
        if lo < 0 and cum > QR_END_RANK:
            lo = g
        if cum > n - QR_END_RANK - 1:
            hi = g
            break
    if hi - lo < QR_MIN_CONTRAST:
        return -1, -1, -1
    threshold = (lo + hi) // 2
    best_i, best, second = -1, n + 1, n + 1
    for c in range(matrices.shape[0]):
        d = 0
        for k in range(n):
            d += int(matrices[c, k] != (values[k] < threshold))
        if d < best:
            best_i, best, second = c, d, best
        elif d < second:
            second = d
    return best_i, best, second


@_compiled
def _extremes(blobs: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Indices of the live blobs nearest each image corner: top-left, top-right,
    bottom-right, bottom-left (the first one on a tie) (`reference._extremes`)."""
    picked = np.full(4, -1, np.int64)
    min_sum = max_sum = max_diff = min_diff = 0.0
    for i in alive:
        cx, cy = blobs[i, 0], blobs[i, 1]
        total, diff = cx + cy, cx - cy
        if picked[0] < 0:
            picked[:] = i
            min_sum = max_sum = total
            max_diff = min_diff = diff
            continue
        if total < min_sum:
            picked[0], min_sum = i, total
        if total > max_sum:
            picked[2], max_sum = i, total
        if diff > max_diff:
            picked[1], max_diff = i, diff
        if diff < min_diff:
            picked[3], min_diff = i, diff
    return picked


@_compiled
def fiducial_corners(
    image: np.ndarray,
    small: np.ndarray,
    f: int,
    blobs: np.ndarray,
    mid: float,
    paper: float,
    black: float,
    fiducial_mm: float,
    span_mm: float,
) -> tuple[np.ndarray, float, float]:
    """From the coarse blobs to the four fiducial centres at full resolution (top-left,
    top-right, bottom-right, bottom-left in the image) and the page's paper and black
    levels (`reference._corners_from_blobs`). No corners: a (0, 2) array."""
    none = np.empty((0, 2), np.float64)
    alive = np.arange(blobs.shape[0])
    if alive.shape[0] < 4:
        return none, paper, black
    # Pick the extreme blobs, estimate the scale from them, keep blobs of the fiducial
    # size, pick again; twice. A voter's filled square is never the extreme one.
    chosen = _extremes(blobs, alive)
    px_per_mm = 0.0
    for _ in range(2):
        sides = np.empty(4)
        for i in range(4):
            a, b = chosen[i], chosen[(i + 1) % 4]
            sides[i] = math.hypot(blobs[b, 0] - blobs[a, 0], blobs[b, 1] - blobs[a, 1])
        short_side = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
        px_per_mm = short_side / span_mm
        expected = (fiducial_mm * px_per_mm) ** 2
        if expected < 4:
            return none, paper, black
        keep = 0
        for blob in alive:
            if 0.45 * expected < blobs[blob, 2] < 1.8 * expected:
                alive[keep] = blob
                keep += 1
        alive = alive[:keep]
        if keep < 4:
            return none, paper, black
        chosen = _extremes(blobs, alive)
    for i in range(4):
        for j in range(i):
            if chosen[i] == chosen[j]:
                return none, paper, black
    coarse = np.empty((4, 2), np.float64)
    pts = np.empty((4, 2), np.float64)
    for i in range(4):
        coarse[i, 0], coarse[i, 1] = blobs[chosen[i], 0], blobs[chosen[i], 1]
        pts[i, 0] = coarse[i, 0] * f + (f // 2)
        pts[i, 1] = coarse[i, 1] * f + (f // 2)
    # The centroid of each fiducial's ink at full resolution.
    r = int(fiducial_mm * px_per_mm * f * 0.8) + 2
    refined, ink = ink_centroids(image, pts, r, r, mid)
    for i in range(4):
        if ink[i] > 0:
            pts[i, 0], pts[i, 1] = refined[i, 0], refined[i, 1]
    # Black from the fiducials' centres (median of four), paper from the page between
    # them, not the scanner background around it (`reference._page_levels`).
    centre_grey = np.empty(4, np.float64)
    for i in range(4):
        centre_grey[i] = small[int(np.rint(coarse[i, 1])), int(np.rint(coarse[i, 0]))]
    centre_grey.sort()
    page_black = (centre_grey[1] + centre_grey[2]) / 2
    x0, y0 = int(coarse[:, 0].min()), int(coarse[:, 1].min())
    x1, y1 = int(coarse[:, 0].max()), int(coarse[:, 1].max())
    page_paper = grey_level(small, y0, y1 + 1, x0, x1 + 1, 0.6)
    if page_paper - page_black < 40:
        return pts, paper, black
    return pts, page_paper, page_black


@_compiled
def timing_rows(
    image: np.ndarray,
    h: np.ndarray,
    marks_h: np.ndarray,
    half_w: int,
    half_h: int,
    mid: float,
    expected: float,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The timing marks: where the page homography `h` puts each (`marks_h`, homogeneous
    page mm, left and right mark of each row in turn), and the centroid of the ink around
    there, NaN where that ink is not the size of a mark (half to 1.7 times `expected`).
    Returns predicted and refined centres (2 * rows, 2) and how many rows have both
    marks (`reference.timing_rows_reference`)."""
    n = marks_h.shape[1]
    predicted = np.empty((n, 2), np.float64)
    for k in range(n):
        predicted[k, 0], predicted[k, 1] = _project(h, marks_h[0, k], marks_h[1, k], marks_h[2, k])
    refined, ink = ink_centroids(image, predicted, half_w, half_h, mid)
    complete = 0
    for r in range(n // 2):
        both = True
        for k in (2 * r, 2 * r + 1):
            if not (ink[k] >= 0.5 * expected and ink[k] <= 1.7 * expected):
                refined[k, 0] = refined[k, 1] = np.nan
                both = False
        complete += both
    return predicted, refined, complete


@_compiled
def row_geometry(
    refined: np.ndarray, target_t: np.ndarray, target_dy: np.ndarray, any_dy: bool, span_mm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's square centre, on the line between its two marks (and `target_dy` mm
    off it, where the layout says so), and the row's own scale in px/mm
    (`reader.row_geometry_numpy`). `refined`: (2 * rows, 2), left then right."""
    rows = target_t.shape[0]
    centres = np.empty((rows, 2), np.float64)
    scales = np.empty(rows, np.float64)
    for r in range(rows):
        lx, ly = refined[2 * r, 0], refined[2 * r, 1]
        vx, vy = refined[2 * r + 1, 0] - lx, refined[2 * r + 1, 1] - ly
        cx = lx + target_t[r] * vx
        cy = ly + target_t[r] * vy
        length = np.sqrt(vx * vx + vy * vy)
        scale = length / span_mm
        if any_dy:
            off = target_dy[r] * scale
            cx = cx + (-vy / length) * off
            cy = cy + (vx / length) * off
        centres[r, 0], centres[r, 1] = cx, cy
        scales[r] = scale
    return centres, scales


# tidy9 (issue 10, ninth pass): fix8's dark pixels in one call.
@_compiled
def _kth_ink(hist: np.ndarray, k: int, paper: float, gain: float) -> float:
    """The k-th smallest (from 0) of gain * (1 - grey / paper) over the pixels counted in
    `hist` (one count per grey level): ink falls as the grey rises when gain > 0, so the
    greys are walked from the lightest (from the darkest when gain <= 0)."""
    cum = 0
    for j in range(256):
        g = 255 - j if gain > 0 else j
        cum += hist[g]
        if cum > k:
            return gain * (1.0 - float(g) / paper)
    return math.nan


@_compiled
def hair_dark(
    win: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    limit: float,
    paper: float,
    gain: float,
    floor: float,
    half: float,
    min_px: int,
) -> tuple[np.ndarray, int]:
    """`fix8._dark` (reference: `reference.hair_dark_reference`): the inside is the
    pixels within `limit` of the centre on both axes (offsets xs (1, w), ys (h, 1)); ink
    = gain * (1 - grey / max(1, paper)); the dark pixels are the inside's with ink at
    least max(floor, half x the inside's 99th percentile of ink) (numpy's linear rule,
    as `fix8._percentile_99`, its two order statistics from a histogram of greys). The
    uint8 mask and its count; the count is -1 when the inside is empty."""
    h, w = win.shape
    p = max(1.0, paper)
    hist = np.zeros(256, np.int64)
    inside = np.zeros((h, w), np.bool_)
    n = 0
    for y in range(h):
        ay = abs(ys[y, 0])
        for x in range(w):
            if max(abs(xs[0, x]), ay) <= limit:
                inside[y, x] = True
                hist[win[y, x]] += 1
                n += 1
    out = np.zeros((h, w), np.uint8)
    if n == 0:
        return out, -1
    at = 0.99 * (n - 1)
    lo = math.floor(at)
    hi = min(lo + 1, n - 1)
    a = _kth_ink(hist, lo, p, gain)
    b = _kth_ink(hist, hi, p, gain)
    t = at - lo
    diff = b - a
    top = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    level = max(floor, half * top)
    count = 0
    for y in range(h):
        for x in range(w):
            if inside[y, x] and gain * (1.0 - float(win[y, x]) / p) >= level:
                out[y, x] = 1
                count += 1
    return out, count


@_compiled
def grain_reach(
    r: np.ndarray,
    ins: np.ndarray,
    whole_long: np.ndarray,
    whole_short: np.ndarray,
    wk: int,
    d: int,
    long_px: int,
    short_px: int,
) -> float:
    """One slant of `grain14.first_look` (reference: `grain14.reach_reference`): on the
    rotated ink `r` times the rotated inside `ins` (float32), each pixel averaged over wk
    rows (replicated at the edges) minus the larger of the same d rows above and below
    (0 where a side leaves the window), then averaged along long_px and short_px columns
    (zeros beyond the window); the largest of those means over the positions `whole_long`
    and `whole_short` allow (-inf where none does)."""
    m, w = r.shape
    p = np.empty((m, w), np.float32)
    for y in range(m):
        for x in range(w):
            p[y, x] = r[y, x] * ins[y, x]
    return _reach_of(p, whole_long, whole_short, wk, d, long_px, short_px)


@_compiled
def _reach_of(
    p: np.ndarray,
    whole_long: np.ndarray,
    whole_short: np.ndarray,
    wk: int,
    d: int,
    long_px: int,
    short_px: int,
) -> float:
    """`grain_reach` from its masked, rotated ink `p` on: the side rows' excess averaged along
    the long and the short segment, the largest where a segment may lie."""
    m, w = p.shape
    half = wk // 2
    a_w = np.empty((m, w), np.float32)
    for y in range(m):
        for x in range(w):
            acc = 0.0
            for k in range(-half, half + 1):
                yy = min(max(y + k, 0), m - 1)
                acc += p[yy, x]
            a_w[y, x] = np.float32(acc / wk)
    ex = np.zeros((m, w), np.float32)
    for y in range(d, m - d):
        for x in range(w):
            ex[y, x] = a_w[y, x] - max(a_w[y - d, x], a_w[y + d, x])
    best = -math.inf
    for j in range(2):
        length = long_px if j == 0 else short_px
        allowed = whole_long if j == 0 else whole_short
        hl = length // 2
        for y in range(m):
            # a running sum along the row: the window [x - hl, x + hl], zeros beyond the edges
            acc = 0.0
            for x in range(0, min(hl, w)):
                acc += ex[y, x]
            for x in range(w):
                if x + hl < w:
                    acc += ex[y, x + hl]
                if x - hl - 1 >= 0:
                    acc -= ex[y, x - hl - 1]
                if allowed[y, x]:
                    v = acc / length
                    if v > best:
                        best = v
    return best


@_compiled
def _rotate_on_inside(
    small: np.ndarray,
    inverse: np.ndarray,
    ins: np.ndarray,
    k: int,
    p: np.ndarray,
    r0: int,
    r1: int,
    c0: int,
    c1: int,
    all_in: bool,
) -> None:
    """`slant_reaches`' rotation of slant k into p's rows r0..r1, columns c0..c1: `small`
    sampled at inverse[k] (bilinear, zero beyond the window) where the inside ins[k] holds,
    else 0. `all_in`: every inside pixel's four samples lie in the window (the stack checked),
    so none is tested."""
    m = small.shape[0]
    for y in range(r0, r1 + 1):
        sx = inverse[k, 1] * y + inverse[k, 2]
        sy = inverse[k, 4] * y + inverse[k, 5]
        for x in range(c0, c1 + 1):
            if ins[k, y, x] == 0:
                p[y, x] = 0.0
                continue
            fxs = inverse[k, 0] * x + sx
            fys = inverse[k, 3] * x + sy
            x0 = math.floor(fxs)
            y0 = math.floor(fys)
            fx = fxs - x0
            fy = fys - y0
            if all_in:
                v = (
                    float(small[y0, x0]) * ((1.0 - fx) * (1.0 - fy))
                    + float(small[y0, x0 + 1]) * (fx * (1.0 - fy))
                    + float(small[y0 + 1, x0]) * ((1.0 - fx) * fy)
                    + float(small[y0 + 1, x0 + 1]) * (fx * fy)
                )
                p[y, x] = np.float32(v)
                continue
            v = 0.0
            if 0 <= y0 < m:
                if 0 <= x0 < m:
                    v += float(small[y0, x0]) * ((1.0 - fx) * (1.0 - fy))
                if 0 <= x0 + 1 < m:
                    v += float(small[y0, x0 + 1]) * (fx * (1.0 - fy))
            if 0 <= y0 + 1 < m:
                if 0 <= x0 < m:
                    v += float(small[y0 + 1, x0]) * ((1.0 - fx) * fy)
                if 0 <= x0 + 1 < m:
                    v += float(small[y0 + 1, x0 + 1]) * (fx * fy)
            p[y, x] = np.float32(v)


@_compiled
def slant_reaches(
    small: np.ndarray,
    inverse: np.ndarray,
    ins: np.ndarray,
    whole_long: np.ndarray,
    whole_short: np.ndarray,
    boxes: np.ndarray,
    wk: int,
    d: int,
    long_px: int,
    short_px: int,
) -> np.ndarray:
    """`grain_reach` of every slant in one call (grain14's and faint37's first looks, speed38).
    Slant k's rotated ink is `small` sampled at inverse[k] (the 2x3 affine map from the rotated
    window back to `small`, row-major) by bilinear interpolation, zero beyond the window, as
    cv2.warpAffine(INTER_LINEAR, borderValue=0) rotates it, times its rotated inside ins[k]
    (0 or 1). Only what the reach reads is computed: the box boxes[k] (first and last row,
    first and last column where a segment may lie; then 1 where every inside pixel's four
    samples lie in the window) widened by the segments' half lengths and
    the side rows, and the rotated ink only on the inside. Not bit for bit `grain_reach` on
    OpenCV's rotation (OpenCV's float32 interpolation against this float64 one, and the sums'
    order, differ in the last bits: `grain14.ROTATION_SLACK`; tests/test_speed38.py). -inf for
    a slant where no segment may lie."""
    n = inverse.shape[0]
    m = small.shape[0]
    out = np.empty(n, np.float64)
    p = np.zeros((m, m), np.float32)
    a_w = np.zeros((m, m), np.float32)
    cs = np.zeros(m + 1, np.float64)
    half = wk // 2
    hl_max = max(long_px, short_px) // 2
    for k in range(n):
        y_lo, y_hi, x_lo, x_hi = boxes[k, 0], boxes[k, 1], boxes[k, 2], boxes[k, 3]
        if y_lo > y_hi:
            out[k] = -math.inf
            continue
        c0 = max(0, x_lo - hl_max)
        c1 = min(m - 1, x_hi + hl_max)
        r0 = max(0, y_lo - d - half)  # p's rows the side rows' averages read
        r1 = min(m - 1, y_hi + d + half)
        _rotate_on_inside(small, inverse, ins, k, p, r0, r1, c0, c1, boxes[k, 4] == 1)
        # each pixel averaged over wk rows, replicated at the window's edges (as grain_reach)
        for y in range(max(0, y_lo - d), min(m - 1, y_hi + d) + 1):
            for x in range(c0, c1 + 1):
                acc = 0.0
                for j in range(-half, half + 1):
                    acc += p[min(max(y + j, r0), r1), x]
                a_w[y, x] = np.float32(acc / wk)
        best = -math.inf
        for y in range(y_lo, y_hi + 1):
            # the side rows' excess along the row, summed from c0 (0 where a side row leaves)
            cs[0] = 0.0
            inner = d <= y < m - d
            for x in range(c0, c1 + 1):
                e = np.float32(0.0)
                if inner:
                    e = a_w[y, x] - max(a_w[y - d, x], a_w[y + d, x])
                cs[x - c0 + 1] = cs[x - c0] + e
            for j in range(2):
                length = long_px if j == 0 else short_px
                hl = length // 2
                for x in range(x_lo, x_hi + 1):
                    if not (whole_long[k, y, x] if j == 0 else whole_short[k, y, x]):
                        continue
                    v = (cs[min(c1, x + hl) - c0 + 1] - cs[max(c0, x - hl) - c0]) / length
                    if v > best:
                        best = v
        out[k] = best
    return out


@_compiled
def _box_sum(integ: np.ndarray, y: int, x: int, b: int, e: int) -> int:
    """The sum of the (2b + 1)^2 box centred on the window's pixel (y, x), from the integral
    of the window padded by e >= b with its edge (`stroke_could_hold`)."""
    y0 = y + e - b
    x0 = x + e - b
    y1 = y + e + b + 1
    x1 = x + e + b + 1
    return int(integ[y1, x1] - integ[y0, x1] - integ[y1, x0] + integ[y0, x0])


@_compiled
def _trace_at(integ: np.ndarray, y: int, x: int, b: int, d: int, e: int) -> int:
    """`pencil6.trace_contrast`'s whole-number contrast at the window's pixel (y, x): the
    darker of the two boxes d away (across, down, both diagonals), the best of the four,
    minus the pixel's own box."""
    c = _box_sum(integ, y, x, b, e)
    across = min(_box_sum(integ, y, x - d, b, e), _box_sum(integ, y, x + d, b, e))
    down = min(_box_sum(integ, y - d, x, b, e), _box_sum(integ, y + d, x, b, e))
    diag = min(_box_sum(integ, y - d, x - d, b, e), _box_sum(integ, y + d, x + d, b, e))
    anti = min(_box_sum(integ, y - d, x + d, b, e), _box_sum(integ, y + d, x - d, b, e))
    return max(max(across, down), max(diag, anti)) - c


@_compiled
def _slanted_or_round(sxx: float, syy: float, sxy: float, lo_deg: float) -> bool:
    """The principal axis of a run's pixels (second moments sxx, syy, sxy) from lo_deg to
    90 - lo_deg off the window's sides, or no axis to speak of (the two variances within a
    millionth): `pencil6._slanted`'s test, a degree looser (`stroke_could_hold`)."""
    gap = math.hypot(sxx - syy, 2.0 * sxy)
    if gap <= 1e-6 * (sxx + syy):
        return True
    theta = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    a = math.degrees(math.atan2(abs(math.sin(theta)), abs(math.cos(theta))))
    return lo_deg <= a <= 90.0 - lo_deg


@_compiled
def _edge_integral(win: np.ndarray, e: int) -> np.ndarray:
    """The whole-number integral image of `win` padded by e with its edge (numpy's
    np.pad(mode="edge") then cv2.integral): (h + 2e + 1, w + 2e + 1)."""
    h, w = win.shape
    ih = h + 2 * e
    iw = w + 2 * e
    integ = np.zeros((ih + 1, iw + 1), np.int64)
    for i in range(ih):
        yy = min(max(i - e, 0), h - 1)
        acc = np.int64(0)
        for j in range(iw):
            xx = min(max(j - e, 0), w - 1)
            acc += np.int64(win[yy, xx])
            integ[i + 1, j + 1] = integ[i, j + 1] + acc
    return integ


@_compiled
def trace_contrast(win: np.ndarray, b: int, d: int, paper: float, gain: float) -> np.ndarray:
    """`pencil6.trace_contrast` in one call (speed19): each pixel's (2b + 1)^2 box sum
    against the lighter of the two boxes d away on both sides, across, down and along both
    diagonals, the best of the four, minus its own box (whole numbers, the window's edge
    clamped), then gain * that / (max(1, paper) (2b + 1)^2) in float64, numpy's order of
    operations: the same bits as the numpy version (`reference.trace_contrast_numpy`) and
    the plain loops (`reference.trace_contrast_reference`). `win`: C-contiguous uint8."""
    h, w = win.shape
    e = d + b
    integ = _edge_integral(win, e)
    side = 2 * b + 1
    # sums[i, j]: the box centred on the window's pixel (i - d, j - d)
    sh = h + 2 * d
    sw = w + 2 * d
    sums = np.empty((sh, sw), np.int64)
    for i in range(sh):
        for j in range(sw):
            sums[i, j] = integ[i + side, j + side] - integ[i, j + side] - integ[i + side, j] + integ[i, j]
    denom = max(1.0, paper) * (side * side)
    out = np.empty((h, w), np.float64)
    for y in range(h):
        for x in range(w):
            across = min(sums[y + d, x], sums[y + d, x + 2 * d])
            down = min(sums[y, x + d], sums[y + 2 * d, x + d])
            diag = min(sums[y, x], sums[y + 2 * d, x + 2 * d])
            anti = min(sums[y, x + 2 * d], sums[y + 2 * d, x])
            t = max(max(across, down), max(diag, anti)) - sums[y + d, x + d]
            out[y, x] = gain * float(t) / denom
    return out


@_compiled
def _grow(
    state: np.ndarray,
    region: np.ndarray,
    which: int,
    stack: np.ndarray,
    sy: int,
    sx: int,
    ox: float,
    oy: float,
    near_px: float,
) -> tuple[int, int, float, float, float, bool]:
    """Flood-fill the 8-connected run of `which`'s region at the level (state 2, marked 3
    as seen) from (sy, sx): its pixel count, its box's longer side, its second moments
    (sxx, syy, sxy) and whether a pixel of it is within near_px (box) of (ox, oy)."""
    h, w = state.shape
    top = 0
    stack[0, 0] = sy
    stack[0, 1] = sx
    state[sy, sx] = 3
    lo_x = hi_x = sx
    lo_y = hi_y = sy
    n = 0
    s_x = s_y = s_xx = s_yy = s_xy = 0.0
    touches = False
    while top >= 0:
        qy = stack[top, 0]
        qx = stack[top, 1]
        top -= 1
        n += 1
        s_x += qx
        s_y += qy
        s_xx += qx * qx
        s_yy += qy * qy
        s_xy += qx * qy
        touches = touches or max(abs(qx - ox), abs(qy - oy)) <= near_px
        lo_x = min(lo_x, qx)
        hi_x = max(hi_x, qx)
        lo_y = min(lo_y, qy)
        hi_y = max(hi_y, qy)
        for ny in range(max(0, qy - 1), min(h, qy + 2)):
            for nx in range(max(0, qx - 1), min(w, qx + 2)):
                if region[ny, nx] == which and state[ny, nx] == 2:
                    state[ny, nx] = 3
                    top += 1
                    stack[top, 0] = ny
                    stack[top, 1] = nx
    mx = s_x / n
    my = s_y / n
    sxx = s_xx / n - mx * mx
    syy = s_yy / n - my * my
    sxy = s_xy / n - mx * my
    return n, max(hi_x - lo_x + 1, hi_y - lo_y + 1), sxx, syy, sxy, touches


@_compiled
def _any_run(
    integ: np.ndarray,
    region: np.ndarray,
    which: int,
    level: float,
    scale_bde: tuple[int, int, int],
    denom: float,
    gain: float,
    centre: tuple[float, float],
    reach: float,
    near_px: float,
    min_px: float,
    slant_deg: float,
) -> bool:
    """Is there a run (4 pixels or more, its box min_px long) of `which`'s region (within
    `reach` px of the centre, box) at `level` of pencil6's contrast; beside the square
    (slant_deg >= 0) also within near_px and slanted (`_slanted_or_round`)?"""
    h, w = region.shape
    b, d, e = scale_bde
    ox, oy = centre
    # the region's rows and columns (its pixels are within `reach` of the centre, box)
    y0 = max(0, math.floor(oy - reach))
    y1 = min(h, math.ceil(oy + reach) + 1)
    x0 = max(0, math.floor(ox - reach))
    x1 = min(w, math.ceil(ox + reach) + 1)
    if y1 <= y0 or x1 <= x0:
        return False
    state = np.zeros((h, w), np.uint8)
    for y in range(y0, y1):
        for x in range(x0, x1):
            if region[y, x] == which:
                v = gain * float(_trace_at(integ, y, x, b, d, e)) / denom
                state[y, x] = 2 if v >= level else 1
    stack = np.empty(((y1 - y0) * (x1 - x0), 2), np.int64)
    for sy in range(y0, y1):
        for sx in range(x0, x1):
            if region[sy, sx] != which or state[sy, sx] != 2:
                continue
            n, long_side, sxx, syy, sxy, touches = _grow(state, region, which, stack, sy, sx, ox, oy, near_px)
            if n < 4 or long_side < min_px:
                continue
            if slant_deg < 0.0 or (touches and _slanted_or_round(sxx, syy, sxy, slant_deg)):
                return True
    return False


@_compiled
def stroke_could_hold(
    win: np.ndarray,
    ox: float,
    oy: float,
    scale: float,
    paper: float,
    gain: float,
    smooth_mm: float,
    reach_mm: float,
    inside_px: float,
    border_px: float,
    near_px: float,
    around_px: float,
    faint: float,
    arm: float,
    min_px: float,
    square_deg: float,
) -> tuple[bool, bool]:
    """foot17: can `pencil7.stroke_found` find anything in this window (the square's centre
    at (ox, oy))? Necessary conditions only (`reference.stroke_could_hold_reference`):

    - inner: inside the square (box <= inside_px) an 8-connected run of pixels at `faint`
      in `pencil6.trace_contrast`, 4 pixels or more, its box min_px long (every run the
      inside search looks at is one);
    - beside: in the surroundings (border_px < box <= around_px) an 8-connected run at
      `arm`, 4 pixels or more, its box min_px long, with a pixel within near_px (the printed
      border's zone and `pencil6.TRACE_TOUCH_MM`), its axis slanted (`pencil6._slanted`, a
      degree looser): the arm search's runs must be all of that.

    The contrast is pencil6's (the same whole-number box sums, the window's edge clamped,
    the same float64 division), asked only of the pixels these need: the surroundings only
    when a pixel within near_px is at `arm`."""
    h, w = win.shape
    b = max(0, int(np.rint(smooth_mm * scale)))
    d = max(1, int(np.rint(reach_mm * scale)))
    e = d + b
    side = 2 * b + 1
    denom = max(1.0, paper) * (side * side)
    integ = _edge_integral(win, e)
    region = np.zeros((h, w), np.uint8)  # 1: inside, 2: the surroundings, 0: neither
    touched = False
    for y in range(max(0, math.floor(oy - around_px)), min(h, math.ceil(oy + around_px) + 1)):
        dy = abs(y - oy)
        for x in range(max(0, math.floor(ox - around_px)), min(w, math.ceil(ox + around_px) + 1)):
            bx = max(abs(x - ox), dy)
            if bx <= inside_px:
                region[y, x] = 1
            elif border_px < bx <= around_px:
                region[y, x] = 2
                if bx <= near_px and not touched:
                    touched = gain * float(_trace_at(integ, y, x, b, d, e)) / denom >= arm
    bde = (b, d, e)
    inner = _any_run(integ, region, 1, faint, bde, denom, gain, (ox, oy), inside_px, near_px, min_px, -1.0)
    beside = touched and _any_run(
        integ, region, 2, arm, bde, denom, gain, (ox, oy), around_px, near_px, min_px, square_deg - 1.0
    )
    return inner, beside


@_compiled
def corner_quadrants(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    levels: np.ndarray,
    asked: np.ndarray,
    half: int,
    ring: int,
    gain: float,
    inner_mm: float,
) -> np.ndarray:
    """edge18: `edge16.quadrants` of every asked square of a side in one call
    (`reference.corner_quadrants_reference`): mm2 of ink in each quadrant (top-left,
    top-right, bottom-left, bottom-right) of the fast score's window outside the square's
    inside (inner_mm), pixels on a centre line in neither; rows of squares not asked are 0.

    Each pixel's ink is the same float64 arithmetic as `edge16._window_ink` (the plane of
    `inspect.paper_inverse` through the four side `levels`, clipped to 0..1); only the order
    of adding differs from numpy's (a few ulps of the sum: `edge16.could_stand_out`)."""
    hh, ww = image.shape
    size_w = min(2 * half + 1, ww)
    size_h = min(2 * half + 1, hh)
    r = max(1, min(ring, size_w // 3, size_h // 3))
    mx = (size_w - 1) / 2.0
    my = (size_h - 1) / 2.0
    n = centres.shape[0]
    out = np.zeros((n, 4), np.float64)
    for k in range(n):
        if not asked[k]:
            continue
        cx = centres[k, 0]
        cy = centres[k, 1]
        x0 = _window_origin(cx, half, size_w, ww)
        y0 = _window_origin(cy, half, size_h, hh)
        top, bottom, left, right = levels[k, 0], levels[k, 1], levels[k, 2], levels[k, 3]
        i_c = (1.0 / top + 1.0 / bottom + 1.0 / left + 1.0 / right) / 4.0
        g_x = (1.0 / right - 1.0 / left) / max(1.0, size_w - r)
        g_y = (1.0 / bottom - 1.0 / top) / max(1.0, size_h - r)
        ox = cx - x0
        oy = cy - y0
        lim = inner_mm * scales[k]
        q0 = q1 = q2 = q3 = 0.0
        for dy in range(size_h):
            y = dy - oy
            if y == 0.0:
                continue
            ay = abs(y)
            base = i_c + g_y * (dy - my)
            row = image[y0 + dy, x0 : x0 + size_w]
            for dx in range(size_w):
                x = dx - ox
                if x == 0.0 or max(abs(x), ay) <= lim:
                    continue
                ink = min(max(gain * (1.0 - row[dx] * (base + g_x * (dx - mx))), 0.0), 1.0)
                if y < 0.0:
                    if x < 0.0:
                        q0 += ink
                    else:
                        q1 += ink
                elif x < 0.0:
                    q2 += ink
                else:
                    q3 += ink
        s2 = scales[k] * scales[k]
        out[k, 0], out[k, 1], out[k, 2], out[k, 3] = q0 / s2, q1 / s2, q2 / s2, q3 / s2
    return out


# --- field19: lines7's line follower (`lines7._segments`) in one call ---------------------------


@_compiled
def _page_inside(
    x: float,
    y: float,
    ar: float,
    ai: float,
    br: float,
    bi: float,
    w_mm: float,
    h_mm: float,
    col: float,
    margin: float,
    slack: float,
) -> bool:
    """`lines7.Page.inside` for one point: (x + iy - b) / a by numpy's complex division
    (Smith's method, as its complex128 loop), then the margin test."""
    in1r = x - br
    in1i = y - bi
    if abs(ar) >= abs(ai):
        if ar == 0.0 and ai == 0.0:
            u = in1r / abs(ar)
            v = in1i / abs(ar)
        else:
            rat = ai / ar
            scl = 1.0 / (ar + ai * rat)
            u = (in1r + in1i * rat) * scl
            v = (in1i - in1r * rat) * scl
    else:
        rat = ar / ai
        scl = 1.0 / (ai + ar * rat)
        u = (in1r * rat + in1i) * scl
        v = (in1i * rat - in1r) * scl
    m = margin + slack * abs(u - col)
    return u >= m and u <= w_mm - m and v >= m and v <= h_mm - m


@_compiled
def _nanmin2(a: float, b: float) -> float:
    """numpy's minimum: nan if either is nan."""
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


@_compiled
def _cross_sections(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    lo: int,
    g: np.ndarray,
    flat: np.ndarray,
) -> int:
    """`lines7.contrast_grid`'s samples: g[jj, i] the grey at whole pixels of position i
    shifted lo + jj across (nan off the image); the ones on the image also into `flat`,
    whose count is returned."""
    hh, ww = image.shape
    nok = 0
    for jj in range(g.shape[0]):
        j = float(lo + jj)
        for i in range(px.shape[0]):
            qx = int(np.rint(px[i] + j * nx))
            qy = int(np.rint(py[i] + j * ny))
            if qx >= 0 and qy >= 0 and qx < ww and qy < hh:
                g[jj, i] = image[qy, qx]
                flat[nok] = g[jj, i]
                nok += 1
            else:
                g[jj, i] = math.nan
    return nok


@_compiled
def _percentile75_of_sorted(srt: np.ndarray, n: int) -> float:
    """numpy's `np.percentile(., 75)` (method linear, its `_lerp`) of the sorted srt[:n]."""
    virtual = (n - 1) * 0.75
    if virtual >= n - 1:
        return float(srt[n - 1])
    prev = math.floor(virtual)
    gamma = virtual - prev
    a = srt[prev]
    b = srt[prev + 1]
    diff = b - a
    if gamma >= 0.5:
        return float(b - diff * (1 - gamma))
    return float(a + diff * gamma)


@_compiled
def _median_of_sorted(srt: np.ndarray, n: int) -> float:
    """numpy's `np.median` of the sorted srt[:n] (n > 0): the middle value, or the two middle
    values' mean."""
    half = n // 2
    if n % 2:
        return float(srt[half])
    return float((srt[half - 1] + srt[half]) / 2)


@_compiled
def _percentile75(values: np.ndarray) -> float:
    """numpy's `np.percentile(values, 75)` (method linear, its `_lerp`), no nan in `values`."""
    return _percentile75_of_sorted(np.sort(values), values.shape[0])


@_compiled
def _median_sorted(values: np.ndarray) -> float:
    """numpy's `np.median` of a non-empty array without nan."""
    return _median_of_sorted(np.sort(values), values.shape[0])


@_compiled
def _segment_medians(
    g: np.ndarray,
    on_page: np.ndarray,
    side: int,
    near: int,
    b: int,
    lo: int,
    level: float,
    consts: np.ndarray,
    meds: np.ndarray,
) -> None:
    """Each shift's row of `lines7.contrast_grid` (dark_on False) with the positions off the
    page left out, and its median as `reference.segments_reference`'s (nan unless TRACE_JUDGED of
    the positions are judged)."""
    m = g.shape[1]
    k = 2 * near + 1
    nd = g.shape[0] - k + 1
    base = -lo - near
    judged, print_k, beside_k, darker = consts[3], consts[4], consts[5], consts[6]
    dark = np.empty((nd, m))
    for jj in range(nd):
        for i in range(m):
            v = g[jj, i]
            for t in range(1, k):
                v = _nanmin2(v, g[jj + t, i])
            dark[jj, i] = v
    row = np.empty(m)
    for r in range(2 * side + 1):
        sh = r - side
        nfin = 0
        for i in range(m):
            on = dark[sh + base, i]
            left = dark[sh - b + base, i]
            right = dark[sh + b + base, i]
            across = g[sh - b - near - lo, i]
            for jj in range(sh - b - near - lo + 1, sh + b + near - lo + 1):
                across = _nanmin2(across, g[jj, i])
            mean = (left + right) / 2
            den = mean if (mean != mean or mean >= 1.0) else 1.0  # np.maximum(mean, 1.0)
            v = 1.0 - on / den
            printed = across <= print_k * level or _nanmin2(left, right) <= beside_k * level or v < darker
            if printed or not np.isfinite(v) or not on_page[i]:
                continue
            row[nfin] = v
            nfin += 1
        meds[r] = math.nan if (nfin < judged * m or nfin == 0) else _median_sorted(row[:nfin])


@_compiled
def trace_segments(
    image: np.ndarray,
    x: float,
    y: float,
    dx: float,
    dy: float,
    nx: float,
    ny: float,
    ts: np.ndarray,
    side: int,
    near: int,
    b: int,
    page: np.ndarray,
    consts: np.ndarray,
) -> np.ndarray:
    """`lines7._segments` (its reference: `reference.segments_reference`, the numpy code it
    replaced): follow a line from (x, y) along (dx, dy) segment by segment, each at the
    whole-pixel shift across (nx, ny) within `side` of the last that shows it darkest, and
    return each segment's median contrast (`lines7.contrast_grid` at each position, nan when
    not judged), until the sheet's edge or the image's. `page`: a.real, a.imag, b.real,
    b.imag, width mm, height mm, column mm of `lines7.Page`; `consts`: seg px, PAGE_MARGIN_MM,
    PAGE_SLACK, TRACE_JUDGED, 1 - PRINT_DARK, 1 - BESIDE_DARK, -BESIDE_DARKER,
    TRACE_MIN * TRACE_GONE (computed in Python, as the numpy code has them)."""
    hh, ww = image.shape
    m = ts.shape[0]
    seg, margin, slack, judged, follow = consts[0], consts[1], consts[2], consts[3], consts[7]
    ar, ai, br, bi, w_mm, h_mm, col = page[0], page[1], page[2], page[3], page[4], page[5], page[6]
    lo = -side - b - near
    nj = 2 * (side + b + near) + 1
    px = np.empty(m)
    py = np.empty(m)
    on_page = np.empty(m, np.bool_)
    g = np.empty((nj, m))
    flat = np.empty(nj * m)
    meds = np.empty(2 * side + 1)
    out = np.empty(400)
    n_out = 0
    for _ in range(400):  # at most 800 mm: a sheet's length
        count = 0
        for i in range(m):
            px[i] = x + ts[i] * dx
            py[i] = y + ts[i] * dy
            inside = _page_inside(px[i], py[i], ar, ai, br, bi, w_mm, h_mm, col, margin, slack)
            on_page[i] = inside and px[i] >= 0 and py[i] >= 0 and px[i] < ww and py[i] < hh
            count += on_page[i]
        if count / m < judged:
            break
        nok = _cross_sections(image, px, py, nx, ny, lo, g, flat)
        meds[:] = math.nan
        if nok > 0:  # else nothing judged (contrast_grid all nan)
            _segment_medians(g, on_page, side, near, b, lo, _percentile75(flat[:nok]), consts, meds)
        best = -1
        for r in range(2 * side + 1):  # np.nanargmax: the first of the largest
            if meds[r] == meds[r] and (best < 0 or meds[r] > meds[best]):
                best = r
        if best >= 0:
            out[n_out] = meds[best]
            if meds[best] >= follow:
                x = x + (best - side) * nx
                y = y + (best - side) * ny
        else:
            out[n_out] = math.nan
        n_out += 1
        x = x + seg * dx
        y = y + seg * dy
    return out[:n_out].copy()


# --- bands20 (twentieth pass) ---
# The reader's bands at the top of `_interpret` in one call (`side_bands`). BANDS_* name the
# slots of its `params` (the constants each band reads, taken from their modules at each
# call) and of its answer's rows.
(
    BP_MARGINAL,
    BP_GAIN,
    BP_DOUBT_INK,
    BP_PEN_DOUBT_LO,
    BP_DOUBT_LO,
    BP_FAINT_CONTRAST,
    BP_INNER,
    BP_FAINT_REACH,
    BP_FAINT_RUN,
    BP_PENCIL_LO,
    BP_PENCIL_CONTRAST,
    BP_PENCIL_INNER,
    BP_PENCIL_REACH,
    BP_PENCIL_RUN,
    BP_PENCIL_SMOOTH,
    BP_LOOK_FROM,
    BP_LOW_ON,
    BP_LOW_FROM,
    BP_LOW_INNER,
    BP_LOW_CONTRAST,
    BP_LOW_RUN,
    BP_RING_ON,
    BP_SIDE_SHARE,
    BP_VOTE_ON,
    BP_NEAR_LO,
    BP_VOTE_GATE,
    BP_MISS_ON,
    BP_MISS_LO,
    BP_MISS_INNER,
    BP_SHORT_RUN,
    BP_FOOT_FROM,
    BP_FOOT_INK,
    BP_GRAIN_ON,
    BP_GRAIN_FROM,
    BP_TICK_ON,
    BP_TICK_FROM,
    BP_REBASE_ON,
    BP_SHIFT_FROM,
    BP_REBASE_FROM,
    BP_LOW15_ON,
    BP_GAP,
    BP_EDGE_ON,
    BP_EDGE_LO,
    BP_EDGE_INNER,
    BP_QUAD_MIN,
    BP_TOL_ULPS,
    BP_SIZE,
) = range(47)
# rows of `side_bands`' answer, in `_interpret`'s order (miss11's band: its two gates)
BANDS_ROWS = (
    "look",
    "wide",
    "low",
    "ring_line",
    "under",
    "short",
    "foot",
    "grain_low",
    "sunk",
    "lifted",
    "alone",
    "corner",
)


@_compiled
def _all_finite(sc: np.ndarray, paper: np.ndarray, gain: float) -> bool:
    if not math.isfinite(gain):
        return False
    for k in range(sc.shape[0]):
        if not math.isfinite(sc[k]):
            return False
        for j in range(4):
            if not math.isfinite(paper[k, j]):
                return False
    return True


@_compiled
def _doubt_rows(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    sc: np.ndarray,
    paper: np.ndarray,
    params: np.ndarray,
    out: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`reader.doubt_band` (row 0) and `pencil6.wider_band` (row 1); the darkest pass, the
    lightest side levels (np.maximum(1.0, paper.max(axis=1))) and the ink of the darkest
    pixel against them, for the bands after."""
    n = sc.shape[0]
    marginal = params[BP_MARGINAL]
    gain = params[BP_GAIN]
    darkest = darkest_inside(image, centres, scales, params[BP_INNER])
    lightest = np.empty(n, np.float64)
    ink = np.empty(n, np.float64)
    look = np.zeros(n, np.bool_)
    want = np.zeros(n, np.bool_)
    for k in range(n):
        lightest[k] = max(1.0, max(max(paper[k, 0], paper[k, 1]), max(paper[k, 2], paper[k, 3])))
        ink[k] = gain * (1.0 - darkest[k] / lightest[k])
        dark = darkest[k] >= 0 and ink[k] >= params[BP_DOUBT_INK]
        look[k] = not (sc[k] < marginal) or (sc[k] >= params[BP_PEN_DOUBT_LO] and dark)
        want[k] = (
            not look[k]
            and sc[k] >= params[BP_DOUBT_LO]
            and darkest[k] >= 0
            and ink[k] >= params[BP_FAINT_CONTRAST]
        )
    found = faint_runs(
        image,
        centres,
        scales,
        want,
        lightest,
        gain,
        params[BP_INNER],
        params[BP_FAINT_REACH],
        params[BP_FAINT_CONTRAST],
        params[BP_FAINT_RUN],
        0.0,
    )
    for k in range(n):
        look[k] = look[k] or found[k]
        want[k] = (
            not look[k]
            and sc[k] >= params[BP_PENCIL_LO]
            and darkest[k] >= 0
            and ink[k] >= params[BP_PENCIL_CONTRAST]
        )
    found = faint_runs(
        image,
        centres,
        scales,
        want,
        lightest,
        gain,
        params[BP_PENCIL_INNER],
        params[BP_PENCIL_REACH],
        params[BP_PENCIL_CONTRAST],
        params[BP_PENCIL_RUN],
        params[BP_PENCIL_SMOOTH],
    )
    for k in range(n):
        out[0, k] = look[k] or found[k]
        out[1, k] = sc[k] >= params[BP_LOOK_FROM] and sc[k] < marginal
    return darkest, lightest, ink


@_compiled
def _pencil_rows(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    sc: np.ndarray,
    params: np.ndarray,
    darkest: np.ndarray,
    lightest: np.ndarray,
    ink: np.ndarray,
    out: np.ndarray,
) -> None:
    """pencil7.low_band (row 2), vote11.band (row 4), miss11.band's gates (rows 5 and 6),
    grain14.low_band (row 7), on `_doubt_rows`' answers."""
    n = sc.shape[0]
    gain = params[BP_GAIN]
    look_from = params[BP_LOOK_FROM]
    want = np.zeros(n, np.bool_)
    if params[BP_LOW_ON] != 0.0:
        for k in range(n):
            want[k] = not (out[0, k] or out[1, k]) and sc[k] >= params[BP_LOW_FROM] and sc[k] < look_from
        found = faint_runs(
            image,
            centres,
            scales,
            want,
            lightest,
            gain,
            params[BP_LOW_INNER],
            params[BP_PENCIL_REACH],
            params[BP_LOW_CONTRAST],
            params[BP_LOW_RUN],
            params[BP_PENCIL_SMOOTH],
        )
        for k in range(n):
            out[2, k] = found[k]
    if params[BP_VOTE_ON] != 0.0:  # its lightest and ink are the doubt band's
        for k in range(n):
            want[k] = (
                sc[k] >= params[BP_NEAR_LO]
                and sc[k] < params[BP_DOUBT_LO]
                and darkest[k] >= 0
                and ink[k] >= params[BP_FAINT_CONTRAST]
            )
        if params[BP_VOTE_GATE] != 0.0:
            found = faint_runs(
                image,
                centres,
                scales,
                want,
                lightest,
                gain,
                params[BP_INNER],
                params[BP_FAINT_REACH],
                params[BP_FAINT_CONTRAST],
                params[BP_FAINT_RUN],
                0.0,
            )
            for k in range(n):
                want[k] = want[k] and found[k]
        for k in range(n):
            out[4, k] = want[k]
    if params[BP_MISS_ON] != 0.0:  # left out of the doubt, wider and low bands
        for k in range(n):
            want[k] = (
                not (out[0, k] or out[1, k] or out[2, k])
                and sc[k] >= params[BP_MISS_LO]
                and sc[k] < look_from
            )
        found = faint_runs(
            image,
            centres,
            scales,
            want,
            lightest,
            gain,
            params[BP_MISS_INNER],
            params[BP_PENCIL_REACH],
            params[BP_LOW_CONTRAST],
            params[BP_SHORT_RUN],
            params[BP_PENCIL_SMOOTH],
        )
        for k in range(n):
            out[5, k] = found[k]
            out[6, k] = (
                want[k]
                and not found[k]
                and sc[k] >= params[BP_FOOT_FROM]
                and darkest[k] >= 0
                and gain * (1.0 - darkest[k] / lightest[k]) >= params[BP_FOOT_INK]
            )
    if params[BP_GRAIN_ON] != 0.0:
        for k in range(n):
            out[7, k] = not (out[0, k] or out[1, k]) and sc[k] >= params[BP_GRAIN_FROM] and sc[k] < look_from


@_compiled
def _score_rows(sc: np.ndarray, paper: np.ndarray, params: np.ndarray, out: np.ndarray) -> np.ndarray:
    """faint9.ring_lines (row 3), tick13.band (row 8), rebase14.band (row 9), low15.band
    (row 10); the squares edge16.band asks `corner_quadrants` of."""
    n = sc.shape[0]
    near_lo = params[BP_NEAR_LO]
    look_from = params[BP_LOOK_FROM]
    lowest = np.inf
    at = 0
    for k in range(n):
        if sc[k] < lowest:  # the first of equal lowest, as np.argmin (all finite)
            lowest = sc[k]
            at = k
    nxt = np.inf
    for k in range(n):
        if k != at:
            nxt = min(nxt, sc[k])
    rebase = params[BP_REBASE_ON] != 0.0 and not (-lowest < params[BP_SHIFT_FROM])
    asked = np.zeros(n, np.bool_)
    for k in range(n):
        if params[BP_RING_ON] != 0.0:
            top = max(max(paper[k, 0], paper[k, 1]), max(paper[k, 2], paper[k, 3]))
            bottom = min(min(paper[k, 0], paper[k, 1]), min(paper[k, 2], paper[k, 3]))
            out[3, k] = bottom < params[BP_SIDE_SHARE] * top
        if params[BP_TICK_ON] != 0.0:
            out[8, k] = sc[k] - lowest >= params[BP_TICK_FROM] and sc[k] < near_lo
        if rebase:
            out[9, k] = sc[k] >= near_lo and sc[k] < look_from and sc[k] - lowest >= params[BP_REBASE_FROM]
        if params[BP_EDGE_ON] != 0.0:
            asked[k] = not out[0, k] and sc[k] >= params[BP_EDGE_LO] and sc[k] < params[BP_MARGINAL]
    if params[BP_LOW15_ON] != 0.0 and n >= 2 and lowest < near_lo and nxt - lowest >= params[BP_GAP]:
        out[10, at] = True
    return asked


@_compiled
def _corner_rows(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    half: int,
    ring: int,
    params: np.ndarray,
    asked: np.ndarray,
    out: np.ndarray,
) -> bool:
    """edge16.band (row 11): `corner_quadrants` of the asked squares, then
    `edge16.could_stand_out`'s test. False: a quadrant sum not finite (np.sort's NaN order
    is not this sorting network's)."""
    n = asked.shape[0]
    q = corner_quadrants(
        image, centres, scales, paper, asked, half, ring, params[BP_GAIN], params[BP_EDGE_INNER]
    )
    side = 2 * half + 1
    # TOL_ULPS * (pixels + 2) * eps, in numpy's order (the product of whole numbers exact)
    tol_c = params[BP_TOL_ULPS] * float(side * side + 2) * 2.220446049250313e-16
    for k in range(n):
        if not asked[k]:
            continue
        a, b, c, d = q[k, 0], q[k, 1], q[k, 2], q[k, 3]
        if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c) and math.isfinite(d)):
            return False
        # sorted: the smaller of each pair's larger and the larger of the smallers are the middle two
        lo1, hi1 = min(a, b), max(a, b)
        lo2, hi2 = min(c, d), max(c, d)
        top = max(hi1, hi2)
        margin = top - (max(lo1, lo2) + min(hi1, hi2)) / 2.0
        out[11, k] = margin >= params[BP_QUAD_MIN] - (tol_c * top + 1e-12)
    return True


@_compiled
def side_bands(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    sc: np.ndarray,
    paper: np.ndarray,
    half: int,
    ring: int,
    params: np.ndarray,
) -> np.ndarray:
    """bands20: every band the reader computes before its loop over the squares, in one
    call (`reader.side_bands_apart`, also `reference.side_bands_reference`, is the
    functions it replaces, called in `_interpret`'s order): rows (BANDS_ROWS) of booleans
    per square. The same compiled passes the bands call (`darkest_inside`, `faint_runs`,
    `corner_quadrants`) on the same squares with the same arguments, and the same float64
    operations in the same order as their numpy, element by element (IEEE; numba compiles
    no fused multiply-add without fastmath), so the answer is theirs bit for bit. Minima
    and maxima are numpy's on finite values: a non-finite score, side level, gain or
    quadrant sum answers an empty (0, n) array, and the caller asks the bands themselves
    (numpy's NaN rules)."""
    n = sc.shape[0]
    if not _all_finite(sc, paper, params[BP_GAIN]):
        return np.zeros((0, n), np.bool_)
    out = np.zeros((12, n), np.bool_)
    darkest, lightest, ink = _doubt_rows(image, centres, scales, sc, paper, params, out)
    _pencil_rows(image, centres, scales, sc, params, darkest, lightest, ink, out)
    asked = _score_rows(sc, paper, params, out)
    if params[BP_EDGE_ON] != 0.0 and not _corner_rows(
        image, centres, scales, paper, half, ring, params, asked, out
    ):
        return np.zeros((0, n), np.bool_)
    return out


# --- post20 (twentieth pass) ---
# The passes after `_interpret`'s per-square loop (fix8.hairline, wrong10.ridged_print,
# erase9.possible_erasure) each cut the voter's marked square again and made a dozen numpy
# and OpenCV calls on it. Each of these kernels is one call, the same numbers to the bit
# (references in reference.py under "post20"; tests/test_post20.py).


@_compiled
def _around_box(image: np.ndarray, rx: int, ry: int, half: int) -> tuple[int, int, int, int]:
    """`crop.around`'s rule for the square from (rx, ry) - half to (rx, ry) + half (rx, ry:
    Python's round of the centre): the part on the image as (xa, ya, xb, yb), each end
    clamped; empty (xb <= xa or yb <= ya) when none of it is on the image."""
    hh, ww = image.shape
    x0, y0 = rx - half, ry - half
    xa, ya = min(max(0, x0), ww), min(max(0, y0), hh)
    xb, yb = min(max(0, x0 + 2 * half + 1), ww), min(max(0, y0 + 2 * half + 1), hh)
    return xa, ya, xb, yb


_DX8 = (1, 1, 0, -1, -1, -1, 0, 1)  # OpenCV's chain codes: 0 right, then anticlockwise
_DY8 = (0, -1, -1, -1, 0, 1, 1, 1)
_SQRT2_F32 = float(np.float32(math.sqrt(2.0)))  # cv2.arcLength's diagonal step (sqrtf)


@_compiled
def _close22(mask: np.ndarray) -> np.ndarray:
    """cv2.morphologyEx(mask, MORPH_CLOSE, np.ones((2, 2))) as 0/1: OpenCV's dilation then
    erosion, both over the pixel and its neighbours up and left (the anchor (1, 1) of an
    even kernel; the image's outside ignored), so the closing moves a speck down-right."""
    h, w = mask.shape
    d = np.zeros((h, w), np.uint8)
    for y in range(h):
        for x in range(w):
            v = 0
            for dy in range(-1, 1):
                for dx in range(-1, 1):
                    yy, xx = y + dy, x + dx
                    if yy >= 0 and xx >= 0 and mask[yy, xx] != 0:
                        v = 1
            d[y, x] = v
    e = np.zeros((h, w), np.uint8)
    for y in range(h):
        for x in range(w):
            v = 1
            for dy in range(-1, 1):
                for dx in range(-1, 1):
                    yy, xx = y + dy, x + dx
                    if yy >= 0 and xx >= 0 and d[yy, xx] == 0:
                        v = 0
            e[y, x] = v
    return e


@_compiled
def _outlines(mask: np.ndarray, long_px: float) -> tuple[int, float, int]:  # noqa: C901
    """The external contours of `mask` (cv2.findContours RETR_EXTERNAL, CHAIN_APPROX_NONE):
    (the pixels their fills cover, the sum of max(1, cv2.arcLength(c, True)), how many have
    max(1, arcLength) / 2 >= long_px). An external contour is the outer border of an
    8-connected component not inside another's hole (a hole: background not 4-connected to
    the frame); its fill is the component and its holes, so the fills together are every
    pixel the frame's background does not reach. Its length is OpenCV's border following
    (icvFetchContour) from the component's first pixel in raster order: each step 1 or
    sqrtf(2), summed in float64 (exactly: a + b * _SQRT2_F32)."""
    h, w = mask.shape
    pad = np.zeros((h + 2, w + 2), np.uint8)
    for y in range(h):
        for x in range(w):
            if mask[y, x] != 0:
                pad[y + 1, x + 1] = 1
    # The frame's background: every zero 4-connected to the frame, by raster sweeps down
    # and up (each takes what its neighbours took) until one pair takes nothing more.
    outer = np.zeros((h + 2, w + 2), np.bool_)
    for x in range(w + 2):
        outer[0, x] = True
        outer[h + 1, x] = True
    for y in range(h + 2):
        outer[y, 0] = True
        outer[y, w + 1] = True
    changed = True
    while changed:
        changed = False
        for y in range(1, h + 1):
            for x in range(1, w + 1):
                if (
                    pad[y, x] == 0
                    and not outer[y, x]
                    and (outer[y - 1, x] or outer[y, x - 1] or outer[y + 1, x] or outer[y, x + 1])
                ):
                    outer[y, x] = True
                    changed = True
        for y in range(h, 0, -1):
            for x in range(w, 0, -1):
                if (
                    pad[y, x] == 0
                    and not outer[y, x]
                    and (outer[y + 1, x] or outer[y, x + 1] or outer[y - 1, x] or outer[y, x - 1])
                ):
                    outer[y, x] = True
                    changed = True
    n_outer = 0
    for y in range(1, h + 1):
        for x in range(1, w + 1):
            if outer[y, x]:
                n_outer += 1
    stack = np.empty((h * w, 2), np.int64)
    seen = np.zeros((h + 2, w + 2), np.bool_)
    perimeter = 0.0
    n_long = 0
    for y0 in range(1, h + 1):
        for x0 in range(1, w + 1):
            if pad[y0, x0] == 0 or seen[y0, x0]:
                continue
            seen[y0, x0] = True  # a new component: all its pixels seen (8-connected)
            stack[0, 0] = y0
            stack[0, 1] = x0
            top = 1
            while top > 0:
                top -= 1
                y = stack[top, 0]
                x = stack[top, 1]
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        yy, xx = y + dy, x + dx
                        if pad[yy, xx] != 0 and not seen[yy, xx]:
                            seen[yy, xx] = True
                            stack[top, 0] = yy
                            stack[top, 1] = xx
                            top += 1
            if not outer[y0 - 1, x0]:
                continue  # in another component's hole: no external contour of its own
            s = 4
            while True:
                s = (s - 1) & 7
                if pad[y0 + _DY8[s], x0 + _DX8[s]] != 0 or s == 4:
                    break
            length = 0.0  # a single pixel
            if pad[y0 + _DY8[s], x0 + _DX8[s]] != 0:
                y1, x1 = y0 + _DY8[s], x0 + _DX8[s]
                y3, x3 = y0, x0
                axis = 0
                diag = 0
                while True:
                    y4, x4 = y3, x3
                    while s < 15:
                        s += 1
                        y4 = y3 + _DY8[s & 7]
                        x4 = x3 + _DX8[s & 7]
                        if pad[y4, x4] != 0:
                            break
                    s &= 7
                    if s & 1:
                        diag += 1
                    else:
                        axis += 1
                    if y4 == y0 and x4 == x0 and y3 == y1 and x3 == x1:
                        break
                    y3, x3 = y4, x4
                    s = (s + 4) & 7
                length = float(axis) + float(diag) * _SQRT2_F32
            length = max(1.0, length)
            perimeter += length
            if length / 2 >= long_px:
                n_long += 1
    return h * w - n_outer, perimeter, n_long


@_compiled
def hair_shape(
    image: np.ndarray,
    cx: float,
    cy: float,
    rx: int,
    ry: int,
    half: int,
    limit: float,
    paper: float,
    gain: float,
    floor: float,
    share: float,
    min_px: int,
    scale: float,
    long_px: float,
) -> tuple[int, float, int, np.ndarray]:
    """`fix8.hairline`'s look at one square in one call: `crop.around(image, (cx, cy), half)`
    (rx, ry: Python's round of cx, cy), `hair_dark` on it, then (when at least `min_px` are
    dark) fix8's `_width` of the dark mask (its 2 x 2 closing's contours: twice the filled
    pixels over the outlines' length, per px of `scale`) and the number of the unclosed
    mask's contours at least 2 long_px long (`_ridged`'s gate). (count, width, long, dark);
    count -2 when nothing of the window is on the image, -1 when the inside is not (as
    hair_dark); width and long are 0 when count < min_px."""
    xa, ya, xb, yb = _around_box(image, rx, ry, half)
    if xb <= xa or yb <= ya:
        return -2, 0.0, 0, np.zeros((0, 0), np.uint8)
    win = np.ascontiguousarray(image[ya:yb, xa:xb])
    h, w = win.shape
    xs = np.empty((1, w))
    ys = np.empty((h, 1))
    ox, oy = cx - xa, cy - ya
    for x in range(w):
        xs[0, x] = float(x) - ox
    for y in range(h):
        ys[y, 0] = float(y) - oy
    dark, count = hair_dark(win, xs, ys, limit, paper, gain, floor, share, min_px)
    if count < min_px:
        return count, 0.0, 0, dark
    filled, perimeter, _ = _outlines(_close22(dark), long_px)
    width = 0.0 if perimeter <= 0 else 2.0 * filled / perimeter / scale
    _, _, n_long = _outlines(dark, long_px)
    return count, width, n_long, dark


@_compiled
def _block_f32(a: np.ndarray, lo: int, n: int) -> np.float32:
    """numpy's pairwise sum of the float32 a[lo : lo + n] for n <= 128 (FLOAT_pairwise_sum:
    a plain loop under 8 values, else eight running sums, joined in pairs, then the rest)."""
    if n < 8:
        res = np.float32(0.0)
        for i in range(lo, lo + n):
            res = np.float32(res + a[i])
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - (n % 8)
    while i < m:
        j = lo + i
        r0 = np.float32(r0 + a[j])
        r1 = np.float32(r1 + a[j + 1])
        r2 = np.float32(r2 + a[j + 2])
        r3 = np.float32(r3 + a[j + 3])
        r4 = np.float32(r4 + a[j + 4])
        r5 = np.float32(r5 + a[j + 5])
        r6 = np.float32(r6 + a[j + 6])
        r7 = np.float32(r7 + a[j + 7])
        i += 8
    res = np.float32(
        np.float32(np.float32(r0 + r1) + np.float32(r2 + r3))
        + np.float32(np.float32(r4 + r5) + np.float32(r6 + r7))
    )
    while i < n:
        res = np.float32(res + a[lo + i])
        i += 1
    return res


@_compiled
def _pairwise_f32(a: np.ndarray, lo: int, n: int) -> np.float32:
    """numpy's pairwise sum of the float32 a[lo : lo + n]: above 128 values, the sum of the
    first n2 = n // 2 less its remainder by 8 and the sum of the rest, each split the same
    way. Walked with an explicit stack (numba's cache cannot hold a recursive function)."""
    if n <= 128:
        return _block_f32(a, lo, n)
    los = np.empty(64, np.int64)
    ns = np.empty(64, np.int64)
    state = np.zeros(64, np.int64)  # 0: new, 1: its first half being summed, 2: its second
    acc = np.zeros(64, np.float32)  # a node's first half's sum
    top = 0
    los[0], ns[0], state[0] = lo, n, 0
    while True:
        m = ns[top]
        if m > 128:
            n2 = m // 2
            n2 -= n2 % 8
            state[top] = 1
            los[top + 1], ns[top + 1], state[top + 1] = los[top], n2, 0
            top += 1
            continue
        v = _block_f32(a, los[top], m)
        while True:  # hand the sum up to the parents
            top -= 1
            if top < 0:
                return v
            if state[top] == 1:
                acc[top] = v
                state[top] = 2
                n2 = ns[top] // 2
                n2 -= n2 % 8
                los[top + 1], ns[top + 1], state[top + 1] = los[top] + n2, ns[top] - n2, 0
                top += 1
                break
            v = np.float32(acc[top] + v)


@_compiled
def _mean_f32(a: np.ndarray) -> np.float32:
    """np.mean of a C-contiguous float32 array: the pairwise sum of all its values (one
    reduction, started at 0), divided in float64 by their count (numpy's _mean divides the
    float32 sum by an intp), rounded to float32."""
    flat = a.ravel()
    n = flat.size
    s = np.float32(np.float32(0.0) + _pairwise_f32(flat, 0, n))
    return np.float32(float(s) / float(n))


@_compiled
def _reflect(p: int, n: int) -> int:
    """cv2.borderInterpolate(p, n, cv2.BORDER_REFLECT): ...cba|abc...xyz|zyx..."""
    if n == 1:
        return 0
    while p < 0 or p >= n:
        p = -p - 1 if p < 0 else n - 1 - (p - n)
    return p


@_compiled
def ridge_detail(
    image: np.ndarray, x0: int, y0: int, n: int, k: int, unit: float, paper1: float
) -> tuple[np.ndarray, float, float]:
    """`wrong10.ridge_detail`'s numbers on the n x n window at (x0, y0) (all on the image),
    w its greys as float32: the detail (cv2.blur(w, (k, k), BORDER_REFLECT) - w) * unit
    in float32 (the box sum is a whole number, exact in any order; OpenCV scales it by
    1 / k^2 in float64 and rounds to float32), float(np.sqrt(np.mean(detail * detail)))
    and float(np.maximum(0.0, paper1 - w).mean()), numpy's float32 pairwise means."""
    r = k // 2
    inv = 1.0 / (k * k)
    unit32 = np.float32(unit)
    p32 = np.float32(paper1)
    at = np.empty(n + 2 * r, np.int64)  # the reflected index of each offset from -r
    for j in range(n + 2 * r):
        at[j] = _reflect(j - r, n)
    rows = np.empty((n, n), np.int64)  # each pixel's k-wide row sum (whole numbers: exact)
    for y in range(n):
        src = image[y0 + y]
        s = 0
        for j in range(k):
            s += src[x0 + at[j]]
        rows[y, 0] = s
        for x in range(1, n):
            s += int(src[x0 + at[x + k - 1]]) - int(src[x0 + at[x - 1]])
            rows[y, x] = s
    box = np.empty((n, n), np.int64)  # and the k rows' sum of those
    for x in range(n):
        s = 0
        for j in range(k):
            s += rows[at[j], x]
        box[0, x] = s
    for y in range(1, n):
        for x in range(n):
            box[y, x] = box[y - 1, x] + rows[at[y + k - 1], x] - rows[at[y - 1], x]
    detail = np.empty((n, n), np.float32)
    sq = np.empty((n, n), np.float32)
    clip = np.empty((n, n), np.float32)
    for y in range(n):
        for x in range(n):
            s = box[y, x]
            wv = np.float32(image[y0 + y, x0 + x])
            d = np.float32(np.float32(np.float32(s * inv) - wv) * unit32)
            detail[y, x] = d
            sq[y, x] = np.float32(d * d)
            c = np.float32(p32 - wv)
            clip[y, x] = c if c > 0 else np.float32(0.0)
    rms = np.float32(math.sqrt(_mean_f32(sq)))
    return detail, float(rms), float(_mean_f32(clip))


@_compiled
def _searched(counts: np.ndarray, v: int) -> float:
    """np.searchsorted(counts, v, side="right") of a running total: the first grey whose
    count exceeds v."""
    for g in range(counts.shape[0]):
        if counts[g] > v:
            return float(g)
    return float(counts.shape[0])


@_compiled
def _percentile_u8(counts: np.ndarray, q: float) -> float:
    """`erase9.percentile_u8`, the same float64 steps."""
    n = int(counts[-1])
    at = (n - 1) * (q / 100)
    lo = math.floor(at)
    hi = min(lo + 1, n - 1)
    a = _searched(counts, lo)
    b = _searched(counts, hi)
    t = at - lo
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


@_compiled
def firm_levels(
    image: np.ndarray, rx: int, ry: int, half: int, q_lo: float, q_hi: float
) -> tuple[float, float]:
    """`erase9._firm`'s two percentiles (`percentile_u8` at q_lo and q_hi) of the greys of
    `crop.around(image, centre, half)` (rx, ry: Python's round of the centre); (-1, -1)
    when nothing of it is on the image."""
    xa, ya, xb, yb = _around_box(image, rx, ry, half)
    if xb <= xa or yb <= ya:
        return -1.0, -1.0
    counts = np.zeros(256, np.int64)
    for y in range(ya, yb):
        for x in range(xa, xb):
            counts[image[y, x]] += 1
    for g in range(1, 256):
        counts[g] += counts[g - 1]
    return _percentile_u8(counts, q_lo), _percentile_u8(counts, q_hi)


# --- look20 (twentieth pass) ---
#
# The closer look's (`inspect.inspect_square`) per-window setup in one call, and its
# straight-stroke test's sums in two: numpy's arithmetic to the bit (the same float32 and
# float64 operations in the same order, numpy's pairwise summation for every `.sum()`).


@_compiled
def _pairwise_block(a: np.ndarray, lo: int, n: int, zero: Any) -> Any:
    """numpy's pairwise summation of a[lo:lo + n] for n <= 128 (`zero`: 0 of the sum's
    type): under 8 values one after the other from zero, else eight interleaved sums
    combined in pairs, then the rest one after the other."""
    if n < 8:
        res = zero
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - (n % 8)
    while i < m:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_compiled
def _pairwise(a: np.ndarray, n: int, zero: Any, vals: np.ndarray) -> Any:
    """numpy's `add.reduce` of the contiguous a[:n] (float64, or float32 summed in
    float32): `a[:n].sum()` to the bit. Over 128 values numpy halves the range (the split
    at a multiple of 8) and adds the two halves' sums; here without recursion (numba's
    cache does not keep recursive kernels), an explicit stack. `vals`: 64 slots of the
    sum's type. red21: the reduction starts from its identity, zero + the pairwise sum, as
    numpy's does (only a sum of eight or more -0.0 tells: numpy's is +0.0)."""
    if n <= 128:
        return zero + _pairwise_block(a, 0, n, zero)
    los = np.empty(64, np.int64)
    ns = np.empty(64, np.int64)
    state = np.empty(64, np.int64)
    top = 0
    los[0], ns[0], state[0] = 0, n, 0
    result = zero
    while top >= 0:
        lo, m = los[top], ns[top]
        if m <= 128:
            v = _pairwise_block(a, lo, m, zero)
            top -= 1
        elif state[top] == 2:
            v = vals[top] + result
            top -= 1
        else:
            m2 = m // 2
            m2 -= m2 % 8
            if state[top] == 0:
                state[top] = 1
                los[top + 1], ns[top + 1], state[top + 1] = lo, m2, 0
            else:
                state[top] = 2
                los[top + 1], ns[top + 1], state[top + 1] = lo + m2, m - m2, 0
            top += 1
            continue
        # hand v to the parent: its left half (then do the right), or its right half
        result = v
        if top >= 0 and state[top] == 1:
            vals[top] = v
    return zero + result


@_compiled
def _ring_profile(win: np.ndarray, across: bool, lo: int, r: int, k: int) -> np.ndarray:
    """One side's profile for `inspect.coons_paper`: along the side, the ring's r pixels
    (rows lo..lo + r - 1, or with `across` columns) at 75 % (`inspect._q75`: the order
    statistics at int(0.75 (r - 1)) and the next, interpolated in float32, truncated to a
    whole grey level as astype(uint8)), then the median over k positions along the side
    with the ends repeated (cv2.medianBlur of the one-row image, BORDER_REPLICATE: its k x
    k box holds k copies of each of the row's k values), as float32. The median slides:
    a count per grey level and the median's level moved until fewer than k // 2 + 1 values
    lie below it and at least that many at or below it."""
    n = win.shape[0] if across else win.shape[1]
    pos = 0.75 * (r - 1)
    q_lo = int(pos)
    q_hi = min(q_lo + 1, r - 1)
    frac = np.float32(pos - q_lo)
    col = np.empty(r, np.int64)
    level = np.empty(n, np.int64)
    for t in range(n):
        for j in range(r):  # insertion sort of the r ring pixels across the side
            g = np.int64(win[t, lo + j] if across else win[lo + j, t])
            i = j
            while i > 0 and col[i - 1] > g:
                col[i] = col[i - 1]
                i -= 1
            col[i] = g
        a = np.float32(col[q_lo])
        level[t] = int(a + (np.float32(col[q_hi]) - a) * frac)
    half = k // 2
    count = np.zeros(256, np.int64)
    for d in range(k):
        count[level[min(max(d - half, 0), n - 1)]] += 1
    m = 0
    below = 0  # values under m
    while below + count[m] <= half:
        below += count[m]
        m += 1
    out = np.empty(n, np.float32)
    out[0] = np.float32(m)
    for t in range(1, n):
        old = level[min(max(t - 1 - half, 0), n - 1)]
        new = level[min(max(t + half, 0), n - 1)]
        count[old] -= 1
        if old < m:
            below -= 1
        count[new] += 1
        if new < m:
            below += 1
        while below > half:
            m -= 1
            below -= count[m]
        while below + count[m] <= half:
            below += count[m]
            m += 1
        out[t] = np.float32(m)
    return out


@_compiled
def closer_look_setup_look20(
    win: np.ndarray,
    blackhat: np.ndarray,
    levels: np.ndarray,
    ring: int,
    k: int,
    gain: float,
    cx: float,
    cy: float,
    inner: float,
    outer: float,
    dark_ink: float,
    thin_contrast: float,
    hook_pen: float,
) -> tuple[Any, ...]:
    """The closer look's window setup (`inspect.inspect_square` before its branches), each
    array and sum as its numpy computes it (`reference.closer_look_setup_numpy`):
    (inv, ink, paper_local, ink_local, thin, xs (1, w), ys (h, 1), box, inside, border,
    evidence, dark (uint8), ink.sum(), ink_local.sum() (float32), ink[dark].sum(),
    ink[evidence].sum(), the count of evidence & (ink >= hook_pen)). `k`: the profile's
    median length; (cx, cy): the square's centre in the window. speed28: the reader calls
    `closer_look_setup`, the same arithmetic in branch-free passes; this is its reference."""
    h, w = win.shape
    r = max(1, min(ring, w // 3, h // 3))
    # paper_inverse
    top, bottom, left, right = float(levels[0]), float(levels[1]), float(levels[2]), float(levels[3])
    i_c = (1 / top + 1 / bottom + 1 / left + 1 / right) / 4
    g_x = (1 / right - 1 / left) / max(1.0, float(w - r))
    g_y = (1 / bottom - 1 / top) / max(1.0, float(h - r))
    # coons_paper's four profiles and its interpolation weights (float32)
    p_top = _ring_profile(win, False, 0, r, k)
    p_bottom = _ring_profile(win, False, h - r, r, k)
    p_left = _ring_profile(win, True, 0, r, k)
    p_right = _ring_profile(win, True, w - r, r, k)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    mid = np.float32((r - 1) / 2)
    dv = np.float32(max(1.0, float(h - r)))
    du = np.float32(max(1.0, float(w - r)))
    vw = np.empty(h, np.float32)
    for i in range(h):
        t = (np.float32(i) - mid) / dv
        vw[i] = min(max(t, zero), one)
    uw = np.empty(w, np.float32)
    for j in range(w):
        t = (np.float32(j) - mid) / du
        uw[j] = min(max(t, zero), one)
    t0, t1, b0, b1 = p_top[0], p_top[w - 1], p_bottom[0], p_bottom[w - 1]
    g32 = np.float32(gain)
    inv = np.empty((h, w), np.float64)
    ink = np.empty((h, w), np.float64)
    paper = np.empty((h, w), np.float32)
    ink_local = np.empty((h, w), np.float32)
    thin = np.empty((h, w), np.float64)
    xs = np.empty((1, w), np.float64)
    ys = np.empty((h, 1), np.float64)
    box = np.empty((h, w), np.float64)
    inside = np.empty((h, w), np.bool_)
    border = np.empty((h, w), np.bool_)
    evidence = np.empty((h, w), np.bool_)
    dark = np.empty((h, w), np.uint8)
    dark_vals = np.empty(h * w, np.float64)
    ev_vals = np.empty(h * w, np.float64)
    n_dark = 0
    n_ev = 0
    n_pen = 0
    for j in range(w):
        xs[0, j] = float(j) - cx
    for i in range(h):
        ys[i, 0] = float(i) - cy
    for i in range(h):
        yc = float(i) - (h - 1) / 2.0
        vi = vw[i]
        omv = one - vi
        ay = abs(ys[i, 0])
        for j in range(w):
            xc = float(j) - (w - 1) / 2.0
            iv = i_c + g_y * yc + g_x * xc
            inv[i, j] = iv
            g = float(win[i, j])
            e = gain * (1.0 - g * iv)
            if e < 0.0:  # red21: np.clip's rule, a NaN (and -0.0) kept as it is
                e = 0.0
            elif e > 1.0:
                e = 1.0
            ink[i, j] = e
            # the Coons patch, in numpy's order of operations
            uj = uw[j]
            omu = one - uj
            p = omv * p_top[j] + vi * p_bottom[j]
            p = p + omu * p_left[i]
            p = p + uj * p_right[i]
            c = (omu * omv) * t0 + (uj * omv) * t1
            c = c + (omu * vi) * b0
            c = c + (uj * vi) * b1
            p = p - c
            p = p if p >= one else one
            paper[i, j] = p
            q = g32 * (one - np.float32(g) / p)
            if q < zero:  # np.clip's rule (red21)
                q = zero
            elif q > one:
                q = one
            ink_local[i, j] = q
            th = float(blackhat[i, j]) * iv * gain
            thin[i, j] = th
            ax = abs(xs[0, j])
            b = ax if ax >= ay else ay
            box[i, j] = b
            ins = b <= inner
            inside[i, j] = ins
            border[i, j] = (not ins) and b <= outer
            dk = ins and e >= dark_ink
            dark[i, j] = 1 if dk else 0
            ev = ins and (e >= dark_ink or th >= thin_contrast)
            evidence[i, j] = ev
            if dk:
                dark_vals[n_dark] = e
                n_dark += 1
            if ev:
                ev_vals[n_ev] = e
                n_ev += 1
                if e >= hook_pen:
                    n_pen += 1
    s_ink = _pairwise(ink.ravel(), h * w, 0.0, np.empty(64, np.float64))
    s_local = _pairwise(ink_local.ravel(), h * w, np.float32(0.0), np.empty(64, np.float32))
    s_dark = _pairwise(dark_vals, n_dark, 0.0, np.empty(64, np.float64))
    s_ev = _pairwise(ev_vals, n_ev, 0.0, np.empty(64, np.float64))
    return (
        inv,
        ink,
        paper,
        ink_local,
        thin,
        xs,
        ys,
        box,
        inside,
        border,
        evidence,
        dark,
        s_ink,
        s_local,
        s_dark,
        s_ev,
        n_pen,
    )


@_compiled
def stroke_moments(ink: np.ndarray, dark: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[Any, ...]:
    """`inspect._straight_stroke`'s weighted sums over the pixels of `dark` (nonzero, in
    numpy's order; xs (1, w), ys (h, 1)): (n, sum w, mean u, mean v, sum w du du, sum w dv
    dv, sum w du dv), each as numpy sums it."""
    h, w = dark.shape
    n = 0
    for i in range(h):
        for j in range(w):
            if dark[i, j]:
                n += 1
    u = np.empty(n, np.float64)
    v = np.empty(n, np.float64)
    wt = np.empty(n, np.float64)
    t = 0
    for i in range(h):
        for j in range(w):
            if dark[i, j]:
                u[t] = xs[0, j]
                v[t] = ys[i, 0]
                wt[t] = ink[i, j]
                t += 1
    if n < 4:
        return n, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    tmp = np.empty(n, np.float64)
    vals = np.empty(64, np.float64)
    ws = _pairwise(wt, n, 0.0, vals)
    for t in range(n):
        tmp[t] = u[t] * wt[t]
    mu = _pairwise(tmp, n, 0.0, vals) / ws
    for t in range(n):
        tmp[t] = v[t] * wt[t]
    mv = _pairwise(tmp, n, 0.0, vals) / ws
    for t in range(n):
        d = u[t] - mu
        tmp[t] = wt[t] * d * d
    cuu = _pairwise(tmp, n, 0.0, vals)
    for t in range(n):
        d = v[t] - mv
        tmp[t] = wt[t] * d * d
    cvv = _pairwise(tmp, n, 0.0, vals)
    for t in range(n):
        tmp[t] = wt[t] * (u[t] - mu) * (v[t] - mv)
    cuv = _pairwise(tmp, n, 0.0, vals)
    return n, ws, mu, mv, cuu, cvv, cuv


@_compiled
def stroke_spread(
    ink: np.ndarray,
    dark: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    mu: float,
    mv: float,
    c: float,
    s: float,
) -> tuple[float, float, float]:
    """`inspect._straight_stroke`'s spread across the axis (theta: cos c, sin s) and
    extent along it over the pixels of `dark`: (sum w across^2 as numpy sums it, max pos,
    min pos)."""
    h, w = dark.shape
    n = 0
    for i in range(h):
        for j in range(w):
            if dark[i, j]:
                n += 1
    tmp = np.empty(n, np.float64)
    vals = np.empty(64, np.float64)
    t = 0
    p_max = -np.inf
    p_min = np.inf
    for i in range(h):
        for j in range(w):
            if dark[i, j]:
                u = xs[0, j]
                v = ys[i, 0]
                a = (u - mu) * c + (v - mv) * s
                tmp[t] = ink[i, j] * a * a
                t += 1
                p = -u * s + v * c
                p_max = max(p_max, p)
                p_min = min(p_min, p)
    return _pairwise(tmp, n, 0.0, vals), p_max, p_min


# --- front21 (twenty-first pass) ---
# The stages of the read before `_interpret`, each one call (the Python between the old
# calls cost as much as their pixels right after a decode), the same numbers to the bit as
# the kernels and the numpy they replace, which are kept as the references
# (`locate.find_fiducials_apart`, `reader.register_apart`, `reader.streak_apart`,
# `reader.score_squares_apart`). Histograms are counted in four (one per column mod 4) and
# added: the counts are whole numbers, so the sum is the same; one histogram made each
# pixel wait for the store of the one before (paper is one grey level).


@_compiled
def _sample_hist(image: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """`coarse_page`'s subsample (every f-th pixel from f // 2) and its histogram."""
    h, w = image.shape
    off = f // 2
    sh = (h - off + f - 1) // f
    sw = (w - off + f - 1) // f
    small = np.empty((sh, sw), np.uint8)
    hist = np.zeros((4, 256), np.int64)
    q = sw - sw % 4
    for i in range(sh):
        row = image[off + i * f]
        out = small[i]
        for j in range(0, q, 4):
            v0 = row[off + j * f]
            v1 = row[off + (j + 1) * f]
            v2 = row[off + (j + 2) * f]
            v3 = row[off + (j + 3) * f]
            out[j] = v0
            out[j + 1] = v1
            out[j + 2] = v2
            out[j + 3] = v3
            hist[0, v0] += 1
            hist[1, v1] += 1
            hist[2, v2] += 1
            hist[3, v3] += 1
        for j in range(q, sw):
            v = row[off + j * f]
            out[j] = v
            hist[0, v] += 1
    return small, hist[0] + hist[1] + hist[2] + hist[3]


@_compiled
def _grey_level4(image: np.ndarray, y0: int, y1: int, x0: int, x1: int, share: float) -> float:
    """`grey_level`, its histogram counted in four."""
    hist = np.zeros((4, 256), np.int64)
    n = x1 - x0
    q = n - n % 4
    for y in range(y0, y1):
        row = image[y, x0:x1]
        for x in range(0, q, 4):
            hist[0, row[x]] += 1
            hist[1, row[x + 1]] += 1
            hist[2, row[x + 2]] += 1
            hist[3, row[x + 3]] += 1
        for x in range(q, n):
            hist[0, row[x]] += 1
    return _share_index(hist[0] + hist[1] + hist[2] + hist[3], (y1 - y0) * (x1 - x0), share)


@_compiled
def _dark_columns_counted(small: np.ndarray, ithresh: int) -> np.ndarray:
    """Columns to blank: thin dark lines running most of the image (scanner streaks):
    more than 60% dark, with the columns three away on both sides less than half dark
    (beyond the image edge counts as dark: a wide dark band is scanner background). The
    count is without a branch (the loop vectorises)."""
    h, w = small.shape
    dark_in_col = np.zeros(w, np.int64)
    for y in range(h):
        row = small[y]
        for x in range(w):
            dark_in_col[x] += np.int64(row[x] <= ithresh)
    blank = np.zeros(w, np.bool_)
    for x in range(w):
        if dark_in_col[x] * 5 > 3 * h:
            blank[x] = x - 3 >= 0 and dark_in_col[x - 3] * 2 < h and x + 3 < w and dark_in_col[x + 3] * 2 < h
    return blank


@_compiled
def _label_blobs(small: np.ndarray, blank: np.ndarray, ithresh: int, min_area: int) -> np.ndarray:
    """`coarse_blobs` given its streak columns (`blank`): the labelling and the blobs kept.

    By runs (speed58; one label per pixel before it): each row's runs of dark pixels, each
    joined to the runs of the row above that touch it (8-connected: overlapping or meeting
    at a corner), union-find for the merges, each run's statistics added to its label and
    merged into its root afterwards. A set's root is its smallest label, the one its first
    run in raster order (its first pixel's) was given, so the blobs come out in the same
    order as pixel by pixel, with the same whole-number sums (tests/test_kernels.py against
    `reference.coarse_blobs_reference`)."""
    h, w = small.shape
    # At most (w + 1) // 2 runs a row, a new label for a run at most.
    cap = h * ((w + 1) // 2) + 2
    parent = np.empty(cap, np.int32)
    area = np.empty(cap, np.int64)
    sum_x = np.empty(cap, np.int64)
    sum_y = np.empty(cap, np.int64)
    left = np.empty(cap, np.int64)
    top = np.empty(cap, np.int64)
    right = np.empty(cap, np.int64)
    bottom = np.empty(cap, np.int64)
    runs = (w + 1) // 2 + 1
    prev_s = np.empty(runs, np.int64)
    prev_e = np.empty(runs, np.int64)
    prev_l = np.empty(runs, np.int32)
    cur_s = np.empty(runs, np.int64)
    cur_e = np.empty(runs, np.int64)
    cur_l = np.empty(runs, np.int32)
    prev_n = 0
    nxt = 1
    for y in range(h):
        row = small[y]
        cur_n = 0
        k = 0  # the first run above that can still touch a run from here on
        x = 0
        while x < w:
            if row[x] > ithresh or blank[x]:
                x += 1
                continue
            start = x
            while x + 1 < w and row[x + 1] <= ithresh and not blank[x + 1]:
                x += 1
            end = x
            x += 1
            while k < prev_n and prev_e[k] < start - 1:
                k += 1
            n = 0
            j = k
            while j < prev_n and prev_s[j] <= end + 1:
                if n == 0:
                    n = prev_l[j]
                else:
                    _union(parent, n, prev_l[j])
                j += 1
            if j > k:
                k = j - 1  # the last run touched may touch the next run too
            if n == 0:
                n = nxt
                parent[n] = n
                area[n] = sum_x[n] = sum_y[n] = 0
                left[n] = start
                right[n] = end
                top[n] = y
                bottom[n] = y
                nxt += 1
            length = end - start + 1
            area[n] += length
            sum_x[n] += (start + end) * length // 2
            sum_y[n] += y * length
            if start < left[n]:
                left[n] = start
            if end > right[n]:
                right[n] = end
            if y > bottom[n]:
                bottom[n] = y
            cur_s[cur_n] = start
            cur_e[cur_n] = end
            cur_l[cur_n] = n
            cur_n += 1
        prev_s, cur_s = cur_s, prev_s
        prev_e, cur_e = cur_e, prev_e
        prev_l, cur_l = cur_l, prev_l
        prev_n = cur_n
    # Fold every provisional label into its root (roots come first: smaller labels).
    for lab in range(nxt - 1, 0, -1):
        root = _find(parent, lab)
        if root != lab:
            area[root] += area[lab]
            sum_x[root] += sum_x[lab]
            sum_y[root] += sum_y[lab]
            left[root] = min(left[root], left[lab])
            right[root] = max(right[root], right[lab])
            top[root] = min(top[root], top[lab])
            bottom[root] = max(bottom[root], bottom[lab])
    out = np.empty((nxt, 3), np.float64)
    k = 0
    for c in range(1, nxt):
        if parent[c] != c:
            continue
        a = area[c]
        if a < min_area:
            continue
        bw = right[c] - left[c] + 1
        bh = bottom[c] - top[c] + 1
        # A blob may touch the image's edge: a fiducial 0.5 mm from the frame's edge is
        # one coarse pixel from it. Scanner background at the edges is never a solid
        # square (a strip, an L or a triangle: under 55 % of its box, or too long).
        if a > 0.55 * bw * bh and 0.6 * bh < bw < 1.67 * bh:
            out[k, 0] = sum_x[c] / a
            out[k, 1] = sum_y[c] / a
            out[k, 2] = a
            k += 1
    return out[:k]


@_compiled
def _corners_fast(
    image: np.ndarray,
    small: np.ndarray,
    f: int,
    blobs: np.ndarray,
    mid: float,
    paper: float,
    black: float,
    fiducial_mm: float,
    span_mm: float,
) -> tuple[np.ndarray, float, float]:
    """`fiducial_corners`, line for line, with the page's paper level from `_grey_level4`."""
    none = np.empty((0, 2), np.float64)
    alive = np.arange(blobs.shape[0])
    if alive.shape[0] < 4:
        return none, paper, black
    chosen = _extremes(blobs, alive)
    px_per_mm = 0.0
    for _ in range(2):
        sides = np.empty(4)
        for i in range(4):
            a, b = chosen[i], chosen[(i + 1) % 4]
            sides[i] = math.hypot(blobs[b, 0] - blobs[a, 0], blobs[b, 1] - blobs[a, 1])
        short_side = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
        px_per_mm = short_side / span_mm
        expected = (fiducial_mm * px_per_mm) ** 2
        if expected < 4:
            return none, paper, black
        keep = 0
        for blob in alive:
            if 0.45 * expected < blobs[blob, 2] < 1.8 * expected:
                alive[keep] = blob
                keep += 1
        alive = alive[:keep]
        if keep < 4:
            return none, paper, black
        chosen = _extremes(blobs, alive)
    for i in range(4):
        for j in range(i):
            if chosen[i] == chosen[j]:
                return none, paper, black
    coarse = np.empty((4, 2), np.float64)
    pts = np.empty((4, 2), np.float64)
    for i in range(4):
        coarse[i, 0], coarse[i, 1] = blobs[chosen[i], 0], blobs[chosen[i], 1]
        pts[i, 0] = coarse[i, 0] * f + (f // 2)
        pts[i, 1] = coarse[i, 1] * f + (f // 2)
    r = int(fiducial_mm * px_per_mm * f * 0.8) + 2
    refined, ink = ink_centroids(image, pts, r, r, mid)
    for i in range(4):
        if ink[i] > 0:
            pts[i, 0], pts[i, 1] = refined[i, 0], refined[i, 1]
    centre_grey = np.empty(4, np.float64)
    for i in range(4):
        centre_grey[i] = small[int(np.rint(coarse[i, 1])), int(np.rint(coarse[i, 0]))]
    centre_grey.sort()
    page_black = (centre_grey[1] + centre_grey[2]) / 2
    x0, y0 = int(coarse[:, 0].min()), int(coarse[:, 1].min())
    x1, y1 = int(coarse[:, 0].max()), int(coarse[:, 1].max())
    page_paper = _grey_level4(small, y0, y1 + 1, x0, x1 + 1, 0.6)
    if page_paper - page_black < 40:
        return pts, paper, black
    return pts, page_paper, page_black


@_compiled
def find_page(
    image: np.ndarray, f: int, min_area: int, fiducial_mm: float, span_mm: float
) -> tuple[np.ndarray, float, float]:
    """`locate.find_fiducials_apart`'s three kernels in one call: `coarse_page`, the contrast
    check (no page: a (0, 2) array), `coarse_blobs` at floor(mid), `fiducial_corners`."""
    small, hist = _sample_hist(image, f)
    total = small.shape[0] * small.shape[1]
    paper = _share_index(hist, total, 0.75)
    black = _share_index(hist, total, 0.005)
    if paper - black < 60:
        return np.empty((0, 2), np.float64), paper, black
    mid = (paper + black) / 2
    ithresh = math.floor(mid)
    blobs = _label_blobs(small, _dark_columns_counted(small, ithresh), ithresh, min_area)
    return _corners_fast(image, small, f, blobs, mid, paper, black, fiducial_mm, span_mm)


@_compiled
def register_rows(
    image: np.ndarray,
    h: np.ndarray,
    marks_h: np.ndarray,
    half_w: int,
    half_h: int,
    mid: float,
    expected: float,
    target_t: np.ndarray,
    target_dy: np.ndarray,
    any_dy: bool,
    span_mm: float,
    px_per_mm: float,
    max_off: float,
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, bool]:
    """`timing_rows`, then, when every row has both marks, `row_geometry` and the scale
    check (`reader.register_apart`): Python's max over abs(s / px_per_mm - 1), the first
    kept unless a later one is greater, then `> max_off`. Returns predicted, refined,
    complete, centres, scales, and whether the scales failed the check (centres and scales
    empty, and the check not made, when a row misses a mark or there are no rows)."""
    predicted, refined, complete = timing_rows(image, h, marks_h, half_w, half_h, mid, expected)
    rows = target_t.shape[0]
    if complete < rows or rows == 0:
        return predicted, refined, complete, np.empty((0, 2), np.float64), np.empty(0, np.float64), False
    centres, scales = row_geometry(refined, target_t, target_dy, any_dy, span_mm)
    worst = 0.0
    for i in range(rows):
        v = abs(scales[i] / px_per_mm - 1)
        if i == 0 or v > worst:
            worst = v
    return predicted, refined, complete, centres, scales, worst > max_off


@_compiled
def _streak_rows(
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
    """`streak_crosses`, stopping once no column can be a streak. Proof that the stop
    cannot change the answer: a column's count of dark rows only grows, by at most one a
    row; after `done` of the `rows` rows, a column's final count is at most its count now
    plus `rows - done`. When that is under `need` for the darkest column, no column's
    final count reaches `need`, so none is a streak, and the answer is False, the same
    as the full count's."""
    rows = (y1 - y0 + step - 1) // step
    dark = np.zeros(x1 - x0, np.int64)
    need = dark_share * rows
    for y in range(y0, y1, step):
        row = image[y, x0:x1]
        for i in range(x1 - x0):
            dark[i] += np.int64(row[i] < mid)
        done = (y - y0) // step + 1  # rows counted so far
        if done % 16 == 0:
            most = 0
            for i in range(x1 - x0):
                most = max(most, dark[i])
            if most + (rows - done) < need:
                return False
    for i in range(x1 - x0):
        if dark[i] >= need:
            col = i + x0
            for k in range(lo.shape[0]):
                if lo[k] <= col <= hi[k]:
                    return True
    return False


@_compiled
def streak_side(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    points: np.ndarray,
    half_mm: float,
    mid: float,
    step: int,
    dark_share: float,
    early: bool,
) -> int:
    """`reader.streak_apart` in one call: 1 a streak crosses a square's window, 0 not, -1
    when a centre, scale or corner is not finite (the caller asks `streak_apart`: Python's
    int() of an infinity raises). The bounds as Python computes them: the windows' least
    left edge through max(0, .) (0 when it is not greater), the greatest right edge plus
    one through min(width, .), the corners' least and greatest y through Python's min and
    max (the first kept unless a later one is less / greater), int() truncating. `early`:
    stop counting once no column can be a streak (`_streak_rows`); False counts every row
    (the test of the stop)."""
    n = centres.shape[0]
    if n == 0 or points.shape[0] == 0:
        return -1
    for i in range(n):
        if not (math.isfinite(centres[i, 0]) and math.isfinite(scales[i])):
            return -1
    for i in range(points.shape[0]):
        if not math.isfinite(points[i, 1]):
            return -1
    hh, ww = image.shape
    lo = np.empty(n, np.float64)
    hi = np.empty(n, np.float64)
    for i in range(n):
        half = half_mm * scales[i]
        lo[i] = centres[i, 0] - half
        hi[i] = centres[i, 0] + half
    lo_min = lo[0]
    hi_max = hi[0]
    for i in range(1, n):
        lo_min = min(lo_min, lo[i])
        hi_max = max(hi_max, hi[i])
    x0 = int(lo_min) if lo_min > 0 else 0
    e = hi_max + 1
    x1 = int(e) if e < ww else ww
    y_lo = points[0, 1]
    y_hi = points[0, 1]
    for i in range(1, points.shape[0]):
        if points[i, 1] < y_lo:
            y_lo = points[i, 1]
        if points[i, 1] > y_hi:
            y_hi = points[i, 1]
    if max(abs(lo_min), abs(hi_max), abs(y_lo), abs(y_hi)) > 2.0**52:
        return -1  # beyond int64's exact floats: Python's int() there is not the loop's
    y0 = int(y_lo) if y_lo > 0 else 0
    y1 = int(y_hi) if y_hi < hh else hh
    if x1 <= x0 or y1 - y0 < 10:
        return 0
    if early:
        return int(_streak_rows(image, y0, y1, step, x0, x1, mid, dark_share, lo, hi))
    return int(streak_crosses(image, y0, y1, step, x0, x1, mid, dark_share, lo, hi))


@_compiled
def _local_ink_rows(
    image: np.ndarray, centres: np.ndarray, half: int, ring: int, gain: float
) -> tuple[np.ndarray, np.ndarray]:
    """`window_local_ink`, the same numbers: each pixel's ink by the same expression, each
    row's sum added in the same order (dx = 0, 1, ...) and the rows' sums added to the
    window's total in row order; but the inks of four rows are computed first (a loop
    without a running sum, which vectorises) and the four rows' sums run side by side
    (one running sum made every addition wait for the one before). The ring's histograms
    are counted in two (a side's pixels alternately)."""
    hh, ww = image.shape
    size_w = min(2 * half + 1, ww)
    size_h = min(2 * half + 1, hh)
    r = max(1, min(ring, size_w // 3, size_h // 3))
    n = centres.shape[0]
    sums = np.empty(n, np.float64)
    levels = np.empty((n, 4), np.float64)
    hist = np.zeros((8, 256), np.int64)
    bufs = np.empty((4, max(0, size_w)), np.float64)  # (a negative size: no pixel, as before)
    gxs = np.empty(max(0, size_w), np.float64)
    for k in range(n):
        x0 = _window_origin(centres[k, 0], half, size_w, ww)
        y0 = _window_origin(centres[k, 1], half, size_h, hh)
        hist[:] = 0
        for dy in range(size_h):
            row = image[y0 + dy, x0 : x0 + size_w]
            if dy < r:
                for dx in range(size_w):
                    hist[dx & 1, row[dx]] += 1
            elif dy >= size_h - r:
                for dx in range(size_w):
                    hist[2 + (dx & 1), row[dx]] += 1
            else:
                for dx in range(r):
                    hist[4, row[dx]] += 1
                for dx in range(size_w - r, size_w):
                    hist[6, row[dx]] += 1
        across = r * size_w
        down = r * (size_h - 2 * r)
        top = _side_level(hist[0] + hist[1], across)
        bottom = _side_level(hist[2] + hist[3], across)
        left = _side_level(hist[4], down)
        right = _side_level(hist[6], down)
        levels[k, 0], levels[k, 1], levels[k, 2], levels[k, 3] = top, bottom, left, right
        i_c = (1.0 / top + 1.0 / bottom + 1.0 / left + 1.0 / right) / 4.0
        dist_x = max(1.0, size_w - r)
        dist_y = max(1.0, size_h - r)
        g_x = (1.0 / right - 1.0 / left) / dist_x
        g_y = (1.0 / bottom - 1.0 / top) / dist_y
        cx = (size_w - 1) / 2.0
        cy = (size_h - 1) / 2.0
        for dx in range(size_w):
            gxs[dx] = g_x * dx  # the same product the old loop made at each pixel
        total = 0.0
        for d0 in range(0, size_h, 4):
            m = min(4, size_h - d0)
            for j in range(m):
                dy = d0 + j
                row = image[y0 + dy, x0 : x0 + size_w]
                base = i_c + g_y * (dy - cy) - g_x * cx
                buf = bufs[j]
                for dx in range(size_w):
                    ink = gain * (1.0 - row[dx] * (base + gxs[dx]))
                    buf[dx] = min(max(ink, 0.0), 1.0)
            if m == 4:
                a0 = a1 = a2 = a3 = 0.0
                b0, b1, b2, b3 = bufs[0], bufs[1], bufs[2], bufs[3]
                for dx in range(size_w):
                    a0 += b0[dx]
                    a1 += b1[dx]
                    a2 += b2[dx]
                    a3 += b3[dx]
                total += a0
                total += a1
                total += a2
                total += a3
            else:
                for j in range(m):
                    acc = 0.0
                    buf = bufs[j]
                    for dx in range(size_w):
                        acc += buf[dx]
                    total += acc
        sums[k] = total
    return sums, levels


@_compiled
def score_side(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    half_mm: float,
    ring_mm: float,
    gain: float,
    interior_mm2: float,
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """`reader.score_squares_apart` in one call: `window_geometry` (statistics.median of
    the scales: the middle one, or the mean of the middle two; Python's round, half to
    even), `window_local_ink` (`_local_ink_rows`), `lower_quartile` of the sums, the
    scores and the denominators, element by element in numpy's order. Returns half, ring,
    scores, paper, denominators, sums and False; True (nothing else to use) when a scale
    or a sum is not finite (Python's sort and numpy's NaN rules are not these loops'), a
    denominator is zero or there are no squares: the caller asks `score_squares_apart`."""
    n = scales.shape[0]
    empty = np.empty(0, np.float64)
    if n == 0 or centres.shape[0] != n:
        return 0, 0, empty, np.empty((0, 4), np.float64), empty, empty, True
    for i in range(n):
        if not math.isfinite(scales[i]):
            return 0, 0, empty, np.empty((0, 4), np.float64), empty, empty, True
    s = np.sort(scales)
    median = s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2
    if not (abs(half_mm * median) < 2.0**52 and abs(ring_mm * median) < 2.0**52):
        return 0, 0, empty, np.empty((0, 4), np.float64), empty, empty, True  # Python's round: any int
    half = int(np.rint(half_mm * median))
    ring = max(1, int(np.rint(ring_mm * median)))
    sums, paper = _local_ink_rows(image, centres, half, ring, gain)
    for i in range(n):
        if not math.isfinite(sums[i]):
            return 0, 0, empty, np.empty((0, 4), np.float64), empty, empty, True
    q = np.sort(sums)
    pos = 0.25 * (n - 1)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    baseline = q[lo] + (pos - lo) * (q[hi] - q[lo])
    scores = np.empty(n, np.float64)
    denominators = np.empty(n, np.float64)
    for i in range(n):
        d = interior_mm2 * scales[i] * scales[i]
        if d == 0.0:  # numpy's division would give inf or NaN, numba's raise
            return 0, 0, empty, np.empty((0, 4), np.float64), empty, empty, True
        denominators[i] = d
        scores[i] = (sums[i] - baseline) / d
    return half, ring, scores, paper, denominators, sums, False


# --- speed28 (twenty-seventh pass) ---
# The closer look's window (`inspect.inspect_square`, about 1.2 squares a sheet) cost about
# 0.1 ms in OpenCV's black top-hat and 0.1 ms in `closer_look_setup_look20`'s one loop, whose
# branches (the clips, the collected sums) kept it scalar. Both are integers or the same
# IEEE operations in the same order, so the answers are the same to the bit
# (tests/test_speed28.py: against cv2.morphologyEx and against the look20 kernel).


@_compiled
def _row_halves(elem: np.ndarray) -> tuple[np.ndarray, bool]:
    """Each row of a structuring element as the half-width of its run of ones about the
    anchor column (-1: an empty row), and whether every row is such a run (an ellipse's
    rows are)."""
    kh, kw = elem.shape
    ax = kw // 2
    half = np.full(kh, -1, np.int64)
    for i in range(kh):
        j0 = -1
        j1 = -1
        for j in range(kw):
            if elem[i, j] != 0:
                if j0 < 0:
                    j0 = j
                j1 = j
        if j0 < 0:
            continue
        for j in range(j0, j1 + 1):
            if elem[i, j] == 0:
                return half, False
        if ax - j0 != j1 - ax:
            return half, False
        half[i] = j1 - ax
    return half, True


@_compiled
def _morph_offsets(src: np.ndarray, elem: np.ndarray, take_max: bool) -> np.ndarray:
    """OpenCV's dilation (`take_max`) or erosion of a uint8 image by `elem` (anchor at its
    centre, the default border: pixels outside the image take no part), one offset of the
    element at a time: the plain rule."""
    h, w = src.shape
    kh, kw = elem.shape
    ay, ax = kh // 2, kw // 2
    fill = np.uint8(0) if take_max else np.uint8(255)
    pad = np.full((h + kh - 1, w + kw - 1), fill, np.uint8)
    pad[ay : ay + h, ax : ax + w] = src
    out = np.full((h, w), fill, np.uint8)
    for i in range(kh):
        for j in range(kw):
            if elem[i, j] == 0:
                continue
            for y in range(h):
                s = pad[y + i, j : j + w]
                o = out[y]
                if take_max:
                    for x in range(w):
                        v, u = s[x], o[x]
                        o[x] = v if v > u else u
                else:
                    for x in range(w):
                        v, u = s[x], o[x]
                        o[x] = v if v < u else u
    return out


@_compiled
def _morph(src: np.ndarray, elem: np.ndarray, take_max: bool) -> np.ndarray:
    """`_morph_offsets`, by rows when each row of the element is a run of ones about the
    anchor (an ellipse): the run's maximum (minimum) along each row of the image is built
    up one half-width at a time, then the element's rows taken over those."""
    half, runs = _row_halves(elem)
    if not runs:
        return _morph_offsets(src, elem, take_max)
    h, w = src.shape
    kh = elem.shape[0]
    ay = kh // 2
    amax = 0
    for i in range(kh):
        amax = max(amax, half[i])
    fill = np.uint8(0) if take_max else np.uint8(255)
    ph = h + kh - 1
    pad = np.full((ph, w + 2 * amax), fill, np.uint8)
    pad[ay : ay + h, amax : amax + w] = src
    along = np.empty((amax + 1, ph, w), np.uint8)  # along[a, r, x]: pad's row r over x - a .. x + a
    along[0] = pad[:, amax : amax + w]
    for a in range(1, amax + 1):
        for r in range(ph):
            prev = along[a - 1, r]
            cur = along[a, r]
            lo = pad[r, amax - a : amax - a + w]
            hi = pad[r, amax + a : amax + a + w]
            if take_max:
                for x in range(w):
                    p, v, u = prev[x], lo[x], hi[x]
                    m = v if v > u else u
                    cur[x] = m if m > p else p
            else:
                for x in range(w):
                    p, v, u = prev[x], lo[x], hi[x]
                    m = v if v < u else u
                    cur[x] = m if m < p else p
    out = np.full((h, w), fill, np.uint8)
    for i in range(kh):
        if half[i] < 0:
            continue
        s = along[half[i]]
        for y in range(h):
            o = out[y]
            sr = s[y + i]
            if take_max:
                for x in range(w):
                    v, u = sr[x], o[x]
                    o[x] = v if v > u else u
            else:
                for x in range(w):
                    v, u = sr[x], o[x]
                    o[x] = v if v < u else u
    return out


@_compiled
def black_hat(win: np.ndarray, elem: np.ndarray) -> np.ndarray:
    """cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, elem) for a uint8 window and a
    structuring element with at least one 1: the closing (dilation, then erosion) less the
    window, saturated at 0."""
    closed = _morph(_morph(win, elem, True), elem, False)
    h, w = win.shape
    out = np.empty((h, w), np.uint8)
    for y in range(h):
        c = closed[y]
        s = win[y]
        o = out[y]
        for x in range(w):
            o[x] = c[x] - s[x] if c[x] > s[x] else 0
    return out


@_compiled
def closer_look_setup(
    win: np.ndarray,
    blackhat: np.ndarray,
    levels: np.ndarray,
    ring: int,
    k: int,
    gain: float,
    cx: float,
    cy: float,
    inner: float,
    outer: float,
    dark_ink: float,
    thin_contrast: float,
    hook_pen: float,
) -> tuple[Any, ...]:
    """`closer_look_setup_look20` (its reference), every pixel's values by the same
    operations in the same order, without branches (the clips and the masks as selects),
    and the pixels for the sums collected in a second pass over each row, in the same
    order; the values that depend only on the column computed once."""
    h, w = win.shape
    r = max(1, min(ring, w // 3, h // 3))
    top, bottom, left, right = float(levels[0]), float(levels[1]), float(levels[2]), float(levels[3])
    i_c = (1 / top + 1 / bottom + 1 / left + 1 / right) / 4
    g_x = (1 / right - 1 / left) / max(1.0, float(w - r))
    g_y = (1 / bottom - 1 / top) / max(1.0, float(h - r))
    p_top = _ring_profile(win, False, 0, r, k)
    p_bottom = _ring_profile(win, False, h - r, r, k)
    p_left = _ring_profile(win, True, 0, r, k)
    p_right = _ring_profile(win, True, w - r, r, k)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    mid = np.float32((r - 1) / 2)
    dv = np.float32(max(1.0, float(h - r)))
    du = np.float32(max(1.0, float(w - r)))
    vw = np.empty(h, np.float32)
    for i in range(h):
        t = (np.float32(i) - mid) / dv
        vw[i] = min(max(t, zero), one)
    uw = np.empty(w, np.float32)
    omu_w = np.empty(w, np.float32)
    for j in range(w):
        t = (np.float32(j) - mid) / du
        uw[j] = min(max(t, zero), one)
        omu_w[j] = one - uw[j]
    t0, t1, b0, b1 = p_top[0], p_top[w - 1], p_bottom[0], p_bottom[w - 1]
    g32 = np.float32(gain)
    inv = np.empty((h, w), np.float64)
    ink = np.empty((h, w), np.float64)
    paper = np.empty((h, w), np.float32)
    ink_local = np.empty((h, w), np.float32)
    thin = np.empty((h, w), np.float64)
    xs = np.empty((1, w), np.float64)
    ys = np.empty((h, 1), np.float64)
    box = np.empty((h, w), np.float64)
    inside = np.empty((h, w), np.bool_)
    border = np.empty((h, w), np.bool_)
    evidence = np.empty((h, w), np.bool_)
    dark = np.empty((h, w), np.uint8)
    dark_vals = np.empty(h * w, np.float64)
    ev_vals = np.empty(h * w, np.float64)
    xc_w = np.empty(w, np.float64)
    ax_w = np.empty(w, np.float64)
    n_dark = 0
    n_ev = 0
    n_pen = 0
    for j in range(w):
        xs[0, j] = float(j) - cx
        xc_w[j] = float(j) - (w - 1) / 2.0
        ax_w[j] = abs(xs[0, j])
    for i in range(h):
        ys[i, 0] = float(i) - cy
    for i in range(h):
        yc = float(i) - (h - 1) / 2.0
        vi = vw[i]
        omv = one - vi
        ay = abs(ys[i, 0])
        row_c = i_c + g_y * yc
        p_l = p_left[i]
        p_r = p_right[i]
        win_r = win[i]
        bh_r = blackhat[i]
        inv_r = inv[i]
        ink_r = ink[i]
        pap_r = paper[i]
        il_r = ink_local[i]
        thin_r = thin[i]
        box_r = box[i]
        ins_r = inside[i]
        bor_r = border[i]
        ev_r = evidence[i]
        dk_r = dark[i]
        for j in range(w):
            iv = row_c + g_x * xc_w[j]  # i_c + g_y * yc + g_x * xc, added left to right
            inv_r[j] = iv
            g = float(win_r[j])
            e = gain * (1.0 - g * iv)
            e = 0.0 if e < 0.0 else (1.0 if e > 1.0 else e)  # np.clip's rule (red21)
            ink_r[j] = e
            uj = uw[j]
            omu = omu_w[j]
            p = omv * p_top[j] + vi * p_bottom[j]
            p = p + omu * p_l
            p = p + uj * p_r
            c = (omu * omv) * t0 + (uj * omv) * t1
            c = c + (omu * vi) * b0
            c = c + (uj * vi) * b1
            p = p - c
            p = p if p >= one else one
            pap_r[j] = p
            q = g32 * (one - np.float32(g) / p)
            q = zero if q < zero else (one if q > one else q)
            il_r[j] = q
            th = float(bh_r[j]) * iv * gain
            thin_r[j] = th
            ax = ax_w[j]
            b = ax if ax >= ay else ay
            box_r[j] = b
            ins = b <= inner
            ins_r[j] = ins
            bor_r[j] = (not ins) & (b <= outer)
            dk_r[j] = np.uint8(ins & (e >= dark_ink))
            ev_r[j] = ins & ((e >= dark_ink) | (th >= thin_contrast))
        for j in range(w):
            if dk_r[j]:
                dark_vals[n_dark] = ink_r[j]
                n_dark += 1
            if ev_r[j]:
                e = ink_r[j]
                ev_vals[n_ev] = e
                n_ev += 1
                if e >= hook_pen:
                    n_pen += 1
    s_ink = _pairwise(ink.ravel(), h * w, 0.0, np.empty(64, np.float64))
    s_local = _pairwise(ink_local.ravel(), h * w, np.float32(0.0), np.empty(64, np.float32))
    s_dark = _pairwise(dark_vals, n_dark, 0.0, np.empty(64, np.float64))
    s_ev = _pairwise(ev_vals, n_ev, 0.0, np.empty(64, np.float64))
    return (
        inv,
        ink,
        paper,
        ink_local,
        thin,
        xs,
        ys,
        box,
        inside,
        border,
        evidence,
        dark,
        s_ink,
        s_local,
        s_dark,
        s_ev,
        n_pen,
    )


# --- stroke34: stroke28's block (`crease27.block`, crop, no twin) in two calls round one remap ---


@_compiled
def fit_row(
    rows: np.ndarray, a: np.ndarray, rhs: np.ndarray, i: int, t: float, off: float, weight: float
) -> None:
    """Point i of crease27's weighted line fit: (t, off, weight) into rows, and its least-squares
    row (sqrt(w), t * sqrt(w)) and right-hand side (off * sqrt(w)) as `crease27._fit_plain`
    makes them (`np.ones_like(t) * np.sqrt(w)` is sqrt(w) itself)."""
    sw = np.sqrt(weight)
    rows[i, 0], rows[i, 1], rows[i, 2] = t, off, weight
    a[i, 0] = sw
    a[i, 1] = t * sw
    rhs[i, 0] = off * sw


@_compiled
def stroke_block_map(
    hh: int,
    ww: int,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    offs: np.ndarray,
    ds: np.ndarray,
    xr: np.ndarray,
    yr: np.ndarray,
    ok: np.ndarray,
) -> tuple[int, int, int, int, float, float]:
    """`crease27._sections(..., crop=True)` before its remap: the samples' float32 coordinates
    relative to the crop (into xr, yr), which rows lie wholly on the image (ok), the crop
    (x0, y0, x1, y1), and ts's and offs' numpy means."""
    n, m = ts.shape[0], ds.shape[0]
    x64 = np.empty((n, m))
    y64 = np.empty((n, m))
    xmin, xmax, ymin, ymax = math.inf, -math.inf, math.inf, -math.inf
    for i in range(n):
        row_ok = True
        for j in range(m):
            d = offs[i] + ds[j]
            x = fx - ts[i] * s + d * c
            y = fy + ts[i] * c + d * s
            x64[i, j], y64[i, j] = x, y
            xmin, xmax, ymin, ymax = min(xmin, x), max(xmax, x), min(ymin, y), max(ymax, y)
            x32, y32 = np.float32(x), np.float32(y)
            if not (x32 >= 0 and y32 >= 0 and x32 <= ww - 1 and y32 <= hh - 1):
                row_ok = False
        ok[i] = row_ok
    x0 = min(max(0, math.floor(xmin)), ww - 1)
    y0 = min(max(0, math.floor(ymin)), hh - 1)
    x1 = max(min(ww - 1, math.ceil(xmax) + 1), x0)
    y1 = max(min(hh - 1, math.ceil(ymax) + 1), y0)
    for i in range(n):
        for j in range(m):
            xr[i, j] = np.float32(x64[i, j] - x0)
            yr[i, j] = np.float32(y64[i, j] - y0)
    vals = np.empty(64)
    return x0, y0, x1, y1, _pairwise(ts, n, 0.0, vals) / n, _pairwise(offs, n, 0.0, vals) / n


@_compiled
def _insertion_sort(buf: np.ndarray, n: int) -> None:
    """buf[:n] sorted in place (the few values of one block's row or column: no allocation)."""
    for i in range(1, n):
        v = buf[i]
        j = i - 1
        while j >= 0 and buf[j] > v:
            buf[j + 1] = buf[j]
            j -= 1
        buf[j + 1] = v


@_compiled
def _sorted_median(buf: np.ndarray, n: int) -> float:
    """np.median of buf[:n], sorted here in place."""
    _insertion_sort(buf, n)
    return _median_of_sorted(buf, n)


@_compiled
def _column_medians(g: np.ndarray, rows: np.ndarray, buf: np.ndarray, out: np.ndarray) -> None:
    """np.median(g[rows], axis=0) into out (float64 of g's float32 values)."""
    for j in range(g.shape[1]):
        k = 0
        for i in range(rows.shape[0]):
            if rows[i]:
                buf[k] = g[i, j]
                k += 1
        out[j] = _sorted_median(buf, k)


@_compiled
def _block_rows(
    g: np.ndarray,
    ok: np.ndarray,
    zones: np.ndarray,
    paper_share: float,
    middle_share: float,
    buf: np.ndarray,
    rows: np.ndarray,
    side_ok: np.ndarray,
) -> int:
    """`crease27.block`'s judged rows (into rows) and each side's clear rows (into side_ok):
    against each row's paper, its 75th percentile (np.percentile, linear: numpy's lerp).
    Returns the judged rows' count."""
    n, m = g.shape
    n_rows = 0
    for i in range(n):
        for j in range(m):
            buf[j] = g[i, j]
        _insertion_sort(buf, m)
        level = _percentile75_of_sorted(buf, m)
        dark = paper_share * level
        mdark = middle_share * level
        for z in range(2):
            lo = math.inf
            for j in range(zones[z, 0], zones[z, 1]):
                lo = min(lo, float(g[i, j]))
            side_ok[z, i] = ok[i] and lo > dark
        lo = math.inf
        for j in range(zones[3, 0], zones[3, 1]):
            lo = min(lo, float(g[i, j]))
        rows[i] = ok[i] and lo > mdark and (side_ok[0, i] or side_ok[1, i])
        if rows[i]:
            n_rows += 1
    return n_rows


@_compiled
def _block_side(
    g: np.ndarray,
    use: np.ndarray,
    n_use: int,
    n_rows: int,
    z0: int,
    z1: int,
    p: np.ndarray,
    k: int,
    ds: np.ndarray,
    valley_px: float,
    scale: float,
    buf: np.ndarray,
) -> tuple[float, float, float]:
    """One usable side of `crease27.block`: its paper (the median of its zone on the rows it
    is clear, at least 1), and the valley's contrast and ink across against that paper
    (the median cross-section of those rows: the judged rows' own where they are the same)."""
    m = g.shape[1]
    q = 0
    for i in range(use.shape[0]):
        if use[i]:
            for j in range(z0, z1):
                buf[q] = g[i, j]
                q += 1
    med = _sorted_median(buf, q)
    paper = med if med > 1.0 else 1.0
    pu = np.empty(m)
    if n_use == n_rows:
        pu[:] = p
    else:
        _column_medians(g, use, buf, pu)
    clipped = np.empty(m)
    nv = 0
    bottom = ds[k]
    for j in range(m):
        if abs(ds[j] - bottom) <= valley_px:
            r = 1.0 - pu[j] / paper
            clipped[nv] = r if r > 0.0 else 0.0
            nv += 1
    return 1.0 - pu[k] / paper, _pairwise(clipped, nv, 0.0, np.empty(64)) * 0.5 / scale, paper


@_compiled
def stroke_block_stats(
    g: np.ndarray,
    ok: np.ndarray,
    ds: np.ndarray,
    zones: np.ndarray,
    paper_share: float,
    middle_share: float,
    need: float,
    valley_px: float,
    scale: float,
) -> tuple[bool, float, float, float, float, float, float]:
    """`crease27.block(..., crop=True)` after its remap, on its float32 cross-sections g
    (taken as float64, as the reference does): (judged, the valley's bottom across, contrast,
    side 0's and side 1's contrast, their inks); nan for an unusable side. `zones`: the
    offsets' runs [start, stop) of side 0's paper, side 1's paper, the valley's search and
    the middle; `paper_share`, `middle_share`: 1 - PRINT_DARK and 1 - the middle's print
    test; `need`: the judged rows at least."""
    n, m = g.shape
    nan = math.nan
    buf = np.empty(n * m)  # a row, a column, or one side's zone on its rows
    rows = np.zeros(n, np.bool_)
    side_ok = np.zeros((2, n), np.bool_)
    n_rows = _block_rows(g, ok, zones, paper_share, middle_share, buf, rows, side_ok)
    if n_rows < need:
        return False, nan, nan, nan, nan, nan, nan
    p = np.empty(m)
    _column_medians(g, rows, buf, p)
    k = zones[2, 0]
    for j in range(zones[2, 0], zones[2, 1]):
        if p[j] < p[k]:  # the first darkest, as np.argmin
            k = j
    sides = np.full(2, nan)
    inks = np.full(2, nan)
    papers = np.full(2, nan)
    use = np.zeros(n, np.bool_)
    for z in range(2):
        n_use = 0
        for i in range(n):
            use[i] = rows[i] and side_ok[z, i]
            if use[i]:
                n_use += 1
        if n_use >= need:
            sides[z], inks[z], papers[z] = _block_side(
                g, use, n_use, n_rows, zones[z, 0], zones[z, 1], p, k, ds, valley_px, scale, buf
            )
    if not (math.isfinite(papers[0]) or math.isfinite(papers[1])):
        return False, nan, nan, nan, nan, nan, nan
    if not math.isfinite(papers[0]):
        paper = papers[1]
    elif not math.isfinite(papers[1]):
        paper = papers[0]
    else:
        paper = papers[0] if papers[0] >= papers[1] else papers[1]
    return True, ds[k], 1.0 - p[k] / paper, sides[0], sides[1], inks[0], inks[1]


_SPREAD_BINS = 401  # `inside_spread`'s bins over +-0.2 (a thousandth wide)


@_compiled
def _rank_value(
    vals: np.ndarray, bins: np.ndarray, counts: np.ndarray, k: int, buf: np.ndarray
) -> np.float32:
    """The k-th smallest of `vals` (0-based; as np.partition places it), from its bin."""
    b = 0
    before = 0
    while before + counts[b] <= k:
        before += counts[b]
        b += 1
    n = 0
    for j in range(vals.shape[0]):
        if bins[j] == b:
            buf[n] = vals[j]
            n += 1
    part = buf[:n]
    part.sort()
    got: np.float32 = part[k - before]
    return got


@_compiled
def inside_spread(
    image: np.ndarray, cx: int, cy: int, h: int, r: int, k: int, paper: float, gain: float
) -> tuple[bool, float, float]:
    """grain14's gate numbers without its window (speed47): on `grain14.ink_window`'s window
    (half side h round (cx, cy); (False, nan, nan) where it leaves the image), the ink of the
    inside only (the middle 2r + 1 pixels both ways), each pixel box-averaged over k x k window
    pixels (the edge replicated) as cv2.blur averages float32 (the integer sum, exact in float64,
    times 1 / k^2, to float32), then ink as ink_window computes it in float32 (`paper` already
    at least 1) and clipped to +-0.2; and its 50th and 95th percentiles as
    `grain14._gate_percentiles` takes them (numpy's linear rule). Every step is the window's own
    float32 arithmetic, so the two numbers are those of `ink_window` then `_gate_percentiles`
    to the bit (tests/test_speed47.py)."""
    hh, ww = image.shape
    if cx - h < 0 or cy - h < 0 or cx + h + 1 > ww or cy + h + 1 > hh:
        return False, math.nan, math.nan
    n = 2 * h + 1
    half = k // 2
    over = 1.0 / (k * k)
    p32 = np.float32(paper)
    g32 = np.float32(gain)
    lo = np.float32(-0.2)
    hi = np.float32(0.2)
    m = 2 * r + 1
    vals = np.empty(m * m, np.float32)
    t = 0
    for y in range(h - r, h + r + 1):
        for x in range(h - r, h + r + 1):
            s = 0.0
            for j in range(-half, half + 1):
                yy = min(max(y + j, 0), n - 1) + cy - h
                for i in range(-half, half + 1):
                    xx = min(max(x + i, 0), n - 1) + cx - h
                    s += float(image[yy, xx])
            win = np.float32(s * over)
            v = (g32 * (p32 - win)) / p32
            vals[t] = min(max(v, lo), hi)
            t += 1
    # the four order statistics by bins of the clipped range (a monotone map: a value's bin
    # is never after a larger value's), then a sort of the one bin each falls in
    bins = np.empty(t, np.int64)
    counts = np.zeros(_SPREAD_BINS, np.int64)
    for j in range(t):
        b = min(max(int((float(vals[j]) + 0.2) * (_SPREAD_BINS - 1) / 0.4), 0), _SPREAD_BINS - 1)
        bins[j] = b
        counts[b] += 1
    buf = np.empty(t, np.float32)
    out = np.empty(2)
    for q in range(2):
        at = (t - 1) * (0.5 if q == 0 else 0.95)
        i0 = math.floor(at)
        g = at - i0
        below = _rank_value(vals, bins, counts, i0, buf)
        above = _rank_value(vals, bins, counts, min(i0 + 1, t - 1), buf)
        d = float(above - below)  # float32 subtraction, as numpy's `b - a`
        out[q] = float(above) - d * (1.0 - g) if g >= 0.5 else float(below) + d * g
    return True, out[0], out[1]


# --- speed58 (fifty-eighth pass) ---


# OpenCV's area weights: a scan pixel wholly under a shrunk pixel's footprint weighs
# 1 / cellWidth, one cut by two footprints its two parts (each dropped at 1e-3 or less), one
# at the footprints' edge its part (dropped likewise); alphas are float32. This factor takes
# the worst of that off every weight (two 1e-3 cuts, float32 rounding), both ways.
_AREA_SLACK = (1.0 - 2.1e-3) ** 2


@_compiled
def _area_span(lo: float, hi: float, n: int) -> tuple[int, int, float, float]:
    """Scan pixels under the footprints' union [lo, hi) (0 <= lo < hi <= n): the whole ones,
    [i0, i1), and the covered part of pixel i0 - 1 and of pixel i1 less 1e-3 (0 where that is
    not a pixel or not more); the ends nudged inwards by 1e-7 against the scale's last bit."""
    i0 = max(0, math.ceil(lo + 1e-7))
    i1 = min(n, math.floor(hi - 1e-7))
    if i1 < i0:  # within one pixel (never at 4 px/mm and more): no part claimed
        return i0, i0, 0.0, 0.0
    left = min(1.0, i0 - lo) - 1e-3 if i0 >= 1 else 0.0
    right = min(1.0, hi - i1) - 1e-3 if i1 < n else 0.0
    return i0, i1, max(0.0, left), max(0.0, right)


@_compiled
def near_span(x0: int, n: int, k: float, c: float, scale: float, near: float) -> tuple[int, int]:
    """speed68: `dark49._inner_rect` along one axis without its array: the first and last of
    the n small pixels whose centre, x0 + (i + 0.5) / k in the scan, lies under `near` mm
    from c (the same float64 operations as numpy's); (-1, -1) where none does."""
    first = -1
    last = -1
    for i in range(n):
        d = abs((x0 + (i + 0.5) / k - c) / scale)
        if d < near:
            if first < 0:
                first = i
            last = i
    return first, last


@_compiled
def _stain_row_sum(patch: np.ndarray, y: int, i0: int, i1: int, fl: float, fr: float) -> float:
    """One scan row's part of `_stain_box_fails`' box: its whole pixels [i0, i1) and the
    covered parts `fl`, `fr` of the pixel either side (a part of 0 reads a pixel in range)."""
    ww = patch.shape[1]
    whole = 0
    for x in range(i0, i1):
        whole += int(patch[y, x])
    return float(whole) + fl * float(patch[y, max(i0 - 1, 0)]) + fr * float(patch[y, min(i1, ww - 1)])


@_compiled
def _stain_box_fails(
    patch: np.ndarray,
    sx: float,
    sy: float,
    w: int,
    h: int,
    b: int,
    u: int,
    v: int,
    over_area: float,
    above: float,
) -> bool:
    """speed68: `stain_may_reach_full`'s test at one shrunk pixel (u, v), its box sum added
    straight (not as a difference of running sums: a few ulps apart) and failing only past
    a margin far wider than that, so True here is True there."""
    hh, ww = patch.shape
    lo_off = b // 2
    u0 = max(0, u - lo_off)
    u1 = min(w - 1, u - lo_off + b - 1)
    i0, i1, fl, fr = _area_span(u0 * sx, (u1 + 1) * sx, ww)
    v0 = max(0, v - lo_off)
    v1 = min(h - 1, v - lo_off + b - 1)
    j0, j1, ft, fb = _area_span(v0 * sy, (v1 + 1) * sy, hh)
    ja = max(j0 - 1, 0)
    jb = min(j1, hh - 1)
    total = 0.0
    for y in range(j0, j1):
        total += _stain_row_sum(patch, y, i0, i1, fl, fr)
    total += ft * _stain_row_sum(patch, ja, i0, i1, fl, fr) + fb * _stain_row_sum(patch, jb, i0, i1, fl, fr)
    margin = 1e-6 * abs(above) + 1e-6  # (abs: a level over 1 makes `above` negative)
    return total * over_area - 0.51 * (v1 - v0 + 1) * (u1 - u0 + 1) > above + margin


@_compiled
def _stain_lattice(n: int, step: int, lo: int, hi: int, present: bool) -> np.ndarray:
    """`stain_lattice_fails`' rows (or columns) of n, for windows of a = step // 2 either
    side: every step-th from the a-th to the a-th from the last, that one, and, where the
    rectangle is `present`, the one either side of its [lo, hi] that lies in 0 .. n - 1.
    Not the first and the last: there the box is cut by the edge and the bound cannot fail."""
    if n <= 0:
        return np.empty(0, np.int64)
    a = step // 2
    marks = np.zeros(n, np.bool_)
    last = max(0, n - 1 - a)  # (a window holding one beyond it holds it too)
    for i in range(min(a, last), last + 1, step):
        marks[i] = True
    marks[last] = True
    if present:
        if 0 <= lo - 1 <= n - 1:
            marks[lo - 1] = True
        if 0 <= hi + 1 <= n - 1:
            marks[hi + 1] = True
    return np.flatnonzero(marks)


@_compiled
def stain_lattice_fails(
    patch: np.ndarray,
    w: int,
    h: int,
    b: int,
    a: int,
    level: float,
    col_lo: int,
    col_hi: int,
    row_lo: int,
    row_hi: int,
) -> bool:
    """speed68: True where `stain_may_reach_full` is False for certain, from its test at a
    few shrunk pixels outside the rectangle only, on the rows and columns of `_stain_lattice`.
    A core outside the rectangle has them in its window, one of them outside it: a window of
    2a + 1 rows or columns holds one of every (2a + 1) th from the a-th, one cut by the edge
    the a-th from that edge, and one that reaches into the rectangle the row or column beside
    it. Where all of them fail, no core outside the rectangle is possible. False says
    nothing (the sweep is made)."""
    hh, ww = patch.shape
    top = 1
    for y in range(hh):
        for x in range(ww):
            top = max(top, int(patch[y, x]))
    sx = ww / w
    sy = hh / h
    over_area = _AREA_SLACK / (sx * sy)
    above = (1.0 - (level - 1e-4)) * (b * b * float(top))
    step = 2 * a + 1
    present = col_lo >= 0  # (as the sweep has it: whatever the rows say)
    cols = _stain_lattice(w, step, col_lo, col_hi, present)
    rows = _stain_lattice(h, step, row_lo, row_hi, present)
    for v in rows:
        for u in cols:
            if col_lo >= 0 and col_lo <= u <= col_hi and row_lo <= v <= row_hi:
                continue
            if not _stain_box_fails(patch, sx, sy, w, h, b, u, v, over_area, above):
                return False
    return True


@_compiled
def stain_may_reach(
    patch: np.ndarray,
    w: int,
    h: int,
    b: int,
    a: int,
    level: float,
    col_lo: int,
    col_hi: int,
    row_lo: int,
    row_hi: int,
) -> bool:
    """dark49's gate before its resize: `stain_may_reach_full`'s answer, asked of a few of
    its pixels first (speed68, `stain_lattice_fails`: a clean neighbourhood is answered
    there). tests/test_speed68.py: hypothesis, the same answer as the full sweep."""
    if stain_lattice_fails(patch, w, h, b, a, level, col_lo, col_hi, row_lo, row_hi):
        return False
    return stain_may_reach_full(patch, w, h, b, a, level, col_lo, col_hi, row_lo, row_hi)


@_compiled
def stain_may_reach_full(
    patch: np.ndarray,
    w: int,
    h: int,
    b: int,
    a: int,
    level: float,
    col_lo: int,
    col_hi: int,
    row_lo: int,
    row_hi: int,
) -> bool:
    """dark49's gate before its resize (speed58): False only where `dark49._could_reach`
    is False on `patch` shrunk to w x h by cv2's INTER_AREA. A bound, not the same numbers:
    a shrunk pixel is an average of its footprint's pixels (OpenCV's area weights: at least
    1 / (sx * sy) for a pixel wholly inside), rounded (at most 0.5 under, 0.51 taken); the
    gate's `top` is at most the patch's brightest pixel P, so its darkness 1 - s / top is at
    most 1 - s / P; the b x b box mean (cv2.blur: offsets -b//2 .. b - 1 - b//2, the edge
    reflected, so the multiset holds each in-image pixel at least once, values >= 0) is then
    at most 1 - (S / (sx * sy) - 0.51 n) / (b^2 P), S the footprints' union's whole pixels
    plus the covered part of the row and column beside each side (`_area_span`; the corners
    left out), every weight less `_AREA_SLACK`.
    Where that bound is under `level` (less a float margin) throughout a (2a + 1)^2 square
    (the erosion; beyond the image counts as passing, as cv2.erode's default border), no
    core is possible, and none outside the rectangle [col_lo, col_hi] x [row_lo, row_hi]
    (col_lo < 0: no rectangle, any core counts) means no reach. tests/test_speed58.py:
    hypothesis, that False never meets a True gate."""
    hh, ww = patch.shape
    sx = ww / w
    sy = hh / h
    lo_off = b // 2
    # each column's box: its shrunk pixels' count, the whole scan columns under them, and
    # the part of the scan column either side that they cover (less OpenCV's 1e-3 cut)
    i0s = np.empty(w, np.int64)
    i1s = np.empty(w, np.int64)
    fls = np.empty(w, np.float64)
    frs = np.empty(w, np.float64)
    nus = np.empty(w, np.float64)
    for u in range(w):
        u0 = max(0, u - lo_off)
        u1 = min(w - 1, u - lo_off + b - 1)
        i0s[u], i1s[u], fls[u], frs[u] = _area_span(u0 * sx, (u1 + 1) * sx, ww)
        nus[u] = u1 - u0 + 1
    # across: each scan row's weighted sum under each column's box (a row's running sum,
    # whole numbers: exact), then down: their running sums, one row of boxes at a time;
    # and the patch's brightest pixel
    across = np.empty((hh, w), np.float64)
    down = np.zeros((hh + 1, w), np.float64)
    run = np.empty(ww + 1, np.int64)
    top = 1
    for y in range(hh):
        row = patch[y]
        acc = 0
        run[0] = 0
        for x in range(ww):
            p = int(row[x])
            top = max(top, p)
            acc += p
            run[x + 1] = acc
        for u in range(w):
            i0 = i0s[u]
            i1 = i1s[u]
            # the whole pixels and the parts either side (a part of 0 reads a pixel in range)
            s_ = float(run[i1] - run[i0])
            s_ += fls[u] * float(row[max(i0 - 1, 0)]) + frs[u] * float(row[min(i1, ww - 1)])
            across[y, u] = s_
            down[y + 1, u] = down[y, u] + s_
    # the bound under `level` (less a float margin), i.e. the box's sum over (sx sy), less
    # 0.51 n, over (1 - level) b^2 P; the failing pixels counted in an integral
    over_area = _AREA_SLACK / (sx * sy)
    above = (1.0 - (level - 1e-4)) * (b * b * float(top))
    fail = np.zeros((h + 1, w + 1), np.int64)
    for v in range(h):
        v0 = max(0, v - lo_off)
        v1 = min(h - 1, v - lo_off + b - 1)
        j0, j1, ft, fb = _area_span(v0 * sy, (v1 + 1) * sy, hh)
        ja = max(j0 - 1, 0)
        jb = min(j1, hh - 1)
        nv = 0.51 * (v1 - v0 + 1)
        row_fail = 0
        for u in range(w):
            total = down[j1, u] - down[j0, u] + ft * across[ja, u] + fb * across[jb, u]
            row_fail += int(total * over_area - nv * nus[u] > above)
            fail[v + 1, u + 1] = fail[v, u + 1] + row_fail
    for v in range(h):
        for u in range(w):
            if col_lo >= 0 and col_lo <= u <= col_hi and row_lo <= v <= row_hi:
                continue
            y0 = max(0, v - a)
            y1 = min(h, v + a + 1)
            x0 = max(0, u - a)
            x1 = min(w, u + a + 1)
            if fail[y1, x1] - fail[y0, x1] - fail[y1, x0] + fail[y0, x0] == 0:
                return True
    return False


@_compiled
def _run_section(
    image: np.ndarray,
    ax: float,
    ay: float,
    cx: float,
    cy: float,
    offs: np.ndarray,
    near: np.ndarray,
    beside: np.ndarray,
    grey: np.ndarray,
    vals: np.ndarray,
    paper: float,
    gain: float,
) -> tuple[int, float]:
    """`run62._section` at (ax, ay) across (cx, cy): the darkest searched offset's index and
    its contrast against the median of the paper beside; index -1 where the section leaves
    the image. `grey`, `vals`: scratch (len(offs)), made once a walk; the same float64
    operations in the same order (the median's two middle greys are whole numbers, so
    `_median_of_sorted`'s (a + b) / 2 is numpy's (0 + a + b) / 2)."""
    h, w = image.shape
    m = offs.shape[0]
    for i in range(m):
        xi = np.rint(ax + offs[i] * cx)
        yi = np.rint(ay + offs[i] * cy)
        if xi < 0 or xi >= w or yi < 0 or yi >= h:
            return -1, 0.0
        grey[i] = float(image[int(yi), int(xi)])
    k = -1
    best = np.inf
    nb = 0
    for i in range(m):
        if near[i] and (k < 0 or grey[i] < best):
            k = i
            best = grey[i]
    if k < 0:  # (never: the middle offset is always searched) numpy's argmin of all inf is 0
        k = 0
        best = grey[0]
    for i in range(m):
        if beside[i]:
            vals[nb] = grey[i]
            nb += 1
    med = _median_of_sorted(np.sort(vals[:nb]), nb)
    return k, gain * (med - grey[k]) / max(1.0, paper)


@_compiled
def run_ends(
    image: np.ndarray,
    cx: float,
    cy: float,
    mx: float,
    my: float,
    dx: float,
    dy: float,
    offs: np.ndarray,
    near: np.ndarray,
    beside: np.ndarray,
    start: float,
    step: float,
    n: int,
    paper: float,
    gain: float,
    level: float,
    turn: float,
    cos_max: float,
    share: float,
) -> int:
    """speed65: `run62.runs_on_reference` in one call, the same walk in the same float64
    operations (numpy's elementwise steps written out per coordinate, in its order): at how
    many ends (0, 1, 2) the line (mean (mx, my), direction (dx, dy), px offsets from the
    centre (cx, cy)) goes on beyond the square, `level` (PRESENT of the line's ink) at `share`
    of the n steps. tests/test_run62.py checks the two agree (hypothesis)."""
    grey = np.empty(offs.shape[0], np.float64)
    vals = np.empty(offs.shape[0], np.float64)
    ends = 0
    for e in range(2):
        sign = 1.0 if e == 0 else -1.0
        fx = sign * dx
        fy = sign * dy
        wx = fx
        wy = fy
        px = mx
        py = my
        while max(abs(px), abs(py)) < start and np.hypot(px - mx, py - my) <= 4 * start:
            px = px + wx * (step / 2)
            py = py + wy * (step / 2)
        seen = 0
        for step_no in range(n):
            acx = -wy
            acy = wx
            if seen + (n - step_no) < share * n:
                break
            k, contrast = _run_section(
                image, cx + px, cy + py, acx, acy, offs, near, beside, grey, vals, paper, gain
            )
            if k >= 0 and contrast >= level:
                seen += 1
                px = px + offs[k] * acx
                py = py + offs[k] * acy
                tk = turn * offs[k]
                tx = wx * step + tk * acx
                ty = wy * step + tk * acy
                norm = max(1e-9, np.hypot(tx, ty))
                tx = tx / norm
                ty = ty / norm
                if tx * fx + ty * fy >= cos_max:
                    wx = tx
                    wy = ty
            px = px + wx * step
            py = py + wy * step
        if seen >= share * n:
            ends += 1
    return ends


# --- speed67 (sixty-seventh pass) ---


@_compiled
def _element_runs(element: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Each element row's offsets as one run from the centre column (lo, hi), whether the
    row has any (used), and False where a row is not one run or the centre is not an offset."""
    k = element.shape[0]
    c = k // 2
    lo = np.zeros(k, np.int64)
    hi = np.zeros(k, np.int64)
    used = np.zeros(k, np.bool_)
    for dy in range(k):
        first = -1
        last = -2
        for dx in range(element.shape[1]):
            if element[dy, dx] != 0:
                if first < 0:
                    first = dx
                elif dx != last + 1:
                    return used, lo, hi, False
                last = dx
        if first >= 0:
            used[dy] = True
            lo[dy] = first - c
            hi[dy] = last - c
    return used, lo, hi, bool(used[c] and lo[c] <= 0 <= hi[c])


@_compiled
def _eroded_here(ones: np.ndarray, y: int, x: int, used: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """The binary erosion at (x, y): every offset's pixel in the image is a 1 (each row's
    run checked by the row's running count of 1s, `ones`)."""
    h = ones.shape[0]
    w = ones.shape[1] - 1
    k = used.shape[0]
    c = k // 2
    for dy in range(k):
        yy = y + dy - c
        if not used[dy] or yy < 0 or yy >= h:
            continue
        a = max(0, x + lo[dy])
        b = min(w - 1, x + hi[dy])
        if a <= b and ones[yy, b + 1] - ones[yy, a] != b - a + 1:
            return False
    return True


@_compiled
def _binary_open(
    mask: np.ndarray, used: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, int]:
    """cv2.morphologyEx(MORPH_OPEN) of a 0/1 mask by the element (`_element_runs`): the
    erosion, only at 1s (the centre is an offset), then the dilation spread from each pixel
    the erosion keeps (few: a stroke's core): dst(x', y') is the max over the offsets of
    src(x' + ox, y' + oy), so a kept pixel reaches (x - ox, y - oy) for each offset. Pixels
    beyond the image are left out of both (OpenCV's default border for each). Returns the
    opened mask and how many pixels the erosion kept; -1: a value other than 0 and 1."""
    h, w = mask.shape
    k = used.shape[0]
    c = k // 2
    opened = np.zeros((h, w), np.bool_)
    ones = np.zeros((h, w + 1), np.int64)  # each row's running count of 1s
    for y in range(h):
        acc = 0
        for x in range(w):
            v = mask[y, x]
            if v > 1:
                return opened, -1
            acc += v
            ones[y, x + 1] = acc
    kept = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x] == 0 or not _eroded_here(ones, y, x, used, lo, hi):
                continue
            kept += 1
            for dy in range(k):
                yy = y - (dy - c)
                if not used[dy] or yy < 0 or yy >= h:
                    continue
                for xx in range(max(0, x - hi[dy]), min(w - 1, x - lo[dy]) + 1):
                    opened[yy, xx] = True
    return opened, kept


@_compiled
def _pieces_all_long(opened: np.ndarray, inside: np.ndarray, limit: float) -> bool:
    """Every 8-connected piece of `opened & inside` spans more than `limit` px across or
    down (True where there is none): each row's runs joined to the runs of the row above
    that touch them (overlapping or meeting at a corner), union-find, each set's box."""
    h, w = opened.shape
    cap = h * ((w + 1) // 2) + 1
    parent = np.empty(cap, np.int64)
    box = np.empty((cap, 4), np.int64)  # left, right, top, bottom
    runs = (w + 1) // 2 + 1
    prev = np.empty((runs, 3), np.int64)  # start, end, label
    cur = np.empty((runs, 3), np.int64)
    prev_n = 0
    nxt = 0
    for y in range(h):
        cur_n = 0
        x = 0
        while x < w:
            if not (opened[y, x] and inside[y, x]):
                x += 1
                continue
            start = x
            while x + 1 < w and opened[y, x + 1] and inside[y, x + 1]:
                x += 1
            parent[nxt] = nxt
            box[nxt, 0], box[nxt, 1], box[nxt, 2], box[nxt, 3] = start, x, y, y
            for j in range(prev_n):
                if prev[j, 0] <= x + 1 and prev[j, 1] >= start - 1:
                    _join_boxes(parent, box, prev[j, 2], nxt)
            cur[cur_n, 0], cur[cur_n, 1], cur[cur_n, 2] = start, x, nxt
            cur_n += 1
            nxt += 1
            x += 1
        prev, cur = cur, prev
        prev_n = cur_n
    for lab in range(nxt):
        if parent[lab] == lab and max(box[lab, 1] - box[lab, 0], box[lab, 3] - box[lab, 2]) <= limit:
            return False
    return True


@_compiled
def _join_boxes(parent: np.ndarray, box: np.ndarray, a: int, b: int) -> None:
    """Union of the sets of labels a and b, the root keeping both boxes."""
    a = _find(parent, a)
    b = _find(parent, b)
    if a != b:
        parent[b] = a
        box[a, 0] = min(box[a, 0], box[b, 0])
        box[a, 1] = max(box[a, 1], box[b, 1])
        box[a, 2] = min(box[a, 2], box[b, 2])
        box[a, 3] = max(box[a, 3], box[b, 3])


@_compiled
def open_pieces_long(mask: np.ndarray, inside: np.ndarray, element: np.ndarray, limit: float) -> int:
    """speed67: clump60's question before `clump60.compact_blobs_reference` asks it in full.
    `mask` (0 or 1) opened by `element` as cv2.morphologyEx(MORPH_OPEN) does it
    (`_binary_open`), then kept where `inside`.
    0: nothing survives the opening; 1: nothing is left inside, or every 8-connected piece
    left spans more than `limit` px across or down (its box, less one: the distance of its
    outermost pixel centres), so no piece's cv2.minAreaRect can have a long side of
    limit / sqrt(2) or less (the rectangle's diagonal holds the piece's span); 2: ask in full
    (also a mask value other than 0 and 1, or an element row that is not one run).
    tests/test_speed67.py checks the opening against OpenCV's and the answers against the
    reference (hypothesis)."""
    used, lo, hi, ok = _element_runs(element)
    if not ok:
        return 2
    opened, kept = _binary_open(mask, used, lo, hi)
    if kept < 0:
        return 2
    if kept == 0:
        return 0
    return 1 if _pieces_all_long(opened, inside, limit) else 2


def warm() -> float:
    """Compile (or load from the cache) every kernel with the argument types the reader
    uses, and return the seconds it took. A fresh install compiles for some seconds; after
    that, loading takes a fraction of one. Run at install time (`make setup` does) and at
    kiosk start, so no sheet ever waits for a compiler."""
    import time

    t0 = time.perf_counter()
    page = np.full((64, 48), 230, np.uint8)
    page[8:14, 8:14] = page[8:14, 34:40] = page[50:56, 8:14] = page[50:56, 34:40] = 10
    small, paper, black = coarse_page(page, 1)
    blobs = coarse_blobs(small, int((paper + black) // 2), 8)
    fiducial_corners(page, small, 1, blobs, (paper + black) / 2, paper, black, 7.0, 133.0)
    grey_level(page, 0, 10, 0, 10, 0.6)
    centres = np.array([[11.0, 11.0], [37.0, 11.0]])
    ink_centroids(page, centres, 3, 3, 120.0)
    window_ink_sums(page, centres, 3, np.linspace(1.0, 0.0, 256).astype(np.float32))
    window_local_ink(page, centres, 3, 1, 1.05)
    darkest_inside(page, centres, np.array([1.0, 1.0]), 2.0)
    faint_runs(
        page,
        centres,
        np.array([1.0, 1.0]),
        np.ones(2, np.bool_),
        np.full(2, 230.0),
        1.05,
        2.0,
        1.0,
        0.09,
        2.0,
    )
    faint_runs(  # with the box mean (the light-pencil test, issue 10 pass 5)
        page,
        centres,
        np.array([1.0, 1.0]),
        np.ones(2, np.bool_),
        np.full(2, 230.0),
        1.05,
        2.0,
        1.0,
        0.05,
        2.0,
        0.15,
    )
    lo = centres[:, 0] - 3.0
    streak_crosses(page, 0, 64, 4, 0, 48, 120.0, 0.85, lo, lo + 6.0)
    marks_h = np.vstack([centres.T, np.ones((1, 2))])
    _, refined, _ = timing_rows(page, np.eye(3), marks_h, 3, 3, 120.0, 20.0)
    row_geometry(np.ascontiguousarray(refined), np.array([0.5]), np.array([0.0]), False, 26.0)
    module_mm = np.vstack([np.zeros((2, 625)), np.ones((1, 625))])
    qr_nearest(page, np.eye(3), module_mm, 1.0, 1.0, np.zeros((2, 625), np.bool_))
    hair_dark(
        np.ascontiguousarray(page[:9, :9]), np.zeros((1, 9)), np.zeros((9, 1)), 4.0, 230.0, 1.05, 0.12, 0.5, 6
    )  # tidy9
    one = np.ones((9, 9), np.float32)
    grain_reach(one, one, one > 0, one > 0, 3, 2, 3, 3)  # grain15
    slant_reaches(  # speed38: one slant
        one,
        np.array([[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]]),
        np.ones((1, 9, 9), np.uint8),
        np.ones((1, 9, 9), np.bool_),
        np.ones((1, 9, 9), np.bool_),
        np.array([[3, 5, 3, 5, 0]], np.int64),
        3,
        2,
        3,
        3,
    )
    stroke_could_hold(
        page, 11.0, 11.0, 1.0, 230.0, 1.05, 0.2, 0.8, 2.3, 3.5, 3.8, 6.0, 0.035, 0.08, 0.5, 20.0
    )  # foot17
    corner_quadrants(
        page, centres, np.array([1.0, 1.0]), np.full((2, 4), 230.0), np.ones(2, np.bool_), 3, 1, 1.05, 1.0
    )  # edge18
    trace_segments(
        page,
        24.0,
        32.0,
        0.0,
        1.0,
        1.0,
        0.0,
        np.arange(8) * 0.5,
        1,
        1,
        2,
        np.array([1.0, 0.0, 0.0, 0.0, 48.0, 64.0, 24.0]),
        np.array([1.0, 3.0, 0.04, 0.5, 0.55, 0.85, -0.05, 0.021]),
    )  # field19
    trace_contrast(np.ascontiguousarray(page[:9, :9]), 1, 5, 230.0, 1.05)  # speed19
    params = np.zeros(BP_SIZE, np.float64)
    params[BP_MARGINAL], params[BP_GAIN], params[BP_EDGE_ON] = 0.02, 1.05, 1.0
    side_bands(page, centres, np.array([1.0, 1.0]), np.zeros(2), np.full((2, 4), 230.0), 3, 1, params)
    hair_shape(page, 20.0, 20.0, 20, 20, 9, 8.0, 230.0, 1.05, 0.12, 0.5, 6, 4.0, 4.0)  # post20
    ridge_detail(page, 2, 2, 9, 3, 1.05 / 230.0, 230.0)  # post20
    firm_levels(page, 20, 20, 8, 1.0, 99.0)  # post20
    # look20: the closer look's setup and its straight-stroke sums
    w9 = np.full((9, 9), 200, np.uint8)
    closer_look_setup(w9, w9, np.full(4, 200.0), 2, 3, 1.05, 4.0, 4.0, 2.0, 3.0, 0.5, 0.2, 0.6)
    closer_look_setup_look20(w9, w9, np.full(4, 200.0), 2, 3, 1.05, 4.0, 4.0, 2.0, 3.0, 0.5, 0.2, 0.6)
    # speed28: the closer look's black top-hat (an ellipse's rows, and the plain rule)
    black_hat(w9, np.ones((3, 3), np.uint8))
    black_hat(w9, np.array([[1, 0], [0, 1]], np.uint8))
    dk = np.ones((9, 9), np.uint8)
    xs9, ys9 = np.arange(9.0).reshape(1, 9), np.arange(9.0).reshape(9, 1)
    stroke_moments(np.ones((9, 9)), dk, xs9, ys9)
    stroke_spread(np.ones((9, 9)), dk, xs9, ys9, 4.0, 4.0, 1.0, 0.0)
    # front21: the stages before _interpret, each one call
    find_page(page, 1, 8, 7.0, 133.0)
    h3 = np.eye(3)
    register_rows(
        page, h3, marks_h, 3, 3, 120.0, 20.0, np.array([0.5]), np.array([0.0]), False, 26.0, 1.0, 0.06
    )
    streak_side(page, centres, np.array([1.0, 1.0]), np.full((4, 2), 10.0), 3.2, 120.0, 4, 0.85, True)
    score_side(page, centres, np.array([1.0, 1.0]), 3.2, 0.5, 1.05, 16.0)
    # stroke34: stroke28's block round one remap (its offsets and zones read-only, as
    # `stroke28._cross` hands them: numba compiles a read-only array as another type)
    ts8, ds8 = np.arange(8) * 0.5 + 20.0, np.arange(-4.0, 4.5, 0.5)
    xr8, yr8 = np.empty((8, 17), np.float32), np.empty((8, 17), np.float32)
    ok8 = np.empty(8, np.bool_)
    zones8 = np.array([[0, 3], [14, 17], [6, 11], [5, 12]], np.int64)
    ds8.setflags(write=False)
    zones8.setflags(write=False)
    stroke_block_map(64, 48, 24.0, 32.0, 1.0, 0.0, ts8, np.zeros(8), ds8, xr8, yr8, ok8)
    stroke_block_stats(xr8, ok8, ds8, zones8, 0.55, 0.55, 4.0, 1.2, 2.0)
    fit_row(np.empty((1, 3)), np.empty((1, 2)), np.empty((1, 1)), 0, 1.0, 2.0, 0.5)
    _page_inside(1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 10.0, 10.0, 5.0, 3.0, 0.04)  # `lines7.Page.inside_at`
    inside_spread(page, 24, 32, 10, 6, 3, 230.0, 1.05)  # speed47: grain14's gate
    stain_may_reach(page[4:40, 2:30], 18, 14, 6, 5, 0.3, 3, 9, 2, 8)  # speed58: dark49's gate
    stain_may_reach_full(page[4:40, 2:30], 18, 14, 6, 5, 0.3, 3, 9, 2, 8)  # speed68: its reference
    near_span(3, 18, 0.5, 20.0, 7.87, 3.75)  # speed68: dark49's rectangle
    dot_component(np.ascontiguousarray(page[:20, :20]), 1.5, 14.2)  # speed68: inspect.dot_blob (C order)
    pts9 = np.array([[float(i), float(i // 2)] for i in range(-6, 7)])
    line_pair(pts9, 2.4, 25.0, 19.7, 6, 6, np.float32(math.pi / 90), 90)  # speed69: run62.lines_in
    ink8 = page[:20, :20] / 255.0
    hug_counts(ink8, ink8 > 0.5, ink8, 0.6, 0.4)  # speed68: edge22.hugging_pen
    offs7 = np.arange(-3.0, 4.0)
    run_ends(
        page,
        24.0,
        32.0,
        0.0,
        0.0,
        1.0,
        0.0,
        offs7,
        np.abs(offs7) <= 1,
        np.abs(offs7) >= 2,
        4.0,
        1.0,
        8,
        230.0,
        1.05,
        0.1,
        0.2,
        0.94,
        0.75,
    )  # speed65: run62's walk beyond the square
    disc = np.ones((3, 3), np.uint8)
    open_pieces_long(page[:9, :9] // 200, page[:9, :9] > 0, disc, 4.0)  # speed67: clump60's gate
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"reader kernels ready in {warm():.1f} s")
