"""rim46 (issue 10, the forty-third pass, session 46; OFF): a line that bends on beyond the
window is not a line that stops short.

`inspect.line_stops_short` follows a line taken out of the window straight on (turned up to 6
degrees) 4-10 mm beyond it; a stain's rim or a bending crease curves away from any straight
path there, and the empty square went to the commission. `rim46.bends_on` follows arcs of 6-22
mm radius either way from where the line leaves the window; a tick's arm that ends 1-4 mm past
the window has nothing there on any of them (benchmarks/results/pass46/rim46-ab-*.json: 54
empty squares decided on the dev caches, none wrong). OFF: an outside attack
(pass46/rim46-helper-attack.txt) drew light pencil hooks, rounded ticks and ticks beside a rim
or a crease, and rim46 followed 377 of them on to read a real mark `empty`: a hand's curved
stroke and a rim look alike to this measure (its LOSS lines hold each case's parameters; the
clean hooks drawn here are not followed: the losses need the ballot's print, JPEG and a sheet's
noise). The tests switch it on to pin what it does."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_fold24 import S, _square_image

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET
from kiosk.reading import inspect, rim46

HALF = round(4.2 * S)


@pytest.fixture(autouse=True)
def _rim46_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        rim46, "ENABLED", True
    )  # the reader's window half-width at this scale, as test_fold24 has it


# (seed, always, sheet, square): truth empty, a stain's rim or a crease through the square;
# sent to review by line_stops_short before rim46, `empty` with it (rim46-ab-*.json)
FREED = [
    (198, (), 164, 6),  # 150 dpi, a tea rim across the window
    (199, (), 1297, 22),  # 300 dpi, a stain alone
    (200, ("stain",), 153, 26),  # 150 dpi, a stain alone
    (202, ("fold", "crease"), 545, 21),  # 300 dpi, a fold and a crease
]


@pytest.mark.parametrize(("seed", "always", "index", "k"), FREED)
def test_an_empty_square_a_rim_crosses_is_read_empty(
    seed: int, always: tuple[str, ...], index: int, k: int
) -> None:
    readkit.assert_freed(rim46, seed, always, index, k)


def _darken(img: np.ndarray, mask: np.ndarray, contrast: float) -> np.ndarray:
    out = img.astype(np.float64) * (1.0 - contrast * mask)
    return np.clip(out, 0, 255).astype(np.uint8)


def _rim(img: np.ndarray, centre: tuple[float, float], radius_mm: float, contrast: float) -> np.ndarray:
    """A stain's rim: a 0.6 mm ring of `contrast` darker paper."""
    mask = np.zeros(img.shape, np.float32)
    cv2.circle(
        mask,
        (round(centre[0] * 16), round(centre[1] * 16)),
        round(radius_mm * S * 16),
        1.0,
        max(1, round(0.6 * S)),
        cv2.LINE_AA,
        4,
    )
    return _darken(img, mask, contrast)


def _stroke(img: np.ndarray, points: list[tuple[float, float]], contrast: float) -> np.ndarray:
    """A light pencil stroke 0.5 mm wide through `points` (px)."""
    mask = np.zeros(img.shape, np.float32)
    pts = np.array([[round(x * 16), round(y * 16)] for x, y in points], np.int32).reshape(-1, 1, 2)
    cv2.polylines(mask, [pts], False, 1.0, max(1, round(0.5 * S)), cv2.LINE_AA, 4)
    return _darken(img, mask, contrast)


def _tangent_line(c: tuple[float, float], at: tuple[float, float], along_deg: float) -> inspect.Line:
    """The Line (normal angle, offset from the window's centre) through `at` along `along_deg`."""
    theta = math.radians(along_deg + 90.0)
    rho = (at[0] - c[0]) * math.cos(theta) + (at[1] - c[1]) * math.sin(theta)
    return inspect.Line(theta, rho, 1.0, 0.1)


@pytest.mark.parametrize("radius_mm", [7.0, 10.0, 16.0])
def test_a_rim_through_the_window_bends_on_and_a_straight_look_loses_it(radius_mm: float) -> None:
    """A rim (0.6 mm, 12 % darker) whose arc crosses the window 1 mm above its middle, running
    left to right there: the straight look (rim46 off) says it stops short, rim46 follows it."""
    img, c = _square_image()
    at = (c[0], c[1] - 1.0 * S)
    img = _rim(img, (at[0], at[1] + radius_mm * S), radius_mm, 0.12)
    line = _tangent_line(c, at, 0.0)
    with switched_off(rim46):
        assert inspect.line_stops_short(img, c, line, HALF, S)
    assert not inspect.line_stops_short(img, c, line, HALF, S)


@pytest.mark.parametrize("turn_deg", [100.0, 120.0, 140.0])
@pytest.mark.parametrize("past_mm", [1.5, 3.0])
def test_a_ticks_arm_that_ends_past_the_window_still_stops_short(turn_deg: float, past_mm: float) -> None:
    """A light pencil tick (15 % darker) whose long arm crosses the window 1 mm above its middle
    and ends `past_mm` beyond the printed border, its short arm turning back from there: no arc
    finds the arm 4-10 mm on, with rim46 or without."""
    img, c = _square_image()
    y = c[1] - 1.0 * S
    start = (c[0] - 7.0 * S, y)
    vertex = (c[0] + (TARGET / 2 + past_mm) * S, y)
    a = math.radians(180.0 - turn_deg)
    tip = (vertex[0] - 3.0 * S * math.cos(a), vertex[1] - 3.0 * S * math.sin(a))
    img = _stroke(img, [start, vertex, tip], 0.15)
    line = _tangent_line(c, (c[0], y), 0.0)
    with switched_off(rim46):
        assert inspect.line_stops_short(img, c, line, HALF, S)
    assert inspect.line_stops_short(img, c, line, HALF, S)


def test_a_circle_round_the_square_is_never_followed() -> None:
    """A voter's circle round the square (radius 4.5 mm, under MIN_RADIUS_MM), its arc through
    the window's top: rim46's arcs do not take it for a rim."""
    img, c = _square_image()
    r = 4.5
    assert r < rim46.MIN_RADIUS_MM
    img = _rim(img, (c[0], c[1] + (r - 2.0) * S), r, 0.15)
    line = _tangent_line(c, (c[0], c[1] - 2.0 * S), 0.0)
    with switched_off(rim46):
        before = inspect.line_stops_short(img, c, line, HALF, S)
    assert inspect.line_stops_short(img, c, line, HALF, S) == before
