"""The ninth pass's light pencil under a line in the ring (kiosk/reading/faint9.py) on
and off, on the same field sheets, each generated once (issue 10, faint9).

The body is `fieldkit.hook_ab`'s: every sheet is read twice in one process, with
`faint9.ENABLED` (after) and without it (before: the reader of main at a3ff0a8, whose hook
is then a no-op), each tallied exactly as `benchmarks/accuracy.py --field` tallies. The
rule only sends to review: the JSON's `sent_to_review` lists every square it took out of
`empty` with its truth (a truth `empty` there is a correctly decided square it costs), and
`decided` must stay empty.

    nice -n 10 .venv/bin/python benchmarks/faint9_ab.py --seed 105 --sheets 600 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/faint9_ab.py --seed 130 --sheets 300 --always pencil --out ab-130.json
    nice -n 10 .venv/bin/python benchmarks/faint9_ab.py --seed 145 --sheets 300 --always pencil --always faint_streak --out ab-145.json
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import faint9

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(faint9), __doc__ or "", untouched_from=9700)
