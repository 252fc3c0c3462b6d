"""beside35 (issue 10, the thirty-fourth pass): a tick drawn beside the square, read `empty` with
no look, goes to review: one quadrant of the window's frame QUAD_MIN mm2 over the median
quadrant, then the closer look given the score against the side's emptiest window.
docs/reading.md, "Thirty-fourth pass: a tick drawn beside the square (beside35)"."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from fieldkit.beside import STYLE, BesideSheet, beside_sheet
from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import beside35, edge16, faint37, rebase14
from kiosk.reading import reader as reader_module
from kiosk.reading.reader import BallotReader

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def _read_with_scores(
    reader: Any, image: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, dict[str, Any]]:
    """The reading and, as the reader had them, each square's centre, scale and Scores."""
    got: dict[str, Any] = {}
    real = reader_module.side_bands

    def bands(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Any, *a: Any) -> Any:
        got.update(centres=centres.copy(), scales=scales.copy(), scores=scores)
        return real(image, centres, scales, scores, *a)

    monkeypatch.setattr(reader_module, "side_bands", bands)
    try:
        reading = reader.read(image)
    finally:
        monkeypatch.setattr(reader_module, "side_bands", real)
    return reading, got


def _quadrants(image: np.ndarray, got: dict[str, Any], k: int) -> np.ndarray:
    sc = got["scores"]
    return edge16.quadrants(
        image, got["centres"][k], float(got["scales"][k]), sc.half, sc.ring, sc.paper[k], sc.gain
    )


def test_the_untouched_runs_tick_beside_c02_goes_to_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """12200/23039/c02 (AST-SMD-07, 300 dpi): scores -0.00001 on a side whose lowest window
    scores -0.033; rebase14 gates it and its pencil tests say no; the frame's lower right
    quadrant holds 0.97 mm2 over the median; the closer look given 0.033 reads `marginal`."""
    reader, sheet, image = field_sheet(12200, 23039)
    reading, got = _read_with_scores(reader, image, monkeypatch)
    marks = reading.contests[0].marks
    k = [m.option for m in marks].index("c02")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("tick", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    scores = got["scores"].scores
    assert abs(float(scores[k])) < 0.003 and float(scores[k] - scores.min()) > 0.03
    assert rebase14.band(scores)[k]
    q = _quadrants(image, got, k)
    assert int(np.argmax(q)) == 3  # (x, y) = (+, +): lower right
    assert 0.9 < float(q.max() - np.median(q)) < 1.05
    assert beside35.stands_out(q)
    with switched_off(beside35):
        old = reader.read(image).contests[0].marks
    assert old[k].mark == "empty"  # the run's miss
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]


# The truth-empty squares of rebase14's band that its closer look (CLOSER_LOOK, off) sends to
# review on the dev sheets (docs/reading.md, "Fourteenth pass" and "Thirty-fourth pass"):
# 43-square sides shaded across the page, a window lighter than print. Their frames' fullest
# quadrant stands 0.03-0.32 mm2 over the median: under QUAD_MIN, so beside35 never asks.
# (seed, always, sheet, square, whether rebase14's closer look in the reader sends it: the study
# asked the closer look without the reader's page, which 130/253/19 needs to read `empty`)
PRICE = [
    (105, (), 21, 2, True),
    (105, (), 29, 9, True),
    (130, ("pencil",), 91, 5, True),
    (130, ("pencil",), 253, 19, False),
    (140, ("stain",), 178, 0, True),
    (140, ("stain",), 253, 38, True),
]


@pytest.mark.parametrize(("seed", "always", "index", "k", "sent"), PRICE)
def test_rebase14s_closer_look_price_is_not_paid(
    seed: int, always: tuple[str, ...], index: int, k: int, sent: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, sheet, image = field_sheet(seed, index, always)
    assert sheet.truth.squares[k].expected == "empty"
    reading, got = _read_with_scores(reader, image, monkeypatch)
    marks = [m for c in reading.contests for m in c.marks]
    assert rebase14.band(got["scores"].scores)[k]
    q = _quadrants(image, got, k)
    assert not beside35.stands_out(q)
    assert marks[k].mark == "empty"
    monkeypatch.setattr(rebase14, "CLOSER_LOOK", True)  # what the quadrant gate keeps out
    looked = [m for c in reader.read(image).contests for m in c.marks]
    assert (looked[k].mark == "marginal") == sent


def test_stands_out_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    base = np.array([2.0, 2.0, 2.0, 2.0])
    assert not beside35.stands_out(base)
    assert beside35.stands_out(np.array([2.0, 2.0, 2.0, 2.0 + beside35.QUAD_MIN]))
    assert not beside35.stands_out(np.array([2.0, 2.0, 2.0, 2.0 + beside35.QUAD_MIN - 1e-9]))
    # the median of four is the mean of the middle two: a second full quadrant lifts it
    assert not beside35.stands_out(np.array([2.0, 2.0, 2.0 + beside35.QUAD_MIN, 2.0 + beside35.QUAD_MIN]))
    monkeypatch.setattr(beside35, "ENABLED", False)
    assert not beside35.asked(*([None] * 12))  # type: ignore[arg-type]


@lru_cache(maxsize=8)
def _beside(index: int) -> tuple[Any, BesideSheet]:
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, STYLE)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    return reader, beside_sheet(pkg.election, pkg.election_hash, layout, 182, index)


def _image(b: BesideSheet) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(b.sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


# The drawn family's ticks (fieldkit.beside, dev seed 182) read `empty` without beside35 and in
# review with it: (sheet, class, light pencil, dpi)
DRAWN = [
    (398, "inside", True, 150),  # a light tick whose long arm crosses the lower left corner
    (21, "border", False, 250),  # a pen tick beside, scoring -0.045 on a side 0.053 sunk
    (265, "border", True, 300),
]


@pytest.mark.parametrize(("index", "cls", "light", "dpi"), DRAWN)
def test_drawn_ticks_beside_go_to_review(index: int, cls: str, light: bool, dpi: int) -> None:
    reader, b = _beside(index)
    assert (b.cls, b.light, b.sheet.truth.dpi) == (cls, light, dpi)
    assert b.sheet.truth.squares[b.square].expected == "marked"
    image = _image(b)
    marks = reader.read(image).contests[0].marks
    assert (marks[b.square].mark, marks[b.square].reason) == ("marginal", "marginal_mark")
    with switched_off(beside35), switched_off(faint37):  # faint37: a second net for 398's light tick
        old = reader.read(image).contests[0].marks
    assert old[b.square].mark == "empty"
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != b.square] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != b.square
    ]


def test_a_drawn_tick_whose_frame_does_not_stand_out_is_found_by_faint37_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where beside35 stops: drawn 154 (a light tick, 150 dpi, its drawn stroke reaching 1.2 mm
    from the square's centre, faint there): its frame's fullest quadrant stands 0.18 mm2 over the
    median, under QUAD_MIN (the closer look given its rebased score, 0.037, would send it).
    faint37 (its lone arm in the low band) sends it to review; without faint37 it reads `empty`."""
    assert faint37.ENABLED
    reader, b = _beside(154)
    image = _image(b)
    assert reader.read(image.copy()).contests[0].marks[b.square].mark == "marginal"
    with switched_off(faint37):
        reading, got = _read_with_scores(reader, image, monkeypatch)
    assert b.cls == "inside" and reading.contests[0].marks[b.square].mark == "empty"
    q = _quadrants(image, got, b.square)
    assert 0.1 < float(q.max() - np.median(q)) < beside35.QUAD_MIN


def test_the_price_a_crease_across_the_frames_corner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one truth-empty square of the 3,000 dev sheets beside35 sends to review (hook_ab on
    the six dev caches): 154/17/c36 (MZ-SMD-02; stain, fold, crease, pencil), a crease crossing
    the window's top right corner beside a stain's edge (benchmarks/results/pass34/
    beside35-price-154-17-35.png): the frame quadrant stands 0.48 mm2 over the median, and the
    closer look given the rebased score reads `marginal`. Pinned: review, never a decision."""
    reader, sheet, image = field_sheet(154, 17, ("fold",))
    k = 35
    assert sheet.truth.squares[k].expected == "empty"
    reading, got = _read_with_scores(reader, image, monkeypatch)
    mark = reading.contests[0].marks[k]
    assert (mark.option, mark.mark, mark.reason) == ("c36", "marginal", "marginal_mark")
    q = _quadrants(image, got, k)
    assert beside35.QUAD_MIN <= float(q.max() - np.median(q)) < 0.5
    with switched_off(beside35):
        assert reader.read(image).contests[0].marks[k].mark == "empty"
