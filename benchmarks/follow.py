"""stroke28's whole-line follow: what it costs, fast against plain, and in the reading (issue 10,
stroke34). JSON out.

Field sheets are generated (a condition on every sheet, a crease by default: the lines stroke28 is
asked about), each read twice in one process, stroke28 off and on, alternating which goes first
(the reading's CPU with and without it). Every line stroke28 followed in the `on` readings is kept
and followed again by the fast follow (`stroke28.whole_run_fast`: compiled blocks, the reader's)
and the plain one (`whole_run_plain`: crease27.follow with crease27.block, the reference),
alternating, timed on the process clock and compared to the bit (`runs_differ` must be 0).

    .venv/bin/python benchmarks/follow.py --seed 155 --sheets 60 --always crease --out follow.json

Seeds from the first holdout seed on (`fieldkit.conditions.HOLDOUT_SEEDS`: holdout, or untouched yet)
are refused.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from fieldkit.accuracy import _field_setup
from fieldkit.conditions import CONDITIONS, HOLDOUT_SEEDS, FieldOptions, generate_field_sheet
from kiosk.reading import crease27, stroke28


def _block_key(b: crease27.Block | None) -> Any:
    return None if b is None else (b.t, b.off, b.contrast, b.sides, b.inks)


def run_key(r: crease27.Run | None) -> str:
    """Every float of a Run the judge reads (each block's twin apart: stroke28 never reads it)."""
    if r is None:
        return "None"
    return repr(
        (
            [_block_key(x) for x in r.lo],
            [_block_key(x) for x in r.hi],
            _block_key(r.inside),
            r.level,
            r.sides,
            r.inks,
            r.edge_lo,
            r.edge_hi,
        )
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=155)
    ap.add_argument("--sheets", type=int, default=60)
    ap.add_argument("--always", choices=sorted(CONDITIONS), default="crease")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    if args.seed >= HOLDOUT_SEEDS.start:
        print(
            f"seed {args.seed}: seeds from {HOLDOUT_SEEDS.start} are refused (holdout or untouched)",
            file=sys.stderr,
        )
        return 2
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    fopt = FieldOptions(none_share=0.0, always=(args.always,))
    calls: list[tuple[Any, ...]] = []
    followed = stroke28.whole_run

    def recorded(*a: Any) -> crease27.Run | None:
        calls.append(a)
        return followed(*a)

    cpu = {False: 0.0, True: 0.0}
    saved = stroke28.ENABLED
    try:
        for index in range(args.sheets):
            style = styles[index % len(styles)]
            sheet = generate_field_sheet(
                pkg.election, pkg.election_hash, layouts[style], args.seed, index, fopt
            )
            for on in (False, True) if index % 2 else (True, False):
                stroke28.ENABLED = on
                stroke28.whole_run = recorded if on else followed  # type: ignore[assignment]
                t = time.process_time()
                reader.read_bytes(sheet.image)
                cpu[on] += time.process_time() - t
    finally:
        stroke28.ENABLED = saved
        stroke28.whole_run = followed
    spent = {"fast": 0.0, "plain": 0.0}
    differ = 0
    for k, a in enumerate(calls):
        got = {}
        for name in ("fast", "plain") if k % 2 else ("plain", "fast"):
            fn = stroke28.whole_run_fast if name == "fast" else stroke28.whole_run_plain
            t = time.process_time()
            got[name] = fn(*a)
            spent[name] += time.process_time() - t
        differ += run_key(got["fast"]) != run_key(got["plain"])
    n = max(1, len(calls))
    out = {
        "seed": args.seed,
        "sheets": args.sheets,
        "always": args.always,
        "reading_cpu_s": {"stroke28_off": round(cpu[False], 3), "stroke28_on": round(cpu[True], 3)},
        "reading_on_over_off": round(cpu[True] / cpu[False], 4) if cpu[False] else None,
        "lines_followed": len(calls),
        "follow_ms": {
            "fast": round(1000 * spent["fast"] / n, 3),
            "plain": round(1000 * spent["plain"] / n, 3),
        },
        "plain_over_fast": round(spent["plain"] / spent["fast"], 3) if spent["fast"] else None,
        "runs_differ": differ,
    }
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
