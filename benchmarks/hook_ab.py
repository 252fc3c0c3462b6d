"""A reader rule (kiosk/reading/NAME.py) on and off, on the same field sheets, each generated
once (issue 10): every pass's A/B, one command.

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with the rules
as they are (after) and with each `--module`'s `ENABLED` off (before), each tallied exactly
as `benchmarks/accuracy.py --field` tallies. The JSON's `decided` lists every square read
`marginal` before and `marked`/`empty` after, with its truth (`decided_truth_agrees`: a rule
that decides must agree on all of them), and `sent_to_review` every square decided before
and in review after (`sent_to_review_were_right`: the decisions a review rule takes away,
its price).

    nice -n 15 .venv/bin/python benchmarks/hook_ab.py --module wrong11 --seed 105 --sheets 300 --out ab-105.json
    nice -n 15 .venv/bin/python benchmarks/hook_ab.py --module stain10 --seed 140 --sheets 300 --always stain --out ab-140.json
    nice -n 15 .venv/bin/python benchmarks/hook_ab.py --module wrong10 --module wrong11 --seed 130 --sheets 300 --always pencil --out ab-130.json
    nice -n 15 .venv/bin/python benchmarks/hook_ab.py --switch-on pencil10 --seed 130 --sheets 300 --always pencil --out ab-130.json

`--module NAME` (repeatable): NAME's `ENABLED` off for `before`. lines6 and lines7 have no
`ENABLED`: `--module lines6` puts back the reader before the sixth pass's line rules
(`end_hidden` never hides an end, three paths 0.3 mm apart along a line, every path judged,
the pen-dark doubt test from a score of 0: main at 3da80b6) and `--module lines7` makes
`lines7.hand_on_lines` answer no (main at 1a80f64). `--module blank66` puts back blank65 as
session 65 wrote it (`ASKED_ONLY = False`: every square in its bands asked again, settled or not).
`--switch-on NAME` (repeatable): a rule switched off in the reader (`ENABLED = False`, as
pencil10, a study): on for `after`, off for `before`.
`--cache FILE` keeps the generated sheets (pickled) for the next run; `--why FILE` writes,
for each reading, the doubtful squares of sheets in review that the truth does not send there.
Every holdout seed (9000 on, `fieldkit.conditions.HOLDOUT_SEEDS`) is refused.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from types import ModuleType

from fieldkit import hook_ab
from fieldkit.conditions import HOLDOUT_SEEDS
from kiosk.reading import blank65, lines6, lines7
from kiosk.reading import reader as reader_module


def _never(*_args: object) -> bool:
    return False


def _three_paths(at: float, scale: float) -> list[float]:
    return [at - 0.3 * scale, at, at + 0.3 * scale]


@contextmanager
def _patched(module: object, values: Mapping[str, object]) -> Iterator[None]:
    saved = {k: getattr(module, k) for k in values}
    try:
        for k, v in values.items():
            setattr(module, k, v)
        yield
    finally:
        for k, v in saved.items():
            setattr(module, k, v)


@contextmanager
def _lines6_off() -> Iterator[None]:
    """The reader before the sixth pass's line rules (main, 3da80b6): every hook off."""
    hooks = {"end_hidden": _never, "path_offsets": _three_paths, "unjudged": _never}
    # reader.doubt_band's pen-dark floor (lines6.PEN_DOUBT_LO, imported by name): 0.0 before
    with _patched(lines6, hooks), _patched(reader_module, {"PEN_DOUBT_LO": 0.0}):
        yield


# The modules without `ENABLED`, and what the reader did in their place before them.
NOT_SWITCHED: dict[str, Callable[[], AbstractContextManager[None]]] = {
    "lines6": _lines6_off,
    "lines7": lambda: _patched(lines7, {"hand_on_lines": _never}),
    # blank66: blank65 as in session 65 (every square in its bands asked again, settled or not)
    "blank66": lambda: _patched(blank65, {"ASKED_ONLY": False}),
}


def off(name: str) -> AbstractContextManager[None]:
    """kiosk/reading/NAME.py's rule off."""
    if name in NOT_SWITCHED:
        return NOT_SWITCHED[name]()
    return hook_ab.switched_off(_rule(name))


def _rule(name: str) -> ModuleType:
    return importlib.import_module(f"kiosk.reading.{name}")


def main() -> None:
    ap = hook_ab.parser(__doc__ or "")
    ap.add_argument("--module", action="append", default=[], help="a rule module: ENABLED off for before")
    ap.add_argument("--switch-on", action="append", default=[], help="a rule off in the reader: on after")
    args = ap.parse_args()
    names = args.module + args.switch_on
    if not names:
        ap.error("name at least one --module or --switch-on")
    for name in names:
        if name not in NOT_SWITCHED and not hasattr(_rule(name), "ENABLED"):
            ap.error(f"kiosk/reading/{name}.py has no ENABLED to switch")
    for name in args.switch_on:  # the study: on for `after`; off() switches it off for `before`
        setattr(_rule(name), "ENABLED", True)  # noqa: B010 (mypy cannot know the module has one)

    @contextmanager
    def before() -> Iterator[None]:
        with ExitStack() as stack:
            for name in names:
                stack.enter_context(off(name))
            yield

    hook_ab.run(args, before, untouched_from=HOLDOUT_SEEDS.start)


if __name__ == "__main__":
    main()
