"""Compiled whole-page steps of the field corpus generator (numba), each bit-equal to
the numpy/OpenCV expression it replaces.

Why: a field sheet at 300 dpi is about 10 million pixels, and the generator made several
full-page float32 temporaries per sheet (the uint8 page cast to float, the noise resized
to full size, the sum, the clip, the cast back). Each kernel here does one such step in
one pass over the pixels with the same float32 arithmetic (an IEEE add or multiply, a
clip to 0..255, numpy's truncating cast to uint8), so the corpus does not change by a
byte (`benchmarks/corpus_digest.py`). Each has its reference beside it (`*_reference`,
the expression the generator used before) and tests/test_corpus_fastops.py checks them
against each other with hypothesis. Set NUMBA_DISABLE_JIT=1 to run them as plain Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import cv2
import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(fn: F) -> F:
    # cache=True: compiled once into __pycache__, loaded by each worker process after.
    return cast(F, numba.njit(cache=True, nogil=True, boundscheck=False)(fn))


@_compiled
def _add_noise(img: np.ndarray, small: np.ndarray, ymap: np.ndarray, xmap: np.ndarray) -> np.ndarray:
    h, w = img.shape
    out = np.empty((h, w), np.uint8)
    row = np.empty(w, np.float32)  # the noise row at full width, made once per noise row
    last = -1
    for y in range(h):
        sy = ymap[y]
        if sy != last:
            src = small[sy]
            for x in range(w):
                row[x] = src[xmap[x]]
            last = sy
        img_y, out_y = img[y], out[y]
        for x in range(w):
            v = np.float32(img_y[x]) + row[x]
            v = min(max(v, np.float32(0.0)), np.float32(255.0))
            out_y[x] = np.uint8(v)
    return out


def _nearest_map(src: int, dst: int) -> np.ndarray:
    """Which source index OpenCV's INTER_NEAREST resize takes for each of `dst` outputs
    (found by resizing the indices themselves, so it is OpenCV's own rule)."""
    idx = np.arange(src, dtype=np.float32)[None, :]
    out: np.ndarray = cv2.resize(idx, (dst, 1), interpolation=cv2.INTER_NEAREST)[0].astype(np.int64)
    return out


def add_noise(img: np.ndarray, small: np.ndarray) -> np.ndarray:
    """`add_noise_reference`: the uint8 image plus the float32 noise `small` resized to
    the image's size (nearest), clipped to 0..255 and truncated to uint8."""
    h, w = img.shape
    sh, sw = small.shape
    return _add_noise(
        np.ascontiguousarray(img), np.ascontiguousarray(small), _nearest_map(sh, h), _nearest_map(sw, w)
    )


def add_noise_reference(img: np.ndarray, small: np.ndarray) -> np.ndarray:
    out_h, out_w = img.shape
    noise = cv2.resize(small, (out_w, out_h), interpolation=cv2.INTER_NEAREST)
    summed = cv2.add(img.astype(np.float32), noise)
    return np.clip(summed, 0, 255).astype(np.uint8)


@_compiled
def _scale(img: np.ndarray, t: np.ndarray) -> np.ndarray:
    h, w = img.shape
    out = np.empty((h, w), np.uint8)
    for y in range(h):
        for x in range(w):
            v = np.float32(img[y, x]) * t[y, x]
            if v < np.float32(0.0):
                v = np.float32(0.0)
            elif v > np.float32(255.0):
                v = np.float32(255.0)
            out[y, x] = np.uint8(v)
    return out


def scale(img: np.ndarray, t: np.ndarray) -> np.ndarray:
    """`scale_reference`: the uint8 image times the float32 map `t` (same shape, or one
    row broadcast down the image), clipped to 0..255 and truncated to uint8."""
    if t.dtype != np.float32:  # a float64 map would make the reference compute in float64
        raise TypeError(f"scale: the map must be float32, not {t.dtype}")
    if t.ndim == 1:
        t = np.broadcast_to(t[None, :], img.shape)
    return _scale(np.ascontiguousarray(img), t)


def scale_reference(img: np.ndarray, t: np.ndarray) -> np.ndarray:
    if t.ndim == 1:
        t = t[None, :]
    out: np.ndarray = np.clip(img * t, 0, 255).astype(np.uint8)
    return out


def tint(img: np.ndarray, factor: float) -> np.ndarray:
    """`tint_reference` through a 256-entry table (cv2.LUT): every grey level's result
    computed by that same float64 expression, then looked up."""
    levels = np.arange(256, dtype=np.uint8)
    lut = np.clip(levels * factor, 0, 255).astype(np.uint8)
    out: np.ndarray = cv2.LUT(img, lut)
    return out


def tint_reference(img: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(img * factor, 0, 255).astype(np.uint8)
