"""crease27 (issue 10, the twenty-sixth pass): an empty square a crease crosses from edge to
edge is not sent to review because a test lost the crease beyond the window.

census26's family 2: the closer look's "it ends" tests (`inspect.stroke_taken_for_line`,
`inspect.line_stops_short`, `lines7.ends_on_sheet` in `lines7.hand_on_lines`) said a crease
through an empty square ended, where lines7's follower was led off it by a crossing scanner
streak, or the short tests' paths missed a 0.1-0.4 mm crease a degree off its fitted angle.
`crease27.runs_on` measures the line straight along its whole length, and takes their yes back
only where the line runs to the sheet's edge at both ends at its own level, no darker nor wider
through the square than beyond. The other stroke tests (a stroke ON the line: lines7's
stroke_along, wrong8, fold24) are asked as before."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_fold24 import S, _square_image
from test_red23 import ALONG, frame, paper_line, pen

from kiosk.reading import crease27

# (seed, always, sheet, square, the test that said "it ends"): truth empty, a crease (or a fold
# and a streak) through the square; sent to review by that test before crease27, `empty` with it
# (benchmarks/results/pass26/crease27-trace.log, crease27-ab-*.json)
FREED = [
    (155, ("crease",), 65, 22, "lines7.ends_on_sheet"),  # 300 dpi, lines7's follower led off by a streak
    (155, ("crease",), 227, 0, "lines7.ends_on_sheet"),  # 200 dpi, the same
    (155, ("crease",), 49, 35, "stroke_taken_for_line"),  # 300 dpi, a diagonal crease
    (155, ("crease",), 123, 3, "stroke_taken_for_line"),  # 250 dpi
    (140, ("stain",), 157, 25, "lines7.ends_on_sheet"),  # 200 dpi, a crease on a stained sheet
]


@pytest.mark.parametrize(("seed", "always", "index", "k", "test"), FREED)
def test_an_empty_square_a_crease_crosses_edge_to_edge_is_read_empty(
    seed: int, always: tuple[str, ...], index: int, k: int, test: str
) -> None:
    readkit.assert_freed(crease27, seed, always, index, k, "marginal_mark")


def _follow(img: np.ndarray, c: tuple[float, float], angle_deg: float) -> Any:
    theta = math.radians(angle_deg + 90.0)
    return crease27.follow(img, c, theta, 0.0, round(4.2 * S), S, None)


def test_a_crease_alone_is_proven_and_a_stroke_along_it_is_not() -> None:
    """A drawn square (test_fold24's, 203 dpi) with red23's darkest crease through it at 30
    degrees, to the image's edges: proven (its level inside the square as beyond it). The same
    with a light HB dash along it border to border (red23's `dash-full`), a tick whose long arm
    lies on it, or an HB line along it running 5 mm beyond the window: not proven (darker
    through the square than the crease's own level along the whole line)."""
    img, c = _square_image()
    img = paper_line(img, c, S, 30.0, 0.0, "crease-dark")
    assert crease27.proven(_follow(img, c, 30.0))
    for shape in ("dash-full", "tick-along"):
        drawn = pen(img, c, S, frame(30.0, ALONG[shape]), "hb", 0)
        assert not crease27.proven(_follow(drawn, c, 30.0)), shape
    drawn = pen(img, c, S, frame(30.0, [(-9.0, 0.0), (9.0, 0.0)]), "hb", 0)
    assert not crease27.proven(_follow(drawn, c, 30.0))


def test_a_ruled_pencil_line_that_ends_is_not_proven() -> None:
    """A light HB line ruled through the drawn square, 9 or 13 mm each side of its middle, no line
    of the paper: it ends on the sheet (gone for 4 mm on end), not proven."""
    img, c = _square_image()
    for half_mm in (9.0, 13.0):
        drawn = pen(img, c, S, frame(30.0, [(-half_mm, 0.0), (half_mm, 0.0)]), "hb2", 0)
        assert not crease27.proven(_follow(drawn, c, 30.0)), half_mm


def _square(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, np.ndarray, tuple[float, float], float]:
    from test_red23 import _square as red23_square

    return red23_square(105, 1, 0, monkeypatch)  # MZ-SMD-02 300 dpi, no condition, square 0 empty


# (line, angle, stroke path in the line's frame, pen): strokes along a crease where an "it ends"
# test said yes, crease27 asked and answering no (crease27-attack-*.json): they stay in review
ATTACKS = [
    # a tick, its long arm on the crease and on beyond the window
    ("crease-mid", 135.0, [(-1.9, -1.2), (-1.0, 0.0), (9.0, 0.0)], "hb"),
    ("crease-mid", 135.0, ALONG["tick-along"], "hb2"),
    # an HB line along a faint crease, on 4-5 mm beyond the window
    ("crease-faint", 60.0, [(-9.0, 0.0), (9.0, 0.0)], "hb2"),
]


@pytest.mark.parametrize(("line", "angle", "path", "name"), ATTACKS)
def test_strokes_along_a_crease_stay_out_of_empty(
    line: str,
    angle: float,
    path: list[tuple[float, float] | None],
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_red23 import PROFILES

    monkeypatch.setitem(PROFILES, "crease-faint", (0.08, 0.15, 0.02, 0.01, 1.0))
    r, image, c, s = _square(monkeypatch)
    asked: list[bool] = []
    real = crease27.runs_on

    def spy(*a: Any) -> bool:
        out = real(*a)
        asked.append(out)
        return out

    monkeypatch.setattr(crease27, "runs_on", spy)
    img = pen(paper_line(image, c, s, angle, 0.0, line), c, s, frame(angle, path), name, 1)
    assert r.read(img).contests[0].marks[0].mark != "empty"
    assert asked and not any(asked)


def test_a_ruled_pencil_line_through_a_clean_square_stays_in_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """lines7's own case (tests/test_redteam6.py's kind): a light HB line ruled through the
    square and on 4-9 mm beyond the window at both ends, no line of the paper: review, crease27
    asked (the line ends) and answering no."""
    r, image, c, s = _square(monkeypatch)
    asked: list[bool] = []
    real = crease27.runs_on

    def spy(*a: Any) -> bool:
        out = real(*a)
        asked.append(out)
        return out

    monkeypatch.setattr(crease27, "runs_on", spy)
    for half_mm in (9.0, 13.0):
        img = pen(image, c, s, frame(30.0, [(-half_mm, 0.0), (half_mm, 0.0)]), "hb", 1)
        assert r.read(img).contests[0].marks[0].mark == "marginal", half_mm
    assert asked and not any(asked)


# --- found here, fixed by stroke28: a stroke along a line of the paper that runs on beyond the window ---

# (line, angle, stroke path in the line's frame, pen) on 105/1/0 (MZ-SMD-02 300 dpi, clean): read
# `empty` with crease27 on and off (benchmarks/results/pass26/crease27-attack.json: 64 of 246
# attacks on this square, 49 of 246 on 105/3/0 at 150 dpi; the same strokes without the line go to
# review). The stroke runs on beyond the window along the line, so the line's own level, measured
# 1-6 mm beyond the window by lines7.stroke_along, wrong8 and fold24, is the stroke's too. The
# twenty-seventh pass's stroke28 judges it against the line's level along its whole length:
# review (tests/test_stroke28.py).
RUNS_ON = [
    ("crease-dark", 30.0, [(-9.0, 0.0), (9.0, 0.0)], "hb2"),  # a light HB line on 4-5 mm beyond the window
    ("fold-dark", 0.4, [(-13.0, 0.0), (13.0, 0.0)], "ball"),  # a ballpoint line on 8-9 mm beyond it
]


@pytest.mark.parametrize(("line", "angle", "path", "name"), RUNS_ON)
def test_a_stroke_along_a_line_running_on_beyond_the_window_is_not_read_empty(
    line: str,
    angle: float,
    path: list[tuple[float, float] | None],
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kiosk.reading import stroke28

    monkeypatch.setattr(stroke28, "ENABLED", True)  # on by default since stroke30 (see stroke28.ENABLED)
    r, image, c, s = _square(monkeypatch)
    img = pen(paper_line(image, c, s, angle, 0.0, line), c, s, frame(angle, path), name, 1)
    assert r.read(img).contests[0].marks[0].mark != "empty"
