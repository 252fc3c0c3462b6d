"""show43 (issue 10, the forty-third pass): a line through the window lying on the title
side's known print is that print showing through, and where it ends is where the print ends.

The party list's square 2 sits under the title's heading: through thin paper the heading's
mirrored letters line up into a faint straight line through the window that stops where the
word does, and `inspect.line_stops_short` sent the empty square to the commission
(benchmarks/results/pass46/show43-ab-*.json: 8 empty squares decided on the dev caches, none
wrong). OFF: an outside attack (pass46/show43-helper-attack.txt) had 523 light pencil strokes
along the show-through rows read `empty`; the tests switch it on to pin what it does."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit

from kiosk.ballots.layout import BallotLayout, build_layout
from kiosk.election.load import load_election
from kiosk.reading import lines7, show10, show43


@pytest.fixture(autouse=True)
def _show43_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(show43, "ENABLED", True)


# (seed, always, sheet, square): truth empty, the title's show-through letters across square 2;
# sent to review by line_stops_short before show43, `empty` with it
FREED = [
    (200, ("stain",), 476, 2),  # 300 dpi
    (201, ("show_through",), 386, 2),  # 250 dpi
    (202, ("fold", "crease"), 532, 2),  # 300 dpi
]


@pytest.mark.parametrize(("seed", "always", "index", "k"), FREED)
def test_an_empty_square_under_show_through_letters_is_read_empty(
    seed: int, always: tuple[str, ...], index: int, k: int
) -> None:
    sheet = readkit.assert_freed(show43, seed, always, index, k, "marginal_mark")
    assert "show_through" in sheet.conditions


def test_a_real_tick_across_the_same_square_stays_in_review() -> None:
    """The census tick on square 2 (300 dpi, light pencil on a stain) whose long arm crosses
    the window and ends: its line lies on the print for 0.62 of its chord only, and the square
    stays in review."""
    r, sheet, image = readkit.field_sheet(203, 590, ("pencil", "stain"))
    assert sheet.truth.squares[2].expected == "marked"
    got = r.read(image).contests[0].marks[2]
    assert got.mark == "marginal", got


def _page(layout: BallotLayout | None) -> lines7.PageSource:
    centres = np.array([[100.0, 100.0], [300.0, 100.0]])
    return lines7.PageSource(lambda: centres / 10.0, centres, 210.0, 297.0, layout)


def test_no_layout_or_a_line_darker_than_show_through_is_never_print() -> None:
    """Without the layout (a page the reader did not place) nothing is print; a line darker
    than show10's highest show-through contrast is a pen's whatever lies under it."""
    chord = (-20.0, 20.0)
    assert not show43.line_on_print((100.0, 100.0), math.pi / 2, 0.0, chord, 0.1, 34, 8.0, None)
    assert not show43.line_on_print((100.0, 100.0), math.pi / 2, 0.0, chord, 0.1, 34, 8.0, _page(None))
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, pkg.election.styles[0].id)
    assert show10.has_print(layout, 2)
    page = _page(layout)
    at = (float(page.centres_px[0, 0]), float(page.centres_px[0, 1]))
    # the same line, anywhere: the contrast cap answers before the print is looked at
    seen = show10.C_RANGE[1] + 0.01
    assert not show43.line_on_print(at, math.pi / 2, 0.0, chord, seen, 34, 8.0, page)
