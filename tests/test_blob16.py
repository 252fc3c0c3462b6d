"""blob16 (issue 10): the sixteenth pass's untouched run's grey pencil fill under a streak
(10500/52303/c05: the closer look took the streak out and read what was left, 0.0146, as
darkened paper) goes to review with blob16 and reads `empty` without it (its contest `blank`:
the vote lost); no other square of the sheet changes. And `fill_inside` on drawn windows: a
fill inside is found; blank paper, a stroke, a line through, and a darkening that covers the
margin too (a stain over the square) are not. docs/reading.md, "Sixteenth pass: a light fill
inside the square (blob16)"."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from fieldkit.hook_ab import switched_off
from kiosk.reading import blank65, blob16, clear56, edge24, look23, under23

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet

SCALE = 10.0  # px/mm (254 dpi)
PAPER = 240.0


def test_holdout16_pencil_fill_under_a_streak_goes_to_review_only_with_blob16() -> None:
    reader, sheet, image = field_sheet(10500, 52303)
    side = reader.read(image.copy())
    marks = side.contests[0].marks
    k = [m.option for m in marks].index("c05")
    assert (sheet.truth.squares[k].kind, sheet.truth.squares[k].expected) == ("scribble", "marked")
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert side.contests[0].outcome == "review"
    # under23 (a blank contest) and look23 find it too since the twenty-third pass; clear56's
    # pencil floors clear of print since session 56
    with (
        switched_off(blob16),
        switched_off(under23),
        switched_off(look23),
        switched_off(edge24),
        switched_off(clear56),
        switched_off(blank65),  # session 65: a blank contest's faint squares asked again find it too
    ):
        old = reader.read(image.copy())
    assert old.contests[0].marks[k].mark == "empty"  # the run's reading ...
    assert old.contests[0].outcome == "blank"  # ... and its vote lost
    # look23's price here: c08 (empty, under a crease and a faint streak) goes to review
    c08 = [m.option for m in marks].index("c08")
    assert (marks[c08].mark, old.contests[0].marks[c08].mark) == ("marginal", "empty")
    same = [m.mark for j, m in enumerate(old.contests[0].marks) if j not in (k, c08)]
    assert same == [m.mark for j, m in enumerate(marks) if j not in (k, c08)]


def _window() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 16 mm window of paper, the square's inside (3.4 mm from its centre) and the margin
    (outside the printed border's zone, 4.5 mm)."""
    n = int(16 * SCALE)
    ax = np.arange(n) - (n - 1) / 2
    box = np.maximum(np.abs(ax)[None, :], np.abs(ax)[:, None])
    return np.full((n, n), PAPER, np.float32), box <= 3.4 * SCALE, box > 4.5 * SCALE


def _find(win: np.ndarray, inside: np.ndarray, margin: np.ndarray) -> bool:
    return blob16.fill_inside(np.clip(win, 0, 255).astype(np.uint8), inside, margin, SCALE, PAPER, 1.0)


def test_a_fill_inside_is_found_and_blank_paper_is_not() -> None:
    win, inside, margin = _window()
    assert not _find(win, inside, margin)
    c = win.shape[0] // 2
    fill = win.copy()
    cv2.ellipse(fill, (c, c + 15), (22, 11), 10, 0, 360, PAPER * 0.85, -1)  # 4.4 x 2.2 mm, 0.15 dark
    assert _find(fill, inside, margin)
    with switched_off(blob16):
        assert not _find(fill, inside, margin)
    faint = win.copy()
    cv2.ellipse(faint, (c, c + 15), (22, 11), 10, 0, 360, PAPER * 0.95, -1)  # 0.05: under FILL_INK
    assert not _find(faint, inside, margin)
    small = win.copy()
    cv2.circle(small, (c, c), 8, PAPER * 0.8, -1)  # 2 mm² : under FILL_AREA_MM2
    assert not _find(small, inside, margin)


def test_strokes_lines_and_a_stain_over_the_margin_are_not_fills() -> None:
    win, inside, margin = _window()
    c = win.shape[0] // 2
    stroke = win.copy()
    cv2.line(stroke, (c - 30, c + 30), (c + 30, c - 30), PAPER * 0.7, 5)  # 0.5 mm wide: a stroke
    assert not _find(stroke, inside, margin)
    line = win.copy()
    line[:, c - 4 : c + 4] = PAPER * 0.8  # a line through the whole window
    assert not _find(line, inside, margin)
    stain = win.copy()
    stain[c:, :] = PAPER * 0.85  # the lower half darkened, inside and around: a stain's edge
    assert not _find(stain, inside, margin)
