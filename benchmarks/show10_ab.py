"""The tenth pass's known title-side print (kiosk/reading/show10.py) on and off, on the
same field sheets, each generated once (issue 10, show10).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`show10.ENABLED` (after) and without it (before: the reader of main at 7c7df3b, whose
hooks are then no-ops), each tallied exactly as `benchmarks/accuracy.py --field` tallies.
The JSON's `decided` lists every square the rule decided (in review before, `empty` after)
with its truth, and `decided_truth_agrees` how many the truth agrees with: it must be all;
`sent_to_review` lists the settles rule (a) took back.

    nice -n 10 .venv/bin/python benchmarks/show10_ab.py --seed 150 --sheets 200 --always show_through --out ab-150.json
    nice -n 10 .venv/bin/python benchmarks/show10_ab.py --seed 105 --sheets 300 --out ab-105.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import show10

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(show10), __doc__ or "", untouched_from=9700)
