"""Who keeps each sheet in review beyond the truth (issue 10): `fieldkit.census` over field
sheets of a dev seed, one command (passes 25, 29, 32 and 35 each built this tracer by hand).

Each sheet is generated (or taken from a `--cache`, as `benchmarks/hook_ab.py` keeps it) and read
once with every test the reader asks of a square recorded. For every square in doubt on a
sheet the reader sends to review and the truth does not, the JSON holds its truth, reason,
score, conditions, the full trail of tests and answers, and `who`: the test that put it in
doubt last. The tally printed is squares (and sheets whose every doubtful square it names)
by truth and `who`.

    nice -n 10 .venv/bin/python benchmarks/review_census.py --seed 190 --sheets 1500 --out census-190.json

Every holdout seed (`fieldkit.conditions.HOLDOUT_SEEDS`) is refused.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.accuracy import _field_setup
from fieldkit.census import Trail, doubts, traced
from fieldkit.conditions import ALL_CONDITIONS, HOLDOUT_SEEDS
from fieldkit.hook_ab import field_options, field_sheets


def tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Squares by (truth, who); sheets whose every doubtful square one `who` names."""
    squares = collections.Counter(f"{r['expected']} {r['who']}" for r in rows)
    by_sheet: dict[int, set[str]] = collections.defaultdict(set)
    for r in rows:
        by_sheet[r["index"]].add(r["who"])
    alone = collections.Counter(next(iter(w)) for w in by_sheet.values() if len(w) == 1)
    return {
        "sheets_beyond_truth": len(by_sheet),
        "squares": dict(squares.most_common()),
        "sheets_alone": dict(alone.most_common()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sheets", type=int, default=300)
    ap.add_argument("--first-sheet", type=int, default=0)
    ap.add_argument("--always", choices=ALL_CONDITIONS, action="append", default=[])
    ap.add_argument("--p", type=float)
    ap.add_argument("--minutes", type=float, help="stop after this many minutes (whole sheets)")
    ap.add_argument(
        "--cache",
        help="hook_ab's pickled sheets: read where the file exists (--sheets and --always are then"
        " not used; the sheets must be --seed's, which the JSON records), else written there",
    )
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.seed >= HOLDOUT_SEEDS.start:
        sys.exit(f"seed {args.seed} is refused here (untouched or holdout)")
    _pkg, reader, _layouts = _field_setup()
    stop_at = time.time() + args.minutes * 60 if args.minutes else None
    rows: list[dict[str, Any]] = []
    done = 0
    trail = Trail()
    with traced(trail):
        for index, _style, sheet in field_sheets(args, field_options(args)):
            reading = reader.read_bytes(sheet.image)
            rows += doubts(sheet, reading, trail, index)
            done += 1
            if stop_at is not None and time.time() > stop_at:
                break
    result = {
        "seed": args.seed,
        "sheets": done,
        "always": args.always,
        "p": args.p,
        **tally(rows),
        "doubts": rows,
    }
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    print(f"{done} sheets, {result['sheets_beyond_truth']} beyond truth, {len(rows)} squares in doubt")
    for k, v in result["squares"].items():
        print(f"{v:5d}  {k}")
    print("sheets whose every doubt one test names:")
    for k, v in result["sheets_alone"].items():
        print(f"{v:5d}  {k}")


if __name__ == "__main__":
    main()
