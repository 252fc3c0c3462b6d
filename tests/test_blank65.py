"""blank65 (issue 10, session 65): a contest about to read blank asks faint37 again with the
floors' multiples of the clean spread at NOISE_SHARE. It only sends squares to review, only in a
blank contest, and wherever the full share says yes a lower share does too."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from readkit import field_sheet

from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading import blank65, faint37, grain14
from kiosk.reading.model import MarkReading


def _window_of(seed: int, index: int, option: str) -> tuple[np.ndarray, float]:
    """grain14's ink window of one square of a field sheet (as faint37.asked cuts it)."""
    reader, _sheet, image = field_sheet(seed, index)
    got: list[tuple[np.ndarray, float]] = []
    real = faint37.asked

    def spy(image_, centre, scale, levels, gain, layout, i, page, noise_share=1.0):  # type: ignore[no-untyped-def]
        if layout.targets[i].option == option:
            ink = grain14.gated_ink(image_, centre, scale, levels, gain)
            assert ink is not None
            got.append((ink, scale))
        return real(image_, centre, scale, levels, gain, layout, i, page, noise_share)

    setattr(faint37, "asked", spy)  # noqa: B010 (a spy for the length of one read)
    try:
        reader.read(image)
    finally:
        setattr(faint37, "asked", real)  # noqa: B010
    assert got
    return got[0]


def test_the_holdout_slash_is_under_the_full_floor_and_over_the_shared_one() -> None:
    """14500/57685/c38's window: no at the full share, yes at NOISE_SHARE (tests/test_holdout65.py
    reads the whole sheet)."""
    ink, scale = _window_of(14500, 57685, "c38")
    assert not faint37.window_asked(ink, scale, None, gate=False)
    assert faint37.window_asked(ink, scale, None, gate=False, noise_share=blank65.NOISE_SHARE)


def _marks(kinds: list[str]) -> list[MarkReading]:
    return [MarkReading(f"o{i}", 0.01, k) for i, k in enumerate(kinds)]  # type: ignore[arg-type]


def test_a_contest_with_any_square_not_empty_is_left_as_it_is() -> None:
    """Not blank (a vote, a doubt): the marks come back untouched, nothing asked."""
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "AST-LIST")
    for kinds in (["empty", "marked", "empty"], ["marginal", "empty"]):
        marks = _marks(kinds)
        image = np.full((10, 10), 240, np.uint8)
        assert (
            blank65.faint_in_blank(
                image,
                np.zeros((len(marks), 2)),
                np.ones(len(marks)),
                np.full((len(marks), 4), 240.0),
                1.05,
                layout,
                None,
                0.018,
                marks,
            )
            is marks
        )


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 1.6), st.floats(0.3, 1.2), st.floats(0.3, 1.2), st.integers(0, 2**31 - 1))
def test_a_lower_share_only_adds_yeses(factor: float, a: float, b: float, seed: int) -> None:
    """faint37 at a lower share says yes wherever it says yes at a higher one (its floors only
    fall: every pair and arm found above is found below), on the holdout slash's own window made
    lighter or darker and given some grain (so the absolute floors, the spread's and neither
    decide in turn)."""
    ink, scale = _holdout_window()
    rng = np.random.default_rng(seed)
    grain = rng.normal(0.0, 0.004, ink.shape).astype(np.float32)
    w = (ink * factor + grain).astype(np.float32)
    lo, hi = min(a, b), max(a, b)
    if faint37.window_asked(w, scale, None, gate=False, noise_share=hi):
        assert faint37.window_asked(w, scale, None, gate=False, noise_share=lo)


_HOLDOUT: list[tuple[np.ndarray, float]] = []


def _holdout_window() -> tuple[np.ndarray, float]:
    if not _HOLDOUT:
        _HOLDOUT.append(_window_of(14500, 57685, "c38"))
    return _HOLDOUT[0]


def test_a_blank_contest_asks_only_its_squares_in_the_bands() -> None:
    """All empty: squares scoring under faint37's low band or at `marginal` and over are not
    asked (a spy counts the calls) and come back as they were."""
    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "AST-LIST")
    marks = [MarkReading(f"o{i}", sc, "empty") for i, sc in enumerate((-0.02, 0.0, 0.05, 0.3))]
    asked: list[int] = []
    real = faint37.asked

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(args[6])
        return real(*args, **kwargs)

    setattr(faint37, "asked", spy)  # noqa: B010
    try:
        out = blank65.faint_in_blank(
            np.full((10, 10), 240, np.uint8),
            np.zeros((4, 2)),
            np.ones(4),
            np.full((4, 4), 240.0),
            1.05,
            layout,
            None,
            0.018,
            marks,
        )
    finally:
        setattr(faint37, "asked", real)  # noqa: B010
    assert asked == [] and out == marks
