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
cuts fix8's window once (`hair_window`) and makes its disc once per size.
docs/reading.md, "Session 68"."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dark49 import _body, _pen_x, _sheet, drawn
from test_marks8 import pencil_fill

import kiosk.reading.dark49 as dark49
from kiosk.reading import clump60, fix8, inspect, kernels


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
    if kernels.stain_lattice_fails(*args):
        assert not kernels.stain_may_reach_full(*args)


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
    if kernels.stain_lattice_fails(patch, w, h, b, a, level, *r4):
        assert not full


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 120), a=st.integers(0, 12), lo=st.integers(-1, 119), span=st.integers(0, 60))
def test_property_every_window_holds_a_lattice_row_outside_the_rectangle(
    n: int, a: int, lo: int, span: int
) -> None:
    """The covering the lattice rests on, by brute force along one axis: every window
    [v - a, v + a] cut to [0, n - 1] round a v outside [lo, hi] holds a lattice row outside
    [lo, hi] too (in two dimensions the same row and column make the point: outside the
    rectangle on either axis is outside it)."""
    lo = min(lo, n - 1)
    hi = -1 if lo < 0 else min(n - 1, lo + span)
    rows = set(kernels._stain_lattice(n, 2 * a + 1, lo, hi).tolist())
    assert rows <= set(range(n))
    for v in range(n):
        if lo >= 0 and lo <= v <= hi:
            continue
        window = range(max(0, v - a), min(n - 1, v + a) + 1)
        assert any(r in rows and not (lo >= 0 and lo <= r <= hi) for r in window), (v, sorted(rows))


def test_the_lattice_rows_keep_clear_of_the_edge_where_the_box_is_cut() -> None:
    """At dark49's sizes (73 small pixels at 200 dpi, a = 5, b = 6) no lattice row lies
    where the box is cut by the edge (rows 0-2 and the last two), where the bound cannot
    fail: a lattice there would never answer (the first version had rows 0 and 72)."""
    rows = kernels._stain_lattice(73, 11, 19, 52).tolist()
    assert rows == [5, 16, 18, 27, 38, 49, 53, 60, 67]


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
    """Where the sweep's sums sit at its threshold (a body as dark as LEVEL beside the
    square), the lattice's own sums, added another way, never fail a pixel the sweep lets
    through: its margin is wider than their difference."""
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
def test_property_clump60_cuts_fix8s_window_once(
    dpi: int, at: tuple[float, float], strokes: int, paper: float, gain: float, seed: int
) -> None:
    """`clump60.hair_window` is `fix8._inside_window` and `fix8._dark` of the same square:
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
    got = clump60.hair_window(img, centre, s, paper, gain)
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
