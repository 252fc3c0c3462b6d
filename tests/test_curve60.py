"""curve60 (kiosk/reading/curve60.py), built and OFF: with it on, a hair-thin square whose
strokes meet or cross (a fine pen's tick, X or plus) is no longer sent to review by fix8's
width test, and a hair on the glass (one straight or gently curved line) still is; but a hair
with a dust clump or a fibre on it, or two hairs crossing, across an empty square then read as
a vote (session 60's review; `test_why_curve60_is_off`). The tests study the rule as built,
switched on (`_on`), and check that the reader as shipped has it off."""

from __future__ import annotations

import math
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from test_redteam8 import (  # noqa: F401  (blank: the fixture)
    HAIRS,
    Blank,
    _arc,
    _contest,
    _hair,
    _polylines,
    blank,
)

import kiosk.reading.clump60 as clump60
import kiosk.reading.curve60 as curve60
import kiosk.reading.dot63 as dot63
import kiosk.reading.fix8 as fix8

S = 200 / 25.4  # px per mm
N = 121  # the drawn page's side (px); the square's middle at its centre
C = (60.0, 60.0)

X = [[(-2.0, -2.0), (2.0, 2.0)], [(-2.0, 2.0), (2.0, -2.0)]]
TICK = [[(-1.6, 0.2), (-0.4, 1.6), (1.9, -1.9)]]
PLUS = [[(0.0, -2.0), (0.0, 2.0)], [(-2.0, 0.0), (2.0, 0.0)]]
SLASH = [[(-2.2, -1.0), (2.2, 1.5)]]


@pytest.fixture(autouse=True)
def _on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule as built, switched on (the reader ships it off)."""
    monkeypatch.setattr(curve60, "ENABLED", True)


def test_the_reader_ships_it_off() -> None:
    """The module's own switch (this file's fixture sets it on for the others)."""
    source = Path(curve60.__file__).read_text()
    assert re.search(r"^ENABLED = False\b", source, re.M)


def _draw(
    paths: list[list[tuple[float, float]]],
    w_mm: float,
    k: float,
    scale: float = S,
    n: int = N,
    blur: float = 0.6,
    paper: float = 235.0,
) -> np.ndarray:
    """Lines through `paths` (mm from the page's centre) `w_mm` wide (drawn 4x finer and
    averaged down, so a line under a pixel darkens its pixels in part), taking `k` of the
    light, then the scanner's blur (`blur` px)."""
    ss, c = 4, n // 2
    layer = np.zeros((n * ss, n * ss), np.float32)
    for p in paths:
        pts = (np.asarray(p) * scale + c + 0.5) * ss - 0.5
        pl = np.round(pts * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(layer, [pl], False, 1.0, max(1, round(w_mm * scale * ss)), cv2.LINE_AA, 4)
    small: np.ndarray = cv2.resize(layer, (n, n), interpolation=cv2.INTER_AREA)
    img = cv2.GaussianBlur(paper * (1 - k * np.clip(small, 0, 1)), (0, 0), blur)
    out: np.ndarray = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    return out


@pytest.mark.parametrize("paths", [X, TICK, PLUS], ids=["x", "tick", "plus"])
def test_a_fine_pens_strokes_meeting_are_not_a_hair(paths: list[list[tuple[float, float]]]) -> None:
    """A fine pen's X, tick or plus (0.15-0.2 mm lines at 200 dpi) measures hair-thin
    (under fix8.HAIR_MM) and lies well off one curve: with curve60 fix8 does not take it
    for a hair; without it, it did."""
    for w in (0.15, 0.2):
        img = _draw(paths, w, 0.8)
        assert fix8.stroke_width(img, C, S, 235.0, 1.0) < fix8.HAIR_MM  # type: ignore[operator]
        dark = fix8._dark(img, C, S, 235.0, 1.0)
        assert dark is not None
        off = curve60.off_curve(dark, S)
        assert off is not None and off >= curve60.CURVE_MM, (w, off)
        assert not fix8.hair_thin(img, C, S, 235.0, 1.0)
        assert not fix8.hair_thin_numpy(img, C, S, 235.0, 1.0)
        curve60.ENABLED = False
        try:
            assert fix8.hair_thin(img, C, S, 235.0, 1.0)
        finally:
            curve60.ENABLED = True


def test_a_single_hair_thin_slash_is_still_a_hair() -> None:
    """One straight hair-thin line (a hair, or a voter's single fine slash: the commission
    looks) lies on one curve and stays hair-thin."""
    img = _draw(SLASH, 0.15, 0.8)
    dark = fix8._dark(img, C, S, 235.0, 1.0)
    assert dark is not None
    off = curve60.off_curve(dark, S)
    assert off is not None and off < 0.1
    assert fix8.hair_thin(img, C, S, 235.0, 1.0)


def _glass_hair(rng: np.random.Generator, hairs: int) -> tuple[np.ndarray, float]:
    """A hair (or `hairs` of them) on the scanner's glass across the page's middle: an arc
    of radius 2-40 mm (log-uniform: an eyelash's curl to a near-straight hair), 12 mm long,
    0.04-0.18 mm thick, 0.5-0.9 of the light, passing within 2 mm of the middle; 0-5 dust
    specks (0.03-0.2 mm radius) anywhere; 150-300 dpi, the scanner's blur, sensor noise
    and JPEG at quality 50-95. (image, px per mm)."""
    dpi = rng.uniform(150, 300)
    s = dpi / 25.4
    n = int(8 * s) * 2 + 1
    c = n // 2
    paper = rng.uniform(200, 245)
    layer = np.zeros((n, n), np.float32)
    for _ in range(hairs):
        r = math.exp(rng.uniform(math.log(2.0), math.log(40.0)))
        w, k = rng.uniform(0.04, 0.18), rng.uniform(0.5, 0.9)
        px, py = rng.uniform(-2, 2, 2)
        a = rng.uniform(0, 2 * math.pi)
        t = a + np.linspace(-6 / r, 6 / r, 200)
        ox, oy = px - r * math.cos(a), py - r * math.sin(a)
        pts = np.stack([ox + r * np.cos(t), oy + r * np.sin(t)], 1) * s + c
        big = np.zeros((n * 4, n * 4), np.float32)
        pl = np.round(pts * 4 * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(big, [pl], False, 1.0, max(1, round(w * s * 4)), cv2.LINE_AA, 4)
        thin = min(1.0, w * s * 4)  # a line under the drawing's pixel darkens it in part
        line = cv2.resize(big, (n, n), interpolation=cv2.INTER_AREA) * thin
        layer = np.maximum(layer, k * np.clip(line, 0, 1))
    for _ in range(int(rng.integers(0, 6))):
        x, y = rng.uniform(0, n, 2)
        r_px = max(1, int(rng.uniform(0.03, 0.2) * s * 16))
        cv2.circle(layer, (int(x * 16), int(y * 16)), r_px, float(rng.uniform(0.3, 0.85)), -1, cv2.LINE_AA, 4)
    img = cv2.GaussianBlur(paper * (1 - np.clip(layer, 0, 0.95)), (0, 0), rng.uniform(0.3, 0.9))
    img = np.clip(img + rng.normal(0, rng.uniform(0, 4), img.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(50, 96))])
    assert ok
    decoded = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    assert decoded is not None
    return np.asarray(decoded, np.uint8), s


def test_hairs_on_the_glass_lie_on_one_curve() -> None:
    """400 hairs as `_glass_hair` makes them (seeded): every one is one curve, off it by
    at most 0.8 of CURVE_MM (the margin: the largest of 3,000 such, dust included, was
    0.165 mm, benchmarks/results/pass60/)."""
    rng = np.random.default_rng(60)
    worst = 0.0
    judged = 0
    for _ in range(400):
        img, s = _glass_hair(rng, 1)
        at = (img.shape[1] // 2, img.shape[0] // 2)
        paper = float(np.percentile(img, 90))
        dark = fix8._dark(img, (float(at[0]), float(at[1])), s, paper, 1.0)
        if dark is None:
            continue
        off = curve60.off_curve(dark, s)
        judged += 1
        assert off is None or off < 0.8 * curve60.CURVE_MM, off
        worst = max(worst, off or 0.0)
        assert curve60.one_curve(dark, s)
    assert judged >= 350 and worst > 0.05  # the hairs were there to judge


@pytest.mark.xfail(strict=True, reason="curve60: two hairs crossing in one square make an X")
def test_two_hairs_crossing_in_a_square_stay_hair_like() -> None:
    """Where it stops: two straight hairs (0.1 mm, 0.85) crossing at 70 degrees in the
    square make an X, which a fine pen's X also is; curve60 lets it stand (the square reads
    as the rules before fix8 read it). Kept as a strict xfail: the day a test tells them
    apart (the hairs run on far beyond the square), this turns."""
    a = [(-2.5 * math.cos(0.3), -2.5 * math.sin(0.3)), (2.5 * math.cos(0.3), 2.5 * math.sin(0.3))]
    b = [(-2.5 * math.cos(1.52), -2.5 * math.sin(1.52)), (2.5 * math.cos(1.52), 2.5 * math.sin(1.52))]
    img = _draw([a, b], 0.1, 0.85)
    assert fix8.stroke_width(img, C, S, 235.0, 1.0) < fix8.HAIR_MM  # type: ignore[operator]
    assert fix8.hair_thin(img, C, S, 235.0, 1.0)


def test_the_red_teams_hairs_still_go_to_review(blank: Blank) -> None:  # noqa: F811
    """The eighth pass's hairs (arcs of 3-5 mm radius across an empty square of a blank
    ballot) are one curve each and still go to review, not a vote."""
    reader = blank[0]
    for h in HAIRS:
        c = _contest(reader, _hair(blank, *h))
        assert c.outcome != "vote" and c.marks[h[0]].mark == "marginal", c.marks[h[0]]


def test_nothing_long_is_nothing_to_judge() -> None:
    """Specks only (no feature LONG_MM long): no curve to measure, hair-thin as before."""
    img = np.full((N, N), 235, np.uint8)
    for x, y in ((50, 52), (66, 58), (58, 70), (62, 48), (54, 64), (70, 66)):
        cv2.circle(img, (x, y), 1, 60, -1)
    dark = fix8._dark(img, C, S, 235.0, 1.0)
    assert dark is not None
    assert curve60.off_curve(dark, S) is None and curve60.one_curve(dark, S)


def test_lines_side_by_side_are_not_strokes_meeting(blank: Blank) -> None:  # noqa: F811
    """A fingerprint's ridges or hairs side by side (2-4 concentric arcs 0.35-0.9 mm apart,
    radius 3-30 mm, 0.1-0.12 mm thick) across an empty square: each is one curve, or the
    closing joins them into a band that runs one way; curve60 reads every square as fix8
    had it (session 60's attack: with each feature pooled, 9 of 1,040 such cases turned
    `marked`)."""
    reader = blank[0]
    _, img, centres, s = blank
    for n in (2, 3, 4):
        for gap in (0.35, 0.6, 0.9):
            for r in (3.0, 8.0, 30.0):
                paths = [_arc(r + i * gap, 7.0, 30, -1.0 - i * gap) for i in range(n)]
                for w, k in ((0.12, 0.85), (0.1, 0.6)):
                    for sq in (20, 5):
                        im = _polylines(img, centres[sq], s, paths, w, k)
                        on = _contest(reader, im).marks[sq]
                        curve60.ENABLED = False
                        try:
                            off = _contest(reader, im).marks[sq]
                        finally:
                            curve60.ENABLED = True
                        assert on.mark == off.mark, (n, gap, r, w, k, sq, on, off)


def test_aligned_tells_crossing_arms_from_lines_side_by_side() -> None:
    """`aligned`: an X's pixels run two ways at right angles (near 0); three lines side by
    side, joined into one band 4 mm long, one way (0.74: the band's ends run across); a
    tick's between, under ALIGNED_MAX."""

    def feature(paths: list[list[tuple[float, float]]]) -> np.ndarray:
        dark = fix8._dark(_draw(paths, 0.2, 0.8), C, S, 235.0, 1.0)
        assert dark is not None
        feats = curve60.long_features(dark, S)
        return max(feats, key=len)

    band = [[(-2.0, -1.0 + 0.3 * i), (2.0, -1.0 + 0.3 * i)] for i in range(3)]
    assert curve60.aligned(feature(X), S) < 0.15
    assert curve60.aligned(feature(band), S) > curve60.ALIGNED_MAX + 0.15
    assert 0.15 < curve60.aligned(feature(TICK), S) < curve60.ALIGNED_MAX


def _line(a: tuple[float, float], b: tuple[float, float], n: int = 40) -> list[tuple[float, float]]:
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in np.linspace(0, 1, n)]


def test_why_curve60_is_off(blank: Blank, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Session 60's review (a helper's attack on the rule as built): the red team's hair
    across empty square 23 of a blank ballot, with a dust clump (a disc 0.62 mm in radius,
    grey 50) on it, with a 2.9 mm fibre touching it, or with a second straight hair crossing
    it. fix8 sends each to review; with curve60 on, each is a vote for the square's
    candidate: a clump is round, so its pixels run every way (`aligned` low), and a fibre or
    a hair crossing makes a T or an X as a fine pen does. Hence OFF. (clump60, built after,
    sends the clump case to review on its own: it is off here, to show curve60's doing; so is
    session 63's dot63, which takes the clump as a dot.)"""
    monkeypatch.setattr(clump60, "ENABLED", False)
    monkeypatch.setattr(dot63, "ENABLED", False)
    reader, img, centres, s = blank
    sq, r, length, a, off, w, k = HAIRS[0]
    h = _arc(r, length, a, off)
    clump = _polylines(img, centres[sq], s, [h], w, k).astype(np.float32)
    p = h[30]
    at = (centres[sq][0] + (p[0] + 0.12) * s, centres[sq][1] + p[1] * s)
    cv2.circle(clump, (int(at[0] * 16), int(at[1] * 16)), int(0.62 * s * 16), 50.0, -1, cv2.LINE_AA, 4)
    q = h[29]
    fibre = _line(q, (q[0] + 2.89 * math.cos(0.91), q[1] + 2.89 * math.sin(0.91)))
    d, o = (math.cos(0.82), math.sin(0.82)), -0.6
    n = (-d[1], d[0])
    second = _line((o * n[0] - 7 * d[0], o * n[1] - 7 * d[1]), (o * n[0] + 7 * d[0], o * n[1] + 7 * d[1]))
    cases = {
        "clump": clump.astype(np.uint8),
        "fibre": _polylines(img, centres[sq], s, [h, fibre], w, k),
        "two hairs": _polylines(img, centres[sq], s, [h, second], w, k),
    }
    for name, im in cases.items():
        on = _contest(reader, im)
        curve60.ENABLED = False
        try:
            shipped = _contest(reader, im)
        finally:
            curve60.ENABLED = True
        assert shipped.outcome == "review" and shipped.marks[sq].reason == "possible_stain", (name, shipped)
        assert on.outcome == "vote" and on.marks[sq].mark == "marked", (name, on.marks[sq])
