"""Reader accuracy over generated decks with exact ground truth.

    .venv/bin/python benchmarks/accuracy.py [--sheets 30000] [--workers 2] [--seed 1]

Sheets are spread over the sample's four ballot styles (the 43-row district ballot holds
most squares). Prints one JSON document: sheets, squares, the confusion table (truth ->
what the reader said), wrong decisions by kind, refusals, the review rate of ordinary
sheets (no ambiguous-on-purpose mark), and the score distribution of each mark kind (the
histogram behind the default thresholds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calibration.accuracy import evaluate
from kiosk.ballots.deck import DeckOptions
from kiosk.reading.model import Thresholds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=30000, help="total sheets, split evenly over the styles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    tally = evaluate(args.sheets // 4, seed=args.seed, workers=args.workers, opt=DeckOptions())
    report = tally.report()
    thresholds = Thresholds()
    result = {
        "benchmark": "accuracy",
        "seed": args.seed,
        "thresholds": {"marginal": thresholds.marginal, "marked": thresholds.marked},
        "seconds": round(time.perf_counter() - t0, 1),
        **report,
        "vvsg_limit_errors_per_500k_positions": 1,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
