"""The compiled kernels run without bounds checks (numba's default). Here every kernel is
compiled again WITH bounds checks and the whole reader runs on inputs that put windows
at the image's edges and beyond: scans with a corner of the page out of the frame, pages
pushed against an edge, random arrays from the smallest accepted side (300 px) up, and
one image at the size limit. An index out of range raises IndexError here instead of
reading past the array in production. And reading a sheet compiles nothing new."""

from __future__ import annotations

from collections.abc import Iterator

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.conditions import FieldOptions, generate_field_sheet
from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading import kernels
from kiosk.reading.reader import MAX_PIXELS, MAX_SIDE_PX, BallotReader


def _dispatchers() -> dict[str, numba.core.registry.CPUDispatcher]:
    return {
        name: fn for name, fn in vars(kernels).items() if isinstance(fn, numba.core.registry.CPUDispatcher)
    }


@pytest.fixture(scope="module")
def checked_reader() -> Iterator[BallotReader]:
    """A reader whose kernels all check every index (compiled for this test, not cached)."""
    originals = _dispatchers()
    for name, fn in originals.items():
        setattr(kernels, name, numba.njit(boundscheck=True, nogil=True)(fn.py_func))
    try:
        e = sample_election()
        yield BallotReader(e, election_hash(e), keep_crops="always")
    finally:
        for name, fn in originals.items():
            setattr(kernels, name, fn)


def test_kernels_are_all_checked_here(checked_reader: BallotReader) -> None:
    # The reader calls kernels through the module, so patching the module reaches them.
    for fn in _dispatchers().values():
        assert fn.targetoptions.get("boundscheck") is True


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(index=st.integers(0, 100_000), only=st.sampled_from(["corner_out", "skew", "stain", "fold", None]))
def test_field_sheets_with_bounds_checks(checked_reader: BallotReader, index: int, only: str | None) -> None:
    e = checked_reader.election
    layout = build_layout(e, checked_reader.election_hash, e.styles[index % len(e.styles)].id)
    sheet = generate_field_sheet(e, checked_reader.election_hash, layout, 100, index, FieldOptions(only=only))  # type: ignore[arg-type]
    checked_reader.read_bytes(sheet.image)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    index=st.integers(0, 10_000),
    edge=st.sampled_from(["left", "right", "top", "bottom"]),
    cut=st.floats(0.0, 0.2),
)
def test_pages_cut_at_every_edge(checked_reader: BallotReader, index: int, edge: str, cut: float) -> None:
    """A ballot pushed off the frame on one side by up to a fifth: fiducials, timing marks,
    squares and the QR window at or beyond the image's edge."""
    e = checked_reader.election
    s = generate_sheet(e, checked_reader.election_hash, "AST-LIST", 3, index, DeckOptions(), with_front=False)
    img = s.back
    h, w = img.shape
    n = int(cut * (w if edge in ("left", "right") else h))
    part = {"left": img[:, n:], "right": img[:, : w - n], "top": img[n:], "bottom": img[: h - n]}[edge]
    if min(part.shape) >= 300:
        checked_reader.read(np.ascontiguousarray(part))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    h=st.integers(300, 1400),
    w=st.integers(300, 1400),
    seed=st.integers(0, 2**32 - 1),
    blocks=st.integers(0, 40),
)
def test_random_images_with_bounds_checks(
    checked_reader: BallotReader, h: int, w: int, seed: int, blocks: int
) -> None:
    """Paper with dark squares anywhere, touching every edge: fiducial candidates, windows
    and QR grids wherever they fall."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w), 235, np.uint8)
    for _ in range(blocks):
        y, x = int(rng.integers(-20, h)), int(rng.integers(-20, w))
        size = int(rng.integers(5, 60))
        img[max(0, y) : max(0, y + size), max(0, x) : max(0, x + size)] = int(rng.integers(0, 80))
    checked_reader.read(img)


def test_size_limit_with_bounds_checks(checked_reader: BallotReader) -> None:
    """The largest image accepted: 13,000 px long, 67 Mpx, dark squares in its corners."""
    w = MAX_PIXELS // MAX_SIDE_PX
    img = np.full((MAX_SIDE_PX, w), 240, np.uint8)
    for y, x in ((0, 0), (0, w - 200), (MAX_SIDE_PX - 200, 0), (MAX_SIDE_PX - 200, w - 200)):
        img[y : y + 200, x : x + 200] = 10
    r = checked_reader.read(img)
    assert r.status == "rejected"


def test_reading_compiles_nothing_new() -> None:
    """Every kernel is compiled (or loaded) when the reader is built; reading sheets of every
    style, resolution and condition adds no compiled signature."""
    e = sample_election()
    h = election_hash(e)
    reader = BallotReader(e, h, keep_crops="always")
    before = {name: len(fn.signatures) for name, fn in _dispatchers().items()}
    assert all(before.values()), before
    for i, style in enumerate(s.id for s in e.styles):
        for dpi in (150, 300):
            sheet = generate_sheet(
                e, h, style, 9, i, DeckOptions(dpis=(dpi,), hesitation=1.0), with_front=False
            )
            reader.read_bytes(sheet.back_bytes)
        field = generate_field_sheet(e, h, build_layout(e, h, style), 100, i, FieldOptions(p=0.6))
        reader.read_bytes(field.image)
    after = {name: len(fn.signatures) for name, fn in _dispatchers().items()}
    assert after == before
