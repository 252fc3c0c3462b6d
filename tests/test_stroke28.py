"""stroke28 (issue 10, the twenty-seventh pass): a stroke drawn along a crease or a fold that runs
on beyond the window is not read `empty`.

crease27's attacks (benchmarks/results/pass26/crease27-attack.json) found +-9 and +-13 mm lines,
and lines running 11 mm on at one end, drawn along a crease or fold through an empty square, read
`empty`: lines7.stroke_along, wrong8 and fold24 measure the line's own level 1-6 mm beyond the
window, where the stroke lies too. `stroke28.stroke_on_run` measures the line straight to the
sheet's edge (crease27.follow, never stopped by a gap) and sends the square to review where the
line through the square is darker than the whole line. A line of the paper alone is as dark
through the square as along its length: still `empty`."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_fold24 import S, _square_image
from test_red23 import PROFILES, frame, paper_line, pen

from fieldkit.hook_ab import switched_off
from kiosk.reading import crease27, lines7, stroke28

# crease27's attack grid's two extra profiles (crease27-attack.py.txt)
EXTRA = {
    "crease-faint": (0.08, 0.15, 0.02, 0.01, 1.0),  # the generator's faint end
    "crease-lit": (0.15, 0.25, 0.06, 0.0, 1.0),  # the generator's brightest twin
}


def _square(
    monkeypatch: pytest.MonkeyPatch, index: int = 1
) -> tuple[Any, np.ndarray, tuple[float, float], float]:
    from test_red23 import _square as red23_square

    for name, profile in EXTRA.items():
        monkeypatch.setitem(PROFILES, name, profile)
    monkeypatch.setattr(stroke28, "ENABLED", True)  # on by default since stroke30 (see stroke28.ENABLED)
    # 105/1/0: MZ-SMD-02 300 dpi; 105/3/0: AST-SMD-07 150 dpi; no condition, square 0 empty
    return red23_square(105, index, 0, monkeypatch)


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    said: list[bool] = []
    real = stroke28.stroke_on_run

    def spy(*a: Any) -> bool:
        out = real(*a)
        said.append(out)
        return out

    monkeypatch.setattr(stroke28, "stroke_on_run", spy)
    return said


# (sheet, line, angle, stroke path in the line's frame, pen): read `empty` before stroke28
# (crease27-attack.json, stroke28-attack.json's `off`)
ATTACKS = [
    (1, "crease-dark", 30.0, [(-9.0, 0.0), (9.0, 0.0)], "hb"),  # +-9 mm: 4-5 mm on beyond the window
    (1, "crease-mid", 135.0, [(-2.9, 0.0), (11.0, 0.0)], "hb2"),  # border to border and 11 mm on at one end
    (1, "crease-lit", 100.0, [(-9.0, 0.35), (9.0, 0.35)], "ball"),  # beside the valley, on the twin's side
    (
        1,
        "crease-faint",
        60.0,
        [(-13.0, 0.0), (13.0, 0.0)],
        "hb",
    ),  # +-13 mm on the generator's faintest crease
    (1, "fold-dark", 90.4, [(-13.0, 0.0), (13.0, 0.0)], "ball"),  # ballpoint down a dark fold
    (1, "fold-mid", 0.4, [(-1.9, -1.2), (-1.0, 0.0), (9.0, 0.0)], "hb"),  # a tick whose long arm runs on
    (3, "fold-mid", 0.4, [(-9.0, -0.35), (9.0, -0.35)], "hb2"),  # 150 dpi, beside the valley
    (3, "crease-faint", 60.0, [(-9.0, 0.0), (9.0, 0.0)], "hb"),  # 150 dpi
    # stroke30: the grid's one left `empty` with stroke28 on: its yes, then empty8's settle (the
    # dash lies along the fold, which runs on: "nothing drawn"); a held yes is never settled
    (1, "fold-mid", 0.4, [(-9.0, 0.35), (9.0, 0.35)], "hb"),
]


@pytest.mark.parametrize(("index", "line", "angle", "path", "name"), ATTACKS)
def test_a_stroke_along_a_line_running_on_goes_to_review(
    index: int,
    line: str,
    angle: float,
    path: list[tuple[float, float] | None],
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r, image, c, s = _square(monkeypatch, index)
    img = pen(paper_line(image, c, s, angle, 0.0, line), c, s, frame(angle, path), name, 1)
    said = _spy(monkeypatch)
    got = r.read(img).contests[0].marks[0]
    assert (got.mark, got.reason) == ("marginal", "marginal_mark"), got
    assert any(said)  # (the line crosses the whole sheet: other squares ask too)
    with switched_off(stroke28):
        assert r.read(img).contests[0].marks[0].mark == "empty"


LINES = [
    ("crease-dark", 30.0),
    ("crease-mid", 135.0),
    ("crease-faint", 60.0),
    ("crease-lit", 100.0),
    ("fold-dark", 0.4),
    ("fold-mid", 0.4),
    ("fold-dark", 90.4),
]


@pytest.mark.parametrize("index", [1, 3])
def test_a_line_of_the_paper_alone_stays_empty(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every crease and fold of the attack grid alone through the empty square: `empty` (on
    105/3/0 at 150 dpi a dark fold down the square goes to review before stroke28, by an earlier
    test, and stays there), and wherever stroke28 is asked (every other square of the sheet the
    line crosses too) it answers no: the line is as dark through the square as along its whole
    length."""
    r, image, c, s = _square(monkeypatch, index)
    said = _spy(monkeypatch)
    for line, angle in LINES:
        got = r.read(paper_line(image, c, s, angle, 0.0, line)).contests[0].marks[0]
        if (index, line, angle) == (3, "fold-dark", 90.4):
            assert (got.mark, got.reason) == ("marginal", "marginal_mark"), got
        else:
            assert got.mark == "empty", (line, angle, got)
    assert said and not any(said)


def _judge(img: np.ndarray, c: tuple[float, float], angle_deg: float) -> stroke28.Judged:
    theta = math.radians(angle_deg + 90.0)
    page = lines7.Page(complex(S, 0.0), 0j, img.shape[1] / S, img.shape[0] / S, img.shape[1] / S / 2)
    return stroke28.judge(stroke28.whole_run(img, c, theta, 0.0, round(4.2 * S), S, page))


def test_the_whole_line_against_the_square_on_a_drawn_sheet() -> None:
    """test_fold24's drawn square (203 dpi, 50 mm of paper): red23's darkest crease alone is a
    line of the paper, no darker through the square; with a light HB line +-9 mm along it, darker
    (its level along the whole line is the crease's); the same HB line with no crease is no line
    of the paper (gone beyond its ends: the "it ends" tests' case, not this rule's)."""
    img, c = _square_image()
    crease = paper_line(img, c, S, 30.0, 0.0, "crease-dark")
    j = _judge(crease, c, 30.0)
    assert j.line and not j.darker, j
    j = _judge(pen(crease, c, S, frame(30.0, [(-9.0, 0.0), (9.0, 0.0)]), "hb", 0), c, 30.0)
    assert j.line and j.darker, j
    j = _judge(pen(img, c, S, frame(30.0, [(-9.0, 0.0), (9.0, 0.0)]), "hb2", 0), c, 30.0)
    assert not j.line, j


def _big_sheet(size_mm: float = 120.0) -> tuple[np.ndarray, tuple[float, float]]:
    """test_fold24's drawn square on a larger sheet (the whole line: 6 blocks beyond at least)."""
    small, _c = _square_image()
    n = int(size_mm * S)
    rng = np.random.default_rng(1)
    img = np.clip(225 + rng.normal(0, 2, (n, n)), 0, 255).astype(np.uint8)
    h = small.shape[0]
    y0 = x0 = (n - h) // 2
    img[y0 : y0 + h, x0 : x0 + h] = small
    return img, (x0 + h / 2, y0 + h / 2)


def test_a_ballpoint_stroke_on_a_dark_fold_is_judged() -> None:
    """A ballpoint line +-9 mm along a dark fold: print-dark to crease27's blocks (not judged 1-9
    mm beyond the window, where crease27's first fit looks), fitted from further out
    (stroke28.FIT_MM) and judged through the square's inside (stroke28.INSIDE_DARK): darker."""
    img, c = _big_sheet()
    fold = paper_line(img, c, S, 0.4, 0.0, "fold-dark")
    j = _judge(pen(fold, c, S, frame(0.4, [(-9.0, 0.0), (9.0, 0.0)]), "ball", 0), c, 0.4)
    assert j.line and j.darker, j
    theta = math.radians(90.4)
    run = crease27.follow(fold, c, theta, 0.0, round(4.2 * S), S, None)
    assert crease27.proven(run)  # crease27's defaults are its own: the fold alone proven


# stroke31: the one side usable through the inside; its ink alone is no yes (ONE_SIDE_INK)


def _run(inside_sides: tuple[float, float], inside_inks: tuple[float, float]) -> crease27.Run:
    """A whole line at contrast 0.05 on 12 blocks beyond (ink 0.02 mm each side), its inside block given."""
    beyond: list[crease27.Block | None] = [
        crease27.Block(float(t), 0.0, 0.05, (0.05, 0.05), (0.02, 0.02), 0.0) for t in range(12)
    ]
    inside = crease27.Block(
        0.0, 0.0, max(x for x in inside_sides if math.isfinite(x)), inside_sides, inside_inks, 0.0
    )
    return crease27.Run(inside, beyond[:6], beyond[6:], 0.05, (0.05, 0.05), (0.02, 0.02), True, True)


def test_ink_alone_on_the_one_side_usable_inside_is_no_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the inside at the line's contrast (0.05: under 0.05 * 1.2 + 0.02) with 0.04 mm more
    ink than beyond (over INK_MORE_MM 0.03): both sides usable, darker; one side usable (the other
    print within PAPER_MM, its blur in the valley's ink window), not; with ONE_SIDE_INK, darker
    (stroke30's judge); a one-sided inside darker in contrast (0.09) is darker either way."""
    assert not stroke28.ONE_SIDE_INK
    nan = math.nan
    assert stroke28.judge(_run((0.05, 0.05), (0.06, 0.06))).darker
    j = stroke28.judge(_run((0.05, nan), (0.06, nan)))
    assert j.line and not j.darker, j
    assert not stroke28.judge(_run((nan, 0.05), (nan, 0.06))).darker
    assert stroke28.judge(_run((nan, 0.09), (nan, 0.02))).darker
    assert not stroke28.judge(_run((0.05, nan), (0.04, nan))).darker  # no more ink either
    monkeypatch.setattr(stroke28, "ONE_SIDE_INK", True)
    assert stroke28.judge(_run((0.05, nan), (0.06, nan))).darker


def test_show_through_beside_the_border_is_asked_and_judged_no(monkeypatch: pytest.MonkeyPatch) -> None:
    """test_look23's 140/14/2 (250 dpi, `show_through`: the back's name row across the square, 1.5
    mm from its centre, parallel to a side): stroke28 is asked and says no, the square `empty`; its
    one side usable inside carried 0.052 mm of ink against 0.017 + 0.03 at no more contrast (0.049
    against 0.034 * 1.2 + 0.02), so stroke30's judge (ONE_SIDE_INK) said yes: `marginal_mark`."""
    import readkit

    monkeypatch.setattr(stroke28, "ENABLED", True)
    r, sheet, image = readkit.field_sheet(140, 14, ("stain",))
    assert sheet.truth.squares[2].expected == "empty"
    said = _spy(monkeypatch)
    assert r.read(image).contests[0].marks[2].mark == "empty"
    assert said and not any(said)
    monkeypatch.setattr(stroke28, "ONE_SIDE_INK", True)
    said.clear()
    got = r.read(image).contests[0].marks[2]
    assert (got.mark, got.reason) == ("marginal", "marginal_mark") and any(said)
