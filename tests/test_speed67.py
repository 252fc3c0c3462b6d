"""speed67 (issue 10): clump60's compact blobs asked by one compiled call first.

`clump60.compact_blobs` opened every marked square's dark mask with OpenCV, traced the pieces
left and measured each one's cv2.minAreaRect, to find on almost every sheet that there is no
compact blob: a pen's strokes survive the opening and run long. `kernels.open_pieces_long`
answers that case in one call (nothing survives the opening; or every piece left inside spans
more than sqrt(2) BLOB_LONG_MM, so no minAreaRect of it is as short as BLOB_LONG_MM) and leaves
everything else to `clump60.compact_blobs_reference`, the code it was. Checked here: the
kernel's opening is OpenCV's (whether anything survives it), its "all long" is never said of a
mask with a compact blob, and `compact_blobs` gives the reference's answer, on drawn masks
(strokes of every width and angle, dots, crumbs, noise, clipped at the window's edge) at
150-300 dpi. docs/reading.md, "Session 67"."""

from __future__ import annotations

import itertools
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.reading import clump60, fix8, kernels


def _mask(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float]:
    scale = draw(st.floats(3.5, 15.5))  # 90-390 dpi, px per mm: discs of 3, 5, 7 and 9 px
    n = draw(st.integers(1, 48))
    m = draw(st.integers(1, 48))
    mask = np.zeros((n, m), np.uint8)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["line", "dot", "noise", "box", "diamond"]))
        x0, y0 = draw(st.integers(-5, m + 5)), draw(st.integers(-5, n + 5))
        if kind == "line":
            x1, y1 = draw(st.integers(-5, m + 5)), draw(st.integers(-5, n + 5))
            cv2.line(mask, (x0, y0), (x1, y1), 1, draw(st.integers(1, 9)))
        elif kind == "dot":
            cv2.circle(mask, (x0, y0), draw(st.integers(1, 9)), 1, -1)
        elif kind == "diamond":  # a square turned 45 degrees: its span sqrt(2) times its side
            r = draw(st.integers(1, 12))
            pts = np.array([[x0 - r, y0], [x0, y0 - r], [x0 + r, y0], [x0, y0 + r]], np.int32)
            cv2.fillPoly(mask, [pts], 1)
        elif kind == "box":
            cv2.rectangle(
                mask, (x0, y0), (x0 + draw(st.integers(0, 14)), y0 + draw(st.integers(0, 14))), 1, -1
            )
        else:
            rng = np.random.default_rng(draw(st.integers(0, 2**16)))
            mask |= (rng.random(mask.shape) < draw(st.floats(0.05, 0.9))).astype(np.uint8)
    # the inside: a centred square (clipped like a window at the image's edge) or anything
    if draw(st.booleans()):
        half = draw(st.floats(1.0, 30.0))
        cy, cx = draw(st.floats(-5.0, n + 5.0)), draw(st.floats(-5.0, m + 5.0))
        ys, xs = np.abs(np.arange(n) - cy), np.abs(np.arange(m) - cx)
        inside = np.maximum(xs[None, :], ys[:, None]) <= half
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        inside = rng.random((n, m)) < draw(st.floats(0.0, 1.0))
    return mask, inside, scale


masks = st.composite(_mask)


@settings(max_examples=400, deadline=None)
@given(case=masks())
def test_compact_blobs_gives_the_references_answer(case: tuple[np.ndarray, np.ndarray, float]) -> None:
    mask, inside, scale = case
    fast = clump60.compact_blobs(mask, inside, scale)
    slow = clump60.compact_blobs_reference(mask, inside, scale)
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert np.array_equal(fast, slow)


@settings(max_examples=400, deadline=None)
@given(case=masks())
def test_the_kernels_opening_is_opencvs_and_long_means_no_compact_blob(
    case: tuple[np.ndarray, np.ndarray, float],
) -> None:
    mask, inside, scale = case
    disc = clump60.blob_disc(scale)
    code = kernels.open_pieces_long(mask, inside, disc, clump60._span_limit(scale))
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, disc)
    assert (code == 0) == (not opened.any())
    used, lo, hi, ok = kernels._element_runs(disc)
    assert ok
    ours, kept = kernels._binary_open(mask, used, lo, hi)
    assert np.array_equal(ours, opened.astype(bool))  # pixel for pixel
    assert (kept == 0) == (not opened.any())
    if code == 1:
        # every piece left inside is longer than BLOB_LONG_MM by cv2.minAreaRect
        left = opened & inside.astype(np.uint8)
        contours, _ = cv2.findContours(left, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        assert all(max(cv2.minAreaRect(c)[1]) > clump60.BLOB_LONG_MM * scale for c in contours)


def _window(scale: float) -> tuple[np.ndarray, np.ndarray]:
    half = int(fix8.INSIDE_MM * scale) + 1
    n = 2 * half + 1
    ys, xs = np.abs(np.arange(n) - half), np.abs(np.arange(n) - half)
    return np.zeros((n, n), np.uint8), np.maximum(xs[None, :], ys[:, None]) <= fix8.INSIDE_MM * scale


def test_a_pens_x_is_answered_by_the_kernel_and_a_clump_is_asked_in_full() -> None:
    for dpi in (150, 200, 300):
        scale = dpi / 25.4
        mask, inside = _window(scale)
        n = mask.shape[0]
        w = max(2, round(0.6 * scale))  # a 0.6 mm felt tip: its strokes survive the opening
        cv2.line(mask, (2, 2), (n - 3, n - 3), 1, w)
        cv2.line(mask, (n - 3, 2), (2, n - 3), 1, w)
        limit = clump60._span_limit(scale)
        assert kernels.open_pieces_long(mask, inside, clump60.blob_disc(scale), limit) == 1
        assert clump60.compact_blobs(mask, inside, scale) is None
        assert clump60.compact_blobs_reference(mask, inside, scale) is None
        # a dust clump 1 mm across on a hair: compact, so the kernel leaves it to the reference
        hair, _ = _window(scale)
        cv2.line(hair, (0, n // 3), (n - 1, n // 2), 1, 1)
        cv2.circle(hair, (n // 2, n // 2 - 2), round(0.5 * scale), 1, -1)
        assert kernels.open_pieces_long(hair, inside, clump60.blob_disc(scale), limit) == 2
        fast, slow = (
            clump60.compact_blobs(hair, inside, scale),
            clump60.compact_blobs_reference(hair, inside, scale),
        )
        assert fast is not None and slow is not None and np.array_equal(fast, slow)
        # a hair alone: nothing survives the opening
        line, _ = _window(scale)
        cv2.line(line, (0, 3), (n - 1, n - 4), 1, 1)
        assert kernels.open_pieces_long(line, inside, clump60.blob_disc(scale), limit) == 0


def test_off_asks_the_reference_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = kernels.open_pieces_long

    def counted(*a: Any) -> int:
        calls.append(1)
        return int(real(*a))

    monkeypatch.setattr(kernels, "open_pieces_long", counted)
    mask, inside = _window(7.87)
    cv2.line(mask, (2, 2), (30, 30), 1, 5)
    assert clump60.compact_blobs(mask, inside, 7.87) is None
    assert calls == [1]
    monkeypatch.setattr(clump60, "FAST_GATE", False)
    assert clump60.compact_blobs(mask, inside, 7.87) is None
    assert calls == [1]


def test_a_turned_square_is_asked_in_full_where_its_span_is_long() -> None:
    """The sqrt(2) of the bound: a square turned 45 degrees spans sqrt(2) times its side, so a
    compact one (side under BLOB_LONG_MM) may span more than BLOB_LONG_MM; the kernel must not
    call it long. And at the scale where its side is BLOB_LONG_MM exactly (float32 in
    minAreaRect either side of it), the margin leaves it to the reference."""
    for scale in (5.9, 7.87, 11.81, 15.2):
        r = int(0.95 * clump60.BLOB_LONG_MM * scale / np.sqrt(2))  # side 0.95 BLOB_LONG_MM or under
        n = 2 * r + 9
        mask = np.zeros((n, n), np.uint8)
        c = n // 2
        cv2.fillPoly(mask, [np.array([[c - r, c], [c, c - r], [c + r, c], [c, c + r]], np.int32)], 1)
        inside = np.ones((n, n), bool)
        assert 2 * r > clump60.BLOB_LONG_MM * scale or scale < 8  # (the span itself is over the bound)
        code = kernels.open_pieces_long(mask, inside, clump60.blob_disc(scale), clump60._span_limit(scale))
        slow = clump60.compact_blobs_reference(mask, inside, scale)
        assert slow is not None  # compact by minAreaRect
        assert code == 2
        fast = clump60.compact_blobs(mask, inside, scale)
        assert fast is not None and np.array_equal(fast, slow)
    for r, under in itertools.product(range(2, 7), (0.0, 2e-8, 5e-8, 1e-7)):
        # the side BLOB_LONG_MM exactly, or a hair over it (float32 in minAreaRect may round it
        # to BLOB_LONG_MM or under: the margin leaves such a piece to the reference); a 3 px cross
        scale = r * np.sqrt(2) / clump60.BLOB_LONG_MM * (1.0 - under)
        n = 2 * r + 5
        mask = np.zeros((n, n), np.uint8)
        c = n // 2
        yy, xx = np.mgrid[:n, :n]
        mask[np.abs(yy - c) + np.abs(xx - c) <= r] = 1  # a digital diamond: crosses, kept whole
        inside = np.ones((n, n), bool)
        assert (
            kernels.open_pieces_long(mask, inside, clump60.blob_disc(scale), clump60._span_limit(scale)) == 2
        )
        fast, slow = (
            clump60.compact_blobs(mask, inside, scale),
            clump60.compact_blobs_reference(mask, inside, scale),
        )
        assert (fast is None) == (slow is None)
        assert fast is None or slow is None or np.array_equal(fast, slow)


@pytest.mark.parametrize("kind", ["255", "uint8 inside", "strided", "one row", "one column"])
def test_inputs_the_kernel_does_not_take_get_the_references_answer(kind: str) -> None:
    scale = 7.87
    mask, inside = _window(scale)
    n = mask.shape[0]
    cv2.line(mask, (2, 3), (n - 3, n - 4), 1, 5)
    cv2.circle(mask, (n // 2, 6), 4, 1, -1)
    if kind == "255":
        mask = mask * 255
    elif kind == "uint8 inside":
        inside = inside.astype(np.uint8)
    elif kind == "strided":
        mask, inside = mask[::2, ::2], inside[::2, ::2]
    elif kind == "one row":
        mask, inside = mask[n // 2 : n // 2 + 1], inside[n // 2 : n // 2 + 1]
    elif kind == "one column":
        mask, inside = mask[:, n // 2 : n // 2 + 1], inside[:, n // 2 : n // 2 + 1]
    fast, slow = (
        clump60.compact_blobs(mask, inside, scale),
        clump60.compact_blobs_reference(mask, inside, scale),
    )
    assert (fast is None) == (slow is None)
    assert fast is None or slow is None or np.array_equal(fast, slow)
