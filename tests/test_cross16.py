"""cross16 (issue 10): the sixteenth pass's untouched run's light pencil X read `empty`
(10500/972/against-all: its two strokes meet, one run too wide for `pencil6.pencil_near` and
`pencil7.stroke_near`, and the low hooks that asked never asked `faint9.joined_strokes`) goes
to review with cross16 and reads `empty` without it; no other square of the sheet changes.
docs/reading.md, "Sixteenth pass: a light pencil cross whose strokes meet (cross16)"."""

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
from kiosk.reading import cross16, faint22, faint37, miss11, pencil6, pencil7, rebase14

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_holdout16_light_pencil_cross_goes_to_review_only_with_cross16() -> None:
    reader, sheet, image = field_sheet(10500, 972)
    marks = reader.read(image.copy()).contests[0].marks
    k = [m.option for m in marks].index("against-all")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("cross", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert 0.0 < marks[k].score < pencil6.LOOK_FROM  # its fast score (0.0097): under the wider band
    # faint22 (grain14's pair under miss11) and faint37 (the low band's faint strokes): second nets
    with switched_off(cross16), switched_off(faint22), switched_off(faint37):
        old = reader.read(image.copy()).contests[0].marks
    assert old[k].mark == "empty"  # the run's reading
    assert [(m.mark, m.reason) for j, m in enumerate(old) if j != k] == [
        (m.mark, m.reason) for j, m in enumerate(marks) if j != k
    ]
    # Two nets ask it: miss11 (gate "short") and rebase14 (0.0097 against the side's lowest
    # -0.0123 reaches `marginal`); each alone sends it to review.
    for off in (miss11, rebase14):
        with switched_off(off):
            assert reader.read(image.copy()).contests[0].marks[k].mark == "marginal"
    with switched_off(miss11), switched_off(rebase14), switched_off(faint37):
        assert reader.read(image.copy()).contests[0].marks[k].mark == "empty"


@lru_cache(maxsize=4)
def _blank(dpi: int) -> tuple[np.ndarray, tuple[float, float], float]:
    """A clean blank MZ-SMD-02 back at `dpi`, the scanner's blur and noise on (a light X's
    strokes blur into one run), read-only; square 30's centre (px) and px/mm."""
    e = sample_election()
    h = election_hash(e)
    opt = dataclasses.replace(DeckOptions.clean(), dpis=(dpi,), blur=True, noise=True)
    sheet = generate_sheet(e, h, "MZ-SMD-02", 5, 0, opt, with_front=False)
    s = dpi / 25.4
    layout = build_layout(e, h, "MZ-SMD-02")
    mx, my = canvas_margins(round(layout.height_mm * s), round(layout.width_mm * s), opt, s)
    t = layout.targets[30]
    img = sheet.back.copy()
    img.setflags(write=False)
    return img, (mx + t.box.cx * s, my + t.box.cy * s), s


def _levels(img: np.ndarray, centre: tuple[float, float], s: float) -> np.ndarray:
    x, y, r = round(centre[0]), round(centre[1]), round(6 * s)
    return np.full(4, float(np.percentile(img[y - r : y + r, x - r : x + r], 75)))


X = [_line(45, 5.0, 0.0), _line(135, 5.0, 0.1)]  # 972's: an X filling the square
PLUS = [_line(0, 4.8, 0.1), _line(90, 4.8, 0.0)]


@pytest.mark.parametrize(
    ("dpi", "paths", "width", "k", "grain"),
    [
        (300, X, 0.6, 0.15, 0.0),
        (300, [_line(40, 4.6, 0.2), _line(132, 4.8, -0.1)], 0.6, 0.15, 0.0),
        (200, X, 0.6, 0.15, 0.4),
        (150, X, 0.6, 0.15, 0.4),
        (300, PLUS, 0.6, 0.15, 0.4),
        (200, PLUS, 0.5, 0.12, 0.0),
        (150, PLUS, 0.7, 0.2, 0.2),
    ],
)
def test_the_low_hooks_pencil_tests_find_a_joined_cross_or_plus(
    dpi: int, paths: list[list[tuple[float, float]]], width: float, k: float, grain: float
) -> None:
    img, c, s = _blank(dpi)
    im = _polylines(img, c, s, paths, width, k, grain=grain, seed=16)
    lv = _levels(im, c, s)
    cen = np.array(c)
    # one run, too wide for the pair the low hooks asked
    assert not pencil6.pencil_near(im, c, s, float(lv.max()), 1.0)
    assert not pencil7.stroke_near(im, c, s, float(lv.max()), 1.0)
    assert cross16.joined_near(im, cen, s, lv, 1.0)
    assert pencil7.pencil_or_stroke_near(im, cen, s, lv, 1.0)
    assert miss11.never_asked(im, cen, s, lv, 1.0, "short")
    assert miss11.never_asked(im, cen, s, lv, 1.0, "foot")
    with switched_off(cross16), switched_off(faint22):  # faint22: a second net under miss11's gates
        assert not cross16.joined_near(im, cen, s, lv, 1.0)
        assert not pencil7.pencil_or_stroke_near(im, cen, s, lv, 1.0)
        assert not miss11.never_asked(im, cen, s, lv, 1.0, "short")
        assert not miss11.never_asked(im, cen, s, lv, 1.0, "foot")


def test_lines_crossing_the_whole_window_are_not_a_joined_cross() -> None:
    """A fold across a streak is an X too, but its lines run on beyond the square; and an
    empty square holds nothing."""
    img, c, s = _blank(300)
    cen = np.array(c)
    lv = _levels(img, c, s)
    assert not pencil7.pencil_or_stroke_near(img, cen, s, lv, 1.0)
    im = _polylines(img, c, s, [_line(40, 40.0, 0.0), _line(130, 40.0, 0.3)], 0.6, 0.15)
    assert not cross16.joined_near(im, cen, s, _levels(im, c, s), 1.0)
