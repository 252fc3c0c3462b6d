"""The eighth pass's filled-square rule (kiosk/reading/marks8.py) on and off, on the same
field sheets, each generated once (issue 10, marks8).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`marks8.ENABLED` (after) and without it (before: the reader of main at b40c58b), each
tallied exactly as `benchmarks/accuracy.py --field` tallies. The JSON's `decided` lists
every square the rule decided (in review before, `marked` after) with its truth, and
`decided_truth_agrees` how many the truth has `marked`: it must be all.

    nice -n 10 .venv/bin/python benchmarks/marks8_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/marks8_ab.py --seed 130 --sheets 500 --always pencil --out ab-130.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import marks8

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(marks8), __doc__ or "", untouched_from=9700)
