"""Reader accuracy over generated decks with exact ground truth.

    .venv/bin/python benchmarks/accuracy.py [--sheets 30000] [--workers 2] [--seed 1]
    .venv/bin/python benchmarks/accuracy.py --field --sheets 4000 --seed 100 [--only fold]
    .venv/bin/python benchmarks/accuracy.py --field --holdout --sheets 60000 --seed 9000
    .venv/bin/python benchmarks/accuracy.py --field --seed 100 --sheets 2000 --first-sheet 2000 --out b.json
    .venv/bin/python benchmarks/accuracy.py --merge a.json b.json --out ab.json [--histograms DIR]

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
Seeds 100-199 are the development part; seeds 9000-9599 are the untouched part and need
`--holdout` (so that it is not run by accident while the method is being chosen). 9000-9099
was run once at the end of issue 10's first pass and 9100-9199 at the end of the second:
neither is untouched any more. 9200-9299 was the third pass's range and 9300-9399 the fourth's (session 5: the reader
changed between them, so 9300 did not top up 9200), each run once at its pass's end;
9400-9499 was the fifth pass's (session 6); 9500-9599 is untouched
(`fieldkit.conditions.HOLDOUT_SEEDS`).

A field run can be done in pieces: `--first-sheet N` runs sheets N..N+sheets-1 of the
seed (each sheet depends on (seed, index) alone), and `--merge` adds the pieces' JSON up
exactly (every count and histogram is in the JSON's `raw`), refusing pieces of other
seeds, parts or `--only` and any sheet counted twice. A run cut short by `--minutes`
ends with whole chunks and a prefix of its range: the JSON says `complete`,
`sheet_ranges_done` and `next_first_sheet` (where the next piece starts); with `--out`
it is rewritten after every chunk. `generating_ms_per_sheet` and `reading_ms_per_sheet`
split the time per sheet between the corpus generator and the reader.
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
from fieldkit.conditions import ALL_CONDITIONS, DEV_SEEDS, HOLDOUT_SEEDS, FieldOptions
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


def field_document(
    tally: FieldTally,
    *,
    seed: int,
    part: str,
    only: str | None,
    asked: list[int],
    complete: bool,
    seconds: float,
) -> dict[str, object]:
    """The JSON of a field run (or of runs merged): the report, which sheets it covers,
    and the raw tally that `--merge` adds up exactly."""
    sheets = tally.rows["all"].sheets if "all" in tally.rows else 0
    done = tally.done_ranges()
    return {
        "benchmark": "accuracy-field",
        "seed": seed,
        "part": part,
        "only": only,
        "sheets_asked": asked[1] - asked[0],
        "sheet_range_asked": asked,
        "complete": complete,
        "sheets_done": sum(b - a for a, b in done),
        "sheet_ranges_done": done,
        # A run stopped by --minutes did a prefix of its range: go on from here.
        "next_first_sheet": (
            asked[0] if not done else done[0][1] if len(done) == 1 and done[0][0] == asked[0] else None
        ),
        "thresholds": {"marginal": Thresholds().marginal, "marked": Thresholds().marked},
        "seconds": round(seconds, 1),
        "reading_ms_per_sheet": round(1e3 * tally.seconds_reading / max(1, sheets), 2),
        "generating_ms_per_sheet": round(1e3 * tally.seconds_generating / max(1, sheets), 2),
        **tally.report(),
        "raw": tally.raw(),
    }


def merge_field(paths: list[Path], ap: argparse.ArgumentParser) -> dict[str, object]:
    """Runs of one seed (pieces of a range, `--first-sheet`) added up into one document;
    refuses runs of different seeds, parts or `--only`, and a sheet counted twice."""
    docs = [json.loads(p.read_text()) for p in paths]
    for p, d in zip(paths, docs, strict=True):
        if d.get("benchmark") != "accuracy-field" or "raw" not in d:
            ap.error(f"{p}: not a field run with its raw tally")
    keys = {(d["seed"], d["part"], d["only"]) for d in docs}
    if len(keys) != 1:
        ap.error(f"--merge: runs of different seeds, parts or --only: {sorted(map(str, keys))}")
    total = FieldTally()
    for d in docs:
        total.merge(FieldTally.from_raw(d["raw"]))
    try:
        done = total.done_ranges()
    except ValueError as e:
        ap.error(f"--merge: {e}")
    asked = [min(d["sheet_range_asked"][0] for d in docs), max(d["sheet_range_asked"][1] for d in docs)]
    seed, part, only = next(iter(keys))
    out = field_document(
        total,
        seed=seed,
        part=part,
        only=only,
        asked=asked,
        complete=done == [asked],
        seconds=sum(d["seconds"] for d in docs),
    )
    out["merged_from"] = [str(p) for p in paths]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--sheets", type=int, default=30000, help="total sheets (clean deck: split over the styles)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--field", action="store_true", help="the field-conditions corpus")
    ap.add_argument("--only", choices=[*ALL_CONDITIONS, "none"], default=None)
    # A stress set (issue 10, pass 5): a condition on every sheet, the others more frequent.
    ap.add_argument("--always", choices=ALL_CONDITIONS, action="append", default=[], help="on every sheet")
    ap.add_argument("--p", type=float, default=None, help="each other condition's probability (0.25)")
    ap.add_argument("--holdout", action="store_true", help="allow the untouched seeds (run once, at the end)")
    ap.add_argument("--histograms", type=Path, default=None, help="write one PNG per condition here")
    ap.add_argument("--minutes", type=float, default=None, help="start no chunk after this many minutes")
    ap.add_argument(
        "--first-sheet", type=int, default=0, help="field: sheets first..first+sheets-1 (a run in pieces)"
    )
    ap.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=None,
        help="field: add up these runs' JSON (same seed, part and --only; no sheet twice) into one",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    thresholds = Thresholds()
    if args.merge:
        result = merge_field(args.merge, ap)
        if args.histograms:
            tally_m = FieldTally.from_raw(result["raw"])  # type: ignore[arg-type]
            result["histograms"] = histograms(tally_m, args.histograms, f"seed {result['seed']}")
    elif args.field:
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
                **field_document(
                    tally,
                    seed=args.seed,
                    part="holdout" if args.holdout else "development",
                    only=args.only,
                    asked=[args.first_sheet, args.first_sheet + args.sheets],
                    complete=complete,
                    seconds=time.perf_counter() - t0,
                ),
                # A stress set (pencil5): conditions forced on every sheet, or p other than 0.25.
                "always": args.always,
                "p": fopt.p,
            }

        def progress(tally: FieldTally) -> None:
            if args.out:  # a long run leaves its running total behind after every chunk
                tmp = args.out.with_suffix(".partial")
                tmp.write_text(json.dumps(field_result(tally, False), indent=1) + "\n")
                tmp.replace(args.out)

        if args.first_sheet < 0:
            ap.error("--first-sheet: 0 or more")
        tally = evaluate_field(
            args.sheets,
            args.seed,
            args.workers,
            fopt,
            stop_at=stop_at,
            progress=progress,
            first=args.first_sheet,
        )
        result = field_result(tally, sum(b - a for a, b in tally.done) == args.sheets)
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
