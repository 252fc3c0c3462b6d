"""tests11: the test helpers' caches give what the uncached expressions gave (readkit's grain,
field sheets; test_show10's show-through; test_lines10's reading of an undrawn sheet)."""

from __future__ import annotations

import numpy as np
import pytest
import readkit
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 50), h=st.integers(1, 40), w=st.integers(1, 40))
def test_grain_is_the_expression_it_replaced(seed: int, h: int, w: int) -> None:
    a = readkit.grain_random(seed, (h, w))
    assert np.array_equal(a, np.random.default_rng(seed).random((h, w)).astype(np.float32))
    b = readkit.grain_uniform(seed, 0.35, 1.0, (h, w))
    assert np.array_equal(b, np.random.default_rng(seed).uniform(0.35, 1.0, (h, w)).astype(np.float32))
    assert a.dtype == b.dtype == np.float32
    # kept read-only: a helper that wrote into it would fail here, not change another test
    with pytest.raises(ValueError):
        a[0, 0] = 0.5


def test_a_field_sheet_s_image_is_a_copy_for_each_caller() -> None:
    _r1, s1, a = readkit.field_sheet(147, 50)
    _r2, s2, b = readkit.field_sheet(147, 50)
    assert s1 is s2 and a is not b and np.array_equal(a, b)
    a[:10, :10] = 0
    assert not np.array_equal(a, readkit.field_sheet(147, 50)[2])


def test_through_is_a_copy_for_each_caller() -> None:
    import test_show10 as s10

    a = s10.through("MZ-LIST", 150, 0.15, 0.1, (0.15, -0.1))[0]
    b = s10.through("MZ-LIST", 150, 0.15, 0.1, (0.15, -0.1))[0]
    assert a is not b and np.array_equal(a, b)


def test_centres_are_the_reading_s(monkeypatch: pytest.MonkeyPatch) -> None:
    import test_lines10 as t10

    reader, _sheet, image = readkit.field_sheet(147, 50)
    _m, c1, s1 = t10._centres(reader, image, monkeypatch)
    _m, c2, s2 = t10._read_centres(reader, image, monkeypatch)  # uncached
    assert np.array_equal(c1, c2) and np.array_equal(s1, s2)
    assert t10._centres(reader, image, monkeypatch)[1] is not c1  # a copy each call
    n = len(t10._READ)
    drawn = image.copy()
    drawn[0, 0] ^= 1  # other pixels: read again
    t10._centres(reader, drawn, monkeypatch)
    assert len(t10._READ) == n + 1
