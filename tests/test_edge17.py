"""edge17 (issue 10): edge16's crease check. A faint straight line of the paper (a crease, a
fold, show-through, a scanner's streak) through a square's corner, at any slant, that runs on
beyond the window on both sides is not a tick's arm: edge16 does not send it. A tick's arms end
near the square: sent as before. docs/reading.md, "Seventeenth pass: edge16 with a crease check
(edge17)"."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.hook_ab import switched_off
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import edge16, edge17
from kiosk.reading.reader import BallotReader

sys.path.insert(0, str(Path(__file__).parent))
import test_inspect
from test_edge16 import GAIN, HALF, PAPER, RING, C, S, _asked, _paper, _tick


def _crease(
    im: np.ndarray, p: tuple[float, float], deg: float, dark: float, a: float = -40.0, b: float = 40.0
) -> None:
    """A faint line of the paper 0.4 mm wide through `p` (mm from the square's centre) slanted
    `deg` up to the right (as edge16's slants), from `a` to `b` mm along it (the whole image by
    default), `dark` of the light, the same all along (no grain)."""
    mask = np.zeros(im.shape, np.float32)
    ux, uy = np.cos(np.radians(deg)), -np.sin(np.radians(deg))
    q0 = (round((C + (p[0] + a * ux) * S) * 16), round((C + (p[1] + a * uy) * S) * 16))
    q1 = (round((C + (p[0] + b * ux) * S) * 16), round((C + (p[1] + b * uy) * S) * 16))
    cv2.line(mask, q0, q1, 1.0, max(1, round(0.4 * S)), cv2.LINE_AA, 4)
    im *= 1.0 - dark * mask


def _arm(im: np.ndarray) -> tuple[tuple[float, float, float, float], tuple[float, float]] | None:
    """edge16's gate and best arm on the synthetic square, and the arm's middle in the image
    (None when the gate says no)."""
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    cen = np.array([float(C), float(C)])
    k = edge16.corner(edge16.quadrants(u8, cen, S, HALF, RING, np.full(4, PAPER), GAIN))
    if k is None:
        return None
    ink = edge16._ink(u8, cen, S, PAPER, GAIN)
    assert ink is not None
    arm = edge16.best_arm(ink, S, k)
    assert arm is not None
    c = (ink.shape[0] - 1) / 2.0
    return arm, (C + arm[2] - c, C + arm[3] - c)


# Lines through a corner's region at slants edge16's own check (the segment's line 7-10 mm away)
# does not follow: edge16 alone sends them; with edge17 they are lines of the paper.
STEEP = [
    ((3.4, 3.4), 80.0),
    ((3.4, 3.4), 170.0),
    ((-3.4, -3.4), 100.0),
    ((-3.4, -3.4), -10.0),
    ((3.5, -3.5), 10.0),
    ((-3.5, 3.5), -80.0),
]


@pytest.mark.parametrize(("p", "deg"), STEEP)
@pytest.mark.parametrize("dark", [0.15, 0.25])
def test_a_long_line_through_the_corner_is_not_sent(p: tuple[float, float], deg: float, dark: float) -> None:
    im = _paper(30)
    _crease(im, p, deg, dark)
    found = _arm(im)
    assert found is not None and found[0][0] >= edge16.LEVEL  # edge16's arm test takes the line's piece ...
    with switched_off(edge17):
        assert _asked(im)  # ... and edge16 alone sends it
    assert not _asked(im)  # its line runs on beyond the window both ways: not sent


@pytest.mark.parametrize("deg", [30.0, 50.0, 70.0])
def test_lines_edge16_let_go_stay_let_go(deg: float) -> None:
    im = _paper(31)
    _crease(im, (3.4, 3.4), deg, 0.2)
    assert _arm(im) is not None
    assert not _asked(im)


def test_the_same_line_ending_at_the_corner_is_sent() -> None:
    # where it stops: a line that runs on beyond the window on one side only is an arm
    im = _paper(32)
    _crease(im, (3.4, 3.4), 80.0, 0.2, a=-40.0, b=0.0)  # from the corner down and left, off the sheet
    assert _asked(im)


@pytest.mark.parametrize(
    ("seed", "offset", "size"), [(0, 0.4, 1.1), (1, 0.38, 1.1), (2, 0.41, 1.2), (3, 0.44, 1.3)]
)
def test_a_drawn_tick_is_sent(seed: int, offset: float, size: float) -> None:
    im = _paper(40 + seed)
    _tick(im, 0.12 + 0.02 * seed, seed, offset=offset, size=size)
    assert _asked(im)
    u8 = np.clip(im, 0, 255).astype(np.uint8)
    found = _arm(im)
    assert found is not None
    (_level, slant, _x, _y), at = found
    f = edge17.fit(u8, np.array([float(C), float(C)]), S, PAPER, GAIN, at, slant)
    assert f[2] >= edge16.LEVEL  # the arm is there at its point ...
    assert min(f[3], f[4]) < edge17.FAR_LEVEL  # ... and its line does not run on both ways


def test_a_line_down_a_skewed_page_on_the_reader() -> None:
    # tests/test_inspect.py's faint line 2 degrees off the columns through the windows of the
    # squares below: with edge17 switched off edge16 sends the sheet to review; with it, no change
    e = sample_election()
    h = election_hash(e)
    setup = (BallotReader(e, h, keep_crops="never"), e, h)
    img, _i, cx, cy, scale = test_inspect._empty_square(setup)
    reader = setup[0]
    before = reader.read(img)
    lined = test_inspect._line(img, (cx + 3.1 * scale, cy), 88.0, max(1, round(0.4 * scale)), 0.75)
    r = reader.read(lined)
    assert r.status == before.status
    assert [m.mark for m in r.contests[0].marks] == [m.mark for m in before.contests[0].marks]
    with switched_off(edge17):
        r = reader.read(lined)
    assert r.status != before.status
    assert sum(m.reason == "marginal_mark" for m in r.contests[0].marks) == 1


def test_copies_are_edge16s() -> None:
    # edge17's copies (edge16 imports edge17) are edge16's
    assert edge17.OFFSET_MM == edge16.OFFSET_MM
    assert edge17.PRINT == edge16.PRINT
    assert edge17.FAR_MM == edge16.FAR_MM
    assert edge17.FAR_LEVEL == edge16.FAR_LEVEL


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    deg=st.floats(-180.0, 180.0),
    dark=st.floats(0.05, 0.4),
    px=st.floats(-4.0, 4.0),
    py=st.floats(-4.0, 4.0),
    slant=st.sampled_from([float(s * a) for s in (1, -1) for a in edge16.ANGLES]),
    near=st.floats(-1.5, 1.5),
)
def test_fit_is_its_reference(
    seed: int, deg: float, dark: float, px: float, py: float, slant: float, near: float
) -> None:
    """`fit` against its one-line-at-a-time reference, at 4 px/mm on grainy paper with a line
    (running on or stopping) and a printed square; the point near the line or not."""
    s = 4.0
    n = 96
    rng = np.random.default_rng(seed)
    im = rng.normal(PAPER, 3.0, (n, n)).astype(np.float32)
    c = n // 2
    cv2.rectangle(im, (c - 12, c - 12), (c + 12, c + 12), 40.0, 1)
    ux, uy = np.cos(np.radians(deg)), -np.sin(np.radians(deg))
    stop = float(rng.uniform(2.0, 40.0))
    q0 = (round((c + (px - 40 * ux) * s) * 16), round((c + (py - 40 * uy) * s) * 16))
    q1 = (round((c + (px + stop * ux) * s) * 16), round((c + (py + stop * uy) * s) * 16))
    mask = np.zeros(im.shape, np.float32)
    cv2.line(mask, q0, q1, 1.0, 2, cv2.LINE_AA, 4)
    u8 = np.clip(im * (1.0 - dark * mask), 0, 255).astype(np.uint8)
    point = (c + px * s - near * s * uy, c + py * s + near * s * ux)
    cen = np.array([float(c), float(c)])
    got = edge17.fit(u8, cen, s, PAPER, GAIN, point, slant)
    want = edge17.fit_reference(u8, cen, s, PAPER, GAIN, point, slant)
    assert np.allclose(got, want, equal_nan=True, rtol=0, atol=1e-12), (got, want)
