"""fieldkit.census (benchmarks/review_census.py): the tracer of who keeps a sheet in review
records without changing a reading, and names the test that raised each doubt."""

from __future__ import annotations

from typing import Any

from fieldkit.accuracy import _field_setup
from fieldkit.census import Trail, doubts, traced, who
from fieldkit.conditions import FieldOptions, generate_field_sheet


def _sheet(seed: int, index: int) -> Any:
    pkg, _reader, layouts = _field_setup()
    style = list(layouts)[index % len(layouts)]
    return generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], seed, index, FieldOptions())


def _marks(r: Any) -> list[tuple[str, str | None, float]]:
    return [(m.mark, m.reason, m.score) for c in r.contests for m in c.marks]


def test_the_trace_changes_no_reading_and_names_a_stain_rim_taken_for_a_stroke() -> None:
    # Dev seed 190, sheet 293 (150 dpi, a stain): square 22, empty, a stain's rim across it
    # that the crossing-line rule took out and whose straight continuation the rim leaves
    # (benchmarks/results/pass35/census35-taken-for-line.png); the sheet is in review for it.
    _pkg, reader, _layouts = _field_setup()
    sheet = _sheet(190, 293)
    plain = reader.read_bytes(sheet.image)
    trail = Trail()
    with traced(trail):
        seen = reader.read_bytes(sheet.image)
    assert _marks(seen) == _marks(plain) and seen.status == plain.status == "review"
    rows = {r["square"]: r for r in doubts(sheet, seen, trail, 293)}
    assert rows[22]["expected"] == "empty" and rows[22]["who"] == "inspect:stroke_taken_for_line"
    assert ["inspect", ("marginal", "marginal_mark")] in rows[22]["trail"]
    # Out of the `with`, nothing is wrapped any more: a read records nothing.
    trail.calls.clear()
    reader.read_bytes(sheet.image)
    assert trail.calls == {}


def test_who_takes_the_last_test_that_raised_the_doubt() -> None:
    # A no-look hook whose own closer look ran inside it: the hook, not the closer look.
    assert (
        who(
            [
                ("inspect.faint_stroke", True),
                ("inspect", ("marginal", "marginal_mark")),
                ("tick13.asked", True),
            ]
        )
        == "tick13.asked"
    )
    # The closer look in doubt, named by its first stroke test that said yes.
    calls: list[tuple[str, Any]] = [
        ("inspect.faint_stroke", False),
        ("inspect.line_stops_short", True),
        ("inspect.lines7.hand_on_lines", True),
        ("inspect", ("marginal", "marginal_mark")),
        ("settle7.settles", False),
    ]
    assert who(calls) == "inspect:line_stops_short"
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
    # Settled, then sent back by the contest; a pass after the loop that set `marginal`.
    assert (
        who([*calls, ("settle7.settles", True), ("settle7.settle_contest", ("marginal", "marginal_mark"))])
        == "settle7.settle_contest"
    )
    assert (
        who([("inspect", ("marked", None)), ("erase9.possible_erasure", ("marginal", "possible_erasure"))])
        == "erase9.possible_erasure"
    )
    # Nothing raised it that the trace knows: said so.
    assert who([("pencil6.pencil_near", False)]) == "unknown"
