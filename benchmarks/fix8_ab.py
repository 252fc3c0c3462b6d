"""The eighth pass's review rules (kiosk/reading/fix8.py) on and off, on the same field
sheets, each generated once (issue 10).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`fix8.ENABLED` (after) and without it (before: the reader of main at b40c58b), each
tallied exactly as `benchmarks/accuracy.py --field` tallies. fix8's rules only send
squares to review: the JSON's `sent_to_review` lists every square the rules sent to review
that the reader without them decided, and `sent_to_review_were_right` how many of those it
decided as the truth has them (`decided` must stay empty):

    nice -n 10 .venv/bin/python benchmarks/fix8_ab.py --seed 105 --sheets 600 --out ab-105.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import fix8

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(fix8), __doc__ or "", untouched_from=9700)
