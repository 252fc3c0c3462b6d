"""speed69 (issue 10): run62's line finder in one compiled call.

`run62.lines_in` asks of each square read `marked` under RUN_SCORE_MAX whether its ink is one
or two straight lines (a hair, a thread). It took about 320 us a square in numpy and OpenCV
(two Hough transforms, the principal axis twice each, a labelling of what is left), half of
what run62 costs a clean sheet. `kernels.line_pair` does it in one call: `hough_first` is
OpenCV's standard Hough transform written out (the same float32 tables, rounding, local
maxima and order), `strongest_line` the axis with its sums in order, `longest_piece` the
pieces' boxes by `_components8` (dot_component's labelling, shared). Checked here: the first
line is OpenCV's, bit for bit, on drawn masks; the pieces' boxes are OpenCV's; and the lines
are the reference's (`lines_in_reference`) on drawn point sets: the same number, the same
points left, the same line to a billionth of a pixel (numpy's dot products go through the
BLAS, which adds in its own order). docs/reading.md, "Session 69"."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stroke34 import compiled_after_warm

from kiosk.reading import fix8, inspect, kernels, run62


def _first_line_cv(mask: np.ndarray, threshold: int) -> tuple[bool, float, float]:
    got = cv2.HoughLines(mask, 1, math.pi / 90, threshold)
    if got is None:
        return False, 0.0, 0.0
    rho, theta = (float(v) for v in got[0][0])
    return True, rho, theta


def _draw_line(mask: np.ndarray, angle: float, shift: float) -> None:
    h, w = mask.shape
    for s in np.linspace(-80, 80, 641):
        x = round(w / 2 + shift * math.sin(angle) + s * math.cos(angle))
        y = round(h / 2 - shift * math.cos(angle) + s * math.sin(angle))
        if 0 <= x < w and 0 <= y < h:
            mask[y, x] = 255


@settings(max_examples=400, deadline=None)
@given(
    h=st.integers(1, 60),
    w=st.integers(1, 60),
    density=st.floats(0.0, 0.4),
    lines=st.lists(st.tuples(st.floats(0.0, math.pi), st.floats(-10.0, 10.0)), max_size=3),
    threshold=st.integers(2, 14),
    seed=st.integers(0, 10_000),
)
def test_property_hough_first_is_opencvs_first_line(
    h: int, w: int, density: float, lines: list[tuple[float, float]], threshold: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    mask = ((rng.random((h, w)) < density) * 255).astype(np.uint8)
    for angle, shift in lines:
        _draw_line(mask, angle, shift)
    got = kernels.hough_first(mask, threshold, run62.HOUGH_THETA, run62.HOUGH_ANGLES)
    assert got == _first_line_cv(mask, threshold)


def test_hough_first_breaks_ties_as_opencv() -> None:
    """Masks whose greatest counts tie in several cells (a dot, a plus, a square ring, two
    equal parallel lines): the first is the smaller angle, then the smaller rho, as OpenCV's
    sort has it; and a mask with no cell over the threshold has no line."""
    masks = []
    dot = np.zeros((9, 9), np.uint8)
    dot[4, 4] = 255
    masks.append(dot)
    plus = np.zeros((15, 15), np.uint8)
    plus[7, :] = 255
    plus[:, 7] = 255
    masks.append(plus)
    ring = np.zeros((20, 20), np.uint8)
    ring[2, 2:18] = ring[17, 2:18] = ring[2:18, 2] = ring[2:18, 17] = 255
    masks.append(ring)
    twins = np.zeros((20, 30), np.uint8)
    twins[5, 3:27] = twins[14, 3:27] = 255
    masks.append(twins)
    for mask in masks:
        for threshold in (0, 2, 6, 10, 40):
            got = kernels.hough_first(mask, threshold, run62.HOUGH_THETA, run62.HOUGH_ANGLES)
            assert got == _first_line_cv(mask, threshold), (mask.shape, threshold)
    # the plus's two arms count 15 each: there is a line, and it is OpenCV's
    assert kernels.hough_first(plus, 6, run62.HOUGH_THETA, run62.HOUGH_ANGLES)[0]
    assert not kernels.hough_first(dot, 6, run62.HOUGH_THETA, run62.HOUGH_ANGLES)[0]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 400), side=st.integers(1, 50), seed=st.integers(0, 10_000))
def test_property_longest_piece_is_opencvs_longest_box_side(n: int, side: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, side, (n, 2)).astype(np.float64) - side / 2
    _lo, mask = run62._point_mask(pts)
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    want = max(int(stats[1:, cv2.CC_STAT_WIDTH].max()), int(stats[1:, cv2.CC_STAT_HEIGHT].max()))
    assert kernels.longest_piece(pts) == want


def _stroke(angle: float, shift: float, half: float, step: float) -> np.ndarray:
    t = np.arange(-half, half + 1e-9, step)
    x = shift * math.sin(angle) + t * math.cos(angle)
    y = -shift * math.cos(angle) + t * math.sin(angle)
    return np.stack([np.rint(x), np.rint(y)], axis=1)


Lines = tuple[list[tuple[np.ndarray, np.ndarray]], int] | None


def _same_lines(a: Lines, b: Lines) -> bool:
    if a is None or b is None:
        return a is None and b is None
    la, left_a = a
    lb, left_b = b
    if len(la) != len(lb) or left_a != left_b:
        return False
    return all(
        np.allclose(ma, mb, rtol=0, atol=1e-9)
        and (
            np.allclose(da, db, rtol=0, atol=1e-9)
            # the sign, only along the scan's columns (run62.lines_in says why; hair_lines
            # drops such a line before its sign is used)
            or (
                abs(da[0]) < math.sin(math.radians(run62.STREAK_DEG))
                and np.allclose(da, -db, rtol=0, atol=1e-9)
            )
        )
        for (ma, da), (mb, db) in zip(la, lb, strict=True)
    )


@settings(max_examples=400, deadline=None)
@given(
    dpi=st.sampled_from([150, 200, 250, 300]),
    strokes=st.lists(
        st.tuples(st.floats(0.0, math.pi), st.floats(-1.0, 1.0), st.floats(0.2, 1.0), st.integers(1, 3)),
        min_size=0,
        max_size=3,
    ),
    clump=st.one_of(st.none(), st.tuples(st.floats(-0.8, 0.8), st.floats(-0.8, 0.8), st.floats(0.1, 0.25))),
    specks=st.integers(0, 30),
    centre=st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)),
    seed=st.integers(0, 10_000),
)
def test_property_lines_in_gives_the_references_lines(
    dpi: int,
    strokes: list[tuple[float, float, float, int]],
    clump: tuple[float, float, float] | None,
    specks: int,
    centre: tuple[float, float],
    seed: int,
) -> None:
    """Point sets as fix8's cut gives them (whole pixels apart, offsets from a centre that is
    not on a pixel, the inside's width `span`): strokes (a hair, an X's arms, a tick's, a
    thick stroke's rows) each a share of the inside long, a clump on them, specks anywhere."""
    scale = dpi / 25.4
    half = fix8.INSIDE_MM * scale
    rng = np.random.default_rng(seed)
    parts = [np.zeros((0, 2))]
    for angle, shift, length, width in strokes:
        for k in range(width):
            parts.append(_stroke(angle, shift * half + k, length * half * 1.4, 0.7))
    if clump is not None:
        cx, cy, r = clump
        yy, xx = np.mgrid[-half:half, -half:half]
        inside = (xx - cx * half) ** 2 + (yy - cy * half) ** 2 <= (r * half) ** 2
        parts.append(np.stack([xx[inside], yy[inside]], axis=1).astype(np.float64))
    parts.append(np.rint(rng.uniform(-half, half, (specks, 2))))
    pts = np.concatenate(parts)
    pts = pts[(np.abs(pts) <= half).all(axis=1)]
    pts = np.unique(pts, axis=0) - np.array(centre)  # one point a pixel, as a mask's are
    span = 2 * half
    got = run62.lines_in(pts, scale, span)
    want = run62.lines_in_reference(pts, scale, span)
    assert _same_lines(got, want), (got, want)


def test_lines_in_finds_the_hair_the_reference_finds() -> None:
    """A hair across the inside with a clump on it: one line; an X: one line, its second arm
    left in two pieces shorter than REST_MM (whether it goes on is `runs_on`'s question);
    two hairs apart: two lines; a circle's ring: none; each the reference's answer."""
    scale = 200 / 25.4
    half = fix8.INSIDE_MM * scale
    hair = _stroke(0.4, 0.1 * half, 1.5 * half, 0.5)
    yy, xx = np.mgrid[-6:7, -6:7]
    blob = np.stack([xx.ravel(), yy.ravel()], axis=1)[(xx**2 + yy**2).ravel() <= 30].astype(np.float64)
    arm = _stroke(2.2, 0.0, 1.3 * half, 0.5)
    a = np.linspace(0, 2 * math.pi, 300)
    ring = np.unique(np.rint(np.stack([0.7 * half * np.cos(a), 0.7 * half * np.sin(a)], axis=1)), axis=0)
    other = _stroke(0.55, -0.6 * half, 1.5 * half, 0.5)
    cases = {
        "hair with a clump": (np.unique(np.concatenate([hair, blob + np.array([3.0, 1.0])]), axis=0), 1),
        "an X": (np.unique(np.concatenate([hair, arm]), axis=0), 1),
        "two hairs": (np.unique(np.concatenate([hair, other]), axis=0), 2),
        "a ring": (ring, 0),
    }
    for name, (pts, lines) in cases.items():
        got = run62.lines_in(pts, scale, 2 * half)
        want = run62.lines_in_reference(pts, scale, 2 * half)
        assert _same_lines(got, want), name
        assert (0 if got is None else len(got[0])) == lines, name


def test_an_empty_window_has_no_dot_either_way() -> None:
    """speed68 left `dot_blob_cv` (the reference) crashing the process on an empty mask; both
    it and `dot_blob` now answer None, as `dot_component` does for no pixels."""
    for empty in (np.zeros((0, 0), np.uint8), np.zeros((0, 7), np.bool_), np.zeros((5, 0), np.uint8)):
        assert inspect.dot_blob(empty, 7.87) is None
        assert inspect.dot_blob_cv(empty, 7.87) is None
    assert kernels.dot_component(np.zeros((0, 0), np.uint8), 1.5, 14.2).shape == (0, 0)


def test_a_column_of_pixels_is_the_same_line_either_way_and_dropped_as_a_streak() -> None:
    """A stroke along the scan's columns, symmetric top to bottom (a helper's case): the
    axis's cross sum is 0 up to rounding, and its sign, summed in another order, turns the
    direction over; the line is the same, and hair_lines drops it (STREAK_DEG) before any
    use of its sign."""
    pts = np.array(
        [[-1, -8], [0, -6], [-1, -5], [0, -4], [0, -3], [-1, -2], [0, -2], [0, -1], [0, 0], [0, 1],
         [0, 2], [-1, 3], [0, 3], [0, 4], [0, 5], [-1, 6], [0, 7], [-1, 9]],
        float,
    )  # fmt: skip
    scale = 150 / 25.4
    got = run62.lines_in(pts, scale, 2 * fix8.INSIDE_MM * scale)
    want = run62.lines_in_reference(pts, scale, 2 * fix8.INSIDE_MM * scale)
    assert got is not None and _same_lines(got, want)
    assert all(abs(float(d[0])) < math.sin(math.radians(run62.STREAK_DEG)) for _m, d in got[0])


def test_points_no_pixel_has_go_to_the_reference() -> None:
    """A point that is not finite (no pixel's offset is) would index outside the kernel's
    mask: the kernel says so and the reference answers (it refuses, as before speed69); no
    points at all are no line, whatever the least count asked."""
    line = [[float(i), 0.0] for i in range(40)]
    for bad in (np.nan, np.inf, -np.inf):
        pts = np.array([[bad, 0.0], *line])
        assert kernels.line_pair(pts, 2.4, 25.0, 19.7, 6, 6, run62.HOUGH_THETA, run62.HOUGH_ANGLES)[0] == -1
        with pytest.raises((ValueError, IndexError)), np.errstate(invalid="ignore"):
            run62.lines_in(pts, 7.87, 36.2)
    empty = np.zeros((0, 2))
    assert kernels.line_pair(empty, 2.4, 25.0, 19.7, 0, 6, run62.HOUGH_THETA, run62.HOUGH_ANGLES)[0] == 0


def test_warm_prepares_the_line_finder_as_the_reader_calls_it() -> None:
    """After `kernels.warm()`, reading two debris sheets whose hairs run62 asks about (test_run62's
    cases 1819/1 and 764/2) compiles nothing more: warm's call has the types run62 hands
    `line_pair` (test_stroke34's check, in a fresh process)."""
    got = compiled_after_warm(
        """
from kiosk.reading import run62
calls = []
real = run62.lines_in
def spy(*a):
    calls.append(1)
    return real(*a)
run62.lines_in = spy
from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
pkg, reader, layouts = _field_setup()
styles = list(layouts)
opt = FieldOptions(always=("debris",), none_share=0.0)
for i in (1819, 764):
    layout = layouts[styles[i % len(styles)]]
    reader.read_bytes(generate_field_sheet(pkg.election, pkg.election_hash, layout, 196, i, opt).image)
extra["calls"] = len(calls)
"""
    )
    assert got["extra"]["calls"] >= 2
    assert got["new"] == {}
