"""broad42 (issue 10, the forty-second pass): broad40's broad light strokes (kiosk/reading/
broad40.py's shape tests) read `marked` only where the sheet round the square is quiet
(kiosk/reading/broad42.py): nothing stray and broad beside the square within QUIET_MM of its
printed border, and what crosses the border ends within REACH_MM of it. ON in the reader;
broad40 alone (no look round the square) stays OFF."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import broad40, broad42, grey48

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_broad40 import _blank_contest, _drawn, _line, _tick, census_mark_read_marked


@pytest.fixture(autouse=True)
def grey48_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """grey48 (the forty-fifth pass: broad40's shape tests at a lighter darkness, settled beside
    settle7) would settle some of these squares with broad42 off: the companions below are the
    reader before broad42."""
    monkeypatch.setattr(grey48, "ENABLED", False)


def test_it_is_on_and_broad40_alone_is_off() -> None:
    assert broad42.ENABLED
    assert not broad40.ENABLED


# census40's squares (seed 198), still `marginal_mark` on 0d03208: a broad light X (felt tip, its
# arms' ends bled past the corners) and a broad light tick whose long arm leaves the square.
SEEN = [(844, 1), (51, 9)]


@pytest.mark.parametrize(("index", "k"), SEEN)
def test_the_census_marks_read_marked(index: int, k: int) -> None:
    census_mark_read_marked(index, k, broad42)


def _read(draw: object, factor: float) -> str:
    reader, image, i, cx, cy, s = _blank_contest()
    return reader.read(_drawn(image, (cx, cy), s, draw, factor)).contests[0].marks[i].mark


def _tick_with(extra: object) -> object:
    def draw(layer: np.ndarray, px: object) -> None:
        _tick(layer, px)
        extra(layer, px)  # type: ignore[operator]

    return draw


def _letter_beside(layer: np.ndarray, px: object) -> None:
    # a grey V (a show-through letter's size and stroke) 1.2 mm right of the printed border
    w = round(1.2 * 200 / 25.4)
    _line(layer, px, (4.2, -2.0), (5.0, 1.5), w)
    _line(layer, px, (5.0, 1.5), (5.8, -2.0), w)


def _arm_runs_on(layer: np.ndarray, px: object) -> None:
    # the tick's long arm continued 4 mm past the square's corner (an arc, a drip, a letter)
    _line(layer, px, (2.3, -2.3), (5.5, -5.5), round(1.2 * 200 / 25.4))


def test_a_broad_light_tick_on_a_quiet_square_reads_marked() -> None:
    for factor in (0.68, 0.7):
        assert _read(_tick, factor) == "marked"
        with switched_off(broad42):
            assert _read(_tick, factor) == "marginal"


@pytest.mark.parametrize(
    "extra", [_letter_beside, _arm_runs_on], ids=["grey-letter-beside", "arm-runs-on-past-the-corner"]
)
def test_the_same_tick_with_the_sheet_round_it_not_quiet_is_not_marked(extra: object) -> None:
    assert _read(_tick_with(extra), 0.68) == "marginal"


def _sheet(scale: float = 8.0) -> tuple[np.ndarray, float, float]:
    """A synthetic patch of sheet round a square: paper 230, the printed border 20, printed
    row lines (0.25 mm, 20) 3.5 mm above and below the border."""
    half = round((TARGET / 2 + 8.0) * scale)
    ys, xs = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    box = np.maximum(np.abs(xs), np.abs(ys))
    img = np.full(box.shape, 230, np.uint8)
    img[(box >= (TARGET / 2 - TARGET_STROKE) * scale) & (box <= TARGET / 2 * scale)] = 20
    for y in (-(TARGET / 2 + 3.5), TARGET / 2 + 3.5):
        c = round(half + y * scale)
        img[c - 1 : c + 1, :] = 20
    return img, float(half), float(half)


def _grey_bar(img: np.ndarray, c: float, a: tuple[float, float], b: tuple[float, float], s: float) -> None:
    cv2.line(
        img,
        (round(c + a[0] * s), round(c + a[1] * s)),
        (round(c + b[0] * s), round(c + b[1] * s)),
        150,
        round(1.2 * s),
    )


def test_context_measures_one_at_a_time() -> None:
    s = 8.0
    img, cx, cy = _sheet(s)
    quiet = broad42.context(img, cx, cy, s)
    assert quiet["stray_mm2"] == 0.0  # the printed row lines are not stray: narrower than WIDE_MM
    assert quiet["reach_mm"] == 0.0
    assert broad42.quiet_round(img, (cx, cy), s)
    beside = img.copy()
    _grey_bar(beside, cx, (4.5, -1.5), (4.5, 1.5), s)  # a grey stroke 1.5 mm right of the border
    c = broad42.context(beside, cx, cy, s)
    assert c["stray_mm2"] > 2.0 and c["reach_mm"] == 0.0
    assert not broad42.quiet_round(beside, (cx, cy), s)
    print_beside = img.copy()
    cv2.putText(
        print_beside, "AB", (round(cx + 4.0 * s), round(cy + 1.0 * s)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 20, 2
    )
    assert broad42.context(print_beside, cx, cy, s)["stray_mm2"] == 0.0  # print is pen-dark: not stray
    over = img.copy()
    _grey_bar(
        over, cx, (1.0, -1.0), (3.0 + broad42.REACH_MM - 1.2, -1.0), s
    )  # over the border (its cap: 0.6 mm)
    assert 1.0 < broad42.context(over, cx, cy, s)["reach_mm"] <= broad42.REACH_MM
    assert broad42.quiet_round(over, (cx, cy), s)
    far = img.copy()
    _grey_bar(far, cx, (1.0, -1.0), (3.0 + broad42.REACH_MM + 0.2, -1.0), s)
    assert broad42.context(far, cx, cy, s)["reach_mm"] > broad42.REACH_MM
    assert not broad42.quiet_round(far, (cx, cy), s)


def test_a_ring_round_the_border_is_joined_too_broadly() -> None:
    # a grey ring's rim (1.2 mm) 5 mm across, its centre 0.5 mm inside the left border: it ends
    # near the border (within REACH_MM) but runs round it, more than one arm's end beyond
    s = 8.0
    img, cx, cy = _sheet(s)
    cv2.circle(img, (round(cx - 2.5 * s), round(cy)), round(2.5 * s), 150, round(1.2 * s))
    c = broad42.context(img, cx, cy, s)
    assert c["reach_mm"] <= broad42.REACH_MM
    assert c["joined_mm2"] > broad42.JOINED_MM2
    assert not broad42.quiet_round(img, (cx, cy), s)


def test_a_rim_that_encloses_paper_in_the_square_is_a_hole() -> None:
    # a grey doughnut inside the square (a small coffee ring's rim, 1.2 mm): paper enclosed
    s = 8.0
    img, cx, cy = _sheet(s)
    cv2.circle(img, (round(cx), round(cy)), round(1.6 * s), 150, round(1.2 * s))
    c = broad42.context(img, cx, cy, s)
    assert c["hole_mm2"] > broad42.HOLE_MM2
    assert (c["reach_mm"], c["stray_mm2"]) == (0.0, 0.0)
    assert not broad42.quiet_round(img, (cx, cy), s)
    x = _sheet(s)[0]  # an X's arms leave every piece of paper open to the square's edge
    _grey_bar(x, cx, (-2.2, -2.2), (2.2, 2.2), s)
    _grey_bar(x, cx, (2.2, -2.2), (-2.2, 2.2), s)
    assert broad42.context(x, cx, cy, s)["hole_mm2"] == 0.0


def test_two_faint_bands_darker_where_they_cross_are_followed_at_half_their_darkness() -> None:
    # each band 0.2 darker than the paper (under broad40's 0.25), 0.36 where they cross in the
    # square; both run 6 mm past the border: at 0.25 nothing crosses the border, at half the
    # crossing's darkness both bands do
    s = 8.0
    img, cx, cy = _sheet(s)
    shade = np.ones(img.shape, np.float32)
    for a, b in (((-9.0, -9.0), (9.0, 9.0)), ((9.0, -9.0), (-9.0, 9.0))):
        band = np.zeros(img.shape, np.uint8)
        _grey_bar(band, cx, a, b, s)  # 150 on 0: the band's pixels
        shade *= np.where(band > 0, 0.8, 1.0).astype(np.float32)
    drawn = np.clip(img.astype(np.float32) * shade, 0, 255).astype(np.uint8)
    c = broad42.context(drawn, cx, cy, s)
    assert c["reach_mm"] <= broad42.REACH_MM < c["faint_reach_mm"]
    assert not broad42.quiet_round(drawn, (cx, cy), s)


@pytest.mark.xfail(
    strict=True,
    reason="the hole test looks for enclosure inside the inside's box only: a doughnut whose "
    "paper reaches that box's edge counts as open (the helper's re-check: 9 of 88 caught rims "
    "shifted 1-2 px read marked again); left for the next pass (docs, forty-second pass)",
)
def test_a_doughnut_off_centre_is_still_a_hole() -> None:
    s = 8.0
    img, cx, cy = _sheet(s)
    cv2.circle(img, (round(cx + 1.0 * s), round(cy)), round(2.0 * s), 150, round(1.2 * s))
    assert not broad42.quiet_round(img, (cx, cy), s)


def test_the_doughnut_off_centre_companion() -> None:
    # the same doughnut centred: its paper enclosed, refused (what the xfail above asks of the
    # shifted one)
    s = 8.0
    img, cx, cy = _sheet(s)
    cv2.circle(img, (round(cx), round(cy)), round(2.0 * s), 150, round(1.2 * s))
    assert broad42.context(img, cx, cy, s)["hole_mm2"] > broad42.HOLE_MM2
    assert not broad42.quiet_round(img, (cx, cy), s)
