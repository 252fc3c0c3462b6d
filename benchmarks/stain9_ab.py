"""The ninth pass's bent-rim rule (kiosk/reading/stain9.py) on and off, on the same field
sheets, each generated once (issue 10, stain9).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`stain9.ENABLED` (after) and without it (before: the reader of main at a3ff0a8, whose hook
is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies. The
rule only sends squares to review: the JSON's `sent_to_review` lists every square it
took out of a decision, with its truth (`sent_to_review_were_right`: how many of those
decisions were right), and `decided` must stay empty.

    nice -n 10 .venv/bin/python benchmarks/stain9_ab.py --seed 105 --sheets 600 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/stain9_ab.py --seed 140 --sheets 300 --always stain --out ab-140.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import stain9

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(stain9), __doc__ or "", untouched_from=9800)
