"""pencil11 (kiosk/reading/pencil11.py: pencil10's overvote where no title-side print is near
any marked square) on and off, on the same field sheets, each generated once (issue 10,
the eleventh pass).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`pencil11.ENABLED` switched on (after; it is off in the reader) and without it (before: main at 437d518, pencil10 off), each
tallied exactly as `benchmarks/accuracy.py --field` tallies. pencil11 decides squares (a
settled pencil mark kept `marked` in an overvote): the JSON's `decided` lists each with its
truth and `decided_truth_agrees` must be all of them.

    nice -n 15 .venv/bin/python benchmarks/pencil11_ab.py --seed 130 --sheets 300 --always pencil --out ab-130-pencil.json
    nice -n 15 .venv/bin/python benchmarks/pencil11_ab.py --seed 105 --sheets 300 --out ab-105.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import pencil11

if __name__ == "__main__":
    pencil11.ENABLED = True  # the study: the rule on for `after` (switched off in the reader)
    hook_ab.main(lambda: hook_ab.switched_off(pencil11), __doc__ or "", untouched_from=9900)
