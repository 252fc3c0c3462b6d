"""Properties: the fast scorer agrees with the plain reference; no input makes the reader throw;
and a slice of the accuracy run has zero wrong decisions."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fieldkit.accuracy import evaluate
from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import TARGET
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.messages import MESSAGES
from kiosk.reading.locate import find_fiducials
from kiosk.reading.model import SideReading, Thresholds
from kiosk.reading.reader import WINDOW_MARGIN_MM, BallotReader, ink_gain, page_to_image, score_squares
from kiosk.reading.reference import score_squares_reference, window_paper_reference

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@lru_cache(maxsize=1)
def reader() -> BallotReader:
    e = sample_election()
    return BallotReader(e, election_hash(e), keep_crops="never")


@SLOW
@given(
    style=st.sampled_from(["MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07"]),
    seed=st.integers(0, 10_000),
    index=st.integers(0, 10_000),
    rotation=st.floats(0.0, 5.0),
    blur=st.booleans(),
    jpeg=st.booleans(),
)
@example(style="MZ-LIST", seed=21, index=1845, rotation=3.3125, blur=False, jpeg=False)
@example(style="MZ-LIST", seed=77, index=102, rotation=2.0, blur=False, jpeg=False)
def test_fast_scores_agree_with_reference(
    style: str, seed: int, index: int, rotation: float, blur: bool, jpeg: bool
) -> None:
    e = sample_election()
    opt = DeckOptions(
        rotation_deg=rotation, blur=blur, jpeg=jpeg, streak=0.0, perspective=0.0, hesitation=0.3
    )
    s = generate_sheet(e, election_hash(e), style, seed, index, opt, with_front=False)
    r = reader()
    fast = r.read(s.back)
    assert fast.status != "rejected", fast
    found = find_fiducials(s.back)
    assert found is not None
    ident = r._identify(s.back, found)
    assert not isinstance(ident, SideReading)
    _, corners, plan, _ = ident
    h = page_to_image(corners, plan.fiducials_mm)
    ref = score_squares_reference(s.back, h, plan.layout, found.levels, 1.25 * corners.px_per_mm)
    # The kernel's own scores: the closer look (kiosk/reading/inspect.py, with references of
    # its own) then revises the few squares at or above `marginal`, which the warped
    # reference does not model (hypothesis found 0.228 vs 0.252 and 0.018 vs 0.031 there).
    registered = r._register(s.back, h, plan, found.levels, corners.px_per_mm)
    assert registered is not None
    scored = score_squares(s.back, registered[0], registered[1], found.levels, plan.interior_mm2)
    got = scored.scores

    # Each square's paper level is a 75th percentile over its window's outer ring (0.5 mm): the
    # fast path's on the scan's own whole grey levels, the reference's on pixels resampled
    # bilinearly, which smooths the scan's noise. At 150 dpi with noise the two can differ by
    # 2 grey levels on one square, and one grey level of paper is worth about 0.013 of score
    # (the whole window, 2.5x the inside, is measured against it): MZ-SMD-02 653/653, 1.125
    # degrees, square c04, fast paper 217.5 against 215.5, scores 0.0073 against -0.0061.
    # That part of the disagreement is taken out first (what is common to all squares, the
    # baseline removes); what is left must be within the tolerance.
    def level(sides: np.ndarray) -> np.ndarray:
        levels: np.ndarray = 4 / (1 / np.maximum(sides, 1.0)).sum(axis=1)
        return levels

    paper_gap = level(np.asarray(scored.paper, np.float64)) - level(
        window_paper_reference(s.back, h, plan.layout, 1.25 * corners.px_per_mm)
    )
    window_mm2 = (TARGET + 2 * WINDOW_MARGIN_MM) ** 2
    per_grey = (
        ink_gain(found.levels) * window_mm2 / plan.interior_mm2 / level(np.asarray(scored.paper, np.float64))
    )
    got = got - per_grey * (paper_gap - np.median(paper_gap))
    # Windows differ by a pixel of margin, which matters only for marks that spill over the
    # square's edge, and the reference's bilinear resampling spreads the thin printed
    # borders differently in each window: an absolute tolerance of the same 0.012 as the
    # classification check below, plus a few per cent of the score. (Over 240 random cases
    # the excess over the 4% reached 0.0079; a fresh CI run found a case at 0.0085.)
    # Over `marked` (a mark, whatever its exact score) a mark spilling over the square's edge
    # differs more: a fresh clone's run found 0.1245 against 0.1049 (MZ-LIST 77/102 at 2 degrees,
    # a tick, whose arm runs over the edge); there the decision below is what must agree.
    t = Thresholds()
    tol = np.where(np.abs(ref) < t.marked, 0.012 + 0.04 * np.abs(ref), 0.012 + 0.25 * np.abs(ref))
    assert (np.abs(got - ref) < tol).all(), (got, ref, paper_gap)
    for g, want in zip(got, ref, strict=True):
        near = min(abs(want - t.marginal), abs(want - t.marked)) < 0.012
        if not near:
            assert t.classify(float(g)) == t.classify(float(want))


KNOWN = set(MESSAGES)


def _check(result: SideReading) -> None:
    assert isinstance(result, SideReading)
    if result.status == "rejected":
        assert result.reason in KNOWN, result.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check(reader().read_bytes(data))


@lru_cache(maxsize=1)
def _jpeg() -> bytes:
    e = sample_election()
    return generate_sheet(e, election_hash(e), "AST-LIST", 1, 0, DeckOptions()).back_bytes


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000), st.integers(0, 255), st.booleans())
def test_truncated_and_corrupted_scans_never_raise(cut: int, value: int, flip: bool) -> None:
    data = bytearray(_jpeg())
    data = data[: max(8, len(data) * cut // 100_000)] if not flip else data
    if flip and len(data) > 100:
        data[len(data) * cut // 100_000 % len(data)] = value
    _check(reader().read_bytes(bytes(data)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 5000),
    w=st.integers(1, 3000),
    kind=st.sampled_from(["zeros", "white", "noise", "stripes", "checker"]),
)
def test_arrays_of_any_size_and_content_never_raise(h: int, w: int, kind: str) -> None:
    rng = np.random.default_rng(h * 7919 + w)
    if kind == "zeros":
        img = np.zeros((h, w), np.uint8)
    elif kind == "white":
        img = np.full((h, w), 255, np.uint8)
    elif kind == "noise":
        img = rng.integers(0, 256, (h, w), dtype=np.uint8)
    elif kind == "stripes":
        img = np.tile((np.arange(w) % 23 < 5).astype(np.uint8) * 255, (h, 1))
    else:
        yy, xx = np.indices((h, w))
        img = (((yy // 40) + (xx // 40)) % 2 * 255).astype(np.uint8)
    _check(reader().read(img))


def test_huge_image_is_refused_quickly() -> None:
    big = np.full((17_000, 400), 255, np.uint8)
    assert reader().read(big).reason == "image_size_unsupported"


def test_accuracy_slice_has_zero_wrong_decisions() -> None:
    """A slice of benchmarks/accuracy.py: every mark kind, pattern and scan effect."""
    tally = evaluate(24, seed=20260, workers=2, opt=DeckOptions(hesitation=0.25, erased=0.2, streak=0.15))
    report = tally.report()
    assert report["sheets"] == 96
    assert tally.wrong_decisions == 0, report["failures"]
    assert tally.confusion["marginal"]["marginal"] > 0  # the ambiguous marks were there, and went to review
    assert tally.squares > 1000


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_lower_quartile_is_numpys(values: list[float]) -> None:
    from kiosk.reading.reader import lower_quartile

    assert abs(lower_quartile(values) - float(np.percentile(values, 25))) <= 1e-9 * (
        1 + max(map(abs, values))
    )


def test_fast_score_of_an_empty_square_at_one_degree_within_the_reference_tolerance() -> None:
    """Found by a fresh clone's hypothesis run (session 28): square c04 of MZ-SMD-02 653/653 at
    1.125 degrees, fast 0.0073 against the reference's -0.0061, 0.0134 over a tolerance of 0.0122.
    Its paper level differs by 2 grey levels between the two (see the property test)."""
    test_fast_scores_agree_with_reference.hypothesis.inner_test(  # type: ignore[attr-defined]
        style="MZ-SMD-02", seed=653, index=653, rotation=1.125, blur=False, jpeg=False
    )
