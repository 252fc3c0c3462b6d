"""faint37 (issue 10): the low band's faint strokes. The thirty-fifth pass's untouched run read a
light pencil caret (12400/31193/c28) and a very light pencil X (12400/39768/qhp) `empty` with no
doubt; faint37 sends such squares to review, and leaves straight lines of the paper, a stain's
curved rim and print out. docs/reading.md, "Thirty-sixth pass: the low band's faint strokes
(faint37)"."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import field_sheet
from test_grain14 import _broken, _paper
from test_grain15 import _strokes
from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import faint37, grain14, pencil6, pencil7

SCALE = 8.0


@pytest.mark.parametrize(
    ("seed", "index", "option"),
    [(12400, 31193, "c28"), (12400, 39768, "qhp")],
)
def test_the_thirty_fifth_runs_lost_votes_go_to_review_only_with_faint37(
    seed: int, index: int, option: str
) -> None:
    assert _read(seed, index, option, "light_pencil") == "marginal"
    with switched_off(faint37):
        assert _read(seed, index, option, "light_pencil") == "empty"


def test_a_stains_rim_across_the_square_and_its_border_stays_empty() -> None:
    """190/21/13 (dev; stain and skew, 300 dpi, truth `empty`): a stain's faint curved rim crosses
    the square corner to corner and goes on beyond the printed border both ways. Its chord is a
    lone arm of 0.033; the rim is followed across the border (`traced_mm`'s PRINT_GAP_MM), so it
    goes on both ways and is not asked (an earlier version, stopping at the border, sent it)."""
    reader, sheet, image = field_sheet(190, 21)
    marks = reader.read(image).contests[0].marks
    assert sheet.truth.squares[13].expected == "empty"
    assert marks[13].mark == "empty"
    assert pencil7.LOW_FROM <= marks[13].score < pencil6.LOOK_FROM  # asked: in the band


def _size(scale: float) -> int:
    return 2 * int(np.ceil((pencil6.BORDER_MM + grain14.AROUND_MM) * scale)) + 1


def _window(im: np.ndarray, scale: float = SCALE) -> np.ndarray:
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    c = im.shape[0] // 2
    ink = grain14.ink_window(u8, np.array([c, c]), scale, 235.0, 1.0)
    assert ink is not None
    return ink


def _asked(im: np.ndarray, scale: float = SCALE) -> bool:
    return faint37.window_asked(_window(im, scale), scale, None)


def _arm(im: np.ndarray, dark: float, ang: float = 50.0, length: float = 4.0, dx: float = 0.0) -> None:
    c = im.shape[0] / 2.0
    t = np.radians(ang)
    u = np.array([np.cos(t), -np.sin(t)]) * length * SCALE / 2
    p = np.array([c + dx * SCALE, c])
    _broken(im, tuple(p - u), tuple(p + u), dark, SCALE)


def test_one_light_arm_is_asked_and_a_fainter_one_is_not() -> None:
    im = _paper(3, SCALE, _size(SCALE))
    _arm(im, 0.07)
    assert _asked(im)
    faint = _paper(3, SCALE, _size(SCALE))
    _arm(faint, 0.015)
    assert not _asked(faint)
    assert not _asked(_paper(3, SCALE, _size(SCALE)))


def test_a_fold_across_the_window_is_not_an_arm() -> None:
    im = _paper(4, SCALE, _size(SCALE))
    n = im.shape[0]
    mask = np.zeros(im.shape, np.uint8)
    cv2.line(mask, (0, round(n * 0.3)), (n - 1, round(n * 0.6)), 1, max(1, round(0.4 * SCALE)))
    im[mask > 0] *= 1.0 - 0.07
    assert not _asked(im)


def _rim(im: np.ndarray, dark: float) -> None:
    """A stain's tide line: an arc of a 9 mm circle crossing the square."""
    n = im.shape[0]
    mask = np.zeros(im.shape, np.uint8)
    centre = (round(n / 2 - 2.0 * SCALE), round(n / 2 + 9.0 * SCALE))
    cv2.circle(mask, centre, round(9.5 * SCALE), 1, max(1, round(0.4 * SCALE)))
    im[mask > 0] *= 1.0 - dark


def test_a_stains_curved_rim_is_not_an_arm_but_an_arm_across_it_is() -> None:
    im = _paper(5, SCALE, _size(SCALE))
    _rim(im, 0.07)
    assert not _asked(im)
    _arm(im, 0.07, ang=70.0, dx=1.0)
    assert _asked(im)


def _spreads(text: bool) -> tuple[float, float]:
    """grain14's spread and faint37's clean spread of paper with or without the option's text
    beside the square (short dark rules)."""
    im = _paper(6, SCALE, _size(SCALE))
    n = im.shape[0]
    if text:
        for k in range(4):
            y = round(n / 2 - 1.5 * SCALE + k * SCALE)
            cv2.line(im, (round(n / 2 + 4.5 * SCALE), y), (n - 3, y), 40.0, max(1, round(0.3 * SCALE)))
    ink = _window(im)
    _, whole = grain14._slant_maps(ink, SCALE)
    _, clean = faint37.clean_spread(ink, SCALE, faint37.print_near(ink, SCALE))
    return whole, clean


def test_the_spread_leaves_the_print_beside_the_square_out() -> None:
    paper, paper_clean = _spreads(False)
    assert paper_clean == pytest.approx(paper)  # no print: the same statistic
    whole, clean = _spreads(True)
    assert whole > 1.5 * paper  # the text lifts grain14's spread ...
    assert clean < 1.15 * paper  # ... not the clean one
    assert clean >= faint37.SPREAD_FLOOR


def test_the_band_is_the_low_bands_score_range() -> None:
    assert faint37.in_band(pencil7.LOW_FROM)
    assert faint37.in_band(pencil6.LOOK_FROM - 1e-9)
    assert not faint37.in_band(pencil6.LOOK_FROM)
    assert not faint37.in_band(pencil7.LOW_FROM - 1e-9)
    with switched_off(faint37):
        assert not faint37.in_band(0.007)
    assert faint37.in_band(0.007)


def test_title_print_under_an_arm_takes_it_out() -> None:
    im = _paper(7, SCALE, _size(SCALE))
    _arm(im, 0.07)
    ink = _window(im)
    assert faint37.window_asked(ink, SCALE, None)
    under = np.zeros(ink.shape, np.uint8)
    c = ink.shape[0] / 2.0
    t = np.radians(50.0)
    u = np.array([np.cos(t), -np.sin(t)]) * 5.0 * SCALE / 2
    cv2.line(
        under,
        tuple(round(v) for v in (c - u[0], c - u[1])),
        tuple(round(v) for v in (c + u[0], c + u[1])),
        1,
        7,
    )
    assert not faint37.window_asked(ink, SCALE, under.astype(bool))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), _strokes, st.sampled_from([6.0, 8.0, 11.8]))
def test_the_floors_first_answer_the_reference(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    im = _paper(seed, scale, _size(scale))
    c = im.shape[0] / 2.0
    for ang, dx, dy, length, dark in strokes:
        t = np.radians(ang)
        u = np.array([np.cos(t), -np.sin(t)]) * length * scale / 2
        p = np.array([c + dx * scale, c + dy * scale])
        _broken(im, tuple(p - u), tuple(p + u), dark, scale)
    ink = _window(im, scale)
    fast = faint37.window_asked(ink, scale, None)
    reference = faint37.window_asked(ink, scale, None, gate=False, floors_first=False)
    assert fast == reference
