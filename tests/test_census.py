"""fieldkit.census (benchmarks/review_census.py): the tracer of who keeps a sheet in review
records without changing a reading, and names the test that raised each doubt."""

from __future__ import annotations

from typing import Any

from readkit import field_sheet

from fieldkit.census import Trail, doubts, traced, who


def _marks(r: Any) -> list[tuple[str, str | None, float]]:
    return [(m.mark, m.reason, m.score) for c in r.contests for m in c.marks]


def test_the_trace_changes_no_reading_and_names_a_stain_rim_taken_for_a_stroke() -> None:
    # Dev seed 190, sheet 293 (150 dpi, a stain): square 22, empty, a stain's rim across it
    # that the crossing-line rule took out and whose straight continuation the rim leaves
    # (benchmarks/results/pass35/census35-taken-for-line.png); the sheet is in review for it.
    reader, sheet, image = field_sheet(190, 293)
    plain = reader.read(image)
    trail = Trail()
    with traced(trail):
        seen = reader.read(image)
    assert _marks(seen) == _marks(plain) and seen.status == plain.status == "review"
    rows = {r["square"]: r for r in doubts(sheet, seen, trail, 293)}
    assert rows[22]["expected"] == "empty" and rows[22]["who"] == "inspect:stroke_taken_for_line"
    assert ["inspect", ("marginal", "marginal_mark")] in rows[22]["trail"]
    # 190/87: passes after the loop change marks (erase9 on square 2, settle_contest on 8).
    _reader, other, other_image = field_sheet(190, 87)
    plain = reader.read(other_image)
    with traced(trail):
        seen = reader.read(other_image)
    assert _marks(seen) == _marks(plain) and seen.status == plain.status == "review"
    rows = {r["square"]: r for r in doubts(other, seen, trail, 87)}
    assert rows[2]["who"] == "erase9.possible_erasure"
    assert rows[8]["who"].startswith("settle7.settle_contest<")
    # Out of the `with`, nothing is wrapped any more: a read records nothing.
    trail.calls.clear()
    reader.read(image)
    assert trail.calls == {}


def test_who_takes_the_last_test_that_raised_the_doubt() -> None:
    # A no-look hook whose own pencil tests ran inside it (recorded first): the hook.
    assert who([("inspect.faint_stroke", True), ("tick13.asked", True)]) == "tick13.asked"
    # The closer look in doubt, named by the chain's test that decided: the last yes of its
    # own calls (the chain stops at its first real yes) not taken back by crease27's proof.
    calls: list[tuple[str, Any]] = [
        ("inspect.faint_stroke", False),
        ("inspect.line_stops_short", True),
        ("inspect.crease27.proven", True),  # "it ends" taken back: the line runs on
        ("inspect.lines7.hand_on_lines", True),
        ("inspect", ("marginal", "marginal_mark")),
        ("settle7.settles", False),
    ]
    assert who(calls) == "inspect:lines7.hand_on_lines"
    kept = [
        ("inspect.line_stops_short", True),
        ("inspect.crease27.proven", False),
        ("inspect", ("marginal", "marginal_mark")),
    ]
    assert who(kept) == "inspect:line_stops_short"
    # A verdict the chain did not give is named by its reason (a stroke test's yes set aside).
    stain = [("inspect.faint_stroke", True), ("inspect", ("marginal", "possible_stain"))]
    assert who(stain) == "inspect:possible_stain"
    # Read empty by the closer look, then a second look's verdict or a last look's yes.
    assert (
        who([("inspect", ("empty", None)), ("pencil6.second_look", ("marginal", "marginal_mark"))])
        == "pencil6.second_look"
    )
    assert who([("inspect", ("empty", None)), ("wrong10.last_look", True)]) == "wrong10.last_look"
    # A second look passes a doubt through unchanged: the one that raised it is named.
    passed = [
        ("inspect", ("empty", None)),
        ("pencil6.second_look", ("empty", None)),
        ("pencil7.wider_look", True),
        ("pencil7.second_look", ("marginal", "marginal_mark")),
        ("faint9.second_look", ("marginal", "marginal_mark")),
    ]
    assert who(passed) == "pencil7.second_look"
    # Settled, then sent back by the contest: named with what raised the doubt.
    back = [*calls, ("settle7.settles", True), ("settle7.settle_contest", ("marginal", "marginal_mark"))]
    assert who(back) == "settle7.settle_contest<inspect:lines7.hand_on_lines"
    # A pass after the loop that set `marginal`.
    assert (
        who([("inspect", ("marked", None)), ("erase9.possible_erasure", ("marginal", "possible_erasure"))])
        == "erase9.possible_erasure"
    )
    # Nothing raised it that the trace knows: said so.
    assert who([("pencil6.pencil_near", False)]) == "unknown"


def _wrapped() -> list[tuple[Any, str, Any]]:
    from fieldkit import census
    from kiosk.reading import crease27
    from kiosk.reading import inspect as inspect_module
    from kiosk.reading import reader as reader_module

    names = [(getattr(reader_module, m), n) for m, n in census.IN_LOOP + census.AFTER_LOOP]
    names += [(inspect_module if m is None else getattr(inspect_module, m), n) for m, n in census.IN_INSPECT]
    names += [
        (crease27.Proven, "__call__"),
        (reader_module, "inspect_square"),
        (reader_module, "_corner_tick"),
    ]
    names += [(reader_module.BallotReader, "_interpret")]
    return [(owner, n, getattr(owner, n)) for owner, n in names]


def test_everything_is_put_back_even_after_an_exception() -> None:
    before = _wrapped()
    trail = Trail()
    with traced(trail):
        assert all(getattr(o, n) is not f for o, n, f in before)
    assert all(getattr(o, n) is f for o, n, f in before)
    try:
        with traced(trail):
            raise RuntimeError("a reading failed")
    except RuntimeError:
        pass
    assert all(getattr(o, n) is f for o, n, f in before)
