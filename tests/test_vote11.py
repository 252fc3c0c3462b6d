"""vote11 (issue 10): seed 9900 sheet 12127's light pencil tick (c02, score -0.0001, just under
the doubt band, ring sides even) goes to review, never decided; read `empty` with the rule
off (the untouched run's reading); faint9.second_chance is not what catches it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fieldkit.conditions import FieldOptions, generate_field_sheet
from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import faint9, rebase14, vote11
from kiosk.reading.reader import BallotReader


@pytest.fixture(scope="module")
def sheet_12127() -> tuple[BallotReader, np.ndarray, int]:
    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[12127 % len(styles)])
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, 9900, 12127, FieldOptions())
    image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    k = [t.option for t in layout.targets].index("c02")
    assert sheet.truth.squares[k].kind == "light_pencil"
    return BallotReader(pkg.election, pkg.election_hash, keep_crops="never"), image, k


def test_tick_goes_to_review(sheet_12127: tuple[BallotReader, np.ndarray, int]) -> None:
    reader, image, k = sheet_12127
    contest = reader.read(image).contests[0]
    m = contest.marks[k]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark")
    assert vote11.NEAR_LO <= m.score < 0.0
    assert contest.outcome != "blank"
    # every other square of the sheet (truth: empty) stays `empty`
    assert [x.mark for j, x in enumerate(contest.marks) if j != k] == ["empty"] * (len(contest.marks) - 1)


def test_rule_off_reads_empty(sheet_12127: tuple[BallotReader, np.ndarray, int]) -> None:
    reader, image, k = sheet_12127
    # rebase14 catches it too (a baseline 0.047 over the emptiest window): switched off here
    # (tests/test_rebase14.py asks it alone)
    with switched_off(vote11), switched_off(rebase14):
        contest = reader.read(image).contests[0]
    assert contest.marks[k].mark == "empty"
    assert contest.outcome == "blank"


def test_not_faint9(sheet_12127: tuple[BallotReader, np.ndarray, int]) -> None:
    """faint9's gate is not met (ring sides alike): with faint9 off the rule still sends it."""
    reader, image, k = sheet_12127
    with switched_off(faint9):
        assert reader.read(image).contests[0].marks[k].mark == "marginal"


def test_band_bounds() -> None:
    """Only scores in [NEAR_LO, 0) are in the band; nothing at all when not ENABLED."""
    image = np.full((200, 200), 210, np.uint8)
    image[78:122, 99:101] = 170  # a faint stroke, 3.7 mm long, in every square's inside
    centres = np.array([[100.0, 100.0]] * 4)
    scales = np.full(4, 11.8)
    scores = np.array([vote11.NEAR_LO - 1e-4, vote11.NEAR_LO, -1e-4, 0.0])
    paper = np.full((4, 4), 210.0)
    assert vote11.band(image, centres, scales, scores, paper, 1.0) == [False, True, True, False]
    with switched_off(vote11):
        assert vote11.band(image, centres, scales, scores, paper, 1.0) == [False] * 4


# Attack: the same tick at 150-250 dpi (the scan resampled) and beside a dark band (grey 150,
# 1.2 mm wide) in the ring's left side (faint9's case) or 5 mm away: never read `empty`.
@pytest.mark.parametrize(
    ("factor", "band_mm"), [(0.833, None), (0.667, None), (0.5, None), (1.0, 3.5), (0.5, 5.0)]
)
def test_attack_tick_beside_band(
    sheet_12127: tuple[BallotReader, np.ndarray, int], factor: float, band_mm: float | None
) -> None:
    reader, image, k = sheet_12127
    img = image.copy()
    cx, scale = 477.66, 11.6  # c02's centre and pixels per mm at 300 dpi
    if band_mm is not None:
        x1 = int(cx - band_mm * scale)
        x0 = int(x1 - 1.2 * scale)
        img[:, x0:x1] = np.minimum(img[:, x0:x1], 150)
    if factor != 1.0:
        img = cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    m = reader.read(img).contests[0].marks[k]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark")
