"""fold17 (issue 10): the seventeenth pass's untouched run's faint pencil X under a fold
(10600/21234/jsdp: the closer look took the fold out, read what was left, 0.0144, as paper,
and every later pencil test looked at the scan, where the fold hides the X) goes to review
with fold17 and reads `empty` without it; no other square of the sheet changes. And
`inspect._strokes_under_lines` on drawn squares: a faint X under a fold's band is found with
the fold divided out; the fold alone is not. docs/reading.md, "Seventeenth pass: a light
pencil mark under a fold (fold17)"."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cross16 import X, _blank, _levels
from test_redteam8 import _polylines

from fieldkit.hook_ab import switched_off
from kiosk.reading import clear56, fix8, fold17, fold24, grain14, stroke28
from kiosk.reading import inspect as insp

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_holdout17_pencil_x_under_a_fold_goes_to_review_only_with_fold17() -> None:
    reader, sheet, image = field_sheet(10600, 21234)
    side = reader.read(image.copy())
    marks = side.contests[0].marks
    k = [m.option for m in marks].index("jsdp")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("light_pencil", "marked")
    assert "fold" in sheet.square_conditions[k]
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    with switched_off(fold17):
        # fold24 (the twenty-fourth pass), its stroke along the fold's line, finds it too
        alone = reader.read(image.copy()).contests[0].marks[k]
        assert (alone.mark, alone.reason) == ("marginal", "marginal_mark")
        with switched_off(fold24), switched_off(stroke28):  # stroke30: stroke28 after fold24
            old = reader.read(image.copy())
    assert old.contests[0].marks[k].mark == "empty"  # the run's reading
    same = [m.mark for j, m in enumerate(old.contests[0].marks) if j != k]
    assert same == [m.mark for j, m in enumerate(marks) if j != k]


def _folded(img: np.ndarray, c: tuple[float, float], s: float, off_mm: float, contrast: float) -> np.ndarray:
    """`img` under a fold across the page: a soft band 1.6 mm wide, `off_mm` below the
    square's centre, darkest at its axis by `contrast`."""
    ys = np.arange(img.shape[0])[:, None]
    band = np.clip(1 - np.abs(ys - (c[1] + off_mm * s)) / (0.8 * s), 0, 1)
    out: np.ndarray = np.clip(img.astype(np.float32) * (1 - contrast * band), 0, 255).astype(np.uint8)
    return out


def _fold_line(c: tuple[float, float], s: float, off_mm: float, contrast: float) -> list[insp.Line]:
    return [insp.Line(math.pi / 2, off_mm * s, 1.0, contrast)]


@pytest.mark.parametrize(
    ("dpi", "k", "off_mm", "contrast"),
    [(150, 0.08, 0.0, 0.11), (200, 0.1, -1.5, 0.11), (300, 0.06, 0.0, 0.2)],
)
def test_a_faint_x_under_a_fold_is_found_with_the_fold_divided_out(
    dpi: int, k: float, off_mm: float, contrast: float
) -> None:
    img, c, s = _blank(dpi)
    im = _folded(_polylines(img, c, s, X, 0.5, k, grain=0.3, seed=17), c, s, off_mm, contrast)
    lv = _levels(im, c, s)
    # on the scan the fold hides it from the later pencil tests (as their floors were before
    # clear56, session 56: grain14's pair clear of print finds the 200 dpi one) ...
    with switched_off(clear56):
        assert not fix8.small_cross(im, c, s, float(lv.max()), 1.0)
        assert not grain14.stroke_pair(im, np.array(c), s, lv, 1.0)
    # ... with the fold divided out, not
    lines = _fold_line(c, s, off_mm, contrast)
    assert insp._strokes_under_lines(im, c, lines, s, lv, 1.0)
    assert not insp._strokes_under_lines(im, c, [], s, lv, 1.0)  # no line taken out: not asked
    with switched_off(fold17):
        assert not insp._strokes_under_lines(im, c, lines, s, lv, 1.0)


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize(("off_mm", "contrast"), [(-1.5, 0.11), (0.0, 0.2), (1.5, 0.3)])
def test_a_fold_alone_is_not_a_mark(dpi: int, off_mm: float, contrast: float) -> None:
    img, c, s = _blank(dpi)
    im = _folded(img, c, s, off_mm, contrast)
    assert not insp._strokes_under_lines(im, c, _fold_line(c, s, off_mm, contrast), s, _levels(im, c, s), 1.0)


@pytest.mark.parametrize(("index", "k"), [(82, 1), (644, 2)])
def test_an_empty_folded_square_fold17_sends_stays_with_pencil9_unsettled(
    index: int, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clear56's G1 path, on the two dev squares fold17 sends (seed 198; session 57's
    `hook_ab --module fold17`): an empty square on a folded sheet that fold17 returns at
    `marginal` itself is in pencil9's band and is asked its positive settle, which must say
    no: the square stays in review (`empty` with fold17 off). Both contests hold other marks
    or another doubt, so settle7's contest guard would send a settled square back too: the
    test asks pencil9's own answer, the layer the G1 path goes through."""
    from kiosk.reading import pencil9

    asked: list[tuple[float, bool]] = []
    settles = pencil9.settles

    def spy(*args: object, **kwargs: object) -> bool:
        got = settles(*args, **kwargs)  # type: ignore[arg-type]
        asked.append((args[5].score, got))  # type: ignore[attr-defined]
        return got

    monkeypatch.setattr(pencil9, "settles", spy)
    reader, sheet, image = field_sheet(198, index)
    assert "fold" in sheet.conditions
    assert sheet.truth.squares[k].expected == "empty"
    got = reader.read(image.copy()).contests[0].marks[k]
    assert (got.mark, got.reason) == ("marginal", "marginal_mark")
    assert got.score == pytest.approx(0.018)
    # asked once of this square, in its band (from `marginal`), and it said no (session 71: on
    # sheet 644 touch71 takes settle7's second arm from square 5, a real mark already in review
    # as `possible_erasure`, so pencil9 is asked of it too, and says no: `marginal_mark`)
    mine = [answer for score, answer in asked if score == pytest.approx(0.018)]
    assert mine == [False], asked
    assert all(answer is False for _score, answer in asked)
    with switched_off(fold17):
        assert reader.read(image.copy()).contests[0].marks[k].mark == "empty"
