"""The seventh pass's stain rules (kiosk/reading/rims7.py) on and off, on the same field
sheets, each generated once (issue 10, rims7).

As `benchmarks/lines6_ab.py`: every sheet is read twice in one process, with
`rims7.ENABLED` (after) and without it (before: the reader of main at 1a80f64, whose
hooks are then no-ops), each tallied exactly as `benchmarks/accuracy.py --field` tallies:

    nice -n 10 .venv/bin/python benchmarks/rims7_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/rims7_ab.py --seed 140 --sheets 1000 \\
        --always stain --p 0.35 --out ab-140.json

`--why FILE` writes, for each reader, the doubtful squares of sheets in review that the
truth does not send there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fieldkit import hook_ab
from kiosk.reading import rims7


@contextmanager
def before() -> Iterator[None]:
    """The reader as it was before the seventh pass's stain rules (main, 1a80f64)."""
    saved = rims7.ENABLED
    try:
        rims7.ENABLED = False
        yield
    finally:
        rims7.ENABLED = saved


def main() -> None:
    hook_ab.main(before, __doc__ or "", untouched_from=9600)


if __name__ == "__main__":
    main()
