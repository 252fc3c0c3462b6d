"""Shared pieces of the reader's tests: what the reader looked at while reading one image
(the stain tests), ink laid on a sheet's image, and a clean sheet with an empty square to
draw on (tests/test_lines6.py, tests/test_redteam6.py)."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import kiosk.reading.inspect as inspect_module
import kiosk.reading.reader as reader_module
from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.model import SideReading
from kiosk.reading.reader import BallotReader


def read_looked_at(
    r: BallotReader, image: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> tuple[SideReading, list[bool], list[tuple[tuple[float, float], float, float]]]:
    """The reading, which squares the reader looked at closer, and for each of those (in
    order) the square's centre in the image, px per mm and fast score."""
    looks: list[list[bool]] = []
    calls: list[tuple[tuple[float, float], float, float]] = []
    real_band = reader_module.doubt_band
    real_inspect = inspect_module.inspect_square

    def band(*a: Any) -> np.ndarray:
        out = real_band(*a)
        looks.append(out.tolist())
        return out

    def inspect(image: np.ndarray, centre: tuple[float, float], scale: float, *a: Any) -> Any:
        calls.append((centre, scale, a[4]))  # half, ring, levels, gain, score, ...
        return real_inspect(image, centre, scale, *a)

    monkeypatch.setattr(reader_module, "doubt_band", band)
    monkeypatch.setattr(reader_module, "inspect_square", inspect)
    try:
        reading = r.read(image)
    finally:
        monkeypatch.setattr(reader_module, "doubt_band", real_band)
        monkeypatch.setattr(reader_module, "inspect_square", real_inspect)
    assert reading.status != "rejected", reading
    return reading, looks[-1], calls


def darken(image: np.ndarray, mask: np.ndarray, factor: float) -> np.ndarray:
    """Multiply the grey by `factor` where `mask` (0..1) is set: ink on stained paper."""
    out = image.astype(np.float32) * (1 - (1 - factor) * mask)
    return np.clip(out, 0, 255).astype(np.uint8)


CleanSquare = tuple[BallotReader, np.ndarray, int, float, float, float]


def clean_empty_square() -> CleanSquare:
    """A clean MZ-SMD-02 sheet at 200 dpi: a reader, the back's image (a copy), an empty
    square's index away from the contest's ends, its centre in the image and px per mm."""
    e = sample_election()
    h = election_hash(e)
    opt = DeckOptions.clean()
    style = "MZ-SMD-02"
    s = generate_sheet(e, h, style, 5, 6, opt, with_front=False)
    scale = 200 / 25.4
    layout = build_layout(e, h, style)
    page_h, page_w = round(layout.height_mm * scale), round(layout.width_mm * scale)
    mx, my = canvas_margins(page_h, page_w, opt, scale)
    expected = [q.expected for q in s.truth.squares]
    i = next(k for k, x in enumerate(expected) if x == "empty" and 3 < k < len(expected) - 3)
    t = layout.targets[i]
    return (
        BallotReader(e, h, keep_crops="never"),
        s.back.copy(),
        i,
        mx + t.box.cx * scale,
        my + t.box.cy * scale,
        scale,
    )


# tidy9 (issue 10, ninth pass): the field sheet test_settle7, test_empty8 and test_marks8
# each built with the same eight lines.
def field_sheet(seed: int, index: int, always: tuple[str, ...] = ()) -> tuple[BallotReader, Any, np.ndarray]:
    """A reader, the field corpus's sheet `index` of `seed` (with `always`: every sheet
    under those conditions, none_share 0) and its decoded image.

    tests11: made once per test process (test_lines10 and test_wrong11 read the same three);
    the image is a fresh copy on every call, so a test that draws on it in place changes no
    other test's sheet (the reader keeps nothing between readings)."""
    reader, sheet, image = _field_sheet(seed, index, tuple(always))
    return reader, sheet, image.copy()


def assert_freed(
    module: ModuleType, seed: int, always: tuple[str, ...], index: int, k: int, reason: str | None = None
) -> Any:
    """A square a rule frees (crease27, rim46, show43): truth `empty`, read `empty` with
    `module` as the test has it (on), `marginal` with it switched off (and `reason`, when given).
    Returns the field sheet (for the test's own asks of it)."""
    from fieldkit.hook_ab import switched_off

    r, sheet, image = field_sheet(seed, index, always)
    assert sheet.truth.squares[k].expected == "empty"
    got = r.read(image).contests[0].marks[k]
    assert got.mark == "empty", got
    with switched_off(module):
        got = r.read(image).contests[0].marks[k]
    assert got.mark == "marginal", got
    if reason is not None:
        assert got.reason == reason, got
    return sheet


@lru_cache(maxsize=32)
def _field_sheet(seed: int, index: int, always: tuple[str, ...]) -> tuple[BallotReader, Any, np.ndarray]:
    import cv2

    from fieldkit.conditions import FieldOptions, generate_field_sheet
    from kiosk.election.load import load_election

    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    styles = [s.id for s in pkg.election.styles]
    layout = build_layout(pkg.election, pkg.election_hash, styles[index % len(styles)])
    opts = FieldOptions(none_share=0.0, always=always) if always else FieldOptions()  # type: ignore[arg-type]
    sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, opts)
    image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return reader, sheet, image


# tests11: the grain of a drawn pencil stroke is a uniform draw over the whole image (80-100
# ms at 300 dpi); the drawing helpers ask for the same few seeds and sizes test after test.
# The arrays are the very expressions the helpers computed, made once and kept read-only.
@lru_cache(maxsize=8)
def grain_random(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """`np.random.default_rng(seed).random(shape).astype(np.float32)`, read-only."""
    out = np.random.default_rng(seed).random(shape).astype(np.float32)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=8)
def grain_uniform(seed: int, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    """`np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)`, read-only."""
    out = np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)
    out.setflags(write=False)
    return out
