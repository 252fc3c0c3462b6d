"""miss11's rule (kiosk/reading/miss11.py: a light mark under the wider band, never asked) on
and off, on the same field sheets, each generated once (issue 10, miss11).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`miss11.ENABLED` (after) and without it (before: main at 437d518), each tallied exactly as
`benchmarks/accuracy.py --field` tallies. miss11 only sends squares to review: the JSON's
`sent_to_review` lists every square it took from a decision, with its truth (its price),
and `decided` must be empty.

    nice -n 15 .venv/bin/python benchmarks/miss11_ab.py --seed 105 --sheets 350 --out ab-105.json
    nice -n 15 .venv/bin/python benchmarks/miss11_ab.py --seed 130 --sheets 350 --always pencil --out ab-130.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import miss11

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(miss11), __doc__ or "", untouched_from=9700)
