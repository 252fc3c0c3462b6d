"""tick13 (issue 10): the twelfth pass's untouched run's one wrong decision, 10100/25420's
amanat square (MZ-LIST, 150 dpi; stain, pencil, skew), a light pencil tick scoring -0.0068
because the side's baseline (the lower quartile of the window sums) sat on marked and
stained squares: it goes to review with tick13, and reads `empty` without it (the untouched
run's reading). docs/reading.md, "Thirteenth pass: the light tick under zero (tick13)"."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from fieldkit.hook_ab import switched_off
from kiosk.reading import beside35, deep29, tick13, vote11

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet


def test_25420_amanat_goes_to_review_only_with_tick13() -> None:
    reader, sheet, image = field_sheet(10100, 25420)
    marks = reader.read(image).contests[0].marks
    assert marks[0].option == "amanat"
    assert sheet.truth.squares[0].kind == "light_pencil"
    assert sheet.truth.squares[0].expected == "marked"
    assert (marks[0].mark, marks[0].reason) == ("marginal", "marginal_mark")
    # the cause: under every band (vote11's too), over the wider band against the emptiest window
    scores = np.array([m.score for m in marks])
    assert marks[0].score < vote11.NEAR_LO
    assert marks[1].option == "auyl" and sheet.truth.squares[1].kind == "none"
    assert marks[0].score - marks[1].score >= 0.03
    # the other squares read as before; the truth-empty ones stay empty
    with switched_off(tick13), switched_off(deep29):  # deep29 (later) reaches it too
        old = reader.read(image).contests[0].marks
    assert old[0].mark == "empty"
    assert [m.mark for m in old[1:]] == [m.mark for m in marks[1:]]
    assert all(
        m.mark == "empty" for m, q in zip(marks, sheet.truth.squares, strict=True) if q.expected == "empty"
    )
    assert scores.min() == marks[1].score


def test_band_is_the_score_against_the_lowest_under_every_band() -> None:
    lo = -0.03
    s = np.array(
        [lo, lo + tick13.REBASED_FROM, lo + tick13.REBASED_FROM - 1e-4, -0.0031, vote11.NEAR_LO, 0.005]
    )
    assert tick13.band(s) == [False, True, False, True, False, False]
    # a side whose squares all score alike asks nothing
    assert tick13.band(np.full(8, -0.004)) == [False] * 8
    with switched_off(tick13):
        assert tick13.band(s) == [False] * 6


def _drawn_sheet(
    monkeypatch: pytest.MonkeyPatch, index: int, others: int, stain: bool
) -> tuple[Any, Any, np.ndarray]:
    """One sheet of the drawn family (benchmarks/results/pass13/tick13-drawn.py.txt): the field
    generator on dev seed 179, MZ-LIST at 150 dpi, pencil and skew (and stain), the voter
    forced to one light pencil tick and `others` more marks."""
    import fieldkit.conditions as fc
    import fieldkit.deck as deck
    from fieldkit.beside import voter_kinds
    from fieldkit.conditions import FieldOptions, generate_field_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election
    from kiosk.reading.reader import BallotReader

    real_draw = deck._draw_mark

    def light_tick(layer: np.ndarray, box_px: Any, kind: Any, rng: Any, s: float, edge_tick: bool) -> None:
        if kind != "light_pencil":
            real_draw(layer, box_px, kind, rng, s, edge_tick)
            return
        x, y, size = box_px
        grey, thick = int(rng.integers(120, 150)), max(1, round(rng.uniform(0.5, 0.7) * s))
        sc = rng.uniform(0.8, 1.4)
        pts = [
            (
                (x + (0.5 + (u - 0.5) * sc + rng.uniform(-0.08, 0.08)) * size) * 16,
                (y + (0.5 + (v - 0.5) * sc + rng.uniform(-0.08, 0.08)) * size) * 16,
            )
            for u, v in [(0.1, 0.55), (0.4, 0.88), (0.95, 0.05)]
        ]
        cv2.polylines(layer, [np.array(pts, np.int32).reshape(-1, 1, 2)], False, grey, thick, cv2.LINE_AA, 4)

    _at, kinds = voter_kinds(np.random.default_rng([179, index, 13]), others)
    monkeypatch.setattr(fc, "_draw_mark", light_tick)
    monkeypatch.setattr(fc, "voter_intent", lambda *_a: ("overvote", list(kinds)))
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-LIST")
    always = ("stain", "pencil", "skew") if stain else ("pencil", "skew")
    opts = FieldOptions(p=0.0, none_share=0.0, dpis=(150,), always=always)  # type: ignore[arg-type]
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, 179, index, opts)
    image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return BallotReader(pkg.election, pkg.election_hash, keep_crops="never"), sheet, np.asarray(image)


# The drawn family's sheets read `empty` without tick13 (dev seed 179, stain): 101309's light
# tick (the pencil tests find it), 101510's light tick and 101511's pencil tick (only the
# closer look at the score against the emptiest window finds them).
@pytest.mark.parametrize(("index", "others", "k"), [(101309, 3, 2), (101510, 5, 0), (101511, 5, 2)])
def test_drawn_marks_under_marked_and_stained_windows_go_to_review(
    monkeypatch: pytest.MonkeyPatch, index: int, others: int, k: int
) -> None:
    reader, sheet, image = _drawn_sheet(monkeypatch, index, others, True)
    marks = reader.read(image).contests[0].marks
    assert sheet.truth.squares[k].expected == "marked"
    assert (marks[k].mark, marks[k].reason) == ("marginal", "marginal_mark")
    assert marks[k].score < vote11.NEAR_LO
    with switched_off(tick13), switched_off(beside35):  # beside35 (later) reaches 101511 too
        old = reader.read(image).contests[0].marks
    assert old[k].mark == "empty"
    # no other square changes; no truth-empty square leaves `empty`
    assert [m.mark for j, m in enumerate(old) if j != k] == [m.mark for j, m in enumerate(marks) if j != k]
    assert all(
        m.mark == "empty" for m, q in zip(marks, sheet.truth.squares, strict=True) if q.expected == "empty"
    )
