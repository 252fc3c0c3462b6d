"""vote11's rule (kiosk/reading/vote11.py: a light tick just under the doubt band) on and off,
on the same field sheets, each generated once (issue 10, vote11).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`vote11.ENABLED` (after) and without it (before), each tallied exactly as
`benchmarks/accuracy.py --field` tallies. vote11 only sends squares to review: the JSON's
`sent_to_review` lists every square it took from a decision, with its truth (its price),
and `decided` must be empty.

    nice -n 15 .venv/bin/python benchmarks/vote11_ab.py --seed 105 --sheets 200 --out ab-105.json
    nice -n 15 .venv/bin/python benchmarks/vote11_ab.py --seed 130 --sheets 200 --always pencil --out ab-130.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import vote11

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(vote11), __doc__ or "", untouched_from=10000)
