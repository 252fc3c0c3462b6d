"""speed26 (issue 10, twenty-fifth pass): the closer look's stain hooks made cheaper, readings
unchanged. rims7's `thin_stain` and stain9's `bent_through` (asked where a square would be
read `marked` with few pen-dark pixels) spent most of their time in `straight_reaching`; now
`Reach.joined_bound` (the share of the evidence joined to ANY reaching feature, straight ones
kept) and `_ridges(..., bound=True)` answer first where neither test can pass
(`rims7.PAPER_BOUND_FIRST`), and `straight_reaching` works from each component's points
(`rims7.STRAIGHT_BY_POINTS`, `wrong8.line_across_points`). Here: the same answers with the
flags on and off, bit for bit, on rims, folds, ticks, pencil, pen, paper, at 150-300 dpi, at
the image's edge, with lines taken out; the bound is a bound; stains still found; read_ab's
clean sheets read the same. docs/reading.md, "Twenty-fifth pass: ... (speed26)"."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_look21 import _cut, _evidence, _sheet
from test_tidy9 import _lines_and_arcs

from kiosk.ballots.layout import TARGET_STROKE
from kiosk.reading import inspect, reference, rims7, stain9, wrong8


def _flags(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setattr(rims7, "PAPER_BOUND_FIRST", on)
    monkeypatch.setattr(rims7, "STRAIGHT_BY_POINTS", on)


@given(
    st.integers(0, 2**31),
    st.integers(20, 140),
    st.integers(0, 8),
    st.sampled_from([200 / 25.4, 300 / 25.4, 150 / 25.4]),
    st.booleans(),
)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_straight_by_points_is_the_loop(seed: int, size: int, n: int, scale: float, across: bool) -> None:
    """`straight_reaching` by points gives the loop's mask (and the eighth pass's reference),
    wrong8's `line_across` on or off; both answers occur over the examples."""
    mask = _lines_and_arcs(seed, size, n)
    yy, xx = np.mgrid[0:size, 0:size]
    box = np.maximum(np.abs(xx - size / 2), np.abs(yy - size / 2))
    half = size / 2 * float(np.random.default_rng(seed).uniform(0.3, 0.8))
    far, beyond = box >= half + 2 * scale, box > half
    with pytest.MonkeyPatch.context() as m:
        m.setattr(wrong8, "LINE_ACROSS", across)
        m.setattr(rims7, "STRAIGHT_BY_POINTS", True)
        got = rims7.straight_reaching(mask, far, beyond, scale)
        m.setattr(rims7, "STRAIGHT_BY_POINTS", False)
        want = rims7.straight_reaching(mask, far, beyond, scale)
        assert np.array_equal(got, want)
        assert np.array_equal(got, reference.straight_reaching_reference(mask, far, beyond, scale))


def test_straight_by_points_finds_a_fold_and_keeps_a_rim(monkeypatch: pytest.MonkeyPatch) -> None:
    """tidy9's fold (cut in two by the border's zone: the paper's) and arc (not), by points."""
    monkeypatch.setattr(rims7, "STRAIGHT_BY_POINTS", True)
    scale = 200 / 25.4
    yy, xx = np.mgrid[0:131, 0:131]
    box = np.maximum(np.abs(xx - 65), np.abs(yy - 65))
    far, beyond = box >= 40 + 2 * scale, box > 40
    fold = np.zeros((131, 131), np.uint8)
    cv2.line(fold, (0, 20), (130, 110), 1, 1)
    fold[box <= 30] = 0
    rim = np.zeros((131, 131), np.uint8)
    cv2.circle(rim, (120, 120), 70, 1, 1)
    assert rims7.straight_reaching(fold > 0, far, beyond, scale).any()
    assert not rims7.straight_reaching(rim > 0, far, beyond, scale).any()


@given(st.integers(0, 2**31), st.integers(30, 140), st.integers(1, 8))
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_line_across_points_is_line_across(seed: int, size: int, n: int) -> None:
    """`line_across_points` on a component's points and the rest of the mask's (beyond the
    window) answers as `line_across` on the masks, for every component that reaches."""
    mask = _lines_and_arcs(seed, size, n)
    yy, xx = np.mgrid[0:size, 0:size]
    box = np.maximum(np.abs(xx - size / 2), np.abs(yy - size / 2))
    beyond = box > size / 4
    scale = 200 / 25.4
    _n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    centre = wrong8.window_centre(beyond)
    for lab in np.unique(labels[mask & beyond]):
        if lab == 0:
            continue
        comp = labels == lab
        ys, xs = np.nonzero(comp & beyond)
        oy, ox = np.nonzero(mask & beyond & ~comp)
        assert wrong8.line_across_points(ys, xs, oy, ox, scale, centre) == wrong8.line_across(
            mask, comp, beyond, scale, centre
        )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    dpi=st.integers(150, 300),
    kind=st.integers(0, 6),
    edge=st.integers(0, 4),
    nbands=st.integers(0, 2),
    paper=st.sampled_from([200.0, 230.0, 170.0]),
    gain=st.sampled_from([1.0, 1.08, 0.93]),
    seed=st.integers(0, 2**31 - 1),
)
def test_the_hooks_answer_the_same_with_the_bound_first(
    dpi: int, kind: int, edge: int, nbands: int, paper: float, gain: float, seed: int
) -> None:
    """look21's drawings (a rim bending and running on, a fold, a tick, light pencil, a pen X,
    paper, a ring's arc; windows at the image's edge, lines taken out): `paper_thin`,
    `thin_stain` and `bent_through` (one ReachShared, as inspect_square asks them) the same
    with both flags on and off; and the bound is one: at least paper_thin's reach share on
    the mask less the straight features, and at least `bent_share`."""
    rng = np.random.default_rng(seed)
    img, s, half, centre = _sheet(rng, dpi, kind, paper)
    img, centre = _cut(img, centre, half, edge, rng)
    ev, ink, origin = _evidence(img, s, half, centre, paper, gain)
    bands = [(float(rng.uniform(0, math.pi)), float(rng.uniform(-half, half))) for _ in range(nbands)]
    lines = [inspect.Line(th, rh, 1.0, 0.1) for th, rh in bands]
    thin_ev = ev & (ink < rims7.HOOK_PEN)
    hook = (img, centre, half, s, gain, paper, ink, ev, origin, lines)
    answers = []
    with pytest.MonkeyPatch.context() as m:
        for on in (True, False):
            _flags(m, on)
            shared = rims7.ReachShared()
            answers.append(
                (
                    rims7.paper_thin(img, centre, half, s, gain, paper, thin_ev, origin, bands),
                    rims7.thin_stain(*hook, shared),
                    stain9.bent_through(*hook, shared),
                )
            )
    assert answers[0] == answers[1]
    r7 = rims7.Reach(img, centre, half, s, gain, paper, bands)
    ly, lx = r7.points(thin_ev, origin)
    bound = r7.joined_bound(ly, lx, s)
    r = max(1, math.ceil((TARGET_STROKE + 2 * rims7.BORDER_MM + 0.2) * s))
    less = r7.mask & ~r7.straight(s)
    assert rims7.reach_share(less, r7.far, r, ly, lx) <= bound
    assert stain9.bent_share(img, centre, half, s, gain, paper, thin_ev, origin, bands) <= bound


def test_the_stains_are_still_found_with_the_bound_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """stain9's bent rim (rims7 no, stain9 yes) and a ring's arc through the window that
    rims7 takes (look21's kind 6 at 200 dpi, seeds where paper_thin says yes): the bound does
    not answer for them (it is at least REACH_SHARE) and the hooks say `possible_stain`."""
    from test_stain9 import BENT, PAPER, _window
    from test_stain9 import _evidence as ev9

    _flags(monkeypatch, True)
    for dpi in (150, 200, 300):
        img, s, half, centre = _window(dpi, BENT)
        ev, ink, origin = ev9(img, s, half, centre)
        shared = rims7.ReachShared()
        assert rims7.thin_stain(img, centre, half, s, 1.0, PAPER, ink, ev, origin, [], shared) is None
        assert (
            stain9.bent_through(img, centre, half, s, 1.0, PAPER, ink, ev, origin, [], shared)
            == "possible_stain"
        )
    seen = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        img, s, half, centre = _sheet(rng, 200, 6, 200.0)
        ev, ink, origin = _evidence(img, s, half, centre, 200.0, 1.0)
        thin_ev = ev & (ink < rims7.HOOK_PEN)
        if rims7.paper_thin(img, centre, half, s, 1.0, 200.0, thin_ev, origin):
            seen += 1
            r7 = rims7.Reach(img, centre, half, s, 1.0, 200.0, [])
            assert r7.joined_bound(*r7.points(thin_ev, origin), s) >= rims7.REACH_SHARE
            monkeypatch.setattr(rims7, "PAPER_BOUND_FIRST", False)
            assert rims7.paper_thin(img, centre, half, s, 1.0, 200.0, thin_ev, origin)
            monkeypatch.setattr(rims7, "PAPER_BOUND_FIRST", True)
    assert seen >= 3


def test_read_abs_clean_sheets_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """read_ab's clean sheets (`make_sheets(style, n, 200, 9)`, the first 24 of MZ-LIST):
    the stain hooks are asked on some (light marks about to be read `marked`) and the bound
    answers there; every reading is the same with both flags off."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election
    from kiosk.reading.reader import BallotReader

    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-LIST")
    opt = DeckOptions(dpis=(200,), streak=0.0)  # benchmarks/read.py's make_sheets
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    asked: list[bool] = []  # per thin_stain call: did the bound answer (no straight_reaching)?
    real_hook, real_straight = rims7.thin_stain, rims7.straight_reaching
    made: list[int] = []

    def hook(*a: object) -> object:
        before = len(made)
        out = real_hook(*a)  # type: ignore[arg-type]
        if rims7.PAPER_BOUND_FIRST:
            asked.append(len(made) == before)
        return out

    def straight(*a: object, **k: object) -> np.ndarray:
        made.append(1)
        return real_straight(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(rims7, "thin_stain", hook)
    monkeypatch.setattr(rims7, "straight_reaching", straight)
    for index in range(24):
        blob = generate_sheet(
            pkg.election, pkg.election_hash, "MZ-LIST", 9, index, opt, layout=layout, with_front=False
        ).back_bytes
        image = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None
        _flags(monkeypatch, True)
        new = reader.read(image)
        _flags(monkeypatch, False)
        old = reader.read(image)
        assert new.to_json() == old.to_json(), index
    assert asked, "no light mark asked the hooks on these sheets"
    assert any(asked)  # and the bound answered for at least one
