"""The sixth pass's line rules (kiosk/reading/lines6.py) on and off, on the same field
sheets, each generated once (issue 10, line6).

Generating a field sheet costs about five times reading it, and the machine is shared, so
the before/after comparison reads every sheet twice in one process: once with the
sixth pass's hooks as they are ("after") and once with each hook set to what the reader
did before it ("before": `end_hidden` never hides an end, the paths along a line are
three 0.3 mm apart, every path is judged, and the pen-dark doubt test starts at a score
of 0, as on main at 3da80b6). Both are tallied exactly as
`benchmarks/accuracy.py --field` tallies (`fieldkit.accuracy._tally_field_sheet`), and the
same options pick the same sheets:

    nice -n 10 .venv/bin/python benchmarks/lines6_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/lines6_ab.py --seed 145 --sheets 1000 \\
        --always faint_streak --p 0.35 --out ab-145.json

`--cache FILE` keeps the generated sheets (pickled) and reads them back on the next run
instead of generating them again (development replays). `--why FILE` writes, for each
reader, the doubtful squares of sheets in review that the truth does not send there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fieldkit import hook_ab
from kiosk.reading import lines6
from kiosk.reading import reader as reader_module


def _never(*_args: object) -> bool:
    return False


# Each hook of the sixth pass and what the reader did in its place before (main, 3da80b6).
def _three_paths(at: float, scale: float) -> list[float]:
    return [at - 0.3 * scale, at, at + 0.3 * scale]


HOOKS_OFF: dict[str, object] = {
    "end_hidden": _never,
    "path_offsets": _three_paths,
    "unjudged": _never,
}
_DOUBT = "PEN_DOUBT_LO"  # reader.doubt_band's pen-dark floor: 0.0 before


@contextmanager
def before() -> Iterator[None]:
    """The reader as it was before the sixth pass's line rules (every hook off)."""
    saved = {k: getattr(lines6, k) for k in HOOKS_OFF}
    saved_lo = getattr(reader_module, _DOUBT)
    try:
        for k, v in HOOKS_OFF.items():
            setattr(lines6, k, v)
        setattr(reader_module, _DOUBT, 0.0)
        yield
    finally:
        for k, v in saved.items():
            setattr(lines6, k, v)
        setattr(reader_module, _DOUBT, saved_lo)


def main() -> None:
    hook_ab.main(before, __doc__ or "", untouched_from=9500)


if __name__ == "__main__":
    main()
