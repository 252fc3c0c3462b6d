"""The seventh pass's line rule (kiosk/reading/lines7.py) on and off, on the same field
sheets, each generated once (issue 10, lines7; benchmarks/lines6_ab.py's method).

Generating a field sheet costs about five times reading it, and the machine is shared, so
the before/after comparison reads every sheet twice in one process: once with the
seventh pass's hook as it is ("after") and once with `lines7.hand_on_lines` answering
no ("before": the reader of main at 1a80f64). Both are tallied exactly as
`benchmarks/accuracy.py --field` tallies (`fieldkit.accuracy._tally_field_sheet`), and the
same options pick the same sheets:

    nice -n 10 .venv/bin/python benchmarks/lines7_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/lines7_ab.py --seed 145 --sheets 1000 \\
        --always faint_streak --p 0.35 --out ab-145.json

`--cache FILE` keeps the generated sheets (pickled) and reads them back on the next run
instead of generating them again (development replays). `--why FILE` writes, for each
reader, the doubtful squares of sheets in review that the truth does not send there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fieldkit import hook_ab
from kiosk.reading import lines7


def _never(*_args: object) -> bool:
    return False


@contextmanager
def before() -> Iterator[None]:
    """The reader as it was before the seventh pass's line rule (main at 1a80f64)."""
    saved = lines7.hand_on_lines
    try:
        lines7.hand_on_lines = _never  # type: ignore[assignment]
        yield
    finally:
        lines7.hand_on_lines = saved


def main() -> None:
    hook_ab.main(before, __doc__ or "", untouched_from=9600)


if __name__ == "__main__":
    main()
