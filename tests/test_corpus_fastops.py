"""The field corpus generator's compiled steps (fieldkit/fastops.py) give exactly the
arrays of the numpy/OpenCV expressions they replaced: equal, not close, so the corpus
does not change by a byte."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit import fastops
from fieldkit.conditions import _felt_tip, _felt_tip_reference, _line_profile, _line_profile_reference

shapes = st.tuples(st.integers(1, 40), st.integers(1, 40))


def _image(seed: int, shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1), st.floats(0.0, 80.0, width=32))
def test_add_noise_equals_reference(shape: tuple[int, int], seed: int, sigma: float) -> None:
    h, w = shape
    img = _image(seed, shape)
    rng = np.random.default_rng(seed + 1)
    # The generator's own draw: half-resolution float32 noise (odd sizes round up).
    small = rng.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32) * np.float32(sigma)
    assert np.array_equal(fastops.add_noise(img, small), fastops.add_noise_reference(img, small))


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1), st.floats(0.0, 2.0), st.booleans())
def test_scale_equals_reference(shape: tuple[int, int], seed: int, top: float, per_column: bool) -> None:
    img = _image(seed, shape)
    rng = np.random.default_rng(seed + 1)
    t = rng.uniform(0.0, top, shape[1] if per_column else shape).astype(np.float32)
    t.flat[0] = 1.0  # an untouched pixel
    assert np.array_equal(fastops.scale(img, t), fastops.scale_reference(img, t))


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1), st.floats(0.0, 3.0))
def test_tint_equals_reference(shape: tuple[int, int], seed: int, factor: float) -> None:
    img = _image(seed, shape)
    assert np.array_equal(fastops.tint(img, factor), fastops.tint_reference(img, factor))


def test_scale_refuses_a_float64_map() -> None:
    # uint8 * float64 is computed in float64 by the reference: not what the kernel does.
    with pytest.raises(TypeError):
        fastops.scale(np.zeros((2, 2), np.uint8), np.ones((2, 2)))


def test_a_whole_page_of_clipping_values() -> None:
    # Values beyond 0..255 on both sides, and an odd-sized page at the generator's scale.
    img = np.tile(np.arange(256, dtype=np.uint8), (301, 3))[:, :767]
    small = np.linspace(-300, 300, 151 * 384, dtype=np.float32).reshape(151, 384)
    assert np.array_equal(fastops.add_noise(img, small), fastops.add_noise_reference(img, small))
    t = np.linspace(-1, 3, img.size, dtype=np.float32).reshape(img.shape)
    assert np.array_equal(fastops.scale(img, t), fastops.scale_reference(img, t))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(1.5, 8.0),
    st.floats(0.0, math.pi),
    st.tuples(st.floats(-0.2, 1.2), st.floats(-0.2, 1.2)),
    st.sampled_from(["fold", "crease", "axis"]),
)
def test_line_profile_equals_reference(
    seed: int, s: float, angle: float, at: tuple[float, float], kind: str
) -> None:
    # A fold's or a crease's profile (the generator's parameter ranges) on a small page,
    # the band computed block by block against the whole-box reference.
    rng = np.random.default_rng(seed)
    h, w = int(90 * s), int(60 * s)
    if kind == "axis":
        angle = float(rng.choice([0.0, math.pi / 2]))
    direction = (math.cos(angle), math.sin(angle))
    if kind == "crease":
        params = dict(
            valley=(0.06, 0.25), valley_w=(0.1, 0.4), highlight=(0, 0.06), shadow=(0, 0.04), shadow_w=(0.5, 3)
        )
    else:
        params = dict(
            valley=(0.08, 0.35), valley_w=(0.15, 0.6), highlight=(0, 0.08), shadow=(0, 0.1), shadow_w=(1, 8)
        )
    kw = {k: float(rng.uniform(*v)) for k, v in params.items()}
    t = rng.uniform(0.6, 1.0, (h, w)).astype(np.float32)
    fast, ref = t.copy(), t.copy()
    p0 = (at[0] * w, at[1] * h)
    _line_profile(fast, p0, direction, s, **kw)
    _line_profile_reference(ref, p0, direction, s, **kw)
    assert np.array_equal(fast, ref)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(3.0, 12.0),
    st.lists(
        st.tuples(st.floats(-0.1, 1.1), st.floats(-0.1, 1.1), st.floats(-0.1, 1.1), st.floats(-0.1, 1.1)),
        max_size=4,
    ),
)
def test_felt_tip_equals_reference(
    seed: int, s: float, strokes: list[tuple[float, float, float, float]]
) -> None:
    # Strokes anywhere, at the page's edges too, or none; the same draws from the same seed.
    h, w = int(40 * s), int(30 * s)
    layer = np.full((h, w), 255, np.uint8)
    for i, (a, b, c, d) in enumerate(strokes):
        cv2.line(layer, (int(a * w), int(b * h)), (int(c * w), int(d * h)), 10 + 40 * i, 1 + i, cv2.LINE_AA)
    fast, ref = layer.copy(), layer.copy()
    rng_fast, rng_ref = np.random.default_rng(seed), np.random.default_rng(seed)
    assert _felt_tip(fast, rng_fast, s) == _felt_tip_reference(ref, rng_ref, s)
    assert np.array_equal(fast, ref)
    assert rng_fast.random() == rng_ref.random()  # the generator is left in the same state
