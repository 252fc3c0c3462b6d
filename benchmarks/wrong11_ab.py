"""wrong11's rules (kiosk/reading/wrong11.py) on and off, on the same field sheets, each
generated once (issue 10, wrong11).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`wrong11.ENABLED` (after) and without it (before: main at 8d30f1e), each tallied exactly as
`benchmarks/accuracy.py --field` tallies. wrong11 only sends squares to review: the JSON's
`sent_to_review` lists every square it took from a decision, with its truth (its price),
and `decided` must be empty.

    nice -n 15 .venv/bin/python benchmarks/wrong11_ab.py --seed 105 --sheets 300 --out ab-105.json
    nice -n 15 .venv/bin/python benchmarks/wrong11_ab.py --seed 130 --sheets 300 --always pencil --out ab-130.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import wrong11

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(wrong11), __doc__ or "", untouched_from=9700)
