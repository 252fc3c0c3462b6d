"""Reader accuracy over generated decks with exact ground truth.

    .venv/bin/python benchmarks/accuracy.py [--sheets 30000] [--workers 2] [--seed 1]
    .venv/bin/python benchmarks/accuracy.py --field --sheets 4000 --seed 100 [--only fold]
    .venv/bin/python benchmarks/accuracy.py --field --holdout --sheets 60000 --seed 9000

Without `--field`: the clean deck (`fieldkit.deck`). Sheets are spread over the
sample's four ballot styles (the 43-row district ballot holds most squares). Prints one
JSON document: sheets, squares, the confusion table (truth -> what the reader said), wrong
decisions by kind, refusals, the review rate of ordinary sheets (no
ambiguous-on-purpose mark), and the score distribution of each mark kind.

With `--field`: the field-conditions corpus (`fieldkit.conditions`), all conditions mixed
(or `--only` one). A table per condition (sheets that have it, whatever else they have):
sheets, squares, wrong decisions, review and refusal rates, the highest empty and the
lowest marked score; the same per dpi; the review reasons; and, with `--histograms DIR`,
one PNG per condition with the scores of the empty and the marked squares it touches.
Seeds 100-199 are the development part; seeds 9000-9499 are the untouched part and need
`--holdout` (so that it is not run by accident while the method is being chosen). 9000-9099
was run once at the end of issue 10's first pass and 9100-9199 at the end of the second:
neither is untouched any more. 9200-9299 was the third pass's range and 9300-9399 the fourth's (session 5: the reader
changed between them, so 9300 did not top up 9200), each run once at its pass's end;
9400-9499 is untouched (`fieldkit.conditions.HOLDOUT_SEEDS`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.accuracy import (
    HIST_BINS,
    HIST_HI,
    HIST_LO,
    FieldTally,
    evaluate,
    evaluate_field,
)
from fieldkit.conditions import CONDITIONS, DEV_SEEDS, HOLDOUT_SEEDS, FieldOptions
from fieldkit.deck import DeckOptions
from kiosk.reading.model import Thresholds


def histograms(tally: FieldTally, out: Path, title: str) -> list[str]:
    """One PNG per condition: counts of empty (blue) and marked (red) squares by score,
    log scale (a bar of 1 is visible), the thresholds as grey lines. Drawn with OpenCV
    (no plotting library in the project)."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    th = Thresholds()
    w_px, h_px, left, bottom, top = 900, 300, 50, 40, 30
    files = []
    for name, row in tally.rows.items():
        img = np.full((h_px, w_px), 255, np.uint8)
        canvas = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        plot_w, plot_h = w_px - left - 10, h_px - bottom - top
        top_count = max(1, int(max(row.hist_empty.max(), row.hist_marked.max())))
        decades = max(1.0, np.log10(top_count + 1))

        def x_of(score: float, plot_w: int = plot_w) -> int:
            return left + int((score - HIST_LO) / (HIST_HI - HIST_LO) * plot_w)

        def y_of(count: float, plot_h: int = plot_h, decades: float = decades) -> int:
            return top + plot_h - int(np.log10(count + 1) / decades * plot_h)

        for d in range(int(decades) + 1):
            y = y_of(10**d - 1)
            cv2.line(canvas, (left, y), (w_px - 10, y), (235, 235, 235), 1)
            cv2.putText(canvas, f"1e{d}", (2, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1)
        for x, lab in ((th.marginal, "marginal"), (th.marked, "marked"), (0.0, "0")):
            cv2.line(canvas, (x_of(x), top), (x_of(x), top + plot_h), (150, 150, 150), 1)
            cv2.putText(canvas, lab, (x_of(x) + 2, top + 10), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (90, 90, 90), 1)
        for hist, colour in ((row.hist_empty, (200, 80, 0)), (row.hist_marked, (0, 0, 220))):
            for i, c in enumerate(hist.tolist()):
                if c:
                    lo = HIST_LO + (i - 1) * (HIST_HI - HIST_LO) / HIST_BINS
                    x0 = x_of(min(max(lo, HIST_LO), HIST_HI - 1e-9))
                    x1 = max(x0 + 1, x_of(min(lo + (HIST_HI - HIST_LO) / HIST_BINS, HIST_HI)))
                    cv2.rectangle(canvas, (x0, y_of(c)), (x1 - 1, top + plot_h), colour, -1)
        for t in np.arange(-0.1, 0.51, 0.1):
            cv2.putText(
                canvas,
                f"{t:.1f}",
                (x_of(float(t)) - 10, h_px - 22),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.35,
                (0, 0, 0),
                1,
            )
        label = (
            f"{title}: {name} - {row.sheets} sheets; empty n={int(row.hist_empty.sum())} (blue) "
            f"max {row.max_empty:.3f}; marked n={int(row.hist_marked.sum())} (red) min {row.min_marked:.3f}"
        )
        cv2.putText(canvas, label, (left, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1)
        cv2.putText(
            canvas,
            "score (ends hold under/overflow)",
            (w_px // 2 - 100, h_px - 6),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            (0, 0, 0),
            1,
        )
        path = out / f"{name}.png"
        cv2.imwrite(str(path), canvas)
        files.append(str(path))
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--sheets", type=int, default=30000, help="total sheets (clean deck: split over the styles)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--field", action="store_true", help="the field-conditions corpus")
    ap.add_argument("--only", choices=[*CONDITIONS, "none"], default=None)
    # A stress set (issue 10, pass 5): a condition on every sheet, the others more frequent.
    ap.add_argument("--always", choices=CONDITIONS, action="append", default=[], help="on every sheet")
    ap.add_argument("--p", type=float, default=None, help="each other condition's probability (0.25)")
    ap.add_argument("--holdout", action="store_true", help="allow the untouched seeds (run once, at the end)")
    ap.add_argument("--histograms", type=Path, default=None, help="write one PNG per condition here")
    ap.add_argument("--minutes", type=float, default=None, help="start no chunk after this many minutes")
    args = ap.parse_args()
    t0 = time.perf_counter()
    thresholds = Thresholds()
    if args.field:
        if args.seed in HOLDOUT_SEEDS and not args.holdout:
            ap.error(
                f"seeds {HOLDOUT_SEEDS.start}-{HOLDOUT_SEEDS.stop - 1} are the untouched part: --holdout"
            )
        if args.holdout and args.seed not in HOLDOUT_SEEDS:
            ap.error("--holdout runs the untouched seeds only")
        if args.seed not in DEV_SEEDS and args.seed not in HOLDOUT_SEEDS:
            ap.error(f"field seeds: development {DEV_SEEDS.start}-{DEV_SEEDS.stop - 1}")
        fopt = FieldOptions(only=args.only)
        if args.always or args.p is not None:
            fopt = FieldOptions(
                p=fopt.p if args.p is None else args.p,
                none_share=0.0 if args.always else fopt.none_share,
                only=args.only,
                always=tuple(args.always),
            )
        stop_at = time.time() + args.minutes * 60 if args.minutes else None

        def field_result(tally: FieldTally, complete: bool) -> dict[str, object]:
            return {
                "benchmark": "accuracy-field",
                "seed": args.seed,
                "part": "holdout" if args.holdout else "development",
                "only": args.only,
                "always": args.always,
                "p": fopt.p,
                "sheets_asked": args.sheets,
                "complete": complete,
                "thresholds": {"marginal": thresholds.marginal, "marked": thresholds.marked},
                "seconds": round(time.perf_counter() - t0, 1),
                "reading_ms_per_sheet": round(
                    1e3 * tally.seconds_reading / max(1, tally.rows["all"].sheets), 2
                ),
                **tally.report(),
            }

        def progress(tally: FieldTally) -> None:
            if args.out:  # a long run leaves its running total behind after every chunk
                tmp = args.out.with_suffix(".partial")
                tmp.write_text(json.dumps(field_result(tally, False), indent=1) + "\n")
                tmp.replace(args.out)

        tally = evaluate_field(args.sheets, args.seed, args.workers, fopt, stop_at=stop_at, progress=progress)
        result: dict[str, object] = field_result(tally, tally.rows["all"].sheets == args.sheets)
        if args.histograms:
            result["histograms"] = histograms(tally, args.histograms, f"seed {args.seed}")
    else:
        tally_ = evaluate(args.sheets // 4, seed=args.seed, workers=args.workers, opt=DeckOptions())
        result = {
            "benchmark": "accuracy",
            "seed": args.seed,
            "thresholds": {"marginal": thresholds.marginal, "marked": thresholds.marked},
            "seconds": round(time.perf_counter() - t0, 1),
            **tally_.report(),
            "vvsg_limit_errors_per_500k_positions": 1,
        }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
