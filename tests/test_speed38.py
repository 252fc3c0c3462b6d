"""speed38 (issue 10): grain14's and faint37's first looks compiled as one call for every slant
(`kernels.slant_reaches`: the rotation's bilinear taps and weights kept per window size by
`grain14._slant_stack`, and only the box where a segment may lie computed), where they made an
OpenCV rotation and a compiled call a slant. The per-slant way stays as the reference
(`faint37.could_reach_reference`, `kernels.grain_reach` on cv2.warpAffine). The rotation
here is float64 and OpenCV's float32, so a reach may differ in its last bits: each slant's
reach must be the reference's within a tenth of `grain14.ROTATION_SLACK`, and both looks must
say yes wherever their references do. docs/reading.md, "Thirty-eighth pass"."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_grain15 import _edges, _ink, _strokes

from kiosk.reading import faint37, grain14, kernels


def _reference_reaches(ink: np.ndarray, scale: float) -> np.ndarray:
    cut = grain14.look_window(ink, scale)
    assert cut is not None
    small, wk, d, lengths = cut
    m = small.shape[0]
    cc = (m - 1) / 2.0
    across = grain14.inside_across(m, scale)
    out = []
    for sign in (1, -1):
        for a in grain14.ANGLES:
            ang = float(sign * a)
            mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
            r = cv2.warpAffine(small, mat, (m, m), flags=cv2.INTER_LINEAR, borderValue=0.0)
            ins, whole_long, whole_short = grain14._rotated_inside(m, across, wk, d, lengths, ang)
            out.append(kernels.grain_reach(r, ins, whole_long, whole_short, wk, d, lengths[0], lengths[1]))
    return np.array(out)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), strokes=_strokes, scale=st.one_of(st.floats(5.0, 12.5), _edges))
def test_each_slants_reach_is_the_references(
    seed: int, strokes: list[tuple[float, float, float, float, float]], scale: float
) -> None:
    ink = _ink(seed, strokes, scale)
    fast = grain14.slant_reaches(ink, scale)
    assert fast is not None
    slow = _reference_reaches(ink, scale)
    assert fast.shape == slow.shape == (2 * len(grain14.ANGLES),)
    assert np.array_equal(np.isinf(fast), np.isinf(slow))
    finite = np.isfinite(slow)
    assert np.all(np.abs(fast[finite] - slow[finite]) <= grain14.ROTATION_SLACK / 10)
    if faint37.could_reach_reference(ink, scale):
        assert faint37.could_reach(ink, scale)
    if grain14.first_look_reference(ink, scale):
        assert grain14.first_look(ink, scale)


def test_an_arm_just_at_the_lone_level_passes_both() -> None:
    """The reach is linear in the ink: one arm scaled so its best slant is LONE_LEVEL by a hair
    over or under is where the two could part; the compiled gate passes wherever the reference
    does, and fails once past both slacks."""
    for seed, scale in [(1, 5.3), (2, 8.0), (3, 11.7), (4, 6.6)]:
        ink = _ink(seed, [(50.0, 0.0, 0.0, 5.0, 0.06)], scale)
        top = float(np.max(_reference_reaches(ink, scale)))
        assert top > 0
        for eps in (-1e-2, -1e-3, -1e-4, -1e-6, 0.0, 1e-6, 1e-4):
            at = (ink * np.float32(faint37.LONE_LEVEL / top * (1 + eps))).astype(np.float32)
            if faint37.could_reach_reference(at, scale):
                assert faint37.could_reach(at, scale), (seed, scale, eps)
            if eps >= 1e-4:
                assert faint37.could_reach_reference(at, scale)
            if eps <= -1e-2:
                # 3e-4 under LONE_LEVEL, past both slacks, and one sign well under a pair's LEVEL
                reach = _reference_reaches(at, scale)
                n = len(grain14.ANGLES)
                assert min(reach[:n].max(), reach[n:].max()) < grain14.LEVEL - 1e-3
                assert not faint37.could_reach(at, scale)


def test_the_stack_is_kept_per_window_size() -> None:
    ink = _ink(7, [(45.0, 0.0, 0.0, 3.0, 0.05)], 8.0)
    cut = grain14.look_window(ink, 8.0)
    assert cut is not None
    small, wk, d, lengths = cut
    m = small.shape[0]
    first = grain14._slant_stack(m, grain14.inside_across(m, 8.0), wk, d, lengths)
    again = grain14._slant_stack(m, grain14.inside_across(m, 8.0), wk, d, lengths)
    assert first is again
    inverse, ins, whole_long, whole_short, boxes = first
    n = 2 * len(grain14.ANGLES)
    assert inverse.shape == (n, 6) and ins.shape == whole_long.shape == whole_short.shape == (n, m, m)
    assert ins.dtype == np.uint8 and set(np.unique(ins)) <= {0, 1}
    for k in range(n):  # the box holds every place a segment may lie, and no more
        ys, xs = np.nonzero(whole_long[k] | whole_short[k])
        assert tuple(boxes[k][:4]) == (ys.min(), ys.max(), xs.min(), xs.max())
    assert boxes[:, 4].all()  # at 8 px/mm every inside pixel samples within the window
