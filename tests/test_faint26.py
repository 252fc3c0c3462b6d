"""faint26 (issue 10, the twenty-fifth pass): the faintest light pencil marks the generator
draws on dev, the empty squares on clipped scans that hold as much as the untouched run's
11200/11596/jsdp (a measurement; no rule: tests/test_holdout23.py keeps 11596 a strict xfail),
and edge24's `STREAK_ARMS` for red22's foot-only tick along a faint streak on 105/37/18
(docs/reading.md, "Twenty-fifth pass: the faintest pencil X beside a clear vote ... (faint26)").

11596's light pencil X lies on the generator's brightest scan (gain 1.05, bias 19.55: every
pixel at 224 or lighter clipped white), which left of it only its grain's darkest points (0.071
under the paper, score 0.0003). On dev, the 86 light pencil marks on sheets drawn in pencil are
at least 0.15 dark and none reads `empty` (`faint26-survey.json`): the faintest three are read
here and must stay found. A rule that found 11596 would also send to review empty squares such
as 105/226/2 (a clipped scan, under a faint streak, beside one vote; its stroke-pair measure,
darkest pixel and dark-pixel count all over 11596's): it reads `empty`, its sheet one vote.
"""

from __future__ import annotations

from typing import Any

import pytest
from readkit import field_sheet
from test_look23 import _square
from test_red22 import draw

import kiosk.reading.edge24 as edge24

# (seed, always, sheet, square, darkest pixel under the paper as faint26's survey measured it)
FAINTEST = [
    (130, ("pencil",), 89, 14, 0.151),  # MZ-SMD-02 150 dpi, HB (peak 88): `possible_stain`
    (130, ("pencil",), 58, 4, 0.175),  # AST-LIST 250 dpi, B: `marginal_mark`
    (130, ("pencil",), 139, 3, 0.184),  # AST-SMD-07 300 dpi, show-through: `marginal_mark` in an overvote
]


@pytest.mark.parametrize(("seed", "always", "index", "k", "dark"), FAINTEST)
def test_the_faintest_dev_light_pencil_marks_are_not_empty(
    seed: int, always: tuple[str, ...], index: int, k: int, dark: float
) -> None:
    r, sheet, image = field_sheet(seed, index, always)
    q = sheet.truth.squares[k]
    assert (q.kind, q.expected) == ("light_pencil", "marked")
    assert "pencil_grade" in sheet.truth.effects
    side = r.read(image)
    assert side.contests[0].marks[k].mark != "empty"
    # in review, or the contest's outcome is the truth's (139/3's: an overvote either way)
    assert side.status == "review" or side.contests[0].outcome == sheet.truth.contests[0].outcome


def test_an_empty_square_on_a_clipped_scan_under_a_streak_stays_empty() -> None:
    r, sheet, image = field_sheet(105, 226)
    e = sheet.truth.effects
    assert (255 - float(e["bias"])) / float(e["gain"]) <= 238  # the scan clips the paper white
    assert sheet.truth.squares[2].expected == "empty"
    assert "faint_streak" in sheet.square_conditions[2]
    side = r.read(image)
    assert side.contests[0].marks[2].mark == "empty"
    assert side.contests[0].outcome == "vote"


def _found(image: Any, got: dict[str, Any], k: int) -> tuple[float, ...] | None:
    return edge24.found(image, got["centres"], got["scale"], k, got["paper"], got["gain"])


def test_the_foot_only_tick_along_a_streak_needs_streak_arms(monkeypatch: pytest.MonkeyPatch) -> None:
    """105/37/18 (MZ-SMD-02 250 dpi, a faint streak down the square) with red22's foot-only
    tick drawn below: `marginal_mark` with STREAK_ARMS (tests/test_edge24.py), `empty` without:
    the streak's columns taken out leave 12 of the short arm's pixels, and the arms' ends lie
    1.01 mm apart across the printed rule."""
    r, sheet, image = field_sheet(105, 37)
    assert "faint_streak" in sheet.square_conditions[18]
    base = _square(r, image, 18, monkeypatch)
    img = draw(image, base["centre"], base["scale"], "tick-foot:hb:below", 37)
    got = _square(r, img, 18, monkeypatch)
    assert (got["mark"].mark, got["mark"].reason) == ("marginal", "marginal_mark")
    v = _found(img, got, 18)
    assert v is not None and v[0] >= edge24.ARM_MIN_MM and v[3] <= edge24.VERTEX_MM
    monkeypatch.setattr(edge24, "STREAK_ARMS", False)
    assert _found(img, got, 18) is None
    assert r.read(img).contests[0].marks[18].mark == "empty"


def test_the_streak_alone_is_no_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same square with nothing drawn: the faint streak down it and the printed rule below
    give no V with STREAK_ARMS (the streak's own pixels are its column's median, no excess)."""
    r, sheet, image = field_sheet(105, 37)
    assert sheet.truth.squares[18].expected == "empty"
    got = _square(r, image, 18, monkeypatch)
    assert got["mark"].mark == "empty"
    assert _found(image, got, 18) is None
