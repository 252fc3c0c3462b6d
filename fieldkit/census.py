"""Who keeps a sheet in review beyond the truth (issue 10): every doubtful square's trail.

Passes 25, 29, 32 and 35 each rebuilt a tracer by hand to answer one question: on a sheet the
reader sends to review where the truth does not, which of the reader's tests put each square
in doubt? This is that tracer, kept: `traced(trail)` wraps, for the duration of a `with`,
every test `kiosk.reading.reader` asks of a square (the hooks under the doubt band, the second
looks, the closer look and the stroke tests inside it, the settlers and the passes over the
contest's marks after the loop). Each call is recorded against the square the reader's loop is
on (its `i`, read from `_interpret`'s frame), with what it answered. Nothing is changed: the
wrappers only record (`tests/test_census.py` checks the readings are the reader's own).

`doubts(sheet, reading, trail, index)` gives, for each square in doubt on a sheet beyond the truth, its
truth, reason, score, conditions, the full trail, and `who`: the test that put it in doubt last
(a pass after the loop that set `marginal`; else the last in-loop hook that said yes; else the
closer look's verdict, named by its reason, or for `marginal_mark` by the stroke test of its
chain that decided; a settled mark `settle_contest` sent back is named with the test that raised
its doubt). The closer look's stroke tests are recorded only when the closer look itself calls
them (empty8 asks two of them again), and nothing is recorded against a square while a pass
after the loop runs (the loop's `i` is the last square's there).

Where it stops: `who` is the last raiser, not every one; a test that said yes and was
overruled later is in the trail only. The closer looks that tick13, rebase14 and beside35 ask
inside their hooks are not recorded as verdicts (the hook is named). pencil10/pencil11 (off)
are not wrapped. Single-contest sides (the field corpus's), as
`fieldkit.hook_ab._why`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import CodeType, FrameType, ModuleType
from typing import Any

from fieldkit.conditions import FieldSheet
from fieldkit.hook_ab import doubt_row
from kiosk.reading import crease27
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
    ("faint37", "asked"),
    ("pencil6", "pencil_near"),
    ("pencil7", "wider_look"),
    ("fix8", "small_cross"),
    ("faint9", "joined_strokes"),
    ("pencil6", "second_look"),
    ("pencil7", "second_look"),
    ("faint9", "second_look"),
    ("wrong10", "last_look"),
    ("cross28", "doubt_pair"),
    ("cross55", "clean_pair"),
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
    # blank65 runs last; before session 66 it was missing here, and its re-asks were recorded
    # against the loop's last square (a helper's review found it)
    ("blank65", "faint_in_blank"),
]
# Tests whose True puts a square in doubt (a second look's does by its verdict; the settlers'
# True decides a square, as the empty settles' do). Spelled out: an order in IN_LOOP means nothing.
RAISERS = {
    "cross16.low_look",
    "faint9.second_chance",
    "vote11.just_under",
    "plus31.by_streak",
    "miss11.never_asked",
    "tick13.asked",
    "rebase14.asked",
    "grain14.stroke_pair",
    "pencil7.pencil_or_stroke_near",
    "deep29.asked",
    "beside35.asked",
    "faint37.asked",
    "pencil6.pencil_near",
    "pencil7.wider_look",
    "fix8.small_cross",
    "faint9.joined_strokes",
    "wrong10.last_look",
    "cross28.doubt_pair",
    "cross55.clean_pair",
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


def _is_interpret(code: CodeType) -> bool:
    # by name and file, not by code object: whatever wraps `_interpret`, its frame is found
    return code.co_name == "_interpret" and code.co_filename == reader_module.__file__


def _square_index(frame: FrameType | None, within: CodeType | None = None) -> int | None:
    """The reader loop's square for a call made in `frame`; with `within`, only if a frame
    of that code lies between (the closer look's own stroke tests, not empty8's calls)."""
    seen = within is None
    while frame is not None:
        if _is_interpret(frame.f_code):
            i = frame.f_locals.get("i")
            return int(i) if seen and isinstance(i, int) else None
        seen = seen or frame.f_code is within
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
    """Every test above wrapped to record into `trail` (cleared at each side's `_interpret`);
    all put back on leaving, an exception included (setting up as well)."""
    saved: list[tuple[Any, str, Any]] = []
    after_running = [0]  # inside a pass after the loop: the loop's `i` is stale there
    closer_look = inspect_module.inspect_square.__code__

    def in_loop(mod: ModuleType | type, name: str, label: str, within: CodeType | None = None) -> None:
        f = getattr(mod, name)

        def w(*a: Any, **k: Any) -> Any:
            o = f(*a, **k)
            if not after_running[0]:
                i = _square_index(sys._getframe(1), within)
                if i is not None:
                    trail.add(i, label, _answer(o))
            return o

        saved.append((mod, name, f))
        setattr(mod, name, w)

    def after_loop(mod: ModuleType, name: str, label: str) -> None:
        f = getattr(mod, name)

        def w(*a: Any, **k: Any) -> Any:
            before = _marks_arg(a, k)
            after_running[0] += 1
            try:
                o = f(*a, **k)
            finally:
                after_running[0] -= 1
            if before is not None and isinstance(o, list):
                for i, (b, m) in enumerate(zip(before, o, strict=False)):
                    if (b.mark, b.reason) != (m.mark, m.reason):
                        trail.add(i, label, (m.mark, m.reason))
            return o

        saved.append((mod, name, f))
        setattr(mod, name, w)

    real = reader_module.BallotReader._interpret

    def interpret(self: Any, *a: Any, **k: Any) -> Any:
        trail.calls.clear()
        return real(self, *a, **k)

    try:
        for m, n in IN_LOOP:
            in_loop(getattr(reader_module, m), n, f"{m}.{n}")
        for m2, n in IN_INSPECT:
            mod = inspect_module if m2 is None else getattr(inspect_module, m2)
            label = f"inspect.{n}" if m2 is None else f"inspect.{m2}.{n}"
            in_loop(mod, n, label, within=closer_look)
        # crease27's `proven` takes back an "it ends" yes of two stroke tests (inspect's chain)
        in_loop(crease27.Proven, "__call__", "inspect.crease27.proven", within=closer_look)
        in_loop(reader_module, "inspect_square", "inspect")
        in_loop(reader_module, "_corner_tick", "edge16.corner_tick")
        for m, n in AFTER_LOOP:
            after_loop(getattr(reader_module, m), n, f"{m}.{n}")
        saved.append((reader_module.BallotReader, "_interpret", real))
        reader_module.BallotReader._interpret = interpret  # type: ignore[method-assign]
        yield
    finally:
        for mod, name, f in reversed(saved):
            setattr(mod, name, f)


def _closer_look(calls: list[tuple[str, Any]], at: int) -> str:
    """The closer look's verdict at `at` named: by its reason where that is not
    `marginal_mark` (only the stroke tests' chain and a few exits give that), else by the
    chain's test that decided: the last yes of its own calls not taken back by `proven`."""
    reason = calls[at][1][1]
    if reason != "marginal_mark":
        return f"inspect:{reason}"
    begun = max((j for j in range(at) if calls[j][0] == "inspect"), default=-1)
    own = calls[begun + 1 : at]
    yes = [
        j
        for j, (label, answer) in enumerate(own)
        if label.startswith("inspect.")
        and label != "inspect.crease27.proven"
        and answer is True
        and not (j + 1 < len(own) and own[j + 1] == ("inspect.crease27.proven", True))
    ]
    return "inspect:" + (own[yes[-1]][0].removeprefix("inspect.") if yes else "marginal_mark")


def who(calls: list[tuple[str, Any]]) -> str:
    """The test that put the square in doubt last (see the module's docstring). A settled
    square `settle_contest` sent back is named `settle7.settle_contest<` and the test that
    raised its doubt."""
    after = {f"{m}.{n}" for m, n in AFTER_LOOP}
    for label, answer in reversed(calls):
        if label in after:
            if label.endswith(".settle_contest"):
                return f"{label}<{who([c for c in calls if c[0] not in after])}"
            if answer[0] == "marginal":
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
    label = calls[last][0]
    return _closer_look(calls, last) if label == "inspect" else str(label)


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
