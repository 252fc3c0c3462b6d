"""bands20 (issue 10, twentieth pass): the reader's bands at the top of `_interpret` (the doubt
band, pencil6's wider band, pencil7's low band, faint9's ring lines, vote11, miss11, grain14,
tick13, rebase14, low15, edge16) in one compiled call, `kernels.side_bands`, with the same
answers as each band's own function (`reader.side_bands_apart`, speed19's code;
`reference.side_bands_reference`). docs/reading.md, "Twentieth pass: ... (bands20)"."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import (
    edge16,
    faint9,
    grain14,
    kernels,
    low15,
    miss11,
    pencil6,
    pencil7,
    rebase14,
    tick13,
    vote11,
)
from kiosk.reading import reader as reader_module
from kiosk.reading.reader import Scores, side_bands, side_bands_apart, window_geometry
from kiosk.reading.reference import side_bands_reference

MARGINAL = 0.02  # Thresholds().marginal
# every threshold a band compares a score with, and a hair either side of each
EDGES = [
    -0.0138,
    -0.003,
    0.0,
    0.003,
    0.004,
    0.006,
    0.008,
    0.010,
    0.018,
    MARGINAL,
    0.05,
]
SCORE = st.one_of(
    st.floats(-0.03, 0.06),
    st.sampled_from(EDGES),
    st.sampled_from(EDGES).map(lambda v: float(np.nextafter(v, -1.0))),
    st.sampled_from(EDGES).map(lambda v: float(np.nextafter(v, 1.0))),
)


def _page(rng: np.random.Generator, h: int, w: int, centres: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Paper with grain and shading, each square's printed border, and in some squares a
    faint stroke, a tick beside it, a dark dot or a crease."""
    base = float(rng.uniform(150, 245))
    page = np.full((h, w), base, np.float32)
    page += rng.normal(0, float(rng.uniform(0.3, 4.0)), (h, w)).astype(np.float32)
    page += np.linspace(0, float(rng.uniform(-25, 25)), w, dtype=np.float32)[None, :]
    for (cx, cy), s in zip(centres.tolist(), scales.tolist(), strict=True):
        half = (TARGET - TARGET_STROKE) / 2 * s
        p0 = (round(cx - half), round(cy - half))
        p1 = (round(cx + half), round(cy + half))
        cv2.rectangle(page, p0, p1, float(base * 0.25), max(1, round(TARGET_STROKE * s)))
        kind = int(rng.integers(0, 6))
        # mostly light pencil: 0.03-0.06 of the paper (pencil7's and miss11's contrasts), some darker
        dark = float(base * (rng.uniform(0.55, 0.9) if rng.random() < 0.3 else rng.uniform(0.9, 0.97)))
        a = (round(cx + rng.uniform(-2, 2) * s), round(cy + rng.uniform(-2, 2) * s))
        reach = 4.0 if rng.random() < 0.5 else 1.2  # a long stroke or a short one (an X's broken arms)
        b = (round(a[0] + rng.uniform(-reach, reach) * s), round(a[1] + rng.uniform(-reach, reach) * s))
        if kind == 1:  # a faint stroke inside or across
            cv2.line(page, a, b, dark, max(1, round(rng.uniform(0.2, 0.6) * s)))
        elif kind == 2:  # a light X
            cv2.line(page, a, b, dark, 1)
            cv2.line(page, (a[0], b[1]), (b[0], a[1]), dark, 1)
        elif kind == 3:  # a dark dot
            cv2.circle(page, a, max(1, round(0.3 * s)), float(base * 0.3), -1)
        elif kind == 4:  # a crease across the window
            cv2.line(page, (0, a[1]), (w - 1, b[1]), dark, 1)
    out: np.ndarray = np.clip(page, 0, 255).astype(np.uint8)
    return out


def _inputs(seed: int, n: int, scale: float, edge: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, w = int(80 * scale), int(60 * scale)
    if edge:  # squares at or beyond the image's edge
        centres = np.column_stack(
            [rng.uniform(-3 * scale, w + 3 * scale, n), rng.uniform(-3 * scale, h + 3 * scale, n)]
        )
    else:
        centres = np.column_stack(
            [rng.uniform(8 * scale, w - 8 * scale, n), rng.uniform(8 * scale, h - 8 * scale, n)]
        )
    scales = scale * rng.uniform(0.97, 1.03, n)
    return _page(rng, h, w, centres, scales), centres, scales


def _answer(bands: Any) -> list[list[Any]]:
    return [[v if v is None or isinstance(v, str) else bool(v) for v in row] for row in bands]


def _scores(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, sc: list[float], gain: float
) -> Scores:
    half, ring, _ = window_geometry(scales) if len(scales) else (20, 4, 0.0)
    _, paper = kernels.window_local_ink(image, centres, half, ring, gain)
    return Scores(np.array(sc, np.float64), paper, half, ring, gain, 19.0 * scales * scales)


def _same(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, marginal: float
) -> None:
    fast = side_bands(image, centres, scales, scores, marginal)
    apart = side_bands_apart(image, centres, scales, scores, marginal)
    assert _answer(fast) == _answer(apart)
    assert _answer(side_bands_reference(image, centres, scales, scores, marginal)) == _answer(apart)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    sc=st.lists(SCORE, min_size=1, max_size=14),  # a side has squares (the old bands fail on none)
    dpi=st.integers(150, 300),
    gain=st.floats(1.0, 1.6),
    edge=st.booleans(),
    marginal=st.sampled_from([MARGINAL, 0.015, 0.03]),
)
def test_side_bands_equal_the_bands_apart(
    seed: int, sc: list[float], dpi: int, gain: float, edge: bool, marginal: float
) -> None:
    scale = dpi / 25.4
    n = len(sc)
    image, centres, scales = _inputs(seed, n, scale, edge)
    rng = np.random.default_rng(seed + 1)
    if n and rng.random() < 0.3:  # ties at the side's lowest (low15's first of equal lowest)
        sc[int(rng.integers(0, n))] = min(sc)
    _same(image, centres, scales, _scores(image, centres, scales, sc, gain), marginal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    sc=st.lists(SCORE, min_size=1, max_size=10),
    dpi=st.sampled_from([150, 200, 250, 300]),
    levels=st.lists(st.sampled_from([1.0, 40.0, 180.0, 200.0, 201.0, 255.0]), min_size=4, max_size=4),
)
def test_side_bands_on_given_side_levels(seed: int, sc: list[float], dpi: int, levels: list[float]) -> None:
    """Side levels the ring did not measure: equal, far apart (faint9's share), at 1."""
    scale = dpi / 25.4
    image, centres, scales = _inputs(seed, len(sc), scale, False)
    half, ring, _ = window_geometry(scales)
    paper = np.tile(np.array(levels), (len(sc), 1))
    scores = Scores(np.array(sc), paper, half, ring, 1.1, 19.0 * scales * scales)
    _same(image, centres, scales, scores, MARGINAL)


SWITCHES = [pencil7, faint9, vote11, miss11, grain14, tick13, rebase14, low15, edge16]


@pytest.mark.parametrize("module", SWITCHES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_side_bands_with_a_hook_switched_off(module: Any) -> None:
    for seed in range(6):
        sc = [-0.02, -0.002, 0.0005, 0.005, 0.007, 0.009, 0.012, 0.03][: 3 + seed]
        image, centres, scales = _inputs(seed, len(sc), 200 / 25.4, False)
        scores = _scores(image, centres, scales, sc, 1.1)
        with switched_off(module):
            _same(image, centres, scales, scores, MARGINAL)


def test_side_bands_with_constants_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The constants are read at each call: grain14's low band on, vote11 without its faint
    gate, line6's pen doubt from 0, a wider band from 0.005."""
    monkeypatch.setattr(grain14, "LOW_BAND", True)
    monkeypatch.setattr(vote11, "FAINT_GATE", False)
    monkeypatch.setattr(reader_module, "PEN_DOUBT_LO", 0.0)
    monkeypatch.setattr(pencil6, "LOOK_FROM", 0.005)
    for seed in range(8):
        sc = [-0.02, -0.002, 0.0005, 0.005, 0.007, 0.009, 0.012, 0.03]
        image, centres, scales = _inputs(seed, len(sc), 250 / 25.4, seed % 2 == 1)
        _same(image, centres, scales, _scores(image, centres, scales, sc, 1.2), MARGINAL)


def test_a_non_finite_input_goes_the_bands_way() -> None:
    image, centres, scales = _inputs(3, 4, 200 / 25.4, False)
    for bad in (np.nan, np.inf, -np.inf):
        scores = _scores(image, centres, scales, [0.001, bad, -0.02, 0.012], 1.1)
        params = reader_module.band_params(MARGINAL, scores.gain)
        rows = kernels.side_bands(
            image, centres, scales, scores.scores, scores.paper, scores.half, scores.ring, params
        )
        assert rows.shape == (0, 4)
        _same(image, centres, scales, scores, MARGINAL)
        paper = scores.paper.copy()
        paper[2, 1] = bad
        _same(
            image,
            centres,
            scales,
            Scores(np.array([0.001, 0.0, -0.02, 0.012]), paper, 20, 4, 1.1, scales),
            MARGINAL,
        )


def test_a_spy_on_a_band_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests spy on `reader.doubt_band` (readkit): with a band function replaced, the bands
    are asked apart, the spy among them."""
    image, centres, scales = _inputs(5, 6, 200 / 25.4, False)
    scores = _scores(image, centres, scales, [0.001, 0.03, -0.02, 0.012, 0.005, 0.0], 1.1)
    seen: list[int] = []
    real = reader_module.doubt_band

    def spy(*a: Any) -> Any:
        seen.append(1)
        return real(*a)

    monkeypatch.setattr(reader_module, "doubt_band", spy)
    _same(image, centres, scales, scores, MARGINAL)
    assert seen


def test_the_rows_are_the_bands() -> None:
    assert kernels.BANDS_ROWS[:5] == ("look", "wide", "low", "ring_line", "under")
    assert len(kernels.BANDS_ROWS) == 12
    assert len(reader_module.band_params(MARGINAL, 1.0)) == kernels.BP_SIZE


def test_light_strokes_through_the_low_bands() -> None:
    """Strokes swept from 0.03 to 0.07 of the paper, scored in pencil7's low band (0.005)
    and in miss11's (0.002): the same answers, and the low band's and miss11's gates each
    pass some of them (the sweep reaches them, where the random pages seldom do)."""
    seen = {"low": 0, "short": 0, "foot": 0}
    for dpi in (150, 200, 250, 300):
        scale = dpi / 25.4
        n = 9
        rng = np.random.default_rng(dpi)
        h, w = int(30 * scale), int(30 * scale * n)
        page = np.full((h, w), 220.0, np.float32) + rng.normal(0, 0.8, (h, w)).astype(np.float32)
        centres = np.array([[(15 + 30 * k) * scale, 15 * scale] for k in range(n)])
        scales = np.full(n, scale)
        for k, (cx, cy) in enumerate(centres.tolist()):
            half = (TARGET - TARGET_STROKE) / 2 * scale
            cv2.rectangle(
                page,
                (round(cx - half), round(cy - half)),
                (round(cx + half), round(cy + half)),
                55.0,
                max(1, round(TARGET_STROKE * scale)),
            )
            dark = 220.0 * (0.97 - 0.005 * k)
            arm = 1.0 if k % 2 else 2.2  # a short arm (an X's) or a long stroke
            a = (round(cx - arm * scale), round(cy - arm * scale))
            b = (round(cx + arm * scale), round(cy + arm * scale))
            cv2.line(page, a, b, dark, max(1, round(0.35 * scale)))
            if k % 3 == 2:  # a tick's foot over the bottom border
                cv2.line(
                    page,
                    (round(cx), round(cy + 1.8 * scale)),
                    (round(cx + 3 * scale), round(cy + 6 * scale)),
                    150.0,
                    2,
                )
        image = np.clip(page, 0, 255).astype(np.uint8)
        for score in (0.002, 0.005, 0.007):
            scores = _scores(image, centres, scales, [score] * n, 1.1)
            _same(image, centres, scales, scores, MARGINAL)
            bands = side_bands(image, centres, scales, scores, MARGINAL)
            seen["low"] += sum(map(bool, bands.low))
            seen["short"] += bands.never.count("short")
            seen["foot"] += bands.never.count("foot")
    assert all(seen.values()), seen
