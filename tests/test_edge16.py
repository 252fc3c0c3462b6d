"""edge16 (issue 10): a light pencil tick across the square's corner, most of it outside the
square, that scores under the doubt band and that no test asked about read `empty`
(edge15's drawn family). With edge16 such a square goes to review when the quadrant of the
window's frame its arms cross stands out and a faint straight stroke crosses that corner's
region without running on across the sheet; without it, `empty`. docs/reading.md,
"Sixteenth pass: a tick across the square's corner that the fast path let go (edge16)"."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import beside35, edge16, wide38
from kiosk.reading.reader import BallotReader

sys.path.insert(0, str(Path(__file__).parent))
from readkit import field_sheet

S = 8.0  # px per mm
C = 112  # the square's centre, px (the image reaches 14 mm from it: FAR_MM's 10 mm and the side rows)
HALF = round(4.2 * S)
RING = round(0.5 * S)
PAPER = 235.0
GAIN = 1.2


def _paper(seed: int) -> np.ndarray:
    """Grey paper with grain and a printed 6 mm square at the middle."""
    rng = np.random.default_rng(seed)
    im = rng.normal(PAPER, 2.0, (2 * C, 2 * C)).astype(np.float32)
    h = round(3.0 * S)
    cv2.rectangle(im, (C - h, C - h), (C + h, C + h), 40.0, max(1, round(0.35 * S)))
    return im


def _stroke(im: np.ndarray, pts: list[tuple[float, float]], dark: float, seed: int = 0) -> None:
    """A light pencil stroke 0.5 mm wide through `pts` (mm from the square's centre), `dark`
    of the light, with graphite's grain (55-100 % covered)."""
    mask = np.zeros(im.shape, np.float32)
    p = np.array([[(C + x * S) * 16, (C + y * S) * 16] for x, y in pts], np.int32).reshape(-1, 1, 2)
    cv2.polylines(mask, [p], False, 1.0, max(1, round(0.5 * S)), cv2.LINE_AA, 4)
    mask *= np.random.default_rng(100 + seed).uniform(0.55, 1.0, mask.shape).astype(np.float32)
    im *= 1.0 - dark * cv2.GaussianBlur(mask, (0, 0), 0.1 * S)


def _line(p: tuple[float, float], deg: float, a: float, b: float) -> list[tuple[float, float]]:
    """The straight stroke through `p` (mm) slanted `deg` up to the right, from `a` to `b` mm
    along it."""
    ux, uy = float(np.cos(np.radians(deg))), -float(np.sin(np.radians(deg)))
    return [(p[0] + a * ux, p[1] + a * uy), (p[0] + b * ux, p[1] + b * uy)]


def _asked(im: np.ndarray) -> bool:
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    levels = np.full(4, PAPER)
    return edge16.corner_tick(u8, np.array([float(C), float(C)]), S, levels, GAIN, HALF, RING)


def _tick(im: np.ndarray, dark: float, seed: int = 0, offset: float = 0.4, size: float = 1.1) -> None:
    """The deck's tick (0.1, 0.55) - (0.4, 0.88) - (0.95, 0.05) of a 6 mm square, `size` times
    the square, offset `offset` of the square down and right: the vertex about 2 mm below the
    square, the long arm past the lower-right corner."""
    pts = [
        (((u - 0.5) * size + offset) * 6.0, ((v - 0.5) * size + offset) * 6.0)
        for u, v in [(0.1, 0.55), (0.4, 0.88), (0.95, 0.05)]
    ]
    _stroke(im, pts, dark, seed)


def test_a_light_tick_across_the_corner_is_asked_and_blank_paper_is_not() -> None:
    for seed in range(3):
        im = _paper(seed)
        assert not _asked(im)
        _tick(im, 0.12, seed)
        assert _asked(im)
        with switched_off(edge16):
            assert not _asked(im)


def test_a_small_tick_hugging_the_corner_is_left_alone() -> None:
    # where it stops: its arms outside the square are shorter than a segment clear of the
    # printed border and its side rows (the wider band's pencil tests are its only chance)
    im = _paper(3)
    _tick(im, 0.12, 3, offset=0.3, size=0.8)
    assert not _asked(im)


def test_the_gate_names_the_ticks_quadrant() -> None:
    im = _paper(4)
    _tick(im, 0.15)
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    q = edge16.quadrants(u8, np.array([float(C), float(C)]), S, HALF, RING, np.full(4, PAPER), GAIN)
    assert edge16.corner(q) == 3  # bottom-right
    blank = np.clip(_paper(4), 0, 255).astype(np.uint8)
    q0 = edge16.quadrants(blank, np.array([float(C), float(C)]), S, HALF, RING, np.full(4, PAPER), GAIN)
    assert edge16.corner(q0) is None


def test_a_crease_through_the_corner_runs_on_and_is_not_asked() -> None:
    for seed in range(3):
        im = _paper(10 + seed)
        # a faint straight line 50 degrees from the rows across the whole neighbourhood,
        # through the lower-right corner's region (a crease runs on across the sheet)
        _stroke(im, _line((3.6, 3.9), 50.0, -13.0, 13.0), 0.12, seed)
        u8 = np.clip(im, 0, 255).astype(np.uint8)
        q = edge16.quadrants(u8, np.array([float(C), float(C)]), S, HALF, RING, np.full(4, PAPER), GAIN)
        assert edge16.corner(q) is not None  # the gate lets it through ...
        assert not _asked(im)  # ... the line's run beyond the square does not


def test_the_same_stroke_stopping_near_the_square_is_an_arm() -> None:
    im = _paper(20)
    _stroke(im, _line((3.6, 3.9), 50.0, -3.0, 3.0), 0.12)  # the crease's line, 6 mm long
    assert _asked(im)


def test_a_stain_in_the_corner_is_not_an_arm() -> None:
    for seed in range(3):
        im = _paper(30 + seed)
        yy, xx = np.mgrid[0 : 2 * C, 0 : 2 * C].astype(np.float32)
        r = np.hypot(xx - (C + 5.0 * S), yy - (C + 5.5 * S)) / S
        im *= 1.0 - 0.15 * np.clip(3.0 - r, 0.0, 1.0)  # a drop's smooth darkening, 3 mm round
        u8 = np.clip(im, 0, 255).astype(np.uint8)
        q = edge16.quadrants(u8, np.array([float(C), float(C)]), S, HALF, RING, np.full(4, PAPER), GAIN)
        assert edge16.corner(q) == 3
        assert not _asked(im)


def test_a_stroke_slanted_along_the_rows_is_not_looked_at() -> None:
    im = _paper(40)
    _stroke(im, [(1.0, 4.2), (9.0, 5.0)], 0.2)  # 6 degrees from the rows, under the square
    assert not _asked(im)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cx=st.floats(-1.5, 1.5),
    cy=st.floats(-1.5, 1.5),
    levels=st.lists(st.floats(150.0, 255.0), min_size=4, max_size=4),
    gain=st.floats(0.8, 1.6),
    scale=st.floats(5.5, 12.0),
)
def test_quadrants_agree_with_their_reference(
    seed: int, cx: float, cy: float, levels: list[float], gain: float, scale: float
) -> None:
    rng = np.random.default_rng(seed)
    half = round(4.2 * scale)
    ring = max(1, round(0.5 * scale))
    im = rng.integers(60, 256, (2 * half + 9, 2 * half + 9), dtype=np.uint8)
    centre = np.array([half + 4.0 + cx, half + 4.0 + cy])
    lv = np.array(levels)
    fast = edge16.quadrants(im, centre, scale, half, ring, lv, gain)
    ref = edge16.quadrants_reference(im, centre, scale, half, ring, lv, gain)
    assert np.allclose(fast, ref, rtol=1e-9, atol=1e-9)


def _drawn_sheet(dpi: int, style: str, n: int) -> tuple[np.ndarray, dict[int, str]]:
    """edge15-drawn's sheet (benchmarks/results/pass16/edge16-sheets.py.txt, `drawn_sheet`)."""
    e = sample_election()
    h = election_hash(e)
    opt = dataclasses.replace(DeckOptions.clean(), dpis=(dpi,), blur=True, noise=True)
    s = dpi / 25.4
    layout = build_layout(e, h, style)
    sheet = generate_sheet(e, h, style, 700 + n, dpi, opt, with_front=False)
    img = sheet.back.copy()
    mx, my = canvas_margins(round(layout.height_mm * s), round(layout.width_mm * s), opt, s)
    rng = np.random.default_rng(dpi * 1000 + n * 10 + len(style))
    drawn: dict[int, str] = {}
    cand = [
        k
        for k, q in enumerate(sheet.truth.squares)
        if q.expected == "empty" and sheet.truth.squares[k].kind == "none"
    ]
    for j, k in enumerate(cand[n % 2 :: 2]):
        t = layout.targets[k]
        size = t.box.w * s
        x0, y0 = mx + t.box.x * s, my + t.box.y * s
        corner = j % 4
        sx, sy = (1.0 if corner in (0, 3) else -1.0), (1.0 if corner in (0, 1) else -1.0)
        dx, dy = sx * rng.uniform(0.3, 0.45), sy * rng.uniform(0.3, 0.45)
        sc = rng.uniform(0.8, 1.4)
        pen = rng.random() < 0.25
        pts = []
        for u, v in [(0.1, 0.55), (0.4, 0.88), (0.95, 0.05)]:
            uu = 0.5 + (u - 0.5) * sc + rng.uniform(-0.08, 0.08) + dx
            vv = 0.5 + (v - 0.5) * sc + rng.uniform(-0.08, 0.08) + dy
            pts.append([(x0 + uu * size) * 16, (y0 + vv * size) * 16])
        mask: np.ndarray = np.zeros(img.shape, np.float32)
        width = max(1, round(rng.uniform(0.4, 0.7) * s))
        cv2.polylines(mask, [np.array(pts, np.int32).reshape(-1, 1, 2)], False, 1.0, width, cv2.LINE_AA, 4)
        if pen:
            dark = rng.uniform(0.6, 0.8)
        else:
            dark = rng.uniform(0.12, 0.30)
            mask *= rng.uniform(0.55, 1.0, mask.shape).astype(np.float32)
        mask = cv2.GaussianBlur(mask, (0, 0), 0.1 * s)
        img = np.clip(img.astype(np.float32) * (1.0 - dark * mask), 0, 255).astype(np.uint8)
        drawn[k] = "pen" if pen else f"pencil {dark:.2f}"
    return img, drawn


def test_drawn_edge_ticks_go_to_review_only_with_edge16() -> None:
    # edge15's drawn family, 200 dpi, MZ-SMD-02, sheet 1: four light pencil ticks read
    # `empty` by main (scores 0.009-0.017, no look), sent to review by edge16; the fifth
    # (square 21) stays `empty` (its arm is under LEVEL); no undrawn square changes.
    img, drawn = _drawn_sheet(200, "MZ-SMD-02", 1)
    e = sample_election()
    reader = BallotReader(e, election_hash(e), keep_crops="never")
    # beside35 and wide38 (later) reach some of these too: edge16 alone here
    with switched_off(beside35), switched_off(wide38):
        after = reader.read(img.copy()).contests[0].marks
        with switched_off(edge16):
            before = reader.read(img.copy()).contests[0].marks
    for k in (1, 9, 13, 33):
        assert k in drawn and drawn[k].startswith("pencil")
        assert before[k].mark == "empty"
        assert (after[k].mark, after[k].reason) == ("marginal", "marginal_mark")
    assert before[21].mark == after[21].mark == "empty"
    changed = {k for k, (a, b) in enumerate(zip(after, before, strict=True)) if a.mark != b.mark}
    assert changed == {1, 9, 13, 33}


def test_a_stained_and_a_creased_empty_square_stay_empty() -> None:
    # seed 140 --always stain, sheet 188, square 4: an empty square under a stain whose window's
    # quadrant stands out 1.2 mm2 (the gate lets it through); seed 105 sheet 235 square 0: an
    # empty square a crease crosses at 65 degrees (its arm is 0.15, but the line runs on).
    for seed, index, always, k in ((140, 188, ("stain",), 4), (105, 235, (), 0)):
        reader, sheet, image = field_sheet(seed, index, always)
        assert sheet.truth.squares[k].expected == "empty"
        after = reader.read(image.copy()).contests[0].marks
        with switched_off(edge16):
            before = reader.read(image.copy()).contests[0].marks
        assert after[k].mark == "empty"
        assert [m.mark for m in after] == [m.mark for m in before]
