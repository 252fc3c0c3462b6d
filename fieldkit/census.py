"""Who keeps a sheet in review beyond the truth (issue 10): every doubtful square's trail.

Passes 25, 29, 32 and 35 each rebuilt a tracer by hand to answer one question: on a sheet the
reader sends to review where the truth does not, which of the reader's tests put each square
in doubt? This is that tracer, kept: `traced(reader)` wraps, for the duration of a `with`,
every test `kiosk.reading.reader` asks of a square (the hooks under the doubt band, the second
looks, the closer look and the stroke tests inside it, the settlers and the passes over the
contest's marks after the loop). Each call is recorded against the square the reader's loop is
on (its `i`, read from `_interpret`'s frame), with what it answered. Nothing is changed: the
wrappers only record (`tests/test_census.py` checks the readings are the reader's own).

`doubts(sheet, reading, trail)` gives, for each square in doubt on a sheet beyond the truth, its
truth, reason, score, conditions, the full trail, and `who`: the test that put it in doubt last
(a pass after the loop that set `marginal`; else the last in-loop hook that said yes; else the
closer look's verdict, named by the first stroke test inside it that said yes).

Where it stops: `who` is the last raiser, not every one; a test that said yes and was
overruled later is in the trail only. Single-contest sides (the field corpus's), as
`fieldkit.hook_ab._why`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any

from fieldkit.conditions import FieldSheet
from fieldkit.hook_ab import doubt_row
from kiosk.reading import inspect as inspect_module
from kiosk.reading import reader as reader_module
from kiosk.reading.model import MarkReading, SideReading

# In-loop tests, as `_interpret` calls them through their modules (module attribute, label).
IN_LOOP = [
    ("cross16", "low_look"),
    ("faint9", "second_chance"),
    ("vote11", "just_under"),
    ("plus31", "by_streak"),
    ("miss11", "never_asked"),
    ("tick13", "asked"),
    ("rebase14", "asked"),
    ("grain14", "stroke_pair"),
    ("pencil7", "pencil_or_stroke_near"),
    ("deep29", "asked"),
    ("beside35", "asked"),
    ("pencil6", "pencil_near"),
    ("pencil7", "wider_look"),
    ("fix8", "small_cross"),
    ("faint9", "joined_strokes"),
    ("pencil6", "second_look"),
    ("pencil7", "second_look"),
    ("faint9", "second_look"),
    ("wrong10", "last_look"),
    ("cross28", "doubt_pair"),
    ("wrong11", "stroke_by_streak"),
    ("look23", "arm_across"),
    ("edge24", "tick_on_border"),
    ("settle7", "settles"),
    ("marks8", "settles"),
    ("pencil9", "settles"),
    ("show10", "strokes_on_print"),
    ("wrong10", "hair_arm"),
    ("empty8", "settles_empty"),
    ("stain10", "settles_empty"),
    ("lines10", "settles_empty"),
]
# The closer look's own stroke tests (`inspect`'s module globals and the modules it calls).
IN_INSPECT = [
    (None, "faint_stroke"),
    (None, "pencil_stroke"),
    (None, "stroke_taken_for_line"),
    (None, "line_stops_short"),
    ("lines7", "hand_on_lines"),
    ("wrong8", "stroke_on_lines"),
    ("fold24", "stroke_on_fold"),
    ("stroke28", "stroke_on_run"),
    (None, "_fill_inside"),
    (None, "_strokes_under_lines"),
]
# Passes over the contest's marks after the loop (`marks` in, `marks` out).
AFTER_LOOP = [
    ("under23", "unasked_strokes"),
    ("show10", "print_only"),
    ("rims7", "unlike_marks"),
    ("fix8", "hairline"),
    ("wrong10", "ridged_print"),
    ("erase9", "possible_erasure"),
    ("settle7", "settle_contest"),
]
# Tests whose True puts a square in doubt (a second look's does by its verdict; the settlers'
# True decides a square, as the empty settles' do).
RAISERS = {f"{m}.{n}" for m, n in IN_LOOP[:15]} | {
    "wrong10.last_look",
    "cross28.doubt_pair",
    "wrong11.stroke_by_streak",
    "look23.arm_across",
    "edge24.tick_on_border",
    "edge16.corner_tick",
}


@dataclass
class Trail:
    """Per square index: (label, answer) in call order, for the last side read."""

    calls: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)

    def add(self, i: int, label: str, answer: Any) -> None:
        self.calls.setdefault(i, []).append((label, answer))


_INTERPRET = reader_module.BallotReader._interpret.__code__  # the loop's frame (before wrapping)


def _square_index(frame: FrameType | None) -> int | None:
    interpret = _INTERPRET
    while frame is not None:
        if frame.f_code is interpret:
            i = frame.f_locals.get("i")
            return int(i) if isinstance(i, int) else None
        frame = frame.f_back
    return None


def _answer(o: Any) -> Any:
    if isinstance(o, bool | None):
        return o
    if hasattr(o, "mark"):
        return (o.mark, getattr(o, "reason", None))
    return bool(o)


def _marks_arg(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[MarkReading] | None:
    for a in (*args, *kwargs.values()):
        if isinstance(a, list) and a and all(isinstance(m, MarkReading) for m in a):
            return a
    return None


@contextmanager
def traced(trail: Trail) -> Iterator[None]:
    """Every test above wrapped to record into `trail` (cleared at each side's `_interpret`)."""
    saved: list[tuple[ModuleType, str, Callable[..., Any]]] = []

    def in_loop(mod: ModuleType, name: str, label: str) -> None:
        f = getattr(mod, name)

        def w(*a: Any, **k: Any) -> Any:
            o = f(*a, **k)
            i = _square_index(sys._getframe(1))
            if i is not None:
                trail.add(i, label, _answer(o))
            return o

        saved.append((mod, name, f))
        setattr(mod, name, w)

    def after_loop(mod: ModuleType, name: str, label: str) -> None:
        f = getattr(mod, name)

        def w(*a: Any, **k: Any) -> Any:
            before = _marks_arg(a, k)
            o = f(*a, **k)
            if before is not None and isinstance(o, list):
                for i, (b, m) in enumerate(zip(before, o, strict=False)):
                    if (b.mark, b.reason) != (m.mark, m.reason):
                        trail.add(i, label, (m.mark, m.reason))
            return o

        saved.append((mod, name, f))
        setattr(mod, name, w)

    for m, n in IN_LOOP:
        in_loop(getattr(reader_module, m), n, f"{m}.{n}")
    for m2, n in IN_INSPECT:
        mod = inspect_module if m2 is None else getattr(inspect_module, m2)
        in_loop(mod, n, f"inspect.{n}" if m2 is None else f"inspect.{m2}.{n}")
    in_loop(reader_module, "inspect_square", "inspect")
    in_loop(reader_module, "_corner_tick", "edge16.corner_tick")
    for m, n in AFTER_LOOP:
        after_loop(getattr(reader_module, m), n, f"{m}.{n}")
    real = reader_module.BallotReader._interpret

    def interpret(self: Any, *a: Any, **k: Any) -> Any:
        trail.calls.clear()
        return real(self, *a, **k)

    reader_module.BallotReader._interpret = interpret  # type: ignore[method-assign]
    try:
        yield
    finally:
        reader_module.BallotReader._interpret = real  # type: ignore[method-assign]
        for mod, name, f in reversed(saved):
            setattr(mod, name, f)


def who(calls: list[tuple[str, Any]]) -> str:
    """The test that put the square in doubt last (see the module's docstring)."""
    after = {f"{m}.{n}" for m, n in AFTER_LOOP}
    for label, answer in reversed(calls):
        if label in after:
            if label.endswith(".settle_contest") or answer[0] == "marginal":
                return str(label)
            break
    last = None
    verdict = None  # the square's verdict so far: the closer look's, then each second look's
    for at, (label, answer) in enumerate(calls):
        if label == "inspect" or label.endswith(".second_look"):
            # a second look passes a verdict in doubt through unchanged: it raised only a change
            if answer[0] == "marginal" and (label == "inspect" or verdict != "marginal"):
                last = at
            verdict = answer[0]
        elif label in RAISERS and answer is True:
            last = at
    if last is None:
        return "unknown"
    label, answer = calls[last]
    if label != "inspect":
        return label
    begun = max((at for at in range(last) if calls[at][0] == "inspect"), default=-1)
    strokes = [lb for lb, a in calls[begun + 1 : last] if lb.startswith("inspect.") and a is True]
    return "inspect:" + (strokes[0].removeprefix("inspect.") if strokes else str(answer[1]))


def doubts(sheet: FieldSheet, reading: SideReading, trail: Trail, index: int) -> list[dict[str, Any]]:
    """Each square in doubt on a sheet in review that the truth does not send there."""
    if reading.status != "review" or sheet.truth.status == "review" or not reading.contests:
        return []
    out = []
    for i, m in enumerate(reading.contests[0].marks):
        if m.mark != "marginal":
            continue
        calls = trail.calls.get(i, [])
        row = doubt_row(sheet, i, m, index)
        out.append({**row, "who": who(calls), "trail": [[label, answer] for label, answer in calls]})
    return out
