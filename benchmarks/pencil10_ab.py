"""The tenth pass's overvote of certain pencil marks (kiosk/reading/pencil10.py) on and off,
on the same field sheets, each generated once (issue 10, pencil10). A study: the rule is
switched off in the reader (`pencil10.ENABLED = False`, a show-through letter beside a real
mark passes its test); this script switches it on for the `after` reading.

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`pencil10.ENABLED` (after) and without it (before: the reader of main at 7c7df3b, whose hook
is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies. The
JSON's `decided` lists every square the rule decided (in review before, `marked` after)
with its truth, and `decided_truth_agrees` how many the truth has `marked`: it must be all.

    nice -n 10 .venv/bin/python benchmarks/pencil10_ab.py --seed 130 --sheets 300 --always pencil --out ab-130-pencil.json
    nice -n 10 .venv/bin/python benchmarks/pencil10_ab.py --seed 105 --sheets 600 --out ab-105.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import pencil10

if __name__ == "__main__":
    pencil10.ENABLED = True  # the study: the rule on for `after`
    hook_ab.main(lambda: hook_ab.switched_off(pencil10), __doc__ or "", untouched_from=9900)
