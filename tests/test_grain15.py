"""grain15 (issue 10): grain14's first look compiled (`kernels.grain_reach`, one call a
slant), so the low band's hook can be asked at the price the reader can pay. It must pass
every square the numpy first look (`grain14.first_look_reference`) passes, and each slant's
reach must be the reference's to the rounding of float sums. docs/reading.md, "Fifteenth
pass: grain14's first look compiled (grain15)"."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_grain14 import _broken, _paper

from kiosk.reading import grain14, kernels, pencil6

_strokes = st.lists(
    st.tuples(
        st.floats(-80, 80),
        st.floats(-2.5, 2.5),
        st.floats(-2.5, 2.5),
        st.floats(1.0, 8.0),
        st.floats(0.01, 0.15),
    ),
    max_size=4,
)


def _ink(seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float) -> np.ndarray:
    size = 2 * int(np.ceil((pencil6.BORDER_MM + grain14.AROUND_MM) * scale)) + 41
    im = _paper(seed, float(scale), size)
    c = size / 2.0
    for ang, dx, dy, length, dark in strokes:
        t = np.radians(ang)
        u = np.array([np.cos(t), -np.sin(t)]) * length * scale / 2
        p = np.array([c + dx * scale, c + dy * scale])
        _broken(im, tuple(p - u), tuple(p + u), dark, float(scale))
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    ink = grain14.ink_window(u8, np.array([c, c]), float(scale), 235.0, 1.0)
    assert ink is not None
    return ink


def _geometry(ink: np.ndarray, scale: float) -> tuple[np.ndarray, int, float, int, int, tuple[int, int]]:
    """first_look's cut of the window and its sizes (`grain14.look_window`, both looks' own)."""
    cut = grain14.look_window(ink, scale)
    assert cut is not None
    small, wk, d, lengths = cut
    m = small.shape[0]
    return small, m, (m - 1) / 2.0, wk, d, lengths


def _reference_masks(
    m: int, cc: float, scale: float, ang: float, wk: int, d: int, lengths: tuple[int, int]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rotated inside and where a segment may lie, built as first_look_reference builds them."""
    yy, xx = np.mgrid[0:m, 0:m].astype(np.float32)
    inside_r = pencil6.INSIDE_MM * scale
    inside = ((np.abs(xx - cc) <= inside_r) & (np.abs(yy - cc) <= inside_r)).astype(np.float32)
    mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
    ins = cv2.warpAffine(inside, mat, (m, m), flags=cv2.INTER_NEAREST, borderValue=0)
    wholes = []
    for length in lengths:
        whole = (cv2.blur(ins, (length, 1), borderType=cv2.BORDER_CONSTANT) >= grain14.INSIDE_SHARE) & (
            ins > 0
        )
        whole[: d + wk, :] = False
        whole[m - d - wk :, :] = False
        wholes.append(whole)
    return ins, wholes


# scales just under and over the inside's pixel steps (INSIDE_MM x scale at k / 2), as Python
# floats and as np.float64 (which numpy compares in float64, not float32)
_edges = st.builds(
    lambda k, eps, wide: (np.float64 if wide else float)(k / 2.0 / pencil6.INSIDE_MM + eps),
    st.integers(24, 60),
    st.sampled_from([-1e-9, -1e-12, 0.0, 1e-12, 1e-9]),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    strokes=_strokes,
    scale=st.one_of(st.floats(5.0, 12.5), _edges),
    ang=st.sampled_from([float(s * a) for s in (1, -1) for a in grain14.ANGLES]),
)
def test_each_slants_masks_and_reach_are_the_references(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float, ang: float
) -> None:
    ink = _ink(seed, strokes, scale)
    small, m, cc, wk, d, lengths = _geometry(ink, scale)
    want_ins, want_wholes = _reference_masks(m, cc, scale, ang, wk, d, lengths)
    ins, whole_long, whole_short = grain14._rotated_inside(
        m, grain14.inside_across(m, scale), wk, d, lengths, ang
    )
    assert np.array_equal(ins, want_ins)
    assert np.array_equal(whole_long, want_wholes[0]) and np.array_equal(whole_short, want_wholes[1])
    mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
    r = cv2.warpAffine(small, mat, (m, m), flags=cv2.INTER_LINEAR, borderValue=0.0)
    fast = kernels.grain_reach(r, ins, whole_long, whole_short, wk, d, lengths[0], lengths[1])
    slow = grain14.reach_reference(r, ins, whole_long, whole_short, wk, d, lengths)
    assert abs(fast - slow) <= grain14.REACH_SLACK / 10


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    m=st.integers(3, 40),
    wk=st.sampled_from([1, 3, 5, 7, 41]),
    d=st.integers(1, 8),
    long_px=st.sampled_from([1, 3, 9, 25, 45, 81]),
    short_px=st.sampled_from([1, 5, 17, 43]),
    share=st.floats(0.0, 1.0),
)
def test_the_kernel_is_the_reference_on_any_window(
    seed: int, m: int, wk: int, d: int, long_px: int, short_px: int, share: float
) -> None:
    """Arbitrary ink (the clip's extremes included), insides and allowed positions reaching
    the window's edges, sizes past the window: the blur's edges (replicated down, zeros
    along) and the side rows are the reference's."""
    rng = np.random.default_rng(seed)
    r = rng.choice(np.array([-0.2, 0.2, 0.0], np.float32), (m, m)) * (rng.random((m, m)) < 0.3)
    r = (r + rng.uniform(-0.2, 0.2, (m, m)).astype(np.float32) * (r == 0)).astype(np.float32)
    ins = (rng.random((m, m)) < 0.8).astype(np.float32)
    whole_long = rng.random((m, m)) < share
    whole_short = rng.random((m, m)) < share
    fast = kernels.grain_reach(r, ins, whole_long, whole_short, wk, d, long_px, short_px)
    slow = grain14.reach_reference(r, ins, whole_long, whole_short, wk, d, (long_px, short_px))
    if not (whole_long.any() or whole_short.any()):
        assert fast == slow == -np.inf
    else:
        assert abs(fast - slow) <= 1e-7


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), strokes=_strokes, scale=st.one_of(st.floats(5.0, 12.5), _edges))
def test_first_look_passes_every_square_the_reference_passes(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    ink = _ink(seed, strokes, scale)
    if grain14.first_look_reference(ink, scale):
        assert grain14.first_look(ink, scale)


def _worst_sign_reach(ink: np.ndarray, scale: float) -> float:
    """The reference's reach of its weaker sign: first_look_reference passes exactly when
    this is at least LEVEL."""
    small, m, cc, wk, d, lengths = _geometry(ink, scale)
    best = {1: -np.inf, -1: -np.inf}
    for sign in (1, -1):
        for a in grain14.ANGLES:
            ang = float(sign * a)
            ins, wholes = _reference_masks(m, cc, scale, ang, wk, d, lengths)
            mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
            r = cv2.warpAffine(small, mat, (m, m), flags=cv2.INTER_LINEAR, borderValue=0.0)
            best[sign] = max(
                best[sign], grain14.reach_reference(r, ins, wholes[0], wholes[1], wk, d, lengths)
            )
    return min(best.values())


def test_a_pair_just_at_level_passes_both_looks() -> None:
    """The reach is linear in the ink: a faint X scaled so the reference passes by a hair (or
    just fails) is where rounding could part them; the compiled look passes wherever the
    reference does, and its slack lets through only what is within REACH_SLACK and
    ROTATION_SLACK (speed38's compiled rotation) of LEVEL."""
    for seed, scale in [
        (1, 5.3),
        (2, 8.0),
        (3, 11.7),
        (4, 6.6),
        (5, float(np.float64(7 / pencil6.INSIDE_MM))),
    ]:
        ink = _ink(seed, [(45.0, 0.0, 0.0, 4.5, 0.05), (-40.0, 0.3, 0.0, 4.0, 0.05)], scale)
        worst = _worst_sign_reach(ink, scale)
        assert worst > 0
        for eps in (-1e-3, -1e-4, -1e-5, -1e-7, 0.0, 1e-7, 1e-6, 1e-5):
            at = (ink * np.float32(grain14.LEVEL / worst * (1 + eps))).astype(np.float32)
            ref = grain14.first_look_reference(at, scale)
            if ref:
                assert grain14.first_look(at, scale), (seed, scale, eps)
            if eps <= -1e-4:  # 2e-6 under LEVEL: past REACH_SLACK
                assert not ref
            if eps <= -1e-3:  # 2e-5 under LEVEL: past both slacks
                assert not grain14.first_look(at, scale)
            if eps >= 1e-5:
                assert ref


def test_first_look_tells_a_faint_x_from_blank_paper() -> None:
    """The compiled look still says no on blank paper and yes on a faint X (the reference agrees)."""
    s, r = 8.0, 1.6
    blank = _ink(1, [], s)
    x = _ink(
        1, [(45.0, 0.0, 0.0, 2 * r * np.sqrt(2.0), 0.06), (-45.0, 0.0, 0.0, 2 * r * np.sqrt(2.0), 0.06)], s
    )
    assert (grain14.first_look(blank, s), grain14.first_look_reference(blank, s)) == (False, False)
    assert (grain14.first_look(x, s), grain14.first_look_reference(x, s)) == (True, True)
