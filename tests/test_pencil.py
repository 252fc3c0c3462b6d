"""Light pencil (issue 10, pass 5): marks fainter than the doubt band's 0.09 stroke test, and
light pencil strokes the crossing-line rule took for a line of the paper, go to the
commission instead of reading `empty`."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import readkit  # tests11: the strokes' grain, made once

from fieldkit.conditions import FieldOptions, generate_field_sheet
from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.inspect import Line, line_stops_short, stroke_taken_for_line
from kiosk.reading.reader import BallotReader

STYLE = "MZ-SMD-02"


@pytest.fixture(scope="module")
def clean() -> tuple[BallotReader, object, str]:
    e = sample_election()
    h = election_hash(e)
    return BallotReader(e, h, keep_crops="never"), e, h


def _sheet(
    setup: tuple[BallotReader, object, str], index: int
) -> tuple[np.ndarray, list[str], list[tuple[float, float]], float]:
    """A clean, upright 200 dpi scan: image, truth per square, square centres (px), px/mm."""
    _, e, h = setup
    opt = DeckOptions.clean()
    s = generate_sheet(e, h, STYLE, 5, index, opt, with_front=False)  # type: ignore[arg-type]
    scale = 200 / 25.4
    layout = build_layout(e, h, STYLE)  # type: ignore[arg-type]
    page_h, page_w = round(layout.height_mm * scale), round(layout.width_mm * scale)
    mx, my = canvas_margins(page_h, page_w, opt, scale)
    centres = [(mx + t.box.cx * scale, my + t.box.cy * scale) for t in layout.targets]
    return s.back.copy(), [q.expected for q in s.truth.squares], centres, scale


def _faint_slash(
    img: np.ndarray, centre: tuple[float, float], scale: float, dark: float, seed: int
) -> np.ndarray:
    """A light pencil slash inside the square (corner to corner of its inside, 0.6 mm
    wide), `dark` the share of the light it takes at full grain, graphite's grain uniform
    0.35-1."""
    layer = np.zeros(img.shape, np.uint8)
    cx, cy = centre
    r = 2.2 * scale
    w = max(1, round(0.6 * scale))
    cv2.line(layer, (round(cx - r), round(cy + r)), (round(cx + r), round(cy - r)), 255, w, cv2.LINE_AA)
    grain = readkit.grain_uniform(seed, 0.35, 1.0, img.shape)  # tests11: made once per seed and size
    f = 1 - dark * grain * layer.astype(np.float32) / 255
    out: np.ndarray = (img * f).astype(np.uint8)
    return out


@pytest.mark.parametrize("dark", [0.09, 0.12])
def test_light_pencil_under_the_faint_run_contrast_goes_to_review(
    clean: tuple[BallotReader, object, str], dark: float
) -> None:
    """A light pencil slash whose pixels are up to 9-12 % darker than the paper (6-8 % on
    average with graphite's grain; scoring under `marginal`, and its runs at the pass-4
    stroke test's 0.09 broken by the grain: the pass-4 reader read it `empty`): the
    commission looks. The other squares read as before."""
    reader = clean[0]
    img, expected, centres, scale = _sheet(clean, 6)
    i = next(k for k, x in enumerate(expected) if x == "empty" and 3 < k < len(expected) - 3)
    before = reader.read(img)
    r = reader.read(_faint_slash(img, centres[i], scale, dark, 7))
    m = r.contests[0].marks[i]
    assert m.mark == "marginal" and m.reason == "marginal_mark", m
    assert r.status == "review"
    others = [(k, x.mark) for k, x in enumerate(r.contests[0].marks) if k != i]
    assert others == [(k, x.mark) for k, x in enumerate(before.contests[0].marks) if k != i]


# Field sheets (the stress set: pencil on every sheet, each other condition with
# probability 0.35) where the pass-4 reader took a light pencil stroke for a line of the
# paper and read the square `empty`.
STRESS = FieldOptions(p=0.35, none_share=0.0, always=("pencil",))


@pytest.mark.parametrize(("seed", "index", "option"), [(130, 579, "c09"), (131, 231, "c08")])
def test_light_pencil_taken_for_a_line_is_not_empty(seed: int, index: int, option: str) -> None:
    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    styles = [s.id for s in pkg.election.styles]
    style = styles[index % len(styles)]
    layout = build_layout(pkg.election, pkg.election_hash, style)
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, STRESS)
    truth = {q.option: q for q in sheet.truth.squares}
    assert truth[option].kind == "light_pencil" and truth[option].expected == "marked"
    r = reader.read_bytes(sheet.image)
    m = next(x for x in r.contests[0].marks if x.option == option)
    assert m.mark in ("marginal", "marked"), m


# Stress sheets where pass 5's stain rule (`paper_explains`, merged from stain5) read a
# light pencil tick `empty`: before it, and with `hand_near`, the commission looks.
@pytest.mark.parametrize(
    ("seed", "index", "option"),
    [(130, 89, "c15"), (131, 143, "against-all"), (131, 319, "against-all"), (131, 920, "against-all")],
)
def test_stain_rule_never_empties_a_pencil_tick(seed: int, index: int, option: str) -> None:
    _stress_mark_not_empty(seed, index, option)


# Stress sheets where a tick's long arm across the window's corner, going on 1-4 mm past
# the window, was taken for a line of the paper (every reader before `line_stops_short`).
@pytest.mark.parametrize(("seed", "index", "option"), [(130, 203, "c06"), (131, 815, "against-all")])
def test_ticks_arm_taken_for_a_line_is_not_empty(seed: int, index: int, option: str) -> None:
    _stress_mark_not_empty(seed, index, option)


# Stress sheets where a pencil scribble lying along a faint streak was cut into pieces by
# the streak's bands (every reader before `lines_divided_out`).
@pytest.mark.parametrize(("seed", "index", "option"), [(130, 572, "baitaq"), (131, 294, "auyl")])
def test_scribble_along_a_streak_is_not_empty(seed: int, index: int, option: str) -> None:
    _stress_mark_not_empty(seed, index, option)


# A stress sheet where a tick beside the square, its short arm across the square's corner,
# darkened the window's ring and the ring "explained" the square (every reader before
# `hand_near` was asked there too).
def test_tick_beside_the_square_is_not_explained_by_the_ring() -> None:
    _stress_mark_not_empty(131, 824, "ak-zhol")


def _stress_mark_not_empty(seed: int, index: int, option: str) -> None:
    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[index % len(styles)])
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, STRESS)
    truth = {q.option: q for q in sheet.truth.squares}
    assert truth[option].kind in ("tick", "light_pencil", "scribble") and truth[option].expected == "marked"
    r = reader.read_bytes(sheet.image)
    m = next(x for c in r.contests for x in c.marks if x.option == option)
    assert m.mark in ("marginal", "marked"), m
    contest = next(c for c in r.contests if m in c.marks)
    assert r.status == "review" or contest.outcome == "overvote", r


def _line_image(length_mm: float, dark: float, scale: float = 8.0) -> tuple[np.ndarray, tuple[float, float]]:
    """Paper (grey 230, noise) with a vertical line through the centre, `length_mm` long."""
    rng = np.random.default_rng(3)
    img = np.clip(rng.normal(230, 3, (400, 400)), 0, 255).astype(np.uint8)
    c = 200
    half = round(length_mm / 2 * scale)
    w = max(1, round(0.3 * scale))
    img[c - half : c + half, c - w : c + w + 1] = (
        img[c - half : c + half, c - w : c + w + 1] * (1 - dark)
    ).astype(np.uint8)
    return img, (float(c), float(c))


def test_stroke_taken_for_line_tells_a_stroke_from_a_line() -> None:
    """A faint line on through the page is the paper's; the same line ending 0.5 mm past
    the window is a stroke; a line that is not faint is left to the crossing-line rule."""
    scale = 8.0
    half = round(4.2 * scale)
    line = Line(0.0, 0.0, 1.0, 0.07)  # normal along x: a vertical line through the centre
    long_img, centre = _line_image(45.0, 0.12)
    short_img, _ = _line_image(2 * 4.2 + 1.0, 0.12)
    assert not stroke_taken_for_line(long_img, centre, line, half, scale)
    assert stroke_taken_for_line(short_img, centre, line, half, scale)
    assert not stroke_taken_for_line(short_img, centre, Line(0.0, 0.0, 1.0, 0.2), half, scale)
    assert math.isfinite(scale)


@pytest.mark.parametrize("dark", [0.12, 0.3])
def test_line_stops_short_tells_a_ticks_arm_from_a_fold(dark: float) -> None:
    """A line through the page (a fold, a streak) goes on FAR_MM beyond the window; a
    tick's arm that continues 1-4 mm past the window (the continuation test's reach) and
    stops is a stroke, faint or not. An end off the image is not judged."""
    scale = 8.0
    half = round(4.2 * scale)
    line = Line(0.0, 0.0, 1.0, 0.1)
    long_img, centre = _line_image(45.0, dark)
    arm_img, _ = _line_image(2 * (4.2 + 4.5), dark)  # 4.5 mm past the window, both ends
    assert not line_stops_short(long_img, centre, line, half, scale)
    assert line_stops_short(arm_img, centre, line, half, scale)
    # The window 6 mm from the top edge: the upper end is off the image, not judged.
    top = round(200 - 6 * scale)
    near_edge = (centre[0], centre[1] - top)
    assert not line_stops_short(np.ascontiguousarray(long_img[top:]), near_edge, line, half, scale)
    assert line_stops_short(np.ascontiguousarray(arm_img[top:]), near_edge, line, half, scale)
    # Paper alone: nothing seen, nothing stops.
    blank, _ = _line_image(0.0, dark)
    assert not line_stops_short(blank, centre, line, half, scale)
