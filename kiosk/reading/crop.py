"""Cutting a square's neighbourhood out of the page (issue 10, the eighth pass: tidy8).

Two rules and one measure, one place each (they were copied into pencil6, pencil7, settle7, rims7 and
inspect with their own slice arithmetic):

- `around`: the square of half-size `half` px round a centre, CLIPPED to the image: the
  part of it on the image, both slice ends clamped (a square near the page's edge, or a
  centre off the image, never wraps round to the image's other side); None when nothing
  of it is on the image. With each pixel's offset from the centre (px). The closer
  looks' neighbourhoods (`pencil6.pencil_near`, `pencil7.stroke_found`,
  `settle7.neighbourhood`).
- `placed`: the window the fast score used (`kernels._window_origin`'s rule): 2 half + 1
  px a side (less where the image is smaller), SHIFTED to lie on the image, never cut.
  `inspect._window`, `rims7._ext` and the offsets of `settle7.reaches_beyond`.

- `in_mm`: the square of half-size `half_mm` round a centre, clipped to the image, as float32,
  with each pixel's offset from the centre in mm; and `sides`, its four wedges (left,
  right, top, bottom). fill50's and fill51's neighbourhoods (fill51 wrote them again).
- `INSIDE_MM`: the square's inside as `inspect` has it (empty8, erase9, fix8, marks8,
  pencil6, settle7, show10, wrong10, dark49 and fill50 name it; fold17 through pencil6;
  `inspect` uses it).

`tests/test_crop.py` checks `around` against a plain pad-then-slice for any centre and
size, the centre on or off the image.
"""

from __future__ import annotations

import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE

# The square's inside as `inspect` has it, mm from the centre (box distance): 0.35 mm in from
# the printed border's inner edge. One place (it was copied into eight modules).
INSIDE_MM = TARGET / 2 - TARGET_STROKE - 0.35


def around(
    image: np.ndarray, centre: tuple[float, float], half: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The part on `image` of the square from round(c) - half to round(c) + half (both
    ends in, each axis) round `centre` (x, y; Python's round, half to even as np.rint),
    contiguous, and its pixels' offsets from the centre, xs (1, w) and ys (h, 1), px;
    None when none of it is on the image."""
    hh, ww = image.shape[:2]
    cx, cy = centre
    x0, y0 = round(cx) - half, round(cy) - half
    xa, ya = min(max(0, x0), ww), min(max(0, y0), hh)
    xb, yb = min(max(0, x0 + 2 * half + 1), ww), min(max(0, y0 + 2 * half + 1), hh)
    if xb <= xa or yb <= ya:
        return None
    win = np.ascontiguousarray(image[ya:yb, xa:xb])
    xs, ys = offsets(win.shape[0], win.shape[1], cx - xa, cy - ya)
    return win, xs, ys


def placed(image: np.ndarray, cx: float, cy: float, half: int) -> tuple[np.ndarray, int, int]:
    """The window the fast score used round (cx, cy) (the same origin rule as
    `kernels._window_origin`: np.rint, then shifted inside the image) and its origin
    (x0, y0) in the image. A view."""
    hh, ww = image.shape
    size_w, size_h = min(2 * half + 1, ww), min(2 * half + 1, hh)
    x0 = min(max(int(np.rint(cx)) - half, 0), ww - size_w)
    y0 = min(max(int(np.rint(cy)) - half, 0), hh - size_h)
    return image[y0 : y0 + size_h, x0 : x0 + size_w], x0, y0


def offsets(h: int, w: int, cx: float, cy: float) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's offset (px) from the point (cx, cy) of an h x w window (in the
    window's own coordinates): xs (1, w) and ys (h, 1), to broadcast."""
    xs = np.arange(w)[None, :] - cx
    ys = np.arange(h)[:, None] - cy
    return xs, ys


def in_mm(
    image: np.ndarray, centre: tuple[float, float], scale: float, half_mm: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The part on `image` of the square half_mm * scale + 1 px round `centre` (its ends
    rounded, clamped to the image, the far one in), as float32, and each pixel's offset
    from the centre in mm: xs (1, w) and ys (h, 1)."""
    cx, cy = centre
    half = half_mm * scale + 1
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(image.shape[1], round(cx + half) + 1), min(image.shape[0], round(cy + half) + 1)
    p = image[y0:y1, x0:x1].astype(np.float32)
    xs = ((x0 + np.arange(p.shape[1]) - cx) / scale)[None, :]
    ys = ((y0 + np.arange(p.shape[0]) - cy) / scale)[:, None]
    return p, xs, ys


def sides(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four wedges round the centre (left, right, top, bottom), split on the diagonals
    (a diagonal pixel goes to the left or right side)."""
    ax, ay = np.abs(xs), np.abs(ys)
    return ((xs < 0) & (ax >= ay), (xs > 0) & (ax >= ay), (ys < 0) & (ay > ax), (ys > 0) & (ay > ax))
