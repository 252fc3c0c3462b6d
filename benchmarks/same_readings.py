"""Does a change of shape change any reading? (tidy8, issue 10's eighth pass.)

    # each reader from a `git archive` copy, run from /tmp (not the worktree):
    PYTHONPATH=/tmp/A .venv/bin/python benchmarks/same_readings.py read A-105.jsonl --seed 105 --sheets 0 1000
    PYTHONPATH=/tmp/B .venv/bin/python benchmarks/same_readings.py read B-105.jsonl --seed 105 --sheets 0 1000
    .venv/bin/python benchmarks/same_readings.py compare A-105.jsonl B-105.jsonl

`read`: the field corpus's sheets (`--always pencil` etc. as `FieldOptions.always`), one
JSON line per sheet: status, reason, review reasons, each contest's outcome and choice,
every square's option, score (repr: exact), mark and reason. `compare`: the counts of
identical ones (JSON) and a line per square or sheet that differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any


def read(out: str, seed: int, start: int, stop: int, always: tuple[str, ...]) -> None:
    import kiosk
    from fieldkit.accuracy import _field_setup
    from fieldkit.conditions import FieldOptions, generate_field_sheet

    print("kiosk from", kiosk.__file__, file=sys.stderr)
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    fopt = FieldOptions(always=always)  # type: ignore[arg-type]
    with open(out, "w") as f:
        for index in range(start, stop):
            layout = layouts[styles[index % len(styles)]]
            sheet = generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, fopt)
            r = reader.read_bytes(sheet.image)
            row = {
                "seed": seed,
                "index": index,
                "status": r.status,
                "reason": r.reason,
                "review_reasons": list(r.review_reasons),
                "contests": [
                    {
                        "contest": c.contest,
                        "outcome": c.outcome,
                        "choice": c.choice,
                        "marks": [[m.option, repr(float(m.score)), m.mark, m.reason] for m in c.marks],
                    }
                    for c in r.contests
                ],
            }
            f.write(json.dumps(row) + "\n")


def compare(a_path: str, b_path: str) -> tuple[Counter[str], list[tuple[Any, ...]]]:
    with open(a_path) as fa, open(b_path) as fb:
        a, b = [json.loads(x) for x in fa], [json.loads(x) for x in fb]
    if len(a) != len(b):
        raise SystemExit(f"{len(a)} sheets against {len(b)}")
    n: Counter[str] = Counter()
    diffs: list[tuple[Any, ...]] = []
    for x, y in zip(a, b, strict=True):
        where = (x["seed"], x["index"])
        if where != (y["seed"], y["index"]):
            raise SystemExit(f"sheet {where} against {(y['seed'], y['index'])}")
        n["sheets"] += 1
        n["sheet status+reason identical"] += (x["status"], x["reason"]) == (y["status"], y["reason"])
        n["sheet review_reasons identical"] += x["review_reasons"] == y["review_reasons"]
        if (x["status"], x["reason"], x["review_reasons"]) != (y["status"], y["reason"], y["review_reasons"]):
            diffs.append(
                (*where, "sheet", x["status"], x["review_reasons"], y["status"], y["review_reasons"])
            )
        if len(x["contests"]) != len(y["contests"]):
            diffs.append((*where, "contests", len(x["contests"]), len(y["contests"])))
            continue
        for cx, cy in zip(x["contests"], y["contests"], strict=True):
            n["contests"] += 1
            n["contest outcome+choice identical"] += (cx["outcome"], cx["choice"]) == (
                cy["outcome"],
                cy["choice"],
            )
            for mx, my in zip(cx["marks"], cy["marks"], strict=True):
                n["squares"] += 1
                n["square option identical"] += mx[0] == my[0]
                n["square score identical (exact)"] += mx[1] == my[1]
                n["square mark identical"] += mx[2] == my[2]
                n["square reason identical"] += mx[3] == my[3]
                if mx != my:
                    diffs.append((*where, cx["contest"], mx, my))
    return n, diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("read")
    r.add_argument("out")
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--sheets", type=int, nargs=2, metavar=("START", "STOP"), required=True)
    r.add_argument("--always", nargs="*", default=[])
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = ap.parse_args()
    if args.what == "read":
        if args.seed >= 9700:
            raise SystemExit("seeds from 9700 are the untouched range: not here")
        read(args.out, args.seed, args.sheets[0], args.sheets[1], tuple(args.always))
        return 0
    n, diffs = compare(args.a, args.b)
    print(json.dumps(dict(n), indent=1))
    for d in diffs:
        print("DIFF", *d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
