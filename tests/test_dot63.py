"""dot63 (issue 10, session 63): a lone dark dot in a square is a doubt, not a vote. Session 62's
`debris` stress set left a dust clump alone in a square (its hair too light to be seen) read as
a vote; the deck's own truth calls a small dot a doubt (`hesitation_dot`: review)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from test_redteam7 import _scan
from test_redteam8 import Blank, _contest, _polylines, blank  # noqa: F401
from test_run62 import _square

from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
from fieldkit.hook_ab import switched_off
from kiosk.reading import dot63


def test_a_dust_clump_alone_in_an_empty_square_goes_to_review() -> None:
    """Seed 196's debris sheet 375, square 6: a clump 1.7 mm across whose hair is too light
    for fix8's dark pixels, scoring 0.067 (over `marked`)."""
    mark, expected = _square(375, 6)
    assert expected == "empty"
    assert mark.mark == "marginal" and mark.reason == "marginal_mark", mark


def test_without_dot63_the_clump_is_read_as_a_vote() -> None:
    with switched_off(dot63):
        mark, _expected = _square(375, 6)
    assert mark.mark == "marked", mark


def _dot(d_mm: float, x: float = 0.3, y: float = -0.2) -> list[tuple[float, float]]:
    return [(x, y), (x + 0.01, y)]


@pytest.mark.parametrize("d_mm", [1.7, 1.9])
def test_a_drawn_dark_dot_goes_to_review(blank: Blank, d_mm: float) -> None:  # noqa: F811
    """A dark disc 1.7 or 1.9 mm across (a 1.5 mm one scores under `marked` anyway), alone in square 9 of a blank ballot: review
    (`marginal_mark`) with dot63, a vote without it."""
    reader, img, centres, s = blank
    drawn = _polylines(img, centres[9], s, [_dot(d_mm)], d_mm, 0.85)
    c = _contest(reader, drawn)
    assert c.marks[9].mark == "marginal" and c.marks[9].reason == "marginal_mark", c.marks[9]
    with switched_off(dot63):
        c = _contest(reader, drawn)
    assert c.marks[9].mark == "marked", c.marks[9]


def test_votes_that_are_not_dots_stay_votes(blank: Blank) -> None:  # noqa: F811
    """A pen tick, a small pen X (2.4 mm diagonals), a felt tip's short stroke (0.8 mm wide,
    3 mm long) and a grainy pencil tick with a dark clot where the pen rested: each a vote
    with dot63 on (the clot holds too little of the square's ink to be the mark)."""
    reader, img, centres, s = blank
    drawn = _polylines(img, centres[3], s, [[(-1.6, 0.2), (-0.4, 1.6), (1.9, -1.9)]], 0.35, 0.85)
    drawn = _polylines(
        drawn, centres[7], s, [[(-0.85, -0.85), (0.85, 0.85)], [(0.85, -0.85), (-0.85, 0.85)]], 0.35, 0.85
    )
    drawn = _polylines(drawn, centres[11], s, [[(-1.5, 0.5), (1.5, -0.5)]], 0.8, 0.8)
    drawn = _polylines(
        drawn, centres[15], s, [[(-1.6, 0.2), (-0.4, 1.6), (1.9, -1.9)]], 0.45, 0.45, grain=0.5, seed=3
    )
    drawn = _polylines(drawn, centres[15], s, [_dot(0.9, -0.4, 1.6)], 0.9, 0.9)
    c = _contest(reader, drawn)
    for sq in (3, 7, 11, 15):
        assert c.marks[sq].mark == "marked", (sq, c.marks[sq])
    assert c.outcome == "overvote"


def test_a_felt_tip_tick_cut_off_by_the_inside_edge_stays_a_vote() -> None:
    """Seed 198's mixed sheet 1143, square 6: a felt tip's tick drawn mostly outside the square,
    its bottom inside as a thick blob at the inside's edge (0.115). The blob's thick ink runs
    on past the border (`reaches_out`): a vote, as the truth has it."""
    pkg, reader, layouts = _field_setup()
    style = list(layouts)[1143 % len(layouts)]
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], 198, 1143, FieldOptions())
    assert sheet.truth.squares[6].expected == "marked" and sheet.truth.squares[6].kind == "tick"
    marks = [m for c in reader.read_bytes(sheet.image).contests for m in c.marks]
    assert marks[6].mark == "marked", marks[6]


def test_a_dot_at_the_inside_edge_still_goes_to_review(blank: Blank) -> None:  # noqa: F811
    """A dark disc 1.8 mm across touching the inside's edge (its centre 1.6 mm right of the
    middle; the inside reaches 2.3 mm) does not run on past the border: review."""
    reader, img, centres, s = blank
    drawn = _polylines(img, centres[9], s, [_dot(1.8, 1.6, 0.0)], 1.8, 0.85)
    c = _contest(reader, drawn)
    assert c.marks[9].mark == "marginal" and c.marks[9].reason == "marginal_mark", c.marks[9]


def _disc(
    img: np.ndarray, centre: tuple[float, float], s: float, at_mm: tuple[float, float], d_mm: float, k: float
) -> np.ndarray:
    """A dark disc `d_mm` across at `at_mm` from `centre`, taking `k` of the light: drawn 4x
    finer and shrunk by area, blurred 0.05 mm (the scanner's optics), as the helper drew it."""
    r = 9.0
    x0, y0 = int(centre[0] - r * s), int(centre[1] - r * s)
    x1, y1 = int(centre[0] + r * s) + 1, int(centre[1] + r * s) + 1
    h, w = y1 - y0, x1 - x0
    big = np.zeros((h * 4, w * 4), np.uint8)
    c = (round((centre[0] + at_mm[0] * s - x0) * 64), round((centre[1] + at_mm[1] * s - y0) * 64))
    cv2.circle(big, c, round(d_mm / 2 * s * 64), 255, -1, cv2.LINE_AA, 4)
    cover = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    blurred = cv2.GaussianBlur(cover, (0, 0), 0.05 * s).astype(np.float32)
    out = img.copy()
    patch = out[y0:y1, x0:x1].astype(np.float32) * (1 - k * np.clip(blurred, 0, 1))
    out[y0:y1, x0:x1] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)
    return out


def test_a_clump_at_the_edge_at_the_worst_scan_goes_to_review(
    blank: Blank,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A helper's hole (session 63, case 83): a dust clump 2.2 mm across, 0.65 dark, touching the
    inside's edge of square 16, through the worst scan (150 dpi, JPEG 50, 5 degrees). The printed
    border partly survives the opening there as dashes; the clump joined to one measures 2.54 mm,
    under REACH_LONG_MM, so it does not run on and the square goes to review. With the bound at
    the dot's own length (DOT_LONG_MM, as first written) it was read as a vote. Where it stops:
    the same disc drawn without the finer grid joins more of the border (3.9 mm) and stays a vote."""
    reader, img, centres, s = blank
    scanned = _scan(_disc(img, centres[16], s, (0.1, 1.4), 2.19, 0.65))
    c = _contest(reader, scanned)
    assert c.marks[16].mark == "marginal" and c.marks[16].reason == "marginal_mark", c.marks[16]
    monkeypatch.setattr(dot63, "REACH_LONG_MM", dot63.DOT_LONG_MM)
    c = _contest(reader, scanned)
    assert c.marks[16].mark == "marked", c.marks[16]
