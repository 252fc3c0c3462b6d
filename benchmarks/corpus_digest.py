"""A sha256 over the field corpus generator's output, to prove a change leaves it unchanged.

    .venv/bin/python benchmarks/corpus_digest.py [--mixed 40] [--per-condition 4] [--each]

Generates `--mixed` sheets of development seed 100 (every condition mixed) and, for each
condition and for none, `--per-condition` sheets of seed 101 with that condition alone
over the four dpis (`fieldkit.digest.corpus_cases`); prints one JSON line: the digest
over every sheet's JPEG bytes, truth, conditions and effects, the sheet count and the
seconds taken. A speed-up of `fieldkit/conditions.py` or `fieldkit/deck.py` must print
the same digest as before it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.digest import corpus_digest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mixed", type=int, default=40)
    ap.add_argument("--per-condition", type=int, default=4)
    ap.add_argument("--each", action="store_true", help="also print each sheet's digest")
    args = ap.parse_args()
    t0 = time.perf_counter()
    digest, each = corpus_digest(args.mixed, args.per_condition)
    out: dict[str, object] = {
        "benchmark": "corpus-digest",
        "mixed": args.mixed,
        "per_condition": args.per_condition,
        "sheets": len(each),
        "sha256": digest,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    if args.each:
        out["each"] = each
    print(json.dumps(out))


if __name__ == "__main__":
    main()
