"""stain21 (issue 10, the twenty-first pass): stain10 proves a square empty from its inside
alone, and took ink as dark as print beside the square for print. A felt-tip tick drawn
mostly below a stained square, its foot over the corner, was read `empty` (seed 11000, sheet
13447, c03: the twenty-first pass's untouched run, read by main 93240fe). `stain10.pen_beside`
now refuses a square with pen-dark ink in the margin beside it that is not a printed rule."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import kiosk.reading.stain10 as stain10
from kiosk.reading import empty8

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_review9 import _stroke
from test_settle7 import Clean
from test_stain10 import ring_through, water_ring


@pytest.fixture(scope="module")
def clean() -> Clean:
    return Clean()


def _off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stain10, "pen_beside", lambda *a: False)


def test_the_untouched_runs_tick_beside_the_square_is_not_read_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """11000/13447 c03 (AST-SMD-07; stain, felt tip, corner out): a felt-tip tick whose
    vertex is below the square and whose long arm crosses its lower right corner, a stain's
    rim beside it. The closer look sends it to review (`possible_stain`, 0.028); stain10
    explained the inside by the rim and read it `empty`. Now it stays in review."""
    reader, sheet, image = readkit.field_sheet(11000, 13447)
    k = [t.option for t in sheet.truth.squares].index("c03")
    assert sheet.truth.squares[k].expected == "marked" and sheet.truth.squares[k].kind == "tick"
    on = reader.read(image).contests[0].marks[k]
    assert on.mark == "marginal", on
    _off(monkeypatch)
    off = reader.read(image).contests[0].marks[k]
    assert off.mark == "empty", off  # the guard is what keeps it


# Felt-tip ticks (0.8 mm wide) beside square 4 of the clean sheet, each with a foot over the
# printed border (mm from the square's middle, v down); the square is 6 mm.
TICKS = {
    "below-right": [(0.5, 2.6), (1.7, 4.2), (4.5, 0.3)],
    "below": [(-1.0, 2.9), (0.3, 4.4), (3.4, 2.4)],
    "right": [(2.8, 1.0), (3.9, 2.2), (6.0, -2.0)],
    "corner": [(2.3, 2.3), (3.3, 3.8), (5.5, 1.0)],
}


def _stained(clean: Clean, ring: str) -> np.ndarray:
    if ring == "through":  # the rim runs down through the square's left half
        return ring_through(clean)
    return water_ring(clean.blank(), clean.centres[4], clean.s, (-4.0, 6.0), 8.0)  # over its corner


@pytest.mark.parametrize("k", [0.35, 0.6])
@pytest.mark.parametrize("tick", list(TICKS))
@pytest.mark.parametrize("ring", ["through", "corner"])
def test_a_pen_tick_beside_a_stained_square_is_never_explained(
    clean: Clean, ring: str, tick: str, k: float
) -> None:
    img = _stroke(_stained(clean, ring), clean.centres[4], clean.s, TICKS[tick], 0.8, k)
    assert stain10.why_not(img, clean.centres[4], clean.s, 255.0, 1.0) == "beside"
    assert clean.reader.read(img).contests[0].marks[4].mark != "empty"


# The two drawn cases the reader read `empty` before the guard (found drawing the above).
BEFORE = [("through", "below", 0.35), ("corner", "right", 0.35)]


@pytest.mark.parametrize(("ring", "tick", "k"), BEFORE)
def test_without_the_guard_the_reader_read_them_empty(
    clean: Clean, ring: str, tick: str, k: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = _stroke(_stained(clean, ring), clean.centres[4], clean.s, TICKS[tick], 0.8, k)
    assert clean.reader.read(img).contests[0].marks[4].mark == "marginal"
    _off(monkeypatch)
    assert clean.reader.read(img).contests[0].marks[4].mark == "empty"


def _beside(image: np.ndarray, centre: tuple[float, float], s: float) -> bool:
    got = empty8.neighbourhood(image, centre, s)
    assert got is not None
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    under = empty8.paper_under(win, s).astype(np.float64)
    return stain10.pen_beside(1.0 - win / np.maximum(under, 1.0), box, s)


def test_the_guard_is_silent_on_the_clean_sheets_print(clean: Clean) -> None:
    """Every square of the clean MZ-SMD-02 sheet (rules above and below each row)."""
    img = clean.blank()
    assert not any(_beside(img, c, clean.s) for c in clean.centres)


# Dev sheets (seed 160, no condition; MZ-SMD-02 at 150-200 dpi, one on grey paper) where the
# drafts spoke on print: a rule cut into pieces by the margin's edge or by grey paper.
@pytest.mark.parametrize("index", [1, 5, 21])
def test_the_guard_is_silent_on_faint_and_cut_rules(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.reading.reader as reader_module
    from fieldkit.conditions import FieldOptions, generate_field_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election

    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[index % len(styles)])
    sheet = generate_field_sheet(
        pkg.election, pkg.election_hash, layout, 160, index, FieldOptions(only="none")
    )
    image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    got: dict[str, np.ndarray] = {}
    real = reader_module.side_bands

    def spy(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, *a: object) -> object:
        got["c"], got["s"] = centres.copy(), scales.copy()
        return real(image, centres, scales, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module, "side_bands", spy)
    reader_module.BallotReader(pkg.election, pkg.election_hash, keep_crops="never").read(image)
    hits = [
        k
        for k, t in enumerate(sheet.truth.squares)
        if t.expected == "empty"
        and _beside(image, (float(got["c"][k, 0]), float(got["c"][k, 1])), float(got["s"][k]))
    ]
    assert hits == []


# --- the margin's residual: light strokes beside the square ------------------------------------


@pytest.mark.parametrize("k", [0.12, 0.28])
@pytest.mark.parametrize("tick", list(TICKS))
@pytest.mark.parametrize("ring", ["through", "corner"])
def test_a_light_tick_beside_a_stained_square_stays_in_review(
    clean: Clean, ring: str, tick: str, k: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A light stroke (0.5 mm, 0.12 and 0.28 of the light: under pen-dark) beside the
    square with its foot over the border: stain10 proved the inside alone and read 13 of
    these 16 `empty`. The margin's residual against the stain's profile is now judged as
    the inside's is."""
    img = _stroke(_stained(clean, ring), clean.centres[4], clean.s, TICKS[tick], 0.5, k)
    assert stain10.why_not(img, clean.centres[4], clean.s, 255.0, 1.0) in ("margin", "beside")
    assert clean.reader.read(img).contests[0].marks[4].mark == "marginal"


def test_without_the_margin_check_the_light_ticks_read_empty(
    clean: Clean, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stain10, "BESIDE", False)
    read = [
        clean.reader.read(_stroke(_stained(clean, ring), clean.centres[4], clean.s, TICKS[t], 0.5, 0.12))
        .contests[0]
        .marks[4]
        .mark
        for ring in ("through", "corner")
        for t in TICKS
    ]
    assert read == ["empty"] * 8


def test_the_price_a_stained_square_with_a_line_across_its_margin_stays_in_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """140/77/38 (truth empty, a water ring's rim and a line across the margin above the
    square): stain10 settled it `empty`; the line in the margin is not the rim's, so it
    stays in review."""
    reader, sheet, image = readkit.field_sheet(140, 77, ("stain",))
    assert sheet.truth.squares[38].expected == "empty"
    assert reader.read(image).contests[0].marks[38].mark == "marginal"
    monkeypatch.setattr(stain10, "BESIDE", False)
    assert reader.read(image).contests[0].marks[38].mark == "empty"
