"""pass32: numpy's median and percentile of a small 1-D array, to the bit, at a fraction of
their cost; and the darkest-path sampling of `inspect._path_contrast` in one vectorised step.

The reader's slow path (a square in doubt, a streak or a line through the window) asks for
thousands of medians and percentiles of a few dozen values a sheet. `np.median` and
`np.percentile` spend some 40-70 us a call on argument handling around a partition of a
few nanoseconds; on a scanner streak's sheet that was a quarter of the reading time, and
with `_path_contrast`'s Python loop over its paths another tenth.

Each function here returns what numpy's does, value and type, for the inputs it takes
(1-D, at least one value; numpy itself answers anything else): numpy's own partition with
the same kth (so the same middle elements, a zero's sign included, NaN last), the same
arithmetic in the same dtype (numpy's mean of the two middle values of a float32 array is
float32; of an integer array, float64), and for the percentile numpy's "linear" method
step by step (its virtual index, the clamped neighbours, its two-sided lerp).
tests/test_speed32.py checks each against numpy on hypothesis-drawn arrays (duplicates, NaN,
infinities, signed zeros) to the bit."""

from __future__ import annotations

import math

import numpy as np


def _median_parts(a: np.ndarray) -> np.floating:
    """`np.median(a)` for a 1-D array of n >= 1 floats or integers: numpy's own partition
    (the same kth, so the same arrangement, a zero's sign included), then its mean of the
    middle one or two: a sum from zero in the array's float dtype (float64 for integers),
    divided by the count."""
    n = a.size
    k = n // 2
    floats = a.dtype.kind == "f"
    kth = [k - 1, k] if n % 2 == 0 else [(n - 1) // 2]
    if floats:
        kth.append(-1)  # numpy's NaN check: the largest, NaN included, goes last
    part = np.partition(a, kth)
    t = a.dtype.type if floats else np.float64
    if floats and part[-1] != part[-1]:
        return part[-1]  # type: ignore[no-any-return]  # numpy returns the data's own NaN
    if n % 2:
        return t(0) + t(part[k])
    return (t(0) + t(part[k - 1]) + t(part[k])) / 2


def median(values: np.ndarray | list[float]) -> np.floating:
    """`np.median(values)`, the same value and type, for a 1-D array (a list: as numpy, float64)."""
    a = np.asarray(values)
    # float16 goes to numpy: its mean sums float16 in float32
    if not (a.ndim == 1 and a.size > 0 and a.dtype.kind in "fiu" and a.dtype != np.float16):
        return np.median(a)  # type: ignore[no-any-return]
    return _median_parts(a)


def percentile(values: np.ndarray, q: float) -> float:
    """`float(np.percentile(values, q))` (method "linear") for a 1-D float64 array and a
    Python float or int q in [0, 100]: numpy's virtual index, its clamped neighbours, its
    partition on the same kth and its two-sided lerp, step by step."""
    a = np.asarray(values)
    if not (
        a.ndim == 1 and a.size > 0 and a.dtype == np.float64 and type(q) in (int, float) and 0 <= q <= 100
    ):
        return float(np.percentile(a, q))
    n = a.size
    virtual = (n - 1) * (q / 100)  # numpy: (n - 1) * true_divide(q, 100)
    if virtual >= n - 1:
        below = above = -1
    elif virtual < 0:
        below = above = 0
    else:
        below = math.floor(virtual)
        above = below + 1
    part = np.partition(a, sorted({0, -1, below, above}))  # np.unique's kth, without its cost
    if part[-1] != part[-1]:  # NaN anywhere: that NaN, as numpy copies it
        return float(part[-1])
    gamma = virtual - below
    lo, hi = float(part[below]), float(part[above])
    diff = hi - lo
    if gamma >= 0.5:  # numpy's lerp takes the upper end's form here
        return hi - diff * (1 - gamma)
    return lo + diff * gamma


def group_medians(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[np.floating]]:
    """For each distinct integer of `groups` (ascending), `np.median(values[groups == g])`:
    one stable sort by group (each group's values in their order, as the mask gives them)
    instead of one mask a group."""
    if len(groups) == 0:
        return groups[:0], []
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    v = values[order]
    bounds = [0, *(np.flatnonzero(np.diff(g)) + 1).tolist(), len(g)]
    keys = g[bounds[:-1]]
    meds = [median(v[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]
    return keys, meds


def darkest_paths(
    image: np.ndarray, px: np.ndarray, py: np.ndarray, c: float, s: float, offsets: list[list[float]]
) -> list[np.ndarray]:
    """For each list of path offsets (px across the line, normal (c, s)), at each position
    (px, py): the darkest grey over those paths, NaN where any of them is off the image.
    `reference.darkest_paths_reference` is the loop it replaces (one path at a time)."""
    hh, ww = image.shape
    flat = np.array([off for group in offsets for off in group], np.float64)
    # the same products and sums as the loop's `px + off * c`, one row a path
    qx = np.rint(px[None, :] + (flat * c)[:, None]).astype(np.int64)
    qy = np.rint(py[None, :] + (flat * s)[:, None]).astype(np.int64)
    ok = (qx >= 0) & (qy >= 0) & (qx < ww) & (qy < hh)
    v = np.full(qx.shape, np.nan)
    v[ok] = image[qy[ok], qx[ok]]
    out = []
    row = 0
    for group in offsets:
        out.append(v[row : row + len(group)].min(axis=0))  # NaN anywhere in a column: NaN
        row += len(group)
    return out


def nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """`np.nanmedian(a, axis)` of a 2-D float64 or float32 array along one axis (fewer than
    600 values along it: numpy's masked-array path), without the masked array: NaN sorted as
    +inf, the middle one or two of each lane's values that are not NaN, their sum from zero
    halved in the array's own dtype (so a zero's sign never shows, and equal values are all
    alike: a plain sort of the values gives what numpy's argsort picks). Session 64: float32
    too (grain14's lines of the paper, where numpy's masked median was a sheet's slowest step)
    and each lane sorted along the contiguous axis. NaN for a lane with none (numpy also
    warns there; the reader's callers silence it)."""
    x = np.asarray(a)
    if not (
        x.ndim == 2 and x.dtype in (np.float64, np.float32) and axis in (0, 1, -1) and 0 < x.shape[axis] < 600
    ):
        return np.asarray(np.nanmedian(x, axis=axis))
    if axis == 0:
        x = x.T  # lanes along the last axis
    missing = np.isnan(x)
    ranked = np.sort(np.where(missing, np.inf, x), axis=1)
    counts = x.shape[1] - missing.sum(axis=1)
    high = counts // 2
    low = np.where(counts % 2 == 1, high, high - 1)
    rows = np.arange(x.shape[0])
    with np.errstate(invalid="ignore", over="ignore"):
        out: np.ndarray = (0.0 + ranked[rows, low] + ranked[rows, high]) / 2.0  # numpy sums from zero
    out[counts == 0] = np.nan
    return out
