"""stroke34 (issue 10, the thirty-third pass): stroke28's whole-line follow compiled, the same
numbers. `benchmarks/follow.py` reads generated crease sheets with stroke28 on, keeps every line it
followed and follows each again fast and plain: on real sheets (not only drawn ones, as
test_stroke29's), the fast follow's every Run is the plain one's to the bit; and the benchmark
refuses the holdout seeds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import follow  # noqa: E402

from kiosk.reading import stroke28  # noqa: E402


def test_the_lines_followed_on_crease_sheets_are_the_plain_follows(tmp_path: Path) -> None:
    """Four crease sheets of dev seed 155: lines were followed (13 on this code) and none of their
    Runs differs between the fast and the plain follow; stroke28 is on again after."""
    out = tmp_path / "follow.json"
    assert follow.main(["--seed", "155", "--sheets", "4", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["lines_followed"] >= 5
    assert got["runs_differ"] == 0
    assert got["reading_cpu_s"]["stroke28_on"] > 0 and got["reading_cpu_s"]["stroke28_off"] > 0
    assert stroke28.ENABLED is True
    assert stroke28.whole_run.__name__ == "whole_run"  # the recorder taken off again


@pytest.mark.parametrize("seed", ["9000", "12250", "12399"])
def test_holdout_seeds_are_refused(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert follow.main(["--seed", seed, "--sheets", "1"]) == 2
    assert "refused" in capsys.readouterr().err
