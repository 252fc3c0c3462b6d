"""pass32: kiosk.reading.speed32 answers as numpy does, to the bit and in numpy's type, and
the reader's slow path built on it reads a streak sheet exactly as its references do."""

from __future__ import annotations

import math
import struct
import warnings
from typing import Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kiosk.reading import reference, speed32
from kiosk.reading.inspect import _levels

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy on inf and NaN

SPECIAL = [0.0, -0.0, 1.0, 255.0, np.inf, -np.inf, np.nan, -np.nan, 0.5, 1e-300, -1e300]


def _same(a: object, b: object) -> bool:
    """The same type and the same bits (a NaN's sign and payload, a zero's sign)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return bool(np.asarray(a).tobytes() == np.asarray(b).tobytes())


def _floats(dtype: type) -> st.SearchStrategy[np.ndarray]:
    width: Literal[32, 64] = 32 if dtype is np.float32 else 64
    elements = st.one_of(
        st.sampled_from(SPECIAL).map(dtype),
        st.floats(width=width, allow_nan=True, allow_infinity=True),
        st.integers(0, 8).map(float),  # many ties
    )
    return hnp.arrays(dtype, st.integers(1, 60), elements=elements)


@settings(max_examples=400, deadline=None)
@given(v=st.one_of(_floats(np.float64), _floats(np.float32)))
def test_median_of_floats_is_numpys(v: np.ndarray) -> None:
    assert _same(speed32.median(v), np.median(v))


@settings(max_examples=300, deadline=None)
@given(
    v=st.one_of(
        hnp.arrays(np.uint8, st.integers(1, 60)),
        hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(-(2**40), 2**40)),
    )
)
def test_median_of_integers_is_numpys(v: np.ndarray) -> None:
    assert _same(speed32.median(v), np.median(v))


def test_median_hands_what_it_does_not_take_to_numpy() -> None:
    two = np.arange(12.0).reshape(3, 4)
    assert _same(speed32.median(two), np.median(two))
    half = np.array([65504, 65504], np.float16)  # numpy sums float16 in float32: no overflow
    assert _same(speed32.median(half), np.median(half))
    with pytest.warns(RuntimeWarning):
        assert math.isnan(float(speed32.median(np.array([], np.float64))))


@settings(max_examples=400, deadline=None)
@given(
    v=_floats(np.float64),
    q=st.one_of(
        st.sampled_from([0.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 100.0, 0, 50, 100]), st.floats(0, 100)
    ),
)
def test_percentile_is_numpys(v: np.ndarray, q: float) -> None:
    assert _same(speed32.percentile(v, q), float(np.percentile(v, q)))


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 300),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_group_medians_are_each_groups_median(data: st.DataObject, n: int, dtype: type) -> None:
    groups = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-6, 6)))
    values = data.draw(hnp.arrays(dtype, n, elements=st.sampled_from([*SPECIAL, 2.0, 3.0, 7.25]).map(dtype)))
    keys, meds = speed32.group_medians(groups, values)
    assert keys.tolist() == np.unique(groups).tolist()
    none, no_meds = speed32.group_medians(groups[:0], values[:0])
    assert len(none) == 0 and no_meds == []
    for g, m in zip(keys.tolist(), meds, strict=True):
        assert _same(m, np.median(values[groups == g]))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 400))
def test_levels_agree_with_the_reference(data: st.DataObject, n: int) -> None:
    ink = data.draw(hnp.arrays(np.float32, n, elements=st.floats(-0.25, 1.0, width=32)))
    offs = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-9, 9)))
    clear = data.draw(hnp.arrays(np.bool_, n))
    clear[0] = True
    lo, level = _levels(ink, offs, clear)
    lo_r, level_r = reference.levels_reference(ink, offs, clear)
    assert lo == lo_r
    assert level.tobytes() == level_r.tobytes()


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    h=st.integers(5, 80),
    w=st.integers(5, 80),
    n=st.integers(1, 50),
    theta=st.floats(0, 2 * math.pi),
    spread=st.floats(0.5, 200.0),
    groups=st.lists(st.lists(st.floats(-12, 12), min_size=1, max_size=7), min_size=1, max_size=4),
)
def test_darkest_paths_agree_with_the_loop(
    seed: int, h: int, w: int, n: int, theta: float, spread: float, groups: list[list[float]]
) -> None:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w), dtype=np.uint8)
    px = rng.uniform(-spread / 4, w + spread / 4, n)
    py = rng.uniform(-spread / 4, h + spread / 4, n)
    c, s = math.cos(theta), math.sin(theta)
    fast = speed32.darkest_paths(image, px, py, c, s, groups)
    slow = reference.darkest_paths_reference(image, px, py, c, s, groups)
    assert [a.tobytes() for a in fast] == [b.tobytes() for b in slow]


def test_a_streak_sheet_reads_as_with_numpys_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole reader on a scanner streak's sheet (field seed 145, sheet 285: 29 squares
    through inspect's slow path) with speed32 and with numpy and the references in its
    place (benchmarks/results/pass32 has the same over the 1,500 dev sheets)."""
    from readkit import field_sheet

    reader, _sheet, image = field_sheet(145, 285)
    fast = repr(reader.read(image))
    monkeypatch.setattr(speed32, "median", np.median)
    monkeypatch.setattr(speed32, "percentile", lambda v, q: float(np.percentile(v, q)))
    monkeypatch.setattr(speed32, "darkest_paths", reference.darkest_paths_reference)
    monkeypatch.setattr(speed32, "nanmedian", lambda a, axis: np.nanmedian(a, axis=axis))
    import kiosk.reading.inspect as inspect

    monkeypatch.setattr(inspect, "_levels", reference.levels_reference)
    assert repr(reader.read(image)) == fast


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    rows=st.integers(1, 12),
    cols=st.integers(1, 12),
    axis=st.sampled_from([0, 1, -1]),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_nanmedian_is_numpys(data: st.DataObject, rows: int, cols: int, axis: int, dtype: type) -> None:
    # float32: grain14's lines of the paper (session 64); its special values and sums in float32
    width: Literal[32, 64] = 32 if dtype is np.float32 else 64
    a = data.draw(
        hnp.arrays(
            dtype,
            (rows, cols),
            elements=st.one_of(
                st.sampled_from(
                    [v for v in SPECIAL if width == 64 or abs(v) in (0.0, 1.0, 255.0, 0.5, np.inf)]
                ),
                st.integers(0, 9).map(float),
                st.floats(-300, 300, width=width),
                st.sampled_from([np.nan]),
            ),
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmedian(a, axis=axis)
    got = speed32.nanmedian(a, axis)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert [_bits(x) for x in got.tolist()] == [_bits(x) for x in want.tolist()]


def test_nanmedian_float32_lanes_of_grain14() -> None:
    """The shape grain14 asks (rows of a rotated window, most of each lane NaN), float32 sums
    of two middle values that float64 would round differently."""
    rng = np.random.default_rng(64)
    a = rng.normal(0.02, 0.05, (40, 90)).astype(np.float32)
    a[rng.random(a.shape) < 0.7] = np.nan
    a[:, :3] = np.float32(16777217.0)  # above float32's exact integers: the halving's rounding shows
    got = speed32.nanmedian(a, 1)
    want = np.nanmedian(a, axis=1)
    assert got.dtype == np.float32
    assert got.tobytes() == want.tobytes()


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)
