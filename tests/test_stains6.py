"""Thumb prints in the closer look (issue 10, sixth pass, branch stain6): an empty square
under a thumb print's ridges reads `empty` (it went to the commission before), and a mark
under the same thumb print is still counted or sent to the commission, never read `empty`.
Real field sheets (`fieldkit.conditions`, development seed 106, the mixed corpus), read by
the real reader; and `stains6.ridge_measures` against its slow reference."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readkit import darken, read_looked_at

from fieldkit.conditions import FieldOptions, generate_field_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import empty8, stains6  # empty8: eighth pass
from kiosk.reading.model import SideReading
from kiosk.reading.reader import BallotReader
from kiosk.reading.reference import ridge_measures_reference

SEED = 106
# (sheet index, square): an empty square under a thumb print, its ridges over the whole
# window (556/0 at 200 dpi, 1235/7 at 300 dpi: the crossing-line rule took a ridge for a
# line and the next ridge for a faint stroke beside it) or the print's edge across it
# (1031/2 at 250 dpi: a faint stroke inside). All three went to the commission
# (`marginal_mark`) at main (3da80b6).
THUMBS = [(556, 0), (1235, 7), (1031, 2)]


@pytest.fixture(scope="module")
def setup() -> tuple[BallotReader, Any]:
    pkg = load_election(None)
    return BallotReader(pkg.election, pkg.election_hash, keep_crops="never"), pkg


_SHEETS: dict[int, np.ndarray] = {}


def _thumbed(
    setup: tuple[BallotReader, Any], index: int, square: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[np.ndarray, SideReading, tuple[float, float], float, float]:
    """The sheet's image, its reading, the square's centre, px per mm and fast score."""
    r, pkg = setup
    if index not in _SHEETS:
        styles = [s.id for s in pkg.election.styles]
        layout = build_layout(pkg.election, pkg.election_hash, styles[index % len(styles)])
        sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, SEED, index, FieldOptions())
        assert sheet.truth.squares[square].expected == "empty"
        assert "stain" in sheet.square_conditions[square]
        image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None
        _SHEETS[index] = image
    image = _SHEETS[index]
    reading, look, calls = read_looked_at(r, image, monkeypatch)
    assert look[square], "the thumb print must bring the square to the closer look"
    centre, scale, fast = calls[sum(look[:square])]
    return image, reading, centre, scale, fast


@pytest.mark.parametrize(("index", "square"), THUMBS)
def test_empty_square_under_a_thumb_print_reads_empty(
    setup: tuple[BallotReader, Any], index: int, square: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ridges score well over `marginal` and look like strokes, but they run through
    the margin and beyond as through the square, and blurred out they leave nothing:
    `empty`. Without the rule (RIDGE_PEAK 0: nothing is explained) the same square goes
    to the commission, as at main."""
    _, reading, _, _, fast = _thumbed(setup, index, square, monkeypatch)
    m = reading.contests[0].marks[square]
    assert fast >= setup[0].thresholds.marginal
    assert m.mark == "empty", m
    assert m.score < setup[0].thresholds.marginal
    monkeypatch.setattr(stains6, "RIDGE_PEAK", 0.0)
    monkeypatch.setattr(empty8, "ENABLED", False)  # empty8 (eighth pass) settles it too
    image = _SHEETS[index]
    without, _, _ = read_looked_at(setup[0], image, monkeypatch)
    assert without.contests[0].marks[square].mark == "marginal"


def _mark(
    kind: str, shape: tuple[int, int], centre: tuple[float, float], s: float
) -> tuple[np.ndarray, float]:
    """A voter's mark at the square (centre, px/mm): its mask and how much of the light
    it leaves."""
    mask = np.zeros(shape, np.float32)
    cx, cy = centre

    def p(u: float, v: float) -> tuple[int, int]:
        return round(cx + u * s), round(cy + v * s)

    if kind == "light_pencil_tick":  # HB pencil, light: 0.8 of the light, 0.5 mm
        cv2.polylines(
            mask, [np.array([p(-1.8, 0.0), p(-0.4, 1.6), p(2.0, -2.0)])], False, 1.0, max(1, round(0.5 * s))
        )
        return cv2.GaussianBlur(mask, (0, 0), 0.2 * s), 0.8
    if kind == "grainy_pencil_slash":  # graphite's grain: 35-100 % of 0.15, 0.4 mm wide
        cv2.line(mask, p(-1.9, 1.5), p(1.9, -1.5), 1.0, max(1, round(0.4 * s)))
        grain = np.random.default_rng(7).uniform(0.35, 1.0, shape).astype(np.float32)
        return cv2.GaussianBlur(mask, (0, 0), 0.15 * s) * grain, 0.85
    if kind == "light_pencil_cross":  # 0.8 of the light, 0.4 mm
        cv2.line(mask, p(-1.8, -1.8), p(1.8, 1.8), 1.0, max(1, round(0.4 * s)))
        cv2.line(mask, p(1.8, -1.8), p(-1.8, 1.8), 1.0, max(1, round(0.4 * s)))
        return cv2.GaussianBlur(mask, (0, 0), 0.2 * s), 0.8
    if kind == "pencil_dot":  # a pencil's hesitation dot, 1 mm, half the light
        cv2.circle(mask, p(0.3, -0.2), max(1, round(0.5 * s)), 1.0, -1)
        return cv2.GaussianBlur(mask, (0, 0), 0.15 * s), 0.5
    if kind == "hesitation_dot":  # a pen's dot, 1 mm
        cv2.circle(mask, p(0.3, -0.2), max(1, round(0.5 * s)), 1.0, -1)
        return cv2.GaussianBlur(mask, (0, 0), 0.15 * s), 0.15
    if kind == "smooth_fill":  # a light fill without grain, stopping at the printed border
        cv2.rectangle(mask, p(-2.6, -2.6), p(2.6, 2.6), 1.0, -1)
        return cv2.GaussianBlur(mask, (0, 0), 0.2 * s), 0.85
    if kind == "edge_tick":  # a pen tick mostly outside the square, right of it
        cv2.polylines(
            mask, [np.array([p(2.2, 0.5), p(3.2, 2.0), p(5.5, -2.5)])], False, 1.0, max(1, round(0.5 * s))
        )
        return cv2.GaussianBlur(mask, (0, 0), 0.2 * s), 0.2
    if kind == "pen_cross":
        cv2.line(mask, p(-2.0, -2.0), p(2.0, 2.0), 1.0, max(1, round(0.5 * s)))
        cv2.line(mask, p(2.0, -2.0), p(-2.0, 2.0), 1.0, max(1, round(0.5 * s)))
        return cv2.GaussianBlur(mask, (0, 0), 0.15 * s), 0.15
    raise ValueError(kind)


@pytest.mark.parametrize(("index", "square"), THUMBS)
@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        ("light_pencil_tick", {"marked", "marginal"}),
        ("grainy_pencil_slash", {"marked", "marginal"}),
        ("light_pencil_cross", {"marked", "marginal"}),
        ("pencil_dot", {"marked", "marginal"}),
        ("hesitation_dot", {"marginal"}),
        ("smooth_fill", {"marked", "marginal"}),
        ("edge_tick", {"marked", "marginal"}),
        ("pen_cross", {"marked"}),
    ],
)
def test_mark_under_a_thumb_print_is_not_read_empty(
    setup: tuple[BallotReader, Any],
    index: int,
    square: int,
    kind: str,
    allowed: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same squares with a voter's mark drawn under the thumb print (light and grainy
    pencil, a pencil dot, a smooth light fill, a pen tick mostly outside the square, a pen
    cross): counted or sent to the commission; a pen's hesitation dot always to the
    commission. (A light pencil tick drawn as far outside, 0.75 of the light, reads
    `empty` on 1031/2 with or without this rule: it scores under `marginal`.)"""
    image, _, centre, s, _ = _thumbed(setup, index, square, monkeypatch)
    mask, factor = _mark(kind, image.shape, centre, s)
    reading, _, _ = read_looked_at(setup[0], darken(image, mask, factor), monkeypatch)
    m = reading.contests[0].marks[square]
    assert m.mark in allowed, (kind, m)
    assert math.isfinite(m.score)


EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(
    scale=st.sampled_from([3.0, 4.0, 5.5]),
    ridge=st.integers(0, 40),
    period=st.floats(0.4, 1.0),
    stroke=st.integers(0, 80),
    border=st.booleans(),
    edge=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_ridge_measures_agree_with_reference(
    scale: float, ridge: int, period: float, stroke: int, border: bool, edge: bool, seed: int
) -> None:
    """Windows under a thumb print's ridges (any depth and spacing), with or without a
    stroke, the printed border and scanner noise, the zone left out or a whole corner of
    the weight missing: the blur, the closing and every measure agree with the pixel-by-
    pixel reference."""
    rng = np.random.default_rng(seed)
    half = round(4.2 * scale)
    e = math.ceil(stains6.RIDGE_CLOSE_MM * scale) + math.ceil(3 * stains6.RIDGE_SIGMA_MM * scale) + 1
    n = 2 * (half + e) + 1
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    c = (n - 1) / 2 + rng.uniform(-0.5, 0.5)
    r = np.hypot(xx - c - rng.uniform(-20, 20), yy - c - rng.uniform(-20, 20))
    grey = 230.0 - ridge * (0.7 + 0.3 * np.sin(2 * math.pi * r / (period * scale)))
    if stroke:
        mask = np.zeros((n, n), np.float32)
        cv2.line(mask, (int(c - 2 * scale), int(c + scale)), (int(c + 2 * scale), int(c - 2 * scale)), 1.0, 2)
        grey -= stroke * mask
    box = np.maximum(np.abs(xx - c), np.abs(yy - c))
    if border:
        grey[(box >= 2.65 * scale) & (box <= 3.0 * scale)] = 20.0
    grey += rng.normal(0, 2, grey.shape)
    ext = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    inside = box <= 2.3 * scale
    zone = ~inside & (box <= 3.5 * scale)
    window = box <= half
    weight = window & ~zone
    if edge:
        weight[: n // 3, : n // 3] = False
    margin = window & ~inside & ~zone
    strokes = np.where(inside | margin, rng.uniform(-0.05, 0.2, (n, n)), np.nan)
    strokes[inside & (box > 2.0 * scale)] = np.nan
    den = 21.0 * scale * scale
    fast = stains6.ridge_measures(ext, weight, inside, margin, strokes, scale, 1.08, den)
    ref = ridge_measures_reference(ext, weight, inside, margin, strokes, scale, 1.08, den)
    got = (
        fast.peak,
        fast.inside,
        fast.outside,
        fast.texture_in,
        fast.texture_out,
        fast.stroke_in,
        fast.stroke_out,
    )
    assert np.allclose(got, ref, rtol=0, atol=1e-9), (got, ref)
