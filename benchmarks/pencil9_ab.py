"""The ninth pass's pencil rule (kiosk/reading/pencil9.py) on and off, on the same field
sheets, each generated once (issue 10, pencil9).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`pencil9.ENABLED` (after) and without it (before: the reader of main at a3ff0a8, whose hook
is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies. The
JSON's `decided` lists every square the rule decided (in review before, `marked` after)
with its truth, and `decided_truth_agrees` how many the truth has `marked`: it must be all.

    nice -n 10 .venv/bin/python benchmarks/pencil9_ab.py --seed 130 --always pencil --sheets 300 --out ab-130.json
    nice -n 10 .venv/bin/python benchmarks/pencil9_ab.py --seed 105 --sheets 600 --out ab-105.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import pencil9

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(pencil9), __doc__ or "", untouched_from=9700)
