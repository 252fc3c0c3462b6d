"""speed30 (twenty-ninth pass): `kernels.find_page` labelling only the four corner windows.

`kernels.find_page` labels every dark pixel of the coarse page (`_label_blobs`) and then takes
the blobs nearest the four image corners (`kernels._extremes`: least x + y, greatest x - y,
greatest x + y, least x - y, twice, the second time among the blobs of a fiducial's area).
`find_page_fast` labels only a window at each corner of the coarse image (a third of each
side), and answers from those windows only when it can prove the whole-page search picks the
same blobs; otherwise it runs `kernels.find_page` itself. Everything else (the subsample and
its histogram, the levels, `_dark_columns_counted`, `_corners_fast`: the refinement at full
resolution and the page's levels between the fiducials) is the same call on the same numbers,
so the answer is `kernels.find_page`'s to the bit (tests/test_corners30.py).

The proof, for the top-left corner (the others are its mirror images). A component wholly
inside a window (none of its pixels on a window side that is not the image's edge; the
labelling is 8-connected, so it cannot reach beyond) has the same pixels, area, box and
integer coordinate sums as in the whole-page labelling: its blob is the same blob. Every other
blob's pixels lie outside the top-left window (x >= W or y >= H, so x + y >= min(W, H)) or,
for a component cut by the window's side, inside it at known places; its centroid, a mean of
its pixels, has x + y at least the least of those. So if the least x + y among the windows'
blobs is unique and below that bound (by half a pixel, for the rounding of the centroid's two
divisions), the whole page's least is the same blob, whatever the other blobs' areas (so
whichever of them the area filter keeps). Any doubt (a tie, a bound not beaten, fewer than
four blobs, the same blob at two corners, a page too faint): the whole-page search answers.
"""

from __future__ import annotations

import math

import numpy as np

from kiosk.reading import kernels
from kiosk.reading.kernels import _compiled

WINDOW_SHARE = 3  # each corner window is a third of the coarse image's width and height
MARGIN = 0.5  # px: the centroid's rounding is far below this


@_compiled
def _window_blobs(  # noqa: C901 (kernels._label_blobs, line for line, and the cut bounds)
    small: np.ndarray,
    blank: np.ndarray,
    ithresh: int,
    min_area: int,
    y0: int,
    y1: int,
    x0: int,
    x1: int,
) -> tuple[np.ndarray, np.ndarray]:
    """`kernels._label_blobs` on the window [y0, y1) x [x0, x1) of `small` (image coordinates):
    the blobs of the components wholly inside it (not on a side that is not the image's
    edge), in `_label_blobs`' columns (cx, cy, area) and filters; and, over the pixels of the
    components that are cut by a side, the least and greatest x + y and x - y (inf when none)."""
    h, w = small.shape
    wh, ww = y1 - y0, x1 - x0
    labels = np.zeros((wh, ww), np.int32)
    cap = wh * ww // 2 + 2
    parent = np.empty(cap, np.int32)
    area = np.empty(cap, np.int64)
    sum_x = np.empty(cap, np.int64)
    sum_y = np.empty(cap, np.int64)
    left = np.empty(cap, np.int64)
    top = np.empty(cap, np.int64)
    right = np.empty(cap, np.int64)
    bottom = np.empty(cap, np.int64)
    cut = np.empty(cap, np.bool_)
    lo_sum = np.empty(cap, np.int64)
    hi_sum = np.empty(cap, np.int64)
    lo_diff = np.empty(cap, np.int64)
    hi_diff = np.empty(cap, np.int64)
    cut_left = x0 > 0
    cut_right = x1 < w
    cut_top = y0 > 0
    cut_bottom = y1 < h
    nxt = 1
    for yy in range(wh):
        y = y0 + yy
        row = small[y]
        lab_row = labels[yy]
        up = labels[yy - 1] if yy > 0 else labels[yy]
        on_edge_row = (yy == 0 and cut_top) or (yy == wh - 1 and cut_bottom)
        for xx in range(ww):
            x = x0 + xx
            if row[x] > ithresh or blank[x]:
                continue
            n = up[xx] if yy > 0 else 0
            if n == 0:
                wl = lab_row[xx - 1] if xx > 0 else 0
                nw = up[xx - 1] if yy > 0 and xx > 0 else 0
                ne = up[xx + 1] if yy > 0 and xx + 1 < ww else 0
                if wl != 0:
                    n = wl
                    if ne != 0:
                        kernels._union(parent, wl, ne)
                elif nw != 0:
                    n = nw
                    if ne != 0:
                        kernels._union(parent, nw, ne)
                elif ne != 0:
                    n = ne
                else:
                    n = nxt
                    parent[n] = n
                    area[n] = sum_x[n] = sum_y[n] = 0
                    left[n] = x
                    right[n] = x
                    top[n] = y
                    bottom[n] = y
                    cut[n] = False
                    lo_sum[n] = hi_sum[n] = x + y
                    lo_diff[n] = hi_diff[n] = x - y
                    nxt += 1
            lab_row[xx] = n
            area[n] += 1
            sum_x[n] += x
            sum_y[n] += y
            if x < left[n]:
                left[n] = x
            if x > right[n]:
                right[n] = x
            if y > bottom[n]:
                bottom[n] = y
            if on_edge_row or (xx == 0 and cut_left) or (xx == ww - 1 and cut_right):
                cut[n] = True
            s, d = x + y, x - y
            if s < lo_sum[n]:
                lo_sum[n] = s
            if s > hi_sum[n]:
                hi_sum[n] = s
            if d < lo_diff[n]:
                lo_diff[n] = d
            if d > hi_diff[n]:
                hi_diff[n] = d
    for lab in range(nxt - 1, 0, -1):
        root = kernels._find(parent, lab)
        if root != lab:
            area[root] += area[lab]
            sum_x[root] += sum_x[lab]
            sum_y[root] += sum_y[lab]
            left[root] = min(left[root], left[lab])
            right[root] = max(right[root], right[lab])
            top[root] = min(top[root], top[lab])
            bottom[root] = max(bottom[root], bottom[lab])
            cut[root] = cut[root] or cut[lab]
            lo_sum[root] = min(lo_sum[root], lo_sum[lab])
            hi_sum[root] = max(hi_sum[root], hi_sum[lab])
            lo_diff[root] = min(lo_diff[root], lo_diff[lab])
            hi_diff[root] = max(hi_diff[root], hi_diff[lab])
    out = np.empty((nxt, 3), np.float64)
    bounds = np.array([np.inf, -np.inf, np.inf, -np.inf])  # least/greatest x + y, x - y of cut pixels
    k = 0
    for c in range(1, nxt):
        if parent[c] != c:
            continue
        if cut[c]:
            bounds[0] = min(bounds[0], float(lo_sum[c]))
            bounds[1] = max(bounds[1], float(hi_sum[c]))
            bounds[2] = min(bounds[2], float(lo_diff[c]))
            bounds[3] = max(bounds[3], float(hi_diff[c]))
            continue
        a = area[c]
        if a < min_area:
            continue
        bw = right[c] - left[c] + 1
        bh = bottom[c] - top[c] + 1
        if a > 0.55 * bw * bh and 0.6 * bh < bw < 1.67 * bh:
            out[k, 0] = sum_x[c] / a
            out[k, 1] = sum_y[c] / a
            out[k, 2] = a
            k += 1
    return out[:k], bounds


@_compiled
def _sure_extremes(blobs: np.ndarray, alive: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """`kernels._extremes` over `alive`, or -1s when any corner's pick is not proven to be the
    whole page's: each pick must be the only one at its value and beat its corner's limit
    (least x + y below limits[0], greatest x - y above limits[1], greatest x + y above
    limits[2], least x - y below limits[3]) by MARGIN."""
    picked = kernels._extremes(blobs, alive)
    fail = np.full(4, -1, np.int64)
    for corner in range(4):
        p = picked[corner]
        if p < 0:
            return fail
        v = blobs[p, 0] + blobs[p, 1] if corner == 0 or corner == 2 else blobs[p, 0] - blobs[p, 1]
        if corner == 0 or corner == 3:
            if not v < limits[corner] - MARGIN:
                return fail
        elif not v > limits[corner] + MARGIN:
            return fail
        for i in alive:
            if i == p:
                continue
            u = blobs[i, 0] + blobs[i, 1] if corner == 0 or corner == 2 else blobs[i, 0] - blobs[i, 1]
            if u == v:
                return fail
    return picked


@_compiled
def _proven(blobs: np.ndarray, limits: np.ndarray, fiducial_mm: float, span_mm: float) -> bool:
    """Whether `kernels._corners_fast`, given only the windows' `blobs`, picks the blobs the
    whole page's would: its selection, step for step, each `_extremes` proven."""
    alive = np.arange(blobs.shape[0])
    if alive.shape[0] < 4:
        return False
    chosen = _sure_extremes(blobs, alive, limits)
    if chosen[0] < 0:
        return False
    for _ in range(2):
        sides = np.empty(4)
        for i in range(4):
            a, b = chosen[i], chosen[(i + 1) % 4]
            sides[i] = math.hypot(blobs[b, 0] - blobs[a, 0], blobs[b, 1] - blobs[a, 1])
        short_side = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
        px_per_mm = short_side / span_mm
        expected = (fiducial_mm * px_per_mm) ** 2
        if expected < 4:
            return False
        keep = 0
        for blob in alive:
            if 0.45 * expected < blobs[blob, 2] < 1.8 * expected:
                alive[keep] = blob
                keep += 1
        alive = alive[:keep]
        if keep < 4:
            return False
        chosen = _sure_extremes(blobs, alive, limits)
        if chosen[0] < 0:
            return False
    for i in range(4):
        for j in range(i):
            if chosen[i] == chosen[j]:
                return False
    return True


@_compiled
def window_blobs(
    small: np.ndarray, blank: np.ndarray, ithresh: int, min_area: int, fiducial_mm: float, span_mm: float
) -> tuple[np.ndarray, bool]:
    """The blobs wholly inside the four corner windows, and whether they are proven to make
    `kernels._corners_fast` pick the four blobs the whole page's blobs would (the module's
    docstring)."""
    h, w = small.shape
    wh, ww = h // WINDOW_SHARE, w // WINDOW_SHARE
    if wh < 2 or ww < 2:
        return np.empty((0, 3), np.float64), False
    tl, btl = _window_blobs(small, blank, ithresh, min_area, 0, wh, 0, ww)
    tr, btr = _window_blobs(small, blank, ithresh, min_area, 0, wh, w - ww, w)
    br, bbr = _window_blobs(small, blank, ithresh, min_area, h - wh, h, w - ww, w)
    bl, bbl = _window_blobs(small, blank, ithresh, min_area, h - wh, h, 0, ww)
    # Beyond each window (x >= ww or y >= wh for the top-left one, and so on) and over the
    # pixels of the components its sides cut.
    limits = np.empty(4)
    limits[0] = min(float(min(ww, wh)), btl[0])
    limits[1] = max(float(max(w - ww - 1, w - 1 - wh)), btr[3])
    limits[2] = max(float(max(w - ww - 1 + h - 1, w - 1 + h - wh - 1)), bbr[1])
    limits[3] = min(float(min(ww - (h - 1), -(h - wh - 1))), bbl[2])
    blobs = np.concatenate((tl, tr, br, bl))
    return blobs, _proven(blobs, limits, fiducial_mm, span_mm)


@_compiled
def find_page_fast(
    image: np.ndarray, f: int, min_area: int, fiducial_mm: float, span_mm: float
) -> tuple[np.ndarray, float, float]:
    """`kernels.find_page`, to the bit, the blobs labelled in the corner windows when that
    is proven to pick the same four (the module's docstring); else `find_page`'s own search."""
    small, hist = kernels._sample_hist(image, f)
    total = small.shape[0] * small.shape[1]
    paper = kernels._share_index(hist, total, 0.75)
    black = kernels._share_index(hist, total, 0.005)
    if paper - black < 60:
        return np.empty((0, 2), np.float64), paper, black
    mid = (paper + black) / 2
    ithresh = math.floor(mid)
    blank = kernels._dark_columns_counted(small, ithresh)
    blobs, proven = window_blobs(small, blank, ithresh, min_area, fiducial_mm, span_mm)
    if not proven:
        blobs = kernels._label_blobs(small, blank, ithresh, min_area)
    return kernels._corners_fast(image, small, f, blobs, mid, paper, black, fiducial_mm, span_mm)
