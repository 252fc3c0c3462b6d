"""under23 (issue 10): the twenty-third pass's untouched run's light pencil tick read `empty`
(11200/3246/amanat, AST-LIST: score 0.0022, under miss11's `foot` gate's 0.006, a pixel inside
0.09 under the paper) goes to review with under23 (foot16's test asked under the foot gate's
score) and reads `empty` without it; no other square of the sheet changes. Empty squares the
gate lets in where only pencil6's test (not asked here) would speak stay `empty`.
docs/reading.md, "Twenty-third pass: a light tick under the foot gate's score (under23)"."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.reading import foot16, miss11, pencil6, under23
from kiosk.reading.model import MarkReading

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_the_untouched_runs_light_tick_goes_to_review_only_with_under23() -> None:
    reader, sheet, image = field_sheet(11200, 3246)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("amanat")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert miss11.LO <= marks[k].score < miss11.FOOT_FROM  # 0.0022: under the foot gate
    with switched_off(under23):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]
    with switched_off(foot16):  # the test asked is foot16's: off, under23 finds nothing
        assert reader.read(image.copy()).contests[0].marks[k].mark == "empty"


def _gate_of(seed: int, index: int, always: tuple[str, ...], k: int) -> tuple[bool, bool, bool, str]:
    """(under23's gate, foot16's answer, pencil6's answer, the reading) for square k."""
    from kiosk.reading import reader as reader_module

    got: dict[str, object] = {}
    real = reader_module.side_bands

    def spy(
        image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: object, marginal: float
    ) -> object:
        got.update(image=image, centres=centres, scales=scales, scores=scores)
        return real(image, centres, scales, scores, marginal)  # type: ignore[arg-type]

    reader, _sheet, image = field_sheet(seed, index, always)
    reader_module.side_bands = spy  # type: ignore[assignment]
    try:
        mark = reader.read(image).contests[0].marks[k].mark
    finally:
        reader_module.side_bands = real
    im, c, s, sc = got["image"], got["centres"][k], float(got["scales"][k]), got["scores"]  # type: ignore[index]
    score, levels, gain = float(sc.scores[k]), sc.paper[k], sc.gain  # type: ignore[attr-defined]
    return (
        bool(under23.gate(im, c[None], np.array([s]), np.array([score]), levels[None], gain)[0]),  # type: ignore[arg-type]
        foot16.foot_stroke(im, c, s, levels, gain),  # type: ignore[arg-type]
        pencil6.pencil_near(im, (float(c[0]), float(c[1])), s, float(np.max(levels)), gain),  # type: ignore[arg-type]
        mark,
    )


def test_empty_squares_under_a_crease_the_gate_lets_in_stay_empty() -> None:
    """Dev caches 155 `crease` 2/2 (AST-LIST, a pixel inside 0.31 under the paper) and 130
    `pencil` 271/9 (AST-SMD-07, 0.40): pencil6's test would send them to review; the gate's
    run test keeps them out (no box-mean run of RUN_MM inside) and foot16's test says no
    anyway: `empty`, as without under23."""
    assert _gate_of(155, 2, ("crease",), 2) == (False, False, True, "empty")
    assert _gate_of(130, 271, ("pencil",), 9) == (False, False, True, "empty")


def test_the_gate_is_the_band_under_the_foot_gate_only() -> None:
    """Scores from miss11.FOOT_FROM up are miss11's `foot` gate's; under miss11.LO no hook
    under the wider band asks (tick13, vote11 and rebase14 have their own bands there)."""
    image = np.full((200, 200), 255, np.uint8)
    image[95:105, 98:101] = 200  # a pixel inside 0.2 under the paper
    centres, scales, paper = np.array([[100.0, 100.0]] * 3), np.full(3, 10.0), np.full((3, 4), 255.0)
    scores = np.array([0.003, miss11.FOOT_FROM, miss11.LO - 0.001])
    assert under23.gate(image, centres, scales, scores, paper, 1.0).tolist() == [True, False, False]
    blank = np.full((200, 200), 250, np.uint8)  # 0.02 under the paper: no ink
    assert not under23.gate(blank, centres, scales, scores, paper, 1.0).any()
    dots = np.full((200, 200), 255, np.uint8)
    dots[90:111:5, 90:111:5] = 200  # dark pixels 0.2 under the paper, apart: JPEG noise, no run
    assert not under23.gate(dots, centres, scales, scores, paper, 1.0).any()


def _m(mark: str) -> MarkReading:
    return MarkReading("x", 0.0, mark)  # type: ignore[arg-type]


def test_decided_is_a_marked_square_and_no_doubt() -> None:
    assert under23.decided([_m("empty"), _m("marked"), _m("empty")])  # one vote
    assert under23.decided([_m("marked"), _m("marked")])  # an overvote
    assert not under23.decided([_m("empty"), _m("empty")])  # blank
    assert not under23.decided([_m("marked"), _m("marginal")])  # a doubt


def test_the_tick_is_not_looked_for_in_a_decided_contest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule's limit (its time): 3246's arguments, with the contest read as one clear vote
    (against-all `marked`, the sheet's two doubts `empty`), leave amanat `empty`."""
    got: dict[str, Any] = {}
    real = under23.unasked_strokes

    def spy(*a: Any) -> Any:
        got["args"] = a
        return real(*a)

    monkeypatch.setattr(under23, "unasked_strokes", spy)
    reader, _sheet, image = field_sheet(11200, 3246)
    reader.read(image)
    image_, centres, scales, scores, paper, gain, read, unasked = got["args"]
    assert read[0].mark == "empty" and 0 in unasked  # amanat, as the loop read it
    marks = [replace(m, mark="marked" if m.option == "against-all" else "empty", reason=None) for m in read]
    assert under23.decided(marks)
    assert real(image_, centres, scales, scores, paper, gain, marks, unasked) == marks
    doubt = [replace(m, mark="marginal", reason="marginal_mark") if m.option == "auyl" else m for m in marks]
    # amanat, once the contest is in doubt
    assert real(image_, centres, scales, scores, paper, gain, doubt, unasked)[0].mark == "marginal"
