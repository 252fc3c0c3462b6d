"""speed23: grain14's full look computes the floor first and looks for the lines of the paper
only where a segment of each slant sign can reach it; the answer is the reference's
(`grain14.full_look_reference`), bit for bit the same numbers compared.

docs/reading.md, "Twenty-third pass: grain14's full look, the floor first, readings
identical (speed23)"."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_faint22 import X, _blank, _levels
from test_redteam8 import _polylines

from kiosk.reading import faint22, grain14, pencil6


def _tops(ink: np.ndarray, scale: float) -> tuple[float, float, float]:
    """The floor and, per slant sign, the largest map value `whole` allows: what the floor
    is compared with."""
    looked, spread = grain14._slant_maps(ink, scale)
    tops = {True: -math.inf, False: -math.inf}
    for ang, _m, maps in looked:
        for _L, seg, whole in maps:
            if whole.any():
                tops[ang > 0] = max(tops[ang > 0], float(seg[whole].max()))
    return max(grain14.LEVEL, grain14.NOISE * spread), tops[True], tops[False]


@st.composite
def _windows(draw: st.DrawFn) -> tuple[np.ndarray, float]:
    """An ink window as `grain14.ink_window` gives it (side 2 ceil((BORDER_MM + AROUND_MM)
    x scale) + 1, float32, clipped to +-0.2, box-smoothed): paper grain, the printed border,
    printed rules beyond it (MZ-SMD-02's), a faint X or one arm or a tick inside, a line of
    the paper across the whole window."""
    dpi = draw(st.sampled_from([150, 200, 250, 300]))
    scale = dpi / 25.4
    h = int(np.ceil((pencil6.BORDER_MM + grain14.AROUND_MM) * scale))
    n = 2 * h + 1
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ink = rng.normal(0.0, draw(st.floats(0.002, 0.02)), (n, n)).astype(np.float32)
    img = np.zeros((n, n), np.float32)
    c = float(h)
    half = (pencil6.BORDER_MM - 0.5 - 0.15) * scale  # the printed border's middle
    cv2.rectangle(
        img,
        (round(c - half), round(c - half)),
        (round(c + half), round(c + half)),
        draw(st.floats(0.0, 0.8)),
        max(1, round(0.3 * scale)),
    )
    for _ in range(draw(st.integers(0, 3))):  # printed rules beyond the border
        at = draw(st.floats(pencil6.BORDER_MM + 0.3, pencil6.BORDER_MM + grain14.AROUND_MM)) * scale
        at = c + at if draw(st.booleans()) else c - at
        level = draw(st.floats(0.0, 0.6))
        if draw(st.booleans()):
            cv2.line(img, (0, round(at)), (n - 1, round(at)), level, max(1, round(0.25 * scale)))
        else:
            cv2.line(img, (round(at), 0), (round(at), n - 1), level, max(1, round(0.25 * scale)))
    arms = draw(st.sampled_from(["none", "x", "slash", "tick"]))
    level = draw(st.floats(0.0, 0.12))
    width = max(1, round(draw(st.floats(0.2, 0.6)) * scale))
    r = pencil6.INSIDE_MM * scale * draw(st.floats(0.5, 1.2))
    tilt = draw(st.floats(-12.0, 12.0))
    for k, a in enumerate((45.0 + tilt, 135.0 + tilt)):
        if arms == "none" or (arms == "slash" and k == 1):
            break
        t = math.radians(a)
        u = (math.cos(t) * r, math.sin(t) * r)
        p0 = (round(c - u[0]), round(c - u[1]))
        p1 = (round(c + u[0]), round(c + u[1])) if arms != "tick" or k == 0 else (round(c), round(c))
        cv2.line(img, p0, p1, level, width)
    if draw(st.booleans()):  # a line of the paper (a fold, a crease) across the window
        t = math.radians(draw(st.floats(0.0, 180.0)))
        off = draw(st.floats(-c, c))
        px, py = c - math.sin(t) * off, c + math.cos(t) * off
        u = (math.cos(t) * 2 * n, math.sin(t) * 2 * n)
        cv2.line(
            img,
            (round(px - u[0]), round(py - u[1])),
            (round(px + u[0]), round(py + u[1])),
            draw(st.floats(0.0, 0.1)),
            max(1, round(draw(st.floats(0.2, 1.0)) * scale)),
        )
    grain = rng.random((n, n)) < draw(st.floats(0.0, 0.7))  # graphite's breaks
    ink = ink + np.where(grain, 0.0, img).astype(np.float32)
    k = grain14._odd(grain14.SMOOTH_MM * scale)
    smooth = cv2.blur(np.clip(ink, -0.2, 0.2).astype(np.float32), (k, k), borderType=cv2.BORDER_REPLICATE)
    return np.ascontiguousarray(smooth, np.float32), scale


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_windows())
def test_the_full_look_answers_as_the_reference(window: tuple[np.ndarray, float]) -> None:
    """The floor first changes no answer, and the step the proof rests on holds: every
    segment `segments` keeps is at most its sign's largest allowed map value."""
    ink, scale = window
    best, spread = grain14.segments(ink, scale)
    floor, top_pos, top_neg = _tops(ink, scale)
    assert floor == max(grain14.LEVEL, grain14.NOISE * spread)
    for s in best:
        assert s.level <= (top_pos if s.angle > 0 else top_neg)
    assert grain14.full_look(ink, scale) == grain14.full_look_reference(ink, scale)


def _spy_pick(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    real = grain14._pick

    def pick(*a: object) -> list[grain14.Segment]:
        asked.append(1)
        return real(*a)  # type: ignore[arg-type]

    monkeypatch.setattr(grain14, "_pick", pick)
    return asked


def test_a_faint_x_the_pair_finds_still_takes_the_whole_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """faint22's drawn X (MZ-LIST 200 dpi, 0.06 of the light, grain 0.7): both segments reach
    the floor, the lines are looked for, the pair is found, as by the reference; with the
    flag off the same."""
    img, c, s = _blank("MZ-LIST", 200)
    im = _polylines(img, c, s, X, 0.5, 0.06, grain=0.7, seed=22)
    lv = _levels(im, c, s)
    ink = grain14.ink_window(im, np.array(c), s, float(lv.max()), 1.0)
    assert ink is not None
    floor, top_pos, top_neg = _tops(ink, s)
    assert min(top_pos, top_neg) >= floor
    asked = _spy_pick(monkeypatch)
    assert grain14.full_look(ink, s)
    assert asked == [1]
    assert grain14.full_look_reference(ink, s)
    assert faint22.crossing_pair(im, np.array(c), s, lv, 1.0)
    monkeypatch.setattr(grain14, "FLOOR_FIRST", False)
    assert grain14.full_look(ink, s)


def test_on_mz_smd_02_the_print_lifts_the_floor_over_a_faint_x(monkeypatch: pytest.MonkeyPatch) -> None:
    """MZ-SMD-02 (square 1, 200 dpi): the printed rules beside the square lift the spread, so
    an X at 0.12 of the light stays under the floor (faint22: not found on that style); the
    floor-first look says no without looking for lines, as the reference says no."""
    img, c, s = _blank("MZ-SMD-02", 200)
    im = _polylines(img, c, s, X, 0.5, 0.12, grain=0.4, seed=22)
    lv = _levels(im, c, s)
    ink = grain14.ink_window(im, np.array(c), s, float(lv.max()), 1.0)
    assert ink is not None
    floor, top_pos, top_neg = _tops(ink, s)
    assert min(top_pos, top_neg) < floor
    assert max(top_pos, top_neg) >= grain14.LEVEL  # a segment the first look's LEVEL keeps
    asked = _spy_pick(monkeypatch)
    assert not grain14.full_look(ink, s)
    assert asked == []
    assert not grain14.full_look_reference(ink, s)


def test_a_clean_mz_smd_02_square_that_passes_the_first_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """read_ab's MZ-SMD-02 sheet 2 (`make_sheets(style, n, 200, 9)`): miss11 asks the pair of
    a square whose first look passes; the full look says no without the lines (the floor
    0.09, the best segments 0.02), and the reading is the same with the flag off."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election
    from kiosk.reading.reader import BallotReader

    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-SMD-02")
    opt = DeckOptions(dpis=(200,), streak=0.0)  # benchmarks/read.py's make_sheets, sheet 2
    blob = generate_sheet(
        pkg.election, pkg.election_hash, "MZ-SMD-02", 9, 2, opt, layout=layout, with_front=False
    ).back_bytes
    image = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    looks: list[bool] = []
    picks: list[int] = []  # the lines looked for (`_pick` calls) by each full look itself
    real = grain14.full_look

    def full(ink: np.ndarray, scale: float, clear: np.ndarray | None = None) -> bool:
        before = len(asked)
        r = real(ink, scale, clear)  # clear56: the spread clear of print
        picks.append(len(asked) - before)
        assert r == grain14.full_look_reference(ink, scale, clear)
        looks.append(r)
        return r

    monkeypatch.setattr(grain14, "full_look", full)
    asked = _spy_pick(monkeypatch)
    new = reader.read(image)
    assert looks == [False] and picks == [0]
    monkeypatch.setattr(grain14, "FLOOR_FIRST", False)
    old = reader.read(image)
    assert looks == [False, False] and picks == [0, 1]  # the reference looks for the lines
    assert new.to_json() == old.to_json()
