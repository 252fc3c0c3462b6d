"""look21 (issue 10, twenty-first pass): the closer look's pen hooks made cheaper, readings
unchanged. rims7's `paper_thin` and stain9's `bent_share`, asked one after the other with the
same arguments by `inspect.inspect_square`, each built the same extended window, cut,
`reach_mask`, labels and `straight_reaching`; now one `rims7.ReachShared` holds them for
both. `inspect.dot_blob` picks its blob with one numpy comparison, not a Python loop. The old
functions are kept (`reference.paper_thin_reference`, `bent_share_reference`,
`dot_blob_loop`); here they agree exactly with the new on thin rims bending or straight,
folds, voters' ticks, pencil strokes, pen strokes, windows at the image's edge, lines taken
out, at 150-300 dpi. docs/reading.md, "Twenty-first pass: ... (look21)"."""

from __future__ import annotations

import math

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ballots.layout import TARGET, TARGET_STROKE
from kiosk.reading import crop, inspect, rims7, stain9
from kiosk.reading.inspect import DARK_INK, THIN_CONTRAST, TOPHAT_MM
from kiosk.reading.reference import bent_share_reference, dot_blob_loop, paper_thin_reference


def _sheet(
    rng: np.random.Generator, dpi: int, kind: int, paper: float
) -> tuple[np.ndarray, float, int, tuple[float, float]]:
    """A patch of paper 30 mm square at `dpi` with a printed square in the middle and, by
    `kind`: 0 a thin rim bending in the square and running on (thin dashes on the far side,
    as a thumb's ridges), 1 a straight fold across, 2 a voter's tick, 3 a light pencil
    stroke across, 4 a pen X, 5 paper only, 6 a circle's arc (a ring's rim). Returns the
    image, px per mm, the window's half size (px) and the square's centre (px)."""
    s = dpi / 25.4
    n = round(30 * s)
    c = n / 2 + float(rng.uniform(-0.5, 0.5))
    img = np.full((n, n), paper, np.float32)
    layer = np.zeros((n, n), np.float32)
    k = float(rng.uniform(0.15, 0.5))
    width = max(1, round(float(rng.uniform(0.2, 0.7)) * s))

    def poly(points: list[tuple[float, float]]) -> None:
        pts = np.array([(c + x * s, c + y * s) for x, y in points])
        cv2.polylines(layer, [np.round(pts * 16).astype(np.int32)], False, 1.0, width, cv2.LINE_AA, 4)

    a = float(rng.uniform(0, math.pi))
    if kind == 0:
        v = (float(rng.uniform(-2, 2)), float(rng.uniform(-2, 2)))
        ends = [
            (v[0] + 15 * math.cos(t), v[1] + 15 * math.sin(t)) for t in (a, a + float(rng.uniform(1.5, 3.0)))
        ]
        poly([ends[0], v, ends[1]])
        for e in ends:
            d = np.array(v) - np.array(e)
            d /= np.linalg.norm(d)
            for t in (6.5, 8.0, 9.5):
                p0, p1 = np.array(v) + d * (t - 0.5), np.array(v) + d * (t + 0.5)
                poly([tuple(p0), tuple(p1)])
    elif kind == 1:
        poly([(-15 * math.cos(a), -15 * math.sin(a)), (15 * math.cos(a), 15 * math.sin(a))])
    elif kind == 2:
        poly([(-2.5, -0.5), (-0.5, 2.0), (3.5, -3.5)])
    elif kind == 3:
        k = float(rng.uniform(0.05, 0.2))
        poly([(-3 * math.cos(a), -3 * math.sin(a)), (3 * math.cos(a), 3 * math.sin(a))])
    elif kind == 4:
        k = float(rng.uniform(0.6, 0.95))
        poly([(-2.5, -2.5), (2.5, 2.5)])
        poly([(-2.5, 2.5), (2.5, -2.5)])
    elif kind == 6:
        r = float(rng.uniform(5, 12))
        ox, oy = r * math.cos(a), r * math.sin(a)
        poly([(ox + r * math.cos(t), oy + r * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 40)])
    layer = np.asarray(cv2.GaussianBlur(layer, (0, 0), 0.1 * s), np.float32)
    img *= 1 - k * layer
    h = TARGET / 2 * s
    t = max(1, round(TARGET_STROKE * s))
    cv2.rectangle(img, (round(c - h), round(c - h)), (round(c + h), round(c + h)), 20.0, t)
    img += rng.normal(0, float(rng.choice([0.0, 2.0, 6.0])), img.shape)
    if rng.random() < 0.2:  # saturated pixels
        m = rng.random(img.shape) < 0.01
        img[m] = rng.choice([0.0, 255.0], size=int(m.sum()))
    out = np.clip(img, 0, 255).astype(np.uint8)
    half = round((TARGET / 2 + 1.2) * s)
    return out, s, half, (c, c)


def _cut(
    img: np.ndarray, centre: tuple[float, float], half: int, edge: int, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[float, float]]:
    """The image cut so that the square's window lies at (or over) one of its edges
    (`edge` 1-4), as a square at the page's edge; 0: uncut."""
    if edge == 0:
        return img, centre
    off = int(rng.integers(-half // 2, half + 3))
    cx, cy = centre
    n = img.shape[0]
    if edge == 1:  # left
        x = max(0, min(n - 1, round(cx) - half + off))
        return np.ascontiguousarray(img[:, x:]), (cx - x, cy)
    if edge == 2:  # top
        y = max(0, min(n - 1, round(cy) - half + off))
        return np.ascontiguousarray(img[y:, :]), (cx, cy - y)
    if edge == 3:  # right
        x = max(1, min(n, round(cx) + half - off + 1))
        return np.ascontiguousarray(img[:, :x]), (cx, cy)
    y = max(1, min(n, round(cy) + half - off + 1))  # bottom
    return np.ascontiguousarray(img[:y, :]), (cx, cy)


def _evidence(
    img: np.ndarray, s: float, half: int, centre: tuple[float, float], paper: float, gain: float
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The closer look's evidence inside the square (pen-dark or thin), its ink and the
    window's origin, on the window the reader cuts (`crop.placed`)."""
    view, x0, y0 = crop.placed(img, centre[0], centre[1], half)
    win = np.asarray(view, np.float64)
    k = max(3, int(TOPHAT_MM * s) | 1)
    thin = (
        cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        * gain
        / paper
    )
    ink = np.clip(gain * (1.0 - win / paper), 0.0, 1.0)
    hh, ww = win.shape
    ys = np.arange(hh)[:, None] - (centre[1] - y0)
    xs = np.arange(ww)[None, :] - (centre[0] - x0)
    inside = np.maximum(np.abs(xs), np.abs(ys)) <= (TARGET / 2 - TARGET_STROKE - 0.35) * s
    return inside & ((ink >= DARK_INK) | (thin >= THIN_CONTRAST)), ink, (x0, y0)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    dpi=st.integers(150, 300),
    kind=st.integers(0, 6),
    edge=st.integers(0, 4),
    nbands=st.integers(0, 2),
    paper=st.sampled_from([200.0, 230.0, 170.0]),
    gain=st.sampled_from([1.0, 1.08, 0.93]),
    seed=st.integers(0, 2**31 - 1),
)
def test_shared_reach_gives_the_old_answers(
    dpi: int, kind: int, edge: int, nbands: int, paper: float, gain: float, seed: int
) -> None:
    """paper_thin, then bent_share with the same ReachShared (as inspect_square asks them),
    each the same to the bit as its reference; so are the two without one; and the hooks
    (thin_stain, bent_through) with one and without one."""
    rng = np.random.default_rng(seed)
    img, s, half, centre = _sheet(rng, dpi, kind, paper)
    img, centre = _cut(img, centre, half, edge, rng)
    ev, ink, origin = _evidence(img, s, half, centre, paper, gain)
    thin_ev = ev & (ink < rims7.HOOK_PEN)
    bands = [(float(rng.uniform(0, math.pi)), float(rng.uniform(-half, half))) for _ in range(nbands)]
    args = (img, centre, half, s, gain, paper, thin_ev, origin, bands)
    want_thin = paper_thin_reference(*args)
    want_share = bent_share_reference(*args)
    shared = rims7.ReachShared()
    assert rims7.paper_thin(*args, shared) == want_thin
    assert stain9.bent_share(*args, shared) == want_share
    assert rims7.paper_thin(*args) == want_thin
    assert stain9.bent_share(*args) == want_share
    # The hooks as inspect_square asks them, one ReachShared for both, against none.
    lines = [inspect.Line(th, rh, 1.0, 0.1) for th, rh in bands]
    hook = (img, centre, half, s, gain, paper, ink, ev, origin, lines)
    shared = rims7.ReachShared()
    got = rims7.thin_stain(*hook, shared) or stain9.bent_through(*hook, shared)
    assert got == (rims7.thin_stain(*hook) or stain9.bent_through(*hook))


def test_shared_reach_is_made_afresh_for_other_arguments() -> None:
    """A ReachShared asked with other arguments (another centre, other bands) does not hand
    back the first one's work."""
    rng = np.random.default_rng(5)
    img, s, half, centre = _sheet(rng, 200, 0, 200.0)
    shared = rims7.ReachShared()
    a = shared.get(img, centre, half, s, 1.0, 200.0, [])
    assert shared.get(img, centre, half, s, 1.0, 200.0, []) is a
    assert shared.get(img, (centre[0] + 1, centre[1]), half, s, 1.0, 200.0, []) is not a
    b = shared.get(img, centre, half, s, 1.0, 200.0, [(0.3, 2.0)])
    assert b is not a


def test_a_bent_rim_is_still_seen_with_one_shared_reach() -> None:
    """stain9's own case (a rim bending in the square, ridges on the far side) through the
    shared path: rims7 says no, stain9 yes, as each did alone."""
    from test_stain9 import BENT, PAPER, _window
    from test_stain9 import _evidence as ev9

    for dpi in (150, 200, 300):
        img, s, half, centre = _window(dpi, BENT)
        ev, ink, origin = ev9(img, s, half, centre)
        thin_ev = ev & (ink < rims7.HOOK_PEN)
        shared = rims7.ReachShared()
        assert not rims7.paper_thin(img, centre, half, s, 1.0, PAPER, thin_ev, origin, (), shared)
        assert (
            stain9.bent_share(img, centre, half, s, 1.0, PAPER, thin_ev, origin, (), shared)
            >= rims7.REACH_SHARE
        )
        assert rims7.thin_stain(img, centre, half, s, 1.0, PAPER, ink, ev, origin, [], shared) is None
        assert (
            stain9.bent_through(img, centre, half, s, 1.0, PAPER, ink, ev, origin, [], shared)
            == "possible_stain"
        )


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    h=st.integers(1, 121),
    w=st.integers(1, 121),
    dpi=st.integers(150, 300),
    blobs=st.integers(0, 6),
    specks=st.integers(0, 40),
    seed=st.integers(0, 2**31 - 1),
)
def test_dot_blob_agrees_with_the_loop(h: int, w: int, dpi: int, blobs: int, specks: int, seed: int) -> None:
    """`dot_blob` (one numpy comparison) against the old loop over every component: the same
    blob mask, or both None; dots of every size, specks, touching the window's edge."""
    rng = np.random.default_rng(seed)
    s = dpi / 25.4
    dark = np.zeros((h, w), np.uint8)
    for _ in range(blobs):
        r = float(rng.uniform(0.3, 1.5)) * s
        y, x = float(rng.uniform(0, h)), float(rng.uniform(0, w))
        yy, xx = np.mgrid[:h, :w]
        dark[(yy - y) ** 2 + (xx - x) ** 2 <= r * r] = 1
    if specks:
        dark[rng.integers(0, h, specks), rng.integers(0, w, specks)] = 1
    want = dot_blob_loop(dark, s)
    got = inspect.dot_blob(dark, s)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got.dtype == want.dtype and np.array_equal(got, want)
