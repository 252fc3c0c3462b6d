"""edge24 (issue 10, the twenty-fourth pass): a light tick drawn beside the square whose foot
ends on the printed border, in a square every look read `empty`, goes to review
(`edge24.tick_on_border`; docs/reading.md, "Twenty-fourth pass: the generator's edge tick, its
foot on the border (edge24)").

The generator offsets 5 % of its ticks to catch only a corner of the square (an "edge tick",
`fieldkit.deck._draw_mark`); the twenty-third pass's untouched run read one `empty`
(11200/21341/c39, tests/test_holdout23.py): its vertex on the printed rule above the square,
its short arm's foot on the top border, its long arm passing outside the top left corner.
red22's foot-only tick is the same shape (look23 had decided to leave it `empty`; the
generator's truth counts it, so it goes to review now: tests/test_red22.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kiosk.reading.edge24 as edge24

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_look23 import _square
from test_red22 import draw


def _found(image: np.ndarray, got: dict[str, Any], k: int) -> tuple[float, ...] | None:
    return edge24.found(image, got["centres"], got["scale"], k, got["paper"], got["gain"])


def test_the_untouched_runs_edge_tick_goes_to_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """11200/21341/c39 (MZ-SMD-02, 150 dpi; stain, crease, pencil, corner out; the one recorded
    holdout case re-read): the V's two arms between the printed rule and the top border's zone,
    1.3 and 1.0 mm, meet at 86 degrees 0.57 mm apart under the rule; both end on the border."""
    r, sheet, image = readkit.field_sheet(11200, 21341)
    k = 38
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("tick", "marked")
    got = _square(r, image, k, monkeypatch)
    assert got["mark"].option == "c39"
    assert (got["mark"].mark, got["mark"].reason) == ("marginal", "marginal_mark")
    v = _found(image, got, k)
    assert v is not None
    assert v[0] >= edge24.ARM_MIN_MM and v[1] >= edge24.ARM_MIN_MM
    assert edge24.V_DEG <= v[2] <= 180 - edge24.V_DEG and v[3] <= edge24.VERTEX_MM
    monkeypatch.setattr(edge24, "ENABLED", False)
    assert r.read(image).contests[0].marks[k].mark == "empty"  # the run's miss without the rule


# red22's foot-only ticks (a light HB tick below the square, its short arm's foot 0.3 mm over the
# printed border's outer edge, nothing inside), read `empty` by every look: (seed, always, sheet,
# square)
FOOT_ONLY = [
    (140, ("stain",), 204, 4),  # 150 dpi: the V in one run, arms 2.4 and 4.1 mm at 86 degrees
    # 250 dpi, the square under a faint streak: the lines test takes out the rule's rows and the
    # streak's columns (-0.46 to 0.15 mm), along which the short arm runs from its foot. Found
    # since faint26 (`STREAK_ARMS`: the arm's pixels over the streak's own contrast kept, 1.2 mm,
    # and the vertex where the arms' lines cross on the rule, 0.74 mm from both arms' ends;
    # tests/test_faint26.py reads it with STREAK_ARMS off)
    (105, (), 37, 18),
]


@pytest.mark.parametrize(("seed", "always", "index", "k"), FOOT_ONLY)
def test_reds22_foot_only_tick_goes_to_review(
    seed: int, always: tuple[str, ...], index: int, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    r, sheet, image = readkit.field_sheet(seed, index, always)
    assert sheet.truth.squares[k].expected == "empty"
    base = _square(r, image, k, monkeypatch)
    assert base["mark"].mark == "empty"
    img = draw(image, base["centre"], base["scale"], "tick-foot:hb:below", index)
    got = _square(r, img, k, monkeypatch)
    assert (got["mark"].mark, got["mark"].reason) == ("marginal", "marginal_mark")
    assert _found(img, got, k) is not None
    monkeypatch.setattr(edge24, "ENABLED", False)
    assert r.read(img).contests[0].marks[k].mark == "empty"


# The generator's edge ticks on the dev caches (edge24-census.json: 7 in 1,200 sheets, none read
# `empty`): the two on 130 `pencil`, light pencil at 200 dpi, one read `marginal` by its score
# (0.018), one `marked`. The rule is not asked there (no look read them `empty`); its finder
# sees each one's V: a foot arm 2.8-4.2 mm long on the border, the other arm meeting it at
# 68-80 degrees.
DEV_EDGE_TICKS = [(130, ("pencil",), 203, 5), (130, ("pencil",), 290, 2)]


@pytest.mark.parametrize(("seed", "always", "index", "k"), DEV_EDGE_TICKS)
def test_the_generators_edge_ticks_on_dev_sheets_are_seen(
    seed: int, always: tuple[str, ...], index: int, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    r, sheet, image = readkit.field_sheet(seed, index, always)
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("tick", "marked")
    got = _square(r, image, k, monkeypatch)
    assert got["mark"].mark != "empty"
    v = _found(image, got, k)
    assert v is not None and v[0] >= edge24.ARM_MIN_MM and edge24.V_DEG <= v[2] <= 180 - edge24.V_DEG


# What the rule must not take for a tick beside the square (look23's reasons for its decision).


def _beside(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, np.ndarray, dict[str, Any], int, np.ndarray]:
    """105/0 (MZ-LIST 200 dpi, no condition): the reader, the image, square 0's figures, its
    nearest neighbour j and the unit vector from 0 to j (mm)."""
    r, sheet, image = readkit.field_sheet(105, 0)
    assert sheet.truth.squares[0].expected == "empty"
    got = _square(r, image, 0, monkeypatch)
    centres = got["centres"]
    j = min(range(1, len(centres)), key=lambda j: float(np.hypot(*(centres[j] - centres[0]))))
    v = (centres[j] - centres[0]) / got["scale"]
    return r, image, got, j, v


@pytest.mark.parametrize("pen_name", ["hb", "felt"])
def test_a_neighbours_tick_overshooting_onto_the_border_is_no_tick_here(
    pen_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tick in the neighbour square whose long arm overshoots across the gap and ends on
    square 0's printed border (a stroke from the square beside): one straight arm from the
    neighbour's zone, no V in square 0's margin (its vertex is in the neighbour's square, left
    out): not found, square 0 not read `marked`."""
    from test_red23 import pen

    r, image, got, _j, v = _beside(monkeypatch)
    u = v / float(np.hypot(*v))
    n = np.array([-u[1], u[0]])
    # the neighbour's tick: short arm, vertex below its middle, long arm towards square 0 and on
    # past the neighbour's border to 3.1 mm from square 0's middle, 1.5 mm off its axis
    vertex = v - u * 1.5 + n * 0.5
    path: list[tuple[float, float] | None] = [tuple(v + n * 2.0), tuple(vertex), tuple(u * 3.1 + n * 1.5)]
    img = pen(image, got["centre"], got["scale"], path, pen_name, 0)
    after = _square(r, img, 0, monkeypatch)
    assert _found(img, after, 0) is None
    assert after["mark"].mark != "marked"


@pytest.mark.parametrize("sigma_mm", [0.15, 0.3])
def test_a_blurred_printed_border_is_no_tick(sigma_mm: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Square 0's window blurred (the border's print spread 0.15-0.3 mm, edge22's blur): the
    blur lies along the sides, no slanted arm: not found, and the square still `empty`."""
    import cv2

    r, image, got, _j, _v = _beside(monkeypatch)
    s = got["scale"]
    x, y = (round(q) for q in got["centre"])
    h = int(6 * s)
    img = image.copy()
    win = img[y - h : y + h, x - h : x + h]
    win[:] = cv2.GaussianBlur(win, (0, 0), sigma_mm * s)
    after = _square(r, img, 0, monkeypatch)
    assert _found(img, after, 0) is None
    assert after["mark"].mark == "empty"
