"""deep29 (OFF): vote11's band and test from DEEP_LO (docs/reading.md, trace29)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import field_sheet

from kiosk.reading import deep29
from kiosk.reading import reader as R


@pytest.fixture
def on() -> Iterator[None]:
    was = deep29.ENABLED
    deep29.ENABLED = True
    yield
    deep29.ENABLED = was


def _state(index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, R.Scores, R.BallotReader]:
    """The image, centres, scales and scores `_interpret` got for 11700's sheet `index`."""
    reader, _sheet, image = field_sheet(11700, index)
    got: dict[str, object] = {}
    real = R.BallotReader._interpret

    def spy(self, image, plan, scores, centres, scales, known):  # type: ignore[no-untyped-def]
        got.update(image=image, scores=scores, centres=centres, scales=scales)
        return real(self, image, plan, scores, centres, scales, known)

    R.BallotReader._interpret = spy  # type: ignore[method-assign]
    try:
        reader.read(image)
    finally:
        R.BallotReader._interpret = real  # type: ignore[method-assign]
    return got["image"], got["centres"], got["scales"], got["scores"], reader  # type: ignore[return-value]


def test_off_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    image, centres, scales, scores, _ = _state(25635)
    monkeypatch.setattr(deep29, "ENABLED", False)
    assert deep29.band(image, centres, scales, scores.scores, scores.paper, scores.gain) == [False] * 10
    assert not deep29.asked(image, centres[0], float(scales[0]), scores.paper[0], scores.gain)


def test_the_streak_sheets_tick_is_in_the_band_and_found(on: None) -> None:
    image, centres, scales, scores, _ = _state(25635)
    band = deep29.band(image, centres, scales, scores.scores, scores.paper, scores.gain)
    assert band == [True] + [False] * 9  # c01 only (-0.0045); c02 (-0.0108) has no faint run
    assert deep29.asked(image, centres[0], float(scales[0]), scores.paper[0], scores.gain)


def test_the_sheet_reads_c01_marginal_when_on(on: None) -> None:
    reader, _sheet, image = field_sheet(11700, 25635)
    marks = reader.read(image).contests[0].marks
    assert (marks[0].option, marks[0].mark, marks[0].reason) == ("c01", "marginal", "marginal_mark")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-0.03, 0.01, allow_nan=False), min_size=10, max_size=10))
def test_band_agrees_with_its_reference(scores: list[float]) -> None:
    image, centres, scales, sc, _ = _state(25635)
    s = np.asarray(scores, np.float64)
    was = deep29.ENABLED
    deep29.ENABLED = True
    try:
        fast = deep29.band(image, centres, scales, s, sc.paper, sc.gain)
        slow = deep29.band_reference(image, centres, scales, s, sc.paper, sc.gain)
    finally:
        deep29.ENABLED = was
    assert fast == slow
