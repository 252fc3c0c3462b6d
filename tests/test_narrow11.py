"""narrow11: wrong11.stroke_by_streak narrowed (issue 10). Its two guards: the line the
closer look took out is the streak's (`line_is_streaks`), and a stroke's column has no print
just outward of it (`_print_outward`). The drawn strokes beside a streak it was built for
stay in tests/test_wrong11.py, unchanged."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.reading import wrong11
from kiosk.reading.inspect import Line

sys.path.insert(0, str(Path(__file__).parent))
import readkit

# Field squares wrong11 sent to review and narrow11 no longer sends (truth `empty`, nothing
# drawn; benchmarks/narrow11_record.py on seed 150): a faint streak beside the printed
# border, and a slanted crease the closer look took out, a faint streak beside it.
NO_LONGER_SENT = [(150, 196, 7), (150, 126, 3)]


@pytest.fixture(scope="module")
def sheets() -> dict[tuple[int, int], Any]:
    return {(seed, index): readkit.field_sheet(seed, index) for seed, index, _ in NO_LONGER_SENT}


def _read(
    sheets: dict[tuple[int, int], Any], seed: int, index: int, k: int, narrow: bool, mp: pytest.MonkeyPatch
) -> Any:
    reader, sheet, image = sheets[(seed, index)]
    assert sheet.truth.squares[k].expected == "empty"
    mp.setattr(wrong11, "NARROW", narrow)
    m = reader.read(image).contests[0].marks[k]
    return m.mark, m.reason


@pytest.mark.parametrize(("seed", "index", "k"), NO_LONGER_SENT)
def test_field_square_no_longer_sent(
    seed: int, index: int, k: int, sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _read(sheets, seed, index, k, True, monkeypatch) == ("empty", None)


@pytest.mark.parametrize(("seed", "index", "k"), NO_LONGER_SENT)
def test_field_square_sent_without_narrow11(
    seed: int, index: int, k: int, sheets: dict[tuple[int, int], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The companion: wrong11 as it was sends it to review."""
    assert _read(sheets, seed, index, k, False, monkeypatch) == ("marginal", "marginal_mark")


def test_the_streaks_line() -> None:
    scale = 10.0
    cols = np.array([40, 41, 42])  # the square's middle at x = 60: the streak 1.8-2.0 mm left
    assert wrong11.line_is_streaks(Line(0.003, -19.0, 0.9, 0.3), scale, cols, 60.0)
    assert wrong11.line_is_streaks(Line(np.pi - 0.02, 18.0, 0.9, 0.3), scale, cols, 60.0)
    assert not wrong11.line_is_streaks(Line(0.19, -19.0, 0.9, 0.1), scale, cols, 60.0)  # a slanted crease
    assert not wrong11.line_is_streaks(Line(0.0, 15.0, 0.9, 0.1), scale, cols, 60.0)  # another column


def test_the_streaks_line_without_narrow11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrong11, "NARROW", False)
    assert wrong11.line_is_streaks(Line(0.19, -19.0, 0.9, 0.1), 10.0, np.array([40, 41]), 60.0)


def _window(dark: float) -> tuple[np.ndarray, np.ndarray]:
    im = np.full((60, 80), 200, np.uint8)
    im[:, 52:55] = round(200 * (1 - dark))  # print (or a stroke) 0.2-0.4 mm outward of column 50
    return im, np.abs(np.arange(60) - 30) <= 18


def test_print_just_outward_of_a_column() -> None:
    im, ins = _window(0.8)
    assert wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)
    im, ins = _window(0.15)  # a pencil stroke's darkening: not print
    assert not wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)
    # inward of the column (towards the square's middle) is not asked
    assert not wrong11._print_outward(_window(0.8)[0], (70.0, 30.0), 10.0, 50, ins, 0)


def test_print_just_outward_without_narrow11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrong11, "NARROW", False)
    im, ins = _window(0.8)
    assert not wrong11._print_outward(im, (30.0, 30.0), 10.0, 50, ins, 0)
