"""speed58 (issue 10): dark49's gate asked before its resize.

`dark49.measures` shrank every marked square's neighbourhood to 4 px/mm (cv2's INTER_AREA at
a ratio that is not whole: about 40 us) only for `_could_reach` to say, on almost every sheet,
that no stain's body can reach beyond the border. `dark49.may_reach` (`kernels.stain_may_reach`)
answers from the scan's own pixels with a bound on every number the gate uses, so it may say
True where the gate says False, never the other way. Checked here against the gate itself on
drawn neighbourhoods (spills from faint to black, thumbs, pen X's, fills, printed lines, grey
paper, near the scan's edge) and on field sheets with their stains darkened, at 100-300 dpi;
and the readings it exists to speed keep their answer (tests/test_dark49.py's property of the
gate holds with it). docs/reading.md, "Session 58"."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import field_sheet
from test_dark49 import _body, _pen_x, _sheet, drawn
from test_marks8 import pencil_fill

import kiosk.reading.dark49 as dark49


def _both(image: np.ndarray, centre: tuple[float, float], s: float) -> tuple[bool, bool]:
    """(the bound before the resize, the gate after it) for the square at `centre`."""
    patch, w, h, xs, ys = dark49._hood(image, centre, s)
    b, o = dark49._sizes()
    rect = dark49._inner_rect(xs, ys, o)
    small = cv2.resize(patch, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    return dark49.may_reach(patch, w, h, rect, b, o), dark49._could_reach(small, rect, b, o)


@settings(max_examples=150, deadline=None)
@given(
    dpi=st.integers(100, 300),
    kind=st.sampled_from(["spill", "x", "fill", "thumb", "spill+x", "lines", "grey", "noise"]),
    at=st.tuples(st.floats(-14.0, 14.0), st.floats(-14.0, 14.0)),
    r_mm=st.floats(0.5, 12.0),
    k=st.floats(0.05, 0.95),
    paper=st.floats(0.3, 1.0),
    shift=st.tuples(st.floats(-13.0, 13.0), st.floats(-13.0, 13.0)),
    seed=st.integers(0, 50),
)
def test_property_the_bound_never_says_no_where_the_gate_says_yes(
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
    img = drawn(img, c, s, kind, at, r_mm, k, seed, 1.0 + 3 * k)
    if kind == "lines":  # printed rules and text-like bars round the square
        rng = np.random.default_rng(seed)
        for _ in range(6):
            x, y = rng.uniform(0, img.shape[1]), rng.uniform(0, img.shape[0])
            dx, dy = rng.uniform(0.5, r_mm) * s, rng.uniform(0.2, 2.0) * s
            cv2.rectangle(img, (round(x), round(y)), (round(x + dx), round(y + dy)), round(255 * (1 - k)), -1)
    if kind == "noise":
        rng = np.random.default_rng(seed)
        img = np.clip(img.astype(np.float32) - rng.uniform(0, 255 * k, img.shape), 0, 255).astype(np.uint8)
    img = np.clip(img.astype(np.float32) * paper, 0, 255).astype(np.uint8)  # grey paper, dim light
    # the square anywhere in the neighbourhood, so the scan's edge can cut it
    centre = (c[0] + shift[0] * s, c[1] + shift[1] * s)
    bound, gate = _both(img, centre, s)
    assert bound or not gate


@pytest.mark.parametrize("level", [0.26, 0.28, 0.3, 0.32, 0.34])
@pytest.mark.parametrize("dpi", [150, 200, 250, 300])
def test_an_even_body_at_the_level_itself(level: float, dpi: int) -> None:
    """A body as dark as LEVEL (where the gate turns) beside the square, its edge 3-4 mm out:
    the bound's margins (rounding, the box's edge pixels) never put it under."""
    s = dpi / 25.4
    img, c = _sheet(s)
    for far in (3.0, 3.5, 4.0, 5.0):
        dim = img.copy()
        x0 = round(c[0] + (3.0 + far) * s)
        dim[:, x0:] = np.round(235 * (1 - level)).astype(np.uint8)
        bound, gate = _both(dim, c, s)
        assert bound or not gate, (far, level)
        if gate:
            assert bound


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_the_bound_lets_a_clean_mark_skip_the_resize(dpi: int) -> None:
    """What it is for: a pen X or a fill on clean paper is answered before the resize, and
    a dark spill running on beyond the border is not (its `measures` are made)."""
    s = dpi / 25.4
    img, c = _sheet(s)
    assert _both(_pen_x(img, c, s), c, s) == (False, False)
    assert _both(pencil_fill(img, c, s, 0.8, half_mm=3.2), c, s) == (False, False)
    spill = _body(img, c, s, (-5.0, 0.0), 9.0, 0.6)
    assert _both(spill, c, s) == (True, True)
    assert dark49.is_stain_body(dark49.measures(spill, c, s))


@pytest.mark.parametrize(("seed", "index"), [(200, 3), (200, 11), (203, 5)])
def test_field_stains_darkened_over_the_whole_sheet(seed: int, index: int) -> None:
    """The field corpus's stained sheets (dev seeds), their darkness below the paper taken
    one to four times: at every point of a 4 mm grid over the sheet, the bound says yes
    wherever the gate does (and the gate does somewhere, once the stain is dark enough)."""
    reader, _sheet_made, image = field_sheet(seed, index, ("stain",))
    dpi = reader.read(image).dpi
    assert dpi is not None
    s = dpi / 25.4
    paper = float(np.percentile(image, 95))
    gates = 0
    for gain in (1.0, 2.0, 4.0):
        dark = np.clip(paper - gain * (paper - image.astype(np.float32)), 0, 255).astype(np.uint8)
        for y in np.arange(10 * s, image.shape[0] - 10 * s, 4 * s):
            for x in np.arange(10 * s, image.shape[1] - 10 * s, 4 * s):
                bound, gate = _both(dark, (float(x), float(y)), s)
                assert bound or not gate, (gain, x, y)
                gates += gate
    assert gates > 0


def _least_weights(n_src: int, n_dst: int) -> np.ndarray:
    """Each shrunk pixel's least weight on each scan pixel as the bound takes it: the part of
    the scan pixel under its footprint less OpenCV's 1e-3 cut, over the scale."""
    sx = n_src / n_dst
    weights = np.zeros((n_dst, n_src))
    for d in range(n_dst):
        lo, hi = d * sx, (d + 1) * sx
        for i in range(int(np.floor(lo)), min(n_src, int(np.ceil(hi)))):
            part = min(hi, i + 1) - max(lo, i)
            weights[d, i] = max(0.0, part - 1e-3) / sx
    return weights


@pytest.mark.parametrize("scale", [4.0, 4.01, 5.9, 7.87, 8.0, 9.84, 11.81, 12.0])
def test_opencvs_area_shrink_is_at_least_the_bounds_weights(scale: float) -> None:
    """The one step of the bound that is OpenCV's, checked on this install: cv2's INTER_AREA
    shrink of random greys (and of the 2x and 3x ratios its fast path takes) is never under
    the bound's least weights less 0.51 (the kernel's own weights are under those: a scan pixel
    wholly under the footprints weighs `_AREA_SLACK` / (sx sy), its parts at least 1 - 2e-3). The IPP path whose
    rounding is not OpenCV's (`useIPP_NotExact`) must be off: the bound is argued for OpenCV's own code."""
    ipp = getattr(cv2, "ipp", None)
    assert ipp is None or not ipp.useIPP_NotExact()
    rng = np.random.default_rng(round(scale * 100))
    for _ in range(20):
        side = round(21 * scale) - int(rng.integers(0, 12))
        patch = rng.integers(0, 256, (side, side + int(rng.integers(-5, 6))), dtype=np.uint8)
        if rng.random() < 0.5:  # an even field, one grey up or down here and there
            grey = int(rng.integers(60, 250)) + rng.integers(-1, 2, patch.shape)
            patch = np.clip(grey, 0, 255).astype(np.uint8)
        w, h = max(1, round(patch.shape[1] * 4 / scale)), max(1, round(patch.shape[0] * 4 / scale))
        got = cv2.resize(patch, (w, h), interpolation=cv2.INTER_AREA).astype(np.float64)
        down, across = _least_weights(patch.shape[0], h), _least_weights(patch.shape[1], w)
        least = down @ patch.astype(np.float64) @ across.T
        assert (got >= least - 0.51).all()
