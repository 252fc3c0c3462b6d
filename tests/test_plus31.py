"""plus31 (issue 10): the twenty-ninth pass's untouched run's lost vote 11800/39502/against-all,
a grey pencil plus beside a scanner's streak in vote11's band, goes to review with plus31 and
reads `empty` without it; no other square of the sheet changes. The streak's blurred flanks,
not the plus, were what `faint9.joined_strokes` counted as a line going on. docs/reading.md,
"Thirtieth pass: a pencil plus beside a scanner's streak (plus31)"."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import field_sheet
from test_cross16 import _blank, _levels
from test_redteam8 import _polylines
from test_review9 import _line

import kiosk.reading.reader as reader_module
from fieldkit.hook_ab import switched_off
from kiosk.reading import beside35, cross16, faint9, plus31, vote11, wrong11
from kiosk.reading.pencil6 import BORDER_MM


def test_the_plus_beside_the_streak_goes_to_review_only_with_plus31(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plus31, "ENABLED", True)
    reader, sheet, image = field_sheet(11800, 39502)
    marks = reader.read(image).contests[0].marks
    k = [m.option for m in marks].index("against-all")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("plus", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert vote11.NEAR_LO <= marks[k].score < 0.0  # vote11's band
    monkeypatch.setattr(plus31, "ENABLED", False)
    monkeypatch.setattr(beside35, "ENABLED", False)  # beside35 (later) reaches it too: its own net
    old = reader.read(field_sheet(11800, 39502)[2]).contests[0].marks
    assert old[k].mark == "empty"
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]
    monkeypatch.setattr(plus31, "ENABLED", True)
    with switched_off(vote11):  # asked only where vote11 asks
        assert reader.read(field_sheet(11800, 39502)[2]).contests[0].marks[k].mark == "empty"


def _streaked(dpi: int, dark: float, away_mm: float, width_px: int) -> tuple[np.ndarray, np.ndarray, float]:
    """A clean blank at `dpi` (test_cross16's) with a scanner's streak: the image's columns
    `away_mm` left of square 30's printed border's zone, `width_px` wide, taking `dark` of the
    light over the whole height, blurred as the scanner blurs."""
    img, c, s = _blank(dpi)
    im = img.copy()
    x0 = round(c[0] - (BORDER_MM + away_mm) * s)
    band = im[:, x0 - 6 : x0 + width_px + 6].astype(np.float32)
    band[:, 6 : 6 + width_px] *= 1 - dark
    im[:, x0 - 6 : x0 + width_px + 6] = np.clip(cv2.GaussianBlur(band, (0, 0), 1.0), 0, 255).astype(np.uint8)
    return im, np.array(c), s


def _square_39502() -> tuple[np.ndarray, np.ndarray, float, np.ndarray, float]:
    """39502's image and against-all's centre, px/mm, ring levels and gain, as the reader has them."""
    reader, _sheet, image = field_sheet(11800, 39502)
    got: dict[str, Any] = {}
    real = reader_module.side_bands

    def spy(*a: Any) -> Any:
        got["a"] = a
        return real(*a)

    reader_module.side_bands = spy  # type: ignore[assignment]
    try:
        reader.read(image)
    finally:
        reader_module.side_bands = real
    _im, centres, scales, scores, _m = got["a"]
    k = 7  # against-all
    return image, centres[k], float(scales[k]), scores.paper[k], float(scores.gain)


def test_the_streaks_flanks_were_the_line_going_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """joined strokes finds 39502's plus only with the rule columns widened (the streak's
    flanks, 1.3 mm left of the border, under wrong11's RULE_SPAN); not with wrong11 off; and
    `by_streak` answers only with plus31, vote11 and cross16 on."""
    image, c, s, lv, gain = _square_39502()
    assert lv.min() < 0.8 * lv.max()  # the streak darkens the ring's left side (158 against 218)
    assert not faint9.joined_strokes(image, c, s, lv, gain)
    assert faint9.joined_strokes(image, c, s, lv, gain, plus31.widen_px(s))
    monkeypatch.setattr(plus31, "ENABLED", True)
    assert plus31.by_streak(image, c, s, lv, gain)
    for off in (plus31, vote11, cross16):
        with switched_off(off):
            assert not plus31.by_streak(image, c, s, lv, gain)
    with switched_off(wrong11):  # the rule columns are wrong11's question
        assert not plus31.by_streak(image, c, s, lv, gain)


def test_lines_through_the_square_beside_a_streak_are_not_a_plus(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fold and a crease crossing the whole window make a plus too, but they cross the
    square's own rows and columns: widening the streak's columns leaves them counted."""
    monkeypatch.setattr(plus31, "ENABLED", True)
    im, c, s = _streaked(250, 0.3, 1.3, 5)
    assert not plus31.by_streak(im, c, s, _levels(im, (float(c[0]), float(c[1])), s), 1.0)
    folds = [_line(91, 40.0, 0.3), _line(1, 40.0, -0.2)]
    im2 = _polylines(im, (float(c[0]), float(c[1])), s, folds, 0.6, 0.3, grain=0.3, seed=31)
    assert not plus31.by_streak(im2, c, s, _levels(im2, (float(c[0]), float(c[1])), s), 1.0)


def test_widen_px() -> None:
    assert [plus31.widen_px(d / 25.4) for d in (150, 200, 250, 300)] == [2, 2, 3, 4]
    assert plus31.widen_px(0.5) == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=40), st.integers(0, 6))
def test_widened_agrees_with_its_reference(cols: list[bool], k: int) -> None:
    got = wrong11.widened(np.array(cols, dtype=bool), k).tolist()
    assert got == wrong11.widened_reference(cols, k)
