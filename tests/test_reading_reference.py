"""The slow references stand apart: no production module imports kiosk.reading.reference,
and the closer look's structure tests (dot, faint stroke, fill) agree with theirs."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reading import crop, inspect
from kiosk.reading.reference import (
    dot_blob_reference,
    faint_stroke_reference,
    fill_measures_reference,
    lines_divided_out_reference,
    paper_closing_reference,
    pencil_stroke_reference,
    stain_measures_reference,
    stroke_contrast_reference,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_product_module_imports_the_references() -> None:
    product = [p for p in (ROOT / "kiosk").rglob("*.py") if p.name != "reference.py"]
    assert len(product) > 20
    offenders = [str(p) for p in product if any("kiosk.reading.reference" in n for n in _imports(p))]
    assert offenders == []


def test_reading_a_sheet_does_not_load_the_references() -> None:
    code = (
        "import sys\n"
        "from fieldkit.deck import generate_sheet, DeckOptions\n"
        "from kiosk.election.package import election_hash\n"
        "from kiosk.election.sample import sample_election\n"
        "from kiosk.reading.reader import BallotReader\n"
        "e = sample_election(); h = election_hash(e)\n"
        "s = generate_sheet(e, h, 'MZ-SMD-02', 1, 0, DeckOptions(), with_front=False)\n"
        "r = BallotReader(e, h).read_bytes(s.back_bytes)\n"
        "assert r.status in ('ok', 'review'), r\n"
        "print('kiosk.reading.reference' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def _blobs(rng: np.random.Generator, h: int, w: int, n: int, max_r: int) -> np.ndarray:
    img = np.zeros((h, w), np.uint8)
    for _ in range(n):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            cv2.circle(img, c, int(rng.integers(0, max_r + 1)), 1, -1)
        else:
            d = (int(rng.integers(-2 * max_r, 2 * max_r + 1)), int(rng.integers(-2 * max_r, 2 * max_r + 1)))
            cv2.line(img, c, (c[0] + d[0], c[1] + d[1]), 1, int(rng.integers(1, 3)))
    return img.astype(bool)


@EXAMPLES
@given(
    h=st.integers(8, 60),
    w=st.integers(8, 60),
    n=st.integers(0, 4),
    max_r=st.integers(0, 8),
    scale=st.sampled_from([5.9, 7.9, 9.8, 11.8]),
    seed=st.integers(0, 2**31),
)
def test_dot_blob_agrees_with_flood_fill(h: int, w: int, n: int, max_r: int, scale: float, seed: int) -> None:
    dark = _blobs(np.random.default_rng(seed), h, w, n, max_r)
    fast, ref = inspect.dot_blob(dark, scale), dot_blob_reference(dark, scale)
    assert (fast is None) == (ref is None)
    if fast is not None and ref is not None:
        assert np.array_equal(fast, ref)


@EXAMPLES
@given(
    h=st.integers(8, 60),
    w=st.integers(8, 60),
    n=st.integers(0, 5),
    max_r=st.integers(0, 10),
    scale=st.sampled_from([5.9, 8.0, 9.8, 10.0, 11.8]),
    seed=st.integers(0, 2**31),
)
def test_faint_stroke_agrees_with_flood_fill(
    h: int, w: int, n: int, max_r: int, scale: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    strokes = _blobs(rng, h, w, n, max_r)
    # Quantised to 0.05, so that pixels exactly at the threshold occur.
    thin = (
        np.round(np.where(strokes, rng.uniform(0.05, 0.3, (h, w)), rng.uniform(0.0, 0.12, (h, w))) * 20) / 20
    )
    where = rng.random((h, w)) < 0.9
    assert inspect.faint_stroke(thin, where, scale) == faint_stroke_reference(thin, where, scale)


@EXAMPLES
@given(
    scale=st.sampled_from([5.9, 7.9, 9.8]),
    fill=st.integers(0, 110),
    grain=st.integers(0, 60),
    stain=st.integers(0, 60),
    noise=st.integers(0, 6),
    seed=st.integers(0, 2**31),
)
def test_fill_measures_agree_with_reference(
    scale: float, fill: int, grain: int, stain: int, noise: int, seed: int
) -> None:
    """Windows with a printed square, a grainy fill inside it, a smooth stain across part
    of the window and scanner noise: the fill test's measures and their reference agree."""
    rng = np.random.default_rng(seed)
    half = round(4.2 * scale)
    size = 2 * half + 1
    win = np.full((size, size), 235.0)
    yy, xx = np.mgrid[0:size, 0:size] - half
    box = np.maximum(np.abs(xx), np.abs(yy))
    inner = (3.0 - 0.35 - 0.35) * scale
    inside = box <= inner
    border = ~inside & (box <= 3.5 * scale)
    win -= stain * np.clip((xx + rng.uniform(-half, half)) / (0.5 * scale), 0, 1)
    win = np.where(inside, win - fill * rng.uniform(1 - grain / 100, 1.0, win.shape), win)
    win[(box >= 2.65 * scale) & (box <= 3.0 * scale)] = 30.0
    win = np.clip(win + rng.normal(0, noise, win.shape), 0, 255).astype(np.uint8)
    fast = inspect.fill_measures(win, inside, border, scale, 1.1)
    ref = fill_measures_reference(win, inside, border, scale, 1.1)
    assert fast is not None and ref is not None
    assert np.allclose(fast, ref, rtol=0, atol=1e-9)


def _stained_neighbourhood(
    rng: np.random.Generator, scale: float, stain: int, rim: int, fill: int, noise: int, edge: bool
) -> tuple[np.ndarray, tuple[float, float], int]:
    """An image holding one square's window and 3 mm around it (or cut short at an
    image edge): the printed square, a stain (a disk anywhere near, soft edge, a darker
    rim), a light fill inside the square, a pen stroke, scanner noise."""
    half = round(4.2 * scale)
    size = 2 * half + 1 + round(6 * scale)
    img = np.full((size, size), 240.0)
    cx = cy = size / 2 + rng.uniform(-0.5, 0.5)
    if edge:  # the square near the image's edge: the neighbourhood is cut
        cx = half + rng.uniform(0, 1.5 * scale)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    sx, sy = cx + rng.uniform(-8, 8) * scale, cy + rng.uniform(-8, 8) * scale
    r = rng.uniform(2.5, 10) * scale
    d = np.hypot(xx - sx, yy - sy) - r
    soft = rng.uniform(0.1, 1.5) * scale
    img *= 1 - stain / 100 * np.clip(0.5 - d / (2 * soft), 0, 1)
    img *= 1 - rim / 100 * np.exp(-((d / (0.4 * scale)) ** 2))
    box = np.maximum(np.abs(xx - cx), np.abs(yy - cy))
    img = np.where(box <= 2.2 * scale, img - fill, img)
    img[(box >= 2.65 * scale) & (box <= 3.0 * scale)] = 30.0
    if rng.random() < 0.3:
        x0 = int(cx + rng.uniform(-3, 3) * scale)
        cv2.line(img, (x0, int(cy - 2 * scale)), (x0 + 10, int(cy + 4 * scale)), 40.0, 2)
    img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    return img, (cx, cy), half


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.sampled_from([5.9, 7.9, 9.8, 11.8]),
    stain=st.integers(0, 35),
    rim=st.integers(0, 12),
    fill=st.integers(0, 60),
    noise=st.integers(0, 6),
    edge=st.booleans(),
    band=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_stain_measures_agree_with_reference(
    scale: float, stain: int, rim: int, fill: int, noise: int, edge: bool, band: bool, seed: int
) -> None:
    """Windows under a stain's curved edge and rim, with or without a light fill, a pen
    stroke or scanner noise, near an image edge or not, with a line's band taken out of the
    search or not: the paper closing and the stain measures agree with their
    pixel-by-pixel references."""
    rng = np.random.default_rng(seed)
    img, centre, half = _stained_neighbourhood(rng, scale, stain, rim, fill, noise, edge)
    sm, bg = inspect.paper_closing(img, scale)
    sm_ref, bg_ref = paper_closing_reference(img, scale)
    assert np.allclose(sm, sm_ref, rtol=0, atol=1e-3)
    assert np.allclose(bg, bg_ref, rtol=0, atol=1e-3)
    win, x0, y0 = crop.placed(img, centre[0], centre[1], half)
    ys = np.arange(win.shape[0])[:, None] - (centre[1] - y0)
    xs = np.arange(win.shape[1])[None, :] - (centre[0] - x0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    inside = box <= (3.0 - 0.35 - 0.35) * scale
    border = ~inside & (box <= 3.5 * scale)
    search = ~border
    if band:
        search &= np.abs(xs * 0.6 + ys * 0.8 - rng.uniform(-2, 2) * scale) > 0.6 * scale
    den = 28.0 * scale * scale
    fast = inspect.stain_measures(img, centre, half, scale, 1.08, inside, border, search, den)
    ref = stain_measures_reference(img, centre, half, scale, 1.08, inside, border, search, den)
    assert np.allclose(
        [fast.inside, fast.outside, fast.pen, fast.step, fast.darker],
        [ref.inside, ref.outside, ref.pen, ref.step, ref.darker],
        rtol=0,
        atol=1e-4,
    ), (fast, ref)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 28),
    w=st.integers(1, 28),
    scale=st.sampled_from([2.0, 5.9, 8.0, 11.8, 20.0]),
    paper=st.floats(0.0, 255.0),
    gain=st.floats(1.0, 1.5),
    seed=st.integers(0, 2**31),
)
def test_pencil_stroke_agrees_with_plain_loops(
    h: int, w: int, scale: float, paper: float, gain: float, seed: int
) -> None:
    """The light-pencil stroke test (issue 10, pass 5): the box-mean contrast map equal to
    the plain loops' (boxes and reaches beyond a window of 1 to 28 px, clamped), and the
    same answer on faint strokes over noise."""
    rng = np.random.default_rng(seed)
    win = rng.integers(200, 256, (h, w)).astype(np.uint8)
    strokes = _blobs(rng, h, w, 3, 3) if h >= 8 and w >= 8 else np.zeros((h, w), bool)
    win[strokes] -= rng.integers(0, 40, int(strokes.sum())).astype(np.uint8)
    got = inspect.stroke_contrast(win, scale, paper, gain)
    assert np.array_equal(got, stroke_contrast_reference(win, scale, paper, gain))
    where = rng.random((h, w)) < 0.9
    assert inspect.pencil_stroke(win, where, scale, paper, gain) == pencil_stroke_reference(
        win, where, scale, paper, gain
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(4, 40),
    w=st.integers(4, 40),
    scale=st.sampled_from([5.9, 8.0, 11.8]),
    n=st.integers(0, 3),
    seed=st.integers(0, 2**31),
)
def test_lines_divided_out_agrees_with_plain_loops(h: int, w: int, scale: float, n: int, seed: int) -> None:
    """Each line's level divided out of its band (issue 10, pass 5, merged): the same
    window as the plain loops, for up to three lines at any angle over grain, with a
    darker line drawn along the first, and the printed border's zone left out of the
    medians."""
    rng = np.random.default_rng(seed)
    win = rng.integers(180, 256, (h, w)).astype(np.uint8)
    cy, cx = (h - 1) / 2 + rng.uniform(-0.5, 0.5), (w - 1) / 2 + rng.uniform(-0.5, 0.5)
    ys = np.arange(h, dtype=np.float64)[:, None] - cy
    xs = np.arange(w, dtype=np.float64)[None, :] - cx
    lines = [
        inspect.Line(float(rng.uniform(0, math.pi)), float(rng.uniform(-5, 5)), 1.0, 0.1) for _ in range(n)
    ]
    if lines:
        d = xs * math.cos(lines[0].theta) + ys * math.sin(lines[0].theta) - lines[0].rho
        win[np.abs(d) <= 2] = (win[np.abs(d) <= 2] * 0.8).astype(np.uint8)
    clear = rng.random((h, w)) < 0.85
    got = inspect.lines_divided_out(win, xs, ys, lines, clear, scale)
    assert got.dtype == np.uint8
    assert np.array_equal(got, lines_divided_out_reference(win, xs, ys, lines, clear, scale))
