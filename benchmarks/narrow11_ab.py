"""wrong11.stroke_by_streak on and off, on the same field sheets, each generated once
(issue 10, narrow11).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, as it is
(after) and with `wrong11.stroke_by_streak` answering False (before), each tallied exactly
as `benchmarks/accuracy.py --field` tallies. stroke_by_streak only sends squares to review:
`sent_to_review` lists every square it took from a decision, with its truth and the
square's own conditions (its price); `decided` must be empty.

    nice -n 15 .venv/bin/python benchmarks/narrow11_ab.py --seed 150 --sheets 300 --cache /tmp/s150.pkl --out ab-150.json
    nice -n 15 .venv/bin/python benchmarks/narrow11_ab.py --seed 155 --sheets 300 --always faint_streak --out ab-155.json
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fieldkit import hook_ab
from kiosk.reading import wrong11


@contextmanager
def before() -> Iterator[None]:
    """stroke_by_streak off, nothing else."""
    saved = wrong11.stroke_by_streak
    try:
        wrong11.stroke_by_streak = lambda *a, **k: False
        yield
    finally:
        wrong11.stroke_by_streak = saved


if __name__ == "__main__":
    hook_ab.main(before, __doc__ or "", untouched_from=9700)
