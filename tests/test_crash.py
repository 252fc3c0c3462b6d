"""A short run of the crash runner (fieldkit/crash.py, as benchmarks/crash.py): real processes, SIGKILL at random moments, restart, resume.
The long run (200+ kills over 500 sheets) is `.venv/bin/python benchmarks/crash.py`."""

from __future__ import annotations

from pathlib import Path

from fieldkit import crash


def test_kill_minus_nine_loses_nothing_and_counts_nothing_twice(tmp_path: Path) -> None:
    result = crash.run(tmp_path, sheets=30, kills=8, seed=7)
    # A kill aimed at a process that already finished does not count; on a fast machine a few may miss.
    assert result["kills"] >= 5 and result["kills_while_counting"] >= 1
    assert result["tally_equals_truth"] and result["verify_ok"], result
    assert result["journal_sheets"] == result["accepted"] and result["pending"] == 0
    assert result["in_both_or_neither"] == 0 and result["returned_are_the_refusals"]
    assert result["ok"]
