"""The eighth pass's rules against wrong decisions (kiosk/reading/wrong8.py) on and off, on
the same field sheets, each generated once (issue 10, wrong8).

As `benchmarks/rims7_ab.py`: every sheet is read twice in one process, with
`wrong8.ENABLED` (after) and without it (before: the reader of main at b40c58b, whose
hooks are then no-ops), each tallied exactly as `benchmarks/accuracy.py --field` tallies:

    nice -n 10 .venv/bin/python benchmarks/wrong8_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/wrong8_ab.py --seed 145 --sheets 500 \\
        --always faint_streak --p 0.35 --out ab-145.json

`--why FILE` writes, for each reader, the doubtful squares of sheets in review that the
truth does not send there.
"""

from __future__ import annotations

from fieldkit import hook_ab
from kiosk.reading import wrong8

if __name__ == "__main__":
    hook_ab.main(lambda: hook_ab.switched_off(wrong8), __doc__ or "", untouched_from=9700)
