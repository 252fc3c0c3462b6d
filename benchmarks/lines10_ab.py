"""The tenth pass's streak rule (kiosk/reading/lines10.py) on and off, on the same field
sheets, each generated once (issue 10, lines10).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`lines10.ENABLED` (after) and without it (before: the reader of main at 7c7df3b, whose
hook is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies.
The JSON's `decided` lists every square the rule decided (in review before, `empty`
after) with its truth, and `decided_truth_agrees` how many the truth has `empty`: it
must be all.

    nice -n 10 .venv/bin/python benchmarks/lines10_ab.py --seed 145 --sheets 300 --out ab-145.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import lines10

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(lines10), __doc__ or "", untouched_from=9900)
