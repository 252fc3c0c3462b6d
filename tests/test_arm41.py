"""arm41 (kiosk/reading/arm41.py, issue 10, the forty-first pass): settle7's second arm
searched beyond the first stroke's own width. Real light ticks of the dev corpus whose short
arm settle7 missed read `marked` (and `marginal_mark` with the rule off); a lone light dash,
whose own width a band at 30 degrees crosses for 1.2 mm, and a single wide slash, whose
edge lies beside it all along, are never given a second arm."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_review9 import _blank, _line, _stroke

from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
from fieldkit.hook_ab import switched_off
from kiosk.reading import arm41, coarse72, grey48, settle7, touch71
from kiosk.reading.reference import first_stroke_reference


def _field_mark(seed: int, index: int, square: int) -> tuple[object, bytes]:
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    sheet = generate_field_sheet(
        pkg.election, pkg.election_hash, layouts[styles[index % len(styles)]], seed, index, FieldOptions()
    )
    assert sheet.truth.squares[square].expected == "marked"
    return reader, sheet.image


# Census40's light ticks (seed 198: the fortieth pass's map, settle-why40.txt): settle7's
# second arm stopped at 1.34 and 1.44 mm; both are plain votes to the eye.
@pytest.mark.parametrize(("index", "square"), [(626, 3), (1139, 7)])
def test_a_light_ticks_short_arm_is_found_beyond_its_long_arm(index: int, square: int) -> None:
    reader, image = _field_mark(198, index, square)
    got = reader.read_bytes(image).contests[0]  # type: ignore[attr-defined]
    assert (got.outcome, got.marks[square].mark) == ("vote", "marked"), got.marks[square]
    with switched_off(arm41), switched_off(grey48):  # grey48 settles 1139/7 by its grey strokes too
        m = reader.read_bytes(image).contests[0].marks[square]  # type: ignore[attr-defined]
    assert (m.mark, m.reason) == ("marginal", "marginal_mark")


def _pixels(path: list[tuple[float, float]], width_mm: float, s: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel (offsets from the centre, px) within width/2 of the polyline (mm)."""
    r = 4 * s
    ys, xs = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
    keep = np.zeros(xs.shape, bool)
    for (ax, ay), (bx, by) in itertools.pairwise(path):
        ax, ay, bx, by = ax * s, ay * s, bx * s, by * s
        dx, dy = bx - ax, by - ay
        t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / (dx * dx + dy * dy), 0, 1)
        keep |= np.hypot(xs - ax - t * dx, ys - ay - t * dy) <= width_mm * s / 2
    return xs[keep], ys[keep]


def _second(px: np.ndarray, py: np.ndarray, s: float) -> tuple[float, float, float] | None:
    """settle7's first arm of these pixels, then arm41's second arm beyond it."""
    angles = np.arange(0, 180, settle7.ARM_STEP_DEG, dtype=np.float64)
    got = settle7.best_arm(px, py, s, angles)
    assert got is not None
    a, rho, cover = got
    first = settle7.Arm(a, rho, cover / s, 0.3)
    t = math.radians(a)
    off = np.abs(-px * math.sin(t) + py * math.cos(t) - rho) > max(1.0, settle7.ARM_BAND_MM * s) / 2
    pool = angles[np.array([settle7._apart(x, a) >= settle7.ARM_APART_DEG for x in angles.tolist()])]
    vals = np.full(len(px), 0.3)  # one pencil: every pixel the first arm's level
    far = arm41._beyond(px[off], py[off], arm41.first_stroke(px, py, first, s), first, s)
    return arm41.own_arm(px[off], py[off], vals[off], far, first, pool, s)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_own_arm_on_drawn_pixels(dpi: int) -> None:
    s = dpi / 25.4
    # A tick: the long arm 4.5 mm, the short one 1.1 mm at 70 degrees to it.
    v = (-0.8, 1.2)
    short = (v[0] - 1.1 * math.cos(math.radians(10)), v[1] - 1.1 * math.sin(math.radians(10)))
    long_ = (v[0] + 4.5 * math.cos(math.radians(60)), v[1] - 4.5 * math.sin(math.radians(60)))
    got = _second(*_pixels([short, v, long_], 0.5, s), s)
    assert got is not None
    assert got[2] / s >= arm41.OWN_LEN_MM
    # Beyond the long arm only the short arm's end is left (0.6 x 0.5 mm): the band's
    # direction is loose, but it runs through that end.
    t = math.radians(got[0])
    assert abs(-short[0] * s * math.sin(t) + short[1] * s * math.cos(t) - got[1]) <= 0.6 * s, got
    # One dash 0.54 mm wide, and one slash 1.2 mm wide: no second arm of their own.
    assert _second(*_pixels([(-1.5, 1.0), (1.5, -1.5)], 0.54, s), s) is None
    assert _second(*_pixels([(-2.0, 2.0), (2.0, -2.0)], 1.2, s), s) is None


@pytest.mark.parametrize("dpi", [150, 200, 250, 300])
def test_a_lone_dash_gets_no_second_arm_and_would_without_the_guards(
    dpi: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The red-team dash (tests/test_wrong10.py: 3.6 mm, 0.26 of the light, 0.54 mm, grain)
    on a blank ballot is not a vote; arm40's plain 1.2 mm bound settled it. With arm41's
    guards opened (every pixel off the first arm's band its own), the same dash is a vote at
    150 dpi: the guards are what keep it."""
    reader, img, centres, s = _blank(dpi)
    c = centres[20]
    im = _stroke(img, c, s, _line(58.49, 3.572, -0.690), 0.540, 0.261, grain=0.4, seed=9)
    got = reader.read(im).contests[0]
    assert not (got.outcome == "vote" and got.marks[20].mark == "marked"), got.marks[20]
    # The companion: the guards opened, the dash's own width is taken for a second arm.
    if dpi == 150:
        monkeypatch.setattr(touch71, "ENABLED", False)  # session 71: touch71 would keep it too
        monkeypatch.setattr(coarse72, "ENABLED", False)  # session 72: no second arm at 150 dpi
        monkeypatch.setattr(arm41, "OWN_MIN_MM", 0.0)
        monkeypatch.setattr(arm41, "OWN_MARGIN_MM", -2.0)
        monkeypatch.setattr(arm41, "PARALLEL", 1e9)
        monkeypatch.setattr(arm41, "LEVEL_RATIO", 1e9)
        got = reader.read(im).contests[0]
        assert (got.outcome, got.marks[20].mark) == ("vote", "marked"), got.marks[20]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=1, max_size=120),
    st.floats(0.0, 179.0),
    st.floats(-20.0, 20.0),
    st.sampled_from([150 / 25.4, 200 / 25.4, 300 / 25.4]),
)
def test_first_stroke_agrees_with_reference(
    points: list[tuple[int, int]], angle: float, rho: float, scale: float
) -> None:
    px = np.array([p[0] for p in points], dtype=np.float64) + 0.3
    py = np.array([p[1] for p in points], dtype=np.float64) - 0.2
    fast = arm41.first_stroke(px, py, settle7.Arm(angle, rho, 3.0, 0.3), scale)
    slow = first_stroke_reference(px, py, angle, rho, scale)
    if slow is None:
        assert fast is None
    else:
        assert fast is not None
        assert abs(fast[0] - slow[0]) < 1e-9 and abs(fast[1] - slow[1]) < 1e-9, (fast, slow)
