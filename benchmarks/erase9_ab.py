"""The ninth pass's erased marks (kiosk/reading/erase9.py) on and off, on the same field
sheets, each generated once (issue 10, erase9).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`erase9.ENABLED` (after) and without it (before: the reader of main at a3ff0a8, whose hook
is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies. erase9
only sends squares to review: the JSON's `sent_to_review` lists every square it took from
a decision with its truth (a correctly decided square sent there is its cost), and
`decided` must be empty.

    nice -n 10 .venv/bin/python benchmarks/erase9_ab.py --seed 105 --sheets 600 --out benchmarks/results/erase9/ab-105.json
    nice -n 10 .venv/bin/python benchmarks/erase9_ab.py --seed 130 --sheets 300 --always pencil --out benchmarks/results/erase9/ab-130-pencil.json
    nice -n 10 .venv/bin/python benchmarks/erase9_ab.py --seed 140 --sheets 300 --always stain --out benchmarks/results/erase9/ab-140-stain.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import erase9

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(erase9), __doc__ or "", untouched_from=9700)
