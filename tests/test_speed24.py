"""speed24: two exact shortcuts under miss11's foot gate, readings identical.

- grain14's gate (`spread_inside`): its two percentiles by one np.partition
  (`grain14._gate_percentiles`), np.percentile's values to the bit;
- faint9's joined strokes (`joined_strokes`, asked by cross16.joined_near): no search where
  the inside holds fewer pixels at TRACE_FAINT than any run the search goes on to judge
  (`faint9.joined_need`).

docs/reading.md, "Twenty-fourth pass: ... readings identical (speed24)"."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cross16 import PLUS, X, _blank, _levels
from test_redteam8 import _polylines
from test_speed23 import _windows as _ink_windows

from kiosk.reading import clear56, crop, cross16, faint9, grain14, pencil6

# --- grain14's gate -----------------------------------------------------------------------------


def _same_bits(got: tuple[float, float], want: np.ndarray) -> bool:
    g = np.array(got, np.float64)
    return bool(np.array_equal(g, want, equal_nan=True) and (np.signbit(g) == np.signbit(want)).all())


_VALUES = st.one_of(
    st.sampled_from([0.0, -0.0, 0.01, -0.01, 0.2, -0.2, 0.03, 1e-8, np.inf, -np.inf]),
    st.floats(-0.25, 0.25, width=32),
    st.floats(width=32, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(
    h=st.integers(1, 40),
    w=st.integers(1, 40),
    values=st.lists(_VALUES, min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_gate_percentiles_are_numpys(h: int, w: int, values: list[float], seed: int) -> None:
    """On float32 windows of any size built from a few values (ties, zeros of both signs,
    infinities) the partition's two values are np.percentile(part, [50, 95])'s, bit for bit;
    a window of one value goes np.percentile's way (None)."""
    rng = np.random.default_rng(seed)
    part = np.array(values, np.float32)[rng.integers(0, len(values), (h, w))]
    with np.errstate(invalid="ignore"):
        got = grain14._gate_percentiles(part)
        want = np.percentile(part, [50, 95])
    if h * w < 2:
        assert got is None
    else:
        assert got is not None and _same_bits(got, want)


def test_gate_percentiles_leave_a_nan_and_other_dtypes_to_numpy() -> None:
    part = np.zeros((5, 5), np.float32)
    part[2, 2] = np.nan
    assert grain14._gate_percentiles(part) is None
    assert grain14._gate_percentiles(np.zeros((5, 5), np.float64)) is None
    ink = np.zeros((101, 101), np.float32)
    ink[50, 50] = np.nan
    assert grain14.spread_inside(ink, 7.87) == grain14.spread_inside_reference(ink, 7.87) is False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ink_windows())
def test_the_gate_answers_as_the_reference(window: tuple[np.ndarray, float]) -> None:
    """speed23's ink windows (grain, the printed border and rules, faint X's, arms, ticks, a
    line of the paper, 150-300 dpi): the same two numbers, the same answer."""
    ink, scale = window
    n = ink.shape[0]
    c = (n - 1) // 2
    r = int(pencil6.INSIDE_MM * scale)
    part = ink[c - r : c + r + 1, c - r : c + r + 1]
    got = grain14._gate_percentiles(part)
    assert got is not None and _same_bits(got, np.percentile(part, [50, 95]))
    assert grain14.spread_inside(ink, scale) == grain14.spread_inside_reference(ink, scale)


def test_the_gate_still_passes_a_faint_x_and_not_plain_paper() -> None:
    """cross16's light X (MZ-SMD-02, 200 dpi, 0.15 of the light) passes the gate, plain paper
    (the same window's ink with the square's inside set to its median) does not, with and
    without the partition (a gate that said one answer to all would pass the identity tests
    above only by luck)."""
    img, c, s = _blank(200)
    im = _polylines(img, c, s, X, 0.6, 0.15, grain=0.4, seed=16)
    lv = _levels(im, c, s)
    ink = grain14.ink_window(im, np.array(c), s, float(lv.max()), 1.0)
    assert ink is not None
    assert grain14.spread_inside(ink, s) is True
    assert grain14.spread_inside_reference(ink, s) is True
    n = ink.shape[0]
    m, r = (n - 1) // 2, int(pencil6.INSIDE_MM * s)
    flat = ink.copy()
    flat[m - r : m + r + 1, m - r : m + r + 1] = np.float32(0.004)
    assert grain14.spread_inside(flat, s) is False
    assert grain14.spread_inside_reference(flat, s) is False


# --- faint9's joined strokes --------------------------------------------------------------------


@settings(max_examples=2000, deadline=None)
@given(
    n=st.integers(4, 100_000),  # `pencil6.runs` keeps runs of 4 pixels or more
    scale=st.floats(0.5, 40.0),
    length=st.floats(faint9.JOINED_LEN_MM, 100.0),
)
def test_a_run_the_search_judges_has_the_pixels_joined_need_asks(n: int, scale: float, length: float) -> None:
    """The step the shortcut rests on, in the search's own float64 arithmetic: a run of n
    pixels whose width (`pencil6.runs`: n / (scale scale) / max(length, 1e-6)) exceeds
    JOINED_WIDE_MM at a length of JOINED_LEN_MM or more has at least `joined_need` pixels."""
    width = n / (scale * scale) / max(length, 1e-6)
    if width > faint9.JOINED_WIDE_MM:
        assert n >= faint9.joined_need(scale)


def _inside_count(image: np.ndarray, centre: tuple[float, float], s: float, paper: float) -> int:
    got = crop.around(image, centre, int((pencil6.BORDER_MM + pencil6.TRACE_AROUND_MM) * s))
    assert got is not None
    win, xs, ys = got
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= pencil6.INSIDE_MM * s
    c = pencil6.trace_contrast(win, s, paper, 1.0)
    return int(np.count_nonzero(c[inside] >= pencil6.TRACE_FAINT))


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    real = clear56.trace_spread  # session 56: faint9's spread is taken here (one search, one call)

    def spread(*a: Any) -> float:
        asked.append(1)
        return real(*a)

    monkeypatch.setattr(clear56, "trace_spread", spread)
    return asked


@pytest.mark.parametrize(
    ("dpi", "paths", "width", "k", "grain"),
    [
        (300, X, 0.6, 0.15, 0.0),
        (200, X, 0.6, 0.15, 0.4),
        (150, X, 0.6, 0.15, 0.4),
        (300, PLUS, 0.6, 0.15, 0.4),
    ],
)
def test_a_joined_cross_is_still_found(
    monkeypatch: pytest.MonkeyPatch,
    dpi: int,
    paths: list[list[tuple[float, float]]],
    width: float,
    k: float,
    grain: float,
) -> None:
    """cross16's light crosses (its test's own drawings): the inside holds the pixels, the
    search runs and finds the cross, as with the shortcut off."""
    img, c, s = _blank(dpi)
    im = _polylines(img, c, s, paths, width, k, grain=grain, seed=16)
    lv = _levels(im, c, s)
    assert _inside_count(im, c, s, float(lv.max())) >= faint9.joined_need(s)
    asked = _spy(monkeypatch)
    assert cross16.joined_near(im, np.array(c), s, lv, 1.0)
    assert asked
    monkeypatch.setattr(faint9, "JOINED_COUNT_FIRST", False)
    assert cross16.joined_near(im, np.array(c), s, lv, 1.0)


def test_a_clean_square_is_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean MZ-SMD-02 square at 150-300 dpi: no pixel count for a run, no spread taken, no
    run labelled; the answer (no) is the search's."""
    asked = _spy(monkeypatch)
    for dpi in (150, 200, 300):
        img, c, s = _blank(dpi)
        lv = _levels(img, c, s)
        assert _inside_count(img, c, s, float(lv.max())) < faint9.joined_need(s)
        assert not faint9.joined_strokes(img, np.array(c), s, lv, 1.0)
    assert asked == []
    monkeypatch.setattr(faint9, "JOINED_COUNT_FIRST", False)
    for dpi in (150, 200, 300):
        img, c, s = _blank(dpi)
        assert not faint9.joined_strokes(img, np.array(c), s, _levels(img, c, s), 1.0)
    assert len(asked) == 3


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dpi=st.sampled_from([150, 200, 300]),
    strokes=st.lists(
        st.tuples(st.floats(-7.0, 7.0), st.floats(-7.0, 7.0), st.floats(-7.0, 7.0), st.floats(-7.0, 7.0)),
        min_size=0,
        max_size=3,
    ),
    width=st.sampled_from([0.15, 0.3, 0.6, 1.0, 1.6]),
    k=st.floats(0.02, 0.35),
    grain=st.sampled_from([0.0, 0.4, 0.7]),
    seed=st.integers(0, 3),
    paper_shift=st.integers(-15, 15),
)
def test_joined_strokes_answers_as_without_the_count(
    dpi: int,
    strokes: list[tuple[float, float, float, float]],
    width: float,
    k: float,
    grain: float,
    seed: int,
    paper_shift: int,
) -> None:
    """Light strokes of any width drawn anywhere in and around a square (crossings, V's,
    blobs, lines beside it), in graphite's grain, the paper level moved: `joined_strokes`
    answers as with JOINED_COUNT_FIRST off."""
    img, c, s = _blank(dpi)
    im = _polylines(img, c, s, [[(a, b), (p, q)] for a, b, p, q in strokes], width, k, grain=grain, seed=seed)
    lv = _levels(im, c, s) + paper_shift
    cen = np.array(c)
    fast = faint9.joined_strokes(im, cen, s, lv, 1.0)
    faint9.JOINED_COUNT_FIRST = False
    try:
        slow = faint9.joined_strokes(im, cen, s, lv, 1.0)
    finally:
        faint9.JOINED_COUNT_FIRST = True
    assert fast == slow


def test_a_clean_sheet_reads_the_same_with_both_shortcuts_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """read_ab's MZ-SMD-02 sheet 2 (`make_sheets(style, n, 200, 9)`), whose square miss11's
    foot gate lets through: the same reading with both shortcuts off."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election
    from kiosk.reading.reader import BallotReader

    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-SMD-02")
    opt = DeckOptions(dpis=(200,), streak=0.0)
    blob = generate_sheet(
        pkg.election, pkg.election_hash, "MZ-SMD-02", 9, 2, opt, layout=layout, with_front=False
    ).back_bytes
    image = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    gates: list[bool] = []
    real = grain14.spread_inside
    # speed47's compiled gate asks neither ink_window nor spread_inside; this test is speed24's
    monkeypatch.setattr(grain14, "COMPILED_GATE", False)

    def gate(ink: np.ndarray, scale: float) -> bool:
        r = real(ink, scale)
        gates.append(r)
        return r

    monkeypatch.setattr(grain14, "spread_inside", gate)
    new = reader.read(image)
    assert gates  # the gate was asked
    monkeypatch.setattr(grain14, "PARTITION_GATE", False)
    monkeypatch.setattr(faint9, "JOINED_COUNT_FIRST", False)
    old = reader.read(image)
    assert gates[: len(gates) // 2] == gates[len(gates) // 2 :]
    assert new.to_json() == old.to_json()
    assert math.isfinite(new.contests[0].marks[0].score)
