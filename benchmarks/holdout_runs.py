"""Every untouched run of the field corpus in one table (issue 10), read from the JSON files
`benchmarks/accuracy.py --field --holdout` wrote; and one run's per-condition table.

    .venv/bin/python benchmarks/holdout_runs.py                       # every run, Markdown
    .venv/bin/python benchmarks/holdout_runs.py --conditions FILE     # one run, by condition
    .venv/bin/python benchmarks/holdout_runs.py --json                # the same rows as JSON

It only reads: nothing is generated or read again, so it is cheap and never touches a seed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def run_row(path: Path) -> dict[str, Any] | None:
    """One run's figures, or None for a file from before the runs kept their raw tallies."""
    d = json.loads(path.read_text())
    raw = d.get("raw", {}).get("rows")
    if not raw:
        return None
    a = raw["all"]
    none = raw.get("none") or {"sheets": 0, "reviews": 0, "expected_reviews": 0}
    sheets = int(a["sheets"])
    return {
        "file": path.name,
        "seed": int(d["seed"]),
        "sheets": sheets,
        "squares": int(a["squares"]),
        "wrong_squares": int(a["wrong_squares"]),
        "wrong_outcomes": int(a["wrong_outcomes"]),
        "refused": int(a["refused"]),
        "review": a["reviews"] / sheets if sheets else 0.0,
        "truth_review": a["expected_reviews"] / sheets if sheets else 0.0,
        "beyond_truth": (a["reviews"] - a["expected_reviews"]) / sheets if sheets else 0.0,
        "none_sheets": int(none["sheets"]),
        "none_review": none["reviews"] / none["sheets"] if none["sheets"] else 0.0,
        "none_beyond_truth": (
            (none["reviews"] - none["expected_reviews"]) / none["sheets"] if none["sheets"] else 0.0
        ),
    }


def all_runs(results: Path = RESULTS) -> list[dict[str, Any]]:
    rows = [r for p in sorted(results.glob("accuracy-field-holdout*.json")) if (r := run_row(p))]
    return sorted(rows, key=lambda r: r["seed"])


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def runs_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| seed | file | sheets | squares | wrong squares | wrong outcomes | refused | review"
        " | the truth's review | beyond truth | no condition: review | beyond truth |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['seed']} | {r['file']} | {r['sheets']:,} | {r['squares']:,} | {r['wrong_squares']}"
            f" | {r['wrong_outcomes']} | {r['refused']} | {_pct(r['review'])}"
            f" | {_pct(r['truth_review'])} | {_pct(r['beyond_truth'])} | {_pct(r['none_review'])}"
            f" | {_pct(r['none_beyond_truth'])} |"
        )
    return "\n".join(out)


def conditions_table(path: Path) -> str:
    d = json.loads(path.read_text())
    raw = d["raw"]["rows"]
    out = [
        f"{path.name}: seed {d['seed']}, {d['sheets_done']:,} sheets",
        "",
        "| condition | sheets | squares | wrong squares | wrong outcomes | review | beyond truth"
        " | refused | empty score max | marked score min |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, c in d["conditions"].items():
        r = raw[name]
        out.append(
            f"| {name} | {c['sheets']:,} | {c['squares']:,} | {r['wrong_squares']} | {r['wrong_outcomes']}"
            f" | {_pct(c['review_rate'])} | {_pct(c['review_rate_beyond_truth'])}"
            f" | {_pct(c['refusal_rate'])} | {c['empty_score_max']:.3f} | {c['marked_score_min']:.3f} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--conditions", type=Path, help="one run's JSON: its per-condition table")
    ap.add_argument("--json", action="store_true", help="the runs as JSON rows")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.conditions:
        print(conditions_table(args.conditions))
        return 0
    rows = all_runs(args.results)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(runs_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
