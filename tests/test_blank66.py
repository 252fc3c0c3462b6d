"""blank66: blank65 asks again only the squares faint37 was asked of in the reader's loop.

Session 66's untouched run (seed 14600, 0 wrong decisions in 1,035,000 squares) was blank65's
first. Afterwards I read 8,971 of its sheets with blank65 on and off (the range was spent by
then). blank65 sent 21 empty squares to review on 20 sheets, 0.22 points, twice its price on
the dev seeds. 15 of the 21 were under a stain. Most had been settled `empty` before faint37 was
reached, by the closer look or a positive empty test, so the loop never asked faint37 of them.
blank65 picked squares by score band alone and asked them anyway, and faint37 takes a stain's
edge for a faint pair (on most of them even at its full floors). The holdout slash it was made for had been asked through
wide38 and said no, so it is still asked again (also tests/test_holdout65.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from readkit import field_sheet

from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import blank65, faint37
from kiosk.reading.model import MarkReading

Calls = list[tuple[int, float, bool]]


@contextmanager
def _recorded(mp: pytest.MonkeyPatch) -> Iterator[tuple[Calls, list[np.ndarray]]]:
    """faint37.asked's calls (square, share, answer) and the masks the reader hands blank65."""
    calls: Calls = []
    masks: list[np.ndarray] = []
    real_asked, real_blank = faint37.asked, blank65.faint_in_blank

    def asked(*args: Any, **kwargs: Any) -> bool:
        yes = real_asked(*args, **kwargs)
        calls.append((int(args[6]), float(kwargs.get("noise_share", 1.0)), bool(yes)))
        return yes

    def faint_in_blank(*args: Any, **kwargs: Any) -> list[MarkReading]:
        masks.append(np.array(args[9], dtype=bool))
        return real_blank(*args, **kwargs)

    with mp.context() as m:
        m.setattr(faint37, "asked", asked)
        m.setattr(blank65, "faint_in_blank", faint_in_blank)
        yield calls, masks


def test_the_stained_square_settled_before_faint37_is_not_asked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """14600/6228 (MZ-LIST; stain, grey paper) is a blank ballot. Square 7 lies under the stain,
    and the loop settles it `empty` without asking faint37. blank65 asked it, and faint37 took
    the stain's edge for a faint pair. With blank66 the ballot reads blank, as the truth has it."""
    reader, sheet, image = field_sheet(14600, 6228)
    assert sheet.truth.contests[0].outcome == "blank" and sheet.truth.squares[7].expected == "empty"
    with _recorded(monkeypatch) as (calls, masks):
        reading = reader.read(image)
    assert reading.status == "ok" and reading.contests[0].outcome == "blank"
    assert 7 not in {i for i, share, _ in calls if share == 1.0}  # never asked in the loop
    assert not masks[0][7]
    monkeypatch.setattr(blank65, "ASKED_ONLY", False)
    before = reader.read(image)
    assert before.status == "review" and before.contests[0].marks[7].mark == "marginal"


@pytest.mark.parametrize(("seed", "index"), [(14500, 57685), (190, 293)])
def test_the_mask_is_the_loops_own_noes(monkeypatch: pytest.MonkeyPatch, seed: int, index: int) -> None:
    """The mask blank65 gets is exactly the squares faint37 was asked of at the full share in the
    loop and answered no, and blank65 asks no square outside it."""
    reader, _sheet, image = field_sheet(seed, index)
    with _recorded(monkeypatch) as (calls, masks):
        reader.read(image)
    noes = {i for i, share, yes in calls if share == 1.0 and not yes}
    assert len(noes) >= 5  # sheets where the loop asks faint37 of several squares
    assert set(np.flatnonzero(masks[0]).tolist()) == noes
    assert {i for i, share, _ in calls if share != 1.0} <= noes


def test_the_holdout_slash_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """14500/57685/c38, the light pencil slash blank65 was made for: asked in the loop (through
    wide38), so in the mask, asked again at NOISE_SHARE, and sent to review."""
    reader, _sheet, image = field_sheet(14500, 57685)
    c38 = next(k for k, m in enumerate(reader.read(image).contests[0].marks) if m.option == "c38")
    with _recorded(monkeypatch) as (calls, masks):
        reading = reader.read(image)
    assert masks[0][c38]
    assert (c38, blank65.NOISE_SHARE, True) in calls
    assert reading.contests[0].marks[c38].mark == "marginal"


def test_with_no_square_asked_in_the_loop_nothing_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """All empty, every square in faint37's band: with the mask all False no square is asked and
    the marks come back as they were; with one square True that square alone is asked; with no
    mask, all three are."""
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "AST-LIST")
    marks = [MarkReading(f"o{i}", 0.005, "empty") for i in range(3)]
    assert all(faint37.in_band(m.score) for m in marks)
    asked: list[int] = []

    def spy(*a: Any, **k: Any) -> bool:
        asked.append(int(a[6]))
        return False

    monkeypatch.setattr(faint37, "asked", spy)
    cases: list[tuple[np.ndarray | None, list[int]]] = [
        (np.zeros(3, bool), []),
        (np.array([False, True, False]), [1]),
        (None, [0, 1, 2]),  # no mask: every square in the bands, as session 65 wrote it
    ]
    for mask, want in cases:
        asked.clear()
        out = blank65.faint_in_blank(
            np.full((40, 40), 240, np.uint8),
            np.full((3, 2), 20.0),
            np.ones(3),
            np.full((3, 4), 240.0),
            1.05,
            layout,
            None,
            0.018,
            marks,
            mask,
        )
        assert asked == want and out == marks


def test_the_census_names_blank65_for_the_slash() -> None:
    """fieldkit.census: blank65 is a pass after the loop, so the slash's doubt is named for it,
    and its re-asks are not recorded against the loop's last square."""
    from fieldkit.census import Trail, doubts, traced

    reader, sheet, image = field_sheet(14500, 57685)
    trail = Trail()
    with traced(trail):
        reading = reader.read(image)
        rows = doubts(sheet, reading, trail, 57685)
    c38 = next(r for r in rows if r["square"] == 37)
    assert c38["who"] == "blank65.faint_in_blank"
    last = len(reading.contests[0].marks) - 1
    assert all(label != "faint37.asked" or not answer for label, answer in trail.calls.get(last, []))
