"""The record of untouched runs (issue 10): each range run once, the next one never run, and
`benchmarks/holdout_runs.py`'s table computed from the runs' own tallies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fieldkit.conditions import HOLDOUT_SEEDS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _recorded_seeds() -> list[int]:
    return [
        int(json.loads(p.read_text())["seed"]) for p in sorted(RESULTS.glob("accuracy-field-holdout*.json"))
    ]


def test_each_untouched_range_was_run_once_and_the_next_is_untouched() -> None:
    seeds = _recorded_seeds()
    assert len(seeds) >= 40  # the record is there, not an empty glob
    assert len(seeds) == len(set(seeds)), "an untouched range was run twice"
    assert all(s in HOLDOUT_SEEDS for s in seeds)
    # The last hundred inside HOLDOUT_SEEDS is the next pass's: no run of it is recorded.
    assert max(seeds) < HOLDOUT_SEEDS.stop - 100


def _fake_run(seed: int, sheets: int, reviews: int, expected: int, wrong: int) -> dict[str, object]:
    row = {
        "sheets": sheets,
        "squares": sheets * 17,
        "wrong_sheets": wrong,
        "wrong_squares": wrong,
        "wrong_outcomes": 0,
        "reviews": reviews,
        "expected_reviews": expected,
        "refused": 0,
    }
    none = dict(row, sheets=sheets // 10, squares=sheets // 10 * 17, reviews=5, expected_reviews=4)
    return {"seed": seed, "sheets_done": sheets, "raw": {"rows": {"all": row, "none": none}}}


def test_the_table_is_the_runs_own_tallies(tmp_path: Path) -> None:
    (tmp_path / "accuracy-field-holdout-b.json").write_text(json.dumps(_fake_run(9100, 2000, 300, 100, 0)))
    (tmp_path / "accuracy-field-holdout-a.json").write_text(json.dumps(_fake_run(9000, 1000, 120, 20, 3)))
    (tmp_path / "accuracy-field-holdout-old.json").write_text(json.dumps({"seed": 8999}))  # no raw
    out = subprocess.run(
        [sys.executable, "benchmarks/holdout_runs.py", "--results", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    ).stdout
    rows = json.loads(out)
    assert [r["seed"] for r in rows] == [9000, 9100]  # by seed; the file without tallies left out
    a, b = rows
    assert (a["squares"], a["wrong_squares"]) == (17000, 3)
    assert abs(a["review"] - 0.12) < 1e-12 and abs(a["beyond_truth"] - 0.10) < 1e-12
    assert abs(b["truth_review"] - 0.05) < 1e-12
    assert abs(a["none_beyond_truth"] - 0.01) < 1e-12  # (5 - 4) of 100 sheets with no condition
