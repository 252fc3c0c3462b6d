"""The eighth pass's filled-square rule (kiosk/reading/marks8.py) on and off, on the same
field sheets, each generated once (issue 10, marks8).

Every sheet is read twice in one process, with `marks8.ENABLED` (after) and without it
(before: the reader of main at b40c58b), each tallied exactly as `benchmarks/accuracy.py
--field` tallies (`fieldkit.accuracy._tally_field_sheet`), and every square the rule
decided (read `marked` after, not before) is checked against the truth:

    nice -n 10 .venv/bin/python benchmarks/marks8_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/marks8_ab.py --seed 130 --sheets 500 --always pencil --out ab-130.json
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from fieldkit.accuracy import FieldTally, _field_setup, _tally_field_sheet
from fieldkit.conditions import CONDITIONS, FieldOptions
from fieldkit.hook_ab import _sheets
from kiosk.reading import marks8

UNTOUCHED_FROM = 9600


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sheets", type=int, default=1500)
    ap.add_argument("--first-sheet", type=int, default=0)
    ap.add_argument("--always", choices=CONDITIONS, action="append", default=[])
    ap.add_argument("--minutes", type=float, help="stop after this many minutes (whole sheets)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    args.cache = None
    if args.seed >= UNTOUCHED_FROM:
        raise SystemExit(f"seeds from {UNTOUCHED_FROM} are the untouched range")
    fopt = FieldOptions(none_share=0.0, always=tuple(args.always)) if args.always else FieldOptions()
    _pkg, reader, _layouts = _field_setup()
    tallies = {"before": FieldTally(), "after": FieldTally()}
    decided: list[dict[str, Any]] = []
    stop_at = time.time() + args.minutes * 60 if args.minutes else None
    done = 0
    for index, style, sheet in _sheets(args, fopt):
        where = {"seed": args.seed, "index": index, "style": style}
        after = reader.read_bytes(sheet.image)
        marks8.ENABLED = False
        try:
            old = reader.read_bytes(sheet.image)
        finally:
            marks8.ENABLED = True
        _tally_field_sheet(tallies["after"], sheet, after, where)
        _tally_field_sheet(tallies["before"], sheet, old, where)
        if after.contests and old.contests:
            for i, (a, b) in enumerate(zip(after.contests[0].marks, old.contests[0].marks, strict=True)):
                if a.mark != b.mark:
                    q = sheet.truth.squares[i]
                    decided.append(
                        {
                            **where,
                            "square": i,
                            "before": b.mark,
                            "after": a.mark,
                            "score": round(a.score, 4),
                            "kind": q.kind,
                            "expected": q.expected,
                            "agrees": a.mark == q.expected,
                            "sheet_before": old.status,
                            "sheet_after": after.status,
                            "truth": sheet.truth.status,
                            "conditions": list(sheet.conditions),
                        }
                    )
        done += 1
        if stop_at is not None and time.time() > stop_at:
            break
    result = {
        "seed": args.seed,
        "sheets": done,
        "first_sheet": args.first_sheet,
        "always": args.always,
        "before": tallies["before"].report(),
        "after": tallies["after"].report(),
        "squares_changed": len(decided),
        "squares_agreeing": sum(1 for d in decided if d["agrees"]),
        "changed": decided,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    for name in ("before", "after"):
        print(name, json.dumps(result[name]["conditions"]["all"]))
    print("squares changed", len(decided), "agreeing with the truth", result["squares_agreeing"])


if __name__ == "__main__":
    main()
