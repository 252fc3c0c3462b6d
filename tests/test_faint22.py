"""faint22 (issue 10): the twenty-first pass's untouched run's faint pencil X read `empty`
(11000/10052/auyl, MZ-LIST 200 dpi: miss11's `foot` gate let it in, and pencil6.pencil_near,
foot16.foot_stroke and cross16.joined_near said no) goes to review with faint22 (grain14's
segment pair asked last under miss11's gates) and reads `empty` without it; no other square of
the sheet changes. Drawn faint X's only the pair finds, and blank paper it does not.
docs/reading.md, "Twenty-second pass: a faint pencil X under the wider band (faint22)"."""

from __future__ import annotations

import dataclasses
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from test_redteam8 import _polylines
from test_review9 import _line

from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import cross16, faint22, faint37, foot16, grain14, miss11, pencil6

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def _square(
    seed: int, index: int, option: str, always: tuple[str, ...] = ()
) -> tuple[str, str | None, float]:
    """(mark, reason, score) of one square as the reader reads the field sheet."""
    reader, _sheet, image = field_sheet(seed, index, always)
    marks = reader.read(image).contests[0].marks
    m = marks[[x.option for x in marks].index(option)]
    return m.mark, m.reason, m.score


def test_the_untouched_runs_faint_x_goes_to_review_only_with_faint22() -> None:
    reader, sheet, image = field_sheet(11000, 10052)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("auyl")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert miss11.FOOT_FROM <= marks[k].score < pencil6.LOOK_FROM  # 0.009: miss11's foot gate
    with switched_off(faint22), switched_off(faint37):  # faint37: a second net in the low band
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]
    with switched_off(grain14), switched_off(faint37):  # the pair is grain14's: off, faint22 finds nothing
        assert reader.read(image.copy()).contests[0].marks[k].mark == "empty"


@lru_cache(maxsize=8)
def _blank(style: str, dpi: int) -> tuple[np.ndarray, tuple[float, float], float]:
    """A clean blank back of `style` at `dpi`, the scanner's blur and noise on, read-only;
    square 1's centre (px) and px/mm."""
    e = sample_election()
    h = election_hash(e)
    opt = dataclasses.replace(DeckOptions.clean(), dpis=(dpi,), blur=True, noise=True)
    sheet = generate_sheet(e, h, style, 5, 0, opt, with_front=False)
    s = dpi / 25.4
    layout = build_layout(e, h, style)
    mx, my = canvas_margins(round(layout.height_mm * s), round(layout.width_mm * s), opt, s)
    t = layout.targets[1]
    img = sheet.back.copy()
    img.setflags(write=False)
    return img, (mx + t.box.cx * s, my + t.box.cy * s), s


def _levels(img: np.ndarray, centre: tuple[float, float], s: float) -> np.ndarray:
    x, y, r = round(centre[0]), round(centre[1]), round(6 * s)
    return np.full(4, float(np.percentile(img[y - r : y + r, x - r : x + r], 75)))


X = [_line(45, 5.0, 0.0), _line(135, 5.0, 0.1)]  # 10052's: an X along the diagonals


@pytest.mark.parametrize(
    ("style", "dpi", "k", "grain"),
    [("MZ-LIST", 200, 0.06, 0.7), ("MZ-LIST", 200, 0.08, 0.7), ("AST-SMD-07", 300, 0.06, 0.7)],
)
def test_a_faint_x_broken_by_grain_is_found_by_the_pair_under_the_foot_gate(
    style: str, dpi: int, k: float, grain: float
) -> None:
    img, c, s = _blank(style, dpi)
    im = _polylines(img, c, s, X, 0.5, k, grain=grain, seed=22)
    lv = _levels(im, c, s)
    cen = np.array(c)
    assert faint22.crossing_pair(im, cen, s, lv, 1.0)
    assert miss11.never_asked(im, cen, s, lv, 1.0, "foot")
    assert miss11.never_asked(im, cen, s, lv, 1.0, "short")
    with switched_off(faint22):
        assert not faint22.crossing_pair(im, cen, s, lv, 1.0)
        if not (
            pencil6.pencil_near(im, c, s, float(lv.max()), 1.0) or foot16.foot_stroke(im, cen, s, lv, 1.0)
        ):
            assert not miss11.never_asked(im, cen, s, lv, 1.0, "foot")


def test_the_first_drawn_x_is_one_the_other_foot_tests_miss() -> None:
    """MZ-LIST 200 dpi, 0.06 of the light, grain 0.7: what miss11 asked under the foot gate
    before faint22 says no to it (so the parametrized test above can fail)."""
    img, c, s = _blank("MZ-LIST", 200)
    im = _polylines(img, c, s, X, 0.5, 0.06, grain=0.7, seed=22)
    lv = _levels(im, c, s)
    cen = np.array(c)
    assert not pencil6.pencil_near(im, c, s, float(lv.max()), 1.0)
    assert not foot16.foot_stroke(im, cen, s, lv, 1.0)
    assert not cross16.joined_near(im, cen, s, lv, 1.0)
    with switched_off(faint22):
        assert not miss11.never_asked(im, cen, s, lv, 1.0, "foot")


@pytest.mark.parametrize(
    ("style", "dpi"), [("MZ-LIST", 150), ("MZ-LIST", 200), ("MZ-LIST", 300), ("AST-SMD-07", 200)]
)
def test_blank_paper_and_one_faint_stroke_are_not_a_pair(style: str, dpi: int) -> None:
    img, c, s = _blank(style, dpi)
    cen = np.array(c)
    assert not faint22.crossing_pair(img, cen, s, _levels(img, c, s), 1.0)
    im = _polylines(img, c, s, [_line(45, 5.0, 0.0)], 0.5, 0.1, grain=0.4, seed=22)  # a slash
    assert not faint22.crossing_pair(im, cen, s, _levels(im, c, s), 1.0)


@pytest.mark.parametrize(
    ("seed", "index", "square", "always"),
    [
        (140, 2, 3, ("stain",)),  # AST-LIST, show-through and a stain over the square, 0.0078
        (140, 52, 3, ("stain",)),  # MZ-LIST (10052's style), show-through, 0.0075
        (140, 8, 0, ("stain",)),  # MZ-LIST, a stain, 0.0062
    ],
)
def test_empty_squares_under_show_through_or_a_stain_the_pair_is_asked_of_stay_empty(
    seed: int, index: int, square: int, always: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dev sheets (faint22-ab.json's `asked`): miss11's gate let the square in, the pair was
    asked and said no: `empty`."""
    answers: list[bool] = []
    real = faint22.crossing_pair

    def pair(*a: object) -> bool:
        r = real(*a)  # type: ignore[arg-type]
        answers.append(r)
        return r

    monkeypatch.setattr(faint22, "crossing_pair", pair)
    reader, sheet, image = field_sheet(seed, index, always)
    m = reader.read(image).contests[0].marks[square]
    assert sheet.truth.squares[square].expected == "empty"
    assert answers and not any(answers)
    assert m.mark == "empty"


def test_the_price_an_erased_x_goes_to_review() -> None:
    """105/194 (AST-LIST, no condition): an erased pencil X (truth `empty`), its ghost a faint
    pair, under miss11's foot gate: `marginal` with faint22 (grain14's A/B found the same
    square), `empty` without. Its sheet's outcome does not change (an overvote)."""
    reader, sheet, image = field_sheet(105, 194)
    side = reader.read(image.copy())
    assert sheet.truth.squares[1].kind == "erased"
    assert side.contests[0].marks[1].mark == "marginal"
    with switched_off(faint22), switched_off(faint37):  # faint37 sends the ghost too
        old = reader.read(image.copy())
    assert old.contests[0].marks[1].mark == "empty"
    assert old.contests[0].outcome == side.contests[0].outcome
