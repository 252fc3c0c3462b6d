"""The tenth pass's wrong-decision rules (kiosk/reading/wrong10.py) on and off, on the same
field sheets, each generated once (issue 10, wrong10).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`wrong10.ENABLED` (after) and without it (before: the reader of main at 7c7df3b), each
tallied exactly as `benchmarks/accuracy.py --field` tallies. wrong10 only sends squares to
review: the JSON's `sent_to_review` lists every square it took from a decision, with its
truth (its price), and `decided` must be empty.

    nice -n 10 .venv/bin/python benchmarks/wrong10_ab.py --seed 105 --sheets 300 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/wrong10_ab.py --seed 130 --sheets 300 --always pencil --out ab-130.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import wrong10

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(wrong10), __doc__ or "", untouched_from=9700)
