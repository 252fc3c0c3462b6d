"""speed68 (issue 10): dark49's gate asked at a few pixels first.

`kernels.stain_may_reach` swept every shrunk pixel of a marked square's neighbourhood (its
box sum from the scan, then a window round each) to say, on almost every sheet, that no
stain's body can reach beyond the printed border: about 50 us a marked square, warm. It now
asks `stain_lattice_fails` first: the same test at the pixels of a sparse lattice outside the
square, which every core's window holds. Where all of them fail, the sweep would say False;
otherwise the sweep is made (`stain_may_reach_full`, the reference). And `dark49` finds the
neighbourhood's rectangle without its arrays (`kernels.near_span`). Checked here: the same
answer as the sweep on drawn neighbourhoods and random ones (hypothesis), the lattice's rows
against a brute force over every window, the rectangle against `_hood` and `_inner_rect`,
and that the lattice is what answers a clean mark.

And `inspect.dot_blob`, asked of every square read closer, finds its blob by its own
union-find (`kernels.dot_component`), not OpenCV's components with their stats (about 30 us
a window, of which labelling alone is 5): the same blob as OpenCV's, checked here. clump60
cuts fix8's window once (`fix8.hair_window`) and makes its disc once per size. wrong10 and
ridge52 share one sheet's ridge measures (`wrong10.ridge_measures`, `measures_once`).
docs/reading.md, "Session 68"."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dark49 import _body, _pen_x, _sheet, drawn
from test_marks8 import pencil_fill

import kiosk.reading.dark49 as dark49
from kiosk.reading import clump60, fix8, inspect, kernels, ridge52, wrong10
from kiosk.reading.model import MarkReading


def _args(
    image: np.ndarray, centre: tuple[float, float], s: float
) -> tuple[np.ndarray, int, int, int, int, float, int, int, int, int]:
    """`stain_may_reach`'s arguments for the square at `centre`, as dark49 makes them."""
    patch, w, h, xs, ys = dark49._hood(image, centre, s)
    b, o = dark49._sizes()
    rect = dark49._inner_rect(xs, ys, o)
    return (patch, w, h, b, dark49._inscribed(o).shape[0] // 2, dark49.LEVEL, *rect)


@settings(max_examples=200, deadline=None)
@given(
    dpi=st.integers(100, 300),
    kind=st.sampled_from(["spill", "x", "fill", "thumb", "spill+x", "grey", "edge"]),
    at=st.tuples(st.floats(-14.0, 14.0), st.floats(-14.0, 14.0)),
    r_mm=st.floats(0.5, 12.0),
    k=st.floats(0.05, 0.95),
    paper=st.floats(0.3, 1.0),
    shift=st.tuples(st.floats(-13.0, 13.0), st.floats(-13.0, 13.0)),
    seed=st.integers(0, 50),
)
def test_property_the_same_answer_as_the_sweep_on_drawn_neighbourhoods(
    dpi: int,
    kind: str,
    at: tuple[float, float],
    r_mm: float,
    k: float,
    paper: float,
    shift: tuple[float, float],
    seed: int,
) -> None:
    s = dpi / 25.4
    img, c = _sheet(s)
    img = drawn(img, c, s, "spill" if kind == "edge" else kind, at, r_mm, k, seed, 1.0 + 3 * k)
    img = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)
    if kind == "edge":  # a dark band along the scan's edge, where the box is cut
        img[:, : round(r_mm * s)] = round(255 * (1 - k))
    centre = (c[0] + shift[0] * s, c[1] + shift[1] * s)
    args = _args(img, centre, s)
    assert kernels.stain_may_reach(*args) == kernels.stain_may_reach_full(*args)


@settings(max_examples=300, deadline=None)
@given(
    hh=st.integers(3, 60),
    ww=st.integers(3, 60),
    shrink=st.tuples(st.floats(1.0, 3.2), st.floats(1.0, 3.2)),
    b=st.integers(1, 8),
    a=st.integers(0, 7),
    level=st.floats(0.05, 0.6),
    rect=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))),
    blobs=st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.6), st.integers(0, 255)), max_size=6
    ),
    base=st.integers(60, 255),
    seed=st.integers(0, 1000),
)
def test_property_the_same_answer_as_the_sweep_on_random_patches(
    hh: int,
    ww: int,
    shrink: tuple[float, float],
    b: int,
    a: int,
    level: float,
    rect: tuple[float, float, float, float] | None,
    blobs: list[tuple[float, float, float, int]],
    base: int,
    seed: int,
) -> None:
    """Any size, box, window and level, dark squares anywhere (the scan's edge included),
    noise, a rectangle of any size or none: the lattice never says no where the sweep
    says yes, and the kernel's answer is the sweep's."""
    rng = np.random.default_rng(seed)
    patch = np.clip(base - rng.integers(0, 40, (hh, ww)), 0, 255).astype(np.uint8)
    for fx, fy, fr, grey in blobs:
        y0, x0 = int(fy * hh), int(fx * ww)
        r = max(1, int(fr * max(hh, ww)))
        patch[y0 : y0 + r, x0 : x0 + r] = grey
    w = max(1, int(ww / shrink[0]))
    h = max(1, int(hh / shrink[1]))
    if rect is None:
        r4 = (-1, -1, -1, -1)
    else:
        c0, c1 = sorted((int(rect[0] * w), int(rect[1] * w)))
        r0, r1 = sorted((int(rect[2] * h), int(rect[3] * h)))
        r4 = (c0, min(c1, w - 1), r0, min(r1, h - 1))
    full = kernels.stain_may_reach_full(patch, w, h, b, a, level, *r4)
    assert kernels.stain_may_reach(patch, w, h, b, a, level, *r4) == full


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(1, 120),
    a=st.integers(0, 12),
    lo=st.integers(-3, 125),
    hi=st.integers(-3, 125),
    present=st.booleans(),
)
def test_property_every_window_holds_a_lattice_row_outside_the_rectangle(
    n: int, a: int, lo: int, hi: int, present: bool
) -> None:
    """The covering the lattice rests on, by brute force along one axis: every window
    [v - a, v + a] cut to [0, n - 1] holds a lattice row, and one round a v outside the
    rectangle's [lo, hi] (where it is `present`) holds one outside it too, whatever lo and
    hi are (past either end, one negative, hi under lo). In two dimensions the same row and
    column make the point: outside the rectangle on either axis is outside it."""
    rows = set(kernels._stain_lattice(n, 2 * a + 1, lo, hi, present).tolist())
    assert rows <= set(range(n))

    def skipped(r: int) -> bool:
        return present and lo <= r <= hi

    for v in range(n):
        window = range(max(0, v - a), min(n - 1, v + a) + 1)
        assert any(r in rows for r in window), (v, sorted(rows))
        if not skipped(v):
            assert any(r in rows and not skipped(r) for r in window), (v, sorted(rows))


def test_the_lattice_rows_keep_clear_of_the_edge_where_the_box_is_cut() -> None:
    """At dark49's sizes (73 small pixels at 200 dpi, a = 5, b = 6) no lattice row lies
    where the box is cut by the edge (rows 0-2 and the last two), where the bound cannot
    fail: a lattice there would never answer (the first version had rows 0 and 72). And the
    rows beside a rectangle are asked only inside 0 .. n - 1 (a helper's review: they were
    written past the array's end, unchecked in compiled code)."""
    rows = kernels._stain_lattice(73, 11, 19, 52, True).tolist()
    assert rows == [5, 16, 18, 27, 38, 49, 53, 60, 67]
    assert kernels._stain_lattice(73, 11, 19, 52, False).tolist() == [5, 16, 27, 38, 49, 60, 67]
    for n, lo, hi in ((5, 9, 9), (5, -4, -2), (1, 0, 0), (0, 0, 0), (3, 4, 1)):
        plain: Any = kernels._stain_lattice
        got = plain.py_func(n, 3, lo, hi, True)  # numpy's own bounds checks
        assert np.array_equal(got, kernels._stain_lattice(n, 3, lo, hi, True))
        assert all(0 <= r < n for r in got.tolist())


def test_a_rectangle_cut_on_one_axis_and_a_level_over_one_get_the_sweeps_answer() -> None:
    """A helper's review: a rectangle with its columns given and its rows not (-1: the sweep
    skips rows -1 .. row_hi) had no lattice row under it, so a core just below went unseen;
    and at a level over 1 `above` is negative and the margin, a share of it, was too. Both
    now get the sweep's answer (dark49 passes neither; the kernel's answer holds anyway)."""
    p = np.full((40, 40), 255, np.uint8)
    p[20:26, 4:10] = 0
    args = (p, 20, 20, 1, 1, 0.3, 2, 5, -1, 10)
    assert kernels.stain_may_reach_full(*args)
    assert kernels.stain_may_reach(*args)
    zero = np.zeros((40, 40), np.uint8)
    args = (zero, 20, 20, 4, 1, 1.5101 - 1e-9, -1, -1, -1, -1)
    assert kernels.stain_may_reach_full(*args)
    assert kernels.stain_may_reach(*args)


def test_a_sum_a_bit_either_side_of_the_threshold_gets_the_sweeps_answer() -> None:
    """A helper's review found patches where the lattice's sum and the sweep's, added in
    another order, differ in the last bit with `above` between them: the margin keeps the
    lattice from failing a pixel the sweep lets through (without it, this one fails)."""
    p = np.full((24, 11), 87, np.uint8)
    args = (p, 8, 17, 4, 0, 0.7529716822053852, -1, -1, -1, -1)
    assert kernels.stain_may_reach(*args) == kernels.stain_may_reach_full(*args)
    assert not kernels.stain_lattice_fails(*args)


@settings(max_examples=150, deadline=None)
@given(
    hh=st.integers(2, 40),
    ww=st.integers(2, 40),
    shrink=st.tuples(st.floats(1.0, 3.0), st.floats(1.0, 3.0)),
    b=st.integers(1, 7),
    a=st.sampled_from([0, 0, 1, 2, 5]),
    rect=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))),
    noise=st.booleans(),
    base=st.integers(50, 255),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_at_the_level_where_the_sweep_turns_the_kernel_agrees(
    hh: int,
    ww: int,
    shrink: tuple[float, float],
    b: int,
    a: int,
    rect: tuple[float, float, float, float] | None,
    noise: bool,
    base: int,
    seed: int,
) -> None:
    """The level bisected to where the sweep's answer turns from yes to no (it turns once as
    the level rises), then asked a few ulps either side: there some pixel's sum sits on the
    threshold, where the lattice's sums, added another way, and its margin are tested (a
    helper's review: at fixed levels no pixel comes near it; this catches the margin's sign,
    the 0.51 rounding term and the edge parts' weights)."""
    rng = np.random.default_rng(seed)
    if noise:
        p = rng.integers(0, 256, (hh, ww)).astype(np.uint8)
    else:
        p = np.clip(base - rng.integers(0, 30, (hh, ww)), 0, 255).astype(np.uint8)
    w, h = max(1, int(ww / shrink[0])), max(1, int(hh / shrink[1]))
    r4 = (-1, -1, -1, -1)
    if rect is not None:
        c0, c1 = sorted((int(rect[0] * w), int(rect[1] * w)))
        r0, r1 = sorted((int(rect[2] * h), int(rect[3] * h)))
        r4 = (min(c0, w - 1), min(c1, w - 1), min(r0, h - 1), min(r1, h - 1))

    def full(level: float) -> bool:
        return bool(kernels.stain_may_reach_full(p, w, h, b, a, level, *r4))

    lo, hi = 0.0, 1.0
    if not (full(lo) and not full(hi)):
        return
    while True:
        mid = (lo + hi) / 2
        if mid <= lo or mid >= hi:
            break
        if full(mid):
            lo = mid
        else:
            hi = mid
    for k in range(-4, 5):
        level = float(lo + k * np.spacing(lo))
        assert kernels.stain_may_reach(p, w, h, b, a, level, *r4) == full(level), k


@settings(max_examples=300, deadline=None)
@given(
    dpi=st.integers(90, 400),
    at=st.tuples(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2)),
    size=st.tuples(st.integers(20, 400), st.integers(20, 400)),
)
def test_property_the_rectangle_is_hoods_and_inner_rects(
    dpi: int, at: tuple[float, float], size: tuple[int, int]
) -> None:
    """`near_span` finds the rectangle `_hood`'s arrays and `_inner_rect` find, to the
    pixel, the square anywhere in the scan or off it (an empty rectangle included)."""
    s = dpi / 25.4
    image = np.zeros((size[1], size[0]), np.uint8)
    centre = (at[0] * size[0], at[1] * size[1])
    _patch, w, h, xs, ys = dark49._hood(image, centre, s)
    _p, x0, y0, k, w2, h2 = dark49._hood_box(image, centre, s)
    assert (w, h) == (w2, h2)
    _b, o = dark49._sizes()
    c0, c1 = kernels.near_span(x0, w, k, centre[0], s, dark49._near(o))
    r0, r1 = kernels.near_span(y0, h, k, centre[1], s, dark49._near(o))
    rect = (c0, c1, r0, r1) if c0 >= 0 and r0 >= 0 else (-1, -1, -1, -1)
    assert rect == dark49._inner_rect(xs, ys, o)


@pytest.mark.parametrize("scale", [4.0, 8.0])
def test_the_rectangle_on_exact_ties(scale: float) -> None:
    """At 4 and 8 px/mm the small pixels' centres fall on whole and half scan pixels,
    and with the square's centre on a half pixel a centre lies exactly `near` from it: the
    rectangle leaves it out as `_inner_rect` does (a helper's review: no drawn dpi made a tie)."""
    image = np.zeros((100, 100), np.uint8)
    _b, o = dark49._sizes()
    ties = 0
    for cx in np.arange(10.5, 90.0, 0.5):
        centre = (float(cx), 99.5 - float(cx) / 2)
        _patch, w, h, xs, ys = dark49._hood(image, centre, scale)
        _p, x0, y0, k, _w, _h = dark49._hood_box(image, centre, scale)
        ties += int(np.count_nonzero(xs == dark49._near(o)))
        c0, c1 = kernels.near_span(x0, w, k, centre[0], scale, dark49._near(o))
        r0, r1 = kernels.near_span(y0, h, k, centre[1], scale, dark49._near(o))
        rect = (c0, c1, r0, r1) if c0 >= 0 and r0 >= 0 else (-1, -1, -1, -1)
        assert rect == dark49._inner_rect(xs, ys, o), centre
    assert ties > 0


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_the_lattice_answers_a_clean_mark_and_not_a_spill(dpi: int) -> None:
    """What it is for: a pen X or a fill on clean paper is answered by the lattice alone; a
    dark spill running on beyond the border is not (the sweep, then `measures`, are made)."""
    s = dpi / 25.4
    img, c = _sheet(s)
    for clean in (img, _pen_x(img, c, s), pencil_fill(img, c, s, 0.8, half_mm=3.2)):
        assert kernels.stain_lattice_fails(*_args(clean, c, s))
        assert not dark49._may_reach_at(clean, c, s)
    spill = _body(img, c, s, (-5.0, 0.0), 9.0, 0.6)
    assert not kernels.stain_lattice_fails(*_args(spill, c, s))
    assert dark49._may_reach_at(spill, c, s)
    assert dark49.is_stain_body(dark49.measures(spill, c, s))


@pytest.mark.parametrize("level", [0.28, 0.3, 0.32])
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_body_at_the_level_itself_gets_the_sweeps_answer(level: float, dpi: int) -> None:
    """A body as dark as LEVEL beside the square, its edge 3-4 mm out (where dark49's gate
    turns): the kernel's answer is the sweep's. (Its sums stay hundreds of margins from the
    threshold: the margin itself is tested at the bisected level, above.)"""
    s = dpi / 25.4
    img, c = _sheet(s)
    for far in (3.0, 3.5, 4.0, 5.0):
        dim = img.copy()
        dim[:, round(c[0] + (3.0 + far) * s) :] = np.round(235 * (1 - level)).astype(np.uint8)
        args = _args(dim, c, s)
        assert kernels.stain_may_reach(*args) == kernels.stain_may_reach_full(*args), (far, level)


@settings(max_examples=400, deadline=None)
@given(
    h=st.integers(1, 90),
    w=st.integers(1, 90),
    dpi=st.integers(100, 400),
    blobs=st.integers(0, 5),
    specks=st.integers(0, 60),
    kind=st.sampled_from(["u8", "bool", "255", "strided"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_dot_blob_is_opencvs(
    h: int, w: int, dpi: int, blobs: int, specks: int, kind: str, seed: int
) -> None:
    """`dot_blob` by `kernels.dot_component` against OpenCV's components (`dot_blob_cv`, the
    reader's path until speed68): the same widened blob or both None, for dots, specks
    touching each other only at a corner (8-connected), strokes, the window's edge, a bool
    mask (settle7 passes one), 255s and a strided view."""
    rng = np.random.default_rng(seed)
    s = dpi / 25.4
    dark = np.zeros((h, w), np.uint8)
    yy, xx = np.mgrid[:h, :w]
    for _ in range(blobs):
        r = float(rng.uniform(0.2, 1.4)) * s
        y, x = float(rng.uniform(0, h)), float(rng.uniform(0, w))
        if rng.random() < 0.3:  # a stroke
            dark[np.abs((yy - y) - (xx - x)) <= r / 3] = 1
        else:
            dark[(yy - y) ** 2 + (xx - x) ** 2 <= r * r] = 1
    if specks:
        ys, xs = rng.integers(0, h, specks), rng.integers(0, w, specks)
        dark[ys, xs] = 1
        dark[np.minimum(ys + 1, h - 1), np.minimum(xs + 1, w - 1)] = 1  # corner to corner
    mask: np.ndarray = dark
    if kind == "bool":
        mask = dark.astype(bool)
    elif kind == "255":
        mask = dark * np.uint8(255)
    elif kind == "strided":
        big = np.zeros((h, 2 * w), np.uint8)
        big[:, ::2] = dark
        mask = big[:, ::2]
    want = inspect.dot_blob_cv(mask, s)
    got = inspect.dot_blob(mask, s)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_dot_component_joins_at_a_corner_and_counts_the_area() -> None:
    """Two 3 x 3 squares meeting at a corner are one component (8-connected): 18 pixels,
    a 6 x 6 box. With min_area 10 that is the one dot (each alone is 9: none); a box side
    of 6 passes max_side 6 and fails 5.9."""
    dark = np.zeros((10, 10), np.uint8)
    dark[1:4, 1:4] = 1
    dark[4:7, 4:7] = 1
    blob = kernels.dot_component(dark, 10.0, 6.0)
    assert blob.shape == (10, 10) and int(blob.sum()) == 18 and np.array_equal(blob, dark)
    assert kernels.dot_component(dark, 10.0, 5.9).shape == (0, 0)
    assert kernels.dot_component(dark, 18.0, 6.0).shape == (10, 10)
    assert kernels.dot_component(dark, 18.5, 6.0).shape == (0, 0)
    dark[8, 0] = 1  # a speck beside: under min_area, left out of the blob
    blob = kernels.dot_component(dark, 10.0, 6.0)
    assert int(blob.sum()) == 18 and blob[8, 0] == 0
    two = np.zeros((10, 20), np.uint8)
    two[1:5, 1:5] = 1
    two[1:5, 10:14] = 1  # two blobs of 16 apart: not one dot
    assert kernels.dot_component(two, 10.0, 6.0).shape == (0, 0)


@settings(max_examples=300, deadline=None)
@given(
    dpi=st.integers(100, 400),
    at=st.tuples(st.floats(-0.1, 1.1), st.floats(-0.1, 1.1)),
    strokes=st.integers(0, 4),
    paper=st.floats(150.0, 255.0),
    gain=st.floats(0.8, 1.6),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_fix8s_hair_window_is_its_window_and_dark_pixels(
    dpi: int, at: tuple[float, float], strokes: int, paper: float, gain: float, seed: int
) -> None:
    """`fix8.hair_window` is `fix8._inside_window` and `fix8._dark` of the same square:
    the same window, inside and dark pixels, and None exactly where `_dark` is None (the
    square off the scan or cut by its edge, too few dark pixels)."""
    s = dpi / 25.4
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(225, 6, (round(20 * s), round(24 * s))), 0, 255).astype(np.uint8)
    for _ in range(strokes):
        p0 = (int(rng.integers(0, img.shape[1])), int(rng.integers(0, img.shape[0])))
        p1 = (int(rng.integers(0, img.shape[1])), int(rng.integers(0, img.shape[0])))
        cv2.line(img, p0, p1, int(rng.integers(0, 200)), int(rng.integers(1, 6)))
    centre = (at[0] * img.shape[1], at[1] * img.shape[0])
    got = fix8.hair_window(img, centre, s, paper, gain)
    window = fix8._inside_window(img, centre, s)
    dark = fix8._dark(img, centre, s, paper, gain)
    assert (got is None) == (dark is None)
    if got is not None and window is not None and dark is not None:
        assert np.array_equal(got[0], window[0]) and np.array_equal(got[1], window[1])
        assert got[2].dtype == dark.dtype and np.array_equal(got[2], dark)


def test_the_blob_disc_is_made_once_per_size_and_is_opencvs() -> None:
    """`clump60.blob_disc` hands the same array for a size (the kernels' type: writeable
    uint8), equal to OpenCV's ellipse, at every resolution the reader reads."""
    for dpi in range(100, 401, 10):
        s = dpi / 25.4
        disc = clump60.blob_disc(s)
        k = max(3, round(clump60.BLOB_MM * s) | 1)
        assert disc is clump60.blob_disc(s)
        assert disc.flags.writeable and disc.dtype == np.uint8
        assert np.array_equal(disc, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))


@settings(max_examples=250, deadline=None)
@given(
    dpi=st.integers(150, 400),
    kind=st.sampled_from(["ridges", "ridges_on_body", "pen", "fill", "blank", "edge"]),
    period_mm=st.floats(0.3, 0.8),
    body=st.floats(0.0, 0.6),
    depth=st.floats(0.02, 0.6),
    angle=st.floats(0.0, 3.1416),
    paper=st.floats(180.0, 255.0),
    gain=st.floats(0.8, 1.6),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_one_ridge_measure_answers_wrong10_and_ridge52(
    dpi: int,
    kind: str,
    period_mm: float,
    body: float,
    depth: float,
    angle: float,
    paper: float,
    gain: float,
    seed: int,
) -> None:
    """`wrong10.ridge_measures` (one kernel call, one gate and spectrum) gives ridge52's share
    (`ridge_share`, no floor) and wrong10's (`ridge_share`: that share where the detail
    clears DETAIL_SHARE of the mean ink, else 0), to the bit: a print's ridges with and
    without a body under them, pen strokes, a pencil fill's grain, blank paper, the square
    cut by the scan's edge."""
    s = dpi / 25.4
    rng = np.random.default_rng(seed)
    n = round(12 * s)
    yy, xx = np.mgrid[:n, :n].astype(np.float64)
    along = yy * np.cos(angle) + xx * np.sin(angle)
    img = np.full((n, n), 225.0)
    if kind.startswith("ridges"):
        wave = 0.5 + 0.5 * np.sin(along * 2 * np.pi / (period_mm * s))
        dark = depth * wave + (body if kind == "ridges_on_body" else 0.0)
        img = 225.0 * (1.0 - np.clip(dark, 0.0, 0.95))
    elif kind == "pen":
        img8 = np.full((n, n), 225, np.uint8)
        for _ in range(2):
            p0 = (int(rng.integers(0, n)), int(rng.integers(0, n)))
            p1 = (int(rng.integers(0, n)), int(rng.integers(0, n)))
            cv2.line(img8, p0, p1, int(rng.integers(0, 120)), max(1, round(0.5 * s)))
        img = img8.astype(np.float64)
    elif kind == "fill":
        img = 225.0 * (1.0 - body - depth * rng.random((n, n)) * 0.5)
    img8 = np.clip(img + rng.normal(0, 2, (n, n)), 0, 255).astype(np.uint8)
    centre = (n / 2, n / 2) if kind != "edge" else (1.5 * s, n / 2)
    share, strong = wrong10.ridge_measures(img8, centre, s, paper, gain)
    assert share == wrong10.ridge_share(img8, centre, s, paper, gain, floor=0.0)
    assert (share if strong else 0.0) == wrong10.ridge_share(img8, centre, s, paper, gain)


def test_the_ridge_memo_is_asked_once_and_the_rules_answer_as_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one memo, wrong10 makes the measures and ridge52 reads them (one kernel call a
    square); the marks each sends to review are those it sends with no memo (on a print's
    ridges over a body, ridge52's; on bare ridges, wrong10's)."""
    s = 200 / 25.4
    n = 120
    yy = np.arange(n)[:, None] + 0.3 * np.arange(n)[None, :]
    wave = 0.5 + 0.5 * np.sin(yy * 2 * np.pi / (0.48 * s))
    bare = (225 * (1 - 0.45 * wave)).astype(np.uint8)
    body = (225 * (1 - 0.35 - 0.12 * wave)).astype(np.uint8)
    centres = np.array([[60.0, 60.0]])
    scales = np.array([s])
    paper = np.full((1, 4), 225.0)
    calls = []
    real = kernels.ridge_detail

    def counted(*a: Any) -> Any:
        calls.append(1)
        return real(*a)

    monkeypatch.setattr(kernels, "ridge_detail", counted)
    mark = [MarkReading(option="a", mark="marked", score=0.2)]
    seen = []
    for img in (bare, body):
        alone = ridge52.ridged_body(
            img, centres, scales, paper, 1.0, wrong10.ridged_print(img, centres, scales, paper, 1.0, mark)
        )
        calls.clear()
        memo: wrong10.RidgeMemo = {}
        shared = ridge52.ridged_body(
            img,
            centres,
            scales,
            paper,
            1.0,
            wrong10.ridged_print(img, centres, scales, paper, 1.0, mark, memo),
            memo,
        )
        assert shared == alone
        assert len(calls) == 1
        by_wrong10 = wrong10.ridged_print(img, centres, scales, paper, 1.0, mark)[0].mark == "marginal"
        seen.append((by_wrong10, shared[0].mark))
    assert seen == [(True, "marginal"), (False, "marginal")]


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(1, 80),
    dpi=st.integers(100, 400),
    pen=st.floats(0.0, 1.0),
    hug_share=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31 - 1),
    on_edge=st.booleans(),
)
def test_property_edge22s_counts_answer_as_its_masks(
    n: int, dpi: int, pen: float, hug_share: float, seed: int, on_edge: bool
) -> None:
    """`edge22.hugging_pen` (its counts compiled first) against `hugging_pen_reference` (numpy
    alone): the same mask or both None, for pen-dark pixels along the inside's edge, off it,
    both, 8-adjacent or not, inks exactly at HOOK_PEN and boxes exactly at the zone's edge."""
    from kiosk.reading import edge22, rims7

    rng = np.random.default_rng(seed)
    s = dpi / 25.4
    c = (n - 1) / 2
    yy, xx = np.mgrid[:n, :n]
    box = np.maximum(np.abs(xx - c), np.abs(yy - c)).astype(np.float64)
    inner = float(rng.uniform(0.3, 0.5) * n)
    zone_from = inner - edge22.HUG_MM * s
    if on_edge:  # some boxes exactly at the zone's edge
        box[rng.random((n, n)) < 0.2] = zone_from
    ink = rng.random((n, n))
    ink[rng.random((n, n)) < 0.1] = rims7.HOOK_PEN
    near = box > zone_from
    evidence = np.where(near, rng.random((n, n)) < hug_share, rng.random((n, n)) < pen * 0.2)
    want = edge22.hugging_pen_reference(ink, evidence, box, inner, s)
    got = edge22.hugging_pen(ink, evidence, box, inner, s)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert np.array_equal(got, want)


def test_edge22_at_a_whole_number_bound_and_a_blob_to_the_rows_end() -> None:
    """A helper's review: the counts' `pen < bound` at a pen count equal to the bound (4 px
    at 4 px/mm), where `<=` would answer None too early; and `dot_component` joining a pixel
    on a row's last column to nothing on the next row's first (the neighbour check's right
    edge), and a box exactly as wide as the limit on the long side only."""
    from kiosk.reading import edge22, rims7

    s = 4.0
    n = 21
    c = (n - 1) / 2
    yy, xx = np.mgrid[:n, :n]
    box = np.maximum(np.abs(xx - c), np.abs(yy - c)).astype(np.float64)
    inner = 8.0
    assert rims7.PEN_SPECK_MM2 * s * s == 4.0
    ink = np.zeros((n, n))
    evidence = np.zeros((n, n), bool)
    for x in range(6, 10):  # four pen-dark pixels along the inside's top edge, none off it
        evidence[2, x] = True
        ink[2, x] = 0.9
    assert box[2, 6] > inner - edge22.HUG_MM * s
    want = edge22.hugging_pen_reference(ink, evidence, box, inner, s)
    got = edge22.hugging_pen(ink, evidence, box, inner, s)
    assert want is not None and got is not None and np.array_equal(got, want)

    m = np.zeros((10, 10), np.uint8)
    m[3:6, 0:3] = 1
    m[4, 9] = 1  # on the last column: not 8-adjacent to anything on row 5's first columns
    blob, blob_cv = inspect.dot_blob(m, 5.0), inspect.dot_blob_cv(m, 5.0)
    assert blob is not None and blob_cv is not None and np.array_equal(blob, blob_cv)
    wide = np.zeros((14, 14), np.uint8)
    wide[2:5, 2:12] = 1  # 10 px wide, 3 high: over DOT_MM at 5 px/mm (9 px) on one side only
    assert inspect.dot_blob(wide, 5.0) is None and inspect.dot_blob_cv(wide, 5.0) is None
    assert kernels.dot_component(wide, 1.0, 10.0).shape == (14, 14)
    assert kernels.dot_component(wide, 1.0, 9.99).shape == (0, 0)


def test_one_ridge_memo_for_two_squares_keeps_each_squares_answer() -> None:
    """A helper's review: with two squares of different content sharing one memo (as on a
    sheet), each keeps its own answer: a print's bare ridges (wrong10's), plain paper with a
    pen stroke (neither's). A memo keyed on less than each square's inputs would hand the
    second the first's."""
    s = 200 / 25.4
    n = 120
    yy = np.arange(n)[:, None] + 0.3 * np.arange(n)[None, :]
    wave = 0.5 + 0.5 * np.sin(yy * 2 * np.pi / (0.48 * s))
    img = np.full((n, 2 * n), 225, np.uint8)
    img[:, :n] = (225 * (1 - 0.45 * wave)).astype(np.uint8)
    cv2.line(img, (n + 40, 40), (n + 80, 80), 30, 4)
    cv2.line(img, (n + 80, 40), (n + 40, 80), 30, 4)
    centres = np.array([[60.0, 60.0], [n + 60.0, 60.0]])
    scales = np.array([s, s])
    paper = np.full((2, 4), 225.0)
    marks = [
        MarkReading(option="a", mark="marked", score=0.2),
        MarkReading(option="b", mark="marked", score=0.2),
    ]
    memo: wrong10.RidgeMemo = {}
    out = ridge52.ridged_body(
        img,
        centres,
        scales,
        paper,
        1.0,
        wrong10.ridged_print(img, centres, scales, paper, 1.0, marks, memo),
        memo,
    )
    assert [m.mark for m in out] == ["marginal", "marked"]
    assert len(memo) == 2
    for i in range(2):
        at = (float(centres[i, 0]), float(centres[i, 1]))
        share = wrong10.ridge_share(img, at, s, 225.0, 1.0, floor=0.0)
        assert memo[(at[0], at[1], s, 225.0, 1.0)][0] == share
        assert ridge52.is_ridged_body(img, at, s, 225.0, 1.0) == (share >= ridge52.BODY_SHARE)
