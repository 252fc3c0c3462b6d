"""look23 (issue 10, the twenty-third pass): a light stroke that crosses the printed border from
beside the square and goes on inside, in a square the closer look read `empty`, goes to review
(`look23.arm_across`; docs/reading.md, "Twenty-third pass: ... (look23)").

red22 drew light HB pencil marks (0.45 mm, 0.16 of the light, grain 0.4) beside squares the
rules settle `empty` on the dev caches; 17 were read `empty` by the closer look before any rule
was asked. The squares here are red22's own (its logs `red22-direct-*.log`), drawn as it drew
them (`test_red22.draw`), and dev empty squares under a crease, a stain's rim and show-through
where an early draft of the rule fired and the rule as it is must not."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kiosk.reading.look23 as look23
import kiosk.reading.reader as reader_module

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_red22 import draw


def _square(r: Any, image: np.ndarray, k: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Square k's reading and its centre, scale, paper and gain as the reader has them."""
    got: dict[str, Any] = {}
    real_bands = reader_module.side_bands

    def bands(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Any, *a: Any) -> Any:
        got["centres"] = centres.copy()  # edge24's `found` wants every square's (test_edge24)
        got["centre"] = (float(centres[k, 0]), float(centres[k, 1]))
        got["scale"], got["paper"], got["gain"] = float(scales[k]), float(scores.paper[k].max()), scores.gain
        return real_bands(image, centres, scales, scores, *a)

    monkeypatch.setattr(reader_module, "side_bands", bands)
    try:
        got["mark"] = r.read(image).contests[0].marks[k]
    finally:
        monkeypatch.setattr(reader_module, "side_bands", real_bands)
    return got


# red22's look misses that look23 sends to review: (seed, always, sheet, square, attack)
FIXED = [
    (140, ("stain",), 69, 39, "arm-in:hb:below"),  # 251 dpi, a water ring's rim beside
    (140, ("stain",), 207, 4, "dash-border:hb:below"),  # 300 dpi: a short stroke 1.2 mm in, 1.3 mm out
    (140, ("stain",), 204, 4, "cross-below:hb:below"),  # 150 dpi: a cross below, its arms 1 mm in
    (140, ("stain",), 204, 4, "tick-below:hb:below"),  # 150 dpi: its foot 0.24 mm past the inside's edge
    (140, ("stain",), 286, 2, "arm-in:hb:below"),  # 200 dpi
    (105, (), 37, 18, "cross-below:hb:below"),  # 250 dpi, a line of the paper through the square too
]


@pytest.mark.parametrize(("seed", "always", "index", "k", "attack"), FIXED)
def test_a_light_stroke_over_the_border_into_the_square_goes_to_review(
    seed: int, always: tuple[str, ...], index: int, k: int, attack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    r, sheet, image = readkit.field_sheet(seed, index, always)
    assert sheet.truth.squares[k].expected == "empty"
    base = _square(r, image, k, monkeypatch)
    assert base["mark"].mark == "empty"  # unmarked, as red22 found it (settled by a rule)
    img = draw(image, base["centre"], base["scale"], attack, index)
    got = _square(r, img, k, monkeypatch)
    assert (got["mark"].mark, got["mark"].reason) == ("marginal", "marginal_mark")
    foot = look23.found(img, got["centre"], got["scale"], got["paper"], got["gain"])
    assert foot is not None and foot[0] >= look23.ARM_IN_MM and foot[5] < look23.GOES_ON * foot[2]
    monkeypatch.setattr(look23, "ENABLED", False)
    import kiosk.reading.clear56 as clear56  # session 56: the pencil floors clear of print find it too

    monkeypatch.setattr(clear56, "ENABLED", False)
    assert r.read(img).contests[0].marks[k].mark == "empty"  # red22's miss without the rule


# Dev empty squares (140 `stain`) where a draft of look23 fired (a run inside at the inside's
# edge with a margin run beside it): a line of the paper, or too faint for a pencil stroke.
QUIET = [
    # a crease through the square: its piece inside has the crease in the margin as its arm,
    # but the line goes on in the margin beyond the far side (over GOES_ON of its ridge)
    (140, ("stain",), 3, 8, "crease", "goes on"),
    # a stain's soft rim across the square's left part: its ridge 0.048, under FOOT_LEVEL
    (140, ("stain",), 22, 0, "stain", "faint"),
    # the title side's letters beside the border: the margin run's ridge 0.041, no arm
    (140, ("stain",), 14, 2, "show_through", "no arm"),
    # folds through the square: the run inside meets the inside's edge 4.3-4.5 mm apart
    (105, (), 36, 1, "fold", "in and out"),
    (155, ("crease",), 30, 6, "fold", "in and out"),
]


@pytest.mark.parametrize(("seed", "always", "index", "k", "condition", "why"), QUIET)
def test_a_line_of_the_paper_over_the_border_does_not_move(
    seed: int,
    always: tuple[str, ...],
    index: int,
    k: int,
    condition: str,
    why: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r, sheet, image = readkit.field_sheet(seed, index, always)
    assert sheet.truth.squares[k].expected == "empty"
    assert condition in sheet.square_conditions[k]
    got = _square(r, image, k, monkeypatch)
    assert got["mark"].mark == "empty"
    at, s, paper, gain = got["centre"], got["scale"], got["paper"], got["gain"]
    assert look23.found(image, at, s, paper, gain) is None
    feet = look23.feet(image, at, s, paper, gain)
    if why == "no arm":
        assert feet == []
        return
    deep = max(
        feet, key=lambda f: f[0]
    )  # the deepest run at the edge (depth, entry, ridge, gap, arm, beyond)
    assert deep[0] >= look23.ARM_IN_MM and deep[3] <= look23.ARM_GAP_MM
    if why == "in and out":
        assert deep[1] >= look23.ENTRY_APART_MM
        return
    assert deep[1] < look23.ENTRY_APART_MM
    if why == "goes on":
        assert deep[2] >= look23.FOOT_LEVEL and deep[5] >= look23.GOES_ON * deep[2]
    else:
        assert deep[2] < look23.FOOT_LEVEL
