"""What the reader looked at while reading one image: shared by the stain tests
(tests/test_inspect_stains.py, tests/test_stains6.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import kiosk.reading.inspect as inspect_module
import kiosk.reading.reader as reader_module
from kiosk.reading.model import SideReading
from kiosk.reading.reader import BallotReader


def read_looked_at(
    r: BallotReader, image: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> tuple[SideReading, list[bool], list[tuple[tuple[float, float], float, float]]]:
    """The reading, which squares the reader looked at closer, and for each of those (in
    order) the square's centre in the image, px per mm and fast score."""
    looks: list[list[bool]] = []
    calls: list[tuple[tuple[float, float], float, float]] = []
    real_band = reader_module.doubt_band
    real_inspect = inspect_module.inspect_square

    def band(*a: Any) -> np.ndarray:
        out = real_band(*a)
        looks.append(out.tolist())
        return out

    def inspect(image: np.ndarray, centre: tuple[float, float], scale: float, *a: Any) -> Any:
        calls.append((centre, scale, a[4]))  # half, ring, levels, gain, score, ...
        return real_inspect(image, centre, scale, *a)

    monkeypatch.setattr(reader_module, "doubt_band", band)
    monkeypatch.setattr(reader_module, "inspect_square", inspect)
    try:
        reading = r.read(image)
    finally:
        monkeypatch.setattr(reader_module, "doubt_band", real_band)
        monkeypatch.setattr(reader_module, "inspect_square", real_inspect)
    assert reading.status != "rejected", reading
    return reading, looks[-1], calls
