"""clear56 (issue 10): the wider band's pencil tests measure the paper's spread clear of print.
On MZ-SMD-02 the row rules 2 mm beyond the printed border lie in the paper each test takes its
spread from, and raise the floor its faint runs must reach: light ticks, slashes and X's the same
tests find on MZ-LIST were read `empty` there (session 55's attack, pass55/smdblind55-*). Clear
of print, the spread is the plain paper's, these marks go to review, and a blank sheet stays
blank. docs/reading.md, "Session 56: ... (clear56)"."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cross28 import TICK
from test_faint22 import _blank
from test_redteam8 import _polylines
from test_review9 import _line
from test_speed23 import _windows

from fieldkit.hook_ab import switched_off
from kiosk.ballots.layout import TARGET
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import blank65, clear56, crop, faint37, grain14, pencil6
from kiosk.reading.reader import BallotReader


@pytest.fixture(autouse=True)
def _on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule's own behaviour, whatever the shipped flags."""
    monkeypatch.setattr(clear56, "ENABLED", True)
    monkeypatch.setattr(clear56, "TESTS", frozenset({"pencil6", "pencil7", "fix8", "faint9", "grain14"}))


@pytest.fixture(scope="module")
def reader() -> BallotReader:
    e = sample_election()
    return BallotReader(e, election_hash(e), keep_crops="never")


def _draw(
    img: np.ndarray,
    c: tuple[float, float],
    s: float,
    paths: list[list[tuple[float, float]]],
    k: float,
    seed: int,
) -> np.ndarray:
    """test_redteam8's graphite line through `paths` (mm from `c`), 0.5 mm wide, taking `k` of
    the light, grain 0.7, drawn on a 20 mm window so the grain is that window's own random field
    (session 55's sweep, smdblind55-sweep)."""
    h = round(10 * s)
    x0, y0 = round(c[0]) - h, round(c[1]) - h
    out = img.copy()
    win = img[y0 : y0 + 2 * h, x0 : x0 + 2 * h]
    out[y0 : y0 + 2 * h, x0 : x0 + 2 * h] = _polylines(
        win, (c[0] - x0, c[1] - y0), s, paths, 0.5, k, 0.7, seed
    )
    return out


def _x(a: float, length: float) -> list[list[tuple[float, float]]]:
    return [_line(a, length, 0.0), _line(a + 90, length, 0.0)]


def _spreads(img: np.ndarray, c: tuple[float, float], s: float) -> tuple[float, float]:
    """pencil6.pencil_near's spread of square 1's surroundings: the whole region's, clear of print's."""
    got = crop.around(img, c, int((TARGET / 2 + pencil6.TRACE_AROUND_MM) * s))
    assert got is not None
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    region = box > pencil6.BORDER_MM * s
    con = pencil6.trace_contrast(win, s, 255.0, 1.0)
    with switched_off(clear56):
        whole = clear56.trace_spread("pencil6", con, region, s)
    return whole, clear56.trace_spread("pencil6", con, region, s)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_the_row_rules_leave_the_spread_clear_of_print(dpi: int) -> None:
    """MZ-SMD-02's rules lift the spread a quarter or more; clear of them it is MZ-LIST's, whose
    square has no print near it (there both agree)."""
    smd_whole, smd_clear = _spreads(*_blank("MZ-SMD-02", dpi))
    list_whole, list_clear = _spreads(*_blank("MZ-LIST", dpi))
    assert smd_clear <= 0.8 * smd_whole
    assert list_clear == pytest.approx(list_whole, rel=0.01)
    assert smd_clear <= 1.25 * list_whole


# Light pencil on MZ-SMD-02 read `empty` before (session 55's sweep) and found by the wider band
# with the spread clear of print: (dpi, paths, k, grain seed).
FOUND = [
    (150, [TICK[0]], 0.07, 1),
    (150, [_line(45, 5.5, 0.0)], 0.07, 2),
    (150, _x(25, 5.0), 0.07, 3),
    (150, _x(45, 5.5), 0.07, 1),
    (200, _x(15, 5.0), 0.11, 2),
    (200, [_line(45, 5.5, 0.0)], 0.07, 3),
]


@pytest.mark.parametrize(("dpi", "paths", "k", "seed"), FOUND)
def test_light_pencil_on_the_smd_style_goes_to_review(
    reader: BallotReader, dpi: int, paths: list[list[tuple[float, float]]], k: float, seed: int
) -> None:
    img, c, s = _blank("MZ-SMD-02", dpi)
    im = _draw(img, c, s, paths, k, seed)
    mark = reader.read(im).contests[0].marks[1]
    assert (mark.mark, mark.reason) == ("marginal", "marginal_mark")
    # blank65 (session 65): the contest is otherwise blank, and its faint squares asked again
    # on lower floors find some of these too
    with switched_off(clear56), switched_off(blank65):
        assert reader.read(im).contests[0].marks[1].mark == "empty"


@pytest.mark.parametrize("style", ["MZ-SMD-02", "MZ-LIST", "AST-SMD-07", "AST-LIST"])
@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_a_blank_back_stays_blank(reader: BallotReader, style: str, dpi: int) -> None:
    img, _c, _s = _blank(style, dpi)
    marks = [m.mark for ct in reader.read(img.copy()).contests for m in ct.marks]
    assert marks and set(marks) == {"empty"}


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(20, 60),
    scale=st.sampled_from([150 / 25.4, 200 / 25.4, 300 / 25.4]),
    seed=st.integers(0, 2**31 - 1),
    nan=st.booleans(),
)
def test_print_near_is_the_contrast_over_print_grown(n: int, scale: float, seed: int, nan: bool) -> None:
    """Print is where the trace contrast reaches faint37.PRINT, grown by PRINT_CLEAR_MM +
    TRACE_SMOOTH_MM (a disc); a NaN is not print."""
    rng = np.random.default_rng(seed)
    c = rng.random((n, n)) * 0.2
    if nan:
        c[rng.random((n, n)) < 0.1] = np.nan
    r = max(1, math.ceil((faint37.PRINT_CLEAR_MM + pencil6.TRACE_SMOOTH_MM) * scale))
    on = np.argwhere(np.nan_to_num(c, nan=0.0) >= faint37.PRINT)
    yy, xx = np.mgrid[0:n, 0:n]
    inner = np.zeros((n, n), bool)
    outer = np.zeros((n, n), bool)
    for y, x in on:  # the obvious way: the discs about each print pixel
        d2 = (yy - y) ** 2 + (xx - x) ** 2
        inner |= d2 <= (r - 1) ** 2
        outer |= d2 <= (r + 0.5) ** 2
    got = clear56.print_near(c, scale)
    assert not (inner & ~got).any()  # within r - 1 of print: always print
    assert not (got & ~outer).any()  # beyond r + 0.5 of all print: never


def test_a_rule_is_print_and_a_stains_even_body_is_not() -> None:
    """A 0.3 mm rule darker than the paper on both sides is print; an even darker area (a
    stain's body: its contrast near 0 inside) is not, but its edge may be."""
    s = 200 / 25.4
    win = np.full((80, 80), 240, np.uint8)
    win[:, 10:12] = 60  # a rule
    win[20:70, 40:75] = 150  # a stain's body, 0.375 darker
    c = pencil6.trace_contrast(win, s, 240.0, 1.0)
    near = clear56.print_near(c, s)
    assert near[:, 11].all()
    assert not near[35:55, 50:65].any()


def test_the_spread_clear_of_print_is_used_and_never_raised() -> None:
    """Print over part of the region: the spread over the clear part where it is the lower;
    the whole region's where leaving the print out would raise it; the whole region's under
    CLEAR_SHARE clear or with the switch off."""
    rng = np.random.default_rng(5)
    s = 200 / 25.4
    region = np.ones((80, 80), bool)
    con = rng.random((80, 80)) * 0.01  # plain paper's contrast
    con[:, 20] = 0.5  # a rule
    con[:, 30:40] = rng.random((80, 10)) * 0.1  # the rule's blur beside it: wide
    con[:, 25] = 0.5
    clear = region & ~clear56.print_near(con, s)
    assert 0.25 < clear.mean() < 0.9
    whole = pencil6.paper_spread(con[region])
    lower = pencil6.paper_spread(con[clear])
    assert lower < whole
    assert clear56.trace_spread("fix8", con, region, s) == lower
    with switched_off(clear56):
        assert clear56.trace_spread("fix8", con, region, s) == whole
    assert clear56.trace_spread("grain14", con, region, s) == lower  # each test by its name
    flat = rng.random((80, 80)) * 0.02  # wide paper
    flat[:, 15:35] = float(np.median(flat))  # the print's even surroundings: the deviation lowered
    flat[:, 20] = 0.5
    flat[:, 25] = 0.5
    clear = region & ~clear56.print_near(flat, s)
    assert pencil6.paper_spread(flat[clear]) > pencil6.paper_spread(flat[region])
    assert clear56.trace_spread("fix8", flat, region, s) == pencil6.paper_spread(flat[region])
    con[:, ::4] = 0.5  # print over most of the window: under CLEAR_SHARE clear
    assert (region & ~clear56.print_near(con, s)).mean() < clear56.CLEAR_SHARE
    assert clear56.trace_spread("fix8", con, region, s) == pencil6.paper_spread(con[region])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(window=_windows(), cut=st.integers(0, 4))
def test_grain14_with_clear_paper_the_fast_look_is_the_reference(
    window: tuple[np.ndarray, float], cut: int
) -> None:
    """full_look with a `clear` map answers as full_look_reference with it (speed23's shortcut
    holds with clear56's spread), with a band of print across 0-4 quarters of the window."""
    ink, s = window
    clear = np.ones(ink.shape, np.float32)
    clear[: cut * ink.shape[0] // 4, :] = 0.0
    assert grain14.full_look(ink, s, clear) == grain14.full_look_reference(ink, s, clear)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(window=_windows(), rows=st.integers(0, 8))
def test_grain14_share_falls_back_to_every_segment(window: tuple[np.ndarray, float], rows: int) -> None:
    """grain14's spread with `share`: every segment's where under CLEAR_SHARE of them lie wholly
    on the clear paper (none clear among them), else the lesser of every segment's and the
    clear segments' (faint37's spread, `share` None); all clear: every segment's."""
    ink, s = window
    _l, whole = grain14._slant_maps(ink, s)
    _l2, none_clear = grain14._slant_maps(ink, s, np.zeros(ink.shape, np.float32), clear56.CLEAR_SHARE)
    _l3, all_clear = grain14._slant_maps(ink, s, np.ones(ink.shape, np.float32), clear56.CLEAR_SHARE)
    assert none_clear == whole == all_clear
    clear = np.ones(ink.shape, np.float32)
    clear[: rows * ink.shape[0] // 8, :] = 0.0  # print over the top eighths
    _l4, got = grain14._slant_maps(ink, s, clear, clear56.CLEAR_SHARE)
    _l5, clear_only = grain14._slant_maps(ink, s, clear)
    _l6, none_share = grain14._slant_maps(ink, s, clear, 1.01)  # no share is enough: every segment's
    assert none_share == whole
    assert got in (whole, min(whole, clear_only))
    assert got <= whole


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_grain14_a_short_light_x_on_the_smd_style_is_a_pair_clear_of_print(dpi: int) -> None:
    """grain14's own part: a 3 mm X at 0.11 of the light (session 55's diagnosis at 150 dpi: the
    pair's best segments 0.046 and 0.045, its floor 0.096, 0.034 clear of print) is a pair with
    grain14's spread clear of print, and not with grain14 out of clear56.TESTS; blank paper is no
    pair either way."""
    img, c, s = _blank("MZ-SMD-02", dpi)
    im = _draw(img, c, s, _x(45, 3.0), 0.11, 1)
    levels = np.full(4, 255.0)
    assert grain14.stroke_pair(im, np.array(c), s, levels, 1.0)
    assert not grain14.stroke_pair(img, np.array(c), s, levels, 1.0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clear56, "TESTS", clear56.TESTS - {"grain14"})
        assert not grain14.stroke_pair(im, np.array(c), s, levels, 1.0)
